"""In-prior calibration of a checkpoint by n: is a confident edge at small n right under the prior?

Draws datasets from the v3 prior without its clean (v1-preset) batches, at d 5-30 and a fixed n,
from seeds that are not the training stream's, and prints per n the edge rate, the mean
probability, the expected calibration error and, for the pairs given p in (0.5, 0.7], (0.7, 0.9]
and (0.9, 1], the share that are edges. One view (the raw values), as the model is trained.

    python research/experiments/small_n_calibration.py runs/v3-cond2/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.metrics import edge_calibration_error
from skcausal.zeroshot._checkpoint import Checkpoint

BINS = ((0.5, 0.7), (0.7, 0.9), (0.9, 1.0))


def probabilities(model, n, batches, seed):
    config = SimulationConfig.preset(
        "v3",
        sizes={"min_nodes": 5, "max_nodes": 30, "min_samples": n, "max_samples": n},
        clean={"probability": 0.0},
    )
    sampler = SCMBatchSampler(config, generator=torch.Generator().manual_seed(seed + n))
    truths, probs = [], []
    for _ in range(batches):
        d = int(torch.randint(5, 31, (1,), generator=sampler.generator))
        batch = sampler.sample(4, d, n)
        with torch.no_grad():
            logits = model.edge_logits(batch.X, batch.intervention_mask, kinds=batch.column_kinds)
        p = torch.sigmoid(logits).double().numpy()
        truths.extend(batch.adjacency.numpy())
        probs.extend(p)
    return truths, probs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--n", default="10,20,50,200,1000", help="comma-separated row counts")
    parser.add_argument("--batches", type=int, default=12, help="batches of 4 datasets per n")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    model = Checkpoint.load(args.checkpoint).build_model("cpu")
    head = "| n | datasets | edge rate | mean p | ECE | " + " | ".join(
        f"p in ({lo}, {hi}]: pairs, edge share" for lo, hi in BINS
    )
    print(head + " |\n|" + "---:|" * (5 + len(BINS)))
    for n in (int(v) for v in args.n.split(",")):
        truths, probs = probabilities(model, n, args.batches, args.seed)
        off = [~np.eye(len(t), dtype=bool) for t in truths]
        y = np.concatenate([t[o] for t, o in zip(truths, off)])
        q = np.concatenate([p[o] for p, o in zip(probs, off)])
        cells = []
        for lo, hi in BINS:
            inside = (q > lo) & (q <= hi)
            share = f"{y[inside].mean():.2f}" if inside.any() else "-"
            cells.append(f"{inside.sum()}, {share}")
        ece = edge_calibration_error(truths, probs)
        print(
            f"| {n} | {len(truths)} | {y.mean():.3f} | {q.mean():.3f} | {ece:.4f} | "
            + " | ".join(cells)
            + " |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
