"""The order block above 64 columns: the full order, the partner-restricted one, and none.

Up to ``EXACT_COLUMNS`` (64) the order block reads DirectLiNGAM's order as causal-learn does;
above, each round compares a column only with its ``PARTNERS`` most correlated remaining ones
(until 2026-12-06 the block was off there, its cap). On the real-structure validation sets of
``configs/v3.json`` with d > 64 (hepar2, win95pts, pathfinder, andes; linear SEMs in raw units and
standardised, and MLP SEMs, n = 1,000, with their interventions' mask), this prints per dataset:
the seconds the token features take (one thread, the order read from 500 rows) with the block
off, with the restricted order, and with the full one (only up to ``--exact-up-to`` columns:
at d = 223 it takes about a minute); the share of true edges each order puts the right way
round; and the checkpoint's AUPRC (one view, the raw values) with each. The checkpoint never saw
the block on above 64 columns in training. With ``--synthetic``, instead: the estimator as it
ships (``marginals="both"``, ``adjacency_``) with the block off and on, on ``make_scm`` data
with Laplace noise, d = 100 and 200, n = 1,000, two seeds: AUPRC, SHD, kept and expected edges.

    python research/experiments/order_block_cap.py [CHECKPOINT] [--exact-up-to 120] [--synthetic]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

import skcausal.zeroshot._order_features as order_block
from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_auprc, structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._features import CONDITIONAL_FEATURES, pair_features

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("real-raw-linear", "real-linear", "real-mlp")


def _read(model, batch, **kw):
    """Seconds per dataset for the tokens, whether i comes before j, and the probabilities."""
    start = time.perf_counter()
    tokens = pair_features(batch.X, batch.intervention_mask, ridge=model.config.ridge, **kw)
    seconds = (time.perf_counter() - start) / len(batch.X)
    with torch.no_grad():
        probabilities = torch.sigmoid(model(tokens)).numpy()
    first = tokens[..., CONDITIONAL_FEATURES + 3] > 0
    return seconds, first.numpy(), probabilities


def synthetic(checkpoint):
    """The estimator with the block off (as below 20 rows) and on, on wide make_scm data."""
    print("| d | mechanism | units | AUPRC: off / on | SHD: off / on | kept / expected: off / on |")
    print("|---:|---|---|---|---|---|")
    shipped = order_block.MIN_ROWS
    for d in (100, 200):
        for mechanism in ("linear", "mlp"):
            for raw in (False, True):
                scores = {"off": [], "on": []}
                for seed in (0, 1):
                    X, _, A = make_scm(
                        1000,
                        d,
                        mechanism=mechanism,
                        noise="laplace",
                        raw_units=raw,
                        random_state=seed,
                    )
                    truth = np.asarray(A).astype(bool)
                    for key, rows in (("off", 10**9), ("on", shipped)):
                        try:
                            order_block.MIN_ROWS = rows
                            fit = ZeroShotCausalDiscovery(checkpoint=checkpoint).fit(X)
                        finally:
                            order_block.MIN_ROWS = shipped
                        p = fit.edge_probabilities_
                        scores[key].append(
                            (
                                edge_auprc(truth, p),
                                structural_hamming_distance(truth, fit.adjacency_),
                                fit.adjacency_.sum(),
                                p.sum(),
                            )
                        )
                off, on = np.mean(scores["off"], 0), np.mean(scores["on"], 0)
                print(
                    f"| {d} | {mechanism} | {'raw' if raw else 'standardised'} "
                    f"| {off[0]:.3f} / {on[0]:.3f} | {off[1]:.1f} / {on[1]:.1f} "
                    f"| {off[2]:.0f} of {off[3]:.0f} / {on[2]:.0f} of {on[3]:.0f} |",
                    flush=True,
                )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", nargs="?", default=None)
    parser.add_argument("--exact-up-to", type=int, default=120, help="largest d for the full order")
    parser.add_argument("--synthetic", action="store_true", help="the make_scm table instead")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.synthetic:
        synthetic(args.checkpoint)
        return 0
    model = Checkpoint.load(args.checkpoint or default_checkpoint_path()).build_model().eval()
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    print(
        "| family | d | features, s: off / restricted / full | order right: restricted / full "
        "| AUPRC: off / restricted / full |"
    )
    print("|---|---:|---|---|---|")
    shipped = order_block.EXACT_COLUMNS
    for family in FAMILIES:
        for batch in suite.families[family]:
            d = batch.X.shape[2]
            if d <= shipped:
                continue
            off = _read(model, batch, order=False)
            restricted = _read(model, batch)
            full = None
            if d <= args.exact_up_to:
                try:
                    order_block.EXACT_COLUMNS = d
                    full = _read(model, batch)
                finally:
                    order_block.EXACT_COLUMNS = shipped
            for b, truth in enumerate(batch.adjacency.numpy().astype(bool)):
                reads = [off, restricted] + ([full] if full else [])
                seconds = " / ".join(f"{r[0]:.2f}" for r in reads) + ("" if full else " / -")
                right = " / ".join(f"{r[1][b][truth].mean():.2f}" for r in reads[1:])
                auprc = " / ".join(f"{edge_auprc(truth, r[2][b]):.3f}" for r in reads)
                print(
                    f"| {family} | {d} | {seconds} | {right}{'' if full else ' / -'} "
                    f"| {auprc}{'' if full else ' / -'} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
