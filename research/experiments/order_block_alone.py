"""Is the order block informative on its own, and does a model read more than it?

On the real-structure validation sets of ``configs/v3.json`` (bnlearn development networks' graphs
with simulated linear SEMs, standardised and in raw units, n = 1,000), for the datasets where the
block reads the full order (d <= 64 and at least two columns reject normality): the AUPRC of the
block alone (the pair's |partial correlation| given the columns before the later one, where i comes
first; 0 otherwise), the share of true edges that DirectLiNGAM's order puts the right way round,
and the AUPRC of each checkpoint's network (one view, the raw values).

    python research/experiments/order_block_alone.py pretrained/skcausal-zeroshot.safetensors \\
        runs/v3-order-steps/step-2000/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from skcausal.metrics import edge_auprc
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._features import CONDITIONAL_FEATURES, pair_features
from skcausal.zeroshot._order_features import EXACT_COLUMNS, SCALE

ROOT = Path(__file__).resolve().parents[2]


def block_alone(tokens):
    """The order block of pair tokens, unscaled; whether i comes first; and the block alone as an
    edge score (the pair's |partial correlation| given the columns before the later one, where i
    comes first, 0 otherwise)."""
    block = tokens[..., CONDITIONAL_FEATURES:] / SCALE
    first = block[..., 3] > 0
    return block, first, block[..., 4].abs() * first


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    models = {}
    for path in args.checkpoints:
        models[Path(path).parent.name] = Checkpoint.load(path).build_model().eval()
    print("| family | datasets | block alone | true edges in order | " + " | ".join(models) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(models))
    for family in ("real-linear", "real-raw-linear"):
        scores = {key: [] for key in ["block", "order", *models]}
        for batch in suite.families[family]:
            if batch.X.shape[2] > EXACT_COLUMNS:
                continue
            tokens = pair_features(batch.X)
            block, first, alone = block_alone(tokens)
            with torch.no_grad():
                logits = {k: m(tokens[..., : m.config.n_features]) for k, m in models.items()}
            for b, truth in enumerate(batch.adjacency.numpy().astype(bool)):
                if not block[b, ..., 0].any():  # the block is off: no order to score
                    continue
                scores["block"].append(edge_auprc(truth, alone[b].numpy()))
                scores["order"].append(first[b].numpy()[truth].mean())
                for key, value in logits.items():
                    scores[key].append(edge_auprc(truth, torch.sigmoid(value[b]).numpy()))
        means = " | ".join(f"{np.mean(v):.3f}" for v in scores.values())
        print(f"| {family} | {len(scores['block'])} | {means} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
