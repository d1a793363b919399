"""Interventions: who is intervened on, where (the intervention mask, environments with unknown
targets, off-target "fat hand" effects), and the registry of the kinds of intervention, which
say what an intervened value is (``simulate()`` calls them node by node)."""

from __future__ import annotations

from typing import NamedTuple

import torch


class Node(NamedTuple):
    """What an intervention kind sees of node t of a batch: its values ``x`` (b, n), the part
    ``f`` its parents explain, their observational ``mean`` and ``sd`` (b, 1), ``raw`` (b, 1)
    whether the SCM is in raw units, ``standardized`` (x in the node's units: standardised,
    or raw), and the hard value ``do`` (b, n) and its mean ``mu`` (b, 1) in standard units."""

    t: int
    x: torch.Tensor
    f: torch.Tensor
    mean: torch.Tensor
    sd: torch.Tensor
    raw: torch.Tensor
    standardized: torch.Tensor
    do: torch.Tensor
    mu: torch.Tensor


def _in_units(node, value):
    """A value in standard deviations of the node around its mean, in the node's units."""
    return torch.where(node.raw, node.mean + node.sd * value, value)


def _sign(shape, generator):
    return torch.where(torch.rand(shape, generator=generator) < 0.5, -1.0, 1.0)


class Hard:
    """do(x = v), v ~ N(mu, s^2), mu ~ U(-2, 2), s ~ U(0.1, 1) node standard deviations, drawn
    independently of everything else. Its values are drawn for every batch (also where no
    variable is intervened on), and the other kinds build on them."""

    def draw(self, batch, n_samples, d, generator):
        mu = 4 * torch.rand(batch, 1, d, generator=generator) - 2
        s = 0.1 + 0.9 * torch.rand(batch, 1, d, generator=generator)
        return {"mu": mu, "values": mu + s * torch.randn(batch, n_samples, d, generator=generator)}

    def value(self, node, params):
        return _in_units(node, node.do)


class Far:
    """The hard values moved to |mu| ~ U(3, 10): far outside the observational range."""

    def draw(self, batch, n_samples, d, generator):
        sign = _sign((batch, 1, d), generator)
        return {"mu": sign * (3 + 7 * torch.rand(batch, 1, d, generator=generator))}

    def value(self, node, params):
        return _in_units(node, node.do - node.mu + params["mu"][:, :, node.t])


class Shift:
    """x + delta, |delta| ~ U(0.5, 5) standard deviations: the mechanism kept."""

    def draw(self, batch, n_samples, d, generator):
        sign = _sign((batch, 1, d), generator)
        return {"delta": sign * (0.5 + 4.5 * torch.rand(batch, 1, d, generator=generator))}

    def value(self, node, params):
        return (
            node.standardized + torch.where(node.raw, node.sd, 1.0) * params["delta"][:, :, node.t]
        )


class Soft:
    """The mechanism changed: x = a f(parents) + b noise, a in [0, 0.6] or [1.4, 2.5], and
    log b ~ U(-1, 1)."""

    def draw(self, batch, n_samples, d, generator):
        g, shape = generator, (batch, 1, d)
        weaker = torch.rand(shape, generator=g) < 0.5
        gain = torch.where(
            weaker, 0.6 * torch.rand(shape, generator=g), 1.4 + 1.1 * torch.rand(shape, generator=g)
        )
        return {"gain": gain, "noise_gain": torch.exp(2 * torch.rand(shape, generator=g) - 1)}

    def value(self, node, params):
        t = node.t
        soft = params["gain"][:, :, t] * node.f + params["noise_gain"][:, :, t] * (node.x - node.f)
        return torch.where(node.raw, soft, (soft - node.mean) / node.sd)


# The kinds of intervention. Their order is part of every stream: the parameters of all of them
# are drawn, in this order, for each batch that draws kinds, and a dataset's kind is its index.
INTERVENTION_KINDS = {"hard": Hard(), "far": Far(), "shift": Shift(), "soft": Soft()}
INTERVENTIONS = tuple(INTERVENTION_KINDS)


def _intervention_mask(n_samples, n_nodes, n_targets, fractions, generator):
    """Single-target hard interventions: the last round(fraction * n) rows of each dataset are split
    into near-equal blocks, one per target; the rows before them are observational."""
    batch = len(n_targets)
    mask = torch.zeros(batch, n_samples, n_nodes, dtype=torch.bool)
    for b in range(batch):
        n_int = int(round(float(fractions[b]) * n_samples))
        k = min(int(n_targets[b]), n_int)  # every target gets at least one row
        if k == 0 or n_int == 0:
            continue
        targets = torch.randperm(n_nodes, generator=generator)[:k]
        rows = torch.arange(n_samples - n_int, n_samples)
        mask[b, rows, targets[(torch.arange(n_int) * k) // n_int]] = True
    return mask


def _environments(batch, n_samples, n_nodes, cfg, generator):
    """Rows split into 2-20 environments with 1-3 targets each (the first observational with
    ``cfg.reference_probability``), for a share ``cfg.probability`` of the datasets; ``cfg`` is
    an :class:`~skcausal.datasets._prior.EnvironmentPrior`.

    Returns (labels (b, n) int64, targets (b, max_environments, d) bool, mask (b, n, d) bool); the
    labels are all 0 for the datasets that keep their single-regime interventions.
    """
    g = generator
    labels = torch.zeros(batch, n_samples, dtype=torch.long)
    targets = torch.zeros(batch, cfg.max_environments, n_nodes, dtype=torch.bool)
    uses = torch.rand(batch, generator=g) < cfg.probability
    for k in uses.nonzero(as_tuple=True)[0].tolist():
        n_envs = int(
            torch.randint(cfg.min_environments, cfg.max_environments + 1, (1,), generator=g)
        )
        n_envs = max(2, min(n_envs, n_samples // 2))
        labels[k] = (torch.arange(n_samples) * n_envs) // n_samples  # near-equal blocks, in order
        reference = float(torch.rand(1, generator=g)) < cfg.reference_probability
        for env in range(1 if reference else 0, n_envs):
            count = int(torch.randint(1, min(cfg.max_targets, n_nodes) + 1, (1,), generator=g))
            targets[k, env, torch.randperm(n_nodes, generator=g)[:count]] = True
    mask = targets.gather(1, labels[:, :, None].expand(-1, -1, n_nodes))
    return labels, targets, mask


def _off_target(mask, probability, generator):
    """The interventions that happen: in a share of datasets each target's rows also hit 1-2 other
    variables ("fat hand"), which the declared ``mask`` does not show."""
    applied = mask.clone()
    b, _, d = mask.shape
    hit = torch.rand(b, generator=generator) < probability
    for k in hit.nonzero(as_tuple=True)[0].tolist():
        for target in mask[k].any(0).nonzero(as_tuple=True)[0].tolist():
            others = torch.randperm(d, generator=generator)
            others = others[others != target][: int(torch.randint(1, 3, (1,), generator=generator))]
            rows = mask[k, :, target]
            applied[k, rows.nonzero(as_tuple=True)[0][:, None], others[None, :]] = True
    return applied
