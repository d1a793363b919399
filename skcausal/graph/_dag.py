"""Directed acyclic graphs on adjacency matrices (``A[i, j] != 0`` means i -> j): cycles, orders,
and the greedy DAG that turns edge probabilities into an acyclic graph."""

from __future__ import annotations

import heapq

import numpy as np


def _as_bool(adjacency) -> np.ndarray:
    a = np.asarray(adjacency) != 0
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"an adjacency matrix must be square; got shape {a.shape}.")
    return a


def find_cycle(adjacency) -> list:
    """One directed cycle as a list of nodes, or ``[]`` when the graph has none.

    A self-loop is a cycle of one node.

    Examples
    --------
    >>> from skcausal.graph import find_cycle
    >>> find_cycle([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    [0, 1, 2]
    >>> find_cycle([[0, 1], [0, 0]])
    []
    """
    a = _as_bool(adjacency)
    d = a.shape[0]
    state = np.zeros(d, dtype=int)  # 0 new, 1 on the stack, 2 done
    for root in range(d):
        if state[root]:
            continue
        stack = [(root, iter(np.flatnonzero(a[root])))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state[child] == 1:
                return [int(k) for k in path[path.index(child) :]]
            elif state[child] == 0:
                state[child] = 1
                stack.append((child, iter(np.flatnonzero(a[child]))))
                path.append(child)
    return []


def is_dag(adjacency) -> bool:
    """True when the graph has no directed cycle (a self-loop counts as one).

    Examples
    --------
    >>> from skcausal.graph import is_dag
    >>> is_dag([[0, 1], [0, 0]]), is_dag([[0, 1], [1, 0]])
    (True, False)
    """
    return not find_cycle(adjacency)


def topological_order(dag) -> np.ndarray:
    """The nodes of a DAG in a topological order (parents first), the smallest index first among
    the nodes that are ready: the order is unique for a given graph.

    Raises
    ------
    ValueError
        If the graph has a directed cycle.

    Examples
    --------
    >>> from skcausal.graph import topological_order
    >>> topological_order([[0, 0, 0], [1, 0, 0], [0, 0, 0]]).tolist()
    [1, 0, 2]
    """
    a = _as_bool(dag)
    d = a.shape[0]
    indegree = a.sum(axis=0).astype(int)
    ready = [int(k) for k in np.flatnonzero(indegree == 0)]
    heapq.heapify(ready)
    order = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in np.flatnonzero(a[node]):
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, int(child))
    if len(order) < d:
        raise ValueError("a topological order needs a DAG; the graph has a directed cycle.")
    return np.array(order, dtype=int)


