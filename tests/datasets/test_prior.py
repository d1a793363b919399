"""The wider simulation prior: root laws, measurement, intervention kinds; today's prior
unchanged."""

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.datasets._interventions import INTERVENTIONS, _off_target
from skcausal.datasets._measurement import observe
from skcausal.datasets._mechanisms import ROOT_LAWS
from skcausal.datasets._simulator import simulate


def _sample(config, seed=0, **kwargs):
    return SCMBatchSampler(config, generator=seed).sample(**kwargs)


def test_default_prior_stream_is_unchanged():
    # Regression check (the in-distribution validation numbers of the v1 model were
    # reproduced exactly after the new options were added): the default stream must not move.
    # The graphs and masks are compared bit for bit. The values are compared to 1e-4: torch's
    # float32 exp, tanh and sine round differently on AVX2 and AVX512 CPUs (by up to 3e-5 here), so
    # a digest of them (once "38a8e1d6a5f5a682") held only on the CPU that wrote it.
    batch = _sample(SimulationConfig(), seed=7, batch_size=3, n_nodes=6, n_samples=50)
    assert _digest(batch.adjacency) == EXPECTED_ADJACENCY_DIGEST
    assert _digest(batch.intervention_mask) == EXPECTED_MASK_DIGEST
    reference = json.loads(DEFAULT_STREAM.read_text())["X"]
    np.testing.assert_allclose(batch.X.numpy(), np.array(reference), rtol=0, atol=1e-4)


def _digest(tensor):
    return hashlib.sha256(tensor.numpy().tobytes()).hexdigest()[:16]


# Made by the code of commit f9caec8, the same on CPUs with and without AVX512.
EXPECTED_ADJACENCY_DIGEST = "f52c7b08d25ee052"
EXPECTED_MASK_DIGEST = "5ef990b774ddb098"
DEFAULT_STREAM = Path(__file__).parents[1] / "data" / "default_stream.json"


@pytest.mark.parametrize("name", sorted(ROOT_LAWS))
def test_root_laws_have_mean_zero_and_unit_variance(name):
    x = ROOT_LAWS[name]((4, 5000), torch.Generator().manual_seed(0))
    np.testing.assert_allclose(x.mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(1, correction=0), 1, atol=1e-4)


def test_roots_draw_from_the_root_laws():
    empty = torch.zeros(1, 40, 40, dtype=torch.bool)
    X = simulate(
        empty.expand(2, 40, 40),
        2000,
        ["linear"] * 2,
        ["gaussian"] * 2,
        torch.zeros(2, dtype=torch.bool),
        torch.zeros(2, 2000, 40, dtype=torch.bool),
        torch.Generator().manual_seed(1),
        root_law_probability=1.0,
    )
    columns = X.permute(0, 2, 1).reshape(80, 2000).numpy()
    few_values = sum(len(np.unique(c)) <= 6 for c in columns)
    skewed = sum(abs(((c - c.mean()) ** 3).mean()) > 1 for c in columns)
    assert few_values >= 10 and skewed >= 10  # discrete ones, and log-normal / exponential ones


def _observe(**probabilities):
    X = torch.randn(4, 500, 6)
    return X, observe(X, SimulationConfig(**probabilities), torch.Generator().manual_seed(0))


def test_distortions_are_monotone():
    X, Y = _observe(distortion_probability=1.0)
    for b in range(4):
        for j in range(6):
            order = X[b, :, j].argsort()
            assert (Y[b, order, j].diff() >= -1e-6).all()
    assert not torch.allclose(X, Y, atol=0.1)


def test_rounding_reads_on_a_coarse_grid():
    _, Y = _observe(rounding_probability=1.0)
    assert max(len(torch.unique(Y[b, :, j])) for b in range(4) for j in range(6)) <= 51


