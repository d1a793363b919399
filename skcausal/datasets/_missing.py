"""Missing cells: which values of a simulated batch are not observed (NaN in ``SCMBatch.X``).

Drawn last, after the nodes are relabelled, as the ``missing`` part of
:class:`~skcausal.datasets.SimulationConfig` says. A dataset with missing cells draws an overall
rate r, a share of its columns that lose cells, and per column a mechanism:

- ``mcar``: each cell is missing independently with the column's rate;
- ``mar``: the chance is a logistic function of another, fully observed column's value;
- ``mnar``: the chance is a logistic function of the column's own value (high values are missing
  more often).

The logistic's offset is solved per column so that its mean chance is the column's rate. A column
that would keep fewer than two observed values, or a single value on its observed rows, keeps all
its cells instead.
"""

from __future__ import annotations

import math

import torch

from skcausal.datasets._column_kinds import MISSING_MECHANISMS

# The largest share of a column's cells that go missing (before the per-column spread).
_MAX_COLUMN_RATE = 0.75
_MAR, _MNAR = MISSING_MECHANISMS.index("mar"), MISSING_MECHANISMS.index("mnar")


def _offsets(score, rate, steps=30):
    """Offsets c (k,) with the mean of sigmoid(score + c) over each row of score (k, n) equal to
    ``rate`` (k,)."""
    low = torch.full_like(rate, -30.0)
    high = torch.full_like(rate, 30.0)
    for _ in range(steps):
        middle = (low + high) / 2
        above = torch.sigmoid(score + middle[:, None]).mean(1) > rate
        low, high = torch.where(above, low, middle), torch.where(above, middle, high)
    return (low + high) / 2


def _zscore(X):
    mean = X.mean(1, keepdim=True)
    return (X - mean) / (X.std(1, keepdim=True, correction=0) + 1e-8)


def draw_missing(X, part, generator):
    """The missing cells (b, n, d) bool of a batch X, as ``part`` (a ``MissingPrior``) says; None
    (drawing nothing) when the part is off."""
    if part.probability == 0:
        return None
    g = generator
    b, n, d = X.shape
    has = torch.rand(b, generator=g) < part.probability
    rate = part.min_rate + (part.max_rate - part.min_rate) * torch.rand(b, generator=g)
    low, high = part.min_column_share, part.max_column_share
    share = low + (high - low) * torch.rand(b, generator=g)
    # Enough columns that none has to lose more than _MAX_COLUMN_RATE of its cells, and (for MAR)
    # one left fully observed to drive the others.
    count = torch.maximum((share * d).round(), torch.ceil(rate * d / _MAX_COLUMN_RATE))
    count = count.clamp(1, d - 1 if "mar" in part.mechanisms and d > 1 else d)
    chosen = (torch.rand(b, d, generator=g).argsort(1).argsort(1) < count[:, None]) & has[:, None]
    spread = 0.75 + 0.5 * torch.rand(b, d, generator=g)
    column_rate = ((rate * d / count)[:, None] * spread).clamp(max=0.9)
    names = torch.tensor([MISSING_MECHANISMS.index(m) for m in part.mechanisms])
    mechanism = names[torch.randint(len(names), (b, d), generator=g)]
    slope = (1 + 2 * torch.rand(b, d, generator=g)) * torch.where(
        (mechanism == _MAR) & (torch.rand(b, d, generator=g) < 0.5), -1.0, 1.0
    )
    # Column j's driver: the observed column k with the highest score[b, j, k].
    score = torch.where(~chosen[:, None, :], torch.rand(b, d, d, generator=g), -1.0)
    u = torch.rand(b, n, d, generator=g)
    z = _zscore(X.double()).float()
    driver = score.argmax(-1)
    mar = (mechanism == _MAR) & (score.amax(-1) >= 0)
    own = torch.where((mechanism == _MNAR)[:, None, :], z, 0.0)
    signal = torch.where(mar[:, None, :], z.gather(2, driver[:, None, :].expand(b, n, d)), own)
    signal = slope[:, None, :] * signal
    chance = column_rate[:, None, :].expand(b, n, d).clone()  # MCAR
    logistic = chosen & (mar | (mechanism == _MNAR))
    if logistic.any():  # solve the offsets only where the chance varies by row
        rows, cols = logistic.nonzero(as_tuple=True)
        varying = signal[rows, :, cols]
        offsets = _offsets(varying, column_rate[rows, cols])
        chance[rows, :, cols] = torch.sigmoid(varying + offsets[:, None])
    missing = (u < chance) & chosen[:, None, :]
    return _keep_informative(X, missing)


def _keep_informative(X, missing):
    """``missing`` without the columns it would leave with < 2 observed cells or one value."""
    observed = ~missing
    count = observed.sum(1)
    top = torch.where(observed, X, -math.inf).amax(1)
    bottom = torch.where(observed, X, math.inf).amin(1)
    fine = (count >= 2) & (top > bottom)
    return missing & fine[:, None, :]


def nan_standardize(X, columns):
    """X (b, n, d) with the selected ``columns`` (b, d) bool standardised over their observed
    (non-NaN) cells."""
    mean = X.nanmean(1, keepdim=True)
    sd = ((X - mean) ** 2).nanmean(1, keepdim=True).sqrt()
    return torch.where(columns[:, None, :], (X - mean) / (sd + 1e-8), X)
