"""Structural metrics of a learned graph against the true graph (SHD, edge categories), and the
checks that every graph metric shares."""

from __future__ import annotations

import math

import numpy as np

from skcausal._utils import check_adjacency


def _check_pair(true_adjacency, other, other_name):
    """Validate both matrices; return the binarised truth and ``other`` as floats."""
    true = check_adjacency(true_adjacency, "true_adjacency")
    other = check_adjacency(other, other_name, n_nodes=true.shape[0])
    return true != 0, other


def _off_diagonal(true_adjacency, other, other_name):
    """Labels and values of the ordered pairs (i, j), i != j, in row-major order."""
    labels, other = _check_pair(true_adjacency, other, other_name)
    keep = ~np.eye(labels.shape[0], dtype=bool)
    return labels[keep], other[keep]


def _check_zero_division(zero_division):
    try:
        value = float(zero_division)
    except (TypeError, ValueError):
        value = None
    if value is None or not (math.isnan(value) or 0.0 <= value <= 1.0):
        raise ValueError(f"zero_division must be a number in [0, 1] or nan; got {zero_division!r}.")
    return value


def _ratio(numerator, denominator, zero_division):
    if denominator == 0:
        return zero_division
    return float(numerator / denominator)


def _confusion_counts(true_adjacency, predicted_adjacency):
    labels, predicted = _off_diagonal(true_adjacency, predicted_adjacency, "predicted_adjacency")
    predicted = predicted != 0
    true_positives = int(np.count_nonzero(labels & predicted))
    false_positives = int(np.count_nonzero(~labels & predicted))
    false_negatives = int(np.count_nonzero(labels & ~predicted))
    return true_positives, false_positives, false_negatives


def structural_hamming_distance(true_adjacency, predicted_adjacency) -> int:
    """Structural Hamming distance (SHD) between two graphs.

    Every unordered pair of distinct nodes {i, j} is in one of four relations in each graph: no
    edge, i -> j, j -> i, or undirected i - j (both ``A[i, j]`` and ``A[j, i]`` set, as in a
    CPDAG). The SHD is the number of pairs whose relation differs. So a missing, an extra and a
    reversed edge count 1 each, an undirected edge against a directed one counts 1, and two
    undirected edges on the same pair count 0. The diagonal (self-loops) is ignored.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    predicted_adjacency : array-like of shape (n_nodes, n_nodes)
        The learned graph (DAG or CPDAG), binarised with ``!= 0``.

    Returns
    -------
    shd : int
        Between 0 and ``n_nodes * (n_nodes - 1) / 2``; lower is better. The distance is symmetric
        in its two arguments.

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values (ragged nested
        lists, strings and object arrays included), or the shapes differ.

    See Also
    --------
    classify_edges : Which pairs differ, and how.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import structural_hamming_distance
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
    >>> structural_hamming_distance(chain, chain)
    0
    >>> structural_hamming_distance(chain, chain.T)  # both edges reversed
    2
    >>> cpdag = np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]])  # 0 - 1 -> 2
    >>> structural_hamming_distance(chain, cpdag)
    1
    """
    _, true_code, predicted_code = _pair_codes(true_adjacency, predicted_adjacency)
    return int(np.count_nonzero(true_code != predicted_code))


# The relation of an unordered pair {i, j}, i < j, in one graph.
_NONE, _FORWARD, _BACKWARD, _UNDIRECTED = 0, 1, 2, 3


def _pair_codes(true_adjacency, predicted_adjacency):
    """The pairs i < j, and each pair's relation (0 none, 1 i -> j, 2 j -> i, 3 undirected) in
    the true and the predicted graph."""
    true, predicted = _check_pair(true_adjacency, predicted_adjacency, "predicted_adjacency")
    predicted = predicted != 0
    upper = np.triu_indices(true.shape[0], k=1)
    true_code = true[upper].astype(np.int8) + 2 * true.T[upper].astype(np.int8)
    predicted_code = predicted[upper].astype(np.int8) + 2 * predicted.T[upper].astype(np.int8)
    return upper, true_code, predicted_code


def classify_edges(true_adjacency, predicted_adjacency) -> dict:
    """Sort every node pair with an edge in either graph into what the learned graph got right.

    This is the structural Hamming distance pair by pair: each unordered pair {i, j} is in one
    of four relations in each graph (no edge, i -> j, j -> i, undirected), and a pair with an
    edge in either graph falls in exactly one category:

    - ``"correct"``: the same relation in both graphs;
    - ``"reversed"``: directed both times, the other way round;
    - ``"extra"``: a learned edge on a pair that has no true edge;
    - ``"missing"``: a true edge on a pair that has no learned edge;
    - ``"undirected"``: learned undirected (as in a CPDAG), true directed;
    - ``"oriented"``: learned directed, true undirected (only when the truth is a CPDAG).

    Every category except ``"correct"`` counts 1 in :func:`structural_hamming_distance`.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        The true graph; ``true_adjacency[i, j] != 0`` means i -> j.
    predicted_adjacency : array-like of shape (n_nodes, n_nodes)
        The learned graph (DAG or CPDAG), binarised with ``!= 0``.

    Returns
    -------
    categories : dict of str to list of tuple
        One key per category, in the order above, each a list of ``(source, target, directed)``
        triples sorted by node pair. A learned edge is given as learned (for ``"missing"``, the
        true edge as it is in the truth); an undirected edge is ``(i, j, False)`` with ``i < j``.

    Raises
    ------
    ValueError
        If an input is not a square 2-D numeric or boolean array of finite values, or the shapes
        differ.

    See Also
    --------
    structural_hamming_distance : The number of pairs outside ``"correct"``.
    skcausal.plot.plot_graph : Draws the learned graph coloured by these categories.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import classify_edges
    >>> true = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])       # 0 -> 1 -> 2
    >>> learned = np.array([[0, 1, 1], [0, 0, 0], [0, 1, 0]])    # 0 -> 1, 0 -> 2, 2 -> 1
    >>> categories = classify_edges(true, learned)
    >>> categories["correct"], categories["extra"], categories["reversed"]
    ([(0, 1, True)], [(0, 2, True)], [(2, 1, True)])
    """
    (rows, cols), true_code, predicted_code = _pair_codes(true_adjacency, predicted_adjacency)
    directed_true = (true_code == _FORWARD) | (true_code == _BACKWARD)
    directed_predicted = (predicted_code == _FORWARD) | (predicted_code == _BACKWARD)
    both = (true_code != _NONE) & (predicted_code != _NONE)
    masks = {
        "correct": both & (true_code == predicted_code),
        "reversed": both & directed_true & directed_predicted & (true_code != predicted_code),
        "extra": (true_code == _NONE) & (predicted_code != _NONE),
        "missing": (true_code != _NONE) & (predicted_code == _NONE),
        "undirected": directed_true & (predicted_code == _UNDIRECTED),
        "oriented": (true_code == _UNDIRECTED) & directed_predicted,
    }

    def edge(i, j, code):
        if code == _FORWARD:
            return (int(i), int(j), True)
        if code == _BACKWARD:
            return (int(j), int(i), True)
        return (int(i), int(j), False)

    categories = {}
    for name, mask in masks.items():
        shown = true_code if name == "missing" else predicted_code
        categories[name] = [edge(i, j, c) for i, j, c in zip(rows[mask], cols[mask], shown[mask])]
    return categories
