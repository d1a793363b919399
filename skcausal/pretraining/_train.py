"""pretrain(): the training loop of the zero-shot model, single-process or under torchrun (DDP)."""

from __future__ import annotations

import dataclasses
import math
import os
import time
import warnings
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from skcausal.datasets._simulator import SCMBatchSampler
from skcausal.pretraining._config import TrainConfig
from skcausal.pretraining._log import TrainingLog
from skcausal.pretraining._validation import ValidationSuite
from skcausal.zeroshot._checkpoint import DEFAULT_NAME, Checkpoint, atomic_write, torch_device
from skcausal.zeroshot._features import pair_features
from skcausal.zeroshot._model import PairGridTransformer

RESUME_NAME = "resume.pt"
_RESUMABLE_CHANGES = {"steps", "validate_every", "checkpoint_every"}


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to ``min_learning_rate`` at ``config.steps``."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps))
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return config.min_learning_rate + (config.learning_rate - config.min_learning_rate) * cosine


def edge_loss(logits, adjacency):
    """Binary cross-entropy over the off-diagonal entries (the diagonal is never an edge)."""
    d = adjacency.shape[-1]
    off = ~torch.eye(d, dtype=torch.bool, device=logits.device)
    return F.binary_cross_entropy_with_logits(logits[:, off], adjacency[:, off])


