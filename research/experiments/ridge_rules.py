"""Which ridge the partial correlations should use (#23: raw-unit SEMs), with no model at all.

The features invert the correlation matrix with a ridge of ``1e-3 + d / (10 n)``
(``zeroshot/_features.py``). On raw-unit data the matrix is near-singular and that ridge is far
above its smallest eigenvalues (``raw_units_diagnosis.py``). This scores the skeleton by the
absolute partial correlations under several rules, mean skeleton AUROC per set:

- the real-structure validation families (``configs/v3.json``'s sets: 18 datasets each, n = 1,000);
- ``make_scm`` ER2 linear SEMs, standardised and in raw units, d = 20 and 50, n = 30, 100 and
  1,000 (5 seeds each): the small n where a ridge is needed at all.

Rules: the features' one; a tenth of it; Ledoit-Wolf shrinkage towards the identity
(``sklearn.covariance.ledoit_wolf`` on the standardised columns, then renormalised to a
correlation matrix); and the pseudo-inverse (no ridge).

    python research/experiments/ridge_rules.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from raw_units_diagnosis import partial_correlations  # research/experiments/ is on sys.path
from sklearn.covariance import ledoit_wolf
from sklearn.metrics import roc_auc_score

from skcausal.datasets import make_scm
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite

ROOT = Path(__file__).resolve().parents[2]


def _ledoit_wolf(X):
    Z = (X - X.mean(0)) / X.std(0)
    cov = ledoit_wolf(Z)[0]
    scale = np.sqrt(np.diag(cov))
    return partial_correlations(cov / np.outer(scale, scale), 0)


RULES = {
    "features' ridge": lambda X, C: partial_correlations(C, 1e-3 + C.shape[0] / (10 * len(X))),
    "a tenth of it": lambda X, C: partial_correlations(C, 1e-4 + C.shape[0] / (100 * len(X))),
    "Ledoit-Wolf": lambda X, C: _ledoit_wolf(X),
    "no ridge (pinv)": lambda X, C: partial_correlations(C, 0),
}


def scores(datasets):
    out = {rule: [] for rule in RULES}
    for X, A in datasets:
        corr = np.corrcoef(X, rowvar=False)
        upper = np.triu_indices(len(A), 1)
        truth = ((A + A.T) > 0)[upper]
        if 0 < truth.sum() < len(truth):
            for rule, partial in RULES.items():
                out[rule].append(roc_auc_score(truth, partial(X, corr)[upper]))
    return {rule: float(np.mean(v)) for rule, v in out.items()}


def main():
    torch.set_num_threads(1)
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    sets = {}
    for family in suite.groups["real-mean"]:
        sets[f"{family} (n = 1,000)"] = [
            (X.astype(float), A)
            for batch in suite.families[family]
            for X, A in zip(batch.X.numpy(), batch.adjacency.numpy())
        ]
    for raw in (False, True):
        for d in (20, 50):
            for n in (30, 100, 1000):
                data = [make_scm(n, d, raw_units=raw, random_state=seed)[::2] for seed in range(5)]
                sets[f"make_scm {'raw units' if raw else 'standardised'}, d = {d}, n = {n}"] = data
    print("| set | " + " | ".join(RULES) + " |")
    print("|---|" + "---:|" * len(RULES))
    for name, data in sets.items():
        row = scores(data)
        print(f"| {name} | " + " | ".join(f"{row[r]:.3f}" for r in RULES) + " |", flush=True)


if __name__ == "__main__":
    main()
