"""The features' ridge rules: Ledoit-Wolf's shrinkage as scikit-learn estimates it, and a rule
named by every checkpoint, so that the network always reads the features it was trained on."""

import dataclasses
import json

import numpy as np
import pytest
import torch
from sklearn.covariance import ledoit_wolf_shrinkage

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_auprc
from skcausal.pretraining._stream import _featurize
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._features import pair_features
from skcausal.zeroshot._linalg import ledoit_wolf_ridge, partial_correlation, precision_matrix
from skcausal.zeroshot._model import ModelConfig
from skcausal.zeroshot._ridge import FIXED_RIDGE_COLUMNS, RIDGE_RULES


def _standardised(X):
    return (X - X.mean(0)) / X.std(0)


@pytest.mark.parametrize("n, d", [(30, 20), (100, 50), (2000, 10)])
def test_ledoit_wolf_ridge_is_sklearns_shrinkage(n, d):
    rng = np.random.default_rng(n + d)
    Z = _standardised(rng.standard_normal((n, d)) @ rng.standard_normal((d, d)))
    ridge = ledoit_wolf_ridge(torch.tensor(Z[None]))[0].item()
    # (1 - s) S + s I is proportional to S + s / (1 - s) I, and the features use the latter
    assert ridge / (1 + ridge) == pytest.approx(ledoit_wolf_shrinkage(Z), rel=1e-9)


def test_ledoit_wolf_ridge_falls_with_more_rows_and_is_one_per_dataset():
    g = torch.Generator().manual_seed(0)
    mixing = torch.randn(8, 8, generator=g)
    small = torch.randn(3, 50, 8, generator=g) @ mixing
    large = torch.randn(3, 5000, 8, generator=g) @ mixing
    assert ledoit_wolf_ridge(small).shape == (3,)
    assert (ledoit_wolf_ridge(large) < ledoit_wolf_ridge(small) / 10).all()
    # independent columns: the sample correlations are mostly noise, so shrink most of the way
    assert (ledoit_wolf_ridge(torch.randn(2, 50, 8, generator=g)) > 1).all()  # shrinkage > 0.5


def test_precision_matrix_takes_one_ridge_per_matrix():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 200, 5, generator=g, dtype=torch.float64)
    corr = x.transpose(1, 2) @ x / 200
    ridges = torch.tensor([1e-3, 0.5], dtype=torch.float64)
    for psd in (False, True):
        both = precision_matrix(corr, ridges, psd)
        for k in range(2):
            torch.testing.assert_close(both[k], precision_matrix(corr[k], ridges[k].item(), psd))


def test_shrinkage_ridge_keeps_partial_correlations_of_near_deterministic_data():
    # Raw-unit linear SEM: late nodes are near-deterministic sums of their ancestors, and the
    # fixed ridge (1e-3 + d / 10 n) sits far above the correlation matrix's smallest eigenvalues.
    X, _, _ = make_scm(n_nodes=40, n_samples=1000, raw_units=True, random_state=3)
    z = torch.as_tensor(_standardised(X), dtype=torch.float64)[None]
    corr = z.transpose(1, 2) @ z / z.shape[1]
    truth = partial_correlation(torch.linalg.inv(corr))
    errors = {
        rule: (partial_correlation(precision_matrix(corr, make(z))) - truth).abs().mean().item()
        for rule, make in RIDGE_RULES.items()
    }
    assert errors["ledoit-wolf"] < errors["fixed"] / 2, errors


def test_model_config_names_a_known_rule_and_old_checkpoints_read_fixed():
    assert ModelConfig().ridge == "fixed"
    with pytest.raises(ValueError, match="ridge must be one of"):
        ModelConfig(ridge="none")
    old = json.loads(default_checkpoint_path().with_suffix(".json").read_text())
    old["model_config"].pop("ridge", None)
    assert ModelConfig(**old["model_config"]).ridge == "fixed"


