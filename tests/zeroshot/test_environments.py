"""Environments with unknown targets: features, simulator, model, training and the estimator API."""

import numpy as np
import pytest
import sklearn
import torch
from _runs import TINY
from sklearn.model_selection import cross_validate

from skcausal import ZeroShotCausalDiscovery, pretrain
from skcausal.baselines import GES
from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.zeroshot import Checkpoint
from skcausal.zeroshot._checkpoint import default_checkpoint_path
from skcausal.zeroshot._environment_features import environment_features
from skcausal.zeroshot._features import N_FEATURES, V1_FEATURES, pair_features
from skcausal.zeroshot._model import ModelConfig, PairGridTransformer


def _chain_with_shift(n=3000, seed=0):
    """x0 -> x1 -> x2 (linear); environment 1 shifts x1's mechanism by 3 sd, environment 0 is
    observational."""
    g = torch.Generator().manual_seed(seed)
    labels = (torch.arange(n) >= n // 2).long()
    x0 = torch.randn(n, generator=g)
    x1 = 0.8 * x0 + 0.6 * torch.randn(n, generator=g) + 3.0 * labels
    x2 = 0.8 * x1 + 0.6 * torch.randn(n, generator=g)
    X = torch.stack([x0, x1, x2], dim=1)[None]
    z = (X - X.mean(1, keepdim=True)) / X.std(1, keepdim=True, correction=0)
    return z, labels[None]


def test_residual_shift_separates_the_target_from_its_descendant():
    # Independent reasoning, not the code's numbers: x2 moves with x1 (its parent) but x2 given
    # the rest keeps its mechanism, so only the target's residual shifts (and its parent's, whose
    # child mechanism changed); the shift alone cannot tell x1 from x2.
    z, labels = _chain_with_shift()
    _, variable, valid = environment_features(z, labels, torch.tensor([True]))
    assert valid.tolist() == [[False, True]]  # the reference is not scored
    shift, residual = variable[0, 1, :, 0], variable[0, 1, :, 1]
    assert shift[1] > 1.0 and shift[2] > 1.0 and abs(shift[0]) < 0.2
    assert abs(residual[1]) > 1.0
    assert abs(residual[2]) < 0.2 * abs(residual[1])
    assert variable[0, 0, :, 5].tolist() == [1.0, 1.0, 1.0]  # reference flag on environment 0


def test_without_environments_nothing_is_valid_and_pair_features_are_zero():
    z, _ = _chain_with_shift()
    pair, variable, valid = environment_features(
        z, torch.zeros(1, z.shape[1], dtype=torch.long), torch.tensor([False]), n_environments=3
    )
    assert not valid.any() and torch.count_nonzero(pair) == 0 and variable.shape == (1, 3, 3, 6)


def test_rank_features_ignore_monotone_transforms():
    z, _ = _chain_with_shift(n=500)
    a, b = pair_features(z), pair_features(torch.exp(z))
    assert a.shape == (1, 3, 3, N_FEATURES)
    ranks = slice(V1_FEATURES, V1_FEATURES + 2)
    torch.testing.assert_close(a[..., ranks], b[..., ranks], atol=1e-4, rtol=0)
    assert not torch.allclose(a[..., :V1_FEATURES], b[..., :V1_FEATURES], atol=1e-2)


def test_simulator_environments_record_reference_hidden_masks_and_off_target_hits():
    config = SimulationConfig(
        environment_probability=1.0, known_targets_probability=0.0, off_target_probability=1.0
    )
    batch = SCMBatchSampler(config, generator=5).sample(16, 8, 400)
    assert not batch.intervention_mask.any()  # targets unknown: no mask
    used = batch.environments.amax(1) > 0
    assert used.all()
    # has_reference exactly when environment 0 hits nothing
    assert torch.equal(batch.has_reference, ~batch.environment_targets[:, 0].any(-1))
    # Off-target effects: every non-reference environment hits 2-5 variables (1-3 targets, each
    # with 1-2 others), and at least one environment somewhere hits more than 3.
    counts = batch.environment_targets.sum(-1)
    present = torch.stack(
        [torch.bincount(e, minlength=config.max_environments) > 0 for e in batch.environments]
    )
    scored = present & ~(
        batch.has_reference[:, None] & (torch.arange(config.max_environments) == 0)
    )
    assert (counts[scored] >= 2).all() and (counts[scored] > 3).any()


def test_known_targets_probability_one_keeps_the_mask():
    config = SimulationConfig(environment_probability=1.0)
    batch = SCMBatchSampler(config, generator=5).sample(8, 6, 300)
    rows_with_targets = batch.environment_targets.gather(
        1, batch.environments[:, :, None].expand(-1, -1, 6)
    )
    assert torch.equal(batch.intervention_mask, rows_with_targets)


def _tiny_checkpoint(path, target_head=True, n_features=N_FEATURES):
    torch.manual_seed(0)
    model = PairGridTransformer(
        ModelConfig(n_features=n_features, dim=16, n_layers=1, n_heads=2, target_head=target_head)
    )
    return Checkpoint.from_model(model, {"step": 0}).save(path / "tiny.safetensors")


def _data(n=240, seed=0):
    rng = np.random.default_rng(seed)
    env = np.repeat(np.array(["ctrl", "drug-a", "drug-b"]), n // 3)
    x0 = rng.normal(size=n) + 3.0 * (env == "drug-a")
    x1 = 0.8 * x0 + rng.normal(size=n)
    x2 = 0.5 * x1 + rng.normal(size=n) * np.where(env == "drug-b", 3.0, 1.0)
    return np.c_[x0, x1, x2, rng.normal(size=n)], env


def test_estimator_reports_environments_and_targets(tmp_path):
    ckpt = _tiny_checkpoint(tmp_path)
    X, env = _data()
    est = ZeroShotCausalDiscovery(ckpt, reference_environment="ctrl").fit(X, environments=env)
    assert est.environments_.tolist() == ["ctrl", "drug-a", "drug-b"]
    assert est.intervention_targets_.shape == (3, 4)
    assert np.all(est.intervention_targets_[0] == 0)  # the reference row
    assert np.all((est.intervention_targets_ >= 0) & (est.intervention_targets_ <= 1))
    assert 0 < est.intervention_targets_[1:].min()
    # Relabelling the environments so that they sort differently moves the rows with them.
    renamed = np.array([{"ctrl": "z-ctrl", "drug-a": "b", "drug-b": "a"}[e] for e in env])
    twin = ZeroShotCausalDiscovery(ckpt, reference_environment="z-ctrl").fit(
        X, environments=renamed
    )
    assert twin.environments_.tolist() == ["a", "b", "z-ctrl"]
    np.testing.assert_allclose(
        twin.intervention_targets_[[2, 1, 0]], est.intervention_targets_, atol=1e-6
    )
    np.testing.assert_allclose(twin.edge_probabilities_, est.edge_probabilities_, atol=1e-6)
    # The environments change the prediction (they are not silently ignored).
    assert not np.allclose(
        ZeroShotCausalDiscovery(ckpt).fit(X).edge_probabilities_, est.edge_probabilities_
    )
    # A refit without environments drops the attributes of the earlier fit.
    est.fit(X)
    assert not hasattr(est, "environments_") and not hasattr(est, "intervention_targets_")


def test_no_reference_scores_every_environment(tmp_path):
    X, env = _data()
    est = ZeroShotCausalDiscovery(_tiny_checkpoint(tmp_path), reference_environment=None)
    est.fit(X, environments=env)
    assert (est.intervention_targets_[0] > 0).all()


def test_bootstrap_with_environments(tmp_path):
    X, env = _data()
    est = ZeroShotCausalDiscovery(
        _tiny_checkpoint(tmp_path), reference_environment="ctrl", n_bootstrap=3, random_state=0
    ).fit(X, environments=env)
    assert est.edge_frequencies_.shape == (4, 4) and est.intervention_targets_.shape == (3, 4)
    # The targets, like the probabilities, are the full data's estimate (issue #24).
    plain = ZeroShotCausalDiscovery(_tiny_checkpoint(tmp_path), reference_environment="ctrl")
    plain.fit(X, environments=env)
    np.testing.assert_array_equal(est.intervention_targets_, plain.intervention_targets_)
    np.testing.assert_array_equal(est.edge_probabilities_, plain.edge_probabilities_)


@pytest.mark.parametrize(
    "environments, match",
    [
        (np.zeros(239), "one label per sample"),
        (np.zeros(240), "single label"),
        (np.r_[np.zeros(239), np.nan], "missing"),
        (np.array([None] + ["a"] * 239, dtype=object), "missing"),
    ],
)
def test_malformed_environments_are_refused(tmp_path, environments, match):
    X, _ = _data()
    est = ZeroShotCausalDiscovery(_tiny_checkpoint(tmp_path), reference_environment=None)
    with pytest.raises(ValueError, match=match):
        est.fit(X, environments=environments)


def test_unknown_reference_and_checkpoints_without_a_target_head_are_refused(tmp_path):
    X, env = _data()
    with pytest.raises(ValueError, match="not one of the environment labels"):
        ZeroShotCausalDiscovery(_tiny_checkpoint(tmp_path)).fit(X, environments=env)  # default 0
    v1 = default_checkpoint_path().with_name("skcausal-zeroshot-v1.safetensors")
    with pytest.raises(ValueError, match="target head"):
        ZeroShotCausalDiscovery(v1, reference_environment="ctrl").fit(X, environments=env)
    with pytest.raises(ValueError, match="does not use environments"):
        GES().fit(X, environments=env)


def test_environments_are_routed_and_split_with_the_rows(tmp_path):
    X, env = _data(n=300)
    est = ZeroShotCausalDiscovery(_tiny_checkpoint(tmp_path), reference_environment=None)
    with sklearn.config_context(enable_metadata_routing=True):
        est.set_fit_request(environments=True)
        # shuffled folds: every training split holds all three environments
        from sklearn.model_selection import KFold

        result = cross_validate(
            est,
            X,
            params={"environments": env},
            return_estimator=True,
            cv=KFold(3, shuffle=True, random_state=0),
        )
    assert all(e.intervention_targets_.shape == (3, 4) for e in result["estimator"])


def test_pretraining_trains_the_target_head(tmp_path):
    config = {
        **TINY,
        "steps": 6,
        "model": {**TINY["model"], "target_head": True},
        "simulation": {
            **TINY["simulation"],
            "environment_probability": 1.0,
            "known_targets_probability": 0.0,
            "max_environments": 4,
        },
    }
    seen = []
    path = pretrain(
        config, out=tmp_path, device="cpu", callbacks=[lambda step, logs: seen.append(logs)]
    )
    assert all("target_loss" in logs and np.isfinite(logs["target_loss"]) for logs in seen)
    trained, start = Checkpoint.load(path), PairGridTransformer(ModelConfig(**config["model"]))
    assert trained.model_config.target_head
    assert not torch.equal(
        trained.state_dict["targets.out.3.weight"], start.state_dict()["targets.out.3.weight"]
    )


def test_init_from_a_narrower_checkpoint_computes_what_it_did(tmp_path):
    old = _tiny_checkpoint(tmp_path, target_head=False, n_features=V1_FEATURES)
    config = {**TINY, "model": {**TINY["model"], "target_head": True}}
    pretrain(config, out=tmp_path / "wide", steps=0, device="cpu", init_from=old)
    wide = Checkpoint.load(tmp_path / "wide" / "skcausal-zeroshot.safetensors")
    assert wide.model_config.n_features == N_FEATURES and wide.model_config.target_head
    assert "target head added" in wide.metadata["phases"][0]["init_from_widened"]
    z, labels = _chain_with_shift(n=300)
    tokens = pair_features(z)
    with torch.no_grad():
        torch.testing.assert_close(
            wide.build_model()(tokens), Checkpoint.load(old).build_model()(tokens)
        )
    with pytest.raises(ValueError, match="model config"):
        pretrain(
            {**TINY, "model": {**TINY["model"], "dim": 32}},
            out=tmp_path / "x",
            steps=0,
            device="cpu",
            init_from=tmp_path / "wide" / "skcausal-zeroshot.safetensors",
        )


def test_validation_logs_environment_families_for_a_prior_with_environments():
    from skcausal.pretraining._holdout import ValidationSuite

    simulation = SimulationConfig(max_nodes=8, environment_probability=0.5)
    suite = ValidationSuite(simulation, n_samples=200, n_datasets=3, sizes=(6,), large=())
    assert suite.counts()["env-linear"] == 3 and "env-mean" in suite.groups
    for target_head in (True, False):
        model = PairGridTransformer(
            ModelConfig(dim=16, n_layers=1, n_heads=2, target_head=target_head)
        )
        results = suite.evaluate(model, "cpu")
        assert 0 <= results["env-mean/pooled-auprc"] <= 1
        # only a model with a target head scores targets; without one it sees the pool only
        assert ("env-mean/target-auroc" in results) == target_head
        if not target_head:
            assert results["env-mean/auprc"] == results["env-mean/pooled-auprc"]
    assert (
        "env-linear"
        not in ValidationSuite(SimulationConfig(max_nodes=8), 200, 3, sizes=(6,), large=()).families
    )


def test_validation_pools_environments_as_pair_features_writes_them_without_labels():
    # The pooled score must see what a user with unlabelled rows gets: the environment block at
    # zero and every other block as computed (the blocks after it included).
    from skcausal.datasets import make_environments
    from skcausal.zeroshot._features import ENVIRONMENT_BLOCK, pair_features

    X, labels, _, _ = make_environments(n_nodes=5, n_samples=300, random_state=0)
    X = torch.as_tensor(X, dtype=torch.float32)[None]
    labels = torch.as_tensor(labels)[None]
    tokens, _ = pair_features(
        X,
        environments=labels,
        has_reference=torch.tensor([True]),
        return_environments=True,
    )
    pooled = tokens.clone()
    pooled[..., ENVIRONMENT_BLOCK] = 0.0
    assert tokens[..., ENVIRONMENT_BLOCK].abs().max() > 0
    torch.testing.assert_close(pooled, pair_features(X))


def test_make_environments_shifts_targets_and_their_descendants_only():
    from skcausal.datasets import make_environments

    chain = np.zeros((6, 6), dtype=int)
    chain[0, 1] = chain[1, 2] = chain[3, 4] = 1  # 0 -> 1 -> 2, 3 -> 4, 5 alone
    X, env, targets, A = make_environments(
        6000, 6, n_environments=6, max_targets=1, graph=chain, intervention="far", random_state=3
    )
    assert A.tolist() == chain.tolist() and np.bincount(env).tolist() == [1000] * 6
    assert not targets[0].any() and (targets[1:].sum(1) == 1).all()
    reach = (
        np.linalg.matrix_power(np.eye(6, dtype=int) + chain, 6) > 0
    )  # reach[i, j]: j downstream of i
    for e in range(1, 6):
        t = int(np.flatnonzero(targets[e])[0])
        shift = np.abs(X[env == e].mean(0) - X[env == 0].mean(0)) / X[env == 0].std(0)
        assert shift[t] > 1.0, (e, t, shift)
        unaffected = ~reach[t]
        assert (shift[unaffected] < 0.25).all(), (e, t, shift)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_environments": 1}, "n_environments"),
        ({"n_samples": 9, "n_environments": 5}, "fewer than 2 rows"),
        ({"intervention": "nudge"}, "intervention"),
        ({"max_targets": 11}, "max_targets"),
        ({"off_target_probability": 2}, "off_target_probability"),
        ({"reference": "yes"}, "reference"),
    ],
)
def test_make_environments_refuses_bad_arguments(kwargs, match):
    from skcausal.datasets import make_environments

    with pytest.raises(ValueError, match=match):
        make_environments(**{"n_samples": 100, "n_nodes": 10, **kwargs})


