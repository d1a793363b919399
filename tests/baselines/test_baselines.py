"""Tests of the classical baselines: PC, GES (causal-learn), NOTEARS, GIES."""

import doctest
import warnings

import numpy as np
import pytest
import scipy.optimize
from causallearn.search.ConstraintBased.PC import pc
from causallearn.search.ScoreBased.GES import ges
from sklearn.exceptions import ConvergenceWarning

from skcausal.baselines import (
    GES,
    GIES,
    NOTEARS,
    PC,
    _causallearn,
    _ges,
    _gies,
    _notears,
    _pc,
    causallearn_to_adjacency,
    notears_acyclicity,
)
from skcausal.baselines._gies import _environments
from skcausal.baselines._notears import _break_cycles
from skcausal.baselines._notears_fit import _acyclicity_and_gradient, _loss_and_gradient
from skcausal.graph import is_dag

ESTIMATORS = [PC, GES, NOTEARS, GIES]


# -- helpers --------------------------------------------------------------------------------------
def shd(estimate, truth):
    """Structural Hamming distance: one per node pair whose edge state differs.

    A missing, extra or reversed edge, or an undirected edge against a directed one, each count 1.
    """
    estimate, truth = np.asarray(estimate) != 0, np.asarray(truth) != 0
    differs = (estimate != truth) | (estimate.T != truth.T)
    return int(np.triu(differs, k=1).sum())


def linear_gaussian(d, n, seed, expected_edges=None):
    """Equal-variance linear-Gaussian SEM on a random ER DAG; returns (X, true adjacency)."""
    rng = np.random.default_rng(seed)
    expected_edges = d if expected_edges is None else expected_edges
    upper = np.triu(rng.random((d, d)) < 2 * expected_edges / (d * (d - 1)), k=1)
    weights = rng.uniform(0.5, 2.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d)) * upper
    order = rng.permutation(d)
    W = weights[np.ix_(order, order)]
    # X = X W + N  <=>  X = N (I - W)^-1
    X = rng.normal(size=(n, d)) @ np.linalg.inv(np.eye(d) - W)
    return X, (W != 0).astype(int)


def collider_and_chain(n=1000, seed=0):
    """0 -> 2 <- 1, 2 -> 3 (orientable: a v-structure and what it implies), 4 -> 5 -> 6 (not)."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(n, 7))
    X = noise.copy()
    X[:, 2] += X[:, 0] - X[:, 1]
    X[:, 3] += 0.8 * X[:, 2]
    X[:, 5] += X[:, 4]
    X[:, 6] += -X[:, 5]
    return X


def decode_by_hand(G):
    """causal-learn's encoding, decoded one pair at a time as its documentation describes it."""
    d = len(G)
    A = np.zeros((d, d), dtype=int)
    for i in range(d):
        for j in range(d):
            if G[i, j] == -1 and G[j, i] == 1:  # i --> j
                A[i, j] = 1
            elif G[i, j] == -1 and G[j, i] == -1:  # i --- j
                A[i, j] = 1
            elif G[i, j] == 1 and G[j, i] == 1:  # i <-> j
                A[i, j] = 1
    return A


# -- the converter -------------------------------------------------------------------------------
def test_converter_directed_undirected_bidirected():
    G = np.zeros((4, 4), dtype=int)
    G[0, 1], G[1, 0] = -1, 1  # 0 -> 1
    G[3, 2], G[2, 3] = -1, 1  # 3 -> 2
    G[1, 2] = G[2, 1] = -1  # 1 - 2
    G[0, 3] = G[3, 0] = 1  # 0 <-> 3
    expected = np.zeros((4, 4), dtype=int)
    expected[0, 1] = expected[3, 2] = 1
    expected[1, 2] = expected[2, 1] = 1
    expected[0, 3] = expected[3, 0] = 1
    np.testing.assert_array_equal(causallearn_to_adjacency(G), expected)
    np.testing.assert_array_equal(causallearn_to_adjacency(np.zeros((3, 3))), np.zeros((3, 3)))


