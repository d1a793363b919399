"""Phase 22 (#23): the shipped weights read above 32 columns with the fixed ridge against the
data's (``"fixed"`` against ``"fixed-then-ledoit-wolf"``, which differ only there), on data the
rule was not chosen on.

The same weights under both rules (the checkpoint's ``model_config.ridge`` rewritten in a
temporary copy), the estimator as it ships (``marginals="both"``, ``adjacency_``):

- ``make_scm`` graphs at d = 40, 56, 90 and 150, n = 1,000: Erdos-Renyi (two edges per node) linear,
  MLP and raw-unit linear SEMs, scale-free raw-unit linear and MLP SEMs; ``--seeds`` seeds;
- the same kinds but the last at d = 100 and n = 100, 300 and 10,000;
- fresh draws (``ridge_rule.real_structures``, a seed the validation never used) of bnlearn's
  development networks above 32 columns, linear, MLP and raw-unit linear, n = 1,000;
- pure noise at d = 100: the largest probability and the edges kept, n = 10 to 100,000;
- a monotone map (cube, exp) of one column at d = 48 and 90 (linear SEMs, standardised and raw
  units; dataset k maps column k): the largest and the mean move of a probability.

Per set: AUPRC, edges kept of the expected (sum of p), SHD, fixed / data's ridge.

``--parts table`` (not among the defaults) is a truth-free check on a real table above 32
columns: scikit-learn's digits (1,797 rows; the 50 pixel columns that differ from their median in
more than 5% of the rows): the expected and kept edges, how far the graphs of two random halves of
the rows agree (``f1_readout.halves_agreement``: Jaccard index of the directed edges, SHD; 3
splits), and the largest and mean move of a probability under normal scores of every column.

``--parts sweep`` (not among the defaults) is the sweep that chose the 32: ``"fixed"`` against
``"ledoit-wolf"`` at every width, ``make_scm`` seeds 40-43, d = 20-64 at n = 1,000 and d = 24, 32
and 48 at n = 200 and 10,000; per setting the mean AUPRC under each rule, their mean difference
and the worst seed's.

    python research/experiments/wide_ridge.py [--seeds 3] [--parts scm,rows,real,noise,maps]
    python research/experiments/wide_ridge.py --parts sweep
    python research/experiments/wide_ridge.py --parts table
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.zeroshot._checkpoint import default_checkpoint_path
from skcausal.zeroshot._ridge import FIXED_RIDGE_COLUMNS

sys.path.insert(0, str(Path(__file__).parent))
from f1_readout import halves_agreement  # noqa: E402
from one_column_maps import MAPS, moves  # noqa: E402
from outside_the_box import TRANSFORMS  # noqa: E402
from ridge_rule import real_structures, score, with_rule  # noqa: E402

RULES = ("fixed", "fixed-then-ledoit-wolf")
KINDS = {
    "ER linear": dict(mechanism="linear"),
    "ER MLP": dict(mechanism="mlp"),
    "ER linear, raw units": dict(mechanism="linear", raw_units=True),
    "scale-free linear, raw units": dict(mechanism="linear", raw_units=True, graph="scale_free"),
    "scale-free MLP": dict(mechanism="mlp", graph="scale_free"),
}


def compare(estimators, name, datasets):
    results = [
        np.mean([score(est, X, A.astype(bool), M) for X, M, A in datasets], axis=0)
        for est in estimators
    ]
    auprc = " / ".join(f"{m[0]:.3f}" for m in results)
    kept = " / ".join(f"{m[1]:.1f} of {m[2]:.1f}" for m in results)
    shd = " / ".join(f"{m[3]:.1f}" for m in results)
    print(f"| {name} | {len(datasets)} | {auprc} | {kept} | {shd} |", flush=True)


SWEEP_KINDS = {
    "ER, Gaussian, raw units": dict(mechanism="linear", raw_units=True),
    "ER, Laplace, raw units": dict(mechanism="linear", raw_units=True, noise="laplace"),
    "scale-free, Gaussian, raw units": dict(mechanism="linear", raw_units=True, graph="scale_free"),
    "ER, Gaussian, standardised": dict(mechanism="linear"),
    "ER, MLP": dict(mechanism="mlp"),
}


def digits_table(estimators):
    from sklearn.datasets import load_digits

    X = load_digits().data
    X = X[:, [j for j in range(X.shape[1]) if (X[:, j] != np.median(X[:, j])).mean() > 0.05]]
    normal_scores = TRANSFORMS["normal scores"](X)
    print(
        f"\n| digits ({X.shape[1]} columns) | expected | kept | halves: Jaccard / SHD "
        "| normal scores: largest / mean move |\n|---|---:|---:|---|---|"
    )
    for rule, est in zip(RULES, estimators):
        fit = est.fit(X)
        p = fit.edge_probabilities_
        jaccard, shd = halves_agreement(est, X)
        moved = np.abs(est.fit(normal_scores).edge_probabilities_ - p)
        print(
            f"| {rule} | {p.sum():.1f} | {fit.adjacency_.sum()} | {jaccard:.2f} / {shd:.1f} "
            f"| {moved.max():.2f} / {moved.mean():.4f} |",
            flush=True,
        )


def sweep(folder, path):
    fixed, data = (
        ZeroShotCausalDiscovery(checkpoint=str(with_rule(path, rule, Path(folder) / "sweep")))
        for rule in ("fixed", "ledoit-wolf")
    )
    print("| n, d | " + " | ".join(SWEEP_KINDS) + " |\n|---|" + "---|" * len(SWEEP_KINDS))
    settings = [(1000, d) for d in (20, 32, 40, 48, 56, 64)]
    settings += [(n, d) for n in (10_000, 200) for d in (24, 32, 48)]
    for n, d in settings:
        cells = []
        for params in SWEEP_KINDS.values():
            data_sets = [make_scm(n, d, random_state=s, **params) for s in range(40, 44)]
            a, b = (
                np.array([score(est, X, A.astype(bool), M)[0] for X, M, A in data_sets])
                for est in (fixed, data)
            )
            cells.append(
                f"{a.mean():.3f} -> {b.mean():.3f} ({(b - a).mean():+.3f}; {(b - a).min():+.3f})"
            )
        print(f"| {n}, {d} | " + " | ".join(cells) + " |", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--parts", default="scm,rows,real,noise,maps")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", module="skcausal")
    with tempfile.TemporaryDirectory() as folder:
        path = str(default_checkpoint_path())
        copies = [str(with_rule(path, rule, folder)) for rule in RULES]
        estimators = [ZeroShotCausalDiscovery(checkpoint=c, device="cpu") for c in copies]
        if "sweep" in parts:
            sweep(folder, path)
        if "table" in parts:
            digits_table(estimators)
        if {"scm", "rows", "real"} & set(parts):
            print("| set | datasets | AUPRC | kept of expected | SHD |\n|---|---:|---|---|---|")
        if "scm" in parts:
            for d in (40, 56, 90, 150):
                for kind, params in KINDS.items():
                    data = [
                        make_scm(1000, d, random_state=s, **params)
                        for s in range(10, 10 + args.seeds)
                    ]
                    compare(estimators, f"{kind}, d = {d}", data)
        if "rows" in parts:
            for n in (100, 300, 10_000):
                for kind, params in list(KINDS.items())[:4]:
                    data = [
                        make_scm(n, 100, random_state=s, **params)
                        for s in range(20, 20 + args.seeds)
                    ]
                    compare(estimators, f"{kind}, d = 100, n = {n}", data)
        if "real" in parts:
            for key, datasets in real_structures(2).items():
                for d in sorted(
                    {X.shape[1] for X, _, _ in datasets if X.shape[1] > FIXED_RIDGE_COLUMNS}
                ):
                    compare(
                        estimators, f"{key}, d = {d}", [t for t in datasets if t[0].shape[1] == d]
                    )
        if "noise" in parts:
            print("\n| pure noise, d = 100 | largest p | edges kept |\n|---|---|---|")
            for n in (10, 20, 50, 1000, 100_000):
                fits = [
                    [est.fit(np.random.default_rng(s).standard_normal((n, 100))) for s in range(2)]
                    for est in estimators
                ]
                largest = " / ".join(
                    f"{max(f.edge_probabilities_.max() for f in fs):.3f}" for fs in fits
                )
                kept = " / ".join(str(sum(int(f.adjacency_.sum()) for f in fs)) for fs in fits)
                print(f"| n = {n} | {largest} | {kept} |", flush=True)
        if "maps" in parts:
            print("\n| one column mapped | largest move | mean move |\n|---|---|---|")
            seeds = range(3000, 3000 + max(4, args.seeds))
            for d in (48, 90):
                for kind, raw_units in (("ER linear", False), ("ER linear, raw units", True)):
                    for name in MAPS:
                        cells = [moves(c, seeds, name, d, raw_units) for c in copies]
                        print(
                            f"| {kind}, {name}, d = {d} "
                            f"| {' / '.join(f'{c[0]:.3f}' for c in cells)} "
                            f"| {' / '.join(f'{c[1]:.4f}' for c in cells)} |",
                            flush=True,
                        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
