"""Tests of the SCM simulator: make_scm() and SCMBatchSampler.

Statistical checks draw from fixed seeds, so they are deterministic; their tolerances are a few
standard errors of the quantity tested, so a broken property fails them by a wide margin.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skcausal.datasets import SCMBatchSampler, SimulationConfig, make_scm
from skcausal.datasets._graphs import GRAPHS, ErdosRenyi, ScaleFree
from skcausal.datasets._mechanisms import MECHANISMS, NOISES
from skcausal.graph import is_dag

GRAPH_NAMES = sorted(GRAPHS)
MECHANISM_NAMES = sorted(MECHANISMS)
NOISE_NAMES = sorted(NOISES)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- helpers --------------------------------------------------------------------------------------
def sample_graphs(graph, n_nodes, edges_per_node, n_draws, seed):
    """n_draws adjacencies (n_draws, d, d) from the batch sampler (tiny n: only the graph
    matters)."""
    batch = SCMBatchSampler(generator=seed).sample(
        n_draws,
        n_nodes,
        2,
        graph=graph,
        edges_per_node=edges_per_node,
        mechanism="linear",
        noise="gaussian",
        heteroscedastic=False,
        n_targets=0,
        intervention_fraction=0.0,
    )
    return batch.adjacency.numpy().astype(int)


def ancestors(adjacency):
    """reach[a, b] is True when there is a directed path a -> ... -> b (of length >= 1)."""
    reach = np.asarray(adjacency) != 0
    for k in range(reach.shape[0]):
        reach = reach | (reach[:, [k]] & reach[[k], :])
    return reach


def corr(x, y):
    return float(np.corrcoef(x, y)[0, 1])


# -- every adjacency is a DAG ---------------------------------------------------------------------
@FAST
@given(
    n_nodes=st.integers(1, 30),
    edges_per_node=st.one_of(st.floats(0, 6), st.sampled_from([0.0, 1.0, 2.0, 4.0, 29.0])),
    graph=st.sampled_from(GRAPH_NAMES),
    seed=st.integers(0, 2**32 - 1),
)
def test_make_scm_adjacency_is_a_dag(n_nodes, edges_per_node, graph, seed):
    X, mask, A = make_scm(3, n_nodes, graph=graph, edges_per_node=edges_per_node, random_state=seed)
    assert X.shape == mask.shape == (3, n_nodes)
    assert A.shape == (n_nodes, n_nodes)
    assert np.issubdtype(A.dtype, np.integer)
    assert set(np.unique(A)) <= {0, 1}
    assert not np.diag(A).any()
    assert is_dag(A)


@FAST
@given(
    batch_size=st.integers(1, 12),
    n_nodes=st.integers(1, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_sampler_adjacencies_are_dags(batch_size, n_nodes, seed):
    # Graph family and edges_per_node drawn per dataset from the default config (mixed batches).
    batch = SCMBatchSampler(generator=seed).sample(batch_size, n_nodes, 3)
    A = batch.adjacency.numpy()
    assert A.shape == (batch_size, n_nodes, n_nodes)
    assert set(np.unique(A)) <= {0.0, 1.0}
    for a in A:
        assert not np.diag(a).any()
        assert is_dag(a)


@pytest.mark.parametrize("graph", GRAPH_NAMES)
def test_graph_families_are_upper_triangular_in_simulation_order(graph):
    generator = torch.Generator().manual_seed(0)
    upper = GRAPHS[graph](torch.tensor([0.5, 1.0, 2.5, 4.0])).sample(4, 15, generator)
    assert upper.dtype == torch.bool and upper.shape == (4, 15, 15)
    assert not torch.tril(upper).any()


# -- density --------------------------------------------------------------------------------------
def check_mean_edges(counts, expected, per_draw_variance, n_se=4.0):
    counts = np.asarray(counts, dtype=float)
    se = math.sqrt(per_draw_variance / len(counts))
    if se == 0:
        assert np.all(counts == expected)
    else:
        assert abs(counts.mean() - expected) < n_se * se, (counts.mean(), expected, se)


@pytest.mark.parametrize("n_nodes, edges_per_node", [(10, 2.0), (7, 1.3)])
def test_make_scm_erdos_renyi_density(n_nodes, edges_per_node):
    counts = [
        make_scm(2, n_nodes, graph="erdos_renyi", edges_per_node=edges_per_node, random_state=s)[
            2
        ].sum()
        for s in range(400)
    ]
    model = ErdosRenyi(edges_per_node)
    p, pairs = float(model.edge_probability(n_nodes)), n_nodes * (n_nodes - 1) / 2
    assert model.expected_edges(n_nodes) == pytest.approx(edges_per_node * n_nodes, rel=1e-6)
    check_mean_edges(counts, model.expected_edges(n_nodes), pairs * p * (1 - p))


@pytest.mark.parametrize(
    "n_nodes, edges_per_node",
    [(30, 1.0), (30, 2.5), (20, 4.0), (12, 0.4), (5, 3.0), (4, 10.0), (2, 0.3), (1, 2.0)],
)
def test_sampler_erdos_renyi_density(n_nodes, edges_per_node):
    A = sample_graphs("erdos_renyi", n_nodes, edges_per_node, 400, seed=n_nodes)
    model = ErdosRenyi(edges_per_node)
    p, pairs = float(model.edge_probability(n_nodes)), n_nodes * (n_nodes - 1) / 2
    expected = model.expected_edges(n_nodes)
    assert expected == pytest.approx(min(edges_per_node * n_nodes, pairs), rel=1e-6)  # capped
    check_mean_edges(A.sum((1, 2)), expected, pairs * p * (1 - p))


def scale_free_variance(edges_per_node, n_nodes):
    """Per-draw variance of the edge count: node t >= floor(epn) + 1 adds a Bernoulli(frac)
    parent."""
    low = math.floor(edges_per_node)
    frac = edges_per_node - low
    return sum(frac * (1 - frac) for t in range(n_nodes) if t >= low + 1)


@pytest.mark.parametrize("graph", ["scale_free", "scale_free_transposed"])
@pytest.mark.parametrize(
    "n_nodes, edges_per_node", [(10, 1.5), (30, 2.0), (30, 0.7), (6, 4.0), (25, 3.3)]
)
def test_sampler_scale_free_density(graph, n_nodes, edges_per_node):
    A = sample_graphs(graph, n_nodes, edges_per_node, 400, seed=n_nodes + 1)
    model = ScaleFree(edges_per_node, transposed=graph.endswith("transposed"))
    check_mean_edges(
        A.sum((1, 2)), model.expected_edges(n_nodes), scale_free_variance(edges_per_node, n_nodes)
    )


@pytest.mark.parametrize("graph", ["scale_free", "scale_free_transposed"])
def test_make_scm_scale_free_density(graph):
    n_nodes, edges_per_node = 9, 1.5
    counts = [
        make_scm(2, n_nodes, graph=graph, edges_per_node=edges_per_node, random_state=s)[2].sum()
        for s in range(300)
    ]
    expected = ScaleFree(edges_per_node).expected_edges(n_nodes)
    check_mean_edges(counts, expected, scale_free_variance(edges_per_node, n_nodes))
    # Integer edges_per_node: the count is exact, draw by draw.
    for s in range(20):
        A = make_scm(2, n_nodes, graph=graph, edges_per_node=2.0, random_state=s)[2]
        assert A.sum() == ScaleFree(2.0).expected_edges(n_nodes) == 1 + 2 * (n_nodes - 2)


@pytest.mark.parametrize("edges_per_node", [1.0, 2.0, 2.5])
def test_scale_free_hubs(edges_per_node):
    n_nodes, cap = 30, math.ceil(edges_per_node)
    er = sample_graphs("erdos_renyi", n_nodes, edges_per_node, 300, seed=1)
    sf = sample_graphs("scale_free", n_nodes, edges_per_node, 300, seed=2)
    sft = sample_graphs("scale_free_transposed", n_nodes, edges_per_node, 300, seed=3)
    out_degree = lambda A: A.sum(2).max(1)  # noqa: E731  max number of children
    in_degree = lambda A: A.sum(1).max(1)  # noqa: E731  max number of parents
    # Preferential attachment: every node takes at most ceil(epn) parents, hubs get many children.
    assert in_degree(sf).max() <= cap
    assert out_degree(sf).mean() > out_degree(er).mean() + 2
    assert out_degree(sf).mean() > 2 * cap
    # Transposed: the mirror image.
    assert out_degree(sft).max() <= cap
    assert in_degree(sft).mean() > in_degree(er).mean() + 2
    assert in_degree(sft).mean() > 2 * cap
    # Erdos-Renyi has no preferred direction.
    assert abs(out_degree(er).mean() - in_degree(er).mean()) < 0.5


# -- the simulation order is hidden ---------------------------------------------------------------
@pytest.mark.parametrize("graph", GRAPH_NAMES)
def test_sampler_node_labels_are_exchangeable(graph):
    n_draws, n_nodes = 3000, 8
    A = sample_graphs(graph, n_nodes, 1.5, n_draws, seed=11)
    for roots in (A.sum(1) == 0, A.sum(2) == 0):  # roots (no parent) and sinks (no child)
        freq = roots.mean(0)  # per position
        q = freq.mean()
        assert 0.05 < q < 0.95
        se = math.sqrt(q * (1 - q) / n_draws)
        assert np.all(np.abs(freq - q) < 4.5 * se), freq
    # Without the shuffle every edge would go from a lower to a higher label.
    upward = np.triu(A, 1).sum() / A.sum()
    assert abs(upward - 0.5) < 0.03


def test_make_scm_first_and_last_nodes_equally_often_roots():
    n_draws, d = 300, 6
    roots = np.array(
        [make_scm(2, d, edges_per_node=2.0, random_state=s)[2].sum(0) == 0 for s in range(n_draws)]
    )
    q = roots.mean()
    # In simulation order node 0 is always a root and node d-1 one with probability (1-p)^(d-1).
    se = math.sqrt(2 * q * (1 - q) / n_draws)
    assert abs(roots[:, 0].mean() - roots[:, d - 1].mean()) < 4 * se
    assert roots[:, 0].mean() < 0.6


# -- the data follow the graph ---------------------------------------------------------------------
@pytest.mark.parametrize("heteroscedastic", [False, True])
def test_linear_data_are_markov_to_the_graph(heteroscedastic):
    """Regressing x_j on its true parents leaves a residual uncorrelated with every
    non-descendant."""
    n = 20000
    for seed in range(3):
        X, _, A = make_scm(
            n, 8, edges_per_node=1.5, heteroscedastic=heteroscedastic, random_state=seed
        )
        reach = ancestors(A)
        for j in range(A.shape[0]):
            parents = np.flatnonzero(A[:, j])
            design = np.column_stack([np.ones(n), X[:, parents]])
            residual = X[:, j] - design @ np.linalg.lstsq(design, X[:, j], rcond=None)[0]
            if len(parents) and not heteroscedastic:
                # f is standardised and the noise scale is <= 1: parents explain >= half the
                # variance.
                assert 1 - residual.var() / X[:, j].var() > 0.45
            others = [
                k for k in range(A.shape[0]) if k != j and not reach[j, k] and k not in parents
            ]
            for k in others:
                assert abs(corr(residual, X[:, k])) < 4.5 / math.sqrt(n)


@pytest.mark.parametrize("mechanism", MECHANISM_NAMES)
def test_mechanisms_ignore_non_parents(mechanism):
    data = torch.Generator().manual_seed(0)
    parents = torch.randn(3, 50, 6, generator=data)
    parent_mask = torch.tensor([[1, 0, 1, 0, 0, 1], [0, 0, 0, 0, 0, 1], [1, 1, 0, 0, 1, 0]]).float()
    other = torch.where(
        parent_mask[:, None, :] > 0, parents, 5 * torch.randn(3, 50, 6, generator=data)
    )
    f1 = MECHANISMS[mechanism](parents, parent_mask, torch.Generator().manual_seed(1))
    f2 = MECHANISMS[mechanism](other, parent_mask, torch.Generator().manual_seed(1))
    assert f1.shape == (3, 50)
    torch.testing.assert_close(f1, f2, rtol=1e-6, atol=1e-6)
    # ... while a parent does matter.
    moved = parents.clone()
    moved[:, :, 5] += 1.0
    f3 = MECHANISMS[mechanism](moved, parent_mask, torch.Generator().manual_seed(1))
    assert not torch.allclose(f1[:2], f3[:2])


# -- interventions --------------------------------------------------------------------------------
@pytest.mark.parametrize("mechanism", ["linear", "mlp", "quadratic"])
def test_do_values_are_independent_of_ancestors(mechanism):
    """In the rows where j is intervened, x_j is uncorrelated with all its ancestors."""
    n, d, z_scores = 6000, 6, []
    for seed in range(4):
        X, mask, A = make_scm(
            n,
            d,
            edges_per_node=2.0,
            mechanism=mechanism,
            n_intervention_targets=3,
            intervention_fraction=0.5,
            random_state=seed,
        )
        reach = ancestors(A)
        for j in np.flatnonzero(mask.any(0)):
            rows = mask[:, j]
            for a in np.flatnonzero(reach[:, j]):
                z_scores.append(corr(X[rows, j], X[rows, a]) * math.sqrt(rows.sum()))
    z_scores = np.array(z_scores)
    assert len(z_scores) >= 10
    assert np.abs(z_scores).max() < 4.5
    assert np.mean(z_scores**2) < 2.0  # ~1 under independence


def test_observational_rows_follow_a_strong_edge():
    """The contrast: a child with a single parent is strongly correlated with it (linear SCM)."""
    n, seen = 4000, 0
    for seed in range(4):
        X, mask, A = make_scm(
            n,
            6,
            edges_per_node=1.0,
            n_intervention_targets=3,
            intervention_fraction=0.5,
            random_state=seed,
        )
        observational = ~mask.any(1)
        assert observational.sum() == n // 2
        for c in np.flatnonzero(A.sum(0) == 1):
            p = int(np.flatnonzero(A[:, c])[0])
            # corr = 1 / sqrt(1 + sigma^2) >= 0.707 with noise scale sigma <= 1
            assert abs(corr(X[observational, c], X[observational, p])) > 0.5
            seen += 1
    assert seen >= 4


masks_args = st.integers(1, 12).flatmap(
    lambda d: st.tuples(
        st.integers(2, 300),
        st.just(d),
        st.integers(0, d),
        st.floats(0, 1),
        st.integers(0, 2**32 - 1),
    )
)


@FAST
@given(masks_args)
def test_mask_marks_single_target_rows(args):
    n, d, k, fraction, seed = args
    if k == 0:
        fraction = 0.0
    if k > 0 and round(fraction * n) < k:  # not enough rows for one per target: refused
        with pytest.raises(ValueError, match="n_intervention_targets"):
            make_scm(
                n, d, n_intervention_targets=k, intervention_fraction=fraction, random_state=seed
            )
        return
    X, mask, A = make_scm(
        n, d, n_intervention_targets=k, intervention_fraction=fraction, random_state=seed
    )
    assert mask.dtype == bool and mask.shape == (n, d)
    per_row = mask.sum(1)
    assert per_row.max(initial=0) <= 1  # single-target interventions
    n_int = int(per_row.sum())
    assert mask.sum() == n_int
    # The interventional rows are the last n_int rows; the rows before them have no True at all.
    assert not mask[: n - n_int].any()
    assert per_row[n - n_int :].all()
    # round(fraction * n), up to how a tie is broken (see test_mask_count_rounds_like_python).
    assert abs(n_int - fraction * n) <= 0.5 + 1e-6
    if abs(fraction * n - math.floor(fraction * n) - 0.5) > 1e-4:
        assert n_int == round(fraction * n)
    if k == 0:
        assert n_int == 0
    if n_int >= k:
        targets = np.flatnonzero(mask.any(0))
        assert len(targets) == k
        blocks = mask[n - n_int :, targets].sum(0)  # near-equal contiguous blocks, one per target
        if k:
            assert blocks.max() - blocks.min() <= 1
        labels = np.argmax(mask[n - n_int :], axis=1)
        assert (np.diff(labels) != 0).sum() == max(k - 1, 0)


def test_mask_count_matches_docstring_example():
    X, mask, A = make_scm(
        500, 5, n_intervention_targets=2, intervention_fraction=0.4, random_state=0
    )
    assert mask.sum() == 200
    assert len(np.flatnonzero(mask.any(0))) == 2


def test_mask_count_rounds_like_python():
    X, mask, A = make_scm(
        25, 4, n_intervention_targets=1, intervention_fraction=0.1, random_state=0
    )
    assert mask.sum() == round(0.1 * 25) == 2


def test_every_requested_target_is_intervened_or_refused():
    X, mask, A = make_scm(
        10, 3, n_intervention_targets=3, intervention_fraction=0.3, random_state=0
    )
    assert len(np.flatnonzero(mask.any(0))) == 3
    with pytest.raises(ValueError, match="fewer than n_intervention_targets"):
        make_scm(10, 5, n_intervention_targets=5, intervention_fraction=0.3, random_state=0)
    with pytest.raises(ValueError, match="needs intervention_fraction > 0"):
        make_scm(10, 5, n_intervention_targets=2, intervention_fraction=0.0, random_state=0)


def cubed(function):
    """The same draws from the generator, a different (non-affine) output."""
    return lambda *args, **kwargs: function(*args, **kwargs) ** 3


@pytest.mark.parametrize("mechanism", MECHANISM_NAMES)
@pytest.mark.parametrize("heteroscedastic", [False, True])
def test_masked_cells_do_not_depend_on_mechanism_or_noise(monkeypatch, mechanism, heteroscedastic):
    """The strongest check of the mask: swap the mechanism and the noise for ones that consume
    exactly the same random numbers but compute something else. Then every unmasked value changes
    (each one is a function of its noise, and of its parents) and every masked value stays bit for
    bit (a do() value depends on neither)."""
    noise = NOISE_NAMES[MECHANISM_NAMES.index(mechanism) % len(NOISE_NAMES)]
    kwargs = dict(
        n_samples=120,
        n_nodes=7,
        edges_per_node=2.0,
        mechanism=mechanism,
        noise=noise,
        heteroscedastic=heteroscedastic,
        n_intervention_targets=3,
        intervention_fraction=0.4,
        standardize=False,
    )
    for seed in range(3):
        X1, mask1, A1 = make_scm(**kwargs, random_state=seed)
        with monkeypatch.context() as patch:
            patch.setitem(MECHANISMS, mechanism, cubed(MECHANISMS[mechanism]))
            patch.setitem(NOISES, noise, cubed(NOISES[noise]))
            X2, mask2, A2 = make_scm(**kwargs, random_state=seed)
        np.testing.assert_array_equal(mask1, mask2)
        np.testing.assert_array_equal(A1, A2)
        assert mask1.sum() == 48
        np.testing.assert_array_equal(X1 != X2, ~mask1)


@pytest.mark.parametrize("mechanism", ["linear", "mlp"])
def test_do_values_come_from_a_gaussian_per_target(mechanism):
    """standardize=False: an intervened column is N(mu, s^2), mu in [-2, 2], s in [0.1, 1]."""
    X, mask, A = make_scm(
        4000,
        5,
        mechanism=mechanism,
        n_intervention_targets=5,
        intervention_fraction=1.0,
        standardize=False,
        random_state=3,
    )
    assert mask.all(1).sum() == 0 and mask.sum() == 4000
    for j in range(5):
        values = X[mask[:, j], j]
        assert len(values) == 800
        assert -2 - 0.2 < values.mean() < 2 + 0.2
        assert 0.1 * 0.9 < values.std() < 1.0 * 1.1
        # Gaussian: small skewness and excess kurtosis.
        z = (values - values.mean()) / values.std()
        assert abs(np.mean(z**3)) < 0.3 and abs(np.mean(z**4) - 3) < 0.6


# -- random_state ---------------------------------------------------------------------------------
def assert_same(a, b):
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def differs(a, b):
    return any(not np.array_equal(x, y) for x, y in zip(a, b))


def test_random_state_reproduces():
    kwargs = dict(
        n_samples=200,
        n_nodes=8,
        graph="scale_free",
        mechanism="mlp",
        noise="laplace",
        heteroscedastic=True,
        n_intervention_targets=2,
        intervention_fraction=0.3,
    )
    assert_same(make_scm(**kwargs, random_state=7), make_scm(**kwargs, random_state=7))
    assert differs(make_scm(**kwargs, random_state=7), make_scm(**kwargs, random_state=8))
    # A numpy Generator: same seed, same data; a shared one moves on.
    assert_same(
        make_scm(**kwargs, random_state=np.random.default_rng(5)),
        make_scm(**kwargs, random_state=np.random.default_rng(5)),
    )
    rng = np.random.default_rng(5)
    assert differs(make_scm(**kwargs, random_state=rng), make_scm(**kwargs, random_state=rng))
    assert differs(make_scm(**kwargs, random_state=None), make_scm(**kwargs, random_state=None))


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=15, deadline=None)
def test_random_state_reproduces_any_seed(seed):
    a = make_scm(
        30,
        5,
        mechanism="rff",
        n_intervention_targets=1,
        intervention_fraction=0.5,
        random_state=seed,
    )
    b = make_scm(
        30,
        5,
        mechanism="rff",
        n_intervention_targets=1,
        intervention_fraction=0.5,
        random_state=seed,
    )
    assert_same(a, b)
    c = make_scm(
        30,
        5,
        mechanism="rff",
        n_intervention_targets=1,
        intervention_fraction=0.5,
        random_state=seed + 1,
    )
    assert not np.array_equal(a[0], c[0])


def test_sampler_generator_reproduces():
    def draw(generator):
        batch = SCMBatchSampler(generator=generator).sample(6, 7, 50)
        return (
            batch.X.numpy(),
            batch.intervention_mask.numpy(),
            batch.adjacency.numpy(),
            batch.mechanisms,
        )

    assert_same(draw(3), draw(3))
    assert_same(draw(torch.Generator().manual_seed(3)), draw(torch.Generator().manual_seed(3)))
    assert differs(draw(3), draw(4))


# -- standardisation ------------------------------------------------------------------------------
@FAST
@given(
    n=st.integers(3, 200),
    d=st.integers(1, 10),
    mechanism=st.sampled_from(MECHANISM_NAMES),
    noise=st.sampled_from(NOISE_NAMES),
    interventional=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_standardized_columns(n, d, mechanism, noise, interventional, seed):
    k, fraction = (min(max(1, d // 2), round(0.4 * n)), 0.4) if interventional else (0, 0.0)
    X, mask, A = make_scm(
        n,
        d,
        mechanism=mechanism,
        noise=noise,
        n_intervention_targets=k,
        intervention_fraction=fraction,
        random_state=seed,
    )
    assert X.dtype == np.float64
    assert np.abs(X.mean(0)).max() < 1e-10
    assert np.abs(X.std(0) - 1).max() < 1e-10


def test_unstandardized_observational_columns_are_internally_standardized():
    """standardize=False still gives mean 0, std 1 per node (the internal standardisation), in
    float32."""
    for mechanism in MECHANISM_NAMES:
        X, mask, A = make_scm(500, 6, mechanism=mechanism, standardize=False, random_state=0)
        assert np.abs(X.mean(0)).max() < 1e-4
        assert np.abs(X.std(0) - 1).max() < 1e-4
        # The observational rows of intervened data too, per column.
        X, mask, A = make_scm(
            500,
            6,
            mechanism=mechanism,
            n_intervention_targets=3,
            intervention_fraction=0.5,
            standardize=False,
            random_state=0,
        )
        for j in range(6):
            observed = X[~mask[:, j], j]
            assert abs(observed.mean()) < 1e-4 and abs(observed.std() - 1) < 1e-4


def test_sampler_standardizes_columns():
    batch = SCMBatchSampler(generator=0).sample(16, 9, 300)
    X = batch.X.double()
    assert torch.all(X.mean(1).abs() < 1e-5)
    assert torch.all((X.std(1, correction=0) - 1).abs() < 1e-5)


# -- finite data for every mechanism and noise ----------------------------------------------------
@pytest.mark.parametrize("mechanism", MECHANISM_NAMES)
@pytest.mark.parametrize("heteroscedastic", [False, True])
def test_every_mechanism_and_noise_is_finite(mechanism, heteroscedastic):
    sampler = SCMBatchSampler(generator=MECHANISM_NAMES.index(mechanism))
    for noise in NOISE_NAMES:
        for n_targets, fraction in ((0, 0.0), (4, 0.5)):
            batch = sampler.sample(
                8,
                12,
                200,
                edges_per_node=3.0,
                mechanism=mechanism,
                noise=noise,
                heteroscedastic=heteroscedastic,
                n_targets=n_targets,
                intervention_fraction=fraction,
            )
            assert torch.isfinite(batch.X).all()
            assert batch.mechanisms == [mechanism] * 8 and batch.noises == [noise] * 8
            X, _, _ = make_scm(
                50,
                5,
                mechanism=mechanism,
                noise=noise,
                heteroscedastic=heteroscedastic,
                n_intervention_targets=n_targets,
                intervention_fraction=fraction,
                random_state=1,
            )
            assert np.isfinite(X).all()


@FAST
@given(
    n=st.integers(2, 40),
    d=st.integers(1, 15),
    graph=st.sampled_from(GRAPH_NAMES),
    mechanism=st.sampled_from(MECHANISM_NAMES),
    noise=st.sampled_from(NOISE_NAMES),
    heteroscedastic=st.booleans(),
    fraction=st.sampled_from([0.0, 0.5, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_extreme_sizes_are_finite(n, d, graph, mechanism, noise, heteroscedastic, fraction, seed):
    k = 0 if fraction == 0 else min(d, round(fraction * n))  # one row per target at least
    X, mask, A = make_scm(
        n,
        d,
        graph=graph,
        edges_per_node=4.0,
        mechanism=mechanism,
        noise=noise,
        heteroscedastic=heteroscedastic,
        n_intervention_targets=k,
        intervention_fraction=fraction,
        random_state=seed,
    )
    assert np.isfinite(X).all()
    X, mask, A = make_scm(
        n,
        d,
        graph=graph,
        mechanism=mechanism,
        noise=noise,
        heteroscedastic=heteroscedastic,
        n_intervention_targets=k,
        intervention_fraction=fraction,
        standardize=False,
        random_state=seed,
    )
    assert np.isfinite(X).all()


@pytest.mark.parametrize("noise", NOISE_NAMES)
def test_noise_families_have_mean_0_variance_1(noise):
    generator = torch.Generator().manual_seed(0)
    e = NOISES[noise]((1000, 2000), generator)
    assert e.shape == (1000, 2000) and e.dtype == torch.float32
    assert torch.isfinite(e).all()
    e = e.double().flatten()
    mean, var = e.mean().item(), e.var().item()
    assert abs(mean) < 5 / math.sqrt(e.numel())
    # student_t (4 dof) has no 4th moment, so its sample variance converges slowly: looser bound.
    assert abs(var - 1) < (0.02 if noise == "student_t" else 0.005)
    excess_kurtosis = (((e - mean) / math.sqrt(var)) ** 4).mean().item() - 3
    expected = {"gaussian": 0.0, "laplace": 3.0, "uniform": -1.2}
    if noise in expected:
        assert abs(excess_kurtosis - expected[noise]) < 0.1
    else:
        assert excess_kurtosis > 3  # heavier tails than Laplace
    if noise == "uniform":
        assert e.abs().max() <= math.sqrt(3) + 1e-6
    # Reproducible from the generator.
    a = NOISES[noise]((5, 7), torch.Generator().manual_seed(1))
    b = NOISES[noise]((5, 7), torch.Generator().manual_seed(1))
    assert torch.equal(a, b)


# -- bad arguments --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, names",
    [
        (dict(graph="grid"), ["graph", *GRAPH_NAMES]),
        (dict(graph=None), ["graph", *GRAPH_NAMES]),
        (dict(mechanism="cubic"), ["mechanism", *MECHANISM_NAMES]),
        (dict(noise="cauchy"), ["noise", *NOISE_NAMES]),
        (dict(n_nodes=0), ["n_nodes"]),
        (dict(n_nodes=-3), ["n_nodes"]),
        (dict(n_nodes=2.5), ["n_nodes"]),
        (dict(n_nodes=True), ["n_nodes"]),
        (dict(n_samples=1), ["n_samples"]),
        (dict(n_samples=0), ["n_samples"]),
        (dict(n_samples=10.0), ["n_samples"]),
        (dict(intervention_fraction=-0.1, n_intervention_targets=1), ["intervention_fraction"]),
        (dict(intervention_fraction=1.5, n_intervention_targets=1), ["intervention_fraction"]),
        (
            dict(intervention_fraction=float("nan"), n_intervention_targets=1),
            ["intervention_fraction"],
        ),
        (dict(intervention_fraction="0.5", n_intervention_targets=1), ["intervention_fraction"]),
        (dict(n_intervention_targets=6, intervention_fraction=0.5), ["n_intervention_targets"]),
        (dict(n_intervention_targets=-1), ["n_intervention_targets"]),
        (dict(intervention_fraction=0.3), ["intervention_fraction", "n_intervention_targets"]),
        (dict(edges_per_node=-1.0), ["edges_per_node"]),
        (dict(edges_per_node=float("nan")), ["edges_per_node"]),
    ],
)
def test_bad_arguments_raise(kwargs, names):
    kwargs = {"n_samples": 20, "n_nodes": 5, **kwargs}
    with pytest.raises(ValueError) as info:
        make_scm(**kwargs)
    message = str(info.value)
    for name in names:
        assert name in message, (name, message)


def test_numpy_integers_and_edge_values_are_accepted():
    X, mask, A = make_scm(
        np.int64(2),
        np.int32(1),
        n_intervention_targets=np.int64(1),
        intervention_fraction=1.0,
        random_state=0,
    )
    assert X.shape == (2, 1) and mask.all() and A.shape == (1, 1)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(graphs=("grid",)), "graphs"),
        (dict(mechanisms=()), "mechanisms"),
        (dict(noises=("cauchy",)), "noises"),
        (dict(min_nodes=1), "min_nodes"),
        (dict(min_nodes=10, max_nodes=5), "min_nodes"),
        (dict(min_samples=1), "min_samples"),
        (dict(node_distribution="normal"), "node_distribution"),
    ],
)
def test_bad_simulation_config_raises(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SimulationConfig(**kwargs)


# -- SCMBatchSampler iteration --------------------------------------------------------------------
SMALL = dict(
    min_nodes=2,
    max_nodes=12,
    min_samples=20,
    max_samples=60,
    tokens_per_batch=500,
    max_batch_size=16,
)


@pytest.mark.parametrize("node_distribution", ["uniform", "log_uniform"])
def test_sampler_iteration_yields_consistent_batches(node_distribution):
    config = SimulationConfig(**SMALL, node_distribution=node_distribution)
    stream = iter(SCMBatchSampler(config, generator=0))
    sizes = set()
    for _ in range(25):
        batch = next(stream)
        b, n, d = batch.X.shape
        sizes.add(d)
        assert config.min_nodes <= d <= config.max_nodes
        assert config.min_samples <= n <= config.max_samples
        assert 1 <= b <= config.max_batch_size
        assert b == min(config.max_batch_size, max(1, config.tokens_per_batch // (d * d)))
        assert batch.X.dtype == torch.float32 and torch.isfinite(batch.X).all()
        assert (
            batch.intervention_mask.shape == (b, n, d)
            and batch.intervention_mask.dtype == torch.bool
        )
        assert batch.adjacency.shape == (b, d, d) and batch.adjacency.dtype == torch.float32
        assert len(batch.graphs) == len(batch.mechanisms) == len(batch.noises) == b
        assert set(batch.graphs) <= set(config.graphs)
        assert set(batch.mechanisms) <= set(config.mechanisms)
        assert set(batch.noises) <= set(config.noises)
        assert batch.intervention_mask.sum(2).max() <= 1
        for a in batch.adjacency.numpy():
            assert is_dag(a) and not np.diag(a).any()
    assert len(sizes) >= 4


def test_sampler_respects_config_choices():
    config = SimulationConfig(
        **SMALL,
        graphs=("scale_free",),
        mechanisms=("tanh", "sine"),
        noises=("uniform",),
        interventional_probability=0.0,
        min_edges_per_node=1.0,
        max_edges_per_node=1.0,
    )
    for batch, _ in zip(SCMBatchSampler(config, generator=1), range(5)):
        assert set(batch.graphs) == {"scale_free"}
        assert set(batch.mechanisms) <= {"tanh", "sine"}
        assert set(batch.noises) == {"uniform"}
        assert not batch.intervention_mask.any()
        d = batch.X.shape[2]
        assert torch.all(
            batch.adjacency.sum((1, 2)) == d - 1
        )  # a tree: one parent per non-first node


def test_sampler_stream_is_reproducible():
    config = SimulationConfig(**SMALL)

    def stream(generator, k=6):
        out = []
        for batch, _ in zip(SCMBatchSampler(config, generator=generator), range(k)):
            out.append(
                (batch.X, batch.intervention_mask, batch.adjacency, batch.graphs, batch.mechanisms)
            )
        return out

    def same(s1, s2):
        return all(
            torch.equal(a[0], b[0])
            and torch.equal(a[1], b[1])
            and torch.equal(a[2], b[2])
            and a[3:] == b[3:]
            for a, b in zip(s1, s2)
        )

    assert same(stream(42), stream(42))
    assert same(stream(torch.Generator().manual_seed(42)), stream(42))
    assert not same(stream(42), stream(43))
