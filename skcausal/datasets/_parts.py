"""The parts of the simulation prior: small frozen dataclasses, each validated on its own.

A part names kinds from its registry (``GRAPHS``, ``MECHANISMS``, ``NOISES``, ``ROOT_LAWS``,
``INTERVENTION_KINDS``, ``DISTORTION_MAPS``): adding a kind means registering it there. A part that
is switched off (its probability 0) draws nothing from the generator. :class:`SimulationConfig`
(``datasets/_prior.py``) holds one of each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch

from skcausal.datasets._column_kinds import DISCRETE_KINDS, MISSING_MECHANISMS
from skcausal.datasets._graphs import DEFAULT_GRAPHS, GRAPHS
from skcausal.datasets._interventions import INTERVENTION_KINDS
from skcausal.datasets._measurement import DISTORTION_MAPS
from skcausal.datasets._mechanisms import DEFAULT_MECHANISMS, MECHANISMS, NOISES, ROOT_LAWS

_DISTRIBUTIONS = ("uniform", "log_uniform")


def _label(part, name) -> str:
    """``part.name``, with its flat key of earlier versions where it has one (errors name both)."""
    where = next((p for p, cls in PARTS.items() if isinstance(part, cls)), type(part).__name__)
    flat = next((k for k, v in FLAT_FIELDS.items() if v == (where, name)), None)
    return flat if flat == name else f"{where}.{name} ({flat})" if flat else f"{where}.{name}"


def _kinds(part, name, registry):
    """Store ``part.name`` as a tuple and check that it names registered kinds (repeats weight)."""
    values = tuple(getattr(part, name))
    object.__setattr__(part, name, values)
    if not values or any(v not in registry for v in values):
        raise ValueError(
            f"{_label(part, name)} must be a non-empty subset of {sorted(registry)}; got {values}."
        )


def _probabilities(part, *names):
    for name in names:
        if not 0 <= getattr(part, name) <= 1:
            value = getattr(part, name)
            raise ValueError(f"{_label(part, name)} must be in [0, 1]; got {value!r}.")


def _ranges(part, *pairs):
    for low, high in pairs:
        if not 0 <= getattr(part, low) <= getattr(part, high):
            raise ValueError(f"need 0 <= {_label(part, low)} <= {_label(part, high)}.")


def _log_uniform_int(low, high, generator):
    u = float(torch.rand(1, generator=generator))
    log_low, log_high = math.log(low), math.log(high + 1)
    return max(low, min(high, int(math.exp(log_low + u * (log_high - log_low)))))


@dataclass(frozen=True)
class Sizes:
    """Sizes of the datasets and batches: d nodes and n samples (ranges inclusive).

    ``node_distribution`` / ``samples_distribution`` is "uniform" or "log_uniform" (small sizes
    more often, every size still seen). A batch holds about ``tokens_per_batch`` pair tokens
    (b d^2), at most ``max_batch_size`` datasets (tiny graphs would otherwise come in batches of
    thousands).
    """

    min_nodes: int = 2
    max_nodes: int = 50
    node_distribution: str = "uniform"
    min_samples: int = 200
    max_samples: int = 1000
    samples_distribution: str = "uniform"
    tokens_per_batch: int = 6400
    max_batch_size: int = 64

    def __post_init__(self):
        if not 2 <= self.min_nodes <= self.max_nodes:
            raise ValueError("need 2 <= min_nodes <= max_nodes.")
        if not 2 <= self.min_samples <= self.max_samples:
            raise ValueError("need 2 <= min_samples <= max_samples.")
        for name in ("node_distribution", "samples_distribution"):
            if getattr(self, name) not in _DISTRIBUTIONS:
                value = getattr(self, name)
                raise ValueError(f"{name} must be 'uniform' or 'log_uniform'; got {value!r}.")
        if self.max_batch_size < 1 or self.tokens_per_batch < 1:
            raise ValueError("max_batch_size and tokens_per_batch must be >= 1.")

    def draw_nodes(self, generator) -> int:
        """The number of nodes of the next batch."""
        if self.node_distribution == "log_uniform":
            return _log_uniform_int(self.min_nodes, self.max_nodes, generator)
        u = float(torch.rand(1, generator=generator))
        return self.min_nodes + int(u * (self.max_nodes - self.min_nodes + 1))

    def draw_samples(self, generator) -> int:
        """The number of samples of the next batch."""
        if self.samples_distribution == "log_uniform":
            return _log_uniform_int(self.min_samples, self.max_samples, generator)
        return int(torch.randint(self.min_samples, self.max_samples + 1, (1,), generator=generator))

    def batch_size(self, n_nodes: int) -> int:
        """Datasets in a batch of graphs with ``n_nodes`` nodes."""
        return min(self.max_batch_size, max(1, self.tokens_per_batch // (n_nodes * n_nodes)))


@dataclass(frozen=True)
class GraphPrior:
    """Random DAGs: each dataset draws a family of ``GRAPHS`` from ``kinds`` (repeats weight it)
    and an expected number of parents per node in [min_edges_per_node, max_edges_per_node].
    With ``empty_probability`` a dataset's graph has no edges at all."""

    kinds: tuple = DEFAULT_GRAPHS
    min_edges_per_node: float = 1.0
    max_edges_per_node: float = 4.0
    empty_probability: float = 0.0

    def __post_init__(self):
        _kinds(self, "kinds", GRAPHS)
        _ranges(self, ("min_edges_per_node", "max_edges_per_node"))
        _probabilities(self, "empty_probability")


