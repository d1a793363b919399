"""pandas side inputs (the mask, environments, sample weights) aligned with a DataFrame X by label
in fit and score, or refused with a message that names the labels that differ (issue #24)."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.model_selection import cross_validate

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import GES, PC
from skcausal.datasets import make_scm


@pytest.fixture(scope="module")
def frames():
    X, mask, _ = make_scm(
        300, 4, n_intervention_targets=2, intervention_fraction=0.4, random_state=0
    )
    columns = ["a", "b", "c", "d"]
    index = pd.RangeIndex(100, 400)  # not 0..n-1: a positional mix-up would show
    return (
        pd.DataFrame(X, columns=columns, index=index),
        pd.DataFrame(mask, columns=columns, index=index),
    )


@pytest.fixture(scope="module")
def reference(frames):
    X, mask = frames
    return ZeroShotCausalDiscovery().fit(X, intervention_mask=mask)


def _same_fit(estimator, reference):
    np.testing.assert_array_equal(estimator.edge_probabilities_, reference.edge_probabilities_)
    np.testing.assert_array_equal(estimator.coef_, reference.coef_)


# -- the mask, at fit -----------------------------------------------------------------------------
def test_the_mask_matters_here(frames, reference):
    # Otherwise the alignment tests below would prove nothing.
    X, mask = frames
    shuffled = mask.to_numpy()[np.random.default_rng(0).permutation(len(mask))]
    other = ZeroShotCausalDiscovery().fit(X, intervention_mask=shuffled)
    assert not np.array_equal(other.edge_probabilities_, reference.edge_probabilities_)


def test_mask_columns_in_another_order_are_reordered_by_name(frames, reference):
    X, mask = frames
    est = ZeroShotCausalDiscovery().fit(X, intervention_mask=mask[["d", "b", "a", "c"]])
    _same_fit(est, reference)


def test_a_shuffled_mask_index_is_aligned_by_label(frames, reference):
    X, mask = frames
    shuffled = mask.sample(frac=1.0, random_state=0)
    assert not shuffled.index.equals(mask.index)
    est = ZeroShotCausalDiscovery().fit(X, intervention_mask=shuffled)
    _same_fit(est, reference)


def test_shuffled_rows_and_columns_together(frames, reference):
    X, mask = frames
    est = ZeroShotCausalDiscovery().fit(
        X, intervention_mask=mask.sample(frac=1.0, random_state=1)[["c", "a", "d", "b"]]
    )
    _same_fit(est, reference)


def test_mask_columns_with_other_names_are_refused(frames):
    X, mask = frames
    renamed = mask.rename(columns={"c": "z"})
    message = (
        r"intervention_mask's column names do not match X's: X has columns \['c'\] that "
        r"intervention_mask lacks; intervention_mask has columns \['z'\] that X lacks.*"
        r"intervention_mask.to_numpy\(\) to match by position"
    )
    with pytest.raises(ValueError, match=message):
        GES().fit(X, intervention_mask=renamed)


def test_a_mask_without_names_for_a_named_x_is_refused(frames):
    # pd.DataFrame(array) has the names 0..d-1: not X's. Positions need an explicit array.
    X, mask = frames
    unnamed = pd.DataFrame(mask.to_numpy(), index=mask.index)
    with pytest.raises(ValueError, match=r"X has columns \['a', 'b', 'c', 'd'\]"):
        GES().fit(X, intervention_mask=unnamed)
    GES().fit(X, intervention_mask=unnamed.to_numpy())  # as the message says


def test_a_mask_index_with_other_labels_is_refused(frames):
    X, mask = frames
    message = (
        r"intervention_mask's index does not match X's index: X has rows \[300, 301, 302, "
        r".*that intervention_mask lacks; intervention_mask has rows \[0, 1, 2, .*that X lacks"
    )
    with pytest.raises(ValueError, match=message):
        GES().fit(X, intervention_mask=mask.reset_index(drop=True))


def test_duplicated_index_labels_in_another_order_are_refused(frames):
    X, mask = frames
    index = np.repeat(np.arange(150), 2)
    Xd, maskd = X.set_axis(index), mask.set_axis(index)
    GES().fit(Xd, intervention_mask=maskd)  # the same duplicated labels, same order: fine
    with pytest.raises(ValueError, match="with duplicates, so they cannot be paired"):
        GES().fit(Xd, intervention_mask=maskd.iloc[::-1])


def test_a_mask_frame_for_an_array_x_is_taken_by_position(frames, reference):
    X, mask = frames
    relabelled = mask.set_axis(["p", "q", "r", "s"], axis=1).reset_index(drop=True)
    est = ZeroShotCausalDiscovery().fit(X.to_numpy(), intervention_mask=relabelled)
    np.testing.assert_array_equal(est.edge_probabilities_, reference.edge_probabilities_)


def test_a_mask_of_the_wrong_shape_keeps_the_shape_message(frames):
    X, mask = frames
    with pytest.raises(ValueError, match=r"shape of X, \(300, 4\)"):
        GES().fit(X, intervention_mask=mask.iloc[:, :3])


# -- the mask and sample weights, at score ------------------------------------------------------
@pytest.mark.filterwarnings("ignore:X does not have valid feature names")
def test_score_aligns_the_mask_and_refuses_other_labels(frames, reference):
    X, mask = frames
    expected = reference.score(X, intervention_mask=mask)
    shuffled = mask.sample(frac=1.0, random_state=2)[["b", "a", "d", "c"]]
    assert reference.score(X, intervention_mask=shuffled) == expected
    with pytest.raises(ValueError, match="intervention_mask's column names do not match"):
        reference.score(X, intervention_mask=mask.rename(columns={"a": "A"}))
    with pytest.raises(ValueError, match="intervention_mask's index does not match"):
        reference.score(X, intervention_mask=mask.reset_index(drop=True))
    # An array X: by position, whatever the labels.
    assert reference.score(X.to_numpy(), intervention_mask=mask.reset_index(drop=True)) == (
        expected
    )


def test_score_aligns_sample_weights_by_index(frames, reference):
    X, mask = frames
    weights = pd.Series(np.linspace(0.5, 2.0, len(X)), index=X.index)
    expected = reference.score(X, intervention_mask=mask, sample_weight=weights)
    shuffled = weights.sample(frac=1.0, random_state=3)
    assert reference.score(X, intervention_mask=mask, sample_weight=shuffled) == expected
    with pytest.raises(ValueError, match="sample_weight's index does not match X's index"):
        reference.score(X, intervention_mask=mask, sample_weight=weights.reset_index(drop=True))


# -- environments ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shifted():
    rng = np.random.default_rng(0)
    env = np.repeat(["control", "shifted"], 250)
    a = rng.normal(size=500) + 2.0 * (env == "shifted")
    b = a + rng.normal(size=500)
    c = b + rng.normal(size=500)
    index = pd.Index([f"cell{k}" for k in range(500)])
    X = pd.DataFrame({"a": a, "b": b, "c": c}, index=index)
    return X, pd.Series(env, index=index, name="condition")


def test_environments_series_is_aligned_by_index(shifted):
    X, env = shifted
    expected = PC(reference_environment="control").fit(X, environments=env)
    est = PC(reference_environment="control").fit(
        X, environments=env.sample(frac=1.0, random_state=0)
    )
    np.testing.assert_array_equal(est.adjacency_, expected.adjacency_)
    np.testing.assert_array_equal(est.intervention_targets_, expected.intervention_targets_)
    assert expected.intervention_targets_[1, 0] == 1.0  # the shift of a is found


def test_environments_with_other_index_labels_are_refused(shifted):
    X, env = shifted
    message = (
        r"environments' index does not match X's index: X has rows \['cell0', .*"
        r"environments.to_numpy\(\) to match by position"
    )
    with pytest.raises(ValueError, match=message):
        PC(reference_environment="control").fit(X, environments=env.reset_index(drop=True))


def test_environments_series_for_an_array_x_is_taken_by_position(shifted):
    X, env = shifted
    expected = PC(reference_environment="control").fit(X, environments=env)
    est = PC(reference_environment="control").fit(
        X.to_numpy(), environments=env.reset_index(drop=True)
    )
    np.testing.assert_array_equal(est.intervention_targets_, expected.intervention_targets_)


# -- cross-validation keeps the labels of X and the mask together --------------------------------
def test_cross_validation_with_frames_stays_aligned(frames):
    X, mask = frames
    with sklearn.config_context(enable_metadata_routing=True):
        est = (
            GES().set_fit_request(intervention_mask=True).set_score_request(intervention_mask=True)
        )
        result = cross_validate(est, X, params={"intervention_mask": mask}, cv=3)
    assert np.all(np.isfinite(result["test_score"]))
