"""Graph algorithms on adjacency matrices, each implemented once.

One convention everywhere: ``A[i, j] != 0`` means the edge i -> j; in a PDAG or CPDAG an undirected
edge i - j sets both ``A[i, j]`` and ``A[j, i]``. The modules import downward only: ``_dag``
(cycles, orders, edge scores and cutoffs, the greedy DAG) <- ``_equivalence`` (Meek's rules,
DAG -> CPDAG, PDAG -> DAG) <- ``_knowledge`` (background knowledge and how a graph is made to
honour it).
"""

from skcausal.graph._dag import (
    edge_given_pair,
    expected_f1_cutoff,
    find_cycle,
    greedy_dag,
    is_dag,
    likelier_direction,
    readout_scores,
    topological_order,
)
from skcausal.graph._equivalence import dag_to_cpdag, meek_orient, pdag_to_dag
from skcausal.graph._knowledge import BackgroundKnowledge, apply_knowledge

__all__ = [
    "BackgroundKnowledge",
    "apply_knowledge",
    "dag_to_cpdag",
    "edge_given_pair",
    "expected_f1_cutoff",
    "find_cycle",
    "greedy_dag",
    "is_dag",
    "likelier_direction",
    "meek_orient",
    "pdag_to_dag",
    "readout_scores",
    "topological_order",
]
