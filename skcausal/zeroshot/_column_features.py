"""What v2's moment statistics cannot see: missing cells, discrete columns, rank (copula) dependence
and how significant a dependence is at this n.

:func:`prepare_columns` turns raw data (NaN for a missing cell, integer codes for discrete columns)
into what the moment statistics of ``_features.py`` read: an unordered category becomes the
frequency of its level (no order of its codes survives), missing cells become zeros after the
columns are standardised on their observed rows, and in the invariant mode every column becomes the
normal scores of its ranks. :func:`column_pair_features` is the token block that model v3 adds:

- missingness: each column's missing rate, whether j's being missing goes with i's value (MAR) and
  with i's being missing, and the share of rows where both are observed;
- column kinds: discrete or not, ordered or not, the number of levels;
- contingency dependence: from the 6 x 6 table of each pair (levels as they are for a discrete
  column with at most 6 of them, else equal-frequency bins of the ranks), the information
  coefficient sqrt(1 - exp(-2 MI)) and the G-test's standardised statistic: both unchanged by any
  recoding of a category and by any increasing map of a column;
- the normal-score (Gaussian copula) correlation and partial correlation, with Fisher-z statistics
  that say how far each is from zero at this number of rows;
- a flag for the invariant mode.

Every statistic runs over the rows where the values it needs are observed.
"""

from __future__ import annotations

import math

import torch

from skcausal.datasets._column_kinds import CATEGORICAL, COLUMN_KINDS, CONTINUOUS
from skcausal.zeroshot._linalg import partial_correlation, precision_matrix

# The simulator's codes of the kinds (an index into the column contract's KINDS): what the model
# was trained on.
KIND_CODES = {kind: code for code, kind in enumerate(COLUMN_KINDS)}
N_COLUMN_PAIR_FEATURES = 19
_BINS = 6
_MAX_CODES = 64  # discrete columns hold codes 0..k-1; more levels than this are binned by rank
_EPS = 1e-6


