"""Throughput of the SCM batch sampler (the data source of pretraining), on one thread.

Times ``SCMBatchSampler(...).sample(batch_size, n_nodes, n_samples)`` per mechanism and for the
mixed pretraining distribution (every property drawn per dataset from the default SimulationConfig:
graph family, edges per node, noise, heteroscedasticity, interventions), for a few batch sizes, and
prints a markdown table of datasets per second. A run is warm-up calls, then ``--repeats`` timed
rounds of about ``--datasets-per-round`` datasets each; the table gives the median round and the
best one, in wall-clock time and in CPU time of this process (the latter is less sensitive to other
processes on the machine).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_sampler.py
    OMP_NUM_THREADS=1 python benchmarks/bench_sampler.py --batch-sizes 16 64 --repeats 7 \\
        --nodes 20 --samples 500
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import statistics
import sys
import time

import torch

from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.datasets._mechanisms import MECHANISMS

TARGET = 500.0  # datasets per second on one core at d=20, n=500


def cpu_model() -> str:
    """'model name' from /proc/cpuinfo, with the family/model numbers and clock.

    A VM may hide the rest.
    """
    fields = {}
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or "unknown"
    name = fields.get("model name", "unknown")
    extra = (
        [f"family {fields['cpu family']} model {fields['model']}"] if "cpu family" in fields else []
    )
    if "cpu MHz" in fields:
        extra.append(f"{float(fields['cpu MHz']):.0f} MHz")
    if "hypervisor" in fields.get("flags", "").split():
        extra.append("virtual machine")
    return f"{name} ({', '.join(extra)})" if extra else name


def machine_info() -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"python {platform.python_version()}, torch {torch.__version__}, "
        f"torch threads {torch.get_num_threads()}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}",
        f"load average (1, 5, 15 min) at start: {load}",
    ]


def time_rounds(sampler, batch_size, n_nodes, n_samples, mechanism, warmup, repeats, per_round):
    """Per round: (datasets / wall second, datasets / CPU second)."""
    calls = max(1, math.ceil(per_round / batch_size))
    for _ in range(warmup):
        sampler.sample(batch_size, n_nodes, n_samples, mechanism=mechanism)
    rounds = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            sampler.sample(batch_size, n_nodes, n_samples, mechanism=mechanism)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rounds.append((calls * batch_size / wall, calls * batch_size / max(cpu, 1e-9)))
    return rounds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=20)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 64])
    parser.add_argument(
        "--mechanisms",
        nargs="+",
        default=["mixed", *MECHANISMS],
        help="'mixed' draws the mechanism per dataset from all of them",
    )
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--datasets-per-round", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    for line in machine_info():
        print(f"# {line}")
    print(
        f"# sample(batch_size, n_nodes={args.nodes}, n_samples={args.samples}); "
        f"{args.warmup} warm-up calls, "
        f"{args.repeats} rounds of ~{args.datasets_per_round} datasets; "
        f"datasets/s = median round (best round)"
    )
    print()
    print("| mechanism | batch size | ms / batch (median) | datasets/s wall | datasets/s CPU |")
    print("|:--|--:|--:|--:|--:|")
    summary = {}
    for mechanism in args.mechanisms:
        for batch_size in args.batch_sizes:
            sampler = SCMBatchSampler(SimulationConfig(), generator=args.seed)
            rounds = time_rounds(
                sampler,
                batch_size,
                args.nodes,
                args.samples,
                None if mechanism == "mixed" else mechanism,
                args.warmup,
                args.repeats,
                args.datasets_per_round,
            )
            wall = [r[0] for r in rounds]
            cpu = [r[1] for r in rounds]
            median_wall, median_cpu = statistics.median(wall), statistics.median(cpu)
            summary[mechanism, batch_size] = median_cpu
            print(
                f"| {mechanism} | {batch_size} | {1000 * batch_size / median_wall:.1f} | "
                f"{median_wall:.0f} ({max(wall):.0f}) | {median_cpu:.0f} ({max(cpu):.0f}) |",
                flush=True,
            )
    print()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"# load average at end: {load}")
    mixed = [v for (m, _), v in summary.items() if m == "mixed"]
    if mixed:
        best = max(mixed)
        verdict = "meets" if best >= TARGET else "misses"
        print(
            f"# mixed distribution: {best:.0f} datasets per CPU-second at best batch size; "
            f"{verdict} the target of {TARGET:.0f}/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
