"""Why the graph keeps fewer edges than the probabilities expect on raw-unit linear SEMs (#23).

On the real-structure validation families (pretraining's sets for ``configs/v3.json``: real
network skeletons with simulated linear, MLP and raw-unit linear SEMs, n = 1,000) the estimator as
it ships is fitted on each dataset, and per family this prints the means of: true edges, the
expected number (the sum of the probabilities), the edges ``adjacency_`` keeps, the pairs whose
adjacency (``p[i, j] + p[j, i]``) passes 0.5, and that adjacency on the truly adjacent pairs.
If the kept edges fall short because the model cannot tell a pair's direction, the adjacent
pairs stay many; if they fall short because the probabilities are diffuse, they fall as well.
Then, on the first ``--pc-datasets`` datasets of each family, SHD and skeleton F1 of the
zero-shot graph against PC's: whether the family is hard for a classical method too.

    python research/experiments/kept_vs_expected.py [--checkpoint CKPT] [--pc-datasets 6]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import PC
from skcausal.metrics import structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite

ROOT = Path(__file__).resolve().parents[2]


def skeleton_f1(truth, graph):
    a, b = (np.triu((g + g.T) > 0, 1) for g in (truth, graph))
    return 2 * (a & b).sum() / max(a.sum() + b.sum(), 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", help="default: the shipped model")
    parser.add_argument("--pc-datasets", type=int, default=6)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", module="causallearn")
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    estimator = ZeroShotCausalDiscovery(checkpoint=args.checkpoint)
    print("| family | true | sum of p | kept | pairs with p + p.T > 0.5 | p + p.T, true pairs |")
    print("|---|---:|---:|---:|---:|---:|")
    comparisons = {}
    for family in suite.groups["real-mean"]:
        rows, versus = [], []
        datasets = [
            (X, A.astype(bool))
            for batch in suite.families[family]
            for X, A in zip(batch.X.numpy(), batch.adjacency.numpy())
        ]
        for k, (X, A) in enumerate(datasets):
            fit = estimator.fit(X)
            p, kept = fit.edge_probabilities_, fit.adjacency_
            q = p + p.T
            adjacent = np.triu(A | A.T, 1)
            rows.append(
                (A.sum(), p.sum(), kept.sum(), np.triu(q > 0.5, 1).sum(), q[adjacent].mean())
            )
            if k < args.pc_datasets:
                pc = PC().fit(X).adjacency_
                versus.append(
                    (
                        structural_hamming_distance(A, kept),
                        skeleton_f1(A, kept),
                        structural_hamming_distance(A, pc),
                        skeleton_f1(A, pc),
                    )
                )
        means = np.mean(rows, axis=0)
        print(f"| {family} | " + " | ".join(f"{v:.1f}" for v in means[:4]) + f" | {means[4]:.2f} |")
        comparisons[family] = np.mean(versus, axis=0)
    print(f"\nFirst {args.pc_datasets} datasets of each family:\n")
    print("| family | zero-shot SHD | zero-shot skeleton F1 | PC SHD | PC skeleton F1 |")
    print("|---|---:|---:|---:|---:|")
    for family, (zs, zf, ps, pf) in comparisons.items():
        print(f"| {family} | {zs:.1f} | {zf:.3f} | {ps:.1f} | {pf:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
