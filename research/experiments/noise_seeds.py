"""Pure noise over many seeds: how often the shipped estimator keeps an edge between independent
columns (d = 20), against v2 shipped beside it.

``tests/zeroshot/test_outside_the_box.py`` checks seeds 0-2 at n = 10, 20 and 50; this counts,
over seeds 0-19, the datasets that get an edge, the edges, and the largest probability. v3 is
read as it ships (``marginals="both"``, ``adjacency_``); v2 as it shipped (``marginals="raw"``,
an edge where the probability is above 0.5).

    python research/experiments/noise_seeds.py
"""

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.zeroshot import default_checkpoint_path


def count(estimator, n, seeds, rule):
    with_edge, edges, largest = 0, 0, []
    for seed in seeds:
        X = np.random.default_rng(seed).standard_normal((n, 20))
        est = estimator.fit(X)
        kept = int(
            est.adjacency_.sum() if rule == "adjacency_" else (est.edge_probabilities_ > 0.5).sum()
        )
        with_edge += kept > 0
        edges += kept
        largest.append(est.edge_probabilities_.max())
    return with_edge, edges, float(np.median(largest)), float(max(largest))


def main():
    torch.set_num_threads(1)
    v2 = default_checkpoint_path().with_name("skcausal-zeroshot-v2.safetensors")
    models = {
        "v3 (default)": (ZeroShotCausalDiscovery(), "adjacency_"),
        "v2 (raw, p > 0.5)": (ZeroShotCausalDiscovery(checkpoint=v2, marginals="raw"), "p > 0.5"),
    }
    seeds = range(20)
    print("| model | n | datasets with an edge (of 20) | edges | largest p: median / max |")
    print("|---|---:|---:|---:|---|")
    for label, (estimator, rule) in models.items():
        for n in (10, 20, 50, 200):
            with_edge, edges, median, top = count(estimator, n, seeds, rule)
            print(
                f"| {label} | {n} | {with_edge} | {edges} | {median:.2f} / {top:.2f} |", flush=True
            )


if __name__ == "__main__":
    main()
