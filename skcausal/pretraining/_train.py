"""pretrain(): the training loop of the zero-shot model, single-process or under torchrun (DDP).

A call resolves its run (``_run_state.resolve_run``), builds the model, optimiser, data stream and
validation sets around the run's state (``_run_state.RunState``, which owns the resume file), and
runs :func:`_loop`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from tqdm.auto import tqdm

from skcausal.pretraining._config import TrainConfig
from skcausal.pretraining._distributed import any_rank, gather, init_distributed, local_cores
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.pretraining._log import TrainingLog
from skcausal.pretraining._paired import consistency_loss
from skcausal.pretraining._run_state import RunState, load_widened, resolve_run
from skcausal.pretraining._stream import TrainingStream
from skcausal.zeroshot._model import PairGridTransformer


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


def pretrain(
    config=None,
    *,
    out,
    steps=None,
    time_budget=None,
    resume=None,
    device="auto",
    num_workers=0,
    threads=None,
    init_from=None,
    callbacks=(),
    random_state=0,
):
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
        Start a new run from the weights of this checkpoint (its architecture must equal the
        run's; the run may read more features or use another ridge rule) instead of a random
        initialisation; the optimiser, schedule and data stream start afresh. The
        checkpoint's SHA-256 is recorded in the run's first phase. Not with ``resume``.
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
    ...     "simulation": {"max_nodes": 5, "min_samples": 50, "max_samples": 100,
    ...                    "tokens_per_batch": 100},
    ...     "validation_datasets": 1})
    >>> path = pretrain(cfg, out=tempfile.mkdtemp(), device="cpu")
    >>> path.name
    'skcausal-zeroshot.safetensors'
    """
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError(f"num_workers must be an int >= 0; got {num_workers!r}.")
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be an int >= 1 or None; got {threads!r}.")
    rank, world, dev, owns_group = init_distributed(device)
    if threads is None and num_workers > 0:
        threads = max(1, local_cores() - num_workers)
    out = Path(out)
    run = resolve_run(config, resume=resume, init_from=init_from, steps=steps)
    config, state = run.config, RunState(run.resumed)

    torch.manual_seed(random_state)
    model = PairGridTransformer(config.model).to(dev)
    widened = load_widened(model, run.initial) if run.initial is not None else ""
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    state.restore(model, optimizer)
    # Each rank draws its share of the global batch from its own stream.
    per_rank = dataclasses.replace(
        config.simulation,
        tokens_per_batch=max(1, config.simulation.sizes.tokens_per_batch // world),
        max_batch_size=max(1, config.simulation.sizes.max_batch_size // world),
    )
    stream_state, restart = state.stream_start(rank, world, num_workers)
    stream = TrainingStream(
        per_rank,
        seed=random_state,
        rank=rank,
        num_workers=num_workers,
        state=stream_state,
        restart=restart,
        device=dev,
        invariant_probability=config.invariant_probability,
        paired_probability=config.consistency_probability,
        rules=config.model.feature_rules(),
    )
    # A batch without environments leaves the target head unused, which DDP must be told.
    net = (
        DistributedDataParallel(model, find_unused_parameters=model.targets is not None)
        if world > 1
        else model
    )
    state.start_phase(
        world_size=world,
        num_workers=num_workers,
        device=str(dev),
        threads=threads or torch.get_num_threads(),
    )
    if run.initial is not None:
        state.phases[-1]["init_from_sha256"] = run.initial.metadata.get("weights_sha256")
        if widened:
            state.phases[-1]["init_from_widened"] = widened
    log = TrainingLog(out) if rank == 0 else None
    if log is not None:
        if state.log_rows is not None:
            log.rows = state.log_rows
        log.truncate(state.step)
        log.phase_starts = [phase["step"] for phase in state.phases[1:]]
        if log.rows:
            log.write()  # a run continued in a new folder has its history there at once
    validation = ValidationSuite.from_config(config) if rank == 0 else None

    def save(metrics):
        # Every rank takes part in the gathers; rank 0 writes.
        seen = sum(gather(state.datasets_seen, world))
        streams = gather(stream.state(), world)
        if rank != 0:
            return None
        return state.write(
            out,
            model=model,
            optimizer=optimizer,
            config=config,
            seen=seen,
            streams=streams,
            world=world,
            rank=rank,
            num_workers=num_workers,
            metrics=metrics,
            log_rows=log.rows,
        )

    metrics = {}
    if state.step == 0 and log is not None:
        metrics = validation.evaluate(model, dev)
        log.append(
            {
                "step": 0,
                "wall_time": 0.0,
                "datasets_seen": 0,
                "loss": float("nan"),
                "lr": 0.0,
                **metrics,
            }
        )
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        last_saved = _loop(
            net,
            model,
            optimizer,
            stream,
            state,
            config,
            run.stop_step,
            save,
            validation,
            log,
            metrics,
            dev,
            rank,
            world,
            time_budget,
            callbacks,
        )
    finally:
        stream.close()  # the workers stop with the run, also when it fails
        torch.set_num_threads(previous_threads)
    if world > 1:
        # Every rank leaves together, and the group is torn down before the interpreter exits:
        # gloo's threads outliving it abort the process ("terminate called without an active
        # exception"), which torchrun reports as a failed run.
        dist.barrier()
        if owns_group:
            dist.destroy_process_group()
    return last_saved


def _step(net, model, optimizer, batch, config, step):
    """One optimiser step on ``batch``; returns (loss, target loss or None, learning rate)."""
    scores_targets = batch.environment is not None and model.targets is not None
    bf16 = config.precision == "bf16"
    tokens = batch.tokens
    if batch.paired_tokens is not None:  # one forward pass for both views (DDP counts passes)
        tokens = torch.cat([batch.tokens, batch.paired_tokens])
    with torch.autocast(batch.tokens.device.type, dtype=torch.bfloat16, enabled=bf16):
        if scores_targets:
            result = net(tokens, environment=batch.environment)
        else:
            result = net(tokens)
    logits, target_logits = result if scores_targets else (result, None)
    paired_logits = None
    if batch.paired_tokens is not None:
        logits, paired_logits = logits.chunk(2)
    loss = edge_loss(logits.float(), batch.adjacency)
    target_loss = None
    if target_logits is not None and bool(batch.valid.any()):
        target_loss = F.binary_cross_entropy_with_logits(
            target_logits.float()[batch.valid], batch.targets[batch.valid]
        )
        loss = loss + config.target_loss_weight * target_loss
    elif target_logits is not None:
        loss = loss + 0.0 * target_logits.sum()  # every parameter in the graph (DDP)
    if paired_logits is not None:
        paired = consistency_loss(
            logits.float(), paired_logits.float(), config.consistency_reduction
        )
        loss = loss + config.consistency_weight * paired
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    lr = learning_rate(step, config)
    for group in optimizer.param_groups:
        group["lr"] = lr
    optimizer.step()
    return loss, target_loss, lr


def _loop(
    net,
    model,
    optimizer,
    stream,
    state,
    config,
    stop_step,
    save,
    validation,
    log,
    metrics,
    dev,
    rank,
    world,
    time_budget,
    callbacks,
):
    """Train from ``state.step`` to ``stop_step`` (or a stop); returns the last weights file.

    ``metrics`` are the last validation's; rank 0 validates, logs and saves (``save(metrics)``,
    called on every rank).
    """
    start = time.perf_counter()
    bar = tqdm(
        total=stop_step, initial=state.step, disable=rank != 0, desc="pretrain", mininterval=5.0
    )
    last_saved, saved = None, False  # last_saved is only ever set on rank 0; saved on every rank
    model.train()
    recent_losses, waited, spent, interval_waited, interval_spent = [], 0.0, 0.0, 0.0, 0.0
    try:
        while state.step < stop_step:
            tick = time.perf_counter()
            batch = next(stream)  # pair features in float32 whatever the precision
            loss, target_loss, lr = _step(net, model, optimizer, batch, config, state.step)
            state.step += 1
            state.datasets_seen += batch.tokens.shape[0]
            logs = {"loss": float(loss.detach()), "lr": lr, "data_seconds": stream.last_wait}
            if target_loss is not None:
                logs["target_loss"] = float(target_loss.detach())
            logs["step_seconds"] = time.perf_counter() - tick
            state.wall_time += logs["step_seconds"]
            waited, spent = waited + stream.last_wait, spent + logs["step_seconds"]
            interval_waited, interval_spent = (
                interval_waited + stream.last_wait,
                interval_spent + logs["step_seconds"],
            )
            recent_losses.append(logs["loss"])
            bar.update(1)
            bar.set_postfix(
                loss=f"{logs['loss']:.4f}",
                auprc=f"{metrics.get('mean/auprc', float('nan')):.3f}",
                data_wait=f"{waited / spent:.0%}",
                refresh=False,
            )
            out_of_time = time_budget is not None and time.perf_counter() - start >= time_budget
            if rank == 0 and (state.step % config.validate_every == 0 or state.step == stop_step):
                metrics = validation.evaluate(model, dev)
                logs.update(metrics)
                log.append(
                    {
                        "step": state.step,
                        "wall_time": round(state.wall_time, 2),
                        "datasets_seen": state.datasets_seen * world,
                        "loss": sum(recent_losses) / len(recent_losses),
                        "lr": lr,
                        "data_wait": round(interval_waited / interval_spent, 4),
                        **metrics,
                    }
                )
                recent_losses.clear()
                interval_waited, interval_spent = 0.0, 0.0
            requested = any(bool(cb(state.step, logs)) for cb in callbacks)
            stop = any_rank(out_of_time or requested, world, dev)
            if state.step % config.checkpoint_every == 0 or state.step == stop_step or stop:
                last_saved, saved = save(metrics) or last_saved, True
            if stop:
                break
    finally:
        bar.close()
    if not saved:  # nothing to train (already at `steps`): still write and hand back a checkpoint
        last_saved = save(metrics) or last_saved
    return last_saved
