"""Background knowledge: validation at fit, and every estimator's output honours it."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from _strategies import knowledge_and_data
from hypothesis import HealthCheck, given, settings

from skcausal import BackgroundKnowledge, ZeroShotCausalDiscovery
from skcausal.baselines import GES, GIES, NOTEARS, PC
from skcausal.datasets import make_scm
from skcausal.graph import apply_knowledge, is_dag

ESTIMATORS = [ZeroShotCausalDiscovery, PC, GES, NOTEARS, GIES]


def _frame(n=300, d=4, seed=0):
    X, _, _ = make_scm(n, d, random_state=seed)
    return pd.DataFrame(X, columns=[f"v{k}" for k in range(d)])


# -- validation ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "knowledge, message",
    [
        (BackgroundKnowledge(required=[("v0", "nope")]), "unknown node 'nope'"),
        (BackgroundKnowledge(forbidden=[(0, 1)]), "unknown node 0"),  # names, not indices
        (BackgroundKnowledge(tiers=[["v0"], ["zz"]]), "unknown node 'zz'"),
        (
            BackgroundKnowledge(required=[("v0", "v1")], forbidden=[("v0", "v1")]),
            "both required and forbidden",
        ),
        (
            BackgroundKnowledge(required=[("v1", "v0")], tiers=[["v0"], ["v1"]]),
            r"both required and forbidden \(by the tiers\)",
        ),
        (
            BackgroundKnowledge(required=[("v0", "v1"), ("v1", "v2"), ("v2", "v0")]),
            "required edges form a cycle: 'v0' -> 'v1' -> 'v2' -> 'v0'",
        ),
        (BackgroundKnowledge(required=[("v0", "v0")]), "self-loop"),
        (BackgroundKnowledge(tiers=[["v0"], ["v0", "v1"]]), "two tiers"),
    ],
)
@pytest.mark.parametrize("estimator", [ZeroShotCausalDiscovery, GES])
def test_invalid_knowledge_is_refused_at_fit(estimator, knowledge, message):
    with pytest.raises(ValueError, match=message):
        estimator(knowledge=knowledge).fit(_frame())


def test_malformed_knowledge_is_refused_at_construction():
    with pytest.raises(ValueError, match="pair"):
        BackgroundKnowledge(required=[("a", "b", "c")])
    with pytest.raises(ValueError, match="string"):
        BackgroundKnowledge(forbidden="ab")
    with pytest.raises(ValueError, match="tiers"):
        BackgroundKnowledge(tiers=["ab"])


def test_knowledge_that_is_not_background_knowledge_is_refused_before_the_data():
    # Parameters are validated before the data: the (invalid) data never gets looked at.
    with pytest.raises(ValueError, match="knowledge"):
        PC(knowledge={"required": []}).fit("not data")


def test_indices_name_the_columns_of_an_array():
    X = _frame().to_numpy()
    est = GES(knowledge=BackgroundKnowledge(required=[(3, 0)], forbidden=[(0, 1), (1, 0)])).fit(X)
    assert est.adjacency_[3, 0] == 1 and est.adjacency_[0, 3] == 0
    assert est.adjacency_[0, 1] == 0 and est.adjacency_[1, 0] == 0


def test_json_round_trip(tmp_path):
    knowledge = BackgroundKnowledge(
        required=[("a", "b")], forbidden=[("b", "c")], tiers=[["a"], ["b", "c"]]
    )
    path = tmp_path / "k.json"
    path.write_text(json.dumps(knowledge.to_dict()))
    assert BackgroundKnowledge.from_json(path) == knowledge
    with pytest.raises(ValueError, match="unknown keys"):
        BackgroundKnowledge.from_dict({"require": []})


def test_apply_knowledge_orients_an_undirected_edge_and_propagates():
    # 0 - 1 - 2 (a chain's class); forbidding 1 -> 0 orients 0 -> 1, and Meek's rule 1 then
    # orients 1 -> 2 (0 and 2 are not adjacent).
    cpdag = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    forbidden = np.zeros((3, 3), dtype=bool)
    forbidden[1, 0] = True
    result = apply_knowledge(cpdag, cpdag.astype(float), np.zeros_like(forbidden), forbidden)
    np.testing.assert_array_equal(result, [[0, 1, 0], [0, 0, 1], [0, 0, 0]])


def test_zero_shot_forbidden_edges_have_probability_zero_and_required_are_kept():
    X = _frame(d=5)
    free = ZeroShotCausalDiscovery().fit(X)
    strongest = np.unravel_index(np.argmax(free.edge_probabilities_), (5, 5))
    weak = np.where((free.adjacency_ == 0) & ~np.eye(5, dtype=bool), free.edge_probabilities_, 2.0)
    absent = np.unravel_index(np.argmin(weak), (5, 5))
    assert free.edge_probabilities_[absent] < 0.5
    names = list(X.columns)
    knowledge = BackgroundKnowledge(
        forbidden=[(names[strongest[0]], names[strongest[1]])],
        required=[(names[absent[0]], names[absent[1]])],
    )
    est = ZeroShotCausalDiscovery(knowledge=knowledge).fit(X)
    assert est.edge_probabilities_[strongest] == 0 and est.adjacency_[strongest] == 0
    assert est.adjacency_[tuple(absent)] == 1
    # The required edge keeps the model's own (low) probability.
    assert est.edge_probabilities_[tuple(absent)] == pytest.approx(
        free.edge_probabilities_[tuple(absent)]
    )


# -- property: every estimator honours random knowledge on random data -----------------------------
def _honours(adjacency, required, forbidden, tiers):
    for i, j in required:
        assert adjacency[i, j] == 1 and adjacency[j, i] == 0, (i, j)
    for i, j in forbidden:
        assert adjacency[i, j] == 0, (i, j)
    if tiers is not None:
        earlier, later = tiers
        assert not adjacency[np.ix_(later, earlier)].any()


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: e.__name__)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=knowledge_and_data())
def test_every_estimator_honours_random_knowledge(estimator, case):
    d, seed, required, forbidden, tiers = case
    X, mask, _ = make_scm(
        200,
        d,
        n_intervention_targets=1 if estimator is GIES else 0,
        intervention_fraction=0.3 if estimator is GIES else 0.0,
        random_state=seed,
    )
    knowledge = BackgroundKnowledge(required=required, forbidden=forbidden, tiers=tiers)
    est = estimator(knowledge=knowledge).fit(X, intervention_mask=mask)
    _honours(est.adjacency_, required, forbidden, tiers)
    # The forbidden edges carry no confidence either.
    for i, j in forbidden:
        assert est.edge_probabilities_[i, j] == 0


def test_notears_uses_the_knowledge_in_its_search():
    rng = np.random.default_rng(0)
    a = rng.normal(size=1000)
    b = 1.5 * a + rng.normal(size=1000)
    X = np.column_stack([a, b])
    # Forbidden: the weight is pinned at zero, so the dependence is explained the other way.
    est = NOTEARS(knowledge=BackgroundKnowledge(forbidden=[(0, 1)])).fit(X)
    assert est.weights_[0, 1] == 0 and est.weights_[1, 0] != 0
    # Required: free of the L1 penalty, so it survives a penalty that empties the graph otherwise.
    with pytest.warns(UserWarning, match="empty graph is the exact solution"):
        assert NOTEARS(lambda1=5.0).fit(X).weights_.sum() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning about an empty graph that is not empty
        est = NOTEARS(lambda1=5.0, knowledge=BackgroundKnowledge(required=[(0, 1)])).fit(X)
    assert est.weights_[0, 1] == pytest.approx(1.5, abs=0.1)


def test_gies_searches_with_a_score_that_keeps_forbidden_pairs_apart(monkeypatch):
    import gies

    seen = {}
    real_fit = gies.fit

    def spy(score, *args, **kwargs):
        seen["score"] = score
        return real_fit(score, *args, **kwargs)

    monkeypatch.setattr(gies, "fit", spy)
    X, _, truth = make_scm(500, 4, edges_per_node=2.0, random_state=4)
    i, j = np.argwhere(truth)[0]
    GIES(knowledge=BackgroundKnowledge(forbidden=[(i, j), (j, i)])).fit(X)
    score = seen["score"]
    # A parent set with the forbidden parent scores far below the same set without it.
    assert score.local_score(j, {i}) < score.local_score(j, set()) - 1e9
    GIES().fit(X)
    assert seen["score"].local_score(j, {i}) > seen["score"].local_score(j, set()) - 1e9


def test_a_search_output_that_honours_the_knowledge_but_has_a_cycle_is_made_acyclic():
    # PC with this knowledge returned 0 -> 1 (1 -> 0 forbidden) beside the required 1 -> 2 -> 0,
    # a directed cycle that the fit kept because every piece of knowledge was honoured.
    X, _, _ = make_scm(150, 3, random_state=0)
    knowledge = BackgroundKnowledge(required=[(1, 2), (2, 0)], forbidden=[(1, 0)])
    est = PC(knowledge=knowledge).fit(X * 0.001 * (1 + np.arange(3)))
    assert is_dag(est.adjacency_)
    assert est.adjacency_[1, 2] and est.adjacency_[2, 0] and not est.adjacency_[1, 0]