def test_converter_round_trip_on_random_cpdags():
    rng = np.random.default_rng(0)
    for _ in range(20):
        d = rng.integers(2, 9)
        upper = np.triu(rng.random((d, d)) < 0.4, k=1)
        undirected = upper & (rng.random((d, d)) < 0.3)
        directed = upper & ~undirected
        directed = np.where(rng.random((d, d)) < 0.5, directed, False)  # half i -> j ...
        reversed_ = upper & ~undirected & ~directed  # ... half j -> i
        A = (directed | reversed_.T | undirected | undirected.T).astype(int)
        G = np.zeros((d, d), dtype=int)
        tail_to_head = A & ~A.T.astype(bool)
        G[tail_to_head.astype(bool)] = -1
        G[tail_to_head.T.astype(bool)] = 1
        G[(A & A.T).astype(bool)] = -1
        np.testing.assert_array_equal(causallearn_to_adjacency(G), A)
        np.testing.assert_array_equal(decode_by_hand(G), A)


@pytest.mark.parametrize(
    "G",
    [
        np.array([[0, 2], [2, 0]]),  # circle marks (PAGs)
        np.array([[0, -1], [0, 0]]),  # a mark at one end only
        np.array([[-1, 0], [0, 0]]),  # diagonal
        np.zeros((2, 3)),
        np.zeros(3),
    ],
)
def test_converter_rejects_malformed_graphs(G):
    with pytest.raises(ValueError):
        causallearn_to_adjacency(G)


# -- PC and GES: exactly causal-learn's graphs -----------------------------------------------------
@pytest.mark.parametrize("params", [{}, {"alpha": 0.2, "stable": False}, {"alpha": 0.001}])
def test_pc_matches_causallearn(params):
    X = collider_and_chain()
    est = PC(**params).fit(X)
    expected = decode_by_hand(
        pc(
            X, params.get("alpha", 0.05), "fisherz", params.get("stable", True), show_progress=False
        ).G.graph
    )
    np.testing.assert_array_equal(est.adjacency_, expected)
    both = (expected == 1) & (expected.T == 1)
    np.testing.assert_array_equal(est.edge_probabilities_, np.where(both, 0.5, expected))
    if not params:  # the default fit must exercise both kinds of edge
        assert est.adjacency_[0, 2] and not est.adjacency_[2, 0]
        assert est.adjacency_[4, 5] and est.adjacency_[5, 4]


@pytest.mark.parametrize("params", [{}, {"max_parents": 1}])
def test_ges_matches_causallearn(params):
    X = collider_and_chain()
    est = GES(**params).fit(X)
    record = ges(X, score_func="local_score_BIC", maxP=params.get("max_parents"))
    expected = decode_by_hand(record["G"].graph)
    np.testing.assert_array_equal(est.adjacency_, expected)
    both = (expected == 1) & (expected.T == 1)
    np.testing.assert_array_equal(est.edge_probabilities_, np.where(both, 0.5, expected))
    if not params:
        assert est.adjacency_[0, 2] and not est.adjacency_[2, 0]
        assert est.adjacency_[4, 5] and est.adjacency_[5, 4]


@pytest.mark.parametrize("Estimator", [PC, GES, NOTEARS])
def test_observational_baselines_ignore_the_mask(Estimator):
    X = collider_and_chain(n=300)
    mask = np.zeros(X.shape, dtype=bool)
    mask[:100, 2] = True
    plain = Estimator().fit(X)
    masked = Estimator().fit(X, intervention_mask=mask)
    np.testing.assert_array_equal(plain.adjacency_, masked.adjacency_)


# -- NOTEARS ---------------------------------------------------------------------------------------
def test_notears_recovers_linear_gaussian_graphs():
    distances = []
    for seed in range(5):
        X, truth = linear_gaussian(d=10, n=1000, seed=seed)
        est = NOTEARS().fit(X)
        assert is_dag(est.adjacency_)
        distances.append(shd(est.adjacency_, truth))
    assert sum(distance <= 2 for distance in distances) >= 4, distances


def test_notears_fitted_attributes_are_consistent():
    X, truth = linear_gaussian(d=6, n=500, seed=1)
    est = NOTEARS().fit(X)
    np.testing.assert_array_equal(est.adjacency_, (est.weights_ != 0).astype(int))
    assert np.all(np.abs(est.weights_[est.weights_ != 0]) >= est.w_threshold)
    assert np.all(est.edge_probabilities_[est.adjacency_ == 1] >= 0.5)
    assert np.all((est.edge_probabilities_ >= 0) & (est.edge_probabilities_ < 1))
    assert est.n_iter_ >= 1
    # The scores rank the true edges above the absent ones.
    off = ~np.eye(6, dtype=bool)
    assert est.edge_probabilities_[truth == 1].min() > np.median(est.edge_probabilities_[off])


