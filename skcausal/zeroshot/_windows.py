"""Wide data read as windows of columns, one window around each column.

The network reads a pair more sharply among a few dozen columns than among a few hundred, even
inside the range of d it was trained on: on raw-unit linear SEMs over bnlearn's development
networks, reading each column's window of 45 and keeping, for each pair, the windows centred on
either end raised AUPRC at d = 109 from 0.655 to 0.802 and at d = 223 from 0.348 to 0.470, with
more edges kept and a lower SHD (``research/experiments/column_windows.py``; research/v3.md,
phase 21). A window is chosen by dependence, not by position: the column, the columns most
partially correlated with it (its likely Markov blanket, given which it is independent of the
rest), then their strongest partners.
Given a window that holds its Markov blanket, a column is independent of every column outside, so
the centre's pairs are read with the conditioning that matters; pairs far from the centre are
not, and are left to their own windows. Time and memory grow linearly in d beyond the window's
size, so data wider than the model was ever trained on can be read too.

The partial correlations that choose the windows are those of the normal scores of the ranks
(``prepare_columns``' invariant mode: an unordered category by its levels' frequencies, missing
cells at the mean), so the windows, like the ranks' view, do not change under any strictly
increasing map of a column.
"""

from __future__ import annotations

import numpy as np
import torch

from skcausal.zeroshot._column_features import prepare_columns
from skcausal.zeroshot._features import _standardize
from skcausal.zeroshot._linalg import partial_correlation, precision_matrix

# ``max_columns="auto"``: at most 64 columns at once, wider data in windows of 45. On real
# structures (sparse) windows gain up to 0.05 AUPRC at 56-76 columns (MLP on win95pts loses 0.011)
# and up to 0.15 at 109-223; of 20, 25, 30, 45 and 60, 45 was the size that lost nowhere on
# pathfinder. On the standard suite's 50 columns they change AUPRC by +0.001 at 35 times the time,
# and on the prior's own denser graphs at 90-250 columns they lose up to 0.05 with MLP
# mechanisms, so the estimator's default stays all at once (research/v3.md, phase 21). Those
# numbers are with the fixed ridge; with the data's ridge above 32 columns (phase 22) in one pass
# and in windows alike, windows still gain most in raw units (pathfinder 0.843 -> 0.869, andes
# 0.432 -> 0.534).
AUTO_READ_AT_ONCE = 64
AUTO_WINDOW = 45
# Small, so that a column's few strong partial correlations (its Markov blanket) stand out: with
# 1e-2, or Ledoit-Wolf's ridge, the windows on pathfinder (d = 109) lost 0.07-0.09 AUPRC; 1e-4
# read as 1e-3 (phase 21). It still keeps the inverse finite when d >= n.
_SELECTION_RIDGE = 1e-3


def window_width(max_columns, n_features):
    """Columns per forward pass for ``max_columns`` ("auto", an int or None)."""
    if max_columns is None:
        return n_features
    if max_columns == "auto":
        return n_features if n_features <= AUTO_READ_AT_ONCE else AUTO_WINDOW
    return min(n_features, max_columns)


def dependence_scores(X, kinds):
    """(d, d): absolute partial correlations of the columns' normal scores, 0 on the diagonal."""
    data = torch.as_tensor(np.asarray(X, dtype=float), dtype=torch.float64)[None]
    values, _, _ = prepare_columns(data, torch.as_tensor(kinds)[None], invariant=True)
    z = _standardize(values)
    corr = z.transpose(1, 2) @ z / z.shape[1]
    scores = partial_correlation(precision_matrix(corr, _SELECTION_RIDGE))[0].abs().numpy()
    np.fill_diagonal(scores, 0.0)
    return scores


def column_windows(scores, size):
    """For each column v, the sorted indices of its window of ``size`` columns: v, the third of
    the window most dependent on v, then the columns most dependent on any of those. None (one
    window of all columns) when there are at most ``size`` columns."""
    d = len(scores)
    if size is None or d <= size:
        return None
    windows = []
    for v in range(d):
        # A stable sort: ties (exact copies of a column) resolve by position, reproducibly.
        near = np.argsort(-scores[v], kind="stable")[: size // 3]
        chosen = np.zeros(d, dtype=bool)
        chosen[v] = chosen[near] = True
        second = scores[near].max(0)
        second[chosen] = -np.inf
        chosen[np.argsort(-second, kind="stable")[: size - chosen.sum()]] = True
        windows.append(np.flatnonzero(chosen))
    return windows


def centred_mean(parts, windows, d):
    """Each pair's probabilities as the mean over the windows centred on either of its ends.

    ``parts[v]`` is the (size, size) probability matrix of ``windows[v]``; pair (i, j) takes the
    i-th window's entry if j is in it and the j-th window's entry if i is in it (a pair that is in
    neither is 0: the columns share no likely neighbour).
    """
    total = np.zeros((d, d))
    count = np.zeros((d, d))
    for v, (window, p) in enumerate(zip(windows, parts)):
        k = np.searchsorted(window, v)
        total[v, window] += p[k]
        total[window, v] += p[:, k]
        count[v, window] += 1
        count[window, v] += 1
    out = np.divide(total, count, out=np.zeros((d, d)), where=count > 0)
    np.fill_diagonal(out, 0.0)
    return out


def centred_targets(parts, windows):
    """(n_environments, d): each column's target probabilities from its own window."""
    return np.stack(
        [t[:, np.searchsorted(w, v)] for v, (w, t) in enumerate(zip(windows, parts))], axis=1
    )
