"""What both plots share: reading the graph from an estimator, a matrix or a DataFrame; node
names; the Axes to draw on."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skcausal._utils import check_adjacency


def _unwrap(estimator):
    # A Pipeline's graph is its last step's, as for skcausal.metrics.make_graph_scorer.
    while isinstance(estimator, Pipeline):
        estimator = estimator[-1]
    return estimator


def _is_estimator(obj):
    return hasattr(obj, "fit") and not hasattr(obj, "shape")


def _score_name(estimator_or_adjacency):
    """What the estimator's ``edge_probabilities_`` holds (its ``edge_score_name``); None for a
    matrix, whose meaning only the caller knows."""
    if not _is_estimator(estimator_or_adjacency):
        return None
    return getattr(_unwrap(estimator_or_adjacency), "edge_score_name", "edge score")


def _graph_from(estimator_or_adjacency, node_names):
    """(adjacency as 0/1 ints, edge probabilities or None, node names) of an estimator or array."""
    if _is_estimator(estimator_or_adjacency):
        estimator = _unwrap(estimator_or_adjacency)
        check_is_fitted(estimator, "adjacency_")
        adjacency = (np.asarray(estimator.adjacency_) != 0).astype(int)
        probabilities = np.asarray(getattr(estimator, "edge_probabilities_", adjacency), float)
        names = getattr(estimator, "feature_names_in_", None)
    else:
        names = getattr(estimator_or_adjacency, "columns", None)
        adjacency = (check_adjacency(estimator_or_adjacency, "adjacency") != 0).astype(int)
        probabilities = None
    names = _check_names(node_names if node_names is not None else names, adjacency.shape[0])
    return adjacency, probabilities, names


def _check_names(names, d):
    if names is None:
        return [str(k) for k in range(d)]
    names = [str(name) for name in names]
    if len(names) != d:
        raise ValueError(f"node_names must hold {d} names, one per variable; got {len(names)}.")
    if len(set(names)) != d:
        raise ValueError("node_names must be distinct.")
    return names


def _get_ax(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
