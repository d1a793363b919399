"""What a call of pretrain() works on: the resolved run, and its state (the resume file).

:func:`resolve_run` reconciles the given config with a resume file and an ``init_from``
checkpoint. :class:`RunState` is where the run stands (step, datasets seen, wall time, phases,
log rows, data streams); it reads itself from a resume file and writes the resume file and the
shippable checkpoint, each staged and renamed into place so that a killed save leaves the last
complete one.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from skcausal._files import atomic_write
from skcausal.pretraining._config import TrainConfig
from skcausal.zeroshot._checkpoint import DEFAULT_NAME, Checkpoint

RESUME_NAME = "resume.pt"
# Settings that do not change what is trained, or only the schedule's length.
_RESUMABLE_CHANGES = {
    "steps",
    "validate_every",
    "checkpoint_every",
    "validation_ood",
    "validation_structures",
}


def load_resume(path) -> dict:
    """Read a resume file (tensors and plain values only: weights_only=True, never arbitrary
    pickle)."""
    path = Path(path)
    if path.is_dir():
        path = path / RESUME_NAME
    if not path.exists():
        raise FileNotFoundError(f"resume file not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several types for a damaged zip archive
        raise ValueError(
            f"{path} is not a complete resume file ({type(err).__name__}: {err})."
        ) from None


def _stream_states(state):
    """Per-rank data-stream states of a resume file (files written before workers existed too)."""
    if "data_streams" in state:
        return state["data_streams"]
    return [{"num_workers": 0, "rng": [rng], "next_worker": 0} for rng in state["data_rng"]]


@dataclass
class Run:
    """A resolved run: its config, the step to stop at, the resume file's content (None for a
    new run) and the checkpoint it starts from (``init_from``; None for a random start)."""

    config: TrainConfig
    stop_step: int
    resumed: dict | None = None
    initial: Checkpoint | None = None


def resolve_run(config=None, *, resume=None, init_from=None, steps=None) -> Run:
    """The run that ``pretrain(config, resume=..., init_from=..., steps=...)`` trains.

    A resumed run keeps its saved config; a given one may differ from it only in
    ``_RESUMABLE_CHANGES`` (anything else would make it a different run).
    """
    state = load_resume(resume) if resume is not None else None
    if isinstance(config, (str, os.PathLike)):
        config = TrainConfig.from_json(config)
    elif isinstance(config, dict):
        config = TrainConfig.from_dict(config)
    if state is not None:
        saved = TrainConfig.from_dict(state["config"])  # flat simulation keys of old files too
        if config is not None:
            new, old = config.to_dict(), saved.to_dict()
            changed = sorted(k for k in new if new[k] != old[k] and k not in _RESUMABLE_CHANGES)
            if changed:
                raise ValueError(
                    f"config differs from the resumed run's config in {changed}; only "
                    f"{sorted(_RESUMABLE_CHANGES)} may change on resume (or pass config=None)."
                )
            if config.steps != saved.steps:
                warnings.warn(
                    f"schedule length changed from {saved.steps} to {config.steps} steps at "
                    f"step {state['step']}.",
                    stacklevel=2,
                )
        config = config or saved
    config = config or TrainConfig()
    if init_from is not None and state is not None:
        raise ValueError("init_from starts a new run; it cannot be combined with resume.")
    initial = Checkpoint.load(init_from) if init_from is not None else None
    return Run(config, config.steps if steps is None else int(steps), state, initial)


class RunState:
    """Where a run stands, and its resume file.

    Parameters
    ----------
    resumed : dict, optional
        The content of a resume file (:func:`load_resume`); None starts at step 0.
    """

    def __init__(self, resumed=None):
        self.resumed = resumed
        r = resumed or {}
        self.step, self.datasets_seen = r.get("step", 0), r.get("datasets_seen", 0)
        self.wall_time = r.get("wall_time", 0.0)
        # Each call of pretrain() on a run is a phase; the resume file keeps them and the log, so
        # the log and plot of a run continued elsewhere (a fresh machine, another folder) span
        # every phase.
        self.phases = list(r.get("phases", []))
        self.log_rows = [dict(row) for row in r["log"]] if "log" in r else None

    def restore(self, model, optimizer):
        """Load the resumed weights and optimiser state (nothing for a new run)."""
        if self.resumed is not None:
            model.load_state_dict(self.resumed["model"])
            optimizer.load_state_dict(self.resumed["optimizer"])

    def stream_start(self, rank, world, num_workers):
        """(state, restart) for this rank's :class:`TrainingStream`: the saved stream when the
        processes and workers are as they were, else fresh streams (restart > 0), with a warning."""
        if self.resumed is None:
            return None, 0
        streams = _stream_states(self.resumed)
        if len(streams) != world:
            warnings.warn(
                f"resumed with a different number of processes ({len(streams)} -> {world}): "
                "data streams are re-seeded.",
                stacklevel=2,
            )
            return None, self.step + 1
        if streams[rank]["num_workers"] != num_workers:
            warnings.warn(
                f"resumed with a different number of data workers ({streams[rank]['num_workers']} "
                f"-> {num_workers}): data streams are re-seeded.",
                stacklevel=2,
            )
            return None, self.step + 1
        return streams[rank], 0

    def start_phase(self, **facts):
        """Record this call of pretrain() as a phase starting at the current step."""
        self.phases.append({"step": self.step, **facts, "started": round(time.time())})

    def write(
        self,
        out,
        *,
        model,
        optimizer,
        config,
        seen,
        streams,
        world,
        rank,
        num_workers,
        metrics,
        log_rows,
    ):
        """Write the resume file, then the checkpoint, and note it in ``checkpoints.log``.

        ``seen`` is the datasets seen by all ranks, ``streams`` every rank's stream state.
        Returns the weights file.
        """
        out = Path(out)
        meta = {
            "training_config": config.to_dict(),
            "step": self.step,
            "datasets_seen": seen,
            "wall_time_seconds": round(self.wall_time, 1),
            "world_size": world,
            "validation": metrics,
            "phases": self.phases,
        }
        resume_state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "config": config.to_dict(),
            "step": self.step,
            "datasets_seen": seen,
            "wall_time": self.wall_time,
            "data_streams": streams,
            "num_workers": num_workers,
            "phases": self.phases,
            "log": log_rows,
        }
        atomic_write(out / RESUME_NAME, lambda tmp: torch.save(resume_state, tmp))
        path = Checkpoint.from_model(model, meta).save(out / f"{DEFAULT_NAME}.safetensors")
        with open(out / "checkpoints.log", "a") as f:
            f.write(
                f"step={self.step} rank={rank} world_size={world} datasets_seen={seen} "
                f"time={time.time():.0f}\n"
            )
        return path


_ARCHITECTURE = ("dim", "n_layers", "n_heads", "mlp_ratio")


def load_widened(model, checkpoint) -> str:
    """Load a checkpoint's weights into ``model``, whose config may read more token features, add
    the target head or compute the features with another ridge rule (the architecture may not
    differ).

    The embedding's weights for the new features start at zero, so the widened network computes
    what the checkpoint did; the target head keeps its fresh initialisation. Returns a note of
    what was widened ("" when the configs are equal).
    """
    old, new = checkpoint.model_config, model.config
    differ = [k for k in _ARCHITECTURE if getattr(old, k) != getattr(new, k)]
    if differ or old.n_features > new.n_features or (old.target_head and not new.target_head):
        raise ValueError(
            f"init_from's model config {old} cannot start a run of {new}: only more token "
            "features and an added target head are allowed."
        )
    state = model.state_dict()
    for key, value in checkpoint.state_dict.items():
        if key == "embed.0.weight" and value.shape[1] < state[key].shape[1]:
            widened = torch.zeros_like(state[key])
            widened[:, : value.shape[1]] = value
            value = widened
        state[key] = value
    model.load_state_dict(state)
    notes = []
    if old.n_features < new.n_features:
        notes.append(
            f"token features {old.n_features} -> {new.n_features} (new embedding weights zero)"
        )
    if new.target_head and not old.target_head:
        notes.append("target head added (fresh initialisation)")
    old_rules = old.feature_rules()
    for rule, value in new.feature_rules().items():
        if value != old_rules[rule]:
            notes.append(f"features' {rule} {old_rules[rule]} -> {value}")
    return "; ".join(notes)