def test_clipping_saturates_the_top_of_each_column():
    _, Y = _observe(clipping_probability=1.0)
    for b in range(4):
        for j in range(6):
            column = Y[b, :, j]
            assert (column == column.max()).sum() >= 5  # at least the top 1% reads the same value


def test_outliers_and_measurement_noise():
    X, Y = _observe(outlier_probability=1.0)
    assert ((Y.abs() >= 5) & (X.abs() < 4)).any()
    X, Y = _observe(measurement_noise_probability=1.0)
    corr = [np.corrcoef(X[b, :, j], Y[b, :, j])[0, 1] for b in range(4) for j in range(6)]
    assert 0.8 < min(corr) and max(corr) < 0.9999


def _two_node(kind, n=4000, seed=0):
    """x0 -> x1 linear; the second half of the rows intervene on x1 with the given kind."""
    upper = torch.tensor([[[False, True], [False, False]]])
    mask = torch.zeros(1, n, 2, dtype=torch.bool)
    mask[0, n // 2 :, 1] = True
    kinds = torch.tensor([INTERVENTIONS.index(kind)])
    X = simulate(
        upper,
        n,
        ["linear"],
        ["gaussian"],
        torch.zeros(1, dtype=torch.bool),
        mask,
        torch.Generator().manual_seed(seed),
        intervention_kinds=kinds,
    )[0].numpy()
    obs, intv = X[: n // 2], X[n // 2 :]
    return obs, intv


def test_far_interventions_land_outside_the_observational_range():
    obs, intv = _two_node("far")
    assert abs(intv[:, 1].mean() - obs[:, 1].mean()) / obs[:, 1].std() > 2.9


def test_shift_keeps_the_mechanism_and_moves_the_mean():
    obs, intv = _two_node("shift")
    slope_obs = np.polyfit(obs[:, 0], obs[:, 1], 1)[0]
    slope_int = np.polyfit(intv[:, 0], intv[:, 1], 1)[0]
    assert slope_int == pytest.approx(slope_obs, rel=0.1)
    assert 0.45 < abs(intv[:, 1].mean() - obs[:, 1].mean()) < 5.1


def test_soft_interventions_change_the_mechanism():
    for seed in range(4):
        obs, intv = _two_node("soft", seed=seed)
        ratio = np.polyfit(intv[:, 0], intv[:, 1], 1)[0] / np.polyfit(obs[:, 0], obs[:, 1], 1)[0]
        assert ratio < 0.7 or ratio > 1.3, ratio


def test_off_target_interventions_hit_other_variables_in_the_same_rows():
    mask = torch.zeros(3, 100, 8, dtype=torch.bool)
    mask[:, 50:75, 2] = True
    mask[:, 75:, 5] = True
    applied = _off_target(mask, 1.0, torch.Generator().manual_seed(0))
    assert (applied >= mask).all() and (applied != mask).any()
    for b in range(3):
        extra = applied[b] & ~mask[b]
        assert not extra[:50].any()  # observational rows stay observational
        for rows in (slice(50, 75), slice(75, 100)):
            hit = extra[rows].any(0)
            assert 1 <= int(hit.sum()) <= 2 and extra[rows][:, hit].all()


def test_wide_prior_draws_finite_batches_of_every_kind():
    config = SimulationConfig(
        max_nodes=15,
        raw_units_probability=0.3,
        root_law_probability=0.5,
        distortion_probability=0.5,
        measurement_noise_probability=0.3,
        rounding_probability=0.2,
        clipping_probability=0.2,
        outlier_probability=0.2,
        intervention_kinds=INTERVENTIONS,
        off_target_probability=0.3,
        interventional_probability=1.0,
    )
    stream = iter(SCMBatchSampler(config, generator=0))
    stds = []
    for _ in range(10):
        batch = next(stream)
        assert torch.isfinite(batch.X).all()
        stds.append(batch.X.std(1, correction=0).flatten())
    stds = torch.cat(stds)
    # standardised columns; a few that saturation and rounding left (nearly) constant read lower
    assert ((stds - 1).abs() < 1e-3).float().mean() > 0.99 and (stds < 1 + 1e-3).all()


def test_intervention_kinds_are_validated():
    with pytest.raises(ValueError, match="intervention_kinds"):
        SimulationConfig(intervention_kinds=("hard", "gentle"))
    with pytest.raises(ValueError, match="off_target_probability"):
        SimulationConfig(off_target_probability=-0.1)


@pytest.mark.parametrize("name", ["layered", "hubs", "tree"])
def test_new_graph_families_are_dags_of_their_shape(name):
    from skcausal.datasets._graphs import GRAPHS

    g = torch.Generator().manual_seed(0)
    A = GRAPHS[name](2.0).sample(6, 60, g)
    assert torch.equal(A, torch.triu(A, diagonal=1))  # acyclic in the simulation order
    in_degree, out_degree = A.sum(1), A.sum(2)
    if name == "tree":
        assert in_degree.max() <= 1 and (in_degree == 0).sum() >= 6  # forests: several roots
    if name == "hubs":
        assert (out_degree.max(dim=1).values >= 15).all()  # every graph has a hub
    if name == "layered":
        for a in A:
            roots = (a.sum(0) == 0).nonzero().flatten()
            assert roots.max() < roots.numel()  # the first layer is the roots, and only it is


def test_default_config_keeps_the_shipped_families():
    config = SimulationConfig()
    assert config.graphs == ("erdos_renyi", "scale_free", "scale_free_transposed")
    assert config.mechanisms == ("linear", "mlp", "sine", "tanh", "quadratic", "threshold", "rff")


@pytest.mark.parametrize("mechanism", ["hill", "piecewise", "interaction"])
def test_new_mechanisms_depend_on_parents_only(mechanism):
    from skcausal.datasets._mechanisms import MECHANISMS

    g = torch.Generator().manual_seed(0)
    parents = torch.randn(3, 200, 4)
    mask = torch.tensor([[1.0, 0, 1, 0]] * 3)
    f = MECHANISMS[mechanism](parents, mask, g)
    changed = parents.clone()
    changed[:, :, [1, 3]] = torch.randn(3, 200, 2)  # non-parents
    g2 = torch.Generator().manual_seed(0)
    torch.testing.assert_close(MECHANISMS[mechanism](changed, mask, g2), f)
    assert f.std(1).min() > 0.05


def test_hill_is_monotone_in_each_parent():
    from skcausal.datasets._mechanisms import Hill

    x = torch.linspace(-3, 3, 100)[None, :, None]
    f = Hill()(x, torch.ones(1, 1), torch.Generator().manual_seed(2))[0]
    diffs = f.diff()
    assert (diffs >= -1e-6).all() or (diffs <= 1e-6).all()


def test_mixed_datasets_draw_a_mechanism_per_node():
    config = SimulationConfig(max_nodes=12, mixed_mechanism_probability=1.0)
    batch = SCMBatchSampler(config, generator=0).sample(4, 8, 100)
    assert batch.mechanisms == ["mixed"] * 4
    # fixing the mechanism turns mixing off
    batch = SCMBatchSampler(config, generator=0).sample(4, 8, 100, mechanism="linear")
    assert batch.mechanisms == ["linear"] * 4


def test_log_uniform_samples_cover_the_range():
    config = SimulationConfig(
        min_samples=50,
        max_samples=10_000,
        samples_distribution="log_uniform",
        max_nodes=5,
        tokens_per_batch=25,
    )
    stream = iter(SCMBatchSampler(config, generator=0))
    sizes = [next(stream).X.shape[1] for _ in range(60)]
    assert min(sizes) < 200 and max(sizes) > 3000 and np.median(sizes) < 2000


def test_environments_with_unknown_targets():
    config = SimulationConfig(max_nodes=12, environment_probability=1.0, max_environments=6)
    batch = SCMBatchSampler(config, generator=3).sample(8, 9, 240)
    labels, targets = batch.environments, batch.environment_targets
    assert labels.shape == (8, 240) and targets.shape == (8, 6, 9)
    references = 0
    for k in range(8):
        n_envs = int(labels[k].max()) + 1
        assert 2 <= n_envs <= 6 and (labels[k].diff() >= 0).all()  # blocks of rows, in order
        counts = targets[k, :n_envs].sum(1)
        references += int(counts[0] == 0)
        assert ((counts[1:] >= 1) & (counts[1:] <= 3)).all() and not targets[k, n_envs:].any()
        # the mask is what each row's environment targets (node labels shuffled alike)
        assert torch.equal(batch.intervention_mask[k], targets[k][labels[k]])
    assert 0 < references < 8  # some datasets have an observational reference, some do not


def test_without_environments_the_batch_has_none():
    batch = SCMBatchSampler(SimulationConfig(max_nodes=8), generator=0).sample(2, 5, 50)
    assert batch.environments is None and batch.environment_targets is None


def test_clean_batches_come_from_the_default_prior_with_the_configs_sizes():
    wide = SimulationConfig(
        max_nodes=12,
        min_samples=60,
        max_samples=120,
        mechanisms=("hill", "piecewise"),
        environment_probability=1.0,
    )
    batches = SCMBatchSampler(dataclasses.replace(wide, clean_batch_probability=1.0), generator=1)
    for batch, _ in zip(batches, range(5)):
        assert batch.environments is None  # the default prior has no environments
        assert set(batch.mechanisms) <= set(SimulationConfig().mechanisms)
        assert batch.X.shape[2] <= 12 and 60 <= batch.X.shape[1] <= 120
    mixed = SCMBatchSampler(dataclasses.replace(wide, clean_batch_probability=0.5), generator=1)
    kinds = {next(iter(mixed)).environments is None for _ in range(12)}
    assert kinds == {True, False}
    # The same seed gives the same mixed stream.
    a = [
        b.X
        for b, _ in zip(
            SCMBatchSampler(dataclasses.replace(wide, clean_batch_probability=0.5), generator=2),
            range(6),
        )
    ]
    b = [
        b.X
        for b, _ in zip(
            SCMBatchSampler(dataclasses.replace(wide, clean_batch_probability=0.5), generator=2),
            range(6),
        )
    ]
    assert all(torch.equal(x, y) for x, y in zip(a, b))


def test_clean_batches_draw_the_configured_intervention_kinds():
    wide = SimulationConfig(
        max_nodes=12,
        min_samples=60,
        max_samples=120,
        clean_batch_probability=1.0,
        clean_intervention_kinds=["shift", "soft"],
    )
    clean = SCMBatchSampler(wide, generator=1)._clean_sampler()
    assert clean.config.intervention_kinds == ("shift", "soft")
    assert clean.config.max_nodes == 12 and clean.config.mechanisms == SimulationConfig().mechanisms
    # By default they stay v1's hard interventions, so earlier runs' streams do not change.
    default = SCMBatchSampler(
        dataclasses.replace(wide, clean_intervention_kinds=("hard",)), generator=1
    )
    assert default._clean_sampler().config == SimulationConfig(
        max_nodes=12, min_samples=60, max_samples=120
    )
    with pytest.raises(ValueError, match="clean_intervention_kinds"):
        SimulationConfig(clean_intervention_kinds=("gentle",))


# -- the prior as data: nested parts, the flat form of earlier versions, presets ------------------
V1_FLAT = {
    "min_nodes": 2,
    "max_nodes": 100,
    "node_distribution": "log_uniform",
    "min_samples": 200,
    "max_samples": 2000,
    "tokens_per_batch": 6400,
}  # configs/default.json before presets


def test_presets_are_the_shipped_models_priors(repo_root):
    assert SimulationConfig.preset("v1") == SimulationConfig(**V1_FLAT)
    root = repo_root
    v2 = json.loads((root / "configs" / "v2-n10k.json").read_text())["simulation"]
    assert SimulationConfig.from_dict(v2) == SimulationConfig.preset("v2", max_samples=10_000)
    resume = root / "pretrained" / "runs" / "v2-soft2" / "resume.pt"
    if resume.exists():  # a flat config dict, as resume files of earlier versions hold
        flat = torch.load(resume, map_location="cpu", weights_only=True)["config"]["simulation"]
        assert "max_nodes" in flat and SimulationConfig.from_dict(flat) == SimulationConfig.preset(
            "v2"
        )


def test_nested_and_flat_forms_are_the_same_config():
    flat = SimulationConfig(
        max_nodes=12,
        mechanisms=["linear"],
        environment_probability=0.3,
        measurement_noise_probability=0.2,
        clean_intervention_kinds=["soft"],
    )
    nested = SimulationConfig.from_dict(flat.to_dict())
    assert nested == flat and nested.sizes.max_nodes == 12 and nested.mechanism.kinds == ("linear",)
    assert nested.to_dict()["measurement"]["noise_probability"] == 0.2
    assert flat.max_nodes == 12 and flat.measurement_noise_probability == 0.2  # flat reads
    assert dataclasses.replace(flat, max_nodes=9).sizes.max_nodes == 9
    a = SCMBatchSampler(flat, generator=3).sample(2, 6, 40)
    b = SCMBatchSampler(nested, generator=3).sample(2, 6, 40)
    assert torch.equal(a.X, b.X) and torch.equal(a.adjacency, b.adjacency)
    with pytest.raises(ValueError, match="unknown simulation config keys"):
        SimulationConfig.from_dict({"max_node": 3})
    with pytest.raises(ValueError, match="unknown preset"):
        SimulationConfig.from_dict({"preset": "v9"})


def test_a_preset_can_be_overridden_by_part():
    config = SimulationConfig.from_dict(
        {"preset": "v2", "sizes": {"max_nodes": 30}, "environment": {"probability": 0.0}}
    )
    v2 = SimulationConfig.preset("v2")
    assert config.sizes.max_nodes == 30 and config.sizes.max_samples == v2.sizes.max_samples
    assert config.environment.probability == 0.0 and config.measurement == v2.measurement
    # the clean batches are the v1 preset at the config's sizes
    clean = config.clean_config()
    assert clean.sizes == config.sizes and clean.intervention.kinds == v2.clean.intervention_kinds
    assert clean.mechanism == SimulationConfig.preset("v1").mechanism


def test_parts_validate_themselves():
    from skcausal.datasets._parts import MeasurementPrior, NoisePrior

    with pytest.raises(ValueError, match="root_laws"):
        NoisePrior(root_laws=("cauchy",))
    with pytest.raises(ValueError, match="rounding_probability"):
        MeasurementPrior(rounding_probability=2.0)
    with pytest.raises(TypeError, match="unknown keys"):
        SimulationConfig(max_nodez=3)


def test_clean_batches_can_have_off_target_effects():
    plain = SimulationConfig.preset("v3")
    hidden = SimulationConfig.preset("v3", clean={"off_target_probability": 1.0})
    assert plain.clean_config().intervention.off_target_probability == 0.0
    assert hidden.clean_config().intervention.off_target_probability == 1.0

    def clean_batch(config):
        sampler = SCMBatchSampler(config.clean_config(), generator=7)
        return sampler.sample(4, 8, 200, n_targets=3, intervention_fraction=0.5)

    # The setting reaches the simulator (the stream is reproducible, and changes with it).
    a, b, again = clean_batch(plain), clean_batch(hidden), clean_batch(plain)
    assert torch.equal(a.X, again.X)
    assert not torch.equal(a.X, b.X)
