"""Where raw-unit linear SEMs on real structures lose the zero-shot model (#23, kept edges).

For one dataset of each named development network in the real-structure validation families
(``configs/v3.json``'s sets, n = 1,000; linear SEMs standardised or in raw units) it prints the
smallest eigenvalue of the correlation matrix (how near-deterministic the data are), the skeleton
AUPRC of the shipped model (``p + p.T``) against that of the bare absolute partial correlations
(no model at all), the model's directed AUPRC, and the skeleton AUROC of the partial correlations
with no ridge and with the ridge the model's features use (``1e-3 + d / (10 n)``).

    python research/experiments/raw_units_diagnosis.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from skcausal import ZeroShotCausalDiscovery
from skcausal.metrics import edge_auprc
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite

NETWORKS = {27: "insurance", 37: "alarm", 109: "pathfinder", 223: "andes"}
ROOT = Path(__file__).resolve().parents[2]


def partial_correlations(corr, ridge):
    precision = np.linalg.inv(corr + ridge * np.eye(len(corr))) if ridge else np.linalg.pinv(corr)
    return np.abs(precision / np.sqrt(np.outer(np.diag(precision), np.diag(precision))))


def main():
    torch.set_num_threads(1)
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(config, ood=False, structures=True, v3=False)
    estimator = ZeroShotCausalDiscovery()
    print(
        "| family | network (d) | smallest eigenvalue | skeleton AUPRC: model / partial corr. "
        "| directed AUPRC, model | partial corr. skeleton AUROC: no ridge / features' ridge |"
    )
    print("|---|---|---:|---|---:|---|")
    for family in ("real-linear", "real-raw-linear"):
        seen = set()
        for batch in suite.families[family]:
            for X, A in zip(batch.X.numpy().astype(float), batch.adjacency.numpy()):
                n, d = X.shape
                if d not in NETWORKS or d in seen:
                    continue
                seen.add(d)
                corr = np.corrcoef(X, rowvar=False)
                upper = np.triu_indices(d, 1)
                truth = ((A + A.T) > 0)[upper]
                p = estimator.fit(X).edge_probabilities_
                bare, ridged = (partial_correlations(corr, r) for r in (0, 1e-3 + d / (10 * n)))
                print(
                    f"| {family} | {NETWORKS[d]} ({d}) | {np.linalg.eigvalsh(corr).min():.1e} "
                    f"| {average_precision_score(truth, (p + p.T)[upper]):.3f} / "
                    f"{average_precision_score(truth, bare[upper]):.3f} "
                    f"| {edge_auprc(A, p):.3f} | {roc_auc_score(truth, bare[upper]):.3f} / "
                    f"{roc_auc_score(truth, ridged[upper]):.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
