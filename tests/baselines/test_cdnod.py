"""PC with environments: CD-NOD (causal-learn) for interventions and shifts with unknown targets."""

import numpy as np
import pytest
import sklearn
from causallearn.search.ConstraintBased.CDNOD import cdnod
from sklearn.model_selection import KFold, cross_validate

from skcausal import BackgroundKnowledge
from skcausal.baselines import GES, GIES, NOTEARS, PC, causallearn_to_adjacency


def shifted_pair(n=600, seed=0, labels=(0, 1)):
    """X0 -> X1; the second environment shifts X0's mean. Returns (X, environments)."""
    rng = np.random.default_rng(seed)
    env = np.repeat(np.asarray(labels), n // 2)
    x0 = rng.normal(size=n) + 2.0 * (env == labels[1])
    x1 = 0.8 * x0 + rng.normal(size=n)
    return np.column_stack([x0, x1]), env


# X0 -> X1 -> X2 and X1 -> X3: a tree, so no v-structure and PC orients nothing.
TREE = np.array([[0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]])


def shifted_tree(n_per_env=600, seed=1):
    """TREE in three environments: 0 observational; 1 shifts the root X0; 2 shifts X0 further and
    also X2 (not a root). Returns (X, environments).

    The shifts of X0 grow with the label: PC's Fisher-z test sees a change that is linear in the
    environment's index (see PC's docstring). At alpha=0.05, with the seeds 0-29, CD-NOD recovers
    TREE exactly and the targets, and plain PC leaves X0 - X1 undirected, for 26 seeds (seed 0
    fails: the test of X1 _||_ environment | X0 gives p = 0.008, a false dependence that keeps
    the edge); the default seed is one of them."""
    rng = np.random.default_rng(seed)
    env = np.repeat([0, 1, 2], n_per_env)
    n = env.size
    noise = rng.normal(size=(n, 4))
    X = np.empty((n, 4))
    X[:, 0] = noise[:, 0] + np.select([env == 1, env == 2], [1.5, 3.0], 0.0)
    X[:, 1] = 0.9 * X[:, 0] + noise[:, 1]
    X[:, 2] = -0.8 * X[:, 1] + noise[:, 2] + 3.0 * (env == 2)
    X[:, 3] = 0.7 * X[:, 1] + noise[:, 3]
    order = rng.permutation(n)  # environments interleaved, as in real data
    return X[order], env[order]


# -- what CD-NOD adds over PC ---------------------------------------------------------------------
def test_a_shifted_cause_orients_a_pair_plain_pc_cannot():
    X, env = shifted_pair()
    plain = PC().fit(X)
    np.testing.assert_array_equal(plain.adjacency_, [[0, 1], [1, 0]])  # undecided
    assert not hasattr(plain, "environments_") and not hasattr(plain, "intervention_targets_")

    est = PC().fit(X, environments=env)
    np.testing.assert_array_equal(est.adjacency_, [[0, 1], [0, 0]])  # X0 -> X1
    np.testing.assert_array_equal(est.edge_probabilities_, [[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(est.cpdag_, est.adjacency_)
    np.testing.assert_array_equal(est.environments_, [0, 1])
    np.testing.assert_array_equal(est.intervention_targets_, [[0.0, 0.0], [1.0, 0.0]])
    assert est.intervention_targets_.dtype == float
    assert np.isfinite(est.score(X))


def test_three_environments_recover_the_tree_and_its_shifted_variables():
    X, env = shifted_tree()
    plain = PC().fit(X)
    assert plain.adjacency_[0, 1] == plain.adjacency_[1, 0] == 1  # undirected without environments
    est = PC().fit(X, environments=env)
    np.testing.assert_array_equal(est.adjacency_, TREE)
    np.testing.assert_array_equal(est.environments_, [0, 1, 2])
    # X0 and X2 change; CD-NOD does not say in which environment, so rows 1 and 2 are equal.
    np.testing.assert_array_equal(
        est.intervention_targets_, [[0, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]]
    )


def test_matches_causallearns_cdnod():
    # PC composes CD-NOD from causal-learn's steps (to pass show_progress and the knowledge):
    # without knowledge the graph must be cdnod's own.
    X, env = shifted_tree(n_per_env=300, seed=3)
    for alpha in (0.05, 0.2):
        est = PC(alpha=alpha).fit(X, environments=env)
        codes = np.unique(env, return_inverse=True)[1].astype(float)[:, None]
        G = cdnod(X, codes, alpha, "fisherz", True, 0, 2, show_progress=False).G.graph
        np.testing.assert_array_equal(est.adjacency_, causallearn_to_adjacency(G[:4, :4]))
        np.testing.assert_array_equal(est.intervention_targets_[1], G[4, :4] != 0)


def test_no_progress_bar_is_printed(capfd):
    X, env = shifted_pair()
    PC().fit(X, environments=env)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


# -- the reference environment and the labels -----------------------------------------------------
def test_reference_environment_none_flags_every_environment():
    X, env = shifted_pair()
    est = PC(reference_environment=None).fit(X, environments=env)
    np.testing.assert_array_equal(est.intervention_targets_, [[1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(est.adjacency_, [[0, 1], [0, 0]])


def test_reference_environment_selects_the_zero_row():
    X, env = shifted_pair()
    est = PC(reference_environment=1).fit(X, environments=env)
    np.testing.assert_array_equal(est.intervention_targets_, [[1.0, 0.0], [0.0, 0.0]])


def test_reference_environment_not_among_the_labels_raises():
    X, env = shifted_pair()
    with pytest.raises(ValueError, match="reference_environment=7 is not one of the environment"):
        PC(reference_environment=7).fit(X, environments=env)


def test_string_labels():
    X, env = shifted_pair(labels=("obs", "drug"))
    est = PC(reference_environment="obs").fit(X, environments=env)
    np.testing.assert_array_equal(est.environments_, ["drug", "obs"])  # sorted
    np.testing.assert_array_equal(est.intervention_targets_, [[1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(est.adjacency_, [[0, 1], [0, 0]])
    # The default reference (label 0) is not a string label: named in the error.
    with pytest.raises(ValueError, match="reference_environment=0"):
        PC().fit(X, environments=env)


def test_refit_without_environments_drops_the_environment_attributes():
    X, env = shifted_pair()
    est = PC().fit(X, environments=env).fit(X)
    assert not hasattr(est, "environments_") and not hasattr(est, "intervention_targets_")


@pytest.mark.parametrize("Estimator", [GES, NOTEARS, GIES])
def test_other_baselines_refuse_environments(Estimator):
    X, env = shifted_pair(n=200)
    with pytest.raises(ValueError, match="environments"):
        Estimator().fit(X, environments=env)


# -- interplay with the mask, the knowledge, the bootstrap and degenerate data --------------------
def test_the_mask_is_ignored_by_the_search_with_environments():
    X, env = shifted_tree(n_per_env=300)
    mask = np.zeros(X.shape, dtype=bool)
    mask[env == 2, 2] = True
    with_mask = PC().fit(X, intervention_mask=mask, environments=env)
    without = PC().fit(X, environments=env)
    np.testing.assert_array_equal(with_mask.adjacency_, without.adjacency_)
    np.testing.assert_array_equal(with_mask.intervention_targets_, without.intervention_targets_)


def test_knowledge_is_honoured_with_environments():
    X, env = shifted_pair()
    knowledge = BackgroundKnowledge(forbidden=[(0, 1)])
    est = PC(knowledge=knowledge).fit(X, environments=env)
    # Against the data, but the knowledge wins; the shift of X0 is still reported.
    np.testing.assert_array_equal(est.adjacency_, [[0, 0], [1, 0]])
    np.testing.assert_array_equal(est.intervention_targets_, [[0.0, 0.0], [1.0, 0.0]])

    X, env = shifted_tree(n_per_env=300)
    knowledge = BackgroundKnowledge(forbidden=[(1, 3), (3, 1)], required=[(2, 0)])
    est = PC(knowledge=knowledge).fit(X, environments=env)
    assert est.adjacency_[1, 3] == est.adjacency_[3, 1] == 0
    assert est.adjacency_[2, 0] == 1 and est.adjacency_[0, 2] == 0


def test_bootstrap_with_environments():
    X, env = shifted_pair(n=400)
    env[0] = 2  # an environment of one row, missing from about a third of the resamples
    est = PC(n_bootstrap=5, random_state=0).fit(X, environments=env)
    assert est.edge_frequencies_.shape == (2, 2)
    assert est.edge_frequencies_[0, 1] == 1.0
    assert est.intervention_targets_.shape == (3, 2)


def test_environment_collinear_with_a_column_is_refused_by_name():
    X, env = shifted_pair()
    X = np.column_stack([X, 3.0 * env + 1.0])
    with pytest.raises(ValueError, match="environment"):
        PC().fit(X, environments=env)


# -- cross-validation routes the environments with the rows ---------------------------------------
def test_cross_validate_routes_environments_to_pc():
    X, env = shifted_tree(n_per_env=200)
    cv = KFold(3, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        est = PC().set_fit_request(environments=True)
        result = cross_validate(
            est,
            X,
            params={"environments": env},
            cv=cv,
            return_estimator=True,
            return_indices=True,
        )
    assert np.all(np.isfinite(result["test_score"]))
    for fitted, train in zip(result["estimator"], result["indices"]["train"]):
        direct = PC().fit(X[train], environments=env[train])
        np.testing.assert_array_equal(fitted.environments_, [0, 1, 2])
        np.testing.assert_array_equal(fitted.intervention_targets_, direct.intervention_targets_)
        np.testing.assert_array_equal(fitted.adjacency_, direct.adjacency_)
