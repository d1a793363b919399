"""n_bootstrap, edge_frequencies_ and bootstrap_edge_probabilities_ on every estimator."""

import numpy as np
import pytest

from skcausal import BackgroundKnowledge, ZeroShotCausalDiscovery
from skcausal.baselines import GES, GIES, NOTEARS, PC
from skcausal.datasets import make_scm


@pytest.mark.parametrize(
    "estimator", [ZeroShotCausalDiscovery, PC, GES, NOTEARS, GIES], ids=lambda e: e.__name__
)
def test_edge_frequencies_are_shares_of_resample_graphs(estimator):
    X, _, _ = make_scm(200, 4, random_state=0)
    knowledge = BackgroundKnowledge(forbidden=[(0, 1)], required=[(2, 3)])
    est = estimator(n_bootstrap=4, random_state=0, knowledge=knowledge).fit(X)
    freq = est.edge_frequencies_
    assert freq.shape == (4, 4)
    assert np.all(np.isin(np.round(freq * 4, 9), np.arange(5)))  # multiples of 1/4
    assert np.all(np.diag(freq) == 0)
    # Every resample graph honours the knowledge too.
    assert freq[0, 1] == 0 and freq[2, 3] == 1 and freq[3, 2] == 0
    again = estimator(n_bootstrap=4, random_state=0, knowledge=knowledge).fit(X)
    np.testing.assert_array_equal(freq, again.edge_frequencies_)
    assert not hasattr(estimator().fit(X), "edge_frequencies_")


def test_bootstrap_frequencies_equal_separate_fits_on_the_same_resamples():
    # The default (classical) bootstrap refits on resamples drawn from random_state: the same
    # rows give the same graphs as fitting by hand.
    X, _, _ = make_scm(150, 4, random_state=1)
    est = GES(n_bootstrap=3, random_state=7).fit(X)
    rng = np.random.default_rng(7)
    graphs = [GES().fit(X[rng.integers(0, 150, 150)]).adjacency_ for _ in range(3)]
    np.testing.assert_array_equal(est.edge_frequencies_, np.mean(graphs, axis=0))


def test_zero_shot_bootstrap_is_one_batched_pass_matching_separate_passes():
    X, _, _ = make_scm(300, 5, random_state=2)
    est = ZeroShotCausalDiscovery(n_bootstrap=3, random_state=0).fit(X)
    rng = np.random.default_rng(0)
    rows = [rng.integers(0, 300, 300) for _ in range(3)]
    # Each resample alone, with the full data's standardisation (as in the batch).
    from skcausal._utils import standardize_columns as _standardize

    Z = _standardize(X)
    graphs = [ZeroShotCausalDiscovery().fit(Z[r]).adjacency_ for r in rows]
    # Resampled rows of already standardised data are not exactly standardised, so the model sees
    # the same numbers up to the estimator's own re-standardisation: compare frequencies loosely.
    assert np.abs(est.edge_frequencies_ - np.mean(graphs, axis=0)).max() <= 1 / 3


def test_batched_forward_pass_equals_one_pass_per_dataset(monkeypatch):
    import skcausal.zeroshot._estimator as module

    X, _, _ = make_scm(300, 5, random_state=3)
    batched = ZeroShotCausalDiscovery(n_bootstrap=3, random_state=0).fit(X)
    monkeypatch.setattr(module, "datasets_per_pass", lambda *args: 1)
    single = ZeroShotCausalDiscovery(n_bootstrap=3, random_state=0).fit(X)
    np.testing.assert_allclose(batched.edge_probabilities_, single.edge_probabilities_, atol=1e-5)
    np.testing.assert_array_equal(batched.edge_frequencies_, single.edge_frequencies_)


def test_n_bootstrap_is_validated_before_the_data():
    with pytest.raises(ValueError, match="n_bootstrap"):
        PC(n_bootstrap=-1).fit("not data")


def test_a_refit_without_bootstrap_drops_the_old_frequencies():
    X, _, _ = make_scm(150, 3, random_state=0)
    est = GES(n_bootstrap=2, random_state=0).fit(X)
    assert hasattr(est, "edge_frequencies_")
    est.set_params(n_bootstrap=0).fit(X)
    assert not hasattr(est, "edge_frequencies_")
    assert list(est.edge_list().columns) == ["source", "target", "probability"]


# -- the bootstrap reports uncertainty; the fitted estimate stays the full data's (issue #24) -----
@pytest.mark.parametrize(
    "estimator", [ZeroShotCausalDiscovery, PC, GES, NOTEARS, GIES], ids=lambda e: e.__name__
)
def test_the_bootstrap_leaves_the_full_data_estimate_unchanged(estimator):
    X, _, _ = make_scm(200, 4, random_state=4)
    plain = estimator().fit(X)
    est = estimator(n_bootstrap=5, random_state=0).fit(X)
    # Exactly: the zero-shot model runs the full data in a forward pass of its own, since
    # batching it with the resamples would round its matrix products differently.
    np.testing.assert_array_equal(est.edge_probabilities_, plain.edge_probabilities_)
    np.testing.assert_array_equal(est.adjacency_, plain.adjacency_)
    np.testing.assert_array_equal(est.cpdag_, plain.cpdag_)
    np.testing.assert_array_equal(est.coef_, plain.coef_)
    assert not hasattr(plain, "bootstrap_edge_probabilities_")


def test_zero_shot_bootstrap_probabilities_are_the_mean_of_the_resamples(monkeypatch):
    import skcausal.zeroshot._estimator as module

    X, _, _ = make_scm(300, 5, random_state=5)
    knowledge = BackgroundKnowledge(forbidden=[(0, 1)])
    seen = []  # every resample's probabilities, as the search returns them
    original = module.ZeroShotCausalDiscovery._discover

    def spy(self, *args, **kwargs):
        discovery = original(self, *args, **kwargs)
        seen.extend(r.probabilities for r in discovery.resamples or [])
        return discovery

    monkeypatch.setattr(module.ZeroShotCausalDiscovery, "_discover", spy)
    est = ZeroShotCausalDiscovery(n_bootstrap=4, random_state=0, knowledge=knowledge).fit(X)
    assert len(seen) == 4
    expected = np.mean(seen, axis=0)
    expected[0, 1] = 0.0  # the knowledge applied to each resample, as to the full data
    np.testing.assert_allclose(est.bootstrap_edge_probabilities_, expected, rtol=0, atol=1e-15)
    # A score distinct from the full data's, which it does not replace.
    assert not np.array_equal(est.bootstrap_edge_probabilities_, est.edge_probabilities_)


def test_baseline_bootstrap_probabilities_are_the_mean_over_refits_on_the_resamples():
    X, _, _ = make_scm(150, 4, random_state=1)
    est = NOTEARS(n_bootstrap=3, random_state=7).fit(X)
    rng = np.random.default_rng(7)
    fits = [NOTEARS().fit(X[rng.integers(0, 150, 150)]) for _ in range(3)]
    np.testing.assert_array_equal(
        est.bootstrap_edge_probabilities_, np.mean([f.edge_probabilities_ for f in fits], axis=0)
    )
    np.testing.assert_array_equal(
        est.edge_frequencies_, np.mean([f.adjacency_ for f in fits], axis=0)
    )


def test_a_refit_without_bootstrap_drops_the_bootstrap_probabilities():
    X, _, _ = make_scm(150, 3, random_state=0)
    est = GES(n_bootstrap=2, random_state=0).fit(X)
    assert est.bootstrap_edge_probabilities_.shape == (3, 3)
    est.set_params(n_bootstrap=0).fit(X)
    assert not hasattr(est, "bootstrap_edge_probabilities_")
