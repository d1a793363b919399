"""Whether partial correlations that adjust for more transforms of the other columns survive a
monotone map of a confounder or mediator (research/v3.md, phase 19).

The values' view's partial correlations adjust for every other column by its value and square
(``_features._observational_stats``). After exp of a third column that is a common cause or a
mediator of a pair, that adjustment no longer removes its effect, and a non-adjacent pair looks
dependent. Here, on the three datasets of phase 19's largest moves (linear Gaussian ``make_scm``,
d = 10, n = 1,000; seeds 3022, 3031, 3006 of ``one_column_maps.py``'s protocol), the partial
correlation of the pair's values given each other column's value and square, and given its six
transforms (value, square, cube, tanh, |.|, sin; ``_features._TRANSFORMS``), before and after exp
of the column; then, on 8 plain datasets, the mean |partial correlation| of adjacent and of
non-adjacent pairs under both adjustments (what the adjustment costs the edges' signal). Plain
least squares, numpy only; not the features' code.

    python research/experiments/partial_adjustment.py
"""

from __future__ import annotations

import sys

import numpy as np

from skcausal.datasets import make_scm

TRANSFORMS = {
    "value": lambda z: z,
    "square": lambda z: z**2,
    "cube": lambda z: z**3,
    "tanh": lambda z: np.tanh(2 * z),
    "abs": np.abs,
    "sin": lambda z: np.sin(2 * z),
}
ADJUSTMENTS = {"value and square": ("value", "square"), "six transforms": tuple(TRANSFORMS)}
CASES = ((3022, 2, 6, 0), (3031, 1, 5, 7), (3006, 6, 3, 8))  # seed, exp'd column, pair


def standardize(a):
    return (a - a.mean(0)) / a.std(0)


def partial_correlation(Z, i, j, names):
    """Correlation of z_i and z_j after least squares on the named transforms of the others."""
    others = [k for k in range(Z.shape[1]) if k not in (i, j)]
    design = [np.ones(len(Z))]
    for k in others:
        z = np.clip(Z[:, k], -6, 6)  # as the features clip
        design += [standardize(TRANSFORMS[name](z)) for name in names]
    C = np.column_stack(design)
    residuals = [v - C @ np.linalg.lstsq(C, v, rcond=None)[0] for v in (Z[:, i], Z[:, j])]
    return np.corrcoef(*residuals)[0, 1]


def main() -> int:
    print("| seed | exp of column | pair | adjacent | " + " | ".join(ADJUSTMENTS) + " |")
    print("|---:|---:|---|---|" + "---|" * len(ADJUSTMENTS))
    for seed, column, i, j in CASES:
        X, _, A = make_scm(1000, 10, mechanism="linear", random_state=seed)
        Y = X.copy()
        Y[:, column] = np.exp(Y[:, column])
        cells = []
        for names in ADJUSTMENTS.values():
            before = partial_correlation(standardize(X), i, j, names)
            after = partial_correlation(standardize(Y), i, j, names)
            cells.append(f"{before:+.3f} -> {after:+.3f}")
        adjacent = bool(A[i, j] or A[j, i])
        print(f"| {seed} | {column} | {i} - {j} | {adjacent} | " + " | ".join(cells) + " |")
    print("\nplain data, seeds 3000-3007: mean |partial correlation|, adjacent / apart")
    for label, names in ADJUSTMENTS.items():
        adjacent, apart = [], []
        for seed in range(3000, 3008):
            X, _, A = make_scm(1000, 10, mechanism="linear", random_state=seed)
            Z = standardize(X)
            for i in range(10):
                for j in range(i + 1, 10):
                    value = abs(partial_correlation(Z, i, j, names))
                    (adjacent if A[i, j] or A[j, i] else apart).append(value)
        print(f"- {label}: {np.mean(adjacent):.3f} / {np.mean(apart):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
