"""Discrete nodes: variables whose value is a code 0..k-1 inside the structural equations.

A node chosen discrete is first simulated as usual (its latent value); ``simulate`` then cuts that
value at thresholds placed at random quantiles of its observational rows, and the code of its
bucket is the node's value: its children read the code, so a chain of discrete nodes keeps the
conditional independences of its graph. A categorical node's bucket codes are permuted at random,
so their order says nothing. Intervened rows are cut at the same thresholds, so every kind of
intervention gives a valid code (a hard intervention a level drawn from the shifted law of its
latent value).

Measurement (``observe``) leaves discrete columns alone: it is applied to every column, so its
draws do not depend on which are discrete, and the codes are put back afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from skcausal.datasets._column_kinds import BINARY, CATEGORICAL, COLUMN_KINDS


@dataclass
class DiscretePlan:
    """Which nodes of a batch are discrete, and how their latent values are cut.

    ``kinds`` (b, d) int8 indexes ``COLUMN_KINDS`` (0 continuous); ``cuts`` (b, d, L - 1) are the
    quantile levels of the thresholds in increasing order, padded with 2 (no threshold);
    ``codes`` (b, d, L) is the code of each bucket (a permutation of 0..k-1 for categorical nodes).
    """

    kinds: torch.Tensor
    cuts: torch.Tensor
    codes: torch.Tensor


def draw_plan(part, batch, n_nodes, generator) -> DiscretePlan | None:
    """The discrete nodes of a batch, as ``part`` (a ``DataTypePrior``) says; None (drawing
    nothing) when the part is off."""
    if part.discrete_probability == 0:
        return None
    g, d, top = generator, n_nodes, part.max_levels
    has = torch.rand(batch, generator=g) < part.discrete_probability
    low, high = part.min_discrete_share, part.max_discrete_share
    share = low + (high - low) * torch.rand(batch, generator=g)
    count = (share * d).round().clamp(min=1) * has
    chosen = torch.rand(batch, d, generator=g).argsort(1).argsort(1) < count[:, None]
    names = torch.tensor([COLUMN_KINDS.index(k) for k in part.kinds])
    kinds = torch.where(chosen, names[torch.randint(len(names), (batch, d), generator=g)], 0)
    levels = torch.randint(part.min_levels, top + 1, (batch, d), generator=g)
    levels = torch.where(kinds == BINARY, 2, levels)
    # Bucket masses within a factor 5 of each other: no level is left (nearly) empty.
    used = torch.arange(top) < levels[..., None]
    weight = (0.25 + torch.rand(batch, d, top, generator=g)) * used
    cumulative = weight.cumsum(-1) / weight.sum(-1, keepdim=True)
    cuts = torch.where(used[..., 1:], cumulative[..., :-1], 2.0)
    # Unused buckets sort last, so the first k entries of the argsort permute 0..k-1.
    perm = (torch.rand(batch, d, top, generator=g) + ~used).argsort(-1)
    codes = torch.where((kinds == CATEGORICAL)[..., None], perm, torch.arange(top))
    return DiscretePlan(kinds.to(torch.int8), cuts, codes)


def discretize(values, observed, plan, t):
    """Node ``t``'s values (b, n) with the discrete datasets' values replaced by their codes.

    The thresholds are quantiles of the observational rows (all rows where none is). Should ties
    leave a single code on those rows (a latent with few values), ties go to the upper bucket.
    """
    active = plan.kinds[:, t] > 0
    if not active.any():
        return values
    n = values.shape[1]
    keep = observed | ~observed.any(1, keepdim=True)
    ordered = torch.where(keep, values, torch.inf).sort(1).values
    cuts = plan.cuts[:, t]
    index = (cuts.clamp(max=1) * (keep.sum(1, keepdim=True) - 1)).round().long()
    thresholds = torch.where(cuts > 1, torch.inf, ordered.gather(1, index.clamp(0, n - 1)))
    bucket = (values[:, :, None] > thresholds[:, None, :]).sum(-1)
    single = torch.where(keep, bucket, -1).amax(1) == torch.where(keep, bucket, n + 1).amin(1)
    if single.any():
        upper = (values[:, :, None] >= thresholds[:, None, :]).sum(-1)
        bucket = torch.where(single[:, None], upper, bucket)
    code = plan.codes[:, t].gather(1, bucket)
    return torch.where(active[:, None], code.to(values.dtype), values)


def keep_discrete(before, after, kinds):
    """``after`` (b, n, d) with the discrete columns of ``before`` put back (kinds (b, d))."""
    if kinds is None:
        return after
    return torch.where(kinds[:, None, :] > 0, before, after)