@dataclass(frozen=True)
class MechanismPrior:
    """The functions f(parents): each dataset draws one of ``MECHANISMS`` from ``kinds``.

    With ``mixed_probability`` a dataset lets each node draw its own mechanism instead. With
    ``raw_units_probability`` an SCM is simulated in raw units (variance accumulates along the
    causal order, see ``simulate``) instead of internally standardised.
    """

    kinds: tuple = DEFAULT_MECHANISMS
    mixed_probability: float = 0.0
    raw_units_probability: float = 0.0

    def __post_init__(self):
        _kinds(self, "kinds", MECHANISMS)
        _probabilities(self, "mixed_probability", "raw_units_probability")


@dataclass(frozen=True)
class NoisePrior:
    """The exogenous noise: a family of ``NOISES`` per dataset, scaled per node by a noise scale
    in [min_scale, max_scale] (the signal-to-noise ratio); heteroscedastic (scaled by a function
    of the parents) with ``heteroscedastic_probability``. With ``root_law_probability`` a node
    without parents draws from one of ``root_laws`` (``ROOT_LAWS``) instead."""

    kinds: tuple = tuple(NOISES)
    min_scale: float = 0.2
    max_scale: float = 1.0
    heteroscedastic_probability: float = 0.25
    root_law_probability: float = 0.0
    root_laws: tuple = tuple(ROOT_LAWS)

    def __post_init__(self):
        _kinds(self, "kinds", NOISES)
        _kinds(self, "root_laws", ROOT_LAWS)
        _ranges(self, ("min_scale", "max_scale"))
        _probabilities(self, "heteroscedastic_probability", "root_law_probability")


@dataclass(frozen=True)
class InterventionPrior:
    """Interventions: a dataset is interventional with ``probability``; it then intervenes on
    1..d targets in a share [min_fraction, max_fraction] of its rows, with one kind of
    ``INTERVENTION_KINDS`` drawn from ``kinds``. With ``off_target_probability`` its
    interventions also hit 1-2 other variables in the same rows ("fat hand"), which the mask
    does not show."""

    kinds: tuple = ("hard",)
    probability: float = 0.5
    min_fraction: float = 0.1
    max_fraction: float = 0.7
    off_target_probability: float = 0.0

    def __post_init__(self):
        _kinds(self, "kinds", INTERVENTION_KINDS)
        _ranges(self, ("min_fraction", "max_fraction"))
        if self.max_fraction > 1:
            raise ValueError(f"{_label(self, 'max_fraction')} must be <= 1.")
        _probabilities(self, "probability", "off_target_probability")


