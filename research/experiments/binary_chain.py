"""The binary chain of issue #22 (A -> B -> C -> D, each copying its parent with probability 0.9)
at growing n: the zero-shot model's probability that each pair is adjacent
(``p[i, j] + p[j, i]``), for the chain's three pairs and the three others.

``tests/zeroshot/test_outside_the_box.py`` asks for the skeleton at n = 20,000; this shows where
along n a checkpoint gets it. ``--max-rows none`` reads all rows at once (default: the estimator's
"auto", row subsets of the trained size).

    python research/experiments/binary_chain.py runs/v3/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from skcausal import ZeroShotCausalDiscovery

CHAIN = np.eye(4, k=1, dtype=bool) | np.eye(4, k=-1, dtype=bool)
OTHERS = ~CHAIN & ~np.eye(4, dtype=bool)


def binary_chain(n, seed, copy=0.9):
    rng = np.random.default_rng(seed)
    columns = [rng.random(n) < 0.5]
    for _ in range(3):
        parent = columns[-1]
        columns.append(np.where(rng.random(n) < copy, parent, ~parent))
    return pd.DataFrame(dict(zip("ABCD", columns)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", nargs="?", default=None)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--max-rows", default="auto")
    args = parser.parse_args(argv)
    choice = args.max_rows.lower()
    max_rows = {"auto": "auto", "none": None}[choice] if choice in ("auto", "none") else int(choice)
    print("| n | seed | chain pairs: p(adjacent) | other pairs: p(adjacent) | skeleton right |")
    print("|---:|---:|---|---|---|")
    for n in (200, 1000, 2000, 5000, 10_000, 20_000):
        for seed in range(args.seeds):
            est = ZeroShotCausalDiscovery(checkpoint=args.checkpoint, max_rows=max_rows)
            est.fit(binary_chain(n, seed))
            p = est.edge_probabilities_
            adjacent = np.triu(p + p.T)
            skeleton = (est.adjacency_ + est.adjacency_.T) > 0
            chain = ", ".join(f"{v:.2f}" for v in adjacent[np.triu(CHAIN)])
            others = ", ".join(f"{v:.2f}" for v in adjacent[np.triu(OTHERS)])
            right = "yes" if np.array_equal(skeleton, CHAIN) else "no"
            print(f"| {n} | {seed} | {chain} | {others} | {right} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
