"""What the estimator's dependence check (``alpha``) buys and costs (#23: no edge from noise).

The check empties ``adjacency_`` (required edges aside) unless some pair of columns is dependent
at a false discovery rate of ``alpha`` (``skcausal.zeroshot._evidence``). Each dataset is fitted
once with ``alpha=None`` (the probabilities' own graph); the check at each level then either
leaves that graph or empties it, so one fit serves every level. Prints:

- **noise**: independent Gaussian columns (d = 10 and 20, seeds 0-39), the datasets with an
  edge at n = 10 / 20 / 50 / 200 / 100,000, unchecked and at alpha = 0.05 and 0.01;
- **graphs**: ``make_scm`` (d = 10 and 20, linear and MLP, 20 seeds each, 2 edges per node) at
  n = 10 / 20 / 50 / 200: the datasets the check empties, the kept edges it removes and how many
  of those were true, and the mean SHD unchecked and checked;
- **standard suite**: of its 48 datasets (n = 1,000), how many the check would empty.

    python research/experiments/dependence_check.py [--checkpoint CKPT] [--quick]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.benchmark import get_suite
from skcausal.datasets import make_scm
from skcausal.metrics import structural_hamming_distance
from skcausal.zeroshot._evidence import any_dependence

LEVELS = (0.05, 0.01)


def noise_table(estimator, sizes, seeds):
    print("| d | n | datasets with an edge, unchecked | alpha = 0.05 | alpha = 0.01 |")
    print("|---:|---:|---:|---:|---:|")
    for d in (10, 20):
        for n in sizes:
            counts = np.zeros(1 + len(LEVELS), dtype=int)
            for seed in seeds:
                X = np.random.default_rng(seed).standard_normal((n, d))
                if estimator.fit(X).adjacency_.any():
                    counts += [1] + [any_dependence(X, a) for a in LEVELS]
            cells = " | ".join(f"{c} of {len(seeds)}" for c in counts)
            print(f"| {d} | {n} | {cells} |", flush=True)


def graph_table(estimator, sizes, seeds):
    print(
        "\n| d | mechanism | n | alpha | datasets emptied | kept edges removed | true among them "
        "| SHD unchecked | SHD checked |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for d in (10, 20):
        for mechanism in ("linear", "mlp"):
            for n in sizes:
                rows = []
                for seed in seeds:
                    X, _, A = make_scm(n, d, mechanism=mechanism, random_state=700 + seed)
                    graph = estimator.fit(X).adjacency_.astype(bool)
                    shown = [any_dependence(X, a) for a in LEVELS]
                    rows.append((A.astype(bool), graph, shown))
                unchecked = np.mean([structural_hamming_distance(A, g) for A, g, _ in rows])
                for k, alpha in enumerate(LEVELS):
                    emptied = [(A, g) for A, g, s in rows if not s[k]]
                    removed = sum(int(g.sum()) for _, g in emptied)
                    true = sum(int((g & A).sum()) for A, g in emptied)
                    checked = np.mean(
                        [structural_hamming_distance(A, g if s[k] else 0 * g) for A, g, s in rows]
                    )
                    print(
                        f"| {d} | {mechanism} | {n} | {alpha} | {len(emptied)} of {len(rows)} "
                        f"| {removed} | {true} | {unchecked:.2f} | {checked:.2f} |",
                        flush=True,
                    )


def standard_suite():
    specs = get_suite("standard")
    emptied = {a: 0 for a in LEVELS}
    for spec in specs:
        X = spec.load()[0]
        for a in LEVELS:
            emptied[a] += not any_dependence(X, a)
    cells = ", ".join(f"{n} at alpha = {a}" for a, n in emptied.items())
    print(f"\nstandard suite: the check empties {cells} of its {len(specs)} datasets")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", help="default: the shipped model")
    parser.add_argument("--quick", action="store_true", help="5 seeds, n up to 200")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    estimator = ZeroShotCausalDiscovery(checkpoint=args.checkpoint, alpha=None)
    quick = args.quick
    noise_table(
        estimator,
        (10, 20, 50, 200) if quick else (10, 20, 50, 200, 100_000),
        range(5 if quick else 40),
    )
    graph_table(estimator, (10, 20, 50, 200), range(5 if quick else 20))
    standard_suite()
    return 0


if __name__ == "__main__":
    sys.exit(main())