def test_model_and_training_stream_compute_features_with_the_checkpoints_rule():
    X, _, A = make_scm(n_nodes=6, n_samples=300, raw_units=True, random_state=0)
    X = torch.as_tensor(X, dtype=torch.float32)[None]
    mask = torch.zeros(X.shape, dtype=torch.bool)
    model = Checkpoint.load(default_checkpoint_path()).build_model().eval()
    with torch.no_grad():
        for rule in RIDGE_RULES:
            model.config.ridge = rule
            tokens = pair_features(X, mask, ridge=rule)
            item = {"X": X, "mask": mask, "adjacency": torch.as_tensor(A)[None]}
            torch.testing.assert_close(_featurize(item, {"ridge": rule})["tokens"], tokens)
            torch.testing.assert_close(model.edge_logits(X, mask), model(tokens))
    fixed, shrunk = (pair_features(X, mask, ridge=rule) for rule in ("fixed", "ledoit-wolf"))
    assert (fixed - shrunk).abs().max() > 1e-3  # the rule reaches the tokens


@pytest.mark.parametrize(
    "d", [FIXED_RIDGE_COLUMNS - 1, FIXED_RIDGE_COLUMNS, FIXED_RIDGE_COLUMNS + 1, 90]
)
def test_fixed_then_shrinkage_is_the_fixed_rule_up_to_wide_columns(d):
    z = torch.randn(2, 300, d, generator=torch.Generator().manual_seed(d))
    rule = RIDGE_RULES["fixed-then-ledoit-wolf"](z)
    expected = RIDGE_RULES["fixed" if d <= FIXED_RIDGE_COLUMNS else "ledoit-wolf"](z)
    torch.testing.assert_close(torch.as_tensor(rule), torch.as_tensor(expected))


def test_shipped_model_reads_wide_data_with_the_datas_ridge():
    assert Checkpoint.load(default_checkpoint_path()).model_config.ridge == (
        "fixed-then-ledoit-wolf"
    )


@pytest.fixture(scope="module")
def as_fixed(tmp_path_factory):
    """The shipped weights read with the fixed ridge at every width (v3.1 as first shipped)."""
    checkpoint = Checkpoint.load(default_checkpoint_path())
    config = dataclasses.replace(checkpoint.model_config, ridge="fixed")
    target = tmp_path_factory.mktemp("fixed") / default_checkpoint_path().name
    path = dataclasses.replace(checkpoint, model_config=config).save(target)
    return ZeroShotCausalDiscovery(path, device="cpu")


@pytest.fixture(scope="module")
def wide_raw_units():
    # Raw units on a scale-free graph: hubs' children are near-deterministic sums, and at
    # d = 48, n = 1,000 the fixed ridge (0.0058) hides the partial correlations they differ by.
    return make_scm(1000, 48, graph="scale_free", raw_units=True, random_state=11)


def test_wide_raw_unit_data_are_read_sharper_with_the_datas_ridge(wide_raw_units, as_fixed):
    X, _, A = wide_raw_units
    fixed = edge_auprc(A, as_fixed.fit(X).edge_probabilities_)
    shipped = ZeroShotCausalDiscovery(device="cpu").fit(X).edge_probabilities_
    assert edge_auprc(A, shipped) > fixed + 0.05, (edge_auprc(A, shipped), fixed)


def test_narrow_data_read_as_before(wide_raw_units, as_fixed):
    X = wide_raw_units[0][:, :FIXED_RIDGE_COLUMNS]
    np.testing.assert_array_equal(
        ZeroShotCausalDiscovery(device="cpu").fit(X).edge_probabilities_,
        as_fixed.fit(X).edge_probabilities_,
    )


def test_ranks_view_of_wide_data_stays_exactly_invariant(wide_raw_units):
    X = wide_raw_units[0]
    est = ZeroShotCausalDiscovery(marginals="ranks", device="cpu")
    p = est.fit(X).edge_probabilities_
    moved = np.exp(X / X.std(0))
    moved[:, ::3] = moved[:, ::3] ** 3
    np.testing.assert_array_equal(est.fit(moved).edge_probabilities_, p)


def test_wide_data_answer_follows_the_column_order(wide_raw_units):
    X = wide_raw_units[0]
    est = ZeroShotCausalDiscovery(device="cpu")
    fit = est.fit(X)
    p, kept = fit.edge_probabilities_, fit.adjacency_
    order = np.random.default_rng(0).permutation(X.shape[1])
    moved = est.fit(X[:, order])
    # Up to float32 rounding, which the small ridge of near-deterministic columns amplifies about
    # tenfold (largest difference 4e-4 here, 3.5e-5 with the fixed ridge).
    np.testing.assert_allclose(
        moved.edge_probabilities_, p[np.ix_(order, order)], rtol=0, atol=2e-3
    )
    np.testing.assert_array_equal(moved.adjacency_, kept[np.ix_(order, order)])
