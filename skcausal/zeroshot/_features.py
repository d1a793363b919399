"""Data -> pair tokens: per ordered pair (i, j) a vector of statistics of the two columns.

Everything is computed in torch on the data's device, batched over datasets, in O(n d^2) time. The
statistics depend on the column labels only through the pair, so relabelling the variables permutes
the token grid the same way (the model is then equivariant by construction).
"""

from __future__ import annotations

import math

import torch

from skcausal.zeroshot._adjusted_partials import adjusted_quadratic_partials
from skcausal.zeroshot._column_features import (
    N_COLUMN_PAIR_FEATURES,
    _midranks,
    column_pair_features,
    prepare_columns,
)
from skcausal.zeroshot._conditional_features import (
    N_CONDITIONAL_FEATURES,
    conditional_features,
)
from skcausal.zeroshot._environment_features import (
    N_ENVIRONMENT_PAIR_FEATURES,
    environment_features,
)
from skcausal.zeroshot._linalg import partial_correlation, precision_matrix
from skcausal.zeroshot._order_features import N_ORDER_FEATURES, order_features
from skcausal.zeroshot._ridge import RIDGE_RULES

# Transforms of a standardised column whose cross-correlations carry linear, non-Gaussian and
# nonlinear dependence: e.g. corr(x_i^2, x_j) is E[x_i^2 x_j], corr(x_i^3, x_j) is E[x_i^3 x_j].
_TRANSFORMS = (
    lambda z: z,
    lambda z: z**2,
    lambda z: z**3,
    lambda z: torch.tanh(2 * z),
    lambda z: z.abs(),
    lambda z: torch.sin(2 * z),
)
N_TRANSFORMS = len(_TRANSFORMS)
_N_PAIR_STATS = (
    N_TRANSFORMS**2 + 3 + 4
)  # cross-correlations, linear partial corr + 2 coefficients, 2x2 block
_N_INTERVENTION_STATS = 11
# v1's tokens; checkpoints with n_features == V1_FEATURES read only this leading block.
V1_FEATURES = _N_PAIR_STATS + _N_INTERVENTION_STATS + 3  # + log n, log d, diagonal flag
_N_RANK_STATS = 4
# v2's tokens; later models read more, v2's checkpoints this leading block.
V2_FEATURES = V1_FEATURES + _N_RANK_STATS + N_ENVIRONMENT_PAIR_FEATURES
# Where the environment block sits: pair_features writes zeros there without environment labels.
ENVIRONMENT_BLOCK = slice(V2_FEATURES - N_ENVIRONMENT_PAIR_FEATURES, V2_FEATURES)
# The v3 run's tokens (missing cells, column kinds, copula dependence); then the conditional block.
V3_FEATURES = V2_FEATURES + N_COLUMN_PAIR_FEATURES
# v3.0 read these: v3's tokens and the conditional block. Then the order block (v3.1 reads it).
CONDITIONAL_FEATURES = V3_FEATURES + N_CONDITIONAL_FEATURES
N_FEATURES = CONDITIONAL_FEATURES + N_ORDER_FEATURES

_EPS = 1e-6
_CLIP_Z = 6.0  # heavy tails would otherwise let single samples dominate the cubic moments


def _standardize(x, dim=1):
    x = x - x.mean(dim, keepdim=True)
    return x / (x.pow(2).mean(dim, keepdim=True).sqrt() + _EPS)


def _standardize_observed(x, observed):
    """Columns standardised over their observed rows, 0 on missing cells."""
    count = observed.sum(1, keepdim=True).clamp_min(1)
    x = torch.where(observed, x, 0.0)
    x = torch.where(observed, x - x.sum(1, keepdim=True) / count, 0.0)
    return x / ((x.pow(2).sum(1, keepdim=True) / count).sqrt() + _EPS)


# What the pair's quadratic partial correlations adjust for: every other column's value and square
# (v1 to v3.1), or all its transforms (``_adjusted_partials``); a checkpoint names its rule.
ADJUSTMENTS = ("square", "transforms")


def _row_chunks(n, row_chunk):
    step = n if row_chunk is None else max(1, int(row_chunk))
    return [slice(i, min(n, i + step)) for i in range(0, n, step)]


def _transforms(z):
    zc = z.clamp(-_CLIP_Z, _CLIP_Z)
    return torch.cat([f(zc) for f in _TRANSFORMS], dim=2)  # (b, rows, K d)


