"""How simulated values are observed: monotone distortions, measurement noise, rounding, clipping,
outliers.

Real data are shaped by measurement as much as by causal position: a sensor saturates, a count is
rounded, a concentration is log-normal. In an internally standardised SCM a root's marginal is its
pure noise law, so without these transforms the shape of a marginal reveals which variables are
roots, a shortcut that fails on real data (see DESIGN.md, "What real data showed").

:func:`observe` applies them to a batch (b, n, d) after simulation, each with its probability from
the ``measurement`` part of :class:`~skcausal.datasets.SimulationConfig`. All are applied to every
row of a column alike (an intervention does not change how a variable is measured). With every
probability 0, nothing is drawn, so the stream of a config without them is unchanged.
"""

from __future__ import annotations

import torch


def _standardize(x):
    return (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True, correction=0) + 1e-8)


# Monotone increasing maps of standardised columns x (n, k), each drawn per column; every one
# draws its slope a first.
def _slope(k, generator):
    return 0.3 + 1.2 * torch.rand(k, generator=generator)


def _exp(x, generator):
    """Right-skewed, like concentrations (clamped: a far intervention can sit 50 sd out)."""
    return torch.exp((_slope(x.shape[1], generator) * x).clamp(max=30))


def _log(x, generator):
    """Left-compressed: a signed log."""
    return torch.sign(x) * torch.log1p(_slope(x.shape[1], generator) * 3 * x.abs())


def _power(x, generator):
    k = x.shape[1]
    _slope(k, generator)  # drawn and unused: the stream of every distortion starts with it
    p = torch.where(
        torch.rand(k, generator=generator) < 0.5,
        0.3 + 0.6 * torch.rand(k, generator=generator),
        1.5 + 1.5 * torch.rand(k, generator=generator),
    )
    return torch.sign(x) * x.abs() ** p


def _sigmoid(x, generator):
    """Saturating on both sides."""
    a = _slope(x.shape[1], generator)
    c = torch.randn(x.shape[1], generator=generator) * 0.5
    return torch.sigmoid(2 * a * x + c)


DISTORTION_MAPS = {"exp": _exp, "log": _log, "power": _power, "sigmoid": _sigmoid}
DISTORTIONS = tuple(DISTORTION_MAPS)


def observe(X, config, generator):
    """The observed values of a simulated batch X (b, n, d), as ``config`` says (a
    :class:`~skcausal.datasets._prior.MeasurementPrior`, or a SimulationConfig: its
    ``measurement``); X itself when no distortion is switched on, else a new tensor."""
    config = getattr(config, "measurement", config)
    b, n, d = X.shape
    g = generator
    p_distort, p_noise = config.distortion_probability, config.noise_probability
    p_round, p_clip, p_outlier = (
        config.rounding_probability,
        config.clipping_probability,
        config.outlier_probability,
    )
    if not config.active:
        return X
    X = _standardize(X)
    if p_noise > 0:
        noisy = torch.rand(b, 1, 1, generator=g) < p_noise
        scale = 0.05 + 0.45 * torch.rand(b, 1, d, generator=g)
        X = torch.where(noisy, X + scale * torch.randn(b, n, d, generator=g), X)
    if p_distort > 0:
        chosen = torch.rand(b, d, generator=g) < p_distort
        kinds = torch.randint(len(config.distortions), (b, d), generator=g)
        out = X.clone()
        for k, kind in enumerate(config.distortions):
            sel = chosen & (kinds == k)
            if sel.any():
                rows, cols = sel.nonzero(as_tuple=True)
                columns = X[rows, :, cols].T  # (n, selected)
                out[rows, :, cols] = _standardize(DISTORTION_MAPS[kind](columns, g)[None])[0].T
        X = out
    if p_clip > 0:
        # saturation: values beyond a column's q-quantile (q in [0.85, 0.99]) read as that value
        clipped = torch.rand(b, d, generator=g) < p_clip
        q = 0.85 + 0.14 * torch.rand(b, d, generator=g)
        if clipped.any():  # sort only the clipped columns
            rows, cols = clipped.nonzero(as_tuple=True)
            columns = X[rows, :, cols]  # (k, n)
            index = (q[rows, cols] * (n - 1)).round().long()
            upper = columns.sort(dim=1).values.gather(1, index[:, None])
            X = X.clone()
            X[rows, :, cols] = torch.minimum(columns, upper)
    if p_round > 0:
        # a reading on a grid of 4-50 steps over the column's range (integers, counts, scores)
        rounded = torch.rand(b, 1, d, generator=g) < p_round
        steps = torch.randint(4, 51, (b, 1, d), generator=g).float()
        low, high = X.min(1, keepdim=True).values, X.max(1, keepdim=True).values
        grid = (high - low).clamp(min=1e-6) / steps
        X = torch.where(rounded, low + torch.round((X - low) / grid) * grid, X)
    if p_outlier > 0:
        has = torch.rand(b, 1, 1, generator=g) < p_outlier
        share = 0.005 + 0.015 * torch.rand(b, 1, d, generator=g)
        hit = has & (torch.rand(b, n, d, generator=g) < share)
        size = (5 + 5 * torch.rand(b, n, d, generator=g)) * torch.where(
            torch.rand(b, n, d, generator=g) < 0.5, -1.0, 1.0
        )
        X = torch.where(hit, size, X)
    return X
