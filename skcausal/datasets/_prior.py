"""The simulation prior as data: :class:`SimulationConfig`, nested by part, and named presets.

Each part is a small frozen dataclass that validates itself; the kinds it names (graphs,
mechanisms, noises, root laws, intervention kinds, distortions) are looked up in their registries,
so adding a kind means registering it, not editing the config. A part that is switched off (its
probability 0) draws nothing from the generator, so a config that does not use a part draws the
same stream as one written before the part existed; a prior that must not move is kept as a
preset (``PRESETS``), never as a branch in the simulator.

The flat keyword form of earlier versions (``SimulationConfig(max_nodes=12,
environment_probability=0.3)``, and flat JSON ``simulation`` blocks of configs and resume files)
is still accepted and still readable (``config.max_nodes``): ``FLAT_FIELDS`` maps each flat name
to its part and field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field

from skcausal.datasets._graphs import GRAPHS
from skcausal.datasets._parts import (
    FLAT_FIELDS,
    PARTS,
    CleanBatches,
    DataTypePrior,
    EnvironmentPrior,
    GraphPrior,
    InterventionPrior,
    MeasurementPrior,
    MechanismPrior,
    MissingPrior,
    NoisePrior,
    Sizes,
)

_V2_MECHANISMS = (
    "linear",
    "mlp",
    "sine",
    "tanh",
    "quadratic",
    "threshold",
    "rff",
    "hill",
    "piecewise",
    "interaction",
)
_V2_KINDS = ("hard", "far", "shift", "soft", "soft")  # soft twice as often as each other kind
# Named priors, as nested dicts over the defaults. A preset never changes once a model has been
# trained on it: a new prior gets a new name, so every old stream stays reproducible.
PRESETS = {
    # The v1 model's prior (configs/default.json): the defaults at d 2-100, n 200-2,000.
    "v1": {"sizes": {"max_nodes": 100, "node_distribution": "log_uniform", "max_samples": 2000}},
    # The prior of the v2 fine-tunes that v2 averages with v1 (configs/v2-soft2.json).
    "v2": {
        "sizes": {
            "max_nodes": 200,
            "node_distribution": "log_uniform",
            "min_samples": 50,
            "max_samples": 2000,
            "samples_distribution": "log_uniform",
        },
        "graph": {"kinds": tuple(GRAPHS), "min_edges_per_node": 0.3, "max_edges_per_node": 4.0},
        "mechanism": {
            "kinds": _V2_MECHANISMS,
            "mixed_probability": 0.3,
            "raw_units_probability": 0.25,
        },
        "noise": {"min_scale": 0.05, "max_scale": 3.0, "root_law_probability": 0.5},
        "intervention": {"kinds": _V2_KINDS, "max_fraction": 0.95, "off_target_probability": 0.2},
        "measurement": {
            "distortion_probability": 0.3,
            "noise_probability": 0.3,
            "rounding_probability": 0.1,
            "clipping_probability": 0.1,
            "outlier_probability": 0.1,
        },
        "environment": {"probability": 0.3, "known_targets_probability": 0.25},
        "clean": {"probability": 0.5, "intervention_kinds": _V2_KINDS},
    },
}
# The shared prior of model v3 (configs/v3.json): v2 widened to n 10-10,000, discrete columns,
# missing cells, empty graphs, and monotone re-expressions in half of the columns.
PRESETS["v3"] = {
    **PRESETS["v2"],
    "sizes": {**PRESETS["v2"]["sizes"], "min_samples": 10, "max_samples": 10_000},
    "graph": {**PRESETS["v2"]["graph"], "empty_probability": 0.05},
    "measurement": {**PRESETS["v2"]["measurement"], "distortion_probability": 0.5},
    "columns": {"discrete_probability": 0.3, "min_discrete_share": 0.2, "max_discrete_share": 1.0},
    "missing": {"probability": 0.3, "min_rate": 0.05, "max_rate": 0.5},
}


@dataclass(init=False)
class SimulationConfig:
    """The distribution of SCMs that :class:`SCMBatchSampler` draws from, in parts.

    With every default the stream is bit-identical to the one v1 was trained on
    (``tests/datasets/test_prior.py``). Each widening is a probability or a list of kinds in one
    part, defaulting to that prior: SEMs in raw units, root laws and measurement (monotone maps,
    noise, rounding, clipping, outliers), intervention kinds (hard, far, shift, soft) with
    off-target effects the mask does not show, the layered, hub and tree graphs, the Hill, piecewise
    and interaction mechanisms (mixed per node), environments with unknown targets, and a share of
    clean batches from the v1 preset; discrete columns, missing cells and empty graphs. The presets
    ``"v1"`` and ``"v2"`` (:meth:`preset`) are the priors the shipped models were trained on,
    ``"v3"`` the shared prior of model v3.

    Parameters
    ----------
    sizes : Sizes, optional
        Nodes, samples and batch sizes.
    graph, mechanism, noise, intervention, measurement, environment : parts, optional
        :class:`GraphPrior`, :class:`MechanismPrior`, :class:`NoisePrior`,
        :class:`InterventionPrior`, :class:`MeasurementPrior`, :class:`EnvironmentPrior`.
    clean : CleanBatches, optional
        The share of batches drawn from the v1 preset.
    columns, missing : parts, optional
        :class:`DataTypePrior` (discrete columns) and :class:`MissingPrior` (missing cells).
    **flat
        The flat keys of earlier versions (``FLAT_FIELDS``), e.g. ``max_nodes=12``; each replaces
        its field in the part given or defaulted above.

    Examples
    --------
    >>> from skcausal.datasets import SimulationConfig
    >>> config = SimulationConfig(max_nodes=12, environment_probability=0.3)
    >>> config.sizes.max_nodes, config.environment.probability, config.max_nodes
    (12, 0.3, 12)
    >>> v2 = SimulationConfig.preset("v2", sizes={"max_samples": 10_000})
    >>> v2.sizes.max_samples, v2.intervention.kinds[-1]
    (10000, 'soft')
    """

    sizes: Sizes = field(default_factory=Sizes)
    graph: GraphPrior = field(default_factory=GraphPrior)
    mechanism: MechanismPrior = field(default_factory=MechanismPrior)
    noise: NoisePrior = field(default_factory=NoisePrior)
    intervention: InterventionPrior = field(default_factory=InterventionPrior)
    measurement: MeasurementPrior = field(default_factory=MeasurementPrior)
    environment: EnvironmentPrior = field(default_factory=EnvironmentPrior)
    clean: CleanBatches = field(default_factory=CleanBatches)
    columns: DataTypePrior = field(default_factory=DataTypePrior)
    missing: MissingPrior = field(default_factory=MissingPrior)

    def __init__(
        self,
        *,
        sizes=None,
        graph=None,
        mechanism=None,
        noise=None,
        intervention=None,
        measurement=None,
        environment=None,
        clean=None,
        columns=None,
        missing=None,
        **flat,
    ):
        given = dict(
            sizes=sizes,
            graph=graph,
            mechanism=mechanism,
            noise=noise,
            intervention=intervention,
            measurement=measurement,
            environment=environment,
            clean=clean,
            columns=columns,
            missing=missing,
        )
        unknown = sorted(set(flat) - set(FLAT_FIELDS))
        if unknown:
            raise TypeError(
                f"SimulationConfig got unknown keys {unknown}; parts: {list(PARTS)}, "
                f"flat keys: {sorted(FLAT_FIELDS)}."
            )
        changes = {name: {} for name in PARTS}
        for key, value in flat.items():
            part, name = FLAT_FIELDS[key]
            changes[part][name] = value
        for name, cls in PARTS.items():
            part = given[name]
            if isinstance(part, dict):
                part = cls(**part)
            elif part is None:
                part = cls()
            elif not isinstance(part, cls):
                raise TypeError(
                    f"{name} must be a {cls.__name__} or a dict; got {type(part).__name__}."
                )
            if changes[name]:
                part = dataclasses.replace(part, **changes[name])
            object.__setattr__(self, name, part)

    def __getattr__(self, name):
        # Only called when normal lookup fails: the flat names read through to their part.
        if name in FLAT_FIELDS:
            part, key = FLAT_FIELDS[name]
            if part in self.__dict__:
                return getattr(self.__dict__[part], key)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name in FLAT_FIELDS:  # a flat assignment replaces (and so re-validates) its part
            part, key = FLAT_FIELDS[name]
            name, value = part, dataclasses.replace(getattr(self, part), **{key: value})
        elif name in PARTS and not isinstance(value, PARTS[name]):
            raise TypeError(f"{name} must be a {PARTS[name].__name__}.")
        object.__setattr__(self, name, value)

    @classmethod
    def preset(cls, name: str, **parts) -> SimulationConfig:
        """The named prior of ``PRESETS`` ("v1", "v2", "v3"), with some parts replaced or updated.

        Parameters
        ----------
        name : str
            A key of ``PRESETS``.
        **parts
            A part (replaces the preset's), a dict (updates the preset's part field by field) or
            a flat key (replaces one field).
        """
        if name not in PRESETS:
            raise ValueError(f"unknown preset {name!r}; known: {sorted(PRESETS)}.")
        nested = {part: dict(values) for part, values in PRESETS[name].items()}
        flat = {k: parts.pop(k) for k in list(parts) if k in FLAT_FIELDS}
        for part, value in parts.items():
            if part not in PARTS:
                raise TypeError(f"unknown part {part!r}; parts: {list(PARTS)}.")
            if isinstance(value, dict):
                value = {**nested.get(part, {}), **value}
            nested[part] = value
        return cls(**nested, **flat)

    @classmethod
    def from_dict(cls, data: dict) -> SimulationConfig:
        """A config from its dict: nested (the parts of :meth:`to_dict`), flat (the keys of
        earlier versions), or either with ``"preset": NAME`` to start from a preset."""
        data = dict(data)
        unknown = sorted(set(data) - set(PARTS) - set(FLAT_FIELDS) - {"preset"})
        if unknown:
            raise ValueError(
                f"unknown simulation config keys {unknown}; allowed: 'preset', the "
                f"parts {list(PARTS)} and the flat keys {sorted(FLAT_FIELDS)}."
            )
        preset = data.pop("preset", None)
        return cls.preset(preset, **data) if preset is not None else cls(**data)

    def to_dict(self) -> dict:
        """The nested form (each part a dict), which :meth:`from_dict` reads back."""
        return asdict(self)

    def sample_nodes(self, generator) -> int:
        """The number of nodes of the next batch (see :meth:`Sizes.draw_nodes`)."""
        return self.sizes.draw_nodes(generator)

    def clean_config(self) -> SimulationConfig:
        """The prior of the clean batches: the v1 preset at this config's sizes, with the clean
        batches' intervention kinds."""
        intervention = {
            "kinds": self.clean.intervention_kinds,
            "off_target_probability": self.clean.off_target_probability,
        }
        return SimulationConfig.preset("v1", sizes=self.sizes, intervention=intervention)
