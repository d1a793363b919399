"""Wide data read as windows of columns (``max_columns``): the windows, the mean over the windows
centred on a pair's ends, and the estimator's fit against that definition."""

import numpy as np
import pandas as pd
import pytest

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.zeroshot._windows import (
    centred_mean,
    centred_targets,
    column_windows,
    dependence_scores,
    window_width,
)


def _chain(n, d, seed):
    rng = np.random.default_rng(seed)
    X = np.empty((n, d))
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, d):
        X[:, j] = 0.8 * X[:, j - 1] + rng.standard_normal(n)
    return X


def test_a_chain_links_each_column_to_its_neighbours():
    scores = dependence_scores(_chain(2000, 12, 0), np.zeros(12, dtype=int))
    assert np.allclose(scores, scores.T) and np.all(np.diag(scores) == 0)
    for v in range(1, 11):
        # A chain's Markov blanket: the two neighbours, given which the rest is independent.
        assert set(np.argsort(-scores[v])[:2]) == {v - 1, v + 1}
        assert scores[v, [v - 1, v + 1]].min() > 0.3 > np.delete(scores[v], [v - 1, v, v + 1]).max()


def test_the_scores_ignore_increasing_maps_and_category_codes():
    X = _chain(500, 6, 1)
    kinds = np.array([0, 0, 0, 0, 0, 3])  # the last column an unordered category
    X[:, 5] = np.digitize(X[:, 5], [-1, 0, 1])
    moved = X.copy()
    moved[:, 1] = np.exp(moved[:, 1])
    moved[:, 2] = moved[:, 2] ** 3
    moved[:, 5] = np.array([2, 0, 3, 1])[X[:, 5].astype(int)]  # the same levels, recoded
    np.testing.assert_allclose(
        dependence_scores(moved, kinds), dependence_scores(X, kinds), rtol=0, atol=1e-12
    )


def test_windows_hold_their_centre_and_its_nearest_columns():
    rng = np.random.default_rng(0)
    scores = rng.random((20, 20))
    scores = scores + scores.T
    np.fill_diagonal(scores, 0)
    windows = column_windows(scores, 9)
    assert len(windows) == 20
    for v, window in enumerate(windows):
        assert len(window) == 9 and np.all(np.diff(window) > 0) and v in window
        assert set(np.argsort(-scores[v])[:3]) <= set(window)  # a third of the window
    assert column_windows(scores, 20) is None and column_windows(scores, None) is None


def test_centred_mean_against_a_plain_loop():
    rng = np.random.default_rng(1)
    d, size = 7, 4
    windows = [
        np.sort(np.append(rng.choice(np.delete(np.arange(d), v), size - 1, False), v))
        for v in range(d)
    ]
    parts = [rng.random((size, size)) for _ in range(d)]
    expected = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            values = []
            for v in (i, j):
                w = list(windows[v])
                if i in w and j in w and i != j:
                    values.append(parts[v][w.index(i), w.index(j)])
            expected[i, j] = np.mean(values) if values else 0.0
    np.testing.assert_allclose(centred_mean(parts, windows, d), expected, rtol=0, atol=1e-15)
    targets = [rng.random((2, size)) for _ in range(d)]
    by_centre = centred_targets(targets, windows)
    for v in range(d):
        np.testing.assert_array_equal(by_centre[:, v], targets[v][:, list(windows[v]).index(v)])


@pytest.fixture(scope="module")
def wide():
    X, _, A = make_scm(300, 14, random_state=4)
    return X, A


def test_the_fit_is_the_centred_mean_of_the_windows_fits(wide, uncalibrated_checkpoint):
    # The checkpoint's calibration applies to the final mean (test_order_calibration.py): the
    # mean itself is checked without it.
    X, _ = wide
    est = ZeroShotCausalDiscovery(uncalibrated_checkpoint, max_columns=6).fit(X)
    windows = column_windows(dependence_scores(X, np.zeros(14, dtype=int)), 6)
    single = ZeroShotCausalDiscovery(uncalibrated_checkpoint, max_columns=None)
    parts = [single.fit(X[:, w]).edge_probabilities_ for w in windows]
    mean = centred_mean(parts, windows, 14)
    np.fill_diagonal(mean, 0.0)
    np.testing.assert_allclose(est.edge_probabilities_, mean, rtol=0, atol=1e-6)


def test_auto_reads_up_to_64_columns_at_once_and_wider_data_in_windows_of_45():
    assert [window_width("auto", d) for d in (10, 64, 65, 500)] == [10, 64, 45, 45]
    assert [window_width(30, d) for d in (10, 30, 31)] == [10, 30, 30]
    assert window_width(None, 500) == 500


def test_the_default_reads_all_columns_at_once(wide):
    X, _ = wide
    np.testing.assert_array_equal(
        ZeroShotCausalDiscovery().fit(X).edge_probabilities_,
        ZeroShotCausalDiscovery(max_columns=None).fit(X).edge_probabilities_,
    )
    assert ZeroShotCausalDiscovery().max_columns is None


def test_narrow_data_are_read_at_once(wide):
    X, _ = wide
    whole = ZeroShotCausalDiscovery(max_columns=None).fit(X).edge_probabilities_
    np.testing.assert_array_equal(
        ZeroShotCausalDiscovery(max_columns=14).fit(X).edge_probabilities_, whole
    )
    assert not np.allclose(ZeroShotCausalDiscovery(max_columns=6).fit(X).edge_probabilities_, whole)


def test_windowed_fits_follow_the_columns_and_ignore_increasing_maps(wide):
    X, _ = wide
    est = ZeroShotCausalDiscovery(max_columns=6, marginals="ranks")
    p = est.fit(X).edge_probabilities_
    order = np.random.default_rng(0).permutation(14)
    np.testing.assert_allclose(
        est.fit(X[:, order]).edge_probabilities_, p[np.ix_(order, order)], rtol=0, atol=1e-5
    )
    moved = X.copy()
    moved[:, :7] = np.exp(moved[:, :7] / moved[:, :7].std(0))
    np.testing.assert_array_equal(est.fit(moved).edge_probabilities_, p)


def test_windows_with_environments_bootstrap_and_missing_cells(wide):
    X, _ = wide
    X = X.copy()
    X[::11, 3] = np.nan
    env = np.repeat([0, 1, 2], 100)
    est = ZeroShotCausalDiscovery(max_columns=6, n_bootstrap=2, random_state=0)
    est.fit(pd.DataFrame(X), environments=env)
    assert est.intervention_targets_.shape == (3, 14)
    assert np.all(est.intervention_targets_[0] == 0)
    assert est.edge_frequencies_.shape == (14, 14)
    plain = ZeroShotCausalDiscovery(max_columns=6).fit(pd.DataFrame(X), environments=env)
    np.testing.assert_array_equal(est.edge_probabilities_, plain.edge_probabilities_)
    np.testing.assert_array_equal(est.intervention_targets_, plain.intervention_targets_)
