"""The paired view of a training batch, for the consistency loss (``TrainConfig.consistency_*``).

A strictly increasing map of a column changes no conditional independence and no causal edge, so
the model's probabilities should not move under it (#23, item 2). Monotone re-expressions in the
prior teach the model that a distorted marginal says little; they do not stop one distorted column
from moving the probabilities of other pairs (research/v3.md, phase 17). The consistency loss
penalises that move directly: some batches are seen twice, the second time with one continuous
column per dataset put through one of the prior's monotone maps, and the squared difference of the
two views' probabilities is added to the loss.
"""

from __future__ import annotations

import torch

from skcausal.datasets._column_kinds import CONTINUOUS
from skcausal.datasets._measurement import DISTORTION_MAPS, DISTORTIONS
from skcausal.datasets._missing import nan_standardize

_ONE = torch.ones(1, 1, dtype=torch.bool)


def paired_view(X, kinds, generator):
    """X (b, n, d) with one continuous column per dataset re-expressed by a monotone map drawn
    from the prior's (exp, log, power, sigmoid), standardised again; missing cells stay missing.
    A dataset without a continuous column is returned unchanged. Draws from ``generator``."""
    b, n, d = X.shape
    continuous = torch.ones(b, d, dtype=torch.bool) if kinds is None else kinds == CONTINUOUS
    # A column chosen uniformly among the continuous ones: the largest of uniform draws.
    draws = torch.where(continuous, torch.rand(b, d, generator=generator), -1.0)
    columns = draws.argmax(1)
    maps = torch.randint(len(DISTORTIONS), (b,), generator=generator)
    out = X.clone()
    for i in torch.nonzero(continuous.any(1)).flatten().tolist():
        c = int(columns[i])
        x = nan_standardize(X[i : i + 1, :, c : c + 1].double(), _ONE)[0]  # (n, 1)
        y = DISTORTION_MAPS[DISTORTIONS[int(maps[i])]](x, generator)
        out[i, :, c] = nan_standardize(y[None], _ONE)[0, :, 0].to(X.dtype)
    return out


def consistency_loss(logits, paired_logits, reduction="mean"):
    """Squared difference of the edge probabilities of a batch's two views, (batch, d, d) each:
    "mean" over every pair, or "max": each dataset's largest, averaged over the datasets (the
    statistic the one-column quality test bounds)."""
    squared = (torch.sigmoid(logits) - torch.sigmoid(paired_logits)).pow(2)
    if reduction == "max":
        return squared.flatten(1).amax(dim=1).mean()
    return squared.mean()
