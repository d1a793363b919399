"""Fixed, seeded validation sets and the metrics logged during pretraining.

The sets are drawn from their own generator (seed below), never from the training stream, and are the
same in every run, so curves of different runs are comparable.
"""

from __future__ import annotations

import numpy as np
import torch

from skcausal.datasets._simulator import SCMBatchSampler
from skcausal.metrics import edge_auprc, edge_auroc, structural_hamming_distance
from skcausal.zeroshot._features import pair_features

VALIDATION_SEED = 2_000_003


class ValidationSuite:
    """One family per mechanism (d = 10 and 20, about half of them interventional), plus families of
    larger graphs (mixed mechanisms) up to the training range."""

    def __init__(self, simulation_config, n_samples=500, n_datasets=8, sizes=(10, 20), large=(50, 100)):
        sampler = SCMBatchSampler(simulation_config, generator=VALIDATION_SEED)
        self.families = {}
        for mechanism in simulation_config.mechanisms:
            self.families[mechanism] = [
                sampler.sample(n_datasets, d, n_samples, mechanism=mechanism) for d in sizes
            ]
        for d in large:
            if d <= simulation_config.max_nodes:
                self.families[f"d{d}"] = [sampler.sample(max(2, n_datasets // 4), d, n_samples)]
        self._tokens = {}

    @torch.no_grad()
    def evaluate(self, model, device) -> dict:
        """Mean AUROC, AUPRC and SHD (at probability 0.5) per family, and their means over families."""
        was_training = model.training
        model.eval()
        results = {}
        for family, batches in self.families.items():
            scores = {"auroc": [], "auprc": [], "shd": []}
            for k, batch in enumerate(batches):
                key = (family, k)
                if key not in self._tokens:
                    self._tokens[key] = pair_features(batch.X, batch.intervention_mask)
                probs = torch.sigmoid(model(self._tokens[key].to(device))).cpu().numpy()
                truth = batch.adjacency.numpy()
                for p, a in zip(probs, truth):
                    if 0 < a.sum() < a.shape[0] * (a.shape[0] - 1):
                        scores["auroc"].append(edge_auroc(a, p))
                        scores["auprc"].append(edge_auprc(a, p))
                    scores["shd"].append(structural_hamming_distance(a, p > 0.5))
            for metric, values in scores.items():
                results[f"{family}/{metric}"] = float(np.mean(values))
        for metric in ("auroc", "auprc", "shd"):
            results[f"mean/{metric}"] = float(np.mean([results[f"{f}/{metric}"] for f in self.families]))
        model.train(was_training)
        return results