def test_notears_acyclicity_is_zero_exactly_on_dags():
    rng = np.random.default_rng(0)
    dag = np.triu(rng.normal(size=(6, 6)), k=1)
    assert notears_acyclicity(dag) == pytest.approx(0.0, abs=1e-12)
    assert notears_acyclicity(np.zeros((3, 3))) == 0.0
    cycle = np.zeros((3, 3))
    cycle[0, 1] = cycle[1, 2] = cycle[2, 0] = 0.5
    assert notears_acyclicity(cycle) > 0
    assert notears_acyclicity(np.eye(2)) > 0  # a self-loop is a cycle too


def test_notears_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    d = 4
    W0 = rng.normal(scale=0.3, size=(d, d)).ravel()
    h = lambda w: _acyclicity_and_gradient(w.reshape(d, d))[0]  # noqa: E731
    grad_h = lambda w: _acyclicity_and_gradient(w.reshape(d, d))[1].ravel()  # noqa: E731
    assert scipy.optimize.check_grad(h, grad_h, W0) < 1e-5
    data = {
        "l2": rng.normal(size=(50, d)),
        "logistic": rng.integers(0, 2, size=(50, d)).astype(float),
        "poisson": rng.poisson(2.0, size=(50, d)).astype(float),
    }
    for loss, X in data.items():
        f = lambda w: _loss_and_gradient(X, w.reshape(d, d), loss)[0]  # noqa: E731, B023
        g = lambda w: _loss_and_gradient(X, w.reshape(d, d), loss)[1].ravel()  # noqa: E731, B023
        assert scipy.optimize.check_grad(f, g, W0) < 1e-5 * max(1.0, np.abs(g(W0)).max()), loss


def test_break_cycles_drops_the_weakest_edge_on_a_cycle():
    W = np.zeros((4, 4))
    W[0, 1], W[1, 2], W[2, 0] = 1.0, -0.4, 2.0  # a 3-cycle whose weakest edge is 1 -> 2
    W[2, 3] = 0.1  # weaker, but on no cycle
    expected = W.copy()
    expected[1, 2] = 0.0
    np.testing.assert_array_equal(_break_cycles(W), expected)
    np.testing.assert_array_equal(_break_cycles(expected), expected)


def test_notears_other_losses_give_dags():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, size=300)
    b = np.where(rng.random(300) < 0.9, a, 1 - a)
    binary = np.column_stack([a, b, rng.integers(0, 2, size=300)]).astype(float)
    est = NOTEARS(loss="logistic").fit(binary)
    assert is_dag(est.adjacency_)
    counts = rng.poisson(2.0, size=(300, 3)).astype(float)
    assert is_dag(NOTEARS(loss="poisson").fit(counts).adjacency_)


def test_notears_warns_when_not_converged():
    X, _ = linear_gaussian(d=5, n=200, seed=0)
    with pytest.warns(ConvergenceWarning):
        est = NOTEARS(max_iter=1).fit(X)
    assert is_dag(est.adjacency_)


