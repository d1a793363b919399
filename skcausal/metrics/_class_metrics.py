"""Metrics at the level of the equivalence class: skeleton F1, CPDAG SHD, SID."""

from __future__ import annotations

import numpy as np

from skcausal.graph import dag_to_cpdag, find_cycle, pdag_to_dag
from skcausal.metrics._graph import _check_pair, _ratio, structural_hamming_distance


def _as_cpdag(adjacency):
    """A DAG becomes its CPDAG; a graph with undirected edges is taken as an equivalence class."""
    a = np.asarray(adjacency) != 0
    if np.any(a & a.T):
        return a.astype(int)
    if find_cycle(a):
        raise ValueError(
            "a graph without undirected edges must be a DAG to have a CPDAG; it has a cycle."
        )
    return dag_to_cpdag(a)


def skeleton_f1(true_adjacency, predicted_adjacency, *, zero_division=0.0) -> float:
    """F1 score of the skeletons: adjacencies, whatever their direction.

    Each unordered pair {i, j} is adjacent in a graph when ``A[i, j]`` or ``A[j, i]`` is set, so a
    reversed or undirected edge counts as found.

    Parameters
    ----------
    true_adjacency, predicted_adjacency : array-like of shape (n_nodes, n_nodes)
    zero_division : float, default=0.0
        Returned when neither graph has an edge.

    Returns
    -------
    f1 : float in [0, 1]

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import skeleton_f1
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> skeleton_f1(chain, chain.T)  # every edge reversed: the skeleton is right
    1.0
    """
    true, predicted = _check_pair(true_adjacency, predicted_adjacency, "predicted_adjacency")
    predicted = predicted != 0
    upper = np.triu(np.ones(true.shape, dtype=bool), k=1)
    t = (true | true.T)[upper]
    p = (predicted | predicted.T)[upper]
    tp = np.count_nonzero(t & p)
    return _ratio(2 * tp, np.count_nonzero(t) + np.count_nonzero(p), zero_division)


def cpdag_shd(true_adjacency, predicted_adjacency) -> int:
    """Structural Hamming distance between the equivalence classes of two graphs.

    A DAG is replaced by its CPDAG (:func:`dag_to_cpdag`); a graph with undirected edges (PC's,
    GES's output) is taken as a CPDAG already. Then the node pairs whose relation differs are
    counted as by :func:`structural_hamming_distance`, so two Markov-equivalent DAGs are at
    distance 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import cpdag_shd
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> cpdag_shd(chain, chain.T)  # equivalent DAGs
    0
    """
    true, predicted = _check_pair(true_adjacency, predicted_adjacency, "predicted_adjacency")
    return structural_hamming_distance(_as_cpdag(true), _as_cpdag(predicted))


def structural_intervention_distance(true_adjacency, predicted_adjacency) -> int:
    """Structural intervention distance (SID; Peters & Bühlmann, 2015), computed by gadjid.

    The number of ordered pairs (i, j) for which the predicted graph gives a wrong adjustment set
    for the effect of i on j under the true DAG. For a CPDAG prediction, gadjid's parent
    adjustment distance is used, which equals the SID on DAGs and counts a pair as wrong when
    any DAG of the class gets it wrong.

    Parameters
    ----------
    true_adjacency : array-like of shape (n_nodes, n_nodes)
        A DAG.
    predicted_adjacency : array-like of shape (n_nodes, n_nodes)
        A DAG or a CPDAG (undirected edges set both entries).

    Returns
    -------
    sid : int
        Between 0 and ``n_nodes * (n_nodes - 1)``; lower is better. Not symmetric.

    Raises
    ------
    ValueError
        If the true graph is not a DAG, or the prediction is neither a DAG nor a valid CPDAG
        (e.g. a PC output with conflicting orientations).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.metrics import structural_intervention_distance
    >>> chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    >>> structural_intervention_distance(chain, chain)
    0
    >>> structural_intervention_distance(chain, chain.T)
    6
    """
    import gadjid

    true, predicted = _check_pair(true_adjacency, predicted_adjacency, "predicted_adjacency")
    if find_cycle(true):
        raise ValueError("structural_intervention_distance needs a DAG as true_adjacency.")
    predicted = predicted != 0
    undirected = predicted & predicted.T
    if undirected.any():
        dag, consistent = pdag_to_dag(predicted)
        if not consistent or not np.array_equal(dag_to_cpdag(dag), predicted.astype(int)):
            raise ValueError(
                "predicted_adjacency has undirected edges but is not a valid CPDAG; the SID is "
                "defined for DAGs and CPDAGs only."
            )
        coded = np.where(undirected, 2, predicted.astype(int))
        coded = np.where(np.tril(np.ones_like(coded, dtype=bool)) & undirected, 0, coded)
        _, count = gadjid.parent_aid(
            true.astype(np.int8), coded.astype(np.int8), edge_direction="from row to column"
        )
        return int(count)
    if find_cycle(predicted):
        raise ValueError(
            "predicted_adjacency has a directed cycle; the SID needs a DAG or a CPDAG."
        )
    _, count = gadjid.sid(
        true.astype(np.int8), predicted.astype(np.int8), edge_direction="from row to column"
    )
    return int(count)
