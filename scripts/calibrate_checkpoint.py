"""Fit a checkpoint's calibration temperature on the out-of-distribution and real-structure
validation sets, and write it into the checkpoint's metadata.

The estimator's edge probabilities (the mean over the values' and the ranks' views and over row
subsets; each dataset passed as a user would pass it: its mask, its environments, discrete
columns as categories) become sigmoid(logit(p) / T), with T minimising the log loss over every
ordered pair of those sets (the sets of ``skcausal/pretraining/_holdout.py``; never Sachs). One
temperature keeps every ranking (AUROC, AUPRC) as it is and changes what the probabilities claim,
and with it the expected number of edges (their sum); the graph moves only where a pair sits at
the margin of its readout. Prints, per family, the expected calibration error, the true, expected
and kept edges before and after. ``research/experiments/reliability.py --checkpoint OUT`` reads
the result on every other family.

    python scripts/calibrate_checkpoint.py pretrained/skcausal-zeroshot.safetensors \\
        --config configs/v3.json --out runs/calibrated/skcausal-zeroshot.safetensors
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
from scipy.optimize import minimize_scalar
from scipy.special import expit, logit

from skcausal import ZeroShotCausalDiscovery
from skcausal.metrics import edge_calibration_error
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._inference import calibrated

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


def estimator_fits(checkpoint, suite, families):
    """{family: [(true graph, probabilities, kept edges), ...]} from the estimator as it ships."""
    estimator = ZeroShotCausalDiscovery(checkpoint)
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
                fits.setdefault(family, []).append((A != 0, p, int(result.adjacency_.sum())))
    return fits


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--config", required=True, help="the run's training config (its sets)")
    parser.add_argument("--out", required=True, help="where to write the calibrated checkpoint")
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
        logits = [logit(np.clip(r[1], 1e-7, 1 - 1e-7)) for r in rows]
        t = fit_temperature([r[0] for r in rows], logits)
        errors = {}
        members = {f: [f] for f in before} | {g: suite.groups.get(g, []) for g in GROUPS}
        for name, names in members.items():
            fits = [r for f in names for r in before.get(f, [])]
            truths, probs = [r[0] for r in fits], [r[1] for r in fits]
            after = [calibrated(p, t) for p in probs]
            errors[name] = [edge_calibration_error(truths, q) for q in (probs, after)]
        checkpoint.metadata["calibration"] = {
            "temperature": t,
            "applies_to": "the estimator's probabilities: the mean over views and row subsets",
            "fitted_on": families,
            "expected_calibration_error": {
                f: {"before": round(e[0], 4), "after": round(e[1], 4)} for f, e in errors.items()
            },
        }
        out = checkpoint.save(args.out)
    after = estimator_fits(out, suite, families)
    print(f"temperature {t:.3f} (fitted on {len(rows)} datasets: {', '.join(families)})")
    print(
        "| family | ECE before / after | true edges | expected (sum of p) before / after "
        "| kept before / after |\n|---|---|---:|---|---|"
    )
    for family, fits in before.items():
        true = np.mean([r[0].sum() for r in fits])
        sums = [np.mean([r[1].sum() for r in f]) for f in (fits, after[family])]
        kept = [np.mean([r[2] for r in f]) for f in (fits, after[family])]
        print(
            f"| {family} | {errors[family][0]:.4f} / {errors[family][1]:.4f} | {true:.1f} "
            f"| {sums[0]:.1f} / {sums[1]:.1f} | {kept[0]:.1f} / {kept[1]:.1f} |"
        )
    for group in GROUPS:
        print(f"| {group}, pooled | {errors[group][0]:.4f} / {errors[group][1]:.4f} | | | |")
    print(f"written: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