def _midranks(values, observed):
    """0-based mid-ranks of each column over its observed rows (ties share their mean rank)."""
    n = values.shape[1]
    v = torch.where(observed, values, torch.inf).transpose(1, 2)  # (b, d, n)
    s, order = v.sort(-1)
    position = torch.arange(n, device=values.device).expand_as(s)
    starts = torch.ones_like(s, dtype=torch.bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    ends = torch.ones_like(starts)
    ends[..., :-1] = starts[..., 1:]
    first = torch.where(starts, position, 0).cummax(-1).values  # where each run of ties starts
    last = torch.where(ends, position, n).flip(-1).cummin(-1).values.flip(-1)
    ranks = torch.empty_like(s).scatter_(-1, order, (first + last).to(s.dtype) / 2)
    return ranks.transpose(1, 2)


def normal_scores(values, observed, ranks=None):
    """Normal quantiles of the mid-ranks, 0 on missing cells: a function of the ranks only."""
    if ranks is None:
        ranks = _midranks(values, observed)
    n_obs = observed.sum(1, keepdim=True).clamp_min(1).to(values.dtype)
    u = (ranks + 0.5) / n_obs
    z = math.sqrt(2.0) * torch.erfinv((2 * u - 1).clamp(-1 + 1e-6, 1 - 1e-6))
    return torch.where(observed, z, 0.0)


def _level_counts(codes, observed, usable):
    """Counts of each code 0..63 per column (b, d, 64); only columns where ``usable``."""
    b, n, d = codes.shape
    index = torch.where(observed & usable[:, None], codes, _MAX_CODES).transpose(1, 2)
    counts = torch.zeros(b, d, _MAX_CODES + 1, dtype=torch.float32, device=codes.device)
    counts.scatter_add_(2, index, torch.ones_like(index, dtype=torch.float32))
    return counts[..., :_MAX_CODES]


def prepare_columns(X, kinds=None, *, invariant=False):
    """Raw data -> (values, observed, levels): the columns the moment statistics read.

    Parameters
    ----------
    X : tensor (b, n, d)
        NaN marks a missing cell; a discrete column holds integer codes 0..k-1.
    kinds : int tensor (b, d), optional
        ``CONTINUOUS``, ``BINARY``, ``ORDINAL`` or ``CATEGORICAL`` per column (default all
        continuous).
    invariant : bool or bool tensor (b,)
        Replace every column by the normal scores of its ranks (the exactly invariant mode).

    Returns
    -------
    values : tensor (b, n, d)
        An unordered category replaced by its level's frequency; NaN replaced by 0.
    observed : bool tensor (b, n, d) or None
        None when no cell is missing (the statistics then take v2's exact path).
    levels : tensor (b, d)
        Distinct observed levels of each discrete column, 0 for continuous ones.
    """
    b, n, d = X.shape
    missing = torch.isnan(X)
    observed = ~missing
    values = torch.where(missing, 0.0, X)
    if kinds is None:
        kinds = torch.zeros(b, d, dtype=torch.long, device=X.device)
    kinds = kinds.to(device=X.device, dtype=torch.long)
    discrete = kinds != CONTINUOUS
    levels = torch.zeros(b, d, dtype=X.dtype, device=X.device)
    if bool(discrete.any()):
        codes = values.round().long().clamp(0, _MAX_CODES)
        counts = _level_counts(codes, observed, discrete)
        levels = (counts > 0).sum(-1).to(X.dtype) * discrete
        categorical = kinds == CATEGORICAL
        if bool(categorical.any()):
            frequency = counts.gather(2, codes.clamp_max(_MAX_CODES - 1).transpose(1, 2))
            frequency = frequency.transpose(1, 2) / observed.sum(1, keepdim=True).clamp_min(1)
            values = torch.where(categorical[:, None], frequency.to(X.dtype), values)
    invariant = torch.as_tensor(invariant, device=X.device).expand(b)
    if bool(invariant.any()):
        values = torch.where(invariant[:, None, None], normal_scores(values, observed), values)
    return values, (observed if bool(missing.any()) else None), levels


def _bins(values, observed, kinds, levels, ranks):
    """A level index 0.._BINS-1 per cell: the code of a discrete column with at most _BINS levels
    (an unordered one keeps its levels apart, in whatever order), else equal-frequency bins."""
    n_obs = observed.sum(1, keepdim=True).clamp_min(1).to(values.dtype)
    by_rank = ((ranks + 0.5) / n_obs * _BINS).long().clamp(0, _BINS - 1)
    few = (kinds != CONTINUOUS) & (levels <= _BINS)
    if not bool(few.any()):
        return by_rank
    # Levels in the order of their values (codes, or frequencies for a category): dense indices.
    v = torch.where(observed, values, torch.inf)
    order = v.sort(1).values
    new_level = torch.ones_like(order, dtype=torch.long)
    new_level[:, 1:] = (order[:, 1:] != order[:, :-1]).long()
    cumulative = new_level.cumsum(1) - 1  # dense level of each sorted position
    position = ranks.round().long().clamp(0, values.shape[1] - 1)
    dense = cumulative.gather(1, position).clamp(0, _BINS - 1)
    return torch.where(few[:, None], dense, by_rank)


def _contingency(bins, observed, row_chunk):
    """Joint counts of every pair of columns' levels: (b, d, d, _BINS, _BINS)."""
    b, n, d = bins.shape
    step = n if row_chunk is None else max(1, int(row_chunk))
    counts = None
    for start in range(0, n, step):
        rows = slice(start, start + step)
        onehot = torch.nn.functional.one_hot(bins[:, rows], _BINS).to(torch.float32)
        onehot = (onehot * observed[:, rows, :, None]).reshape(b, -1, d * _BINS)
        part = onehot.transpose(1, 2) @ onehot
        counts = part if counts is None else counts + part
    return counts.reshape(b, d, _BINS, d, _BINS).permute(0, 1, 3, 2, 4)


def _information(table):
    """Information coefficient and the G-test's standardised statistic of each pair's table."""
    total = table.sum((-1, -2))
    p = table / total.clamp_min(1)[..., None, None]
    pa, pb = p.sum(-1, keepdim=True), p.sum(-2, keepdim=True)
    ratio = torch.where(p > 0, p / (pa * pb).clamp_min(1e-12), 1.0)
    mi = (p * torch.log(ratio)).sum((-1, -2)).clamp_min(0)
    ka = (pa.squeeze(-1) > 0).sum(-1)
    kb = (pb.squeeze(-2) > 0).sum(-1)
    df = ((ka - 1) * (kb - 1)).clamp_min(1).to(p.dtype)
    g = (2 * total * mi - df) / torch.sqrt(2 * df)
    return torch.sqrt(1 - torch.exp(-2 * mi)), torch.asinh(g) / 3


def _fisher(r, n_eff):
    """asinh of the Fisher-z statistic of a correlation r over n_eff rows, / 3."""
    z = torch.atanh(r.clamp(-0.999, 0.999)) * torch.sqrt((n_eff - 3).clamp_min(1.0))
    return torch.asinh(z) / 3


def column_pair_features(
    values, observed, kinds, levels, ridge, *, invariant, row_chunk=None, ranks=None
):
    """The v3 token block (b, d, d, N_COLUMN_PAIR_FEATURES) of prepared columns; ``ranks`` are
    their mid-ranks when the caller has them."""
    b, n, d = values.shape
    if observed is None:
        observed = torch.ones_like(values, dtype=torch.bool)
    kinds = kinds.to(device=values.device, dtype=torch.long)
    obs = observed.to(values.dtype)
    pair_count = obs.transpose(1, 2) @ obs  # rows where both are observed
    n_obs = obs.sum(1)  # (b, d)

    # Missingness.
    rate = 1 - n_obs / n
    miss = 1 - obs
    if ranks is None:
        ranks = _midranks(values, observed)
    z = normal_scores(values, observed, ranks)  # also the copula's margins
    z = z / (z.pow(2).sum(1, keepdim=True) / n_obs[:, None].clamp_min(1)).sqrt().clamp_min(_EPS)
    spread = torch.sqrt(rate * (1 - rate)).clamp_min(_EPS)
    value_vs_missing = (z.transpose(1, 2) @ (miss - rate[:, None])) / n_obs[..., None].clamp_min(1)
    value_vs_missing = value_vs_missing / spread[:, None, :] * (rate[:, None, :] > 0)
    centred = miss - rate[:, None]
    missing_corr = (centred.transpose(1, 2) @ centred) / n
    missing_corr = missing_corr / (spread[:, :, None] * spread[:, None, :])
    missing_corr = missing_corr * ((rate[:, :, None] > 0) & (rate[:, None, :] > 0))

    # Copula dependence and its significance.
    copula = (z.transpose(1, 2) @ z) / pair_count.clamp_min(1)
    eye = torch.eye(d, dtype=values.dtype, device=values.device)
    copula = copula * (1 - eye) + eye
    partial = partial_correlation(precision_matrix(copula, ridge, psd=not bool(observed.all())))
    significance = _fisher(copula, pair_count)
    partial_significance = _fisher(partial, pair_count - (d - 2))

    # Contingency dependence.
    bins = _bins(values, observed, kinds, levels, ranks)
    information, g_test = _information(_contingency(bins, observed, row_chunk))

    discrete = (kinds != CONTINUOUS).to(values.dtype)
    unordered = (kinds == CATEGORICAL).to(values.dtype)
    log_levels = torch.log(levels.clamp_min(1)) / math.log(10)
    flag = torch.as_tensor(invariant, dtype=values.dtype, device=values.device).expand(b)

    def rows(v):  # (b, d) -> per pair, the value of i
        return v[:, :, None].expand(-1, -1, d)

    def cols(v):
        return v[:, None, :].expand(-1, d, -1)

    return torch.stack(
        [
            rows(rate),
            cols(rate),
            value_vs_missing,
            value_vs_missing.transpose(1, 2),
            missing_corr,
            pair_count / n,
            rows(discrete),
            cols(discrete),
            rows(unordered),
            cols(unordered),
            rows(log_levels),
            cols(log_levels),
            information,
            g_test,
            copula,
            partial,
            significance,
            partial_significance,
            flag[:, None, None].expand(-1, d, d),
        ],
        dim=-1,
    )
