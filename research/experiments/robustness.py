"""AUPRC of zero-shot checkpoints when the columns are transformed, rounded or measured with noise.

Every transform is applied to every column of datasets from ``make_scm`` (linear and MLP, d = 20,
n = 1,000, half of them with interventions). The graph is the same before and after, so a robust
model keeps its AUPRC. The exp, rounding and noise rows are inside the v2 prior
(``configs/v2.json``, the shipped model's) and outside v1's; normal scores and equal-frequency
binning are outside both (they are validation families).

    python research/experiments/robustness.py                        # the shipped model
    python research/experiments/robustness.py pretrained/skcausal-zeroshot-v1.safetensors \\
        pretrained/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.stats import norm, rankdata

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_auprc
from skcausal.zeroshot._checkpoint import default_checkpoint_path


def _standardize(X):
    return (X - X.mean(0)) / X.std(0)


TRANSFORMS = {
    "none": lambda X, rng: X,
    "exp of every column": lambda X, rng: np.exp(_standardize(X)),
    "cube of every column": lambda X, rng: _standardize(X) ** 3,
    "normal scores": lambda X, rng: norm.ppf((np.apply_along_axis(rankdata, 0, X) - 0.5) / len(X)),
    "rounded to 8 levels": lambda X, rng: np.round(
        _standardize(X) * 8 / (np.ptp(_standardize(X), 0))
    ),
    "measurement noise 0.5 sd": lambda X, rng: _standardize(X) + 0.5 * rng.standard_normal(X.shape),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="*")
    parser.add_argument("--seeds", type=int, default=6)
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.checkpoints] or [default_checkpoint_path()]

    datasets = []
    for seed in range(args.seeds):
        for mechanism in ("linear", "mlp"):
            interventional = seed % 2 == 1
            X, mask, A = make_scm(
                1000,
                20,
                mechanism=mechanism,
                random_state=5000 + seed,
                n_intervention_targets=10 if interventional else 0,
                intervention_fraction=0.5 if interventional else 0.0,
            )
            datasets.append((X, mask, A, seed))

    print(f"AUPRC, mean over {len(datasets)} datasets (linear and MLP, d = 20, n = 1,000)\n")
    print("| transform | " + " | ".join(f"{p.parent.name}/{p.name}" for p in paths) + " |")
    print("|---|" + "---:|" * len(paths))
    for name, transform in TRANSFORMS.items():
        row = []
        for path in paths:
            est = ZeroShotCausalDiscovery(checkpoint=path, device="cpu")
            # the same noise for every checkpoint: a generator per dataset, made afresh
            scores = [
                edge_auprc(
                    A,
                    est.fit(
                        transform(X, np.random.default_rng(seed)), intervention_mask=mask
                    ).edge_probabilities_,
                )
                for X, mask, A, seed in datasets
            ]
            row.append(f"{np.mean(scores):.3f}")
        print(f"| {name} | " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
