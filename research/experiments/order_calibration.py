"""The calibration map that reads the order block, held out network by network (#23, phase 24).

``scripts/calibrate_checkpoint.py --kind order`` fits a logistic map of the pair's two logits and
the order block (``skcausal/zeroshot/_output_calibration.py``) on the out-of-distribution and
real-structure validation sets, and the shipped checkpoint carries it. Its own table is in-sample.
Here each real-structure network (one per number of columns) is held out in turn: the map and, for
comparison, a temperature are fitted on every other dataset (the out-of-distribution sets and the
other eight networks) and applied to the held-out network's datasets. Per family: the true edges,
the expected number (sum of p), the edges the default readout keeps, SHD, F1 and AUPRC, for the
uncalibrated probabilities, the temperature and the map; then per network on raw-unit SEMs.

With ``--prior``, the checkpoint's own calibration (fitted on all of those sets) on the training
prior's validation families, which it was not fitted on (each dataset as a user passes it):
per family, the share of datasets the map applies to, and the expected and kept edges, SHD,
AUPRC and ECE with the temperature alone and with the map where it applies.

    python research/experiments/order_calibration.py [--checkpoint CKPT] [--prior]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.graph import edge_given_pair, greedy_dag
from skcausal.metrics import edge_auprc, edge_calibration_error, structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from calibrate_checkpoint import (  # noqa: E402  (scripts/)
    GROUPS,
    estimator_fits,
    fit_calibration,
    values_block,
)

sys.path.insert(0, str(ROOT / "research" / "experiments"))
from f1_readout import validation_sets  # noqa: E402  (this folder)

READOUTS = ("none", "temperature", "map")


def scores(truth, p):
    """Sum of p, kept edges, SHD, F1 and AUPRC of the default readout (threshold 0.5)."""
    graph = greedy_dag(edge_given_pair(p), 0.5).astype(bool)
    hits = (graph & truth).sum()
    precision, recall = hits / max(graph.sum(), 1), hits / max(truth.sum(), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    shd = structural_hamming_distance(truth, graph)
    return p.sum(), graph.sum(), shd, f1, edge_auprc(truth, p)


def prior_families(path, save=None):
    """The checkpoint's calibration on the prior's validation families: temperature against map."""
    checkpoint = Checkpoint.load(path)
    calibration = checkpoint.calibration
    tempered = calibration.with_map(False)
    checkpoint.metadata.pop("calibration", None)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        estimator = ZeroShotCausalDiscovery(checkpoint.save(Path(folder) / "uncalibrated"))
        for family, X, A, fit, params in validation_sets(structures=False):
            try:
                p = estimator.set_params(**params).fit(X, **fit).edge_probabilities_
            except ValueError:  # a simulated column that came out constant
                continue
            block = values_block(X)
            row = [A != 0, calibration.maps(p, block), tempered.apply(p)]
            results.setdefault(family, []).append(row + [calibration.apply(p, block), p, block])
    if save:
        with open(save, "wb") as f:
            pickle.dump(results, f)
    print(
        "| family | datasets | map applies | expected: T / map | kept: T / map | SHD: T / map "
        "| AUPRC: T / map | ECE: T / map |"
    )
    print("|---|---:|---:|---|---|---|---|---|")
    for family, rows in results.items():
        truths = [r[0] for r in rows]
        cells = []
        for k in (2, 3):
            s = np.nanmean([scores(r[0], r[k]) for r in rows], axis=0)  # no AUPRC without edges
            cells.append((*s, edge_calibration_error(truths, [r[k] for r in rows])))
        (a, b) = cells
        print(
            f"| {family} | {len(rows)} | {np.mean([r[1] for r in rows]):.2f} "
            f"| {a[0]:.1f} / {b[0]:.1f} | {a[1]:.1f} / {b[1]:.1f} | {a[2]:.1f} / {b[2]:.1f} "
            f"| {a[4]:.3f} / {b[4]:.3f} | {a[5]:.4f} / {b[5]:.4f} |",
            flush=True,
        )


def print_held_out(results, readouts):
    """The held-out tables: per family and readout, then per raw-unit network. ``results``:
    {(family, readout): [(d, sum of p, kept, SHD, F1, AUPRC), ...]}."""
    print("\n| family | readout | expected | kept (of expected) | SHD | F1 | AUPRC |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (family, readout), values in results.items():
        m = np.mean(values, axis=0)
        print(
            f"| {family} | {readout} | {m[1]:.1f} | {m[2]:.1f} ({m[2] / m[1]:.2f}) | {m[3]:.1f} "
            f"| {m[4]:.3f} | {m[5]:.3f} |"
        )
    print("\nraw-unit SEMs per network: | d | readout | expected | kept | SHD | AUPRC |")
    for readout in readouts:
        values = np.array(results[("real-raw-linear", readout)])
        for size in np.unique(values[:, 0]):
            m = values[values[:, 0] == size].mean(0)
            row = f"{m[1]:.1f} | {m[2]:.1f} | {m[3]:.1f} | {m[5]:.3f}"
            print(f"| {int(size)} | {readout} | {row} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=str(default_checkpoint_path()))
    parser.add_argument("--prior", action="store_true")
    parser.add_argument("--save", help="with --prior: pickle the per-dataset results here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    if args.prior:
        prior_families(args.checkpoint, args.save)
        return 0
    suite = ValidationSuite.from_config(
        TrainConfig.from_json(ROOT / "configs" / "v3.json"), ood=True, structures=True, v3=False
    )
    families = [f for group in GROUPS for f in suite.groups.get(group, [])]
    checkpoint = Checkpoint.load(args.checkpoint)
    checkpoint.metadata.pop("calibration", None)
    with tempfile.TemporaryDirectory() as folder:
        fits = estimator_fits(checkpoint.save(Path(folder) / "uncalibrated"), suite, families)
    structures = suite.groups["real-mean"]
    rows = [(f, r) for f in families for r in fits.get(f, [])]
    results = {}
    for size in sorted({len(r[0]) for f, r in rows if f in structures}):
        held = [(f, r) for f, r in rows if f in structures and len(r[0]) == size]
        rest = [r for f, r in rows if not (f in structures and len(r[0]) == size)]
        mapped = fit_calibration(rest, "order")
        t = mapped.with_map(False)
        for family, (truth, p, _, block) in held:
            q = {"none": p, "temperature": t.apply(p), "map": mapped.apply(p, block)}
            for readout in READOUTS:
                results.setdefault((family, readout), []).append((size, *scores(truth, q[readout])))
        print(f"held out d = {size}: map intercept {mapped.intercept:.2f}", flush=True)
    print_held_out(results, READOUTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
