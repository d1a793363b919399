"""ZeroShotCausalDiscovery, its features, model and checkpoints."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.graph import edge_given_pair, is_dag
from skcausal.zeroshot import Checkpoint, CheckpointError, ModelConfig, PairGridTransformer
from skcausal.zeroshot._features import N_FEATURES, pair_features

REFERENCE = Path(__file__).parents[1] / "data" / "reference_probabilities.json"


@pytest.fixture(scope="module")
def data():
    return make_scm(
        400, 9, mechanism="mlp", n_intervention_targets=3, intervention_fraction=0.4, random_state=7
    )


def test_fit_sets_attributes(data):
    X, mask, _ = data
    est = ZeroShotCausalDiscovery(device="cpu")
    assert est.fit(X, intervention_mask=mask) is est
    P = est.edge_probabilities_
    assert P.shape == (9, 9) and np.all(np.diag(P) == 0)
    assert np.all((P >= 0) & (P <= 1))
    assert set(np.unique(est.adjacency_)) <= {0, 1}
    assert est.n_features_in_ == 9
    assert est.checkpoint_info_["weights_sha256"] and est.checkpoint_info_["device"] == "cpu"


def test_read_only_inputs_fit_silently_and_stay_unchanged(data):
    X, mask, _ = data
    X, mask = X.copy(), mask.copy()
    X.flags.writeable = mask.flags.writeable = False  # as from np.load(mmap_mode="r") or a frame
    expected = ZeroShotCausalDiscovery(device="cpu").fit(X.copy(), intervention_mask=mask.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ZeroShotCausalDiscovery(device="cpu").fit(X, intervention_mask=mask)
    np.testing.assert_array_equal(est.edge_probabilities_, expected.edge_probabilities_)


def test_permuting_columns_permutes_probabilities(data):
    X, mask, _ = data
    perm = np.random.default_rng(0).permutation(X.shape[1])
    P = ZeroShotCausalDiscovery().fit(X, intervention_mask=mask).edge_probabilities_
    Q = (
        ZeroShotCausalDiscovery()
        .fit(X[:, perm], intervention_mask=mask[:, perm])
        .edge_probabilities_
    )
    np.testing.assert_allclose(Q, P[np.ix_(perm, perm)], atol=1e-5)


def test_features_are_equivariant():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(2, 50, 5, generator=g)
    mask = torch.rand(2, 50, 5, generator=g) < 0.2
    perm = torch.tensor([3, 0, 4, 1, 2])
    F = pair_features(X, mask)
    G = pair_features(X[:, :, perm], mask[:, :, perm])
    assert F.shape == (2, 5, 5, N_FEATURES)
    torch.testing.assert_close(G, F[:, perm][:, :, perm], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_acyclic_output_is_always_a_dag(seed):
    X, _, _ = make_scm(300, 12, mechanism="rff", edges_per_node=3, random_state=seed)
    est = ZeroShotCausalDiscovery(threshold=0.02).fit(X)  # a low threshold makes many candidates
    assert is_dag(est.adjacency_)
    # every kept edge clears the threshold and is its pair's more probable direction
    p, kept = est.edge_probabilities_, est.adjacency_ == 1
    assert np.all(edge_given_pair(p)[kept] > 0.02) and np.all(p[kept] >= p.T[kept])


def test_acyclic_false_keeps_every_edge_above_threshold(data):
    X, mask, _ = data
    est = ZeroShotCausalDiscovery(acyclic=False, threshold=0.3).fit(X)
    expected = edge_given_pair(est.edge_probabilities_) > 0.3
    np.testing.assert_array_equal(est.adjacency_, expected.astype(int))
    assert ZeroShotCausalDiscovery(threshold=1.0).fit(X).adjacency_.sum() == 0


def test_adjacency_is_each_pairs_most_probable_state(data):
    X, _, _ = data
    est = ZeroShotCausalDiscovery(acyclic=False).fit(X)
    p = est.edge_probabilities_
    none = 1 - p - p.T
    # At the default threshold, i -> j is kept exactly when it beats both no edge and j -> i.
    most_probable = (p > none) & (p >= p.T) & ~np.eye(len(p), dtype=bool)
    np.testing.assert_array_equal(est.adjacency_, most_probable.astype(int))


def test_shipped_weights_match_reference_values():
    ref = json.loads(REFERENCE.read_text())
    est = ZeroShotCausalDiscovery(device="cpu")
    est.fit(np.array(ref["X"]), intervention_mask=np.array(ref["intervention_mask"], dtype=bool))
    assert est.checkpoint_info_["weights_sha256"] == ref["weights_sha256"], (
        "pretrained/ weights changed: "
        "run `python scripts/update_reference.py` and commit the result"
    )
    np.testing.assert_allclose(
        est.edge_probabilities_, np.array(ref["edge_probabilities"]), atol=1e-5
    )


def test_bootstrap_is_reproducible(data):
    X, mask, _ = data
    a = ZeroShotCausalDiscovery(n_bootstrap=2, random_state=0).fit(X)
    b = ZeroShotCausalDiscovery(n_bootstrap=2, random_state=0).fit(X)
    c = ZeroShotCausalDiscovery(n_bootstrap=2, random_state=1).fit(X)
    np.testing.assert_array_equal(a.bootstrap_edge_probabilities_, b.bootstrap_edge_probabilities_)
    np.testing.assert_array_equal(a.edge_frequencies_, b.edge_frequencies_)
    # Other resamples: another bootstrap score, the same full-data estimate.
    assert not np.array_equal(a.bootstrap_edge_probabilities_, c.bootstrap_edge_probabilities_)
    np.testing.assert_array_equal(a.edge_probabilities_, c.edge_probabilities_)


@pytest.mark.parametrize(
    "X, mask, message",
    [
        # NaN is a missing cell since #22; a column with every cell missing is refused.
        (np.full((10, 3), np.nan), None, "every cell missing"),
        (np.array([[1.0, 2.0, np.inf]] * 10), None, "infinity"),
        (np.ones((1, 3)), None, "1 sample"),
        (np.random.default_rng(0).normal(size=(10, 1)), None, "1 feature"),
        (np.column_stack([np.arange(10.0), np.ones(10)]), None, "constant"),
        (np.random.default_rng(0).normal(size=(10, 3)), np.zeros((10, 2), bool), "shape"),
        (np.random.default_rng(0).normal(size=(10, 3)), np.full((10, 3), 2), "True/False"),
        (np.random.default_rng(0).normal(size=(10, 3)), np.full((10, 3), "a"), "boolean"),
    ],
)
def test_bad_input_raises_value_error(X, mask, message):
    with pytest.raises(ValueError, match=message):
        ZeroShotCausalDiscovery().fit(X, intervention_mask=mask)


@pytest.mark.parametrize(
    "params",
    [
        {"threshold": 1.5},
        {"threshold": "high"},
        {"acyclic": "yes"},
        {"n_bootstrap": -1},
        {"device": "tpu"},
    ],
)
def test_bad_parameters_raise_value_error(params, data):
    with pytest.raises(ValueError):
        ZeroShotCausalDiscovery(**params).fit(data[0])


def test_checkpoint_round_trip_is_bit_exact(tmp_path):
    torch.manual_seed(0)
    model = PairGridTransformer(ModelConfig(dim=16, n_layers=1, n_heads=2))
    path = Checkpoint.from_model(model, {"step": 3}).save(tmp_path / "m.safetensors")
    loaded = Checkpoint.load(path)
    assert loaded.model_config == model.config and loaded.metadata["step"] == 3
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict[name], tensor)
    X = torch.randn(1, 30, 4)
    torch.testing.assert_close(
        loaded.build_model().edge_logits(X), model.eval().edge_logits(X), rtol=0, atol=0
    )


def test_truncated_checkpoint_is_refused(tmp_path):
    path = Checkpoint.from_model(PairGridTransformer(ModelConfig(dim=16, n_layers=1))).save(
        tmp_path / "m"
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or altered"):
        Checkpoint.load(path)
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match="truncated or altered"):
        ZeroShotCausalDiscovery(checkpoint=path).fit(X)


def test_save_killed_between_its_renames_is_finished_on_load(tmp_path):
    # A SIGKILL between Checkpoint.save's two renames leaves the new weights beside the old
    # metadata, and the new metadata staged under a temporary name; load finishes that save.
    torch.manual_seed(0)
    old = Checkpoint.from_model(PairGridTransformer(ModelConfig(dim=16, n_layers=1)), {"step": 1})
    new = Checkpoint.from_model(PairGridTransformer(ModelConfig(dim=16, n_layers=1)), {"step": 2})
    path = old.save(tmp_path / "run" / "m")
    new_path = new.save(tmp_path / "other" / "m")
    path.write_bytes(new_path.read_bytes())
    staged = path.parent / ".m.json.x1y2.tmp"
    staged.write_text(new_path.with_suffix(".json").read_text())
    (path.parent / ".m.json.zzzz.tmp").write_text("{not json")  # a torn stage is skipped
    loaded = Checkpoint.load(path)
    assert loaded.metadata["step"] == 2 and not staged.exists()
    assert json.loads(path.with_suffix(".json").read_text())["step"] == 2
    for name, tensor in new.state_dict.items():
        assert torch.equal(loaded.state_dict[name], tensor)


def test_checkpoint_whose_config_does_not_match_is_refused(tmp_path):
    path = Checkpoint.from_model(PairGridTransformer(ModelConfig(dim=16, n_layers=1))).save(
        tmp_path / "m"
    )
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text())
    meta["model_config"]["n_layers"] = 2
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="do not match its model_config"):
        Checkpoint.load(path)
    meta["model_config"]["n_layers"] = "two"
    meta["model_config"]["dim"] = 15  # not divisible by the heads
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="invalid model_config"):
        Checkpoint.load(path)


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        ZeroShotCausalDiscovery(checkpoint=tmp_path / "nothing.safetensors").fit(
            np.random.rand(20, 3)
        )
