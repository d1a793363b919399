"""Discrete columns, missing cells and empty graphs in the simulation prior (issues #22, #23),
and make_scm's parameters for them; the streams of the existing priors unchanged."""

import hashlib
import json

import numpy as np
import pytest
import torch

from skcausal.datasets import SCMBatchSampler, SimulationConfig, make_scm
from skcausal.datasets._column_kinds import COLUMN_KINDS
from skcausal.datasets._discrete import discretize, draw_plan
from skcausal.datasets._missing import draw_missing
from skcausal.datasets._parts import DataTypePrior, MissingPrior
from skcausal.pretraining._config import TrainConfig


def _digest(batch):
    data = batch.adjacency.numpy().tobytes() + batch.intervention_mask.numpy().tobytes()
    return hashlib.sha256(data).hexdigest()[:16]


# Regression check, made by the main checkout at ee3017b (no discrete or missing parts yet),
# sample(3, 6, 60) with generator 11. Graphs and masks bit for bit; sum |X| to 0.05, as float32
# transcendental functions round differently on AVX2 and AVX512 CPUs.
STREAMS = {
    "v1": ("ecf591fb4b0ed3f0", 906.52),
    "v2": ("58e9d163a920443f", 782.59),
    "default.json": ("ecf591fb4b0ed3f0", 906.52),
    "v2-d200.json": ("58e9d163a920443f", 818.28),
    "v2-n10k.json": ("58e9d163a920443f", 782.59),
    "v2-pilot.json": ("b6b4ffe5ac9396ad", 867.02),
    "v2-soft2.json": ("58e9d163a920443f", 782.59),
    "v2.json": ("b6b4ffe5ac9396ad", 867.02),
}


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_existing_priors_draw_the_same_stream(name, repo_root):
    if name.endswith(".json"):
        config = TrainConfig.from_json(repo_root / "configs" / name).simulation
    else:
        config = SimulationConfig.preset(name)
    assert config.columns == DataTypePrior() and config.missing == MissingPrior()
    batch = SCMBatchSampler(config, generator=11).sample(3, 6, 60)
    digest, total = STREAMS[name]
    assert _digest(batch) == digest
    assert float(batch.X.abs().sum()) == pytest.approx(total, abs=0.05)
    assert not batch.column_kinds.any() and not batch.X.isnan().any()


def _sampler(seed=0, **parts):
    return SCMBatchSampler(SimulationConfig(**parts), generator=seed)


def _discrete(share=1.0, kinds=("binary", "ordinal", "categorical"), **fields):
    return DataTypePrior(
        discrete_probability=1.0,
        min_discrete_share=share,
        max_discrete_share=share,
        kinds=kinds,
        **fields,
    )


def test_discrete_columns_hold_integer_codes_with_two_levels_or_more():
    config = dict(
        columns=_discrete(share=0.6, max_levels=6),
        intervention={"kinds": ("hard", "far", "shift", "soft"), "probability": 1.0},
        measurement={"distortion_probability": 1.0, "noise_probability": 1.0},
    )
    batch = _sampler(**config).sample(16, 8, 300)
    kinds = batch.column_kinds
    assert kinds.dtype == torch.int8 and kinds.shape == (16, 8)
    assert ((kinds > 0).sum(1) == 5).all()  # round(0.6 * 8) per dataset
    for b, j in (kinds > 0).nonzero().tolist():
        column = batch.X[b, :, j]
        assert torch.equal(column, column.round()) and 0 <= column.min() and column.max() <= 5
        assert len(column.unique()) >= 2
        assert kinds[b, j] != COLUMN_KINDS.index("binary") or column.max() == 1
    continuous = batch.X.permute(0, 2, 1)[kinds == 0]
    torch.testing.assert_close(continuous.mean(1), torch.zeros(len(continuous)), atol=1e-5, rtol=0)


