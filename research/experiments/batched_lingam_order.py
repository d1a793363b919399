"""A prototype for phase 8's next step: DirectLiNGAM's causal order, batched in torch.

DirectLiNGAM (Shimizu et al. 2011) with the pairwise likelihood-ratio measure (Hyvarinen and
Smith 2013) finds the order one variable per round: the one whose pairwise measures against every
remaining variable best say "I come first"; it then regresses that variable out of the rest.
causal-learn's implementation loops in Python over pairs; the batched one (now the order block's
``skcausal.zeroshot._order_features.causal_order``) computes a round's pairs at once for a whole
batch of datasets, so that the order can be a token feature. The script
checks that both give the same order (the share of pairs they put the same way round) on
raw-unit linear SEMs over a development network's structure, how much of the order survives on
fewer rows (the cost is linear in n), and times the batched version.

    python research/experiments/batched_lingam_order.py insurance
"""

from __future__ import annotations

import time

import numpy as np
import torch
from raw_units_bound import network_sems

from skcausal.zeroshot._order_features import causal_order


def precedence_agreement(a, b):
    """The share of pairs two orders put the same way round."""
    pa, pb = np.argsort(a), np.argsort(b)
    upper = np.triu_indices(len(a), 1)
    before_a = (pa[:, None] < pa[None, :])[upper]
    before_b = (pb[:, None] < pb[None, :])[upper]
    return float(np.mean(before_a == before_b))


def main(argv=None) -> int:
    args, batch = network_sems(__doc__.split("\n\n")[0], argv)
    from causallearn.search.FCMBased.lingam import DirectLiNGAM

    d = batch.X.shape[2]
    start = time.perf_counter()
    ours = causal_order(batch.X.double()).numpy()
    seconds = time.perf_counter() - start
    print(f"{args.network} (d = {d}), raw-unit linear SEMs, n = 1,000\n")
    print("| dataset | same pairs as causal-learn | true order: batched / causal-learn |")
    print("|---:|---:|---:|")
    truth = np.arange(d)  # the sampler keeps the given dag's causal order
    for k, X in enumerate(batch.X.numpy().astype(float)):
        theirs = np.asarray(DirectLiNGAM().fit(X).causal_order_)
        print(
            f"| {k} | {precedence_agreement(ours[k], theirs):.3f} | "
            f"{precedence_agreement(ours[k], truth):.3f} / "
            f"{precedence_agreement(theirs, truth):.3f} |",
            flush=True,
        )
    print(f"\nbatched: {seconds:.2f} s for {args.datasets} datasets")
    # The cost is linear in n: how few rows keep the order?
    print(
        "\n| first rows | same pairs as all 1,000 rows (per dataset) | true order (per dataset) |"
    )
    print("|---:|---|---|")
    for rows in (125, 250, 500):
        fewer = causal_order(batch.X[:, :rows].double()).numpy()
        same = " / ".join(f"{precedence_agreement(a, b):.3f}" for a, b in zip(fewer, ours))
        right = " / ".join(f"{precedence_agreement(a, truth):.3f}" for a in fewer)
        print(f"| {rows} | {same} | {right} |")
    for width in (20, 50, 100, 200):
        X = torch.randn(1, 1000, width, dtype=torch.float64)
        start = time.perf_counter()
        causal_order(X)
        print(f"batched, one dataset, n = 1,000, d = {width}: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
