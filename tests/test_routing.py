"""The intervention mask in scikit-learn's meta-estimators: Pipeline, cross_validate, GridSearchCV.

With metadata routing enabled the mask is requested with ``set_fit_request`` /
``set_score_request`` and must reach each fit (and score) split with the rows. Without routing,
scikit-learn's older conventions apply and are tested too, so that a change on either side shows.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal import BaseCausalDiscovery, Discovery, ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_f1, make_graph_scorer


class MaskRecorder(BaseCausalDiscovery):
    """Learns the empty graph and keeps the (validated) mask and data it was fitted/scored with."""

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        self.fit_X_ = X.copy()
        self.fit_mask_ = intervention_mask.copy()
        d = X.shape[1]
        return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))

    def score(self, X, y=None, *, intervention_mask=None, sample_weight=None):
        # Recorded on the fitted instance, which cross_validate(return_estimator=True) hands back.
        self.score_mask_ = None if intervention_mask is None else np.asarray(intervention_mask)
        return super().score(X, y, intervention_mask=intervention_mask, sample_weight=sample_weight)


@pytest.fixture(scope="module")
def data():
    X, mask, adjacency = make_scm(
        240, 5, n_intervention_targets=3, intervention_fraction=0.5, random_state=0
    )
    # Shuffle so that every fold holds observational and interventional rows, and so that a
    # mask row paired with the wrong data row would be noticed.
    order = np.random.default_rng(0).permutation(len(X))
    return X[order], mask[order], adjacency


def _recorder():
    return (
        MaskRecorder()
        .set_fit_request(intervention_mask=True)
        .set_score_request(intervention_mask=True)
    )


def test_cross_validate_routes_each_folds_rows_of_the_mask(data, routing):
    X, mask, _ = data
    result = cross_validate(
        _recorder(),
        X,
        params={"intervention_mask": mask},
        cv=KFold(4, shuffle=True, random_state=1),
        return_estimator=True,
        return_indices=True,
    )
    folds = zip(result["estimator"], result["indices"]["train"], result["indices"]["test"])
    for estimator, train, test in folds:
        np.testing.assert_array_equal(estimator.fit_mask_, mask[train])
        np.testing.assert_array_equal(estimator.fit_X_, X[train])
        np.testing.assert_array_equal(estimator.score_mask_, mask[test])


def test_cross_validate_routed_mask_changes_the_held_out_score(data, routing):
    X, mask, _ = data
    cv = KFold(3, shuffle=True, random_state=0)
    routed = cross_validate(_recorder(), X, params={"intervention_mask": mask}, cv=cv)
    plain = cross_validate(MaskRecorder(), X, cv=cv)
    # Intervened values are left out of the likelihood, so the per-sample scores differ.
    assert not np.allclose(routed["test_score"], plain["test_score"])


def test_routing_enabled_but_not_requested_raises(data, routing):
    X, mask, _ = data
    with pytest.raises(UnsetMetadataPassedError, match="intervention_mask"):
        cross_validate(MaskRecorder(), X, params={"intervention_mask": mask}, cv=3)


def test_cross_validate_without_routing_passes_the_mask_to_fit_only(data):
    # scikit-learn's documented behaviour without routing: params go to fit, split with the rows;
    # the scorer (here estimator.score) gets none.
    X, mask, _ = data
    result = cross_validate(
        MaskRecorder(),
        X,
        params={"intervention_mask": mask},
        cv=KFold(3),
        return_estimator=True,
        return_indices=True,
    )
    for estimator, train in zip(result["estimator"], result["indices"]["train"]):
        np.testing.assert_array_equal(estimator.fit_mask_, mask[train])
        assert estimator.score_mask_ is None


def test_pipeline_routes_the_mask_to_the_last_step(data, routing):
    X, mask, _ = data
    pipe = make_pipeline(StandardScaler(), _recorder()).fit(X, intervention_mask=mask)
    np.testing.assert_array_equal(pipe[-1].fit_mask_, mask)
    np.testing.assert_allclose(pipe[-1].fit_X_, StandardScaler().fit_transform(X))


def test_cross_validate_routes_the_mask_through_a_pipeline(data, routing):
    X, mask, true_graph = data
    pipe = make_pipeline(StandardScaler(), _recorder())
    result = cross_validate(
        pipe,
        X,
        params={"intervention_mask": mask},
        cv=KFold(3),
        scoring=make_graph_scorer("shd", true_graph),
        return_estimator=True,
        return_indices=True,
    )
    for fitted, train in zip(result["estimator"], result["indices"]["train"]):
        np.testing.assert_array_equal(fitted[-1].fit_mask_, mask[train])


def test_pipeline_score_routes_the_mask(data, routing):
    X, mask, _ = data
    pipe = make_pipeline(StandardScaler(), _recorder()).fit(X, intervention_mask=mask)
    pipe.score(X, intervention_mask=mask)
    np.testing.assert_array_equal(pipe[-1].score_mask_, mask)
    # and so does cross_validate's default scoring through a Pipeline
    result = cross_validate(
        make_pipeline(StandardScaler(), _recorder()),
        X,
        params={"intervention_mask": mask},
        cv=KFold(3),
    )
    assert np.all(np.isfinite(result["test_score"]))


def test_pipeline_without_routing_takes_step_prefixed_mask(data):
    X, mask, _ = data
    pipe = make_pipeline(StandardScaler(), MaskRecorder())
    pipe.fit(X, maskrecorder__intervention_mask=mask)
    np.testing.assert_array_equal(pipe[-1].fit_mask_, mask)


def test_zero_shot_pipeline_exposes_the_graph(data):
    X, mask, _ = data
    pipe = make_pipeline(StandardScaler(), ZeroShotCausalDiscovery()).fit(X)
    adjacency = pipe[-1].adjacency_
    assert adjacency.shape == (X.shape[1], X.shape[1])
    assert np.isfinite(pipe.score(X))


def test_grid_search_routes_the_mask_and_picks_the_best_threshold(data, routing):
    X, mask, true_graph = data
    thresholds = [0.1, 0.3, 0.5, 0.7, 0.9]
    cv = KFold(3, shuffle=True, random_state=0)
    estimator = ZeroShotCausalDiscovery().set_fit_request(intervention_mask=True)
    search = GridSearchCV(
        estimator, {"threshold": thresholds}, scoring=make_graph_scorer("f1", true_graph), cv=cv
    ).fit(X, intervention_mask=mask)

    # The same selection by hand: each threshold's mean F1 over the same folds, each fold fitted
    # on its training rows and their mask.
    mean_f1 = []
    for threshold in thresholds:
        scores = []
        for train, _ in cv.split(X):
            fitted = clone(estimator).set_params(threshold=threshold)
            fitted.fit(X[train], intervention_mask=mask[train])
            scores.append(edge_f1(true_graph, fitted.adjacency_))
        mean_f1.append(np.mean(scores))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], mean_f1)
    # GridSearchCV takes the first of tied best scores; compare up to rounding of the means.
    best = np.flatnonzero(np.isclose(mean_f1, np.max(mean_f1), rtol=0, atol=1e-12))[0]
    assert search.best_params_ == {"threshold": thresholds[best]}
    refitted = clone(estimator).set_params(**search.best_params_)
    refitted.fit(X, intervention_mask=mask)
    np.testing.assert_array_equal(search.best_estimator_.adjacency_, refitted.adjacency_)


def test_grid_search_with_shd_scorer_prefers_lower_shd(data):
    X, _, true_graph = data
    search = GridSearchCV(
        ZeroShotCausalDiscovery(),
        {"threshold": [0.2, 0.5, 0.8]},
        scoring=make_graph_scorer("shd", true_graph),
        cv=KFold(2),
    ).fit(X)
    # The scorer negates the SHD: the best mean score is the smallest mean SHD.
    assert search.best_score_ == search.cv_results_["mean_test_score"].max()
    assert search.best_score_ <= 0
