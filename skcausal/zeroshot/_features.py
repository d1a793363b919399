"""Data -> pair tokens: per ordered pair (i, j) a vector of statistics of the two columns.

Everything is computed in torch on the data's device, batched over datasets, in O(n d^2) time. The
statistics depend on the column labels only through the pair, so relabelling the variables permutes
the token grid the same way (the model is then equivariant by construction).
"""

from __future__ import annotations

import math

import torch

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
_N_PAIR_STATS = N_TRANSFORMS**2 + 3 + 4  # cross-correlations, linear partial corr + 2 coefficients, 2x2 block
_N_INTERVENTION_STATS = 11
N_FEATURES = _N_PAIR_STATS + _N_INTERVENTION_STATS + 3  # + log n, log d, diagonal flag

_EPS = 1e-6
_CLIP_Z = 6.0  # heavy tails would otherwise let single samples dominate the cubic moments


def _standardize(x, dim=1):
    x = x - x.mean(dim, keepdim=True)
    return x / (x.pow(2).mean(dim, keepdim=True).sqrt() + _EPS)


def _precision(corr, ridge):
    d = corr.shape[-1]
    eye = torch.eye(d, dtype=corr.dtype, device=corr.device)
    return torch.linalg.inv(corr + ridge * eye)


def _partial_correlation(precision):
    diag = torch.diagonal(precision, dim1=-2, dim2=-1).clamp_min(_EPS)
    return -precision / torch.sqrt(diag[..., :, None] * diag[..., None, :])


def _observational_stats(z, ridge):
    """Cross-correlations of the transforms and (non)linear partial correlations: (b, d, d, k)."""
    b, n, d = z.shape
    zc = z.clamp(-_CLIP_Z, _CLIP_Z)
    y = torch.cat([_standardize(f(zc)) for f in _TRANSFORMS], dim=2)  # (b, n, K d)
    cross = (y.transpose(1, 2) @ y) / n  # (b, K d, K d)
    K = N_TRANSFORMS
    blocks = cross.reshape(b, K, d, K, d).permute(0, 2, 4, 1, 3)  # (b, i, j, a, c)
    features = [blocks.reshape(b, d, d, K * K)]

    corr = cross[:, :d, :d]
    precision = _precision(corr, ridge)
    diag = torch.diagonal(precision, dim1=-2, dim2=-1).clamp_min(_EPS)
    coef = -precision / diag[:, None, :]  # coef[i, j]: weight of x_i when regressing x_j on the rest
    features += [_partial_correlation(precision)[..., None], coef[..., None], coef.transpose(1, 2)[..., None]]

    # Partial correlations among [x, x^2]: conditional dependence that is invisible linearly.
    quad = cross[:, : 2 * d, : 2 * d]
    partial = _partial_correlation(_precision(quad, ridge)).reshape(b, 2, d, 2, d).permute(0, 2, 4, 1, 3)
    features.append(partial.reshape(b, d, d, 4))
    return torch.cat(features, dim=-1)


def _masked_moments(weight_i, weight_j, zi, zj):
    """For each pair (i, j): E[zi_i zj_j] over rows weighted by weight_i[:, i] * weight_j[:, j]."""
    return (weight_i * zi).transpose(1, 2) @ (weight_j * zj)


def _intervention_stats(z, mask):
    """Per pair (i, j): how x_j and its correlation with x_i change when i is intervened."""
    w = mask.to(z.dtype)  # rows where the variable was set by an intervention
    o = 1.0 - w
    ones = torch.ones_like(z)
    n_int = _masked_moments(w, o, ones, ones)  # rows: i intervened, j not
    n_obs = _masked_moments(o, o, ones, ones)  # rows: neither intervened
    has_int = (n_int >= 2).to(z.dtype)
    has_obs = (n_obs >= 2).to(z.dtype)
    c_int, c_obs = n_int.clamp_min(1.0), n_obs.clamp_min(1.0)

    def moments(wi, count):
        mean_j = _masked_moments(wi, o, ones, z) / count
        sq_j = _masked_moments(wi, o, ones, z * z) / count
        mean_i = _masked_moments(wi, o, z, ones) / count
        sq_i = _masked_moments(wi, o, z * z, ones) / count
        cross = _masked_moments(wi, o, z, z) / count
        var_i = (sq_i - mean_i**2).clamp_min(0)
        var_j = (sq_j - mean_j**2).clamp_min(0)
        corr = (cross - mean_i * mean_j) / torch.sqrt(var_i * var_j + _EPS)
        return mean_j, var_j, corr

    mean_int, var_int, corr_int = moments(w, c_int)
    mean_obs, var_obs, corr_obs = moments(o, c_obs)
    shift = has_int * has_obs * (mean_int - mean_obs) / torch.sqrt(var_obs + _EPS)
    log_var_ratio = has_int * has_obs * torch.log((var_int + 1e-3) / (var_obs + 1e-3))
    corr_int = corr_int * has_int
    corr_obs = corr_obs * has_obs
    fraction = w.mean(1)  # (b, d)
    d = z.shape[2]
    stats = [
        shift, shift.transpose(1, 2),
        log_var_ratio, log_var_ratio.transpose(1, 2),
        corr_int, corr_int.transpose(1, 2),
        corr_obs,
        has_int, has_int.transpose(1, 2),
        fraction[:, :, None].expand(-1, -1, d), fraction[:, None, :].expand(-1, d, -1),
    ]
    return torch.stack(stats, dim=-1)


def pair_features(X: torch.Tensor, intervention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Pair tokens of a batch of datasets.

    Parameters
    ----------
    X : tensor (b, n, d)
        Data; every column must vary (the caller checks).
    intervention_mask : bool tensor (b, n, d), optional

    Returns
    -------
    tensor (b, d, d, N_FEATURES)
        Token (i, j) describes the ordered pair; it contains the statistics of (j, i) too.
    """
    b, n, d = X.shape
    if intervention_mask is None:
        intervention_mask = torch.zeros(X.shape, dtype=torch.bool, device=X.device)
    z = _standardize(X.to(torch.float32))
    ridge = 1e-3 + d / (10.0 * n)
    pair = _observational_stats(z, ridge)
    interventional = _intervention_stats(z, intervention_mask)
    eye = torch.eye(d, dtype=z.dtype, device=z.device).expand(b, d, d)
    size = torch.tensor([(math.log(n) - math.log(500)) / 2, (math.log(d) - math.log(20)) / 2],
                        dtype=z.dtype, device=z.device)
    tokens = torch.cat(
        [pair, interventional, size.expand(b, d, d, 2), eye[..., None]],
        dim=-1,
    )
    return torch.nan_to_num(tokens, nan=0.0, posinf=10.0, neginf=-10.0).clamp(-10.0, 10.0)
