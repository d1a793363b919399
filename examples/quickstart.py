"""Quickstart: discover a causal graph in one forward pass of the pretrained model.

Simulates data from a random linear structural causal model, fits
:class:`skcausal.ZeroShotCausalDiscovery` (no training happens at ``fit``), prints the most probable
edges and the scores against the true graph, and saves two pictures: the learned graph with its
errors coloured, and the matrix of edge probabilities.

Run::

    python examples/quickstart.py [--smoke] [--out DIR]

``--smoke`` uses a smaller data set (a few seconds); ``--out`` is the folder for the PNG files
(default: ``example-output/``).
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files; no window needed

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from skcausal import ZeroShotCausalDiscovery  # noqa: E402
from skcausal.datasets import make_scm  # noqa: E402
from skcausal.metrics import (  # noqa: E402
    edge_auprc,
    edge_auroc,
    edge_f1,
    structural_hamming_distance,
)
from skcausal.plot import plot_edge_probabilities, plot_graph  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small and fast (a few seconds)")
    parser.add_argument("--out", default="example-output", help="folder for the PNG files")
    return parser.parse_args()


def main():
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n_samples, n_nodes = (500, 6) if args.smoke else (2000, 12)

    # 1. Data with a known graph. A DataFrame's column names label every output below.
    X, _, true_graph = make_scm(n_samples, n_nodes, edges_per_node=1.5, random_state=0)
    X = pd.DataFrame(X, columns=[f"x{k}" for k in range(n_nodes)])

    # 2. Fit: one forward pass of the pretrained network, no optimisation.
    start = time.perf_counter()
    est = ZeroShotCausalDiscovery().fit(X)
    seconds = time.perf_counter() - start

    print(
        f"Learned {int(est.adjacency_.sum())} edges from {n_samples} samples of {n_nodes} "
        f"variables in {seconds:.2f} s (the true graph has {int(true_graph.sum())}).\n"
    )
    print("Most probable learned edges:")
    print(est.edge_list().head(8).to_string(index=False, float_format="{:.2f}".format))

    # 3. Against the true graph (only possible on simulated data).
    scores = pd.DataFrame(
        {
            "SHD": [structural_hamming_distance(true_graph, est.adjacency_)],
            "F1": [edge_f1(true_graph, est.adjacency_)],
            "AUROC": [edge_auroc(true_graph, est.edge_probabilities_)],
            "AUPRC": [edge_auprc(true_graph, est.edge_probabilities_)],
        },
        index=["zero-shot"],
    )
    print("\nScores against the true graph:")
    print(scores.to_string(float_format="{:.3f}".format))

    # 4. Pictures.
    ax = plot_graph(est, true_adjacency=true_graph)
    ax.set_title("Learned graph (zero-shot) vs. the true graph")
    ax.figure.savefig(out / "quickstart_graph.png", dpi=120, bbox_inches="tight")
    ax = plot_edge_probabilities(est, true_adjacency=true_graph)
    ax.set_title("Edge probabilities (rings: true edges)")
    ax.figure.savefig(out / "quickstart_edge_probabilities.png", dpi=120, bbox_inches="tight")
    plt.close("all")
    print(f"\nSaved quickstart_graph.png and quickstart_edge_probabilities.png in {out}/")


if __name__ == "__main__":
    main()
