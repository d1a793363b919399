"""Metrics against a known graph, and scorers that use them in model selection."""

from skcausal.graph import dag_to_cpdag
from skcausal.metrics._calibration import edge_calibration_error
from skcausal.metrics._class_metrics import cpdag_shd, skeleton_f1, structural_intervention_distance
from skcausal.metrics._edge_scores import (
    edge_auprc,
    edge_auroc,
    edge_f1,
    edge_precision,
    edge_recall,
)
from skcausal.metrics._graph import classify_edges, structural_hamming_distance
from skcausal.metrics._scorer import make_graph_scorer

__all__ = [
    "classify_edges",
    "cpdag_shd",
    "dag_to_cpdag",
    "edge_auprc",
    "edge_auroc",
    "edge_calibration_error",
    "edge_f1",
    "edge_precision",
    "edge_recall",
    "make_graph_scorer",
    "skeleton_f1",
    "structural_hamming_distance",
    "structural_intervention_distance",
]
