"""The public SEM (coef_, intercept_, noise_std_) and sample(), observational and under do()."""

import numpy as np
import pandas as pd
import pytest
from _strategies import knowledge_and_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skcausal import BackgroundKnowledge, ZeroShotCausalDiscovery
from skcausal.baselines import GES, GIES, NOTEARS, PC
from skcausal.datasets import make_scm
from skcausal.graph import find_cycle, is_dag, pdag_to_dag

ESTIMATORS = [ZeroShotCausalDiscovery, PC, GES, NOTEARS, GIES]


def _parents_dag(est):
    """The DAG the SEM is fitted on, found independently of the estimator's internals."""
    a = est.adjacency_
    return pdag_to_dag(a)[0] if np.any(a & a.T) else a


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=knowledge_and_data(), scale=st.sampled_from([1e-3, 1.0, 1e4]))
def test_coef_is_least_squares_on_each_nodes_parents(estimator, case, scale):
    d, seed, required, forbidden, tiers = case
    X, _, _ = make_scm(150, d, random_state=seed)
    X = X * scale * (1 + np.arange(d))  # units differ across columns
    knowledge = BackgroundKnowledge(required=required, forbidden=forbidden, tiers=tiers)
    est = estimator(knowledge=knowledge).fit(X)
    dag = _parents_dag(est)
    for j in range(d):
        pa = np.flatnonzero(dag[:, j])
        design = np.column_stack([np.ones(len(X)), X[:, pa]])
        beta, *_ = np.linalg.lstsq(design, X[:, j], rcond=None)
        np.testing.assert_allclose(est.coef_[pa, j], beta[1:], rtol=1e-6, atol=1e-9 * scale)
        assert np.all(est.coef_[np.setdiff1d(np.arange(d), pa), j] == 0)
        assert est.intercept_[j] == pytest.approx(beta[0], rel=1e-6, abs=1e-9 * scale * d)
        residual = X[:, j] - design @ beta
        assert est.noise_std_[j] == pytest.approx(np.sqrt(np.mean(residual**2)), rel=1e-6)


def _interventional_means(coef, intercept, interventions):
    """E[X | do(...)] of a linear SEM by linear algebra: m = c + B^T m with the intervened
    equations replaced by constants, i.e. m = (I - B'^T)^-1 c'."""
    B = coef.copy()
    c = intercept.copy()
    for j, value in interventions.items():
        B[:, j] = 0.0
        c[j] = value
    return np.linalg.solve(np.eye(len(c)) - B.T, c)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=knowledge_and_data(), target=st.integers(0, 2), value=st.floats(-3, 3))
def test_sample_under_do_matches_the_sems_interventional_means(estimator, case, target, value):
    d, seed, required, forbidden, tiers = case
    X, _, _ = make_scm(300, d, random_state=seed)
    knowledge = BackgroundKnowledge(required=required, forbidden=forbidden, tiers=tiers)
    est = estimator(knowledge=knowledge).fit(X)
    n = 20_000
    drawn = est.sample(n, interventions={target: value}, random_state=seed)
    expected = _interventional_means(est.coef_, est.intercept_, {target: value})
    assert np.all(drawn[:, target] == value)
    # Standard errors from the SEM's implied covariance under the intervention.
    spread = drawn.std(axis=0) / np.sqrt(n)
    assert np.all(
        np.abs(drawn.mean(axis=0) - expected) <= 5 * spread + 1e-9 * (1 + np.abs(expected))
    )


def test_sample_observational_moments_match_the_data():
    X, _, _ = make_scm(2000, 4, random_state=1)
    est = NOTEARS().fit(X)
    drawn = est.sample(50_000, random_state=0)
    np.testing.assert_allclose(drawn.mean(axis=0), X.mean(axis=0), atol=0.05)
    np.testing.assert_allclose(np.cov(drawn.T), np.cov(X.T), atol=0.1)