def test_the_default_checkpoint_serves_fits_with_and_without_environments():
    X, env = _data()
    est = ZeroShotCausalDiscovery(reference_environment="ctrl").fit(X, environments=env)
    assert est.checkpoint_info_["path"].endswith("skcausal-zeroshot.safetensors")
    assert est.intervention_targets_.shape == (3, 4)
    assert ZeroShotCausalDiscovery().fit(X).checkpoint_info_["path"] == est.checkpoint_info_["path"]


def test_mask_and_environments_together(tmp_path):
    ckpt = _tiny_checkpoint(tmp_path)
    X, env = _data()
    mask = np.zeros(X.shape, dtype=bool)
    mask[env == "drug-a", 0] = True  # known for one environment, unknown for the other
    est = ZeroShotCausalDiscovery(ckpt, reference_environment="ctrl")
    both = est.fit(X, intervention_mask=mask, environments=env).edge_probabilities_.copy()
    assert est.intervention_targets_.shape == (3, 4)
    only_env = est.fit(X, environments=env).edge_probabilities_
    assert not np.allclose(both, only_env)  # the mask is used beside the labels


def test_shipped_environments_weights_match_reference_values():
    # A regression check: the numbers were written by scripts/update_reference.py.
    import json
    from pathlib import Path

    ref = json.loads(
        (Path(__file__).parents[1] / "data" / "reference_environments.json").read_text()
    )
    est = ZeroShotCausalDiscovery(device="cpu", reference_environment=0)
    est.fit(np.array(ref["X"]), environments=np.array(ref["environments"]))
    assert est.checkpoint_info_["weights_sha256"] == ref["weights_sha256"], (
        "pretrained/ environments weights changed: "
        "run `python scripts/update_reference.py` and commit the result"
    )
    np.testing.assert_allclose(
        est.edge_probabilities_, np.array(ref["edge_probabilities"]), atol=1e-5
    )
    np.testing.assert_allclose(
        est.intervention_targets_, np.array(ref["intervention_targets"]), atol=1e-5
    )
