"""Fit a checkpoint's calibration on the out-of-distribution and real-structure validation sets,
and write it into the checkpoint's metadata.

The estimator's edge probabilities (the mean over the values' and the ranks' views and over row
subsets; each dataset passed as a user would pass it: its mask, its environments, discrete
columns as categories) are fitted, by log loss over every ordered pair of those sets (the sets of
``skcausal/pretraining/_holdout.py``; never Sachs), with ``--kind``:

- ``order`` (the default): the temperature, and a logistic map of
  ``_output_calibration.CALIBRATION_TERMS`` (the pair's two logits and the order block of the
  dataset's values) for the datasets whose order agrees with the network's graph;
- ``temperature``: sigmoid(logit(p) / T), which keeps every ranking and changes only what the
  probabilities claim.

Prints, per family, the expected calibration error, the true, expected and kept edges, and the
AUPRC, uncalibrated / with the temperature alone / with what was written.
``research/experiments/reliability.py --checkpoint OUT`` reads the result on every other family.

    python scripts/calibrate_checkpoint.py pretrained/skcausal-zeroshot.safetensors \\
        --config configs/v3.json --out runs/calibrated/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.optimize import minimize_scalar
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression

from skcausal import ZeroShotCausalDiscovery
from skcausal.metrics import edge_auprc, edge_calibration_error
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._inference import standardize_continuous
from skcausal.zeroshot._output_calibration import (
    CALIBRATION_TERMS,
    Calibration,
    calibration_terms,
    order_agrees,
    order_block,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "research" / "experiments"))
from f1_readout import as_user_data  # noqa: E402  (research/experiments/)

GROUPS = ("ood-mean", "real-mean")


def fit_temperature(truths, logits):
    """The T > 0 that minimises the log loss of sigmoid(logit / T) over every off-diagonal pair."""
    y = np.concatenate([t[~np.eye(len(t), dtype=bool)] for t in truths])
    z = np.concatenate([s[~np.eye(len(s), dtype=bool)] for s in logits])

    def loss(log_t):
        p = np.clip(expit(z / np.exp(log_t)), 1e-7, 1 - 1e-7)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    return float(np.exp(minimize_scalar(loss, bounds=(-2, 2), method="bounded").x))


def fit_calibration(rows, kind):
    """The temperature over every dataset of ``rows`` (true graph, probabilities, kept, order
    block), and with ``kind="order"`` the logistic map of CALIBRATION_TERMS (log loss, a
    negligible ridge) over the datasets it applies to."""
    logits = [logit(np.clip(r[1], 1e-7, 1 - 1e-7)) for r in rows]
    calibration = Calibration(temperature=fit_temperature([r[0] for r in rows], logits))
    if kind == "temperature":
        return calibration
    mapped = [r for r in rows if order_agrees(r[1], r[3])]
    off = [~np.eye(len(r[0]), dtype=bool) for r in mapped]
    y = np.concatenate([r[0][o] for r, o in zip(mapped, off)])
    terms = np.concatenate([calibration_terms(r[1], r[3])[o] for r, o in zip(mapped, off)])
    model = LogisticRegression(C=100.0, max_iter=5000).fit(terms, y)
    return replace(calibration, weights=tuple(model.coef_[0]), intercept=float(model.intercept_[0]))


def values_block(X):
    """The order block the estimator reads for a dataset passed as X (None: off)."""
    if isinstance(X, pd.DataFrame):  # discrete columns as categories: the block is off
        return None
    kinds = np.zeros(X.shape[1], dtype=np.int64)
    return order_block(standardize_continuous(X, kinds), kinds)


def estimator_fits(checkpoint, suite, families):
    """{family: [(true graph, probabilities, kept edges, order block), ...]} from the
    estimator."""
    estimator = ZeroShotCausalDiscovery(checkpoint, linear_non_gaussian=True)
    fits = {}
    for family in families:
        for batch in suite.families[family]:
            for i, A in enumerate(batch.adjacency.numpy()):
                X, fit, params = as_user_data(batch, i)
                try:
                    result = estimator.set_params(**params).fit(X, **fit)
                except ValueError:  # a simulated column that came out constant
                    continue
                p = result.edge_probabilities_.copy()
                kept = int(result.adjacency_.sum())
                fits.setdefault(family, []).append((A != 0, p, kept, values_block(X)))
    return fits


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--config", required=True, help="the run's training config (its sets)")
    parser.add_argument("--out", required=True, help="where to write the calibrated checkpoint")
    parser.add_argument("--kind", choices=("order", "temperature"), default="order")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")  # OutsideTrainingWarning on the 223-column network
    suite = ValidationSuite.from_config(
        TrainConfig.from_json(args.config), ood=True, structures=True, v3=False
    )
    families = [f for group in GROUPS for f in suite.groups.get(group, [])]
    checkpoint = Checkpoint.load(args.checkpoint)
    checkpoint.metadata.pop("calibration", None)  # fit on the uncalibrated probabilities
    with tempfile.TemporaryDirectory() as folder:
        before = estimator_fits(checkpoint.save(Path(folder) / "uncalibrated"), suite, families)
        rows = [row for family in families for row in before.get(family, [])]
        calibration = fit_calibration(rows, args.kind)
        t, tempering = calibration.temperature, calibration.with_map(False)
        errors = {}
        members = {f: [f] for f in before} | {g: suite.groups.get(g, []) for g in GROUPS}
        for name, names in members.items():
            fits = [r for f in names for r in before.get(f, [])]
            truths, probs = [r[0] for r in fits], [r[1] for r in fits]
            tempered = [tempering.apply(p) for p in probs]
            mapped = [calibration.apply(r[1], r[3]) for r in fits]
            errors[name] = [edge_calibration_error(truths, q) for q in (probs, tempered, mapped)]
        checkpoint.metadata["calibration"] = {
            **calibration.to_metadata(),
            "applies_to": "the estimator's probabilities: the mean over views and row subsets",
            "fitted_on": families,
            "expected_calibration_error": {
                f: {"before": round(e[0], 4), "after": round(e[2], 4)} for f, e in errors.items()
            },
        }
        out = checkpoint.save(args.out)
    after = estimator_fits(out, suite, families)
    print(f"temperature alone {t:.3f} (fitted on {len(rows)} datasets: {', '.join(families)})")
    if calibration.reads_order:
        terms = ", ".join(f"{n} {w:.3f}" for n, w in zip(CALIBRATION_TERMS, calibration.weights))
        print(f"map: intercept {calibration.intercept:.3f}, {terms}")
        share = np.mean([calibration.maps(r[1], r[3]) for r in rows])
        print(f"the map applies to {share:.0%} of the datasets")
    print(
        "| family | ECE: none / T / written | true edges | expected (sum of p): none / T / "
        "written | kept: none / written | AUPRC: none / written |\n|---|---|---:|---|---|---|"
    )
    for family, fits in before.items():
        true = np.mean([r[0].sum() for r in fits])
        sums = [
            np.mean([r[1].sum() for r in fits]),
            np.mean([tempering.apply(r[1]).sum() for r in fits]),
            np.mean([r[1].sum() for r in after[family]]),
        ]
        kept = [np.mean([r[2] for r in f]) for f in (fits, after[family])]
        auprc = [np.mean([edge_auprc(r[0], r[1]) for r in f]) for f in (fits, after[family])]
        ece = " / ".join(f"{e:.4f}" for e in errors[family])
        print(
            f"| {family} | {ece} | {true:.1f} | {sums[0]:.1f} / {sums[1]:.1f} / {sums[2]:.1f} "
            f"| {kept[0]:.1f} / {kept[1]:.1f} | {auprc[0]:.3f} / {auprc[1]:.3f} |"
        )
    for group in GROUPS:
        ece = " / ".join(f"{e:.4f}" for e in errors[group])
        print(f"| {group}, pooled | {ece} | | | | |")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
