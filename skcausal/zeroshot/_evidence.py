"""Which pairs of columns the data show to be dependent, with the false discovery rate over all
pairs controlled: what ``adjacency_`` requires of an edge besides its probability.

The model's probabilities are a posterior under its training prior, in which most graphs have
edges; at 10-50 rows the most correlated of many independent pairs can look like an edge under
that prior. A DAG's adjacent pairs are dependent (faithfulness), so an edge whose pair shows no
dependence at all is a claim the data do not support. Each pair gets two tests, both functions of
the ranks only (so unchanged by any increasing map of a column, like ``marginals="ranks"``):

- the normal-score (Gaussian copula) correlation, by its Fisher z over the pair's observed rows:
  monotone dependence;
- Pearson's chi-square on the k x k table of the two columns binned by rank, k from 2 to 6 so that
  an average cell expects at least 5 rows: any dependence, and discrete columns by their levels.

The pair's p-value is the smaller of the two, doubled (Bonferroni), and the Benjamini-Hochberg
procedure over the d (d - 1) / 2 pairs keeps those whose adjusted p-value is at most ``alpha``.
On pure noise every rejection is false, so the false discovery rate is the chance of any edge:
at most ``alpha``, whatever n and d.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import chi2, false_discovery_control, t

from skcausal.zeroshot._inference import uniform_ranks

# Beyond this many rows the tests read a fixed random subset: their power is then far beyond
# what any edge needs, and the time stays bounded whatever n is.
MAX_TEST_ROWS = 20_000
_SEED = 0


def _copula_pvalues(ranks, observed):
    z = np.where(observed, ndtri(np.where(observed, ranks, 0.5)), 0.0)
    z = z / np.sqrt((z**2).sum(0) / observed.sum(0).clip(1)).clip(1e-12)
    d = observed.shape[1]
    if observed.all():
        both = np.full((d, d), float(len(observed)))
    else:
        both = observed.T.astype(float) @ observed
    r = np.clip((z.T @ z) / both.clip(1), -0.999999, 0.999999)
    df = (both - 2).clip(1)
    return np.where(both > 3, 2 * t.sf(np.abs(r) * np.sqrt(df / (1 - r**2)), df), 1.0)


def _table_pvalues(ranks, observed):
    k = min(int(np.sqrt(observed.sum(0).min() / 5)), 6)
    if k < 2:  # under 20 rows even a 2 x 2 table expects too few rows per cell for chi-square
        return np.ones((ranks.shape[1],) * 2)
    bins = np.floor(np.nan_to_num(ranks) * k).clip(0, k - 1).astype(int)
    onehot = (np.eye(k)[bins] * observed[..., None]).reshape(len(ranks), -1)  # (n, d k)
    d = ranks.shape[1]
    counts = (onehot.T @ onehot).reshape(d, k, d, k).transpose(0, 2, 1, 3)  # (d, d, k, k)
    total = counts.sum((2, 3))
    row, col = counts.sum(3), counts.sum(2)
    expected = row[..., :, None] * col[..., None, :] / total.clip(1)[..., None, None]
    cells = np.where(
        expected > 0, (counts - expected) ** 2 / np.where(expected > 0, expected, 1), 0
    )
    df = ((row > 0).sum(-1) - 1) * ((col > 0).sum(-1) - 1)
    return np.where(df > 0, chi2.sf(cells.sum((2, 3)), df.clip(1)), 1.0)


def _prepare(X):
    X = np.asarray(X, dtype=float)
    if len(X) > MAX_TEST_ROWS:
        rows = np.random.default_rng(_SEED).choice(len(X), MAX_TEST_ROWS, replace=False)
        X = X[np.sort(rows)]
    return uniform_ranks(X), ~np.isnan(X)


def _pair_pvalues(copula, table):
    """A pair's p-value: the smaller of its two tests', doubled (Bonferroni)."""
    return np.minimum(1.0, 2 * np.minimum(copula, table))


def _discoveries(pvalues, alpha):
    """Benjamini-Hochberg over the pairs (the upper triangle): a boolean (d, d), upper only."""
    upper = np.triu_indices(len(pvalues), 1)
    keep = np.zeros(pvalues.shape, dtype=bool)
    if len(upper[0]):
        keep[upper] = false_discovery_control(pvalues[upper], method="bh") <= alpha
    return keep


def dependent_pairs(X, alpha=0.05):
    """Boolean (d, d), symmetric: the pairs whose dependence the rows of ``X`` show at a false
    discovery rate of ``alpha`` over all pairs (NaN: a missing cell, read over observed rows).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=200)
    >>> X = np.column_stack([a, a**2 + 0.3 * rng.normal(size=200), rng.normal(size=200)])
    >>> dependent_pairs(X).astype(int)  # a and a**2: uncorrelated, not independent
    array([[0, 1, 0],
           [1, 0, 0],
           [0, 0, 0]])
    """
    ranks, observed = _prepare(X)
    copula, table = _copula_pvalues(ranks, observed), _table_pvalues(ranks, observed)
    keep = _discoveries(_pair_pvalues(copula, table), alpha)
    return keep | keep.T


def any_dependence(X, alpha=0.05):
    """Whether :func:`dependent_pairs` finds any pair, sparing the table test when the rank
    correlations alone settle it (the procedure rejects more as p-values fall, and the pair's
    p-value is at most twice its correlation test's)."""
    ranks, observed = _prepare(X)
    copula = _copula_pvalues(ranks, observed)
    if _discoveries(_pair_pvalues(copula, 1.0), alpha).any():
        return True
    table = _table_pvalues(ranks, observed)
    return bool(_discoveries(_pair_pvalues(copula, table), alpha).any())


def no_dependence_message(alpha, probabilities):
    return (
        f"the rows show no pair of columns to be dependent (false discovery rate {alpha} over "
        "all pairs), so adjacency_ holds no edge but the required ones, although the largest "
        f"edge probability is {probabilities.max():.2f}: pure noise, or too few rows to tell. "
        "Pass alpha=None to keep the edges the probabilities choose."
    )