def test_sample_returns_a_frame_after_fitting_on_one_and_takes_names():
    X, _, _ = make_scm(300, 3, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    est = GES().fit(frame)
    drawn = est.sample(10, interventions={"b": 2.5}, random_state=0)
    assert isinstance(drawn, pd.DataFrame) and list(drawn.columns) == ["a", "b", "c"]
    assert (drawn["b"] == 2.5).all()
    np.testing.assert_array_equal(drawn, est.sample(10, interventions={"b": 2.5}, random_state=0))
    with pytest.raises(ValueError, match="unknown variable 1"):
        est.sample(10, interventions={1: 0.0})


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_sample_refuses_bad_n_samples(bad):
    est = GES().fit(make_scm(200, 3, random_state=0)[0])
    with pytest.raises(ValueError, match="n_samples"):
        est.sample(bad)


@pytest.mark.parametrize("interventions", [{0: np.nan}, {0: "1"}, {7: 1.0}, [(0, 1.0)]])
def test_sample_refuses_bad_interventions(interventions):
    est = GES().fit(make_scm(200, 3, random_state=0)[0])
    with pytest.raises(ValueError):
        est.sample(5, interventions=interventions)


def test_a_variable_without_observational_rows_must_be_intervened_to_sample():
    X, _, _ = make_scm(200, 3, random_state=0)
    mask = np.zeros(X.shape, dtype=bool)
    mask[:, 1] = True
    mask[0, 1] = False  # one non-intervened row: too few to fit its equation
    est = ZeroShotCausalDiscovery().fit(X, intervention_mask=mask)
    assert np.isnan(est.noise_std_[1])
    with pytest.raises(ValueError, match="no equation"):
        est.sample(5)
    assert est.sample(5, interventions={1: 0.0}).shape == (5, 3)


def test_the_sem_of_a_cpdag_uses_a_consistent_extension():
    # A collider 0 -> 2 <- 1 plus an undirected 2 - 3 is impossible for a CPDAG (3 would be
    # oriented), but 0 - 1 - 2 (a chain's class) is: the extension must add no v-structure, so
    # 1 is not a collider of 0 and 2.
    rng = np.random.default_rng(0)
    a = rng.normal(size=500)
    b = a + rng.normal(size=500)
    c = b + rng.normal(size=500)
    est = PC().fit(np.column_stack([a, b, c]))
    assert est.adjacency_.sum() == 4  # all undirected
    parents = est.coef_ != 0
    assert not (parents[0, 1] and parents[2, 1])  # no collider at 1
    assert parents.sum() == 2


# -- the nonparametric SEM -------------------------------------------------------------------------
def test_nonparametric_sem_gets_a_nonlinear_interventional_mean_that_the_linear_one_misses():
    from skcausal import NonparametricSEM

    rng = np.random.default_rng(0)
    x = rng.normal(size=3000)
    y = np.sin(2 * x) + x**2 + 0.2 * rng.normal(size=3000)
    z = 2 * y + 0.2 * rng.normal(size=3000)
    X = np.column_stack([x, y, z])
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    truth = 2 * (np.sin(3.0) + 1.5**2)  # E[z | do(x = 1.5)]
    sem = NonparametricSEM().fit(X, chain)
    drawn = sem.sample(20000, interventions={0: 1.5}, random_state=0)
    assert drawn[:, 2].mean() == pytest.approx(truth, abs=0.15)
    linear = NOTEARS(
        knowledge=BackgroundKnowledge(required=[(0, 1), (1, 2)], forbidden=[(0, 2), (2, 0)])
    ).fit(X)
    assert (
        abs(linear.sample(20000, interventions={0: 1.5}, random_state=0)[:, 2].mean() - truth) > 1
    )
    # Observational draws keep the marginal of the root and the spread of the residuals.
    observed = sem.sample(20000, random_state=1)
    assert observed[:, 0].std() == pytest.approx(x.std(), rel=0.05)
    assert observed[:, 2].mean() == pytest.approx(z.mean(), abs=0.1)


def test_nonparametric_sem_takes_a_fitted_estimator_or_a_cpdag_and_refuses_cycles():
    from sklearn.linear_model import LinearRegression

    from skcausal import NonparametricSEM

    X, _, _ = make_scm(300, 3, random_state=0)
    est = PC().fit(X)
    sem = NonparametricSEM(LinearRegression()).fit(X, est)
    assert not np.any(sem.dag_ & sem.dag_.T)
    assert ((sem.dag_ + sem.dag_.T) != 0).sum() == ((est.adjacency_ + est.adjacency_.T) != 0).sum()
    assert sem.sample(5, random_state=0).shape == (5, 3)
    with pytest.raises(ValueError, match="cycle"):
        NonparametricSEM().fit(X, np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]]))
    with pytest.raises(ValueError, match="unknown variable"):
        sem.sample(5, interventions={5: 1.0})
    with pytest.raises(ValueError, match="regressor"):
        NonparametricSEM(regressor="forest").fit(X, est)