def _accumulate(z, mask, row_chunk, observed=None):
    """One pass over row chunks for the transforms' moments, one for every sum of products; all
    statistics are sums over rows, so chunking changes memory, not results.

    With ``observed`` (bool (b, n, d); z is 0 on missing cells), every moment runs over the rows
    where its columns are observed: a column's over its own, a product's over the pair's.
    """
    b, n, d = z.shape
    if observed is not None:
        tiled = observed.to(z.dtype).repeat(1, 1, N_TRANSFORMS)
    chunks = _row_chunks(n, row_chunk)
    whole = _transforms(z) if len(chunks) == 1 else None  # one chunk: compute once, use twice

    def transforms(rows):
        return whole if whole is not None else _transforms(z[:, rows])

    total = torch.zeros(b, N_TRANSFORMS * d, dtype=torch.float64, device=z.device)
    total_sq = torch.zeros_like(total)
    for rows in chunks:
        t = transforms(rows).double()  # every transform is 0 at 0, so 0 on missing cells
        total += t.sum(1)
        total_sq += (t * t).sum(1)
    count = n if observed is None else tiled.sum(1).double().clamp_min(1)
    mean = total / count
    std = (total_sq / count - mean**2).clamp_min(0).sqrt() + _EPS
    mean, std = mean.to(z.dtype)[:, None], std.to(z.dtype)[:, None]

    cross = products = None
    for rows in chunks:
        zr = z[:, rows]
        y = (transforms(rows) - mean) / std
        w = mask[:, rows].to(z.dtype)
        o = 1.0 - w
        if observed is not None:
            y = y * tiled[:, rows]
            seen = observed[:, rows].to(z.dtype)
            w, o = w * seen, o * seen
        # All twelve interventional sums from one product: left factors of i (intervened or not,
        # times 1, x_i, x_i^2) against right factors of j (not intervened, times 1, x_j, x_j^2).
        right = torch.cat([o, o * zr, o * zr * zr], dim=2)
        left = torch.cat([w, w * zr, w * zr * zr, right], dim=2)
        chunk_cross, chunk_products = y.transpose(1, 2) @ y, left.transpose(1, 2) @ right
        cross = chunk_cross if cross is None else cross + chunk_cross
        products = chunk_products if products is None else products + chunk_products
    blocks = products.reshape(b, 2, 3, d, 3, d)  # (b, int/obs, left factor, i, right factor, j)
    if observed is None:
        sums = {"cross": cross / n}
    else:
        seen = observed.to(z.dtype)
        pairs = (seen.transpose(1, 2) @ seen).repeat(1, N_TRANSFORMS, N_TRANSFORMS)
        sums = {"cross": cross / pairs.clamp_min(1)}  # over the rows where both are observed
    for tag, g in (("int", 0), ("obs", 1)):
        sums[f"count_{tag}"] = blocks[:, g, 0, :, 0]
        sums[f"j_{tag}"] = blocks[:, g, 0, :, 1]
        sums[f"jj_{tag}"] = blocks[:, g, 0, :, 2]
        sums[f"i_{tag}"] = blocks[:, g, 1, :, 0]
        sums[f"ii_{tag}"] = blocks[:, g, 2, :, 0]
        sums[f"ij_{tag}"] = blocks[:, g, 1, :, 1]
    return sums


def _observational_stats(cross, d, ridge, psd=False, adjustment="square"):
    """Cross-correlations of the transforms and (non)linear partial correlations: (b, d, d, k)."""
    b = cross.shape[0]
    K = N_TRANSFORMS
    blocks = cross.reshape(b, K, d, K, d).permute(0, 2, 4, 1, 3)  # (b, i, j, a, c)
    features = [blocks.reshape(b, d, d, K * K)]

    corr = cross[:, :d, :d]
    precision = precision_matrix(corr, ridge, psd)
    diag = torch.diagonal(precision, dim1=-2, dim2=-1).clamp_min(_EPS)
    coef = (
        -precision / diag[:, None, :]
    )  # coef[i, j]: weight of x_i when regressing x_j on the rest
    features += [
        partial_correlation(precision)[..., None],
        coef[..., None],
        coef.transpose(1, 2)[..., None],
    ]

    # Partial correlations among [x, x^2]: conditional dependence that is invisible linearly.
    if adjustment == "transforms":
        features.append(adjusted_quadratic_partials(cross, d, ridge, psd))
        return torch.cat(features, dim=-1)
    quad = cross[:, : 2 * d, : 2 * d]
    partial = (
        partial_correlation(precision_matrix(quad, ridge, psd))
        .reshape(b, 2, d, 2, d)
        .permute(0, 2, 4, 1, 3)
    )
    features.append(partial.reshape(b, d, d, 4))
    return torch.cat(features, dim=-1)


