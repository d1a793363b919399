"""Reading wide data in windows of columns (``max_columns``) against all columns at once, on the
benchmark suites, with the harness's metrics for both.

    python benchmarks/bench_windows.py [--suite structures] [--repeats 1] [--windows 45]

Prints, per number of variables and data family, the mean AUPRC, SHD, precision, recall, F1 and
fit seconds of the shipped model with
``max_columns=None`` (every column in one pass) and with windows of each size given.
"""

import argparse

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.benchmark import run_benchmark


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="structures")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--windows", default="45", help="comma-separated window sizes")
    parser.add_argument("--out", help="also write every fit's row to this CSV file")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    methods = {"all columns": ZeroShotCausalDiscovery(max_columns=None)}
    for size in args.windows.split(","):
        methods[f"windows of {size}"] = ZeroShotCausalDiscovery(max_columns=int(size))
    results = run_benchmark(methods, suite=args.suite, n_repeats=args.repeats, progress=False)
    if args.out:
        results.to_csv(args.out, index=False)
    results = results[results["status"] == "ok"]
    columns = ["auprc", "shd", "precision", "recall", "f1", "fit_seconds"]
    print("| d | family | setting | " + " | ".join(columns) + " |")
    print("|---:|---|---|" + "---:|" * len(columns))
    table = results.groupby(["n_nodes", "family", "method"], sort=True)[columns].mean()
    for (d, family, method), row in table.iterrows():
        print(f"| {d} | {family} | {method} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    overall = results.groupby("method")[columns].mean()
    print("\n| setting | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns))
    for method, row in overall.iterrows():
        print(f"| {method} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    return 0 if np.isfinite(overall.to_numpy(dtype=float)).all() else 1


if __name__ == "__main__":
    raise SystemExit(main())
