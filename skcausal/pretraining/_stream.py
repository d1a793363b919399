"""The training batches of one rank: simulated in the training process, or in worker processes.

With ``num_workers=0`` one generator, seeded from (seed, rank), draws every batch in the training
process. With K workers, each worker owns a generator seeded from (seed, rank, worker) and the
training process takes their batches in a fixed round-robin order (torch's DataLoader keeps that
order). On a CPU run the workers also compute the pair features (the network's input, about as
costly as the simulation), so the training process only runs the network; on a GPU the features
are computed there, from the raw batch. Every batch comes with its worker's generator state after
drawing it, so the stream's position is exact at every step even though the workers run ahead:
:meth:`TrainingStream.state` records, for each worker, the state behind the last batch that was
trained on, and a stream built from that record draws exactly the batches that the interrupted one
would have used next.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from skcausal.datasets._simulator import SCMBatchSampler
from skcausal.pretraining._paired import paired_view
from skcausal.zeroshot._features import pair_features

_CPU = torch.device("cpu")


def stream_seed(seed: int, rank: int, worker: int, restart: int = 0) -> int:
    """The torch seed of worker ``worker`` of rank ``rank`` (``restart`` > 0 re-seeds a resumed
    run).

    It lies in [2**32, 2**48): above the small seeds of the in-process stream and the validation
    sets, and below the benchmark datasets' seeds (see ``skcausal.benchmark._suites``), so no
    training stream can repeat a validation or benchmark dataset.
    """
    words = [int(seed), int(rank), int(worker), int(restart)]
    drawn = int(np.random.SeedSequence(words).generate_state(1, dtype=np.uint64)[0])
    return 2**32 + drawn % (2**48 - 2**32)


class TrainingBatch(NamedTuple):
    """One step's input: tokens (b, d, d, k) and targets; the environment fields are None unless
    the batch's datasets come with environments (``SimulationConfig.environment.probability``)."""

    tokens: torch.Tensor
    adjacency: torch.Tensor
    environment: torch.Tensor | None = None  # (b, E, d, k) statistics for the target head
    valid: torch.Tensor | None = None  # (b, E) bool: environments whose targets are scored
    targets: torch.Tensor | None = (
        None  # (b, E, d) float: what each environment's interventions hit
    )
    paired_tokens: torch.Tensor | None = None  # the paired view's tokens (consistency loss)


def _raw_item(batch, generator=None, invariant_probability=0.0, paired_probability=0.0):
    """The fields of a simulated batch that features are computed from (tensors only).

    With ``invariant_probability`` > 0, the batch is seen in the invariant mode (every column as
    the normal scores of its ranks) with that probability, drawn from ``generator`` (the
    sampler's, so that the stream's recorded position includes the draw); at 0 nothing is drawn.
    With ``paired_probability`` > 0, a batch without environments and not in the invariant mode
    also carries its paired view (:func:`~skcausal.pretraining._paired.paired_view`) with that
    probability, drawn the same way.
    """
    item = {"X": batch.X, "mask": batch.intervention_mask, "adjacency": batch.adjacency}
    kinds = getattr(batch, "column_kinds", None)
    if kinds is not None:
        item["kinds"] = kinds
    invariant = False
    if invariant_probability > 0:
        invariant = float(torch.rand(1, generator=generator)) < invariant_probability
        item["invariant"] = torch.tensor(invariant)
    if paired_probability > 0:
        paired = float(torch.rand(1, generator=generator)) < paired_probability
        if paired and not invariant and batch.environments is None:
            item["paired_X"] = paired_view(batch.X, kinds, generator)
    if batch.environments is not None:
        item.update(
            environments=batch.environments,
            has_reference=batch.has_reference,
            targets=batch.environment_targets,
        )
    return item


def _featurize(item, rules=None, **copy):
    """Pair features (and environment statistics) of a raw item, on the device of ``copy``,
    with the model's feature rules (``ModelConfig.feature_rules``; None: the defaults)."""
    out = {"adjacency": item["adjacency"].to(**copy)}
    X, mask = item["X"].to(**copy), item["mask"].to(**copy)
    columns = dict(rules or {})
    if "kinds" in item:
        columns["kinds"] = item["kinds"].to(**copy)
    if "invariant" in item:
        columns["invariant"] = bool(item["invariant"])
    if "paired_X" in item:
        out["paired_tokens"] = pair_features(item["paired_X"].to(**copy), mask, **columns)
    if "environments" not in item:
        out["tokens"] = pair_features(X, mask, **columns)
        return out
    targets = item["targets"].to(**copy)
    tokens, (variable, valid) = pair_features(
        X,
        mask,
        environments=item["environments"].to(**copy),
        has_reference=item["has_reference"].to(**copy),
        n_environments=targets.shape[1],
        return_environments=True,
        **columns,
    )
    out.update(tokens=tokens, environment=variable, valid=valid, targets=targets.float())
    return out


def _generator(seed=None, state=None) -> torch.Generator:
    generator = torch.Generator()
    if state is not None:
        generator.set_state(state)
    else:
        generator.manual_seed(seed)
    return generator


