"""Small graph algorithms on adjacency matrices (A[i, j] != 0 means i -> j)."""

from __future__ import annotations

import networkx as nx
import numpy as np


def greedy_dag(probabilities, threshold=0.5) -> np.ndarray:
    """Keep the edges with probability > ``threshold``, most probable first, skipping any edge that
    would close a directed cycle. Returns a 0/1 int matrix that is always a DAG.

    A transitive-closure matrix is kept up to date, so each candidate costs one lookup and each kept
    edge one vectorised update: O(d^2) per kept edge.

    Examples
    --------
    >>> import numpy as np
    >>> P = np.array([[0, .9, 0], [0, 0, .8], [.7, 0, 0]])  # a 3-cycle; the weakest edge goes
    >>> greedy_dag(P)
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    """
    p = np.asarray(probabilities, dtype=float)
    d = p.shape[0]
    candidates = np.argwhere((p > threshold) & ~np.eye(d, dtype=bool))
    order = np.argsort(-p[candidates[:, 0], candidates[:, 1]], kind="stable")
    adjacency = np.zeros((d, d), dtype=int)
    reach = np.eye(d, dtype=bool)  # reach[a, b]: a == b or there is a path a -> b
    for i, j in candidates[order]:
        if reach[j, i]:
            continue  # j already reaches i: i -> j would close a cycle
        adjacency[i, j] = 1
        # Everything that reaches i now reaches everything j reaches.
        reach[reach[:, i]] |= reach[j]
    return adjacency


def causal_order(adjacency) -> np.ndarray:
    """The nodes of a DAG in a causal order (parents first; ties broken by index).

    >>> causal_order([[0, 0], [1, 0]]).tolist()
    [1, 0]
    """
    graph = nx.DiGraph(np.asarray(adjacency) != 0)
    return np.array(list(nx.lexicographical_topological_sort(graph)), dtype=int)