def _intervention_stats(sums, fraction):
    """Per pair (i, j): how x_j and its correlation with x_i change when i is intervened.

    "int" sums run over rows where i is intervened and j is not; "obs" sums over rows where
    neither is.
    """

    def moments(tag):
        count = sums[f"count_{tag}"].clamp_min(1.0)
        mean_j, sq_j = sums[f"j_{tag}"] / count, sums[f"jj_{tag}"] / count
        mean_i, sq_i = sums[f"i_{tag}"] / count, sums[f"ii_{tag}"] / count
        var_i = (sq_i - mean_i**2).clamp_min(0)
        var_j = (sq_j - mean_j**2).clamp_min(0)
        corr = (sums[f"ij_{tag}"] / count - mean_i * mean_j) / torch.sqrt(var_i * var_j + _EPS)
        return mean_j, var_j, corr, (sums[f"count_{tag}"] >= 2).to(corr.dtype)

    mean_int, var_int, corr_int, has_int = moments("int")
    mean_obs, var_obs, corr_obs, has_obs = moments("obs")
    shift = has_int * has_obs * (mean_int - mean_obs) / torch.sqrt(var_obs + _EPS)
    log_var_ratio = has_int * has_obs * torch.log((var_int + 1e-3) / (var_obs + 1e-3))
    corr_int = corr_int * has_int
    corr_obs = corr_obs * has_obs
    d = fraction.shape[1]
    stats = [
        shift,
        shift.transpose(1, 2),
        log_var_ratio,
        log_var_ratio.transpose(1, 2),
        corr_int,
        corr_int.transpose(1, 2),
        corr_obs,
        has_int,
        has_int.transpose(1, 2),
        fraction[:, :, None].expand(-1, -1, d),
        fraction[:, None, :].expand(-1, d, -1),
    ]
    return torch.stack(stats, dim=-1)


def _rank_stats(z, corr, ridge, observed, ranks):
    """Statistics that no monotone transform of a column changes: the rank (Spearman) correlation
    and the partial correlation of the ranks; and how well each variable is predicted from the
    others (log of the precision's diagonal: large for near-deterministic nodes).

    Ties share their mid-rank (a discrete or rounded column's ranks do not depend on the order of
    the rows); without ties these are the plain ranks. With missing cells (``observed``), ranks
    over each column's observed rows, correlated over the rows where both are observed.
    ``ranks``: the columns' mid-ranks (:func:`_midranks`), shared with the column block."""
    b, n, d = z.shape
    if observed is None:
        ranks = _standardize(ranks)
        rank_corr = ranks.transpose(1, 2) @ ranks / n
    else:
        ranks = _standardize_observed(ranks, observed)
        seen = observed.to(z.dtype)
        rank_corr = ranks.transpose(1, 2) @ ranks / (seen.transpose(1, 2) @ seen).clamp_min(1)
    psd = observed is not None
    partial = partial_correlation(precision_matrix(rank_corr, ridge, psd))
    precision = precision_matrix(corr, ridge, psd)
    determined = torch.log(torch.diagonal(precision, dim1=1, dim2=2).clamp_min(1.0)) / 3
    return torch.stack(
        [
            rank_corr,
            partial,
            determined[:, :, None].expand(-1, -1, d),
            determined[:, None, :].expand(-1, d, -1),
        ],
        dim=-1,
    )


