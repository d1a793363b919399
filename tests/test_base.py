"""The shared estimator contract of BaseCausalDiscovery: score, graph views, input handling."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold, cross_val_score

from skcausal import BaseCausalDiscovery, Discovery, ZeroShotCausalDiscovery
from skcausal.baselines import GES
from skcausal.datasets import make_scm
from skcausal.graph import is_dag


class FixedGraph(BaseCausalDiscovery):
    """'Learns' the graph it is given: isolates score() from any search."""

    def __init__(self, adjacency=None):
        self.adjacency = adjacency

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        d = X.shape[1]
        adjacency = np.zeros((d, d), dtype=int) if self.adjacency is None else self.adjacency
        return Discovery(np.asarray(adjacency, dtype=float), adjacency)


def _log_normal(x, mean, variance):
    return -0.5 * (np.log(2 * np.pi * variance) + (x - mean) ** 2 / variance)


@pytest.fixture(scope="module")
def linear_data():
    X, _, adjacency = make_scm(1000, 6, edges_per_node=1.5, random_state=3)
    return X, adjacency


def test_cross_val_score_needs_no_ground_truth(linear_data):
    X, _ = linear_data
    for estimator in (ZeroShotCausalDiscovery(), GES()):
        scores = cross_val_score(estimator, X, cv=3)
        assert scores.shape == (3,)
        assert np.all(np.isfinite(scores))


def test_true_graph_scores_higher_held_out_than_the_empty_graph(linear_data):
    X, adjacency = linear_data
    assert adjacency.sum() > 0
    cv = KFold(4, shuffle=True, random_state=0)
    true_scores = cross_val_score(FixedGraph(adjacency), X, cv=cv)
    empty_scores = cross_val_score(FixedGraph(), X, cv=cv)
    assert np.all(true_scores > empty_scores)


def test_score_of_the_empty_graph_is_the_gaussian_log_likelihood(linear_data):
    X, _ = linear_data
    train, test = X[:700], X[700:]
    expected = _log_normal(test, train.mean(axis=0), train.var(axis=0)).sum(axis=1).mean()
    assert FixedGraph().fit(train).score(test) == pytest.approx(expected)


def test_sample_weight_counts_samples(linear_data):
    X, adjacency = linear_data
    est = FixedGraph(adjacency).fit(X[:700])
    test = X[700:]
    weights = np.ones(len(test))
    weights[:50] = 2.0  # the first 50 samples twice
    doubled = np.vstack([test, test[:50]])
    assert est.score(test, sample_weight=weights) == pytest.approx(est.score(doubled))
    assert est.score(test, sample_weight=np.ones(len(test))) == pytest.approx(est.score(test))
    for bad in (np.ones(3), -weights, np.zeros(len(test)), np.full(len(test), np.nan)):
        with pytest.raises(ValueError, match="sample_weight"):
            est.score(test, sample_weight=bad)


def test_intervened_values_are_not_scored_for_their_own_variable(linear_data):
    X, _ = linear_data
    train, test = X[:700], X[700:].copy()
    mask = np.zeros(test.shape, dtype=bool)
    mask[::3, 2] = True
    estimator = FixedGraph().fit(train)

    # Against the empty graph every value is scored alone: the masked ones simply drop out.
    density = _log_normal(test, train.mean(axis=0), train.var(axis=0))
    expected = np.where(mask, 0.0, density).sum() / len(test)
    assert estimator.score(test, intervention_mask=mask) == pytest.approx(expected)

    # So the values an intervention set may be anything without changing the score.
    shifted = test.copy()
    shifted[mask] = 1e6
    assert estimator.score(shifted, intervention_mask=mask) == pytest.approx(expected)
    assert estimator.score(shifted) < expected - 1e3


def test_intervened_values_are_not_used_to_fit_their_own_regression(linear_data):
    X, _ = linear_data
    train, test = X[:700].copy(), X[700:]
    adjacency = np.zeros((6, 6), dtype=int)
    adjacency[0, 5] = adjacency[1, 5] = 1  # 5 is a sink, so its values are nobody's regressor
    mask = np.zeros(train.shape, dtype=bool)
    mask[::4, 5] = True
    reference = FixedGraph(adjacency).fit(train, intervention_mask=mask).score(test)
    train[mask] = -1e6  # an absurd do() value
    assert FixedGraph(adjacency).fit(train, intervention_mask=mask).score(test) == pytest.approx(
        reference
    )


def test_score_matches_one_least_squares_regression_per_variable(linear_data):
    # The SEM is fitted from shared Gram matrices; this checks it against the plain definition:
    # regress each variable on its parents over the rows where it was not intervened.
    X, adjacency = linear_data
    train, test = X[:700], X[700:]
    mask = np.zeros(train.shape, dtype=bool)
    mask[::3, 1] = True
    mask[1::5, 4] = True
    expected = np.zeros(len(test))
    for j in range(X.shape[1]):
        rows = ~mask[:, j]
        design = np.column_stack([np.ones(rows.sum()), train[rows][:, adjacency[:, j] != 0]])
        coef = np.linalg.lstsq(design, train[rows, j], rcond=None)[0]
        variance = np.mean((train[rows, j] - design @ coef) ** 2)
        test_design = np.column_stack([np.ones(len(test)), test[:, adjacency[:, j] != 0]])
        expected += _log_normal(test[:, j], test_design @ coef, variance)
    estimator = FixedGraph(adjacency).fit(train, intervention_mask=mask)
    assert estimator.score(test) == pytest.approx(expected.mean(), rel=1e-9)


def test_to_networkx_is_a_labelled_digraph_with_probabilities(linear_data):
    X, _ = linear_data
    names = [f"gene_{k}" for k in range(X.shape[1])]
    estimator = ZeroShotCausalDiscovery(threshold=0.3).fit(pd.DataFrame(X, columns=names))
    graph = estimator.to_networkx()
    assert isinstance(graph, nx.DiGraph)
    assert list(graph.nodes) == names
    assert graph.number_of_edges() == estimator.adjacency_.sum() > 0
    assert nx.is_directed_acyclic_graph(graph)
    for source, target, probability in graph.edges(data="probability"):
        i, j = names.index(source), names.index(target)
        assert estimator.adjacency_[i, j] == 1
        assert probability == pytest.approx(estimator.edge_probabilities_[i, j])
        assert 0 <= probability <= 1


def test_to_networkx_of_a_cpdag_has_both_directions():
    adjacency = np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]])  # 0 - 1 -> 2
    X = np.random.default_rng(0).normal(size=(50, 3))
    graph = FixedGraph(adjacency).fit(X).to_networkx()
    assert list(graph.nodes) == [0, 1, 2]  # array input: integer labels
    assert set(graph.edges) == {(0, 1), (1, 0), (1, 2)}


def test_dataframe_input_keeps_the_names(linear_data):
    X, _ = linear_data
    names = ["a", "b", "c", "d", "e", "f"]
    frame = pd.DataFrame(X, columns=names)
    estimator = ZeroShotCausalDiscovery(threshold=0.3).fit(frame)
    np.testing.assert_array_equal(estimator.feature_names_in_, names)

    adjacency = estimator.adjacency_frame()
    assert list(adjacency.index) == names and list(adjacency.columns) == names
    np.testing.assert_array_equal(adjacency.to_numpy(), estimator.adjacency_)
    assert is_dag(adjacency.to_numpy())

    edges = estimator.edge_list()
    assert list(edges.columns) == ["source", "target", "probability"]
    assert len(edges) == estimator.adjacency_.sum()
    assert set(edges["source"]) | set(edges["target"]) <= set(names)
    assert edges["probability"].is_monotonic_decreasing
    for source, target, probability in edges.itertuples(index=False):
        assert adjacency.loc[source, target] == 1
        i, j = names.index(source), names.index(target)
        assert probability == estimator.edge_probabilities_[i, j]

    # Scoring checks the names the way every scikit-learn estimator does.
    assert np.isfinite(estimator.score(frame))
    with pytest.raises(ValueError, match="feature names"):
        estimator.score(frame[names[::-1]])

    # Refitting on an array forgets the names.
    estimator.fit(X)
    assert not hasattr(estimator, "feature_names_in_")
    assert list(estimator.adjacency_frame().columns) == list(range(6))


@pytest.mark.parametrize("method", ["fit", "score"])
def test_a_mask_passed_as_y_raises_a_type_error(linear_data, method):
    X, _ = linear_data
    mask = np.zeros(X.shape, dtype=bool)
    estimator = FixedGraph().fit(X)
    with pytest.raises(TypeError, match=r"intervention_mask=M"):
        getattr(estimator, method)(X, mask)
    # By keyword it is fine, and a 1-D y is ignored as in every unsupervised estimator.
    getattr(estimator, method)(X, intervention_mask=mask)
    getattr(estimator, method)(X, np.zeros(len(X)))


def test_score_before_fit_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        FixedGraph().score(np.ones((3, 2)))


@pytest.mark.parametrize("name", ["zeroshot", "notears"])
def test_results_do_not_depend_on_the_memory_layout_of_X(name):
    from skcausal.baselines import NOTEARS

    X, _, _ = make_scm(400, 8, random_state=3)
    make = {"zeroshot": ZeroShotCausalDiscovery, "notears": NOTEARS}[name]
    by_row = make().fit(np.ascontiguousarray(X)).edge_probabilities_
    by_column = make().fit(np.asfortranarray(X)).edge_probabilities_
    np.testing.assert_array_equal(by_row, by_column)