class _WorkerBatches(IterableDataset):
    """What each DataLoader worker runs: its own simulator, from its own generator state."""

    def __init__(self, config, states, first, features, views=None, rules=None):
        self.config, self.states, self.first, self.features = config, states, first, features
        self.views, self.rules = views or {}, rules

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            raise RuntimeError("_WorkerBatches runs only inside DataLoader workers.")
        # One thread per worker: K workers and the training process share the cores.
        torch.set_num_threads(1)
        # DataLoader worker w delivers batches w, w + K, ...; shifting the names by `first` makes
        # the first batch after a resume come from the worker whose turn it was.
        worker = (info.id + self.first) % len(self.states)
        sampler = SCMBatchSampler(self.config, generator=_generator(state=self.states[worker]))
        for batch in sampler:
            item = _raw_item(batch, sampler.generator, **self.views)
            item = _featurize(item, self.rules) if self.features else item
            item.update(worker=worker, rng=sampler.generator.get_state())
            yield item


class TrainingStream:
    """An endless iterator of :class:`TrainingBatch` for one rank.

    ``tokens`` are the pair features of the simulated data on ``device``, ready for the network.

    Parameters
    ----------
    config : SimulationConfig
        This rank's share of the batch.
    seed, rank : int
        Name the stream: the same (seed, rank, num_workers) gives the same batches.
    num_workers : int
        0 simulates in this process; K > 0 in K worker processes.
    state : dict, optional
        :meth:`state` of an earlier stream with the same ``num_workers``: continue it exactly.
    restart : int
        With ``state=None``, a non-zero value draws fresh streams (used when a resumed run cannot
        continue the old ones).
    device : torch.device
        Where the tokens are wanted. For a CUDA device the workers' batches are page-locked and
        copied asynchronously, and the features are computed on the GPU.
    invariant_probability : float
        The share of batches seen in the invariant mode (normal scores of the ranks).
    paired_probability : float
        The share of batches that also carry their paired view (the consistency loss).
    rules : dict, optional
        The features' rules (the model's ``ModelConfig.feature_rules()``); None: the defaults.
    """

    def __init__(
        self,
        config,
        *,
        seed,
        rank,
        num_workers=0,
        state=None,
        restart=0,
        device=_CPU,
        invariant_probability=0.0,
        paired_probability=0.0,
        rules=None,
    ):
        if num_workers < 0:
            raise ValueError(f"num_workers must be >= 0; got {num_workers}.")
        self.config, self.num_workers = config, int(num_workers)
        if state is not None and state.get("num_workers", 0) != self.num_workers:
            raise ValueError(
                f"the stream state is for {state.get('num_workers', 0)} workers, not {num_workers}."
            )
        self._loader, self.device, self.last_wait = None, torch.device(device), 0.0
        self.views = {
            "invariant_probability": float(invariant_probability),
            "paired_probability": float(paired_probability),
        }
        self.rules = rules
        self._features_in_workers = self.num_workers > 0 and self.device.type == "cpu"
        if self.num_workers == 0:
            # The seeding of runs made before workers existed, so their resume files still continue.
            seed0 = seed * 1_000_003 + rank if restart == 0 else stream_seed(seed, rank, 0, restart)
            self._sampler = SCMBatchSampler(
                config,
                generator=_generator(seed=seed0, state=None if state is None else state["rng"][0]),
            )
            self._batches = iter(self._sampler)
            return
        if state is None:
            self._states = [
                _generator(seed=stream_seed(seed, rank, w, restart)).get_state()
                for w in range(self.num_workers)
            ]
            self._next = 0
        else:
            self._states, self._next = [s.clone() for s in state["rng"]], int(state["next_worker"])
        self._loader = DataLoader(
            _WorkerBatches(
                config,
                self._states,
                self._next,
                self._features_in_workers,
                self.views,
                rules,
            ),
            batch_size=None,
            num_workers=self.num_workers,
            pin_memory=self.device.type == "cuda",
            prefetch_factor=2,
        )
        self._batches = iter(self._loader)

    def __iter__(self):
        return self

    def __next__(self):
        tick = time.perf_counter()
        if self._loader is None:
            item = _raw_item(next(self._batches), self._sampler.generator, **self.views)
        else:
            item = next(self._batches)
        # Simulating here, or waiting for the workers: the time a training step spends on data.
        self.last_wait = time.perf_counter() - tick
        if self._loader is not None:
            worker = int(item["worker"])
            if (
                worker != self._next
            ):  # the DataLoader's round-robin order is what makes resume exact
                raise RuntimeError(f"batch from worker {worker} where worker {self._next} was due.")
            self._states[worker] = item["rng"]
            self._next = (worker + 1) % self.num_workers
        copy = {"device": self.device, "non_blocking": self.device.type == "cuda"}
        if "tokens" not in item:
            item = _featurize(item, self.rules, **copy)
        fields = {k: item[k].to(**copy) for k in TrainingBatch._fields if k in item}
        return TrainingBatch(**fields)

    def state(self) -> dict:
        """Where the stream stands after the last batch handed out (tensors and ints only)."""
        if self._loader is None:
            return {
                "num_workers": 0,
                "rng": [self._sampler.generator.get_state()],
                "next_worker": 0,
            }
        return {
            "num_workers": self.num_workers,
            "rng": [s.clone() for s in self._states],
            "next_worker": self._next,
        }

    def close(self):
        """Stop the worker processes (the stream cannot be used afterwards)."""
        if self._loader is not None:
            shutdown = getattr(self._batches, "_shutdown_workers", None)
            if shutdown is not None:
                shutdown()
            self._batches = iter(())