def pair_features(
    X: torch.Tensor,
    intervention_mask: torch.Tensor | None = None,
    *,
    environments: torch.Tensor | None = None,
    has_reference: torch.Tensor | None = None,
    n_environments: int | None = None,
    row_chunk: int | None = None,
    return_environments: bool = False,
    kinds: torch.Tensor | None = None,
    invariant=False,
    conditional=True,
    order=True,
    ridge="fixed",
    adjustment="square",
):
    """Pair tokens of a batch of datasets.

    Parameters
    ----------
    X : tensor (b, n, d)
        Data; every column must vary on its observed rows (the caller checks). NaN marks a
        missing cell; a discrete column holds integer codes 0..k-1.
    intervention_mask : bool tensor (b, n, d), optional
    environments : int64 tensor (b, n), optional
        Environment code of each row (0..E-1) for interventions with unknown targets.
    has_reference : bool tensor (b,), optional
        Whether environment 0 is an observational reference (default: no).
    n_environments : int, optional
        E (default: the largest code + 1).
    row_chunk : int, optional
        Process this many rows at a time (bounds memory for large n; same result).
    return_environments : bool
        Also return the per-environment statistics for the target head.
    kinds : int tensor (b, d), optional
        Each column's kind (``_column_features.CONTINUOUS``, ``BINARY``, ``ORDINAL``,
        ``CATEGORICAL``); default all continuous.
    invariant : bool or bool tensor (b,)
        The exactly invariant mode: every column replaced by the normal scores of its ranks.
    conditional : bool
        Compute the order-one conditional block (``_conditional_features``, O(d^3)); without it
        the block is zeros (for checkpoints that read only the features before it).
    order : bool
        Compute the order block (``_order_features``: DirectLiNGAM's order on at most 500
        rows, O(n d^3) up to 64 columns, its costly part O(n d^2) above; only for d <= 256 and
        continuous, complete, non-Gaussian data); without it the block is zeros.
    ridge : {"fixed", "ledoit-wolf", "fixed-then-ledoit-wolf"}
        How every precision matrix is regularised (a key of ``RIDGE_RULES``): ``"fixed"``
        adds ``1e-3 + d / (10 n)`` to the correlation matrix's diagonal (v1 to v3.1);
        ``"ledoit-wolf"`` a tenth of the ridge of Ledoit-Wolf shrinkage, at least ``1e-4``, per
        dataset; ``"fixed-then-ledoit-wolf"`` the first up to ``FIXED_RIDGE_COLUMNS`` (32)
        columns and the second above.
    adjustment : {"square", "transforms"}
        What the partial correlations among a pair's values and squares adjust for: every other
        column's value and square (v1 to v3.1), or all six of its transforms, which a monotone
        map of a confounder or mediator defeats far less (``_adjusted_partials``).

    Returns
    -------
    tensor (b, d, d, N_FEATURES)
        Token (i, j) describes the ordered pair; it contains the statistics of (j, i) too.
    (variable, valid) : only with ``return_environments``
        See :func:`~skcausal.zeroshot._environment_features.environment_features`; None without
        ``environments``.
    """
    b, n, d = X.shape
    if intervention_mask is None:
        intervention_mask = torch.zeros(X.shape, dtype=torch.bool, device=X.device)
    values, observed, levels = prepare_columns(X.to(torch.float32), kinds, invariant=invariant)
    if kinds is None:
        kinds = torch.zeros(b, d, dtype=torch.long, device=X.device)
    z = _standardize(values) if observed is None else _standardize_observed(values, observed)
    ridge = RIDGE_RULES[ridge](z)
    # One sort per column for every rank statistic (standardising does not change the order).
    seen = torch.ones_like(values, dtype=torch.bool) if observed is None else observed
    ranks = _midranks(values, seen)
    sums = _accumulate(z, intervention_mask, row_chunk, observed)
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment must be one of {ADJUSTMENTS}; got {adjustment!r}.")
    pair = _observational_stats(
        sums["cross"], d, ridge, psd=observed is not None, adjustment=adjustment
    )
    interventional = _intervention_stats(sums, intervention_mask.to(z.dtype).mean(1))
    eye = torch.eye(d, dtype=z.dtype, device=z.device).expand(b, d, d)
    size = torch.tensor(
        [(math.log(n) - math.log(500)) / 2, (math.log(d) - math.log(20)) / 2],
        dtype=z.dtype,
        device=z.device,
    )
    if environments is None:
        env_pair, env_variable = z.new_zeros(b, d, d, N_ENVIRONMENT_PAIR_FEATURES), None
    else:
        if has_reference is None:
            has_reference = torch.zeros(b, dtype=torch.bool, device=z.device)
        env_pair, *env_variable = environment_features(
            z, environments, has_reference, n_environments=n_environments, ridge=ridge
        )
        env_variable = tuple(env_variable)
    tokens = torch.cat(
        [
            pair,
            interventional,
            size.expand(b, d, d, 2),
            eye[..., None],
            _rank_stats(z, sums["cross"][:, :d, :d], ridge, observed, ranks),
            env_pair,
            column_pair_features(
                values,
                observed,
                kinds,
                levels,
                ridge,
                invariant=invariant,
                row_chunk=row_chunk,
                ranks=ranks,
            ),
            conditional_features(sums["cross"], d)
            if conditional
            else z.new_zeros(b, d, d, N_CONDITIONAL_FEATURES),
            order_features(z, sums["cross"][:, :d, :d], kinds, observed)
            if order
            else z.new_zeros(b, d, d, N_ORDER_FEATURES),
        ],
        dim=-1,
    )
    tokens = torch.nan_to_num(tokens, nan=0.0, posinf=10.0, neginf=-10.0).clamp(-10.0, 10.0)
    if return_environments:
        return tokens, env_variable
    return tokens
