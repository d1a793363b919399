"""Which reading of non-Gaussianity orients raw-unit linear SEMs: pairwise measures, or an order?

On three raw-unit linear SEMs over a named development network's structure (n = 1,000, the
sampler and seed of ``raw_units_bound.py``) this prints, per dataset, the share of true edges
i -> j that each reading orients the right way:

- the estimator (``--checkpoint``, default the shipped model): ``p[i, j] > p[j, i]``;
- the pairwise likelihood ratio of Hyvarinen and Smith (2013) with the maximum-entropy
  approximation of differential entropy (Hyvarinen 1998), the measure DirectLiNGAM's first step
  uses, on the two standardised columns;
- the same on the pair's residuals after both are regressed on every other column;
- DirectLiNGAM's causal order (causal-learn), which regresses out each cause it finds in turn.

If the pairwise measures orient no better than the model while the order does, a token feature
of the pair alone will not teach the model what DirectLiNGAM reads.

    python research/experiments/orientation_measures.py insurance
"""

from __future__ import annotations

import numpy as np
import torch
from raw_units_bound import network_sems

from skcausal import ZeroShotCausalDiscovery
from skcausal.zeroshot._order_features import _entropy


def entropy(u):
    """Maximum-entropy approximation of each standardised column's differential entropy (the
    order block's, ``skcausal.zeroshot._order_features``)."""
    return _entropy(torch.as_tensor(u)[None])[0].numpy()


def _standardise(X):
    return (X - X.mean(0)) / X.std(0)


def pairwise_ratio(X):
    """R[i, j] > 0 when the entropies favour i -> j over j -> i."""
    Z = _standardise(X)
    n, d = Z.shape
    corr = Z.T @ Z / n
    h = entropy(Z)
    ratio = np.zeros((d, d))
    for i in range(d):
        given_i = Z - corr[i][None, :] * Z[:, [i]]  # each column j regressed on i
        i_given = Z[:, [i]] - corr[i][None, :] * Z  # i regressed on each column j
        ratio[i] = (h + entropy(_standardise(i_given))) - (h[i] + entropy(_standardise(given_i)))
    np.fill_diagonal(ratio, 0.0)
    return ratio


def residual_ratio(X):
    """The pairwise ratio of each pair's residuals given every other column."""
    Z = _standardise(X)
    d = Z.shape[1]
    ratio = np.zeros((d, d))
    for i in range(d):
        for j in range(i + 1, d):
            rest = Z[:, [k for k in range(d) if k not in (i, j)]]
            coef, *_ = np.linalg.lstsq(rest, Z[:, [i, j]], rcond=None)
            pair = pairwise_ratio(Z[:, [i, j]] - rest @ coef)
            ratio[i, j], ratio[j, i] = pair[0, 1], pair[1, 0]
    return ratio


def lingam_precedence(X):
    """P[i, j] = 1 when DirectLiNGAM's order puts i before j."""
    from causallearn.search.FCMBased.lingam import DirectLiNGAM

    position = np.argsort(np.asarray(DirectLiNGAM().fit(X).causal_order_))
    return (position[:, None] < position[None, :]).astype(float) - 0.5


def main(argv=None) -> int:
    args, batch = network_sems(__doc__.split("\n\n")[0], argv)
    estimator = ZeroShotCausalDiscovery(checkpoint=args.checkpoint)
    readings = {
        "model": lambda X: (lambda p: p - p.T)(estimator.fit(X).edge_probabilities_),
        "pairwise ratio": pairwise_ratio,
        "pairwise ratio of residuals": residual_ratio,
        "DirectLiNGAM's order": lingam_precedence,
    }
    print(f"{args.network}, raw-unit linear SEMs, n = 1,000: true edges oriented right\n")
    print("| dataset | " + " | ".join(readings) + " |\n|---:|" + "---:|" * len(readings))
    for k, (X, truth) in enumerate(zip(batch.X.numpy().astype(float), batch.adjacency.numpy())):
        i, j = np.nonzero(truth)
        shares = [np.mean(read(X)[i, j] > 0) for read in readings.values()]
        print(f"| {k} | " + " | ".join(f"{s:.2f}" for s in shares) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