@dataclass(frozen=True)
class MeasurementPrior:
    """How values are observed (``datasets/_measurement.py``), each with its probability: per
    column a monotone map from ``distortions`` (``DISTORTION_MAPS``), rounding to a grid of 4-50
    steps, clipping at the 85-99% quantile; per dataset noise of 0.05-0.5 sd on every value, and
    0.5-2% of each column's values as outliers at 5-10 sd."""

    distortion_probability: float = 0.0
    noise_probability: float = 0.0
    rounding_probability: float = 0.0
    clipping_probability: float = 0.0
    outlier_probability: float = 0.0
    distortions: tuple = tuple(DISTORTION_MAPS)

    def __post_init__(self):
        _kinds(self, "distortions", DISTORTION_MAPS)
        _probabilities(
            self,
            "distortion_probability",
            "noise_probability",
            "rounding_probability",
            "clipping_probability",
            "outlier_probability",
        )

    @property
    def active(self) -> bool:
        """Whether any distortion can happen (if not, ``observe`` draws nothing)."""
        return any(
            (
                self.distortion_probability,
                self.noise_probability,
                self.rounding_probability,
                self.clipping_probability,
                self.outlier_probability,
            )
        )


@dataclass(frozen=True)
class EnvironmentPrior:
    """Environments with unknown targets: with ``probability`` a dataset comes as
    [min_environments, max_environments] blocks of rows, each with 1..max_targets targets; with
    ``reference_probability`` the first is observational. Of those datasets, a share
    ``known_targets_probability`` also gives the mask; the others only the labels."""

    probability: float = 0.0
    min_environments: int = 2
    max_environments: int = 20
    max_targets: int = 3
    reference_probability: float = 0.5
    known_targets_probability: float = 1.0

    def __post_init__(self):
        if not 2 <= self.min_environments <= self.max_environments or self.max_targets < 1:
            raise ValueError(
                f"need 2 <= min_environments <= max_environments and "
                f"{_label(self, 'max_targets')} >= 1."
            )
        _probabilities(self, "probability", "reference_probability", "known_targets_probability")


@dataclass(frozen=True)
class CleanBatches:
    """A share ``probability`` of whole batches drawn from the v1 preset at this config's sizes,
    so that a wide prior keeps its clean corner (standardised nodes, no distortions) in view.

    ``intervention_kinds`` are the kinds of those batches. v1's prior knows only "hard"; a model
    that sees many clean batches with hard-only masks learns that a mask means "hard", so soft
    targets then cost it accuracy. ``off_target_probability`` gives their interventions effects
    the mask does not show, as ``InterventionPrior``'s does (v1 has none: a model that never sees
    them in clean data learns that a clean mask is always complete).
    """

    probability: float = 0.0
    intervention_kinds: tuple = ("hard",)
    off_target_probability: float = 0.0

    def __post_init__(self):
        _kinds(self, "intervention_kinds", INTERVENTION_KINDS)
        _probabilities(self, "probability", "off_target_probability")


@dataclass(frozen=True)
class DataTypePrior:
    """Discrete columns (``datasets/_discrete.py``): with ``discrete_probability`` a dataset makes
    a share [min_discrete_share, max_discrete_share] of its nodes (at least one) discrete, each of
    a kind drawn from ``kinds`` (``DISCRETE_KINDS``; repeats weight) with 2 (binary) or
    [min_levels, max_levels] levels. Discrete nodes are discrete inside the structural equations."""

    discrete_probability: float = 0.0
    min_discrete_share: float = 0.2
    max_discrete_share: float = 1.0
    kinds: tuple = DISCRETE_KINDS
    min_levels: int = 2
    max_levels: int = 10

    def __post_init__(self):
        _kinds(self, "kinds", DISCRETE_KINDS)
        _probabilities(self, "discrete_probability", "min_discrete_share", "max_discrete_share")
        _ranges(self, ("min_discrete_share", "max_discrete_share"))
        if not 2 <= self.min_levels <= self.max_levels:
            raise ValueError("need 2 <= columns.min_levels <= columns.max_levels.")


