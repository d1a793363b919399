"""Fit time of the zero-shot model against PC, GES and NOTEARS on the same data, CPU.

    python benchmarks/bench_speed.py [--threads 1] [--repeats 5] [--checkpoint PATH]

Prints a table: median fit seconds per method at d = 20, n = 1000 (linear-Gaussian, ER, 2 edges per
node), the speed-up of the zero-shot model over the fastest classical method, where the zero-shot
fit spends its time (each stage as the estimator runs it, from a profile), and the zero-shot fit
at d = 100, n = 10,000 with the process's peak memory.
Every method runs with the same number of torch and BLAS threads.
"""

import argparse
import cProfile
import platform
import pstats
import resource
import statistics
import time

import torch
from threadpoolctl import threadpool_limits

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import GES, NOTEARS, PC
from skcausal.datasets import make_scm
from skcausal.sem._mixin import SEMMixin
from skcausal.zeroshot._features import pair_features
from skcausal.zeroshot._inference import standardize_continuous
from skcausal.zeroshot._model import PairGridTransformer


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _key(function):
    code = function.__code__
    return code.co_filename, code.co_firstlineno, code.co_name


# Each stage as the estimator runs it (both views of the default, the decision rule, the SEM):
# its cumulative time under the profiler, so the table follows the code instead of copying it.
STAGES = {
    "column standardisation": standardize_continuous,
    "pair features": pair_features,
    "transformer": PairGridTransformer.forward,
    "decision rule + acyclic step": ZeroShotCausalDiscovery._graph_from_probabilities,
    "score's SEM": SEMMixin._fit_sem,
}


def zeroshot_stages(estimator, X, repeats):
    """Per stage of a zero-shot fit: milliseconds per fit under the profiler (which adds to the
    Python-heavy stages) and the share of the profiled fit; last, the fit's median without it."""
    profile = cProfile.Profile()
    profile.runcall(lambda: [estimator.fit(X) for _ in range(repeats)])
    stats = pstats.Stats(profile)  # .stats: key -> (calls, primitive calls, own, cumulative, ...)
    rows = {}
    for name, function in STAGES.items():
        seconds = stats.stats[_key(function)][3]
        rows[name] = (1000 * seconds / repeats, 100 * seconds / stats.total_tt)
    unprofiled = 1000 * median_seconds(lambda: estimator.fit(X), repeats)
    rows["whole fit, median without the profiler"] = (unprofiled, 100.0)
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--checkpoint", default=None, help="zero-shot checkpoint (default: the shipped one)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    threadpool_limits(args.threads)
    X, _, _ = make_scm(1000, 20, random_state=0)
    zeroshot = ZeroShotCausalDiscovery(args.checkpoint, device="cpu")
    zeroshot.fit(X)  # load the weights once; later fits reuse them
    rows = {"zero-shot": median_seconds(lambda: zeroshot.fit(X), args.repeats * 20)}
    for name, est in (("PC", PC()), ("GES", GES()), ("NOTEARS", NOTEARS())):
        est.fit(X)  # warm-up: the first call pays one-off import and allocation costs
        rows[name] = median_seconds(lambda est=est: est.fit(X), args.repeats)
    fastest = min(v for k, v in rows.items() if k != "zero-shot")
    print(
        f"# {platform.machine()}, torch {torch.__version__}, {args.threads} thread(s), "
        f"checkpoint {zeroshot.checkpoint_info_['path']}"
    )
    print("| method | median fit (ms), d=20, n=1000 |")
    print("|---|---:|")
    for name, seconds in rows.items():
        print(f"| {name} | {1000 * seconds:.1f} |")
    print(
        "\nzero-shot speed-up over the fastest classical method: "
        f"{fastest / rows['zero-shot']:.0f}x"
    )
    print("\n| zero-shot stage, d=20, n=1000 | ms per fit (profiled) | share of the fit |")
    print("|---|---:|---:|")
    for name, (ms, share) in zeroshot_stages(zeroshot, X, args.repeats * 20).items():
        print(f"| {name} | {ms:.2f} | {share:.0f}% |")
    X, _, _ = make_scm(10_000, 100, random_state=0)
    seconds = median_seconds(lambda: zeroshot.fit(X), 3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"\nzero-shot fit at d=100, n=10,000: {seconds:.2f} s; "
        f"peak memory of this process {peak:.2f} GB"
    )


if __name__ == "__main__":
    main()
