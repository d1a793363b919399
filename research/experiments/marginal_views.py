"""The zero-shot model's answer from the values, from the ranks, and from both (the mean of the
two views' probabilities), on pretraining's validation sets.

``ZeroShotCausalDiscovery(marginals=...)``: "raw" reads the standardised values, "ranks" the
normal scores of each column's ranks (exactly invariant to any increasing map of a column), and
"both" averages the two. This scores the three on every validation family without environments
(with environments the target head's views are not averaged here): mean AUPRC per family, and
for pure noise the mean number of probabilities above 0.5.

    python research/experiments/marginal_views.py pretrained/skcausal-zeroshot.safetensors \\
        runs/v3/skcausal-zeroshot.safetensors --config configs/v3.json
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import torch

from skcausal.metrics import edge_auprc
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._features import pair_features

VIEWS = ("raw", "ranks", "both")


def _views(model, batch):
    """Each view's probabilities (b, d, d) of a batch."""
    kinds = getattr(batch, "column_kinds", None)
    out = {}
    for name, invariant in (("raw", False), ("ranks", True)):
        tokens = pair_features(batch.X, batch.intervention_mask, kinds=kinds, invariant=invariant)
        out[name] = torch.sigmoid(model(tokens)).double().numpy()
    out["both"] = (out["raw"] + out["ranks"]) / 2
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--config", required=True, help="the training config whose sets are used")
    args = parser.parse_args(argv)
    config = TrainConfig.from_json(args.config)
    suite = ValidationSuite.from_config(config, ood=True, structures=True)
    names = [Checkpoint.load(p).metadata.get("step") for p in args.checkpoints]
    header = " | ".join(
        f"{path} (step {step}): {v}" for path, step in zip(args.checkpoints, names) for v in VIEWS
    )
    print(f"| family | datasets | {header} |")
    print("|---" * (2 + len(VIEWS) * len(args.checkpoints)) + "|")
    models = [Checkpoint.load(p).build_model("cpu") for p in args.checkpoints]
    for family, batches in suite.families.items():
        if any(b.environments is not None for b in batches):
            continue
        cells, count = [], 0
        for model in models:
            scores = {v: [] for v in VIEWS}
            with torch.no_grad():
                for batch in batches:
                    probs = _views(model, batch)
                    for k, truth in enumerate(batch.adjacency.numpy()):
                        off = ~np.eye(len(truth), dtype=bool)
                        for v in VIEWS:
                            p = probs[v][k]
                            if truth.sum() == 0:
                                scores[v].append(float((p[off] > 0.5).sum()))
                            else:
                                scores[v].append(edge_auprc(truth, p))
            count = len(scores["raw"])
            cells += [f"{np.mean(scores[v]):.3f}" for v in VIEWS]
        print(f"| {family} | {count} | {' | '.join(cells)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
