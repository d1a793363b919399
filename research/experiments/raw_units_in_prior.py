"""Is the raw-unit collapse on real structures a gap between prior and world, or hard in-prior too?

For each named development network (bnlearn's structure, nodes in a causal order) this fits the
shipped estimator (``alpha=None``: the probabilities alone) on three raw-unit and three
standardised linear SEMs over that structure, n = 1,000, then on three raw-unit linear SEMs over
each of four of the prior's own graph families with the network's size and edge density. It
prints the mean edge AUPRC and the share of nodes whose parents explain more than 99% of their
variance (R^2 of the true parents, by least squares): how near-deterministic the data are.

    python research/experiments/raw_units_in_prior.py insurance alarm
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import SimulationConfig, load_bnlearn_structure
from skcausal.datasets._simulator import SCMBatchSampler
from skcausal.graph import topological_order
from skcausal.metrics import edge_auprc

FAMILIES = ("erdos_renyi", "scale_free", "hubs", "layered")


def parent_r2(X, A):
    """R^2 of each node with parents on them (standardised columns, least squares)."""
    X = (X - X.mean(0)) / (X.std(0) + 1e-12)
    out = []
    for j in range(A.shape[0]):
        parents = np.flatnonzero(A[:, j])
        if len(parents):
            beta, *_ = np.linalg.lstsq(X[:, parents], X[:, j], rcond=None)
            out.append(1 - (X[:, j] - X[:, parents] @ beta).var())
    return np.array(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("networks", nargs="+")
    parser.add_argument("--checkpoint", help="default: the shipped model")
    parser.add_argument("--seed", type=int, default=123)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    estimator = ZeroShotCausalDiscovery(alpha=None, checkpoint=args.checkpoint)
    generator = torch.Generator().manual_seed(args.seed)
    sampler = SCMBatchSampler(SimulationConfig(max_nodes=300), generator=generator)

    def row(label, batch):
        auprc, determined = [], []
        for X, A in zip(batch.X.numpy(), batch.adjacency.numpy()):
            auprc.append(edge_auprc(A, estimator.fit(X).edge_probabilities_))
            determined.append(np.mean(parent_r2(X.astype(float), A) > 0.99))
        print(f"| {label} | {np.mean(auprc):.3f} | {np.mean(determined):.2f} |", flush=True)

    print("| SEM | AUPRC | share of nodes with R^2 > 0.99 |\n|---|---:|---:|")
    for network in args.networks:
        adjacency, _ = load_bnlearn_structure(network)
        order = topological_order(adjacency)
        dag = torch.as_tensor(adjacency[np.ix_(order, order)], dtype=torch.bool)
        d = dag.shape[0]
        density = dag.sum().item() / d
        for raw in (True, False):
            units = "raw units" if raw else "standardised"
            batch = sampler.sample(3, d, 1000, mechanism="linear", dag=dag, raw_units=raw)
            row(f"{network} (d = {d}), {units}", batch)
        for family in FAMILIES:
            batch = sampler.sample(
                3, d, 1000, mechanism="linear", graph=family, edges_per_node=density, raw_units=True
            )
            row(f"prior's {family}, d = {d}, {density:.1f} parents per node, raw units", batch)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