def test_children_read_the_discrete_value():
    # A binary chain A -> B -> C: if C depended on B's latent value rather than its code, C would
    # still depend on A given B.
    chain = torch.tensor([[0, 1, 0], [0, 0, 1], [0, 0, 0]], dtype=torch.bool)
    noise = {"min_scale": 0.5, "max_scale": 0.7}
    sampler = _sampler(columns=_discrete(kinds=("binary",)), noise=noise)
    X = sampler.sample(4, 3, 20_000, dag=chain, mechanism="linear", heteroscedastic=False).X
    for a, b, c in X.permute(0, 2, 1).numpy():
        # The covariance of A and C within each level of B, averaged over the levels (a level in
        # which A or C is constant adds 0), in units of their marginal correlation.
        within = sum(np.cov(a[b == v], c[b == v])[0, 1] * np.mean(b == v) for v in (0, 1))
        assert abs(np.corrcoef(a, c)[0, 1]) > 0.1
        assert abs(within / (a.std() * c.std())) < 0.02


def test_categorical_codes_are_a_random_permutation_of_the_buckets():
    g = torch.Generator().manual_seed(0)
    values = torch.linspace(-2, 2, 400).expand(300, 400)
    observed = torch.ones(300, 400, dtype=torch.bool)
    rank = np.arange(400)
    for kind, identity in (("ordinal", 1.0), ("categorical", 0.0)):
        plan = draw_plan(_discrete(kinds=(kind,), min_levels=4, max_levels=4), 300, 1, g)
        codes = discretize(values, observed, plan, 0).numpy()
        order = [list(dict.fromkeys(row)) for row in codes]  # codes as the value grows
        assert all(sorted(o) == [0, 1, 2, 3] for o in order)
        ordered = np.mean([o == [0, 1, 2, 3] for o in order])
        assert ordered == identity if identity else ordered < 0.15  # 1/24 by chance
        correlation = np.mean([np.corrcoef(rank, row)[0, 1] for row in codes])
        assert correlation > 0.9 if identity else abs(correlation) < 0.1


def _missing(rate=0.3, mechanisms=("mcar",), share=1.0):
    return MissingPrior(
        probability=1.0,
        min_rate=rate,
        max_rate=rate,
        min_column_share=share,
        max_column_share=share,
        mechanisms=mechanisms,
    )


@pytest.mark.parametrize("mechanism", ["mcar", "mar", "mnar"])
def test_missing_rates_land_near_the_drawn_rate(mechanism):
    batch = _sampler(missing=_missing(0.3, (mechanism,))).sample(4, 10, 2000)
    rates = batch.X.isnan().float().mean((1, 2))
    torch.testing.assert_close(rates, torch.full((4,), 0.3), atol=0.04, rtol=0)
    observed = torch.where(batch.X.isnan(), 0, batch.X)
    count = (~batch.X.isnan()).sum(1)
    torch.testing.assert_close(observed.sum(1) / count, torch.zeros(4, 10), atol=1e-4, rtol=0)


def test_mar_follows_another_column_and_mnar_the_columns_own_values():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(8, 4000, 6)
    mar = draw_missing(X, _missing(0.3, ("mar",), share=0.5), g)
    mnar = draw_missing(X, _missing(0.3, ("mnar",), share=0.5), g)
    for b in range(8):
        full = ~mar[b].any(0)
        for j in mar[b].any(0).nonzero().flatten().tolist():
            hole = mar[b, :, j].float()
            own = abs(np.corrcoef(hole, X[b, :, j])[0, 1])
            others = full.nonzero().flatten().tolist()
            driver = max(abs(np.corrcoef(hole, X[b, :, k])[0, 1]) for k in others)
            assert driver > 0.15 and own < 0.06
        for j in mnar[b].any(0).nonzero().flatten().tolist():
            hole = mnar[b, :, j]
            assert X[b, hole, j].mean() > X[b, ~hole, j].mean() + 0.3


def test_every_column_keeps_two_observed_values():
    g = torch.Generator().manual_seed(1)
    X = torch.randint(0, 2, (200, 5, 4)).float()
    missing = draw_missing(X, _missing(0.8, ("mcar", "mnar")), g)
    assert missing.any()
    for b, j in ((b, j) for b in range(200) for j in range(4)):
        kept = X[b, ~missing[b, :, j], j]
        assert missing[b, :, j].sum() == 0 or (len(kept) >= 2 and len(kept.unique()) == 2)


