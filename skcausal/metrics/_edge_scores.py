"""Scores of a learned graph's edges against the true graph: AUROC and AUPRC of the edge scores,
precision, recall and F1 of the edges."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, roc_auc_score

from skcausal.metrics._graph import (
    _check_zero_division,
    _confusion_counts,
    _off_diagonal,
    _ratio,
)


def edge_auroc(true_adjacency, edge_scores) -> float:
    """Area under the ROC curve of edge scores against the true directed edges.

    Each ordered pair (i, j) with i != j is one binary example: its label is
    ``true_adjacency[i, j] != 0`` and its score ``edge_scores[i, j]``. The diagonal is ignored.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    edge_scores : array-like of shape (n_nodes, n_nodes)
        Confidence in each directed edge, e.g. an estimator's ``edge_probabilities_``; higher
        means more likely. Any finite real numbers are accepted.

    Returns
    -------
    auroc : float
        In [0, 1]; 0.5 is chance level. ``nan`` when the AUROC is undefined, i.e. when the true
        graph has no edge or every possible edge (only one class), including graphs of zero or
        one node.
        A :class:`sklearn.exceptions.UndefinedMetricWarning` is emitted in that case.

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values (ragged nested
        lists, strings and object arrays included), or the shapes differ.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import edge_auroc
    >>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> scores = np.array([[0.0, 0.9, 0.3], [0.2, 0.0, 0.4], [0.1, 0.5, 0.0]])
    >>> edge_auroc(truth, scores)
    0.875
    """
    labels, scores = _off_diagonal(true_adjacency, edge_scores, "edge_scores")
    n_positive = int(np.count_nonzero(labels))
    if n_positive == 0 or n_positive == labels.size:
        which = "no edge" if n_positive == 0 else "every possible edge"
        if labels.size == 0:  # "no edge" alone would hide that there is no pair to score at all
            which = "fewer than 2 nodes, hence no pair of nodes"
        warnings.warn(
            f"edge_auroc is undefined when true_adjacency has {which} (only one class among the "
            "off-diagonal pairs); returning nan.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    return float(roc_auc_score(labels, scores))


def edge_auprc(true_adjacency, edge_scores) -> float:
    """Area under the precision-recall curve (average precision) of edge scores.

    Each ordered pair (i, j) with i != j is one binary example: its label is
    ``true_adjacency[i, j] != 0`` and its score ``edge_scores[i, j]``. The diagonal is ignored.
    The area is computed as average precision
    (:func:`sklearn.metrics.average_precision_score`), without interpolation.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    edge_scores : array-like of shape (n_nodes, n_nodes)
        Confidence in each directed edge; higher means more likely.

    Returns
    -------
    auprc : float
        In [0, 1]; chance level is the edge density of the true graph. ``nan`` when the true graph
        has no edge (recall is undefined), with a
        :class:`sklearn.exceptions.UndefinedMetricWarning`. A complete true graph gives 1.0.

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values (ragged nested
        lists, strings and object arrays included), or the shapes differ.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import edge_auprc
    >>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> scores = np.array([[0.0, 0.9, 0.3], [0.2, 0.0, 0.4], [0.1, 0.5, 0.0]])
    >>> round(edge_auprc(truth, scores), 4)
    0.8333
    """
    labels, scores = _off_diagonal(true_adjacency, edge_scores, "edge_scores")
    if not labels.any():
        which = "no edge" if labels.size else "fewer than 2 nodes, hence no pair of nodes"
        warnings.warn(
            f"edge_auprc is undefined when true_adjacency has {which} (no positive among the "
            "off-diagonal pairs); returning nan.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    return float(average_precision_score(labels, scores))


def edge_precision(true_adjacency, predicted_adjacency, *, zero_division=0.0) -> float:
    """Share of predicted directed edges that are true edges.

    Computed over the ordered pairs (i, j), i != j, with the prediction binarised by ``!= 0``.
    An undirected CPDAG edge i - j is two predicted directed edges, so against a true i -> j it
    counts one true and one false positive.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    predicted_adjacency : array-like of shape (n_nodes, n_nodes)
        The learned graph (DAG or CPDAG).
    zero_division : float, default=0.0
        Returned when no edge is predicted (the ratio is 0 / 0). A number in [0, 1] or ``nan``;
        no warning is emitted.

    Returns
    -------
    precision : float
        In [0, 1].

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values, the shapes
        differ, or ``zero_division`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import edge_precision
    >>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> cpdag = np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]])  # 0 - 1 -> 2
    >>> round(edge_precision(truth, cpdag), 4)
    0.6667
    """
    zero_division = _check_zero_division(zero_division)
    true_positives, false_positives, _ = _confusion_counts(true_adjacency, predicted_adjacency)
    return _ratio(true_positives, true_positives + false_positives, zero_division)


def edge_recall(true_adjacency, predicted_adjacency, *, zero_division=0.0) -> float:
    """Share of true directed edges that are predicted.

    Computed over the ordered pairs (i, j), i != j, with the prediction binarised by ``!= 0``.
    An undirected CPDAG edge i - j predicts both i -> j and j -> i, so it recovers a true i -> j.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    predicted_adjacency : array-like of shape (n_nodes, n_nodes)
        The learned graph (DAG or CPDAG).
    zero_division : float, default=0.0
        Returned when the true graph has no edge (the ratio is 0 / 0). A number in [0, 1] or
        ``nan``; no warning is emitted.

    Returns
    -------
    recall : float
        In [0, 1].

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values, the shapes
        differ, or ``zero_division`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import edge_recall
    >>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> missing = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    >>> edge_recall(truth, missing)
    0.5
    """
    zero_division = _check_zero_division(zero_division)
    true_positives, _, false_negatives = _confusion_counts(true_adjacency, predicted_adjacency)
    return _ratio(true_positives, true_positives + false_negatives, zero_division)


def edge_f1(true_adjacency, predicted_adjacency, *, zero_division=0.0) -> float:
    """F1 score (harmonic mean of :func:`edge_precision` and :func:`edge_recall`) of the edges.

    Computed over the ordered pairs (i, j), i != j, as ``2 TP / (2 TP + FP + FN)`` with the
    prediction binarised by ``!= 0``; an undirected CPDAG edge counts as two directed edges.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    predicted_adjacency : array-like of shape (n_nodes, n_nodes)
        The learned graph (DAG or CPDAG).
    zero_division : float, default=0.0
        Returned when both graphs have no edge (the ratio is 0 / 0). A number in [0, 1] or
        ``nan``; no warning is emitted. When only one of precision and recall is a 0 / 0 case the
        F1 score is 0 regardless.

    Returns
    -------
    f1 : float
        In [0, 1].

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values, the shapes
        differ, or ``zero_division`` is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import edge_f1
    >>> truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> edge_f1(truth, truth)
    1.0
    >>> edge_f1(truth, truth.T)  # every edge reversed
    0.0
    """
    zero_division = _check_zero_division(zero_division)
    tp, fp, fn = _confusion_counts(true_adjacency, predicted_adjacency)
    return _ratio(2 * tp, 2 * tp + fp + fn, zero_division)
