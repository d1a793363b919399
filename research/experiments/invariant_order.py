"""Sharpness the default may use: an order read from ranks, and a temperature per kind of dataset
(#23, phase 25).

Phase 24's map of the order block (``linear_non_gaussian=True``) keeps 0.74 of the expected edges
on the raw-unit real structures where the temperature keeps 0.61, but it reads the order from the
values' non-Gaussianity, which monotone re-expressions of the columns take away, so it cannot be
the default (#23, item 2). Two readings that cannot break item 2, held out network by network as
``order_calibration.py`` holds them out (each fitted on the out-of-distribution sets and the other
eight networks):

- ``ranks map``: the same logistic map, of an order block computed from each column's normal
  scores (DirectLiNGAM's order and the partial correlations given the earlier columns, as
  ``_order_features`` computes them, without its normality gate: normal scores are Gaussian by
  construction). The normal scores of any strictly monotone map of a column are those of the
  column or their negation, so this block does not move under such maps; only the network's
  logits do, as they do for the default. The agreement gate of ``_output_calibration`` decides
  where it applies.
- ``gated temperature``: one temperature where the values' order agrees with the network's graph
  (the map's gate) and another elsewhere: a monotone map of each dataset's probabilities, so no
  dataset's AUROC moves at all.
- ``gated Platt``: where the values' order agrees, sigmoid(a logit(p) + b) instead (a temperature
  cannot move a pair across 0.5, an intercept can); the temperature elsewhere. Monotone per
  dataset as well.

Per family: expected and kept edges, SHD, F1 and AUPRC for the temperature, phase 24's map, the
ranks map, the gated temperature and the gated Platt map; then per raw-unit network; then how
often DirectLiNGAM's order puts each raw-unit dataset's true edges the right way round, read from
the values and from three scores of the ranks (normal, uniform, Laplace).

With ``--reexpress``, instead: on the real-structure families, each dataset passed as a user
would, the AUROC of the default and of ``linear_non_gaussian=True`` on the raw values and its
drop after normal scores, exp, cube and log of every column (``outside_the_box.TRANSFORMS``),
mean and largest over the family's datasets: item 2's bound, measured on the family itself.

    python research/experiments/invariant_order.py [--checkpoint CKPT] [--reexpress]
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
from scipy.special import expit, logit
from scipy.stats import laplace, norm, rankdata
from sklearn.linear_model import LogisticRegression

from skcausal import ZeroShotCausalDiscovery
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._order_features import (
    EXACT_COLUMNS,
    MAX_COLUMNS,
    MAX_ROWS,
    MIN_ROWS,
    ordered_block,
    read_order,
)
from skcausal.zeroshot._output_calibration import order_agrees

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from calibrate_checkpoint import GROUPS, fit_calibration, fit_temperature, values_block  # noqa: E402

sys.path.insert(0, str(ROOT / "research" / "experiments"))
from f1_readout import as_user_data  # noqa: E402  (this folder)
from order_calibration import print_held_out, scores  # noqa: E402

READOUTS = ("temperature", "values map", "ranks map", "gated temperature", "gated Platt")


def normal_scores(X, quantile=norm.ppf):
    """Each column's ranks through ``quantile`` (the normal's by default)."""
    return quantile((np.apply_along_axis(rankdata, 0, X) - 0.5) / len(X))


def ranks_block(X):
    """The order block (d, d, 5), unscaled, of the columns' normal scores; None where the values'
    block could not be on for reasons other than normality (discrete or missing cells, too few
    rows, too many columns)."""
    if isinstance(X, pd.DataFrame) or np.isnan(X).any():
        return None
    n, d = X.shape
    if d > MAX_COLUMNS or n < MIN_ROWS or d < 2:
        return None
    z = torch.as_tensor(normal_scores(X)[None], dtype=torch.float64)
    z = (z - z.mean(1, keepdim=True)) / z.std(1, unbiased=False, keepdim=True)
    corr = z.transpose(1, 2) @ z / n
    if n > MAX_ROWS:  # evenly spread rows, as _order_features reads them
        z = z[:, torch.linspace(0, n - 1, MAX_ROWS).round().long()]
    return ordered_block(read_order(z), corr, torch.float64)[0].numpy()


def orientation_share(X, truth):
    """The share of the true edges that DirectLiNGAM's order, read from MAX_ROWS evenly spread
    rows as the order block reads it, puts the right way round."""
    z = torch.as_tensor(X[None], dtype=torch.float64)
    z = (z - z.mean(1, keepdim=True)) / z.std(1, keepdim=True)
    if z.shape[1] > MAX_ROWS:
        z = z[:, torch.linspace(0, z.shape[1] - 1, MAX_ROWS).round().long()]
    position = np.argsort(read_order(z)[0].numpy())
    i, j = np.nonzero(truth)
    return float((position[i] < position[j]).mean())


def fits(path):
    """[(family, true graph, uncalibrated probabilities, values' block, ranks' block, X)]."""
    suite = ValidationSuite.from_config(
        TrainConfig.from_json(ROOT / "configs" / "v3.json"), ood=True, structures=True, v3=False
    )
    families = [f for group in GROUPS for f in suite.groups.get(group, [])]
    checkpoint = Checkpoint.load(path)
    checkpoint.metadata.pop("calibration", None)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        estimator = ZeroShotCausalDiscovery(checkpoint.save(Path(folder) / "uncalibrated"))
        for family in families:
            for batch in suite.families[family]:
                for i, A in enumerate(batch.adjacency.numpy()):
                    X, fit, params = as_user_data(batch, i)
                    try:
                        p = estimator.set_params(**params).fit(X, **fit).edge_probabilities_
                    except ValueError:  # a simulated column that came out constant
                        continue
                    rows.append((family, A != 0, p.copy(), values_block(X), ranks_block(X), X))
    return rows, suite.groups["real-mean"]


def _logits(p):
    return logit(np.clip(p, 1e-7, 1 - 1e-7))


def fit_platt(rows):
    """(a, b) of sigmoid(a logit(p) + b) by log loss over the off-diagonal pairs of ``rows``."""
    off = [~np.eye(len(r[1]), dtype=bool) for r in rows]
    z = np.concatenate([_logits(r[2])[o] for r, o in zip(rows, off)])[:, None]
    y = np.concatenate([r[1][o] for r, o in zip(rows, off)])
    model = LogisticRegression(C=100.0, max_iter=2000).fit(z, y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def platt(p, a, b):
    q = expit(a * _logits(p) + b)
    np.fill_diagonal(q, np.diagonal(p))
    return q


def held_out(rows, structures):
    """{(family, readout): [(d, sum of p, kept, SHD, F1, AUPRC)]}, each network held out."""
    results = {}
    for size in sorted({len(r[1]) for r in rows if r[0] in structures}):
        inside = [r[0] in structures and len(r[1]) == size for r in rows]
        rest = [r for r, held in zip(rows, inside) if not held]
        values_map = fit_calibration([(t, p, 0, vb) for _, t, p, vb, _, _ in rest], "order")
        ranks_map = fit_calibration([(t, p, 0, rb) for _, t, p, _, rb, _ in rest], "order")
        tempered = values_map.with_map(False)
        agree = [order_agrees(p, vb) for _, _, p, vb, _, _ in rest]
        t_on, t_off = (
            fit_temperature(
                [r[1] for r, a in zip(rest, agree) if a == side],
                [_logits(r[2]) for r, a in zip(rest, agree) if a == side],
            )
            for side in (True, False)
        )
        a, b = fit_platt([r for r, on in zip(rest, agree) if on])
        for (family, truth, p, vb, rb, _), held in zip(rows, inside):
            if not held:
                continue
            on = order_agrees(p, vb)
            gated = replace(tempered, temperature=t_on if on else t_off)
            q = (tempered.apply(p), values_map.apply(p, vb), ranks_map.apply(p, rb))
            q += (gated.apply(p), platt(p, a, b) if on else tempered.apply(p))
            for readout, probabilities in zip(READOUTS, q):
                row = (size, *scores(truth, probabilities))
                results.setdefault((family, readout), []).append(row)
        print(
            f"held out d = {size}: T {t_on:.3f} / {t_off:.3f}, Platt {a:.3f} {b:+.3f}", flush=True
        )
    return results


def reexpressed(path):
    """AUROC raw and its drop under each transform, default and ``linear_non_gaussian=True``."""
    from outside_the_box import TRANSFORMS  # research/experiments/ (this folder)

    from skcausal.metrics import edge_auroc

    suite = ValidationSuite.from_config(
        TrainConfig.from_json(ROOT / "configs" / "v3.json"), structures=True, v3=False
    )
    results = {}
    for family in suite.groups["real-mean"]:
        for batch in suite.families[family]:
            for i, A in enumerate(batch.adjacency.numpy()):
                X, fit, params = as_user_data(batch, i)
                for assumed in (False, True):
                    est = ZeroShotCausalDiscovery(path, linear_non_gaussian=assumed)
                    est.set_params(**params)
                    auroc = [
                        edge_auroc(A != 0, est.fit(f(X), **fit).edge_probabilities_)
                        for f in (np.asarray, *TRANSFORMS.values())
                    ]
                    results.setdefault((family, assumed), []).append(auroc)
    print("| family | readout | AUROC | drop: " + " | ".join(TRANSFORMS) + " (mean, largest) |")
    print("|---|---|---:|" + "---|" * len(TRANSFORMS))
    for (family, assumed), values in results.items():
        values = np.array(values)
        drops = values[:, :1] - values[:, 1:]
        cells = [f"{m:.3f} ({w:.3f})" for m, w in zip(drops.mean(0), drops.max(0))]
        readout = "linear_non_gaussian" if assumed else "default"
        print(f"| {family} | {readout} | {values[:, 0].mean():.3f} | " + " | ".join(cells) + " |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default=str(default_checkpoint_path()))
    parser.add_argument("--reexpress", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    if args.reexpress:
        reexpressed(args.checkpoint)
        return 0
    rows, structures = fits(args.checkpoint)
    results = held_out(rows, structures)
    print_held_out(results, READOUTS)
    # Other scores of the ranks, for comparison: each fixes every marginal to one shape.
    views = {"values": np.asarray, "normal scores": normal_scores}
    views["uniform scores"] = lambda X: normal_scores(X, lambda u: u)
    views["Laplace scores"] = lambda X: normal_scores(X, laplace.ppf)
    print("\nraw units: true edges DirectLiNGAM's order puts the right way round, read from")
    print("| d | " + " | ".join(views) + " |")
    shares = []
    for family, truth, _, _, _, X in rows:
        if family == "real-raw-linear" and X.shape[1] <= 2 * EXACT_COLUMNS:
            shares.append([orientation_share(view(X), truth) for view in views.values()])
            print(f"| {X.shape[1]} | " + " | ".join(f"{x:.2f}" for x in shares[-1]) + " |")
    print("| mean | " + " | ".join(f"{x:.3f}" for x in np.mean(shares, axis=0)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
