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

from skcausal.pretraining._config import TrainConfig
from skcausal.pretraining._log import TrainingLog
from skcausal.pretraining._stream import TrainingStream
from skcausal.pretraining._holdout import ValidationSuite
from skcausal._files import atomic_write
from skcausal.zeroshot._checkpoint import DEFAULT_NAME, Checkpoint, torch_device
from skcausal.zeroshot._model import PairGridTransformer

RESUME_NAME = "resume.pt"
# Settings that do not change what is trained, or only the schedule's length.
_RESUMABLE_CHANGES = {"steps", "validate_every", "checkpoint_every", "validation_ood", "validation_structures"}


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


def _local_cores() -> int:
    """Cores this process may use, shared among the ranks torchrun started on this machine."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // int(os.environ.get("LOCAL_WORLD_SIZE", "1")))


_ARCHITECTURE = ("dim", "n_layers", "n_heads", "mlp_ratio")


def _load_widened(model, checkpoint) -> str:
    """Load a checkpoint's weights into ``model``, whose config may read more token features or
    add the target head (nothing else may differ).

    The embedding's weights for the new features start at zero, so the widened network computes
    what the checkpoint did; the target head keeps its fresh initialisation. Returns a note of
    what was widened ("" when the configs are equal).
    """
    old, new = checkpoint.model_config, model.config
    differ = [k for k in _ARCHITECTURE if getattr(old, k) != getattr(new, k)]
    if differ or old.n_features > new.n_features or (old.target_head and not new.target_head):
        raise ValueError(f"init_from's model config {old} cannot start a run of {new}: only more token "
                         "features and an added target head are allowed.")
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
        notes.append(f"token features {old.n_features} -> {new.n_features} (new embedding weights zero)")
    if new.target_head and not old.target_head:
        notes.append("target head added (fresh initialisation)")
    return "; ".join(notes)


def _stream_states(state):
    """Per-rank data-stream states of a resume file (files written before workers existed too)."""
    if "data_streams" in state:
        return state["data_streams"]
    return [{"num_workers": 0, "rng": [rng], "next_worker": 0} for rng in state["data_rng"]]


def pretrain(config=None, *, out, steps=None, time_budget=None, resume=None, device="auto",
             num_workers=0, threads=None, init_from=None, callbacks=(), random_state=0):
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
    num_workers : int, default=0
        Simulate the training data in this many worker processes (one torch thread each) instead of
        in the training process. Each worker draws its own stream, seeded from (random_state, rank,
        worker); under torchrun every rank has its own workers. A run resumes exactly only with the
        same number of workers; with another number its streams are re-seeded and a warning says so.
    threads : int, optional
        Torch threads of the training process. None: unchanged with ``num_workers=0``, else the
        cores this rank may use less one per worker (at least 1), so that nothing oversubscribes.
    init_from : path, optional
        Start a new run from the weights of this checkpoint (its model config must equal the
        run's) instead of a random initialisation; the optimiser, schedule and data stream start
        afresh. The checkpoint's SHA-256 is recorded in the run's first phase. Not with ``resume``.
    callbacks : sequence of callables
        Each is called ``callback(step, logs)`` after every step (``logs`` has ``loss``, ``lr``,
        ``data_seconds`` (time spent waiting for the batch), ``step_seconds`` and, after a
        validation, the validation metrics); returning True stops the run.
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
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(f"num_workers must be an int >= 0; got {num_workers!r}.")
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be an int >= 1 or None; got {threads!r}.")
    rank, world, dev, owns_group = _init_distributed(device)
    if threads is None and num_workers > 0:
        threads = max(1, _local_cores() - num_workers)
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
    initial = None
    if init_from is not None:
        if state is not None:
            raise ValueError("init_from starts a new run; it cannot be combined with resume.")
        initial = Checkpoint.load(init_from)
        widened = _load_widened(model, initial)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    # Each rank draws its share of the global batch from its own stream.
    per_rank = dataclasses.replace(
        config.simulation,
        tokens_per_batch=max(1, config.simulation.tokens_per_batch // world),
        max_batch_size=max(1, config.simulation.max_batch_size // world),
    )
    step, datasets_seen, wall_time = 0, 0, 0.0
    stream_state, restart = None, 0
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, datasets_seen, wall_time = state["step"], state["datasets_seen"], state["wall_time"]
        streams = _stream_states(state)
        if len(streams) != world:
            warnings.warn(f"resumed with a different number of processes ({len(streams)} -> {world}): "
                          "data streams are re-seeded.")
            restart = step + 1
        elif streams[rank]["num_workers"] != num_workers:
            warnings.warn(f"resumed with a different number of data workers ({streams[rank]['num_workers']} "
                          f"-> {num_workers}): data streams are re-seeded.")
            restart = step + 1
        else:
            stream_state = streams[rank]
    stream = TrainingStream(per_rank, seed=random_state, rank=rank, num_workers=num_workers,
                            state=stream_state, restart=restart, device=dev)
    # A batch without environments leaves the target head unused, which DDP must be told.
    net = DistributedDataParallel(model, find_unused_parameters=model.targets is not None) if world > 1 else model
    # Each call of pretrain() on a run is a phase; the resume file keeps them and the log, so the
    # log and plot of a run continued elsewhere (a fresh machine, another folder) span every phase.
    phases = list(state.get("phases", [])) if state is not None else []
    phases.append({"step": step, "world_size": world, "num_workers": num_workers, "device": str(dev),
                   "threads": threads or torch.get_num_threads(), "started": round(time.time())})
    if initial is not None:
        phases[-1]["init_from_sha256"] = initial.metadata.get("weights_sha256")
        if widened:
            phases[-1]["init_from_widened"] = widened
    log = TrainingLog(out) if rank == 0 else None
    if log is not None:
        if state is not None and "log" in state:
            log.rows = [dict(row) for row in state["log"]]
        log.truncate(step)
        log.phase_starts = [phase["step"] for phase in phases[1:]]
        if log.rows:
            log.write()  # a run continued in a new folder has its history there at once
    validation = ValidationSuite(config.simulation, config.validation_samples, config.validation_datasets,
                                 ood=config.validation_ood, structures=config.validation_structures) \
        if rank == 0 else None
    metrics = {}

    def save():
        seen = sum(_gather(datasets_seen, world))
        streams = _gather(stream.state(), world)
        if rank != 0:
            return None
        meta = {"training_config": config.to_dict(), "step": step, "datasets_seen": seen,
                "wall_time_seconds": round(wall_time, 1), "world_size": world, "validation": metrics,
                "phases": phases}
        resume_state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "config": config.to_dict(), "step": step, "datasets_seen": seen,
                        "wall_time": wall_time, "data_streams": streams, "num_workers": num_workers,
                        "phases": phases, "log": log.rows}
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
    recent_losses, waited, spent, interval_waited, interval_spent = [], 0.0, 0.0, 0.0, 0.0
    autocast = torch.autocast(dev.type, dtype=torch.bfloat16, enabled=config.precision == "bf16")
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        while step < stop_step:
            tick = time.perf_counter()
            batch = next(stream)  # pair features in float32 whatever the precision
            tokens, data_seconds = batch.tokens, stream.last_wait
            scores_targets = batch.environment is not None and model.targets is not None
            with autocast:
                result = net(tokens, environment=batch.environment) if scores_targets else net(tokens)
            logits, target_logits = result if scores_targets else (result, None)
            loss = edge_loss(logits.float(), batch.adjacency)
            target_loss = None
            if target_logits is not None and bool(batch.valid.any()):
                target_loss = F.binary_cross_entropy_with_logits(target_logits.float()[batch.valid],
                                                                 batch.targets[batch.valid])
                loss = loss + config.target_loss_weight * target_loss
            elif target_logits is not None:
                loss = loss + 0.0 * target_logits.sum()  # every parameter in the graph (DDP)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            lr = learning_rate(step, config)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()
            step += 1
            datasets_seen += tokens.shape[0]
            logs = {"loss": float(loss.detach()), "lr": lr, "data_seconds": data_seconds}
            if target_loss is not None:
                logs["target_loss"] = float(target_loss.detach())
            logs["step_seconds"] = time.perf_counter() - tick
            wall_time += logs["step_seconds"]
            waited, spent = waited + data_seconds, spent + logs["step_seconds"]
            interval_waited, interval_spent = interval_waited + data_seconds, interval_spent + logs["step_seconds"]
            recent_losses.append(logs["loss"])
            bar.update(1)
            bar.set_postfix(loss=f"{logs['loss']:.4f}", auprc=f"{metrics.get('mean/auprc', float('nan')):.3f}",
                            data_wait=f"{waited / spent:.0%}", refresh=False)
            out_of_time = time_budget is not None and time.perf_counter() - start >= time_budget
            if rank == 0 and (step % config.validate_every == 0 or step == stop_step):
                metrics = validation.evaluate(model, dev)
                logs.update(metrics)
                log.append({"step": step, "wall_time": round(wall_time, 2), "datasets_seen": datasets_seen * world,
                            "loss": sum(recent_losses) / len(recent_losses), "lr": lr,
                            "data_wait": round(interval_waited / interval_spent, 4), **metrics})
                recent_losses.clear()
                interval_waited, interval_spent = 0.0, 0.0
            requested = any(bool(cb(step, logs)) for cb in callbacks)
            stop = _any_rank(out_of_time or requested, world, dev)
            if step % config.checkpoint_every == 0 or step == stop_step or stop:
                last_saved, saved = save() or last_saved, True
            if stop:
                break
    finally:
        stream.close()  # the workers stop with the run, also when it fails
        bar.close()
        torch.set_num_threads(previous_threads)
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
