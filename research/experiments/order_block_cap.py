"""What the order block would give above its column cap (d > 64), read by a model never trained so.

The shipped order block is off for d > ``MAX_COLUMNS`` (64), to bound DirectLiNGAM's O(n d^3)
cost. On the real-structure validation sets of ``configs/v3.json`` with d > 64 (hepar2, win95pts,
pathfinder, andes; linear SEMs in raw units and standardised, n = 1,000), this prints per dataset:
the seconds the token features take with the cap lifted (float32, one thread, the order read from
500 rows), the share of true edges that DirectLiNGAM's order puts the right way round, the AUPRC of
the block alone (|partial correlation given the columns before the later one| where i comes
first), and the checkpoint's AUPRC (one view, the raw values) with the cap as shipped and lifted.
A diagnostic for the next run, not a setting: the checkpoint never saw the block on at d > 64.

    python research/experiments/order_block_cap.py [CHECKPOINT] [--max-columns 120]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from order_block_alone import block_alone  # research/experiments/ is on sys.path

import skcausal.zeroshot._order_features as order_block
from skcausal.metrics import edge_auprc
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._features import pair_features

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", nargs="?", default=None)
    parser.add_argument("--max-columns", type=int, default=120, help="the lifted cap")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    model = Checkpoint.load(args.checkpoint or default_checkpoint_path()).build_model().eval()
    shipped_cap = order_block.MAX_COLUMNS
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    print(
        "| family | d | features, s | block on | order right | block alone "
        f"| model, cap {shipped_cap} | model, cap {args.max_columns} |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for family in ("real-raw-linear", "real-linear"):
        for batch in suite.families[family]:
            d = batch.X.shape[2]
            if not shipped_cap < d <= args.max_columns:
                continue
            try:
                with torch.no_grad():
                    shipped = torch.sigmoid(model(pair_features(batch.X)))
                order_block.MAX_COLUMNS = args.max_columns
                start = time.perf_counter()
                tokens = pair_features(batch.X)
                seconds = (time.perf_counter() - start) / len(batch.X)
                with torch.no_grad():
                    lifted = torch.sigmoid(model(tokens))
            finally:
                order_block.MAX_COLUMNS = shipped_cap
            block, first, alone = block_alone(tokens)
            for b, truth in enumerate(batch.adjacency.numpy().astype(bool)):
                on = bool(block[b, ..., 0].any())
                right = f"{first[b].numpy()[truth].mean():.2f}" if on else "-"
                solo = f"{edge_auprc(truth, alone[b].numpy()):.3f}" if on else "-"
                print(
                    f"| {family} | {d} | {seconds:.1f} | {'yes' if on else 'no'} | {right} "
                    f"| {solo} | {edge_auprc(truth, shipped[b].numpy()):.3f} "
                    f"| {edge_auprc(truth, lifted[b].numpy()):.3f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
