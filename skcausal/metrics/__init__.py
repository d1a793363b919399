"""Metrics against a known graph, and scorers that use them in model selection."""

from skcausal.metrics._graph import (
    edge_auprc,
    edge_auroc,
    edge_f1,
    edge_precision,
    edge_recall,
    structural_hamming_distance,
)
from skcausal.metrics._scorer import make_graph_scorer

__all__ = [
    "edge_auprc",
    "edge_auroc",
    "edge_f1",
    "edge_precision",
    "edge_recall",
    "make_graph_scorer",
    "structural_hamming_distance",
]
