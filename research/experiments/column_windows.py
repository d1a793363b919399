"""Wide data read in windows of columns (``ZeroShotCausalDiscovery(max_columns=...)``) against all
columns in one pass, on the real-structure validation families (#23's open point: the kept count
on the largest raw-unit networks).

The sets are pretraining's real-structure families for ``configs/v3.json`` (bnlearn's development
networks with simulated linear, MLP and raw-unit linear SEMs, n = 1,000, a few interventional
rows, fitted with their mask); only the networks above ``--min-d`` columns are read, since
narrower data are read at once whatever the window. Per family, network and setting: mean AUPRC,
the expected number of edges (sum of p), the edges ``adjacency_`` keeps, SHD, precision, recall and
fit seconds.

    python research/experiments/column_windows.py [--sizes 30,45,60] [--min-d 50]
    python research/experiments/column_windows.py --prior-graphs

``--prior-graphs`` reads the prior's own kind of graph instead (``make_scm`` Erdos-Renyi, two
edges per node, n = 1,000; d = 90, seeds 10-12, and d = 150, seeds 20-21; linear, MLP and raw-unit
linear SEMs): AUPRC per seed with all columns at once and with ``max_columns="auto"``, and the
mean seconds a fit.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_auprc, structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite

ROOT = Path(__file__).resolve().parents[2]


def scores(A, fit, seconds):
    kept = fit.adjacency_.astype(bool)
    hits = (kept & A).sum()
    p = fit.edge_probabilities_
    return (
        edge_auprc(A, p),
        p.sum(),
        kept.sum(),
        structural_hamming_distance(A, kept),
        hits / max(kept.sum(), 1),
        hits / A.sum(),
        A.sum(),
        seconds,
    )


def prior_graphs() -> int:
    kinds = {
        "linear": dict(mechanism="linear"),
        "MLP": dict(mechanism="mlp"),
        "raw-unit linear": dict(mechanism="linear", raw_units=True),
    }
    print("| SEM, d | AUPRC at once | AUPRC, auto | seconds: at once / auto |")
    print("|---|---|---|---|")
    for d, seeds in ((90, (10, 11, 12)), (150, (20, 21))):
        for kind, params in kinds.items():
            results = {None: [], "auto": []}
            for seed in seeds:
                X, _, A = make_scm(1000, d, random_state=seed, **params)
                for setting, rows in results.items():
                    start = time.perf_counter()
                    fit = ZeroShotCausalDiscovery(max_columns=setting).fit(X)
                    rows.append(
                        (edge_auprc(A, fit.edge_probabilities_), time.perf_counter() - start)
                    )
            cells = [" / ".join(f"{r[0]:.3f}" for r in rows) for rows in results.values()]
            seconds = " / ".join(
                f"{np.mean([r[1] for r in rows]):.1f}" for rows in results.values()
            )
            print(f"| {kind}, {d} | {cells[0]} | {cells[1]} | {seconds} |", flush=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="45", help="comma-separated window sizes")
    parser.add_argument("--min-d", type=int, default=50)
    parser.add_argument("--families", default="real-raw-linear,real-linear,real-mlp")
    parser.add_argument("--prior-graphs", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", module="skcausal")
    if args.prior_graphs:
        return prior_graphs()
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    settings = {"all columns": None} | {f"windows of {s}": int(s) for s in args.sizes.split(",")}
    print("| family | d | setting | AUPRC | sum p | kept | SHD | precision | recall | true | s |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for family in args.families.split(","):
        rows = {}
        for batch in suite.families[family]:
            d = batch.X.shape[-1]
            if d < args.min_d:
                continue
            for X, M, A in zip(
                batch.X.numpy(), batch.intervention_mask.numpy(), batch.adjacency.numpy()
            ):
                for name, size in settings.items():
                    start = time.perf_counter()
                    fit = ZeroShotCausalDiscovery(max_columns=size).fit(X, intervention_mask=M)
                    seconds = time.perf_counter() - start
                    rows.setdefault((d, name), []).append(scores(A.astype(bool), fit, seconds))
        for (d, name), values in rows.items():
            m = np.mean(values, axis=0)
            print(
                f"| {family} | {d} | {name} | {m[0]:.3f} | {m[1]:.1f} | {m[2]:.1f} | {m[3]:.1f} "
                f"| {m[4]:.3f} | {m[5]:.3f} | {m[6]:.0f} | {m[7]:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
