"""SCMBatchSampler: batches of random SCM datasets drawn from a :class:`SimulationConfig`.

The sampler draws each part of the prior in a fixed order from one torch generator (graphs,
mechanisms, noises, interventions, environments, units, intervention kinds, off-target effects,
mixing, empty graphs, discrete nodes, then the structural equations of ``simulate()``,
measurement, the node labels, and missing cells); that order is what makes a stream reproducible,
so a new part is drawn where it cannot move the others, and only when it is switched on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from skcausal.datasets._discrete import draw_plan, keep_discrete
from skcausal.datasets._equations import _groups, simulate
from skcausal.datasets._graphs import GRAPHS
from skcausal.datasets._interventions import (
    INTERVENTIONS,
    _environments,
    _intervention_mask,
    _off_target,
)
from skcausal.datasets._measurement import observe
from skcausal.datasets._missing import draw_missing, nan_standardize
from skcausal.datasets._prior import SimulationConfig

__all__ = ["SCMBatch", "SCMBatchSampler", "SimulationConfig", "simulate"]


@dataclass
class SCMBatch:
    """Datasets of one batch: same number of nodes d and samples n."""

    X: torch.Tensor  # (b, n, d) float32
    intervention_mask: torch.Tensor  # (b, n, d) bool
    adjacency: torch.Tensor  # (b, d, d) float32, A[i, j] = 1 means i -> j
    graphs: list = field(default_factory=list)
    mechanisms: list = field(default_factory=list)
    noises: list = field(default_factory=list)
    # Only for batches with environments (SimulationConfig.environment.probability > 0):
    environments: torch.Tensor | None = (
        None  # (b, n) int64 label of each row; 0 for single-regime data
    )
    # (b, max_environments, d) bool: what each label's interventions hit, off-target effects
    # included
    environment_targets: torch.Tensor | None = None
    has_reference: torch.Tensor | None = (
        None  # (b,) bool: label 0 is observational (and labels vary)
    )
    # (b, d) int8 index into COLUMN_KINDS (0 continuous, 1 binary, 2 ordinal, 3 categorical);
    # the sampler always sets it (all zeros without discrete columns). Discrete columns of X hold
    # integer codes, and X is NaN where a cell is missing.
    column_kinds: torch.Tensor | None = None


def _relabel(perm, X, mask, adjacency, environment_targets=None):
    """Datasets with node k renamed perm[b, k] -> k: columns of X and mask, rows and columns of the
    adjacency, and the columns of the environments' targets (when given). (The column kinds are
    gathered beside it, in ``sample``: pretraining's holdout calls it with four results.)"""
    b, n, d = X.shape
    cols = perm[:, None, :].expand(-1, n, -1)
    adjacency = adjacency.gather(1, perm[:, :, None].expand(-1, -1, d))
    adjacency = adjacency.gather(2, perm[:, None, :].expand(-1, d, -1))
    if environment_targets is not None:
        environment_targets = environment_targets.gather(
            2, perm[:, None, :].expand(-1, environment_targets.shape[1], -1)
        )
    return X.gather(2, cols), mask.gather(2, cols), adjacency, environment_targets


