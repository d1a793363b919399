"""Fit time of the zero-shot model against PC, GES and NOTEARS on the same data, CPU.

    python benchmarks/bench_speed.py [--threads 1] [--repeats 5]

Prints a table: median fit seconds per method at d = 20, n = 1000 (linear-Gaussian, ER, 2 edges per
node), the speed-up of the zero-shot model over the fastest classical method, and the zero-shot fit
at d = 100, n = 10,000 with the process's peak memory.
"""

import argparse
import platform
import resource
import statistics
import time

import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import GES, NOTEARS, PC
from skcausal.datasets import make_scm


def median_fit_seconds(estimator, X, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        estimator.fit(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    X, _, _ = make_scm(1000, 20, random_state=0)
    zeroshot = ZeroShotCausalDiscovery(device="cpu")
    zeroshot.fit(X)  # load the weights once; later fits reuse them
    rows = {"zero-shot": median_fit_seconds(zeroshot, X, args.repeats * 4)}
    for name, est in (("PC", PC()), ("GES", GES()), ("NOTEARS", NOTEARS())):
        rows[name] = median_fit_seconds(est, X, args.repeats)
    fastest = min(v for k, v in rows.items() if k != "zero-shot")
    print(f"# {platform.machine()}, torch {torch.__version__}, {args.threads} thread(s)")
    print("| method | median fit (ms), d=20, n=1000 |")
    print("|---|---:|")
    for name, seconds in rows.items():
        print(f"| {name} | {1000 * seconds:.1f} |")
    print(f"\nzero-shot speed-up over the fastest classical method: {fastest / rows['zero-shot']:.0f}x")
    X, _, _ = make_scm(10_000, 100, random_state=0)
    seconds = median_fit_seconds(zeroshot, X, 3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"zero-shot fit at d=100, n=10,000: {seconds:.2f} s; peak memory of this process {peak:.2f} GB")


if __name__ == "__main__":
    main()
