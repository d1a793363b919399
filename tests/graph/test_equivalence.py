"""Equivalence classes: dag_to_cpdag against causal-learn's dag2cpdag, cpdag_ of every estimator,
the consistent extension, and the metrics at the level of the class."""

import numpy as np
import pytest
from _strategies import knowledge_and_data  # tests/ is on sys.path under pytest
from causallearn.graph.Dag import Dag
from causallearn.graph.GraphNode import GraphNode
from causallearn.utils.DAG2CPDAG import dag2cpdag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skcausal import BackgroundKnowledge, ZeroShotCausalDiscovery
from skcausal.baselines import GES, GIES, NOTEARS, PC, causallearn_to_adjacency
from skcausal.datasets import make_scm
from skcausal.graph import pdag_to_dag
from skcausal.metrics import (
    cpdag_shd,
    dag_to_cpdag,
    skeleton_f1,
    structural_hamming_distance,
    structural_intervention_distance,
)


def _oracle(dag):
    """causal-learn's CPDAG of a DAG, in skcausal's convention: the independent reference."""
    nodes = [GraphNode(f"X{k + 1}") for k in range(len(dag))]
    graph = Dag(nodes)
    for i, j in np.argwhere(dag):
        graph.add_directed_edge(nodes[i], nodes[j])
    return causallearn_to_adjacency(dag2cpdag(graph).graph)


@st.composite
def dags(draw, max_nodes=8):
    d = draw(st.integers(1, max_nodes))
    order = draw(st.permutations(range(d)))
    upper = draw(st.lists(st.booleans(), min_size=d * d, max_size=d * d))
    a = np.triu(np.array(upper, dtype=int).reshape(d, d), k=1)
    return a[np.ix_(np.argsort(order), np.argsort(order))]


@settings(max_examples=150, deadline=None)
@given(dag=dags())
def test_dag_to_cpdag_matches_causallearn(dag):
    cpdag = dag_to_cpdag(dag)
    np.testing.assert_array_equal(cpdag, _oracle(dag))
    extension, consistent = pdag_to_dag(cpdag)
    assert consistent
    np.testing.assert_array_equal(dag_to_cpdag(extension), cpdag)  # same class


def test_dag_to_cpdag_refuses_a_cycle():
    with pytest.raises(ValueError, match="cycle"):
        dag_to_cpdag(np.array([[0, 1], [1, 0]]))


@pytest.mark.parametrize(
    "estimator", [ZeroShotCausalDiscovery, NOTEARS, PC, GES, GIES], ids=lambda e: e.__name__
)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=knowledge_and_data(max_nodes=6))
def test_cpdag_is_the_class_of_the_output(estimator, case):
    d, seed, required, forbidden, tiers = case
    X, _, _ = make_scm(200, d, random_state=seed)
    knowledge = BackgroundKnowledge(required=required, forbidden=forbidden, tiers=tiers)
    est = estimator(knowledge=knowledge).fit(X)
    if estimator in (PC, GES, GIES):
        np.testing.assert_array_equal(est.cpdag_, est.adjacency_)  # their own class
    else:
        np.testing.assert_array_equal(est.cpdag_, _oracle(est.adjacency_))


def test_pdag_to_dag_of_a_pdag_without_consistent_extension():
    # A 4-cycle of undirected edges 0 - 1 - 2 - 3 - 0 has no extension without a new v-structure.
    a = np.zeros((4, 4), dtype=int)
    for i in range(4):
        a[i, (i + 1) % 4] = a[(i + 1) % 4, i] = 1
    dag, consistent = pdag_to_dag(a)
    assert not consistent
    assert not np.any(dag & dag.T) and dag.sum() == 4  # still a DAG on the same skeleton


# -- metrics ---------------------------------------------------------------------------------------
CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
COLLIDER = np.array([[0, 1, 0], [0, 0, 0], [0, 1, 0]])


def test_skeleton_f1():
    assert skeleton_f1(CHAIN, CHAIN.T) == 1.0
    assert skeleton_f1(CHAIN, COLLIDER) == 1.0
    assert skeleton_f1(CHAIN, np.zeros((3, 3))) == 0.0
    half = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert skeleton_f1(CHAIN, half) == pytest.approx(2 / 3)
    assert skeleton_f1(np.zeros((3, 3)), np.zeros((3, 3)), zero_division=1.0) == 1.0


def test_cpdag_shd():
    assert cpdag_shd(CHAIN, CHAIN.T) == 0  # Markov equivalent
    assert structural_hamming_distance(CHAIN, CHAIN.T) == 2
    assert cpdag_shd(CHAIN, COLLIDER) == 2  # both edges directed against undirected
    assert cpdag_shd(CHAIN, dag_to_cpdag(CHAIN)) == 0  # a CPDAG is taken as one
    with pytest.raises(ValueError, match="cycle"):
        cpdag_shd(CHAIN, np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]))


@settings(max_examples=40, deadline=None)
@given(true=dags(6), guess=dags(6))
def test_cpdag_shd_is_zero_exactly_for_equivalent_dags(true, guess):
    if true.shape != guess.shape:
        return
    equivalent = np.array_equal(_oracle(true), _oracle(guess))
    assert (cpdag_shd(true, guess) == 0) == equivalent


def test_sid_known_values():
    assert structural_intervention_distance(CHAIN, CHAIN) == 0
    # Empty guess: the effect 0 -> 2 and 0 -> 1 and 1 -> 2 are wrongly said to be zero.
    assert structural_intervention_distance(CHAIN, np.zeros((3, 3))) == 3
    assert structural_intervention_distance(CHAIN, dag_to_cpdag(CHAIN)) > 0
    with pytest.raises(ValueError, match="not a valid CPDAG"):
        structural_intervention_distance(CHAIN, np.array([[0, 1, 1], [1, 0, 0], [0, 0, 0]]))
    with pytest.raises(ValueError, match="DAG"):
        structural_intervention_distance(np.array([[0, 1], [1, 0]]), np.zeros((2, 2)))