# -- GIES ------------------------------------------------------------------------------------------
def test_environments_group_identical_mask_rows():
    X = np.arange(12.0).reshape(6, 2)
    mask = np.array([[0, 0], [1, 0], [0, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    data, targets = _environments(X, mask)
    got = {tuple(t): env[:, 0].tolist() for env, t in zip(data, targets)}
    assert got == {(): [0.0, 4.0, 10.0], (0,): [2.0, 8.0], (1,): [6.0]}


def test_gies_interventions_orient_at_least_as_well():
    # A chain 0 -> 1 -> 2 -> 3: its observational equivalence class leaves every edge undirected.
    rng = np.random.default_rng(0)
    n_obs, n_int = 400, 200
    n = n_obs + 2 * n_int
    truth = np.zeros((4, 4), dtype=int)
    truth[0, 1] = truth[1, 2] = truth[2, 3] = 1
    mask = np.zeros((n, 4), dtype=bool)
    mask[n_obs : n_obs + n_int, 1] = True  # do(x1)
    mask[n_obs + n_int :, 3] = True  # do(x3)
    X = rng.normal(size=(n, 4))
    for j in (1, 2, 3):
        X[:, j] = np.where(mask[:, j], rng.normal(0, 2, n), X[:, j - 1] + X[:, j])
    observational = GIES().fit(X[:n_obs])
    interventional = GIES().fit(X, intervention_mask=mask)
    assert interventional.n_environments_ == 3
    assert shd(interventional.adjacency_, truth) <= shd(observational.adjacency_, truth)
    np.testing.assert_array_equal(interventional.adjacency_, truth)
    np.testing.assert_array_equal(interventional.edge_probabilities_, truth)
    assert observational.edge_probabilities_[0, 1] == 0.5


def test_gies_observational_collider():
    X = collider_and_chain(n=1000)[:, :4]
    est = GIES().fit(X)
    assert est.n_environments_ == 1
    assert est.adjacency_[0, 2] and est.adjacency_[1, 2] and est.adjacency_[2, 3]
    assert not (est.adjacency_[2, 0] or est.adjacency_[2, 1] or est.adjacency_[3, 2])


def test_gies_penalty_weight_controls_sparsity():
    X, _ = linear_gaussian(d=6, n=300, seed=2)
    dense = GIES(penalty_weight=0.5).fit(X).adjacency_.sum()
    sparse = GIES(penalty_weight=1e4).fit(X).adjacency_.sum()
    assert sparse == 0 < dense


def test_gies_refuses_a_variable_intervened_everywhere():
    X, _ = linear_gaussian(d=3, n=50, seed=0)
    mask = np.zeros(X.shape, dtype=bool)
    mask[:, 1] = True
    with pytest.raises(ValueError, match="intervened in all"):
        GIES().fit(X, intervention_mask=mask)


# -- input and parameter validation ----------------------------------------------------------------
def _bad_inputs():
    X, _ = linear_gaussian(d=3, n=30, seed=0)
    inf = X.copy()
    inf[0, 0] = np.inf
    # NaN is a missing cell since #22 (tests/test_column_kinds.py), no longer refused.
    return {
        "inf": (inf, None),
        "one row": (X[:1], None),
        "one column": (X[:, :1], None),
        "constant column": (np.column_stack([X, np.ones(30)]), None),
        "mask shape": (X, np.zeros((30, 2), dtype=bool)),
        "mask values": (X, np.full(X.shape, 2)),
    }


@pytest.mark.parametrize("case", list(_bad_inputs()))
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_bad_input_raises_value_error(Estimator, case):
    X, mask = _bad_inputs()[case]
    with pytest.raises(ValueError):
        Estimator().fit(X, intervention_mask=mask)


@pytest.mark.parametrize(
    "estimator, message",
    [
        (PC(alpha=0.0), "alpha"),
        (PC(alpha=1.0), "alpha"),
        (PC(indep_test="pearson"), "fisherz"),
        (PC(stable="yes"), "stable"),
        (GES(score_func="aic"), "local_score_BIC"),
        (GES(max_parents=-1), "max_parents"),
        (NOTEARS(loss="huber"), "l2"),
        (NOTEARS(lambda1=-0.1), "lambda1"),
        (NOTEARS(w_threshold=-1), "w_threshold"),
        (NOTEARS(max_iter=0), "max_iter"),
        (NOTEARS(h_tol=0), "h_tol"),
        (NOTEARS(loss="logistic"), "binary"),
        (NOTEARS(loss="poisson"), "negative"),
        (GIES(penalty_weight=0), "penalty_weight"),
    ],
)
def test_bad_parameters_raise_value_error_at_fit(estimator, message):
    X, _ = linear_gaussian(d=3, n=50, seed=0)
    with pytest.raises(ValueError, match=message):
        estimator.fit(X)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_dataframe_names_and_graph_views(Estimator):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(collider_and_chain(n=400)[:, :4], columns=list("abcd"))
    est = Estimator().fit(X)
    assert list(est.feature_names_in_) == list("abcd")
    assert est.adjacency_.shape == est.edge_probabilities_.shape == (4, 4)
    assert set(est.to_networkx().nodes) == set("abcd")
    assert np.isfinite(est.score(X))


# -- the docstring examples ------------------------------------------------------------------------
@pytest.mark.parametrize("module", [_causallearn, _pc, _ges, _notears, _gies])
def test_docstring_examples_run(module):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
