"""Fit time of the zero-shot model against PC, GES and NOTEARS on the same data, CPU.

    python benchmarks/bench_speed.py [--threads 1] [--repeats 5] [--checkpoint PATH]

Prints a table: median fit seconds per method at d = 20, n = 1000 (linear-Gaussian, ER, 2 edges per
node), the speed-up of the zero-shot model over the fastest classical method, where the zero-shot
fit spends its time, and the zero-shot fit at d = 100, n = 10,000 with the process's peak memory.
Every method runs with the same number of torch and BLAS threads.
"""

import argparse
import platform
import resource
import statistics
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from skcausal import ZeroShotCausalDiscovery
from skcausal._utils import standardize_columns as _standardize
from skcausal.baselines import GES, NOTEARS, PC
from skcausal.datasets import make_scm
from skcausal.graph import greedy_dag
from skcausal.sem import LinearGaussianSEM
from skcausal.zeroshot._features import pair_features


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def zeroshot_stages(estimator, X, repeats):
    """Median milliseconds of each stage of a zero-shot fit, measured one stage at a time."""
    _, model, device, _ = estimator._load()
    mask = np.zeros(X.shape, dtype=bool)
    with torch.inference_mode():
        data = torch.as_tensor(_standardize(X), dtype=torch.float32, device=device)[None]
        tokens = pair_features(data, torch.as_tensor(mask, device=device)[None])
        probabilities = torch.sigmoid(model(tokens))[0].double().cpu().numpy()
        stages = {
            "input checks + standardisation": lambda: (
                estimator._validate_fit_input(X, None, None),
                _standardize(X),
            ),
            "pair features": lambda: pair_features(
                data, torch.as_tensor(mask, device=device)[None]
            ),
            "transformer": lambda: model(tokens),
            "DAG + score's SEM": lambda: LinearGaussianSEM.fit(
                X, mask, greedy_dag(probabilities, estimator.threshold)
            ),
        }
        return {name: 1000 * median_seconds(stage, repeats) for name, stage in stages.items()}


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
    print("\n| zero-shot stage, d=20, n=1000 | median (ms) |")
    print("|---|---:|")
    for name, ms in zeroshot_stages(zeroshot, X, args.repeats * 20).items():
        print(f"| {name} | {ms:.2f} |")
    X, _, _ = make_scm(10_000, 100, random_state=0)
    seconds = median_seconds(lambda: zeroshot.fit(X), 3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"\nzero-shot fit at d=100, n=10,000: {seconds:.2f} s; "
        f"peak memory of this process {peak:.2f} GB"
    )


if __name__ == "__main__":
    main()
