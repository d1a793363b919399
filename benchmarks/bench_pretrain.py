"""Pretraining throughput: steps per second and the share of each step spent waiting for data.

Runs ``pretrain()`` with a given config (default: configs/default.json, the shipped model's run) for
each device and number of data workers K (0 = simulate in the training process), and prints a
markdown table. Every setting runs ``--rounds`` times, interleaved with the others so that a change
in the machine's load hits all of them alike; a round is ``--warmup`` untimed steps and then
``--steps`` timed ones. Each setting draws its own data stream (the streams depend on K), so the
sizes of the graphs differ between settings; enough steps average that out.

"waiting for data" is the time from asking for a batch to holding it: with K = 0 that is the
simulation itself, with workers only the time the training process idles for them.

Usage::

    python benchmarks/bench_pretrain.py                                # CPU, K = 0, 1
    python benchmarks/bench_pretrain.py --workers 0 1 --threads 1 2    # each K with 1 and 2 threads
    python benchmarks/bench_pretrain.py --device cuda --workers 0 4 8 12 --threads 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from skcausal.pretraining import TrainConfig, pretrain

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_sampler import machine_info  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def one_round(config, device, workers, threads, warmup, steps, seed):
    """(steps per second, share of time waiting for data) over the timed steps of one run."""
    timed = []

    def record(step, logs):
        if step > warmup:
            timed.append((logs["step_seconds"], logs["data_seconds"]))

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        pretrain(
            config,
            out=out,
            steps=warmup + steps,
            device=device,
            num_workers=workers,
            threads=threads,
            callbacks=[record],
            random_state=seed,
        )
        total = time.perf_counter() - start
    step_time = sum(s for s, _ in timed)
    return len(timed) / step_time, sum(d for _, d in timed) / step_time, total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "configs" / "default.json"))
    parser.add_argument("--device", nargs="+", default=["cpu"])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1])
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[0],
        help="training-process threads to try; 0 is pretrain's choice: torch's default "
        "without workers, the cores less one per worker with them",
    )
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)

    config = TrainConfig.from_json(args.config).to_dict()
    # Validation and checkpoints are not what is measured: make them rare and small.
    config.update(
        validate_every=10**9, checkpoint_every=10**9, validation_datasets=1, validation_samples=100
    )
    info = machine_info()  # before the runs: the load average it gives is the machine's, not ours
    settings = [
        (device, k, t) for device in args.device for k in args.workers for t in args.threads
    ]
    results = {s: [] for s in settings}
    for r in range(args.rounds):
        for device, k, t in settings:
            rate, wait, total = one_round(
                config, device, k, t or None, args.warmup, args.steps, seed=r
            )
            results[(device, k, t)].append((rate, wait))
            print(
                f"round {r + 1}: {device} K={k} threads={t or 'default'}: {rate:.2f} steps/s, "
                f"waiting {wait:.0%} ({total:.0f} s with start-up)",
                file=sys.stderr,
                flush=True,
            )

    end_load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        "\n".join(
            f"- {line}"
            for line in info + [f"load average at the end (with these runs): {end_load}"]
        )
    )
    print(
        f"- config: {Path(args.config).name}; "
        f"{args.rounds} rounds of {args.warmup} + {args.steps} steps "
        f"(round r uses seed r in every setting); cores: {os.cpu_count()}"
    )
    if "cuda" in args.device and torch.cuda.is_available():
        print(f"- GPU: {torch.cuda.get_device_name()}")
    print()
    print(
        "| device | workers K | training threads | steps/s (median) | steps/s (rounds) "
        "| waiting for data |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for device, k, t in settings:
        rates = [rate for rate, _ in results[(device, k, t)]]
        waits = [wait for _, wait in results[(device, k, t)]]
        threads = t or (
            torch.get_num_threads() if k == 0 else f"{max(1, (os.cpu_count() or 1) - k)} (default)"
        )
        print(
            f"| {device} | {k} | {threads} | {statistics.median(rates):.2f} | "
            f"{', '.join(f'{x:.2f}' for x in rates)} | {statistics.median(waits):.0%} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
