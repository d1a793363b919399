"""Equivalence classes on adjacency matrices: DAG -> CPDAG, Meek's rules, PDAG -> consistent DAG.

A PDAG is a 0/1 matrix in which ``A[i, j] and not A[j, i]`` is the directed edge i -> j and
``A[i, j] and A[j, i]`` is the undirected edge i - j (skcausal's one convention). Written from
C. Meek, "Causal inference and causal explanation with background knowledge" (UAI 1995),
D. M. Chickering, "A transformational characterization of equivalent Bayesian network
structures" (UAI 1995) and
D. Dor and M. Tarsi, "A simple algorithm to construct a consistent extension of a partially
oriented graph" (1992).
"""

from __future__ import annotations

import numpy as np

from skcausal.graph._dag import _as_bool as _square
from skcausal.graph._dag import find_cycle, greedy_dag, topological_order


def _as_bool(adjacency):
    a = _square(adjacency).copy()
    np.fill_diagonal(a, False)
    return a


def _orient(a, candidates):
    """Orient the candidate undirected edges i - j as i -> j (one direction per pair)."""
    both = candidates & candidates.T
    candidates = candidates & ~(both & np.tri(len(a), k=-1, dtype=bool))
    a = a.copy()
    a[candidates.T] = False  # remove j -> i of each oriented i -> j
    return a


def meek_orient(pdag) -> np.ndarray:
    """Apply Meek's orientation rules 1-3 until nothing changes; returns a boolean PDAG.

    R1: a -> b - c, a and c not adjacent: b -> c. R2: a -> c -> b and a - b: a -> b.
    R3: a - c -> b, a - d -> b, c and d not adjacent, a - b: a -> b. The rules are sound: every
    edge they orient has that direction in every DAG of the class (consistent with the knowledge
    already oriented). Starting from a DAG's skeleton with its v-structures, they give its CPDAG.
    """
    a = _as_bool(pdag)
    while True:
        undirected = a & a.T
        if not undirected.any():
            return a
        # Float products go through BLAS (integer ones do not: 20x slower at d = 1000); the counts
        # are exact in float64.
        directed = (a & ~a.T).astype(float)
        not_adjacent = ~(a | a.T)
        rule1 = undirected & ((directed.T @ not_adjacent.astype(float)) > 0)
        rule2 = undirected & ((directed @ directed) > 0)
        candidates = rule1 | rule2
        if not candidates.any():
            for i, j in np.argwhere(undirected):
                middle = np.flatnonzero(undirected[i] & (directed[:, j] > 0))
                if middle.size >= 2 and np.any(not_adjacent[np.ix_(middle, middle)]):
                    candidates[i, j] = True
        if not candidates.any():
            return a
        a = _orient(a, candidates)


def dag_to_cpdag(dag) -> np.ndarray:
    """The CPDAG (essential graph) of a DAG, as a 0/1 int matrix.

    An edge of the DAG stays directed when every DAG Markov equivalent to it has that direction
    (Chickering's edge labelling); the others become undirected (both entries set).

    Parameters
    ----------
    dag : array-like of shape (d, d)
        ``dag[i, j] != 0`` means i -> j; must be acyclic.

    Returns
    -------
    cpdag : ndarray of shape (d, d), int

    Raises
    ------
    ValueError
        If ``dag`` is not square or has a directed cycle (2-cycles included).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import dag_to_cpdag
    >>> dag_to_cpdag(np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]]))  # a chain: all undirected
    array([[0, 1, 0],
           [1, 0, 1],
           [0, 1, 0]])
    >>> dag_to_cpdag(np.array([[0, 0, 1], [0, 0, 1], [0, 0, 0]]))  # a collider stays
    array([[0, 0, 1],
           [0, 0, 1],
           [0, 0, 0]])
    """
    a = _as_bool(dag)
    if find_cycle(a):
        raise ValueError("dag_to_cpdag needs a DAG; the graph has a directed cycle.")
    return _label_edges(a).astype(int)


def _label_edges(dag):
    """Chickering's (1995) edge labelling: each edge of the DAG is compelled or reversible.

    Edges are visited in his order (targets in topological order; for each target, its parents
    from the latest in that order to the earliest). Taking the first unlabelled edge x -> y:
    a compelled w -> x with w not a parent of y makes every edge into y compelled; a compelled
    w -> x with w a parent of y makes w -> y compelled; then, if y has a parent z that is neither
    x nor adjacent to x, every unlabelled edge into y is compelled, otherwise reversible.
    Compelled edges stay directed in the CPDAG, reversible ones become undirected. O(E * degree),
    where repeated Meek passes over the whole matrix cost O(d^3) each.
    """
    d = len(dag)
    order = topological_order(dag)
    rank = np.empty(d, dtype=int)
    rank[order] = np.arange(d)
    parents = [set(np.flatnonzero(dag[:, y]).tolist()) for y in range(d)]
    edges = [(x, y) for y in order for x in sorted(parents[y], key=lambda v: -rank[v])]
    label = {}  # (x, y) -> True (compelled) / False (reversible)
    for x, y in edges:
        if (x, y) in label:
            continue
        done = False
        for w in parents[x]:
            if not label.get((w, x), False):
                continue
            if w not in parents[y]:
                for z in parents[y]:
                    label[(z, y)] = True
                done = True
                break
            label[(w, y)] = True
        if done:
            continue
        compelled = any(z != x and z not in parents[x] for z in parents[y])
        for z in parents[y]:
            label.setdefault((z, y), compelled)
    cpdag = dag.copy()
    for (x, y), compelled in label.items():
        if not compelled:
            cpdag[y, x] = True
    return cpdag


def pdag_to_dag(pdag) -> tuple[np.ndarray, bool]:
    """A DAG in the class of a PDAG (Dor & Tarsi's consistent extension).

    Returns ``(dag, consistent)``. The DAG keeps every directed edge and orients every undirected
    one without creating a new v-structure or a cycle, when the PDAG allows it
    (``consistent=True``). A PDAG that admits no consistent extension (e.g. one with conflicting
    v-structures, as PC may return) gets a DAG anyway (``consistent=False``): directed cycles are
    broken by dropping edges, and the undirected edges follow a topological order.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.graph import pdag_to_dag
    >>> dag, ok = pdag_to_dag(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> ok, int(dag.sum())
    (True, 2)
    """
    a = _as_bool(pdag)
    d = a.shape[0]
    dag = a & ~a.T
    work = a.copy()
    remaining = np.ones(d, dtype=bool)
    adjacent = work | work.T
    while remaining.any():
        for x in np.flatnonzero(remaining):
            directed_out = work[x] & ~work[:, x] & remaining
            if directed_out.any():
                continue
            undirected = work[x] & work[:, x] & remaining
            neighbours = adjacent[x] & remaining
            ok = all(
                np.all(adjacent[y, neighbours & (np.arange(d) != y)])
                for y in np.flatnonzero(undirected)
            )
            if ok:
                dag[undirected, x] = True  # y - x becomes y -> x
                remaining[x] = False
                break
        else:
            return _fallback_extension(a), False
    return dag.astype(int), True


def _fallback_extension(a):
    directed = a & ~a.T
    dag = greedy_dag(directed.astype(float), threshold=0.0) != 0
    rank = _topological_rank(dag)
    undirected = a & a.T
    dag |= undirected & (rank[:, None] < rank[None, :])
    return dag.astype(int)


def _topological_rank(dag):
    """Each node's position in the topological order of the DAG ``dag``."""
    rank = np.empty(len(dag), dtype=int)
    rank[topological_order(dag)] = np.arange(len(dag))
    return rank
