"""Peak memory and time of ZeroShotCausalDiscovery.fit for large d (one fresh process per size).

    python benchmarks/bench_memory.py            # d = 100, 200, 500 at n = 1000 and 10,000
    python benchmarks/bench_memory.py --quick    # d = 100 only

Peak memory is the process's maximum resident set size (ru_maxrss), so it includes Python, torch and
the model (about 0.35 GB before any data); "forward" is the growth during the fit.
"""

import argparse
import json
import platform
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time
import numpy as np, torch
torch.set_num_threads(int(sys.argv[3]))
from skcausal import ZeroShotCausalDiscovery
from skcausal.zeroshot import estimate_forward_bytes
n, d = int(sys.argv[1]), int(sys.argv[2])
X = np.random.default_rng(0).normal(size=(n, d))
X[:, 1:] += 0.5 * X[:, :-1]
est = ZeroShotCausalDiscovery(device="cpu").fit(X[:50, :3])  # load the model first
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
est.fit(X)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"n": n, "d": d, "seconds": seconds, "peak_gb": peak / 2**30,
                  "forward_gb": (peak - base) / 2**30,
                  "estimate_gb": estimate_forward_bytes(n, d, 64) / 2**30}))
"""


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    sizes = [(n, d) for d in ((100,) if args.quick else (100, 200, 500)) for n in (1000, 10_000)]
    print(
        f"# {platform.processor() or platform.machine()}, {args.threads} thread(s), "
        f"python {platform.python_version()}"
    )
    print("| n | d | fit time (s) | peak RSS (GB) | growth during fit (GB) | estimate (GB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, d in sizes:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(d), str(args.threads)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {n:,} | {d} | {r['seconds']:.2f} | {r['peak_gb']:.2f} | {r['forward_gb']:.2f} "
            f"| {r['estimate_gb']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
