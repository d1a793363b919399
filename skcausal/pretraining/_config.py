"""TrainConfig: everything that defines a pretraining run, readable from and written to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from skcausal.datasets._prior import SimulationConfig
from skcausal.zeroshot._model import ModelConfig


@dataclass
class TrainConfig:
    """A pretraining run. ``steps`` is the length of the learning-rate schedule (the run's horizon);
    ``pretrain(steps=..., time_budget=...)`` may stop earlier and a resumed run continues it."""

    model: ModelConfig = field(default_factory=ModelConfig)
    simulation: SimulationConfig = field(default_factory=SimulationConfig)
    steps: int = 50_000
    learning_rate: float = 1e-3
    min_learning_rate: float = 5e-5
    warmup_steps: int = 200
    weight_decay: float = 0.01
    grad_clip: float = 1.0
    validate_every: int = 250
    checkpoint_every: int = 250
    validation_samples: int = 500
    validation_datasets: int = 8  # per family and size
    validation_ood: bool = True  # out-of-distribution families (see pretraining/_holdout.py)
    validation_structures: bool = True  # data on real network structures (needs pgmpy 1.0)
    # v3's families: screens, pure noise, n = 10,000, missing/discrete, discrete networks
    validation_v3: bool = False
    # Weight of the environments' target loss (binary cross-entropy over the valid environments'
    # variables) beside the edge loss; used when the model has a target head and the batch has
    # environments.
    target_loss_weight: float = 0.5
    # The share of batches seen in the invariant mode (every column as the normal scores of its
    # ranks, ZeroShotCausalDiscovery(marginals="ranks")): one model serves both modes.
    invariant_probability: float = 0.0
    # The share of batches (without environments, not in the invariant mode) seen a second time
    # with one continuous column per dataset put through a monotone map, and the weight of the
    # mean squared difference of the two views' probabilities in the loss
    # (skcausal/pretraining/_paired.py); "max": each dataset's largest squared difference instead.
    consistency_probability: float = 0.0
    consistency_weight: float = 10.0
    consistency_reduction: str = "mean"
    precision: str = (
        "fp32"  # or "bf16": the network runs under bfloat16 autocast (features stay fp32)
    )

    def __post_init__(self):
        if self.precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be 'fp32' or 'bf16'; got {self.precision!r}.")
        for name in ("invariant_probability", "consistency_probability"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1]; got {getattr(self, name)!r}.")
        if self.consistency_reduction not in ("mean", "max"):
            raise ValueError(
                "consistency_reduction must be 'mean' or 'max'; "
                f"got {self.consistency_reduction!r}."
            )
        if self.consistency_weight < 0:
            raise ValueError(f"consistency_weight must be >= 0; got {self.consistency_weight!r}.")

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        data = dict(data)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown training config keys {unknown}; allowed: {sorted(known)}.")
        model = ModelConfig(**data.pop("model", {}))
        # Nested parts, the flat keys of earlier configs and resume files, or a named preset.
        simulation = data.pop("simulation", {})
        if not isinstance(simulation, SimulationConfig):
            simulation = SimulationConfig.from_dict(simulation)
        return cls(model=model, simulation=simulation, **data)

    @classmethod
    def from_json(cls, path) -> TrainConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def to_dict(self) -> dict:
        return asdict(self)
