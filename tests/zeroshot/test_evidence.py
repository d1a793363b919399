"""What tells the user about the edges of the zero-shot model's box: the check that the data show
some dependence before ``adjacency_`` may hold an edge (``dependent_pairs``, ``alpha``,
``NoDependenceWarning``), and ``OutsideTrainingWarning`` for data the checkpoint never saw."""

import warnings

import numpy as np
import pytest
from scipy.stats import norm, rankdata

from skcausal import (
    BackgroundKnowledge,
    NoDependenceWarning,
    OutsideTrainingWarning,
    ZeroShotCausalDiscovery,
)
from skcausal.graph import edge_given_pair, greedy_dag
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._evidence import any_dependence, dependent_pairs
from skcausal.zeroshot._inference import outside_the_box
from skcausal.zeroshot._windows import window_width


@pytest.mark.parametrize("n", [10, 30, 300])
def test_on_pure_noise_any_dependence_is_found_at_most_at_the_level(n):
    # The false discovery rate on pure noise is the chance of any pair: at most alpha, here
    # 0.05 over 300 datasets (binomial sd 0.013, so 0.09 is three of them above).
    found = [
        dependent_pairs(np.random.default_rng(seed).standard_normal((n, 8)), 0.05).any()
        for seed in range(300)
    ]
    assert np.mean(found) <= 0.09


def test_dependence_without_correlation_is_found():
    rng = np.random.default_rng(1)
    a = rng.normal(size=300)
    X = np.column_stack([a, a**2 + 0.3 * rng.normal(size=300), rng.normal(size=300)])
    assert abs(np.corrcoef(X[:, 0], X[:, 1])[0, 1]) < 0.15  # invisible to a correlation
    assert dependent_pairs(X).astype(int).tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_binary_and_constant_columns():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 2, 200)
    y = np.where(rng.random(200) < 0.8, x, 1 - x)  # y copies x 80% of the time
    X = np.column_stack([x, y, np.ones(200), rng.integers(0, 2, 200)]).astype(float)
    found = dependent_pairs(X)
    assert found[0, 1] and found[1, 0]
    assert not found[2].any() and not found[:, 2].any()  # a constant column depends on nothing
    assert not found[3].any()


def test_missing_cells_are_read_over_observed_rows():
    rng = np.random.default_rng(3)
    a = rng.normal(size=400)
    X = np.column_stack([a, a + 0.5 * rng.normal(size=400), rng.normal(size=400)])
    X[rng.random(X.shape) < 0.3] = np.nan
    found = dependent_pairs(X)
    assert found[0, 1] and not found[0, 2] and not found[1, 2]


def test_unchanged_by_increasing_maps_and_equivariant_to_column_order():
    rng = np.random.default_rng(4)
    a = rng.normal(size=60)
    X = np.column_stack(
        [a, 0.6 * a + rng.normal(size=60), rng.normal(size=60), rng.normal(size=60)]
    )
    found = dependent_pairs(X)
    mapped = np.column_stack(
        [np.exp(X[:, 0]), X[:, 1] ** 3, norm.ppf(rankdata(X[:, 2]) / 61), X[:, 3]]
    )
    assert np.array_equal(dependent_pairs(mapped), found)
    order = rng.permutation(4)
    assert np.array_equal(dependent_pairs(X[:, order]), found[np.ix_(order, order)])


def _noise_the_model_reads_as_a_graph():
    """Pure noise on which the model's probabilities alone would keep an edge."""
    for seed in range(100, 140):
        X = np.random.default_rng(seed).standard_normal((20, 20))
        est = ZeroShotCausalDiscovery(alpha=None).fit(X)
        if est.adjacency_.any() and not dependent_pairs(X, 0.01).any():
            return X, est
    pytest.fail("no such seed: the model no longer keeps edges on noise at n = 20")


def test_no_edge_where_the_data_show_no_dependence_and_the_probabilities_stay():
    X, unchecked = _noise_the_model_reads_as_a_graph()
    est = ZeroShotCausalDiscovery().fit(X)
    assert not est.adjacency_.any()
    np.testing.assert_array_equal(est.edge_probabilities_, unchecked.edge_probabilities_)
    # alpha=None is the probabilities' own graph, the pair rule and the acyclic step
    expected = greedy_dag(edge_given_pair(unchecked.edge_probabilities_), 0.5)
    np.testing.assert_array_equal(unchecked.adjacency_, expected)