def test_column_kinds_are_relabelled_with_the_columns():
    parts = dict(columns=_discrete(share=0.5, kinds=("binary",)), missing=_missing(0.2))
    batch = _sampler(seed=3, **parts).sample(8, 6, 500)
    few = torch.tensor(
        [[len(c[~c.isnan()].unique()) <= 2 for c in x.T] for x in batch.X], dtype=torch.bool
    )
    assert torch.equal(few, batch.column_kinds > 0)
    positions = (batch.column_kinds > 0).float().mean(0)
    assert 0 < positions.min() and positions.max() < 1  # the discrete columns move about


def test_empty_graphs_have_no_edges():
    batch = _sampler(graph={"empty_probability": 1.0}).sample(4, 7, 50)
    assert not batch.adjacency.any() and batch.graphs == ["empty"] * 4
    half = _sampler(graph={"empty_probability": 0.5}).sample(32, 7, 50)
    empty = ~half.adjacency.flatten(1).any(1)
    assert 0 < empty.sum() < 32 and [g == "empty" for g in half.graphs] == empty.tolist()


def test_v3_preset_and_config(repo_root):
    v3 = SimulationConfig.preset("v3")
    assert TrainConfig.from_json(repo_root / "configs" / "v3.json").simulation == v3
    v2 = SimulationConfig.preset("v2")
    assert (v3.sizes.min_samples, v3.sizes.max_samples) == (10, 10_000)
    assert v3.mechanism == v2.mechanism and v3.measurement.distortion_probability == 0.5
    assert json.loads((repo_root / "configs" / "v3.json").read_text())["steps"] == 20_000
    batch = SCMBatchSampler(v3, generator=2).sample(32, 5, 40)
    assert batch.X.isnan().any() and batch.column_kinds.any()
    assert torch.isfinite(batch.X[~batch.X.isnan()]).all()


def test_make_scm_missing_and_discrete():
    X, mask, A = make_scm(3000, 6, missing_rate=0.25, missing_mechanism="mnar", random_state=0)
    assert np.isnan(X).mean() == pytest.approx(0.25, abs=0.03)
    np.testing.assert_allclose(np.nanmean(X, 0), 0, atol=1e-9)
    X, _, _ = make_scm(500, 4, discrete_share=1.0, random_state=0)
    assert all(set(c) == {0, 1} for c in X.T)
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    X, _, A = make_scm(
        800, 3, graph=chain, discrete_share=0.5, discrete_kind="categorical", n_levels=5,
        missing_rate=0.1, missing_mechanism="mar", random_state=1,
    )  # fmt: skip
    discrete = [set(c[~np.isnan(c)]) <= set(range(5)) for c in X.T]
    assert (A == chain).all() and sum(discrete) == 2 and np.isnan(X).any()
    # Missing cells are drawn last: the observed cells are those of the data without them.
    full, _, _ = make_scm(300, 5, standardize=False, random_state=2)
    holey, _, _ = make_scm(300, 5, standardize=False, missing_rate=0.3, random_state=2)
    np.testing.assert_array_equal(holey[~np.isnan(holey)], full[~np.isnan(holey)])
    again, _, _ = make_scm(800, 3, graph=chain, random_state=1)
    plain, _, _ = make_scm(
        800, 3, graph=chain, missing_rate=0.0, discrete_share=0.0, random_state=1
    )
    np.testing.assert_array_equal(again, plain)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"missing_rate": 0.9}, "missing_rate"),
        ({"missing_rate": "0.1"}, "missing_rate"),
        ({"missing_mechanism": "random"}, "missing_mechanism"),
        ({"discrete_share": -0.1}, "discrete_share"),
        ({"discrete_kind": "nominal"}, "discrete_kind"),
        ({"discrete_kind": "ordinal", "n_levels": 1}, "n_levels"),
    ],
)
def test_make_scm_checks_the_new_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_scm(50, 3, **kwargs)


def test_parts_validate_themselves():
    with pytest.raises(ValueError, match="kinds"):
        DataTypePrior(kinds=("nominal",))
    with pytest.raises(ValueError, match="max_levels"):
        DataTypePrior(min_levels=5, max_levels=3)
    with pytest.raises(ValueError, match="max_rate"):
        MissingPrior(max_rate=0.9)
    with pytest.raises(ValueError, match="mechanisms"):
        MissingPrior(mechanisms=("mcar", "random"))
