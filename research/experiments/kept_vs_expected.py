"""Why the graph keeps fewer edges than the probabilities expect on raw-unit linear SEMs (#23).

On the real-structure validation families (pretraining's sets for ``configs/v3.json``: real network
skeletons with simulated linear, MLP and raw-unit linear SEMs, n = 1,000, a few rows with
interventions) the estimator as it ships is fitted on each dataset with its intervention mask
(until 2026-12-06 without it: the numbers of research/v3.md's phases 7-12), and per family this
prints the means of: true edges, the expected number (the sum of the probabilities), the edges
``adjacency_`` keeps, the pairs whose adjacency (``p[i, j] + p[j, i]``) passes 0.5, and that
adjacency on the truly adjacent pairs. If the kept edges fall short because the model cannot tell a
pair's direction, the adjacent pairs stay many; if they fall short because the probabilities are
diffuse, they fall as well. Then the graph ``adjacency_`` keeps against one that keeps as many
edges as expected (the round(sum of p) pairs of highest adjacency, each in its more probable
direction, acyclic) and against ``threshold="f1"`` (the graph of largest expected F1): kept
edges, SHD, precision, recall, F1. Then AUPRC per network size (each size
is one of bnlearn's development networks), and the last family's kept, expected and true edges.
Last, on the first ``--pc-datasets`` datasets of each family, SHD and skeleton F1 of the
zero-shot graph against PC's: whether the family is hard for a
classical method too.

    python research/experiments/kept_vs_expected.py [--checkpoint CKPT] [--pc-datasets 6] \
        [--max-columns auto] [--linear-non-gaussian]
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
from skcausal.graph import greedy_dag, readout_scores
from skcausal.metrics import edge_auprc, skeleton_f1, structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite

ROOT = Path(__file__).resolve().parents[2]


def as_many_as_expected(p):
    """The round(sum of p) pairs of highest adjacency p + p.T, in their likelier direction."""
    score = np.where(p >= p.T, p + p.T, 0.0)
    np.fill_diagonal(score, 0.0)
    ranked = np.sort(score[score > 0])[::-1]
    k = min(int(round(p.sum())), len(ranked))
    if k == 0:
        return np.zeros(p.shape, dtype=int)
    return greedy_dag(np.where(score >= ranked[k - 1], score, 0.0), 0.0)


def graph_scores(truth, graph):
    graph = graph.astype(bool)
    hits = (graph & truth).sum()
    precision, recall = hits / max(graph.sum(), 1), hits / max(truth.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return graph.sum(), structural_hamming_distance(truth, graph), precision, recall, f1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", help="default: the shipped model")
    parser.add_argument("--pc-datasets", type=int, default=6)
    parser.add_argument(
        "--max-columns", help='the estimator\'s max_columns: "auto", an int (default: None)'
    )
    parser.add_argument(
        "--linear-non-gaussian", action="store_true", help="the estimator's linear_non_gaussian"
    )
    args = parser.parse_args(argv)
    max_columns = args.max_columns
    if max_columns is not None and max_columns != "auto":
        max_columns = int(max_columns)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", module="causallearn")
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    estimator = ZeroShotCausalDiscovery(
        checkpoint=args.checkpoint,
        max_columns=max_columns,
        linear_non_gaussian=args.linear_non_gaussian,
    )
    print("| family | true | sum of p | kept | pairs with p + p.T > 0.5 | p + p.T, true pairs |")
    print("|---|---:|---:|---:|---:|---:|")
    comparisons, readouts, by_size = {}, {}, {}
    for family in suite.groups["real-mean"]:
        rows, versus, read = [], [], []
        datasets = [
            (X, M, A.astype(bool))
            for batch in suite.families[family]
            for X, M, A in zip(
                batch.X.numpy(), batch.intervention_mask.numpy(), batch.adjacency.numpy()
            )
        ]
        for k, (X, M, A) in enumerate(datasets):
            fit = estimator.fit(X, intervention_mask=M)
            p, kept = fit.edge_probabilities_, fit.adjacency_
            q = p + p.T
            f1_graph = greedy_dag(*readout_scores(p, "f1"))  # threshold="f1", same probabilities
            read.append(
                graph_scores(A, kept)
                + graph_scores(A, as_many_as_expected(p))
                + graph_scores(A, f1_graph)
            )
            by_size.setdefault(len(A), {}).setdefault(family, []).append(
                (edge_auprc(A, p), kept.sum(), p.sum(), A.sum())
            )
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
        readouts[family] = np.mean(read, axis=0)
    print("\n| family | graph | kept | SHD | precision | recall | F1 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for family, means in readouts.items():
        for label, (kept, shd, precision, recall, f1) in zip(
            ("`adjacency_`", "as many as expected", '`threshold="f1"`'),
            (means[:5], means[5:10], means[10:]),
        ):
            print(
                f"| {family} | {label} | {kept:.1f} | {shd:.1f} | {precision:.3f} "
                f"| {recall:.3f} | {f1:.3f} |"
            )
    families = list(readouts)
    print(
        "\n| d (network) | "
        + " | ".join(f"AUPRC, {f}" for f in families)
        + " | kept / expected / true, "
        + families[-1]
        + " |"
    )
    print("|---:|" + "---:|" * len(families) + "---|")
    for d, scores in sorted(by_size.items()):
        means = {f: np.mean(scores[f], axis=0) for f in families}
        kept, expected, true = means[families[-1]][1:]
        print(
            f"| {d} | "
            + " | ".join(f"{means[f][0]:.3f}" for f in families)
            + f" | {kept:.1f} / {expected:.1f} / {true:.1f} |"
        )
    if not args.pc_datasets:
        return 0
    print(f"\nFirst {args.pc_datasets} datasets of each family:\n")
    print("| family | zero-shot SHD | zero-shot skeleton F1 | PC SHD | PC skeleton F1 |")
    print("|---|---:|---:|---:|---:|")
    for family, (zs, zf, ps, pf) in comparisons.items():
        print(f"| {family} | {zs:.1f} | {zf:.3f} | {ps:.1f} | {pf:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