def test_the_sem_of_a_cyclic_graph_drops_the_weakest_cycle_edges_but_keeps_required_ones():
    # With threshold 0 every pair is joined its likelier way; the first data whose graph has a
    # cycle (directions are uncertain at small n, so one comes early).
    for seed in range(20):
        X, _, _ = make_scm(100, 6, edges_per_node=2.0, random_state=seed)
        est = ZeroShotCausalDiscovery(acyclic=False, threshold=0.0).fit(X)
        graph = est.adjacency_
        cycle = find_cycle(graph)
        if cycle:
            break
    assert cycle, "no data set gave a cyclic graph"
    assert np.all(graph + graph.T + np.eye(6, dtype=int) == 1)
    parents = est.coef_ != 0
    assert is_dag(parents) and np.all(graph[parents])  # the SEM's DAG is a subgraph of it
    edges = list(zip(cycle, cycle[1:] + cycle[:1]))
    weakest = min(edges, key=lambda edge: est.edge_probabilities_[edge])
    assert not parents[weakest]  # the cycle's weakest edge is the one the SEM drops
    est = ZeroShotCausalDiscovery(
        acyclic=False, threshold=0.0, knowledge=BackgroundKnowledge(required=[weakest])
    ).fit(X)
    assert est.coef_[weakest] != 0 and est.adjacency_[weakest] == 1


def test_nonparametric_sem_fitted_on_a_frame_keeps_the_column_names():
    # Issue #24 item 8: as the estimators' own sample(), a DataFrame in gives a DataFrame out and
    # do() takes column names.
    from sklearn.linear_model import LinearRegression

    from skcausal import NonparametricSEM

    X, _, _ = make_scm(300, 3, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    sem = NonparametricSEM(LinearRegression()).fit(frame, chain)
    drawn = sem.sample(10, interventions={"b": 2.5}, random_state=0)
    assert isinstance(drawn, pd.DataFrame) and list(drawn.columns) == ["a", "b", "c"]
    assert (drawn["b"] == 2.5).all()
    np.testing.assert_array_equal(drawn, sem.sample(10, interventions={"b": 2.5}, random_state=0))
    assert isinstance(sem.sample(5, random_state=0), pd.DataFrame)
    with pytest.raises(ValueError, match=r"unknown variable 'zz'.*\['a', 'b', 'c'\]"):
        sem.sample(5, interventions={"zz": 1.0})
    with pytest.raises(ValueError, match=r"unknown variable 1.*\['a', 'b', 'c'\]"):
        sem.sample(5, interventions={1: 1.0})  # after a frame fit, names as for the estimators
    # An array fit still takes indices, returns an array and refuses names.
    on_array = NonparametricSEM(LinearRegression()).fit(X, chain)
    drawn = on_array.sample(10, interventions={1: 2.5}, random_state=0)
    assert isinstance(drawn, np.ndarray) and (drawn[:, 1] == 2.5).all()
    with pytest.raises(ValueError, match="unknown variable 'b'"):
        on_array.sample(5, interventions={"b": 1.0})
