"""Scorers for model selection against a known graph (``scoring=`` of scikit-learn)."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from skcausal._utils import check_adjacency
from skcausal.metrics._class_metrics import cpdag_shd, skeleton_f1, structural_intervention_distance
from skcausal.metrics._edge_scores import (
    edge_auprc,
    edge_auroc,
    edge_f1,
    edge_precision,
    edge_recall,
)
from skcausal.metrics._graph import structural_hamming_distance

# name -> (metric, fitted attribute it reads, sign that makes greater better)
_METRICS = {
    "shd": (structural_hamming_distance, "adjacency_", -1.0),
    "auroc": (edge_auroc, "edge_probabilities_", 1.0),
    "auprc": (edge_auprc, "edge_probabilities_", 1.0),
    "f1": (edge_f1, "adjacency_", 1.0),
    "precision": (edge_precision, "adjacency_", 1.0),
    "recall": (edge_recall, "adjacency_", 1.0),
    "skeleton_f1": (skeleton_f1, "adjacency_", 1.0),
    "cpdag_shd": (cpdag_shd, "cpdag_", -1.0),
    "sid": (structural_intervention_distance, "adjacency_", -1.0),
}


class _GraphScorer:
    """Callable ``scorer(estimator, X, y=None, **kwargs)``; a class (not a closure) so it pickles
    for parallel cross-validation."""

    def __init__(self, name, metric, attribute, sign, true_adjacency):
        self.name = name
        self.metric = metric
        self.attribute = attribute
        self.sign = sign
        self.true_adjacency = true_adjacency

    def __call__(self, estimator, X=None, y=None, **kwargs):
        # The graph was learned at fit time; the held-out X only matters to likelihood scores.
        while isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        learned = getattr(estimator, self.attribute, None)
        if learned is None:
            raise NotFittedError(
                f"{type(estimator).__name__} has no attribute {self.attribute!r}; the "
                f"{self.name!r} graph scorer needs a fitted causal-discovery estimator."
            )
        value = self.metric(self.true_adjacency, learned)
        # Adding 0.0 turns the -0.0 of a negated perfect SHD into 0.0 for printed results.
        return self.sign * float(value) + 0.0

    def __repr__(self):
        d = self.true_adjacency.shape[0]
        return f"make_graph_scorer({self.name!r}, true_adjacency=<{d}x{d} graph>)"


def make_graph_scorer(metric, true_adjacency):
    """Make a scorer that compares a fitted estimator's graph with the true graph.

    The scorer reads the graph the estimator learned at ``fit`` (``adjacency_`` for ``"shd"``,
    ``"f1"``, ``"precision"``, ``"recall"``, ``"skeleton_f1"`` and ``"sid"``; ``cpdag_`` for
    ``"cpdag_shd"``; ``edge_probabilities_`` for ``"auroc"`` and ``"auprc"``) and ignores the data
    it is called with, so in cross-validation each fold's score measures the graph learned from that
    fold's training rows. When the estimator is a :class:`~sklearn.pipeline.Pipeline` its last step
    is scored.

    Parameters
    ----------
    metric : {"shd", "auroc", "auprc", "f1", "precision", "recall", "skeleton_f1", \
"cpdag_shd", "sid"} or callable
        The metric, by name or as one of the functions of :mod:`skcausal.metrics`
        (:func:`structural_hamming_distance`, :func:`edge_auroc`, :func:`edge_auprc`,
        :func:`edge_f1`, :func:`edge_precision`, :func:`edge_recall`, :func:`skeleton_f1`,
        :func:`cpdag_shd`, :func:`structural_intervention_distance`).
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None, **kwargs) -> float``, greater is better: the SHD, the
        CPDAG SHD and the SID are returned negated, the other metrics as they are. Use it as
        ``scoring=`` of :func:`~sklearn.model_selection.cross_val_score` or
        :class:`~sklearn.model_selection.GridSearchCV`.

    Raises
    ------
    ValueError
        If ``metric`` is not one of the names or functions above, or ``true_adjacency`` is not a
        valid square adjacency matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import make_graph_scorer
    >>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> class Fitted:  # stands in for a fitted estimator
    ...     adjacency_ = np.array([[0, 1, 0], [0, 0, 0], [0, 1, 0]])
    >>> scorer = make_graph_scorer("shd", truth)
    >>> scorer(Fitted(), X=None)
    -1.0
    >>> make_graph_scorer("recall", truth)(Fitted(), X=None)
    0.5
    """
    if isinstance(metric, str):
        if metric not in _METRICS:
            raise ValueError(
                f"Unknown graph metric {metric!r}; allowed names are {sorted(_METRICS)} or one "
                "of the functions of skcausal.metrics."
            )
        name = metric
    else:
        by_function = {function: key for key, (function, _, _) in _METRICS.items()}
        try:
            name = by_function.get(metric)
        except TypeError:  # unhashable
            name = None
        if name is None:
            raise ValueError(
                f"metric must be one of the names {sorted(_METRICS)} or one of the functions "
                f"{[function.__name__ for function, _, _ in _METRICS.values()]} of "
                f"skcausal.metrics; got {metric!r}."
            )
    function, attribute, sign = _METRICS[name]
    true_adjacency = check_adjacency(true_adjacency, "true_adjacency")
    return _GraphScorer(name, function, attribute, sign, true_adjacency)
