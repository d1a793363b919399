"""Pure noise over many seeds: how often the shipped estimator keeps an edge between independent
columns, against v2 shipped beside it.

``tests/zeroshot/test_outside_the_box.py`` checks seeds 0-2 at n = 10, 20 and 50; this counts,
over more seeds (0-19 unless told), the datasets that get an edge, the edges, and the largest
probability. v3 is read as it ships (``marginals="both"``, ``adjacency_``); v2 as it shipped
(``marginals="raw"``, an edge where the probability is above 0.5). With ``--checkpoint`` a
candidate is read as v3 would ship it, in place of the shipped pair.

    python research/experiments/noise_seeds.py
    python research/experiments/noise_seeds.py --seeds 100-139 --checkpoint CKPT
"""

import argparse

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.zeroshot import default_checkpoint_path


def count(estimator, n, d, seeds, rule):
    with_edge, edges, largest = 0, 0, []
    for seed in seeds:
        X = np.random.default_rng(seed).standard_normal((n, d))
        est = estimator.fit(X)
        kept = int(
            est.adjacency_.sum() if rule == "adjacency_" else (est.edge_probabilities_ > 0.5).sum()
        )
        with_edge += kept > 0
        edges += kept
        largest.append(est.edge_probabilities_.max())
    return with_edge, edges, float(np.median(largest)), float(max(largest))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-19", help="first-last seed (default: 0-19)")
    parser.add_argument("--features", type=int, default=20, help="columns (default: 20)")
    parser.add_argument("--rows", default="10,20,50,200", help="row counts (default: 10,20,50,200)")
    parser.add_argument("--checkpoint", help="a candidate, read as v3 ships (default: v3 and v2)")
    args = parser.parse_args(argv)
    first, last = (int(s) for s in args.seeds.split("-"))
    seeds = range(first, last + 1)
    torch.set_num_threads(1)
    if args.checkpoint:
        candidate = ZeroShotCausalDiscovery(checkpoint=args.checkpoint)
        models = {args.checkpoint: (candidate, "adjacency_")}
    else:
        v2 = default_checkpoint_path().with_name("skcausal-zeroshot-v2.safetensors")
        models = {
            "v3 (default)": (ZeroShotCausalDiscovery(), "adjacency_"),
            "v2 (raw, p > 0.5)": (
                ZeroShotCausalDiscovery(checkpoint=v2, marginals="raw"),
                "p > 0.5",
            ),
        }
    print(f"d = {args.features}, seeds {first}-{last}\n")
    header = f"datasets with an edge (of {len(seeds)})"
    print(f"| model | n | {header} | edges | largest p: median / max |")
    print("|---|---:|---:|---:|---|")
    for label, (estimator, rule) in models.items():
        total = 0
        for n in (int(r) for r in args.rows.split(",")):
            with_edge, edges, median, top = count(estimator, n, args.features, seeds, rule)
            total += with_edge
            print(
                f"| {label} | {n} | {with_edge} | {edges} | {median:.2f} / {top:.2f} |", flush=True
            )
        print(f"| {label} | all | {total} | | |")


if __name__ == "__main__":
    main()
