"""Tests of skcausal.graph's DAG algorithms: greedy_dag (probabilities -> a DAG), cycles, orders."""

import doctest

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skcausal.graph import (
    _dag,
    edge_given_pair,
    expected_f1_cutoff,
    greedy_dag,
    is_dag,
    likelier_direction,
    readout_scores,
)

# A few values only, so that ties (between edges, and with the threshold) are common.
TIED = st.sampled_from([0.0, 0.2, 0.5, 0.5, 0.6, 0.7, 0.7, 0.9, 1.0])


@st.composite
def probability_matrices(draw, max_nodes=9):
    d = draw(st.integers(0, max_nodes))
    elements = draw(st.sampled_from([TIED, st.floats(0, 1)]))
    return draw(arrays(np.float64, (d, d), elements=elements))


thresholds = st.one_of(st.sampled_from([0.0, 0.5, 0.7]), st.floats(0, 1))


def reference_greedy(p, threshold):
    """The specification, written plainly: most probable first (ties in row-major order), keep an
    edge unless the kept graph already has a path from its head to its tail."""
    d = p.shape[0]
    candidates = [(i, j) for i in range(d) for j in range(d) if i != j and p[i, j] > threshold]
    candidates.sort(key=lambda e: -p[e])  # stable: ties stay in row-major order
    graph = nx.DiGraph()
    graph.add_nodes_from(range(d))
    for i, j in candidates:
        if not nx.has_path(graph, j, i):
            graph.add_edge(i, j)
    out = np.zeros((d, d), dtype=int)
    for i, j in graph.edges:
        out[i, j] = 1
    return out


def reaches(adjacency):
    closure = nx.transitive_closure(
        nx.from_numpy_array(adjacency, create_using=nx.DiGraph), reflexive=False
    )
    r = np.zeros(adjacency.shape, dtype=bool)
    for i, j in closure.edges:
        r[i, j] = True
    return r


@settings(max_examples=300, deadline=None)
@given(p=probability_matrices(), threshold=thresholds)
def test_greedy_dag_properties(p, threshold):
    before = p.copy()
    a = greedy_dag(p, threshold=threshold)
    d = p.shape[0]
    np.testing.assert_array_equal(p, before)  # input untouched
    assert a.shape == (d, d) and np.issubdtype(a.dtype, np.integer)
    assert set(np.unique(a)) <= {0, 1}
    assert not np.diag(a).any()
    assert is_dag(a)
    # Never an edge at or below the threshold.
    assert np.all(p[a == 1] > threshold)
    # Maximal: every above-threshold edge left out would close a cycle with the kept ones.
    r = reaches(a)
    for i, j in np.argwhere((p > threshold) & (a == 0) & ~np.eye(d, dtype=bool)):
        assert r[j, i]
    # And exactly the greedy order of the specification, ties included.
    np.testing.assert_array_equal(a, reference_greedy(p, threshold))


@st.composite
def dag_with_probabilities(draw):
    """A random DAG on shuffled labels, its edges above the threshold, every other pair at or
    below."""
    d = draw(st.integers(1, 10))
    threshold = draw(st.sampled_from([0.3, 0.5, 0.8]))
    order = draw(st.permutations(range(d)))
    upper = draw(arrays(bool, (d, d)))
    dag = np.zeros((d, d), dtype=int)
    for a in range(d):
        for b in range(a + 1, d):
            if upper[a, b]:
                dag[order[a], order[b]] = 1
    high = draw(arrays(np.float64, (d, d), elements=st.floats(threshold, 1, exclude_min=True)))
    low = draw(
        arrays(np.float64, (d, d), elements=st.one_of(st.just(threshold), st.floats(0, threshold)))
    )
    return np.where(dag == 1, high, low), dag, threshold


@settings(max_examples=200, deadline=None)
@given(dag_with_probabilities())
def test_greedy_dag_keeps_every_edge_of_an_acyclic_candidate_set(args):
    p, dag, threshold = args
    np.testing.assert_array_equal(greedy_dag(p, threshold=threshold), dag)


