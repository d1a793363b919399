"""Environments with unknown targets -> statistics for the pair tokens and for the target head.

Each environment's mean and variance of every variable are compared with a baseline: the
observational reference environment when there is one, else the pool of all rows. The same is
done for each variable's residual after regressing it on all the others with coefficients fitted
within environments (each centred on its own mean). In a linear SEM that residual moves only in
the environments that change the variable's own mechanism or one of its children's, while the
variable itself moves whenever anything upstream does: the pair (shift, residual shift) is what
separates a target from its descendants. Shifts are reported through asinh, so that a shift of 8 sd
reads about like one of 3 and out-of-range interventions do not dominate.

Conventions: environment labels are codes 0..E-1 per row; with ``has_reference`` code 0 is the
observational reference.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from skcausal.zeroshot._linalg import precision_matrix

N_ENVIRONMENT_PAIR_FEATURES = 13
N_ENVIRONMENT_VARIABLE_FEATURES = 6

_EPS = 1e-6


def _moments(s, weights, count):
    """Per-environment mean and variance of every column of s (b, n, d): two (b, E, d) tensors."""
    mean = weights.transpose(1, 2) @ s / count
    square = weights.transpose(1, 2) @ (s * s) / count
    return mean, (square - mean * mean).clamp_min(0)


def _relative(s, mean, var, has_reference):
    """Shift (in baseline sd) and log variance ratio of each environment against the baseline."""
    pooled_mean, pooled_var = s.mean(1), s.var(1, unbiased=False)
    ref = has_reference[:, None]
    base_mean = torch.where(ref, mean[:, 0], pooled_mean)[:, None]
    base_var = torch.where(ref, var[:, 0], pooled_var)[:, None]
    shift = (mean - base_mean) / torch.sqrt(base_var + _EPS)
    log_ratio = torch.log((var + 1e-3) / (base_var + 1e-3))
    return shift, log_ratio


def _within_residuals(z, labels, mean, ridge):
    """Residual of each column regressed on all the others, coefficients from the covariance of
    the data centred within each environment (so that shifts between environments do not enter)."""
    b, n, d = z.shape
    centred = z - mean.gather(1, labels[:, :, None].expand(-1, -1, d))
    cov = centred.transpose(1, 2) @ centred / n
    sd = torch.sqrt(torch.diagonal(cov, dim1=1, dim2=2) + _EPS)
    corr = cov / (sd[:, :, None] * sd[:, None, :])
    eye = torch.eye(d, dtype=z.dtype, device=z.device)
    precision = precision_matrix(corr, ridge)
    diag = torch.diagonal(precision, dim1=1, dim2=2).clamp_min(_EPS)
    coef = (-precision / diag[:, None, :]).masked_fill(
        eye.bool(), 0.0
    )  # coef[i, j]: x_i in x_j's fit
    u = z / sd[:, None, :]
    return u - u @ coef


def _co_movement(a, b_):
    """How much column j moves where column i does: sum_e a_ei b_ej / sum_e a_ei^2, (b, d, d)."""
    return torch.einsum("bei,bej->bij", a, b_) / ((a * a).sum(1)[:, :, None] + 1e-2)


def environment_features(z, labels, has_reference, *, n_environments=None, ridge=1e-3):
    """Statistics of environments with unknown targets.

    Parameters
    ----------
    z : tensor (b, n, d)
        Standardised data (pooled over all rows).
    labels : int64 tensor (b, n)
        Environment code of each row, 0..E-1. A dataset whose rows all carry one code has no
        environments: its features are zero and none of its environments is valid.
    has_reference : bool tensor (b,)
        Whether code 0 is an observational reference.
    n_environments : int, optional
        E; by default ``labels.max() + 1``.

    Returns
    -------
    pair : tensor (b, d, d, N_ENVIRONMENT_PAIR_FEATURES)
    variable : tensor (b, E, d, N_ENVIRONMENT_VARIABLE_FEATURES)
        Per environment and variable: asinh shift, asinh residual shift, log variance ratio,
        residual log variance ratio, log relative size, reference flag.
    valid : bool tensor (b, E)
        Environments with at least two rows that are not the reference, in datasets that have
        environments: those whose targets are scored (and trained).
    """
    b, n, d = z.shape
    E = int(labels.max()) + 1 if n_environments is None else int(n_environments)
    weights = F.one_hot(labels, E).to(z.dtype)  # (b, n, E)
    count = weights.sum(1)  # (b, E)
    c = count.clamp_min(1.0)[:, :, None]
    has_environments = labels.amax(1) > labels.amin(1)  # (b,)
    env = torch.arange(E, device=z.device)
    reference = has_reference[:, None] & (env == 0)[None, :]
    valid = (count >= 2) & ~reference & has_environments[:, None]
    w = valid.to(z.dtype)[:, :, None]

    mean, var = _moments(z, weights, c)
    shift, log_ratio = _relative(z, mean, var, has_reference)
    residual = _within_residuals(z, labels, mean, ridge)
    r_mean, r_var = _moments(residual, weights, c)
    r_shift, r_log_ratio = _relative(residual, r_mean, r_var, has_reference)

    a = torch.asinh(shift.abs()) * w
    ra = torch.asinh(r_shift.abs()) * w
    lv = log_ratio.abs() * w
    n_valid = valid.to(z.dtype).sum(1).clamp_min(1.0)[:, None]  # (b, 1)
    signed = torch.asinh(shift) * w
    centred = (signed - signed.sum(1, keepdim=True) / n_valid[:, :, None]) * w
    norms = torch.sqrt((centred * centred).sum(1) + _EPS)
    corr = torch.einsum("bei,bej->bij", centred, centred) / (norms[:, :, None] * norms[:, None, :])
    moves = _co_movement(a, a)
    own_moves = _co_movement(ra, a)
    spreads = _co_movement(lv, lv)
    mean_a, mean_ra = a.sum(1) / n_valid, ra.sum(1) / n_valid  # (b, d)
    flags = torch.stack([has_environments, has_reference & has_environments], dim=-1).to(z.dtype)
    pair = (
        torch.stack(
            [
                moves,
                moves.transpose(1, 2),
                own_moves,
                own_moves.transpose(1, 2),
                spreads,
                spreads.transpose(1, 2),
                corr,
                mean_a[:, :, None].expand(-1, -1, d),
                mean_a[:, None, :].expand(-1, d, -1),
                mean_ra[:, :, None].expand(-1, -1, d),
                mean_ra[:, None, :].expand(-1, d, -1),
                flags[:, None, None, 0].expand(-1, d, d),
                flags[:, None, None, 1].expand(-1, d, d),
            ],
            dim=-1,
        )
        * has_environments.to(z.dtype)[:, None, None, None]
    )

    size = torch.log(count.clamp_min(1.0) * E / n)[:, :, None].expand(-1, -1, d)
    variable = torch.stack(
        [
            torch.asinh(shift) * w,
            torch.asinh(r_shift) * w,
            log_ratio * w,
            r_log_ratio * w,
            size * w,
            reference.to(z.dtype)[:, :, None].expand(-1, -1, d),
        ],
        dim=-1,
    )

    def clean(t):
        return torch.nan_to_num(t, nan=0.0, posinf=10.0, neginf=-10.0).clamp(-10.0, 10.0)

    return clean(pair), clean(variable), valid