class SCMBatchSampler:
    """Draws batches of random SCM datasets, as torch tensors; iterating never ends.

    Parameters
    ----------
    config : SimulationConfig, optional
        The distribution of graphs, mechanisms, noise and interventions.
    generator : torch.Generator or int, optional
        The source of all randomness (an int seeds a new generator).

    Examples
    --------
    >>> from skcausal.datasets import SCMBatchSampler, SimulationConfig
    >>> sampler = SCMBatchSampler(SimulationConfig(max_nodes=10), generator=0)
    >>> batch = sampler.sample(batch_size=4, n_nodes=5, n_samples=100)
    >>> tuple(batch.X.shape), tuple(batch.adjacency.shape)
    ((4, 100, 5), (4, 5, 5))
    """

    def __init__(self, config: SimulationConfig | None = None, *, generator=None):
        self.config = config or SimulationConfig()
        if not isinstance(generator, torch.Generator):
            seed = generator
            generator = torch.Generator()
            generator.manual_seed(int(seed) if seed is not None else torch.seed())
        self.generator = generator

    def _choice(self, options, size):
        idx = torch.randint(len(options), (size,), generator=self.generator)
        return [options[i] for i in idx.tolist()]

    def _uniform(self, low, high, size):
        return low + (high - low) * torch.rand(size, generator=self.generator)

    def sample(
        self,
        batch_size: int,
        n_nodes: int,
        n_samples: int,
        *,
        graph=None,
        edges_per_node=None,
        mechanism=None,
        noise=None,
        heteroscedastic=None,
        n_targets=None,
        intervention_fraction=None,
        standardize: bool = True,
        dag=None,
        raw_units=None,
    ) -> SCMBatch:
        """One batch; keyword arguments fix a property for every dataset instead of drawing it.

        ``dag``, a (n_nodes, n_nodes) boolean tensor that is upper triangular (its nodes in a causal
        order), gives every dataset that graph instead of a random one; the nodes then keep their
        order instead of being shuffled.
        """
        cfg, g = self.config, self.generator
        if dag is not None:
            graphs = ["given"] * batch_size
            upper = dag.to(torch.bool).expand(batch_size, n_nodes, n_nodes).clone()
        else:
            graphs = [graph] * batch_size if graph else self._choice(cfg.graph.kinds, batch_size)
            if edges_per_node is None:
                low, high = cfg.graph.min_edges_per_node, cfg.graph.max_edges_per_node
                epn = self._uniform(low, high, batch_size)
            else:
                epn = torch.full((batch_size,), float(edges_per_node))
            upper = torch.zeros(batch_size, n_nodes, n_nodes, dtype=torch.bool)
            for name, idx in _groups(graphs).items():
                upper[idx] = GRAPHS[name](epn[idx]).sample(len(idx), n_nodes, g)
        mechanisms = (
            [mechanism] * batch_size if mechanism else self._choice(cfg.mechanism.kinds, batch_size)
        )
        noises = [noise] * batch_size if noise else self._choice(cfg.noise.kinds, batch_size)
        if heteroscedastic is None:
            hetero = torch.rand(batch_size, generator=g) < cfg.noise.heteroscedastic_probability
        else:
            hetero = torch.full((batch_size,), bool(heteroscedastic))
        intervention, environment = cfg.intervention, cfg.environment
        if n_targets is None:
            interventional = torch.rand(batch_size, generator=g) < intervention.probability
            targets = torch.randint(1, n_nodes + 1, (batch_size,), generator=g) * interventional
            fractions = self._uniform(
                intervention.min_fraction, intervention.max_fraction, batch_size
            )
        else:
            targets = torch.full((batch_size,), int(n_targets))
            fractions = torch.full((batch_size,), float(intervention_fraction), dtype=torch.float64)
        mask = _intervention_mask(n_samples, n_nodes, targets, fractions, g)
        environments = environment_targets = None
        if environment.probability > 0 and n_targets is None:
            environments, environment_targets, env_mask = _environments(
                batch_size, n_samples, n_nodes, environment, g
            )
            uses = (environments.max(1).values > 0)[:, None, None]
            mask = torch.where(uses, env_mask, mask)
        # From here on, each part that is switched off draws nothing (see datasets/_prior.py).
        if raw_units is not None:
            raw = torch.full((batch_size,), bool(raw_units))
        elif cfg.mechanism.raw_units_probability > 0:
            raw = torch.rand(batch_size, generator=g) < cfg.mechanism.raw_units_probability
        else:
            raw = None
        kinds, applied = None, mask
        if intervention.kinds != ("hard",):
            kinds = torch.tensor([INTERVENTIONS.index(k) for k in intervention.kinds])[
                torch.randint(len(intervention.kinds), (batch_size,), generator=g)
            ]
        if intervention.off_target_probability > 0:
            applied = _off_target(mask, intervention.off_target_probability, g)
        mixed = None
        if cfg.mechanism.mixed_probability > 0 and mechanism is None:
            mixed = torch.rand(batch_size, generator=g) < cfg.mechanism.mixed_probability
        if cfg.graph.empty_probability > 0 and dag is None:
            empty = torch.rand(batch_size, generator=g) < cfg.graph.empty_probability
            upper = upper & ~empty[:, None, None]
            graphs = ["empty" if e else name for name, e in zip(graphs, empty.tolist())]
        plan = draw_plan(cfg.columns, batch_size, n_nodes, g)
        column_kinds = torch.zeros(batch_size, n_nodes, dtype=torch.int8)
        if plan is not None:
            column_kinds = plan.kinds
        X = simulate(
            upper,
            n_samples,
            mechanisms,
            noises,
            hetero,
            applied,
            g,
            noise_scale=(cfg.noise.min_scale, cfg.noise.max_scale),
            raw_units=raw,
            root_law_probability=cfg.noise.root_law_probability,
            intervention_kinds=kinds,
            mixed=mixed,
            mixed_choices=cfg.mechanism.kinds,
            root_laws=cfg.noise.root_laws,
            discrete=plan,
        )
        if mixed is not None:
            mechanisms = ["mixed" if m else name for name, m in zip(mechanisms, mixed.tolist())]
        X = keep_discrete(X, observe(X, cfg.measurement, g), plan.kinds if plan else None)
        has_reference = None
        if environments is not None:
            used = environments.amax(1) > 0
            rows = torch.nn.functional.one_hot(environments, environment.max_environments).float()
            hit = (rows.transpose(1, 2) @ applied.float()) > 0  # (b, max_environments, d)
            environment_targets = torch.where(used[:, None, None], hit, environment_targets)
            has_reference = used & ~environment_targets[:, 0].any(-1)
            if environment.known_targets_probability < 1:
                hidden = used & (
                    torch.rand(batch_size, generator=g) >= environment.known_targets_probability
                )
                mask = mask & ~hidden[:, None, None]
        # Hide the simulation order: relabel the nodes of each dataset at random.
        perm = torch.rand(batch_size, n_nodes, generator=g).argsort(dim=1)
        if dag is not None:
            perm = torch.arange(n_nodes).expand(batch_size, n_nodes)
        X, mask, adjacency, environment_targets = _relabel(
            perm, X, mask, upper.float(), environment_targets
        )
        column_kinds = column_kinds.gather(1, perm)
        missing = draw_missing(X, cfg.missing, g)
        if missing is not None:
            X = X.masked_fill(missing, torch.nan)
        if standardize and plan is None and missing is None:
            X = (X - X.mean(1, keepdim=True)) / (X.std(1, keepdim=True, correction=0) + 1e-8)
        elif standardize:  # the continuous columns, over their observed cells
            X = nan_standardize(X, column_kinds == 0)
        return SCMBatch(
            X,
            mask,
            adjacency,
            graphs,
            mechanisms,
            noises,
            environments,
            environment_targets,
            has_reference,
            column_kinds,
        )

    def _clean_sampler(self):
        """A sampler of the clean batches (:meth:`SimulationConfig.clean_config`), sharing this
        generator."""
        return SCMBatchSampler(self.config.clean_config(), generator=self.generator)

    def __iter__(self):
        cfg, g = self.config, self.generator
        clean = self._clean_sampler() if cfg.clean.probability > 0 else None
        while True:
            d = cfg.sizes.draw_nodes(g)
            n = cfg.sizes.draw_samples(g)
            batch_size = cfg.sizes.batch_size(d)
            if clean is not None and float(torch.rand(1, generator=g)) < cfg.clean.probability:
                yield clean.sample(batch_size, d, n)
            else:
                yield self.sample(batch_size, d, n)