@settings(max_examples=200, deadline=None)
@given(
    length=st.integers(2, 7),
    extra_nodes=st.integers(0, 3),
    data=st.data(),
)
def test_greedy_dag_drops_the_weakest_edge_of_a_cycle(length, extra_nodes, data):
    d = length + extra_nodes
    nodes = data.draw(st.permutations(range(d)))[:length]
    probs = data.draw(st.lists(st.floats(0.51, 1.0), min_size=length, max_size=length, unique=True))
    p = np.zeros((d, d))
    for k in range(length):
        p[nodes[k], nodes[(k + 1) % length]] = probs[k]
    weakest = int(np.argmin(probs))
    expected = (p > 0).astype(int)
    expected[nodes[weakest], nodes[(weakest + 1) % length]] = 0
    np.testing.assert_array_equal(greedy_dag(p), expected)


def test_greedy_dag_examples():
    # The docstring's 3-cycle and a 2-cycle: the weaker direction goes.
    p = np.array([[0, 0.9, 0], [0, 0, 0.8], [0.7, 0, 0]])
    np.testing.assert_array_equal(greedy_dag(p), [[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_array_equal(greedy_dag([[0, 0.6], [0.8, 0]]), [[0, 0], [1, 0]])
    # A tie in a 2-cycle: the first in row-major order is kept.
    np.testing.assert_array_equal(greedy_dag([[0, 0.7], [0.7, 0]]), [[0, 1], [0, 0]])
    # Exactly at the threshold is not above it; the diagonal is never an edge.
    np.testing.assert_array_equal(greedy_dag([[1.0, 0.5], [0.4, 1.0]]), [[0, 0], [0, 0]])
    np.testing.assert_array_equal(greedy_dag([[0, 0.3], [0, 0]], threshold=0.2), [[0, 1], [0, 0]])
    # Empty and single-node inputs.
    assert greedy_dag(np.zeros((0, 0))).shape == (0, 0)
    np.testing.assert_array_equal(greedy_dag([[0.9]]), [[0]])


def test_greedy_dag_an_indirect_cycle_is_refused():
    # 0 -> 1 -> 2 -> 3 strong; 3 -> 0 weaker closes a 4-cycle; 0 -> 3 is a harmless shortcut.
    p = np.zeros((4, 4))
    p[0, 1], p[1, 2], p[2, 3], p[3, 0], p[0, 3] = 0.95, 0.9, 0.85, 0.8, 0.6
    a = greedy_dag(p)
    assert a[3, 0] == 0 and a[0, 3] == 1 and a.sum() == 4


def test_doctests():
    failures, _ = doctest.testmod(_dag, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


@pytest.mark.parametrize("d", [30, 60])
def test_greedy_dag_on_dense_random_probabilities(d):
    rng = np.random.default_rng(d)
    p = rng.random((d, d))
    a = greedy_dag(p)
    assert is_dag(a)
    np.testing.assert_array_equal(a, reference_greedy(p, 0.5))


@st.composite
def pair_probabilities(draw):
    """Edge probabilities with p[i, j] + p[j, i] <= 1 for every pair (a DAG joins a pair once)."""
    d = draw(st.integers(2, 6))
    values = st.sampled_from([0.0, 0.05, 0.2, 0.3, 0.45, 0.5, 0.55, 0.7, 0.9, 1.0])
    p = np.zeros((d, d))
    for i in range(d):
        for j in range(i + 1, d):
            p[i, j] = draw(values)
            p[j, i] = draw(values.filter(lambda v, a=p[i, j]: v <= 1 - a))
    return p


@given(p=pair_probabilities())
def test_edge_given_pair_above_half_is_the_pairs_most_probable_state(p):
    score = edge_given_pair(p)
    d = len(p)
    for i in range(d):
        for j in range(d):
            if i == j:
                assert score[i, j] == 0
                continue
            states = {"i->j": p[i, j], "j->i": p[j, i], "none": 1 - p[i, j] - p[j, i]}
            best = max(states.values())
            # Strictly the most probable state (ties with "no edge" are not above 0.5).
            if states["i->j"] == best and best > states["none"]:
                assert score[i, j] > 0.5
            else:
                assert score[i, j] <= 0.5 + 1e-12


def test_edge_given_pair_keeps_a_pair_split_between_its_directions():
    p = np.array([[0, 0.45, 0.9], [0.45, 0, 0], [0, 0.3, 0]])
    score = edge_given_pair(p)
    # The sure edge keeps its probability; the even split is kept once by the greedy DAG.
    assert score[0, 2] == 0.9 and score[2, 1] == 0.3
    assert greedy_dag(p, 0.5).sum() == 1  # reading p > 0.5 drops the split pair
    a = greedy_dag(score, 0.5)
    assert a[0, 2] == 1 and a[0, 1] + a[1, 0] == 1 and a.sum() == 2


@given(p=probability_matrices())
def test_likelier_direction_scores_each_pair_once(p):
    s = likelier_direction(p)
    d = len(p)
    for i in range(d):
        for j in range(i + 1, d):
            assert s[i, j] == 0 or s[j, i] == 0
            if max(p[i, j], p[j, i]) > 0:
                # the larger probability survives, i -> j on a tie
                assert max(s[i, j], s[j, i]) == max(p[i, j], p[j, i])
                assert s[i, j] > 0 if p[i, j] >= p[j, i] else s[j, i] > 0
    assert np.all(np.diag(s) == 0)


def plug_in_f1(kept, expected):
    """The F1 estimate of keeping these probabilities, written plainly: 2 E[TP] / (k + E[P])."""
    return 2 * sum(kept) / (len(kept) + expected) if kept else 0.0


@settings(max_examples=300, deadline=None)
@given(p=pair_probabilities())
def test_expected_f1_cutoff_keeps_the_best_top_k(p):
    s = likelier_direction(p)
    expected = p.sum()
    cutoff = expected_f1_cutoff(s, expected)
    kept = sorted(s[s > cutoff], reverse=True)
    ranked = sorted(s[s > 0], reverse=True)
    best = max(plug_in_f1(ranked[:k], expected) for k in range(len(ranked) + 1))
    assert plug_in_f1(kept, expected) == pytest.approx(best, abs=1e-12)
    # Lipton et al.'s characterisation: the kept probabilities lie above half the best F1
    # estimate, the dropped ones at or below it.
    if kept:
        assert min(kept) > best / 2 - 1e-12 and cutoff == pytest.approx(best / 2)
    assert all(v <= cutoff + 1e-12 for v in ranked[len(kept) :])


def test_expected_f1_cutoff_is_near_the_exact_expected_f1_optimum():
    # Independent edges with known probabilities: the exact expected F1 of keeping the k most
    # probable, by simulation, against the k that the plug-in estimate chooses.
    rng = np.random.default_rng(0)
    for shape in [(0.5, 0.5), (2.0, 5.0), (0.3, 3.0)]:  # sharp, diffuse, sparse
        probabilities = np.sort(rng.beta(*shape, size=60))[::-1]
        truth = rng.random((20_000, 60)) < probabilities
        exact = [
            np.mean(2 * truth[:, :k].sum(1) / np.maximum(k + truth.sum(1), 1)) for k in range(61)
        ]
        scores = np.zeros((61, 61))
        scores[0, 1:] = probabilities  # 60 candidate edges out of node 0
        k = int((scores > expected_f1_cutoff(scores, probabilities.sum())).sum())
        assert exact[k] >= max(exact) - 0.01, (shape, k, int(np.argmax(exact)))


def test_expected_f1_cutoff_on_sharp_and_on_diffuse_probabilities():
    sharp = np.array([[0, 0.97, 0.02], [0.01, 0, 0.95], [0.03, 0.02, 0]])
    s = likelier_direction(sharp)
    assert ((s > expected_f1_cutoff(s, sharp.sum())) == (s > 0.5)).all()
    # Ten pairs at 0.35 each expect 3.5 edges: a threshold of 0.5 keeps none, the cutoff all ten
    # (F1 estimate 2 * 3.5 / 13.5 = 0.52, so its half, 0.26, lies below 0.35).
    diffuse = np.zeros((11, 11))
    diffuse[0, 1:] = 0.35
    assert (diffuse > 0.5).sum() == 0
    assert (diffuse > expected_f1_cutoff(diffuse, diffuse.sum())).sum() == 10
    assert expected_f1_cutoff(np.zeros((3, 3)), 0.0) == 1.0


@given(p=pair_probabilities())
def test_readout_scores_names_the_two_rules(p):
    scores, cutoff = readout_scores(p, 0.5)
    assert np.array_equal(scores, edge_given_pair(p)) and cutoff == 0.5
    scores, cutoff = readout_scores(p, "f1")
    assert np.array_equal(scores, likelier_direction(p))
    assert cutoff == expected_f1_cutoff(scores, p.sum())


def test_readout_scores_refuses_other_names():
    with pytest.raises(ValueError, match='"f1"'):
        readout_scores(np.zeros((2, 2)), "F1")
