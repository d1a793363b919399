"""Fit time of the shipped zero-shot model (v3.1) against v2, shipped beside it, on the same data.

    python benchmarks/bench_versions.py

Prints, per size and noise law, the median of 3 fits after one warm-up, on one thread: v2 with
its default (``marginals="raw"``), v3.1 with its default (``"both"``: two forward passes), v3.1
with ``"raw"``, and v3.1's default without the dependence check (``alpha=None``), which shows what
the check costs. Gaussian noise leaves v3.1's order block off (no column rejects normality);
Laplace noise switches it on (up to d = 256), which shows what reading the causal order costs.
"""

import torch
from bench_speed import median_seconds  # benchmarks/ is on sys.path when run as a script

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.zeroshot import default_checkpoint_path

SIZES = ((1000, 20), (2000, 50), (10_000, 100), (1000, 200))
NOISES = ("gaussian", "laplace")


def median_fit_seconds(estimator, X, repeats=3):
    estimator.fit(X)  # warm-up: loads and caches the checkpoint
    return median_seconds(lambda: estimator.fit(X), repeats)


def main():
    torch.set_num_threads(1)
    v2 = default_checkpoint_path().with_name("skcausal-zeroshot-v2.safetensors")
    settings = {
        "v2 (raw)": {"checkpoint": v2, "marginals": "raw"},
        "v3.1 (both)": {},
        "v3.1 (raw)": {"marginals": "raw"},
        "v3.1 (both), no dependence check": {"alpha": None},
    }
    header = "| n | d | noise | " + " | ".join(settings) + " |"
    print(header + "\n|---:|---:|---|" + "---:|" * len(settings))
    for n, d in SIZES:
        for noise in NOISES:
            X, _, _ = make_scm(n, d, noise=noise, random_state=0)
            cells = [
                f"{median_fit_seconds(ZeroShotCausalDiscovery(**kw), X) * 1000:.0f} ms"
                for kw in settings.values()
            ]
            print(f"| {n:,} | {d} | {noise} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