@dataclass(frozen=True)
class MissingPrior:
    """Missing cells (``datasets/_missing.py``): with ``probability`` a dataset loses an overall
    share [min_rate, max_rate] (at most 0.8) of its cells, spread over a share
    [min_column_share, max_column_share] of its columns, each by one of ``mechanisms``
    (``MISSING_MECHANISMS``: "mcar", "mar", "mnar"; repeats weight)."""

    probability: float = 0.0
    min_rate: float = 0.05
    max_rate: float = 0.5
    min_column_share: float = 0.3
    max_column_share: float = 1.0
    mechanisms: tuple = MISSING_MECHANISMS

    def __post_init__(self):
        _kinds(self, "mechanisms", MISSING_MECHANISMS)
        _probabilities(self, "probability", "min_column_share", "max_column_share")
        _ranges(self, ("min_rate", "max_rate"), ("min_column_share", "max_column_share"))
        if self.max_rate > 0.8:
            raise ValueError(f"missing.max_rate must be <= 0.8; got {self.max_rate!r}.")


PARTS = {
    "sizes": Sizes,
    "graph": GraphPrior,
    "mechanism": MechanismPrior,
    "noise": NoisePrior,
    "intervention": InterventionPrior,
    "measurement": MeasurementPrior,
    "environment": EnvironmentPrior,
    "clean": CleanBatches,
    "columns": DataTypePrior,
    "missing": MissingPrior,
}

# The flat keys of earlier versions (configs, resume files, keywords): name -> (part, field).
FLAT_FIELDS = {
    **{name: ("sizes", name) for name in (f.name for f in fields(Sizes))},
    "graphs": ("graph", "kinds"),
    "min_edges_per_node": ("graph", "min_edges_per_node"),
    "max_edges_per_node": ("graph", "max_edges_per_node"),
    "mechanisms": ("mechanism", "kinds"),
    "mixed_mechanism_probability": ("mechanism", "mixed_probability"),
    "raw_units_probability": ("mechanism", "raw_units_probability"),
    "noises": ("noise", "kinds"),
    "min_noise_scale": ("noise", "min_scale"),
    "max_noise_scale": ("noise", "max_scale"),
    "heteroscedastic_probability": ("noise", "heteroscedastic_probability"),
    "root_law_probability": ("noise", "root_law_probability"),
    "intervention_kinds": ("intervention", "kinds"),
    "interventional_probability": ("intervention", "probability"),
    "min_intervention_fraction": ("intervention", "min_fraction"),
    "max_intervention_fraction": ("intervention", "max_fraction"),
    "off_target_probability": ("intervention", "off_target_probability"),
    "distortion_probability": ("measurement", "distortion_probability"),
    "measurement_noise_probability": ("measurement", "noise_probability"),
    "rounding_probability": ("measurement", "rounding_probability"),
    "clipping_probability": ("measurement", "clipping_probability"),
    "outlier_probability": ("measurement", "outlier_probability"),
    "environment_probability": ("environment", "probability"),
    "min_environments": ("environment", "min_environments"),
    "max_environments": ("environment", "max_environments"),
    "max_environment_targets": ("environment", "max_targets"),
    "reference_probability": ("environment", "reference_probability"),
    "known_targets_probability": ("environment", "known_targets_probability"),
    "clean_batch_probability": ("clean", "probability"),
    "clean_intervention_kinds": ("clean", "intervention_kinds"),
}
