"""How a checkpoint behaves at the edges of its training box (issue #23's table), per mode.

For each checkpoint and each mode (``marginals="raw"``, the default, ``"ranks"``, the exactly
invariant one, and ``"both"``, their mean; ``--modes`` picks) it prints:

- **rows**: AUPRC at n = 2,000 / 10,000 / 50,000 / 100,000 (``make_scm``, d = 20, linear and MLP,
  two seeds each; beyond the checkpoint's trained n the estimator averages row subsets);
- **transforms**: AUROC untransformed, and AUROC with the largest and mean change of a probability
  after normal scores, exp, cube and log of every column (simulated: d = 20, n = 2,000, linear and
  MLP, two seeds each);
- **real tables** (no ground truth): the same largest and mean changes on the shipped Sachs data
  (observational rows, log scale) and scikit-learn's diabetes, wine and breast-cancer tables, and
  the mean absolute difference between the probabilities of two disjoint halves of the rows;
- **noise**: on independent Gaussian columns (d = 20) the largest probability and the number of
  edges the estimator keeps (``adjacency_``) at n = 10 / 50 / 100,000 (mean over 3 seeds);
- **Sachs**, report only (never used to select): AUROC and SHD (of ``adjacency_``) of the
  observational rows alone, and of all rows with the intervention mask.

    python research/experiments/outside_the_box.py                       # the shipped model
    python research/experiments/outside_the_box.py A.safetensors B.safetensors --quick
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from scipy.stats import norm, rankdata
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import load_sachs, make_scm
from skcausal.metrics import edge_auprc, edge_auroc, structural_hamming_distance
from skcausal.zeroshot._checkpoint import default_checkpoint_path


def _positive(X):
    return X - X.min(0) + 1.0


TRANSFORMS = {
    "normal scores": lambda X: norm.ppf((np.apply_along_axis(rankdata, 0, X) - 0.5) / len(X)),
    "exp": lambda X: np.exp((X - X.mean(0)) / X.std(0)),
    "cube": lambda X: X**3,
    "log": lambda X: np.log(_positive(X)),
}


def _estimator(checkpoint, mode, X, mask=None):
    est = ZeroShotCausalDiscovery(checkpoint=checkpoint, marginals=mode)
    return est.fit(X, intervention_mask=mask)


def _fit(checkpoint, mode, X, mask=None):
    return _estimator(checkpoint, mode, X, mask).edge_probabilities_


def rows_table(checkpoint, mode, seeds, sizes):
    out = {}
    for n in sizes:
        scores = []
        for mechanism in ("linear", "mlp"):
            for seed in range(seeds):
                X, _, A = make_scm(n, 20, mechanism=mechanism, random_state=100 + seed)
                scores.append(edge_auprc(A, _fit(checkpoint, mode, X)))
        out[f"AUPRC n={n}"] = np.mean(scores)
    return out


def transforms_table(checkpoint, mode, seeds):
    data = [
        make_scm(2000, 20, mechanism=m, random_state=200 + s)
        for m in ("linear", "mlp")
        for s in range(seeds)
    ]
    base = [_fit(checkpoint, mode, X) for X, _, _ in data]
    out = {"AUROC untransformed": np.mean([edge_auroc(A, p) for (_, _, A), p in zip(data, base)])}
    for name, f in TRANSFORMS.items():
        probs = [_fit(checkpoint, mode, f(X)) for X, _, _ in data]
        auroc = np.mean([edge_auroc(A, p) for (_, _, A), p in zip(data, probs)])
        change = np.array([np.abs(p - q) for p, q in zip(base, probs)])
        out[f"{name}: AUROC"] = auroc
        out[f"{name}: largest change"] = change.max()
        out[f"{name}: mean change"] = change.mean()
    return out


def real_tables():
    sachs = load_sachs(interventional=False)[0]
    return {
        "sachs": sachs,
        "diabetes": load_diabetes().data,
        "wine": load_wine().data,
        "breast-cancer": load_breast_cancer().data,
    }


def real_table(checkpoint, mode):
    out = {}
    rng = np.random.default_rng(0)
    for name, X in real_tables().items():
        X = np.asarray(X, dtype=float)
        base = _fit(checkpoint, mode, X)
        changes = [np.abs(base - _fit(checkpoint, mode, f(X))) for f in TRANSFORMS.values()]
        out[f"{name}: largest change"] = max(c.max() for c in changes)
        out[f"{name}: mean change"] = np.mean([c.mean() for c in changes])
        order = rng.permutation(len(X))
        half = len(X) // 2
        a = _fit(checkpoint, mode, X[order[:half]])
        b = _fit(checkpoint, mode, X[order[half : 2 * half]])
        out[f"{name}: halves differ (mean)"] = np.abs(a - b).mean()
    return out


def noise_table(checkpoint, mode, sizes=(10, 50, 100_000)):
    out = {}
    for n in sizes:
        largest, edges = [], []
        for seed in range(3):
            X = np.random.default_rng(300 + seed).standard_normal((n, 20))
            est = _estimator(checkpoint, mode, X)
            largest.append(est.edge_probabilities_.max())
            edges.append(est.adjacency_.sum())
        out[f"noise n={n}: largest p"] = np.mean(largest)
        out[f"noise n={n}: edges"] = np.mean(edges)
    return out


def sachs_table(checkpoint, mode):
    X, _, A = load_sachs(interventional=False)
    p = _estimator(checkpoint, mode, X)
    Xi, Mi, _ = load_sachs(interventional=True)
    q = _estimator(checkpoint, mode, Xi, Mi)
    return {
        "Sachs obs: AUROC": edge_auroc(A, p.edge_probabilities_),
        "Sachs obs: SHD": structural_hamming_distance(A, p.adjacency_),
        "Sachs +mask: AUROC": edge_auroc(A, q.edge_probabilities_),
        "Sachs +mask: SHD": structural_hamming_distance(A, q.adjacency_),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="*")
    parser.add_argument("--quick", action="store_true", help="one seed, n up to 50,000")
    parser.add_argument("--modes", default="raw,ranks", help="comma-separated: raw, ranks, both")
    args = parser.parse_args(argv)
    checkpoints = args.checkpoints or [str(default_checkpoint_path())]
    seeds = 1 if args.quick else 2
    sizes = (2000, 10_000, 50_000) if args.quick else (2000, 10_000, 50_000, 100_000)
    columns, rows = [], {}
    for checkpoint in checkpoints:
        for mode in args.modes.split(","):
            start = time.perf_counter()
            result = {}
            result.update(rows_table(checkpoint, mode, seeds, sizes))
            result.update(transforms_table(checkpoint, mode, seeds))
            result.update(real_table(checkpoint, mode))
            result.update(noise_table(checkpoint, mode))
            result.update(sachs_table(checkpoint, mode))
            column = f"{checkpoint.rsplit('/', 1)[-1]} [{mode}]"
            columns.append(column)
            for key, value in result.items():
                rows.setdefault(key, {})[column] = value
            print(f"{column}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print("| measure | " + " | ".join(columns) + " |")
    print("|---|" + "---|" * len(columns))
    for key, values in rows.items():
        print(f"| {key} | " + " | ".join(f"{values[c]:.3f}" for c in columns) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
