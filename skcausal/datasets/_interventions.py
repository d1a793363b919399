"""Who is intervened on, where: the intervention mask, environments with unknown targets, and
off-target ("fat hand") effects. How intervened values are drawn is in ``simulate()``."""

from __future__ import annotations

import torch

INTERVENTIONS = ("hard", "far", "shift", "soft")  # the kinds simulate() draws values for


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
    ``cfg.reference_probability``), for a share ``cfg.environment_probability`` of the datasets.

    Returns (labels (b, n) int64, targets (b, max_environments, d) bool, mask (b, n, d) bool); the
    labels are all 0 for the datasets that keep their single-regime interventions.
    """
    g = generator
    labels = torch.zeros(batch, n_samples, dtype=torch.long)
    targets = torch.zeros(batch, cfg.max_environments, n_nodes, dtype=torch.bool)
    uses = torch.rand(batch, generator=g) < cfg.environment_probability
    for k in uses.nonzero(as_tuple=True)[0].tolist():
        n_envs = int(torch.randint(cfg.min_environments, cfg.max_environments + 1, (1,), generator=g))
        n_envs = max(2, min(n_envs, n_samples // 2))
        labels[k] = (torch.arange(n_samples) * n_envs) // n_samples  # near-equal blocks, in order
        reference = float(torch.rand(1, generator=g)) < cfg.reference_probability
        for env in range(1 if reference else 0, n_envs):
            count = int(torch.randint(1, min(cfg.max_environment_targets, n_nodes) + 1, (1,), generator=g))
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
