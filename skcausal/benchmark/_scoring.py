"""The metrics of a benchmark fit.

Scores are computed in the calling process from ``adjacency_`` and ``edge_probabilities_`` with the
functions of :mod:`skcausal.metrics`, so every method is scored by the same code.
"""

from __future__ import annotations

import warnings

import numpy as np

from skcausal.benchmark._isolation import _describe
from skcausal.metrics import (
    cpdag_shd,
    edge_auprc,
    edge_auroc,
    edge_f1,
    edge_precision,
    edge_recall,
    skeleton_f1,
    structural_hamming_distance,
    structural_intervention_distance,
)

# name -> (metric, fitted attribute it reads); the order is the order of the result columns.
METRICS = {
    "shd": (structural_hamming_distance, "adjacency_"),
    "auroc": (edge_auroc, "edge_probabilities_"),
    "auprc": (edge_auprc, "edge_probabilities_"),
    "f1": (edge_f1, "adjacency_"),
    "precision": (edge_precision, "adjacency_"),
    "recall": (edge_recall, "adjacency_"),
    "skeleton_f1": (skeleton_f1, "adjacency_"),
    "cpdag_shd": (cpdag_shd, "cpdag_"),
    "sid": (structural_intervention_distance, "adjacency_"),
}
# Metrics of the equivalence class, undefined (NaN) for some graphs rather than an error of the fit:
# a true graph with a cycle (the Sachs consensus network), a PC output that is no valid CPDAG.
_MAYBE_UNDEFINED = ("cpdag_shd", "sid")


def _score(true_adjacency, result):
    """The metrics of one fit; NaN for a fit that did not finish or gave an unusable graph."""
    if result["status"] != "ok":
        return dict.fromkeys(METRICS, np.nan)
    scores = {}
    with warnings.catch_warnings():
        # Undefined metrics (a true graph without edges) are NaN; the warning adds nothing here.
        warnings.simplefilter("ignore")
        try:
            for name, (metric, attribute) in METRICS.items():
                if name in _MAYBE_UNDEFINED:
                    try:
                        scores[name] = float(metric(true_adjacency, result[attribute]))
                    except ValueError:
                        scores[name] = np.nan
                    continue
                scores[name] = float(metric(true_adjacency, result[attribute]))
        except ValueError as exc:  # e.g. a graph of the wrong shape, or NaN probabilities
            result.update(status="error", error=f"scoring failed: {_describe(exc)}")
            return dict.fromkeys(METRICS, np.nan)
    return scores
