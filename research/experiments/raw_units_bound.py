"""How much of a raw-unit linear SEM's graph the rows allow, against what the model and GES read.

Three raw-unit linear SEMs over a named development network's structure (n = 1,000, the same
sampler as ``raw_units_in_prior.py``). For each: SHD and skeleton F1 of the estimator's
``adjacency_``, of GES and PC (causal-learn, as ``skcausal.baselines`` runs them), and of an
oracle that is told the causal order and keeps each predecessor whose OLS coefficient is
significant (t test, Bonferroni over the node's predecessors at 0.01); and the same regression in
the order of R^2 (each column's R^2 from all the others, least first; R^2-sortability, Reisach et
al. 2023), and in DirectLiNGAM's order (causal-learn), which reads the noise's non-Gaussianity;
neither needs an oracle. The oracle says how much the rows allow once the order is known;
the R^2 order says how much of that order a scale-free statistic of the rows gives away.

    python research/experiments/raw_units_bound.py insurance [--checkpoint CKPT]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
from scipy import stats

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import GES, PC
from skcausal.datasets import SimulationConfig, load_bnlearn_structure
from skcausal.datasets._simulator import SCMBatchSampler
from skcausal.graph import topological_order
from skcausal.metrics import skeleton_f1, structural_hamming_distance


def ordered_regression(X, level=0.01):
    """The graph of an oracle told that the columns are in causal order."""
    n, d = X.shape
    X = (X - X.mean(0)) / X.std(0)
    graph = np.zeros((d, d), dtype=int)
    for j in range(1, d):
        P = X[:, :j]
        beta, *_ = np.linalg.lstsq(P, X[:, j], rcond=None)
        residual = X[:, j] - P @ beta
        sigma2 = residual @ residual / max(n - j, 1)
        se = np.sqrt(sigma2 * np.diag(np.linalg.pinv(P.T @ P)))
        p = 2 * stats.t.sf(np.abs(beta / se), max(n - j, 1))
        graph[:j, j] = p < level / j
    return graph


def r2_sort_regress(X):
    """Order the columns by how well all the others predict them (R^2 from the precision
    matrix's diagonal, least first), then regress as the oracle does: no order is given."""
    corr = np.corrcoef(X, rowvar=False)
    order = np.argsort(1 - 1 / np.diag(np.linalg.pinv(corr)))
    graph = np.zeros((len(order), len(order)), dtype=int)
    graph[np.ix_(order, order)] = ordered_regression(X[:, order])
    return graph


def lingam_order_regress(X):
    """DirectLiNGAM's causal order (causal-learn; it reads the noise's non-Gaussianity), then the
    oracle's regression in that order."""
    from causallearn.search.FCMBased.lingam import DirectLiNGAM

    order = np.asarray(DirectLiNGAM().fit(X).causal_order_)
    graph = np.zeros((len(order), len(order)), dtype=int)
    graph[np.ix_(order, order)] = ordered_regression(X[:, order])
    return graph


def raw_linear_sems(network, datasets, seed, n_samples=1000):
    """Raw-unit linear SEMs over a development network's structure, its nodes in causal order
    (the sampler keeps a given graph's order), from the sampler ``raw_units_in_prior.py`` uses."""
    adjacency, _ = load_bnlearn_structure(network)
    order = topological_order(adjacency)
    dag = torch.as_tensor(adjacency[np.ix_(order, order)], dtype=torch.bool)
    sampler = SCMBatchSampler(
        SimulationConfig(max_nodes=300), generator=torch.Generator().manual_seed(seed)
    )
    return sampler.sample(
        datasets, dag.shape[0], n_samples, mechanism="linear", dag=dag, raw_units=True
    )


def network_sems(description, argv=None):
    """The phase-8 scripts' command line (a network, ``--datasets``, ``--seed``, ``--checkpoint``
    for the zero-shot rows): the parsed arguments and their SEMs, with the libraries' warnings
    silenced."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("network")
    parser.add_argument("--datasets", type=int, default=3)
    parser.add_argument("--seed", type=int, default=123)
    parser.add_argument("--checkpoint", help="default: the shipped model")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    return args, raw_linear_sems(args.network, args.datasets, args.seed)


def main(argv=None) -> int:
    args, batch = network_sems(__doc__.split("\n\n")[0], argv)
    truth = batch.adjacency[0].numpy().astype(int)
    d = truth.shape[0]
    estimator = ZeroShotCausalDiscovery(checkpoint=args.checkpoint)
    methods = {
        "zero-shot (`adjacency_`)": lambda X: estimator.fit(X).adjacency_,
        "GES": lambda X: GES().fit(X).adjacency_,
        "PC": lambda X: PC().fit(X).adjacency_,
        "oracle told the order": ordered_regression,
        "R^2 order, then the oracle's regression": r2_sort_regress,
        "DirectLiNGAM's order, then the oracle's regression": lingam_order_regress,
    }
    print(f"{args.network} (d = {d}, {truth.sum()} edges), raw-unit linear SEMs, n = 1,000\n")
    print("| method | SHD | skeleton F1 |\n|---|---:|---:|")
    for name, method in methods.items():
        scores = []
        for X in batch.X.numpy().astype(float):
            graph = (np.asarray(method(X)) != 0).astype(int)
            scores.append((structural_hamming_distance(truth, graph), skeleton_f1(truth, graph)))
        shd, f1 = np.mean(scores, axis=0)
        print(f"| {name} | {shd:.1f} | {f1:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
