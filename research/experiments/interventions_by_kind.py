"""Does the intervention mask help or hurt? AUPRC with and without it, per kind of intervention.

For each kind (hard, far, shift, soft, and hard with off-target effects), datasets from the
simulator (linear and MLP, d = 20, n = 1,000, 10 targets, half the rows interventional) are fitted
with the mask and again on the same rows without it. Only "hard" is inside v1's prior; all
are inside the v2 prior (configs/v2.json) and the shipped model's.

    python research/experiments/interventions_by_kind.py [CHECKPOINT ...] [--datasets 12]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.metrics import edge_auprc
from skcausal.zeroshot._checkpoint import default_checkpoint_path

KINDS = {
    "hard": {},
    "far": {},
    "shift": {},
    "soft": {},
    "hard, off-target": {"off_target_probability": 1.0},
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="*")
    parser.add_argument("--datasets", type=int, default=12)
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.checkpoints] or [default_checkpoint_path()]
    print(
        f"AUPRC with the mask / without it (same rows), mean over {args.datasets} datasets; "
        "'worse' counts the datasets where the mask lowered AUPRC\n"
    )
    print("| kind | " + " | ".join(f"{p.parent.name}/{p.name}" for p in paths) + " |")
    print("|---|" + "---|" * len(paths))
    for kind, extra in KINDS.items():
        config = SimulationConfig(
            intervention_kinds=(kind.split(",")[0],), interventional_probability=1.0, **extra
        )
        sampler = SCMBatchSampler(config, generator=2_000_000_777)
        data = []
        for mechanism in ("linear", "mlp"):
            batch = sampler.sample(
                args.datasets // 2,
                20,
                1000,
                mechanism=mechanism,
                n_targets=10,
                intervention_fraction=0.5,
            )
            data += list(
                zip(
                    batch.X.double().numpy(),
                    batch.intervention_mask.numpy(),
                    batch.adjacency.numpy(),
                )
            )
        cells = []
        for path in paths:
            est = ZeroShotCausalDiscovery(checkpoint=path, device="cpu")
            pairs = np.array(
                [
                    (
                        edge_auprc(A, est.fit(X, intervention_mask=M).edge_probabilities_),
                        edge_auprc(A, est.fit(X).edge_probabilities_),
                    )
                    for X, M, A in data
                ]
            )
            cells.append(
                f"{pairs[:, 0].mean():.3f} / {pairs[:, 1].mean():.3f} "
                f"(worse {int((pairs[:, 0] < pairs[:, 1]).sum())})"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
