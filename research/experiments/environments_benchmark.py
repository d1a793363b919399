"""Environments with unknown targets: does the model learn more from the labels than from the pool?

Datasets from the simulator come as 2-20 environments (blocks of rows), each with 1-3 unknown
targets hit by one kind of intervention (hard, far, shift or soft; with off-target effects in a
fifth of the datasets), the first environment observational in half of them. Each dataset is
fitted twice with the same checkpoint: with ``environments=`` (the labels only, no mask; the
reference named when there is one) and on the pooled rows without labels. Target recovery is
the AUROC of ``intervention_targets_`` against what each environment's interventions hit, over the
non-reference environments and all variables of a dataset. These data are inside the training
prior of a checkpoint trained with ``configs/v2-env.json``.

    python research/experiments/environments_benchmark.py CHECKPOINT [--seeds 3] [--datasets 8] \\
        [--nodes 20] [--baseline CKPT]

``--baseline`` adds the pooled AUPRC of another checkpoint (e.g. the shipped v1 weights, which
cannot read environments) on the same datasets.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from sklearn.metrics import roc_auc_score

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.metrics import edge_auprc

MECHANISMS = ("linear", "mlp", "tanh")
# Seeds of the benchmark's data: below the training streams' 2**32 and away from the validation
# sets.
SEED_BASE = 3_000_000_000


def simulate(mechanism, seed, n_datasets, n_nodes, n_samples):
    """Datasets with environments: (X, labels, has_reference, targets (E, d), adjacency) each."""
    config = SimulationConfig(
        environment_probability=1.0,
        known_targets_probability=0.0,
        intervention_kinds=("hard", "far", "shift", "soft"),
        off_target_probability=0.2,
    )
    sampler = SCMBatchSampler(
        config, generator=SEED_BASE + 1000 * seed + MECHANISMS.index(mechanism)
    )
    batch = sampler.sample(n_datasets, n_nodes, n_samples, mechanism=mechanism)
    return [
        (
            batch.X[k].double().numpy(),
            batch.environments[k].numpy(),
            bool(batch.has_reference[k]),
            batch.environment_targets[k].numpy(),
            batch.adjacency[k].numpy(),
        )
        for k in range(n_datasets)
    ]


def evaluate(checkpoint, data, baseline=None):
    """Per dataset: (AUPRC with environments, AUPRC pooled, target AUROC, baseline's pooled
    AUPRC)."""
    rows = []
    for X, labels, has_reference, targets, adjacency in data:
        est = ZeroShotCausalDiscovery(
            checkpoint, device="cpu", reference_environment=0 if has_reference else None
        )
        pooled = edge_auprc(adjacency, est.fit(X).edge_probabilities_)
        est.fit(X, environments=labels)
        scored = est.environments_[1:] if has_reference else est.environments_
        truth = targets[scored].ravel()
        scores = est.intervention_targets_[np.searchsorted(est.environments_, scored)].ravel()
        target_auroc = roc_auc_score(truth, scores) if 0 < truth.sum() < truth.size else np.nan
        other = np.nan
        if baseline is not None:
            other = edge_auprc(
                adjacency,
                ZeroShotCausalDiscovery(baseline, device="cpu").fit(X).edge_probabilities_,
            )
        rows.append((edge_auprc(adjacency, est.edge_probabilities_), pooled, target_auroc, other))
    return np.array(rows)


def _mean(values):
    return "-" if np.isnan(values).all() else f"{np.nanmean(values):.3f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--datasets", type=int, default=8, help="per mechanism and seed")
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--baseline", help="a checkpoint whose pooled AUPRC is added as a column")
    args = parser.parse_args(argv)
    print(
        f"checkpoint {args.checkpoint}; d = {args.nodes}, n = {args.samples}, "
        f"{args.datasets} datasets "
        "per mechanism and seed\n"
    )
    print(
        "| mechanism | seed | AUPRC, environments | AUPRC, pooled | difference | datasets < -0.02 "
        "| target AUROC | AUPRC, pooled, baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    every = []
    for mechanism in MECHANISMS:
        for seed in range(args.seeds):
            r = evaluate(
                args.checkpoint,
                simulate(mechanism, seed, args.datasets, args.nodes, args.samples),
                args.baseline,
            )
            every.append(r)
            diff = r[:, 0] - r[:, 1]
            print(
                f"| {mechanism} | {seed} | {r[:, 0].mean():.3f} | {r[:, 1].mean():.3f} "
                f"| {diff.mean():+.3f} "
                f"| {int((diff < -0.02).sum())} | {np.nanmean(r[:, 2]):.3f} | {_mean(r[:, 3])} |"
            )
    r = np.concatenate(every)
    diff = r[:, 0] - r[:, 1]
    print(
        f"| all | | {r[:, 0].mean():.3f} | {r[:, 1].mean():.3f} | {diff.mean():+.3f} | "
        f"{int((diff < -0.02).sum())} of {len(r)} | {np.nanmean(r[:, 2]):.3f} | {_mean(r[:, 3])} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