def greedy_dag(probabilities, threshold=0.5) -> np.ndarray:
    """Keep the edges with probability > ``threshold``, most probable first, skipping any edge that
    would close a directed cycle. Returns a 0/1 int matrix that is always a DAG.

    A transitive-closure matrix is kept up to date, so each candidate costs one lookup and each kept
    edge one vectorised update: O(d^2) per kept edge.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import greedy_dag
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


def edge_given_pair(probabilities) -> np.ndarray:
    """Each edge's probability given that the pair is not joined the other way round:
    ``p[i, j] / (1 - p[j, i])`` where i -> j is the pair's more probable direction, else 0.

    A DAG joins a pair i, j at most one way, so each pair has three states, with probabilities
    ``p[i, j]``, ``p[j, i]`` and ``1 - p[i, j] - p[j, i]`` (no edge). Above 0.5, this score marks
    the pair's most probable state: the choice that minimises the pair's expected error (a
    missing, an extra and a reversed edge cost one each, as in the structural Hamming distance).
    Reading ``p[i, j] > 0.5`` instead drops the pairs whose two directions cannot be told apart
    from the data (a Markov-equivalent pair at 0.45 each way is a near-certain adjacency). An edge
    whose reverse has probability 0 keeps its own probability; equally probable directions both
    keep their score. Probabilities that claim both directions (``p[i, j] + p[j, i] > 1``) give 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import edge_given_pair
    >>> P = np.array([[0, .45, .05], [.45, 0, .0], [.9, .3, 0]])
    >>> edge_given_pair(P).round(2)  # 0 - 1: either way; 2 -> 0: sure; 2 -> 1: 0.3
    array([[0.  , 0.82, 0.  ],
           [0.82, 0.  , 0.  ],
           [0.95, 0.3 , 0.  ]])
    """
    p = np.asarray(probabilities, dtype=float)
    reverse = p.T
    score = np.clip(p / np.clip(1.0 - reverse, 1e-12, None), 0.0, 1.0)
    return np.where((p >= reverse) & (p > 0), score, 0.0) * ~np.eye(len(p), dtype=bool)


def likelier_direction(probabilities) -> np.ndarray:
    """Each pair's more probable direction with its probability, 0 elsewhere (a tie goes to
    i -> j with i < j), so that no pair is scored both ways.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import likelier_direction
    >>> likelier_direction(np.array([[0, .45, .1], [.45, 0, 0], [.7, .2, 0]]))
    array([[0.  , 0.45, 0.  ],
           [0.  , 0.  , 0.  ],
           [0.7 , 0.2 , 0.  ]])
    """
    p = np.asarray(probabilities, dtype=float)
    upper = np.triu(np.ones(p.shape, dtype=bool), 1)
    keep = ((p > p.T) | ((p == p.T) & upper)) & (p > 0)
    return np.where(keep, p, 0.0)


def expected_f1_cutoff(scores, expected_edges) -> float:
    """The cutoff above which the edges of ``scores`` maximise the expected F1 score of a graph
    whose true edges number ``expected_edges`` on average.

    Keeping the k highest probabilities s_1 >= ... >= s_k gives on average s_1 + ... + s_k true
    edges, so F1 = 2 TP / (kept + true) is estimated as ``2 (s_1 + ... + s_k) / (k + expected)``.
    The next edge raises that estimate exactly when its probability exceeds half of it, so the
    estimate rises to its maximum F* and falls after it, and the cutoff lies between the last kept
    probability and the first dropped one, at F* / 2 (for calibrated probabilities the F1-optimal
    threshold is half the optimal F1: Lipton, Elkan and Narayanaswamy, 2014). Where the
    probabilities are sharp this keeps what a threshold of 0.5 keeps; where they are diffuse,
    more edges, near their expected number.

    Parameters
    ----------
    scores : array-like of shape (d, d)
        Edge probabilities, one direction per pair (:func:`likelier_direction`); zeros are never
        kept.
    expected_edges : float
        The expected number of true edges, usually the sum of all edge probabilities.

    Returns
    -------
    cutoff : float
        ``scores > cutoff`` marks the kept edges; 1.0 when none should be kept.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import expected_f1_cutoff
    >>> p = np.array([[0, .9, .4], [0, 0, .35], [0, 0, 0]])
    >>> cutoff = expected_f1_cutoff(p, p.sum())  # keeping .9 and .4: F1 estimate 2 * 1.3 / 3.65
    >>> round(cutoff, 3), int((p > cutoff).sum())
    (0.356, 2)
    """
    _, f1 = f1_estimates(scores, expected_edges)
    if len(f1) == 0 or expected_edges <= 0:
        return 1.0
    # Half the maximum: above the last kept probability's share, at or below the first dropped
    # one (ties at the maximum keep fewer edges).
    return float(f1.max() / 2)


def f1_estimates(scores, expected_edges):
    """The positive ``scores`` in decreasing order, and the F1 estimate of keeping the first k of
    them, ``2 (s_1 + ... + s_k) / (k + expected_edges)``, for k = 1, 2, ...
    (:func:`expected_f1_cutoff`)."""
    s = np.asarray(scores, dtype=float)
    s = np.sort(s[s > 0])[::-1]
    return s, 2 * np.cumsum(s) / (np.arange(1, len(s) + 1) + max(expected_edges, 1e-12))


def readout_scores(probabilities, threshold=0.5):
    """The scores a graph is read from and the cutoff above which they are kept: for a number,
    :func:`edge_given_pair` and that number (0.5: each pair's most probable state, the least
    expected SHD); for ``"f1"``, :func:`likelier_direction` and :func:`expected_f1_cutoff` with
    the sum of all probabilities as the expected number of edges (the largest expected F1).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import readout_scores
    >>> p = np.zeros((5, 5))
    >>> p[0, 1:] = 0.35  # four pairs at 0.35 expect 1.4 edges
    >>> [int((np.greater(*readout_scores(p, t))).sum()) for t in (0.5, "f1")]
    [0, 4]
    """
    p = np.asarray(probabilities, dtype=float)
    if isinstance(threshold, str):
        if threshold != "f1":
            raise ValueError(f'threshold must be a number in [0, 1] or "f1"; got {threshold!r}.')
        scores = likelier_direction(p)
        return scores, expected_f1_cutoff(scores, p.sum())
    return edge_given_pair(p), float(threshold)
