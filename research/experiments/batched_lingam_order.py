"""A prototype for phase 8's next step: DirectLiNGAM's causal order, batched in torch.

DirectLiNGAM (Shimizu et al. 2011) with the pairwise likelihood-ratio measure (Hyvarinen and
Smith 2013) finds the order one variable per round: the one whose pairwise measures against every
remaining variable best say "I come first"; it then regresses that variable out of the rest.
causal-learn's implementation loops in Python over pairs; this one computes a round's d^2 pairs at
once for a whole batch of datasets, so that the order could become a token feature. The script
checks that both give the same order (the share of pairs they put the same way round) on
raw-unit linear SEMs over a development network's structure, how much of the order survives on
fewer rows (the cost is linear in n), and times the batched version.

    python research/experiments/batched_lingam_order.py insurance
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from raw_units_bound import network_sems

_K1, _K2, _GAMMA = 79.047, 7.4129, 0.37457


def _entropy(u, dim):
    """Maximum-entropy approximation (Hyvarinen 1998) of standardised u's entropy along dim."""
    log_cosh = (u.abs() + torch.nn.functional.softplus(-2 * u.abs()) - math.log(2)).mean(dim)
    gauss = (u * torch.exp(-(u**2) / 2)).mean(dim)
    return (1 + math.log(2 * math.pi)) / 2 - _K1 * (log_cosh - _GAMMA) ** 2 - _K2 * gauss**2


def _standardise(x):
    x = x - x.mean(1, keepdim=True)
    return x / (x.pow(2).mean(1, keepdim=True).sqrt() + 1e-12)


def causal_order(X):
    """(b, n, d) -> (b, d) long: each dataset's columns in DirectLiNGAM's order, first to last."""
    b, n, d = X.shape
    X = X.to(torch.float64).clone()
    remaining = torch.ones(b, d, dtype=torch.bool)
    order = torch.empty(b, d, dtype=torch.long)
    rows = torch.arange(b)
    for step in range(d):
        Z = _standardise(X)
        corr = Z.transpose(1, 2) @ Z / n  # (b, d, d)
        h = _entropy(Z, 1)  # (b, d)
        # r[:, :, i, j]: column i regressed on column j, standardised (var 1 - corr^2).
        scale = (1 - corr**2).clamp_min(1e-12).sqrt()
        h_res = torch.empty(b, d, d, dtype=X.dtype)
        for i in range(d):
            r = (Z[:, :, i, None] - corr[:, None, i, :] * Z) / scale[:, None, i, :]
            h_res[:, i, :] = _entropy(r, 1)
        # diff[i, j] > 0 favours i -> j (causal-learn's _diff_mutual_info).
        diff = (h[:, None, :] + h_res) - (h[:, :, None] + h_res.transpose(1, 2))
        pair = remaining[:, :, None] & remaining[:, None, :] & ~torch.eye(d, dtype=torch.bool)
        score = -(diff.clamp(max=0) ** 2 * pair).sum(2)
        score = score.masked_fill(~remaining, -math.inf)
        first = score.argmax(1)
        order[:, step] = first
        remaining[rows, first] = False
        cause = X[rows, :, first]  # (b, n)
        cause_c = cause - cause.mean(1, keepdim=True)
        Xc = X - X.mean(1, keepdim=True)
        coef = (Xc * cause_c[:, :, None]).mean(1) / cause_c.pow(2).mean(1, keepdim=True)
        coef = coef.masked_fill(~remaining, 0.0)  # only the remaining columns are regressed
        X = X - coef[:, None, :] * cause[:, :, None]
    return order


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
    ours = causal_order(batch.X).numpy()
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
        fewer = causal_order(batch.X[:, :rows]).numpy()
        same = " / ".join(f"{precedence_agreement(a, b):.3f}" for a, b in zip(fewer, ours))
        right = " / ".join(f"{precedence_agreement(a, truth):.3f}" for a in fewer)
        print(f"| {rows} | {same} | {right} |")
    for width in (20, 50, 100, 200):
        X = torch.randn(1, 1000, width)
        start = time.perf_counter()
        causal_order(X)
        print(f"batched, one dataset, n = 1,000, d = {width}: {time.perf_counter() - start:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