def _init_distributed(device):
    """Join the process group torchrun set up (gloo on CPU, nccl on CUDA).

    Returns (rank, world size, device, whether this call created the group and must destroy it).
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return 0, 1, torch_device(device), False
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size(), torch_device(device), False
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    dev = torch_device(device)
    if dev.type == "cuda":
        dev = torch.device("cuda", local_rank)
        torch.cuda.set_device(dev)
    dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    return dist.get_rank(), dist.get_world_size(), dev, True


def _any_rank(flag: bool, world: int, device) -> bool:
    if world == 1:
        return flag
    t = torch.tensor([float(flag)], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item())


def _gather(obj, world):
    if world == 1:
        return [obj]
    out = [None] * world
    dist.all_gather_object(out, obj)
    return out


def load_resume(path) -> dict:
    """Read a resume file (tensors and plain values only: weights_only=True, never arbitrary pickle)."""
    path = Path(path)
    if path.is_dir():
        path = path / RESUME_NAME
    if not path.exists():
        raise FileNotFoundError(f"resume file not found: {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises several types for a damaged zip archive
        raise ValueError(f"{path} is not a complete resume file ({type(err).__name__}: {err}).") from None


def pretrain(config=None, *, out, steps=None, time_budget=None, resume=None, device="auto",
             callbacks=(), random_state=0):
    """Pretrain the zero-shot model on an endless stream of simulated SCMs.

    Parameters
    ----------
    config : TrainConfig, dict, path to a JSON file, or None
        The run (model, simulated data distribution, optimiser, schedule); None uses the defaults.
        When resuming, None continues the saved config; a given config may differ from it only in
        ``steps`` (the schedule's length: extend a finished run, or anneal one early),
        ``validate_every`` and ``checkpoint_every``.
    out : path
        Folder for ``skcausal-zeroshot.safetensors`` + ``.json`` (the model, shippable),
        ``resume.pt`` (optimiser, RNG, step), ``log.csv``, ``training.png`` and
        ``checkpoints.log`` (one line per checkpoint written, with the rank that wrote it).
    steps : int, optional
        Stop at this step (absolute; default ``config.steps``).
    time_budget : float, optional
        Stop after this many seconds of this call (a checkpoint is written on stopping).
    resume : path, optional
        A ``resume.pt`` file (or its folder) from an earlier run; the run continues exactly.
    device : "auto", "cpu", "cuda", ...
    callbacks : sequence of callables
        Each is called ``callback(step, logs)`` after every step (``logs`` has ``loss``, ``lr`` and,
        after a validation, the validation metrics); returning True stops the run.
    random_state : int
        Seeds the model initialisation and the data stream (rank r of a distributed run uses its
        own stream derived from it).

    Returns
    -------
    pathlib.Path
        The weights file written last.

    Examples
    --------
    >>> import tempfile
    >>> from skcausal import pretrain
    >>> from skcausal.pretraining import TrainConfig
    >>> cfg = TrainConfig.from_dict({"steps": 3, "model": {"dim": 16, "n_layers": 1},
    ...     "simulation": {"max_nodes": 5, "min_samples": 50, "max_samples": 100, "tokens_per_batch": 100},
    ...     "validation_datasets": 1})
    >>> path = pretrain(cfg, out=tempfile.mkdtemp(), device="cpu")
    >>> path.name
    'skcausal-zeroshot.safetensors'
    """
    rank, world, dev, owns_group = _init_distributed(device)
    out = Path(out)
    state = load_resume(resume) if resume is not None else None
    if isinstance(config, (str, os.PathLike)):
        config = TrainConfig.from_json(config)
    elif isinstance(config, dict):
        config = TrainConfig.from_dict(config)
    if state is not None:
        saved = TrainConfig.from_dict(state["config"])
        if config is not None:
            # Only the schedule's length may change on resume (to extend a finished run or anneal
            # one early); anything else would make it a different run.
            new, old = config.to_dict(), saved.to_dict()
            changed = sorted(k for k in new if new[k] != old[k] and k not in _RESUMABLE_CHANGES)
            if changed:
                raise ValueError(
                    f"config differs from the resumed run's config in {changed}; only "
                    f"{sorted(_RESUMABLE_CHANGES)} may change on resume (or pass config=None)."
                )
            if config.steps != saved.steps:
                warnings.warn(f"schedule length changed from {saved.steps} to {config.steps} steps at "
                              f"step {state['step']}.")
        config = config or saved
    config = config or TrainConfig()
    stop_step = config.steps if steps is None else int(steps)

    torch.manual_seed(random_state)
    model = PairGridTransformer(config.model).to(dev)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    # Each rank draws its share of the global batch from its own stream.
    per_rank = dataclasses.replace(
        config.simulation,
        tokens_per_batch=max(1, config.simulation.tokens_per_batch // world),
        max_batch_size=max(1, config.simulation.max_batch_size // world),
    )
    sampler = SCMBatchSampler(per_rank, generator=random_state * 1_000_003 + rank)
    step, datasets_seen, wall_time = 0, 0, 0.0
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, datasets_seen, wall_time = state["step"], state["datasets_seen"], state["wall_time"]
        if len(state["data_rng"]) == world:
            sampler.generator.set_state(state["data_rng"][rank])
        else:
            warnings.warn("resumed with a different number of processes: data streams are re-seeded.")
            sampler.generator.manual_seed(random_state * 1_000_003 + rank + 7919 * step)
    net = DistributedDataParallel(model) if world > 1 else model
    log = TrainingLog(out) if rank == 0 else None
    if log is not None:
        log.truncate(step)
    validation = ValidationSuite(config.simulation, config.validation_samples, config.validation_datasets) \
        if rank == 0 else None
    metrics = {}

    def save():
        nonlocal metrics
        seen = sum(_gather(datasets_seen, world))
        rngs = _gather(sampler.generator.get_state(), world)
        if rank != 0:
            return None
        meta = {"training_config": config.to_dict(), "step": step, "datasets_seen": seen,
                "wall_time_seconds": round(wall_time, 1), "world_size": world, "validation": metrics}
        resume_state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "config": config.to_dict(), "step": step, "datasets_seen": seen,
                        "wall_time": wall_time, "data_rng": rngs}
        atomic_write(out / RESUME_NAME, lambda tmp: torch.save(resume_state, tmp))
        path = Checkpoint.from_model(model, meta).save(out / f"{DEFAULT_NAME}.safetensors")
        with open(out / "checkpoints.log", "a") as f:
            f.write(f"step={step} rank={rank} world_size={world} datasets_seen={seen} time={time.time():.0f}\n")
        return path

    if step == 0 and log is not None:
        metrics = validation.evaluate(model, dev)
        log.append({"step": 0, "wall_time": 0.0, "datasets_seen": 0, "loss": float("nan"),
                    "lr": 0.0, **metrics})
    start = time.perf_counter()
    bar = tqdm(total=stop_step, initial=step, disable=rank != 0, desc="pretrain", mininterval=5.0)
    last_saved, saved = None, False  # last_saved is only ever set on rank 0; saved on every rank
    model.train()
    stream = iter(sampler)
    recent_losses = []
    while step < stop_step:
        tick = time.perf_counter()
        batch = next(stream)
        tokens = pair_features(batch.X.to(dev), batch.intervention_mask.to(dev))
        loss = edge_loss(net(tokens), batch.adjacency.to(dev))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        lr = learning_rate(step, config)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()
        step += 1
        datasets_seen += batch.X.shape[0]
        wall_time += time.perf_counter() - tick
        logs = {"loss": float(loss.detach()), "lr": lr}
        recent_losses.append(logs["loss"])
        bar.update(1)
        bar.set_postfix(loss=f"{logs['loss']:.4f}", auprc=f"{metrics.get('mean/auprc', float('nan')):.3f}",
                        refresh=False)
        out_of_time = time_budget is not None and time.perf_counter() - start >= time_budget
        if rank == 0 and (step % config.validate_every == 0 or step == stop_step):
            metrics = validation.evaluate(model, dev)
            logs.update(metrics)
            mean_loss = sum(recent_losses) / len(recent_losses)
            recent_losses.clear()
            log.append({"step": step, "wall_time": round(wall_time, 2), "datasets_seen": datasets_seen * world,
                        **logs, "loss": mean_loss})
        requested = any(bool(cb(step, logs)) for cb in callbacks)
        stop = _any_rank(out_of_time or requested, world, dev)
        if step % config.checkpoint_every == 0 or step == stop_step or stop:
            last_saved, saved = save() or last_saved, True
        if stop:
            break
    bar.close()
    if not saved:  # nothing to train (already at `steps`): still write and hand back a checkpoint
        last_saved = save() or last_saved
    if world > 1:
        # Every rank leaves together, and the group is torn down before the interpreter exits:
        # gloo's threads outliving it abort the process ("terminate called without an active
        # exception"), which torchrun reports as a failed run.
        dist.barrier()
        if owns_group:
            dist.destroy_process_group()
    return last_saved