def test_required_edges_stay_and_dependent_data_keep_their_graph():
    X, _ = _noise_the_model_reads_as_a_graph()
    est = ZeroShotCausalDiscovery(knowledge=BackgroundKnowledge(required=[(3, 7)])).fit(X)
    assert est.adjacency_.sum() == 1 and est.adjacency_[3, 7] == 1
    rng = np.random.default_rng(5)
    a = rng.normal(size=500)
    Y = np.column_stack([a, a + 0.5 * rng.normal(size=500), rng.normal(size=500)])
    checked, unchecked = (ZeroShotCausalDiscovery(alpha=a).fit(Y) for a in (0.01, None))
    assert checked.adjacency_.any()
    np.testing.assert_array_equal(checked.adjacency_, unchecked.adjacency_)


def test_bootstrap_resamples_are_checked_on_their_own_rows():
    X, _ = _noise_the_model_reads_as_a_graph()
    est = ZeroShotCausalDiscovery(n_bootstrap=8, random_state=0).fit(X)
    unchecked = ZeroShotCausalDiscovery(n_bootstrap=8, random_state=0, alpha=None).fit(X)
    assert unchecked.edge_frequencies_.max() > 0
    assert est.edge_frequencies_.sum() < unchecked.edge_frequencies_.sum()


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, "0.05"])
def test_alpha_out_of_range_is_refused(alpha):
    with pytest.raises(ValueError, match="alpha"):
        ZeroShotCausalDiscovery(alpha=alpha).fit(np.random.default_rng(0).normal(size=(30, 3)))


def test_the_estimators_shortcut_agrees_with_the_full_procedure():
    rng = np.random.default_rng(6)
    for seed in range(150):
        n, d = rng.integers(12, 80), rng.integers(2, 7)
        X = np.random.default_rng(seed).standard_normal((n, d))
        X[:, -1] += rng.uniform(0, 0.6) * X[:, 0] ** 2  # sometimes a dependence a rank test misses
        if seed % 3 == 0:
            X[rng.random(X.shape) < 0.2] = np.nan
        assert any_dependence(X, 0.2) == dependent_pairs(X, 0.2).any()


def test_a_graph_the_check_empties_comes_with_a_warning_at_the_callers_fit():
    X, unchecked = _noise_the_model_reads_as_a_graph()
    with pytest.warns(NoDependenceWarning, match="alpha=None") as caught:
        ZeroShotCausalDiscovery().fit(X)
    assert len(caught) == 1 and caught[0].filename == __file__
    assert f"{unchecked.edge_probabilities_.max():.2f}" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing to say: no edge was chosen, or none removed
        ZeroShotCausalDiscovery(alpha=None).fit(X)
        ZeroShotCausalDiscovery(threshold=0.99).fit(X)
        ZeroShotCausalDiscovery().fit(
            np.random.default_rng(0).normal(size=(300, 3)) @ np.ones((3, 3))
        )


def test_data_outside_the_training_box_are_warned_about_and_inside_it_not():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(12, 1))
    dependent = np.hstack([a, a + 0.1 * rng.normal(size=(12, 3))])  # the check finds dependence
    with pytest.warns(OutsideTrainingWarning, match="6 rows, fewer than the 10") as caught:
        ZeroShotCausalDiscovery().fit(dependent[:6])
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 12 rows, 4 columns, max_rows="auto": inside the box
        ZeroShotCausalDiscovery().fit(dependent)
    wide = np.repeat(dependent, 3, axis=0)[:, np.arange(201) % 4]
    wide = wide + 0.01 * rng.normal(size=wide.shape)
    with pytest.warns(OutsideTrainingWarning, match="201 columns, more than the 200"):
        ZeroShotCausalDiscovery(max_columns=None).fit(wide)
    checkpoint = Checkpoint.load(default_checkpoint_path())
    # In windows of 45 (max_columns="auto") no pass is wider than the training box.
    assert outside_the_box(checkpoint, 36, window_width("auto", 201), 10_000) is None
    assert "201 columns" in outside_the_box(checkpoint, 36, window_width(None, 201), 10_000)
    assert "read at once (max_rows=None)" in outside_the_box(checkpoint, 20_000, 5, None)
    assert outside_the_box(checkpoint, 20_000, 5, 10_000) is None  # read as trained-size subsets
