"""Whether edge probabilities mean what they say: the expected calibration error, pooled over
graphs, and the expected number of edges against the number kept."""

from __future__ import annotations

import numpy as np

from skcausal.metrics._graph import _off_diagonal


def edge_calibration_error(true_adjacencies, edge_probabilities, *, n_bins=10) -> float:
    """Expected calibration error of edge probabilities, pooled over one or several graphs.

    The ordered pairs (i, j), i != j, of every graph are binned by probability into ``n_bins``
    equal-width bins; the error is the mean over bins, weighted by their share of the pairs, of
    ``|mean probability - share of true edges|``. 0 means that, among pairs given probability p,
    a share p are edges.

    Parameters
    ----------
    true_adjacencies : array-like of shape (n_nodes, n_nodes), or a list of them
        The true graphs; ``[i, j] != 0`` means i -> j.
    edge_probabilities : array-like of shape (n_nodes, n_nodes), or a list of them
        Probabilities in [0, 1], one matrix per graph.
    n_bins : int, default=10

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> truth = np.array([[0, 1], [0, 0]])
    >>> edge_calibration_error(truth, np.array([[0.0, 1.0], [0.0, 0.0]]))
    0.0
    >>> edge_calibration_error(truth, np.array([[0.0, 0.5], [0.5, 0.0]]))  # one of two: right
    0.0
    >>> round(edge_calibration_error(truth, np.array([[0.0, 0.9], [0.9, 0.0]])), 3)
    0.4
    """
    several = isinstance(true_adjacencies, (list, tuple)) and (
        len(true_adjacencies) == 0 or np.ndim(true_adjacencies[0]) == 2
    )
    if not several:  # one graph (an array, or a nested list of numbers)
        true_adjacencies, edge_probabilities = [true_adjacencies], [edge_probabilities]
    if len(true_adjacencies) != len(edge_probabilities) or not len(true_adjacencies):
        raise ValueError("need as many probability matrices as true graphs, at least one.")
    if int(n_bins) < 1:
        raise ValueError(f"n_bins must be >= 1; got {n_bins}.")
    pairs = [
        _off_diagonal(a, p, "edge_probabilities")
        for a, p in zip(true_adjacencies, edge_probabilities)
    ]
    labels = np.concatenate([labels for labels, _ in pairs]).astype(float)
    probabilities = np.concatenate([p for _, p in pairs]).astype(float)
    if probabilities.size == 0:
        raise ValueError("the graphs have no pair of distinct nodes.")
    if probabilities.min() < 0 or probabilities.max() > 1:
        raise ValueError("edge_probabilities must lie in [0, 1].")
    bins = np.minimum((probabilities * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in np.unique(bins):
        inside = bins == b
        error += inside.mean() * abs(probabilities[inside].mean() - labels[inside].mean())
    return float(error)
