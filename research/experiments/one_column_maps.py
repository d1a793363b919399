"""How far a monotone map of one column moves the edge probabilities, on seeds of one's choosing.

The protocol of ``tests/zeroshot/test_zeroshot_quality.py`` (linear Gaussian ``make_scm``,
d = 10, n = 1,000; dataset k has its column k mod 10 transformed; the default estimator), which
reads seeds 1000-1003. Its largest move is a maximum over 4 x 90 probabilities, so a bound near a
model's edge passes or fails with the draw; a wider set of seeds says where the model sits. Prints,
per checkpoint and map, the largest move and the mean move (the mean over datasets of the mean over
entries, as the test computes it).

    python research/experiments/one_column_maps.py CKPT [CKPT ...] [--first-seed 3000] [--seeds 8]

A checkpoint is a ``.safetensors`` path; ``shipped`` names the default one.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm

MAPS = {"cube": lambda x: x**3, "exp": np.exp}


def moves(checkpoint, seeds, name, d=10, raw_units=False):
    """The largest and the mean move of a probability when dataset k has its column k mod d
    mapped by ``MAPS[name]`` (linear SEMs, n = 1,000, in raw units if asked)."""

    def probabilities(X):
        est = ZeroShotCausalDiscovery(checkpoint, device="cpu")
        return est.fit(X).edge_probabilities_

    largest, means = 0.0, []
    for k, seed in enumerate(seeds):
        X, _, _ = make_scm(1000, d, mechanism="linear", raw_units=raw_units, random_state=seed)
        Y = X.copy()
        Y[:, k % d] = MAPS[name](Y[:, k % d])
        moved = np.abs(probabilities(X) - probabilities(Y))
        largest, means = max(largest, float(moved.max())), means + [float(moved.mean())]
    return largest, float(np.mean(means))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--first-seed", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"seeds {seeds.start}-{seeds.stop - 1}; largest / mean move of a probability\n")
    print("| checkpoint | " + " | ".join(MAPS) + " |")
    print("|---|" + "---|" * len(MAPS))
    for checkpoint in args.checkpoints:
        path = None if checkpoint == "shipped" else checkpoint
        cells = [moves(path, seeds, name) for name in MAPS]
        print(f"| {checkpoint} | " + " | ".join(f"{a:.3f} / {m:.4f}" for a, m in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
