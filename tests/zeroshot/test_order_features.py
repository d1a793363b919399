"""The order block: DirectLiNGAM's causal order as pair tokens."""

import numpy as np
import pytest
import torch

from skcausal.datasets import make_scm
from skcausal.datasets._column_kinds import BINARY
from skcausal.zeroshot._features import CONDITIONAL_FEATURES, N_FEATURES, pair_features
from skcausal.zeroshot._order_features import (
    EXACT_COLUMNS,
    MAX_COLUMNS,
    N_ORDER_FEATURES,
    PARTNERS,
    SCALE,
    _entropy,
    _likelihood_ratios,
    _ordered_partial_correlations,
    _partner_likelihood_ratios,
    _standardize,
    causal_order,
    non_gaussian,
    order_features,
)


def _linear_non_gaussian(n, weights, seed):
    """x_j = sum_k weights[k, j] x_k + uniform noise, columns in causal order."""
    rng = np.random.default_rng(seed)
    d = weights.shape[0]
    X = np.zeros((n, d))
    for j in range(d):
        X[:, j] = X @ weights[:, j] + rng.uniform(-1, 1, n)
    return X


def _random_weights(d, seed, density=0.4):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((d, d)) < density, 1)
    return upper * rng.uniform(0.5, 1.5, (d, d)) * rng.choice([-1, 1], (d, d))


def test_a_chain_with_uniform_noise_is_ordered_exactly():
    weights = np.diag(np.full(5, 0.9), 1)[:6, :6]
    X = _linear_non_gaussian(3000, weights, 0)
    perm = np.array([3, 0, 5, 1, 4, 2])  # shuffle the columns; the order must follow them
    order = causal_order(torch.as_tensor(X[:, perm][None]))[0].numpy()
    np.testing.assert_array_equal(perm[order], np.arange(6))


def test_same_order_as_causal_learn_direct_lingam():
    # An implementation written independently of causal-learn's, checked against it.
    lingam = pytest.importorskip("causallearn.search.FCMBased.lingam")
    for seed in range(3):
        X = _linear_non_gaussian(1000, _random_weights(8, seed), seed)
        ours = causal_order(torch.as_tensor(X[None]))[0].numpy()
        theirs = np.asarray(lingam.DirectLiNGAM().fit(X).causal_order_)
        np.testing.assert_array_equal(ours, theirs)


def test_batched_orders_equal_one_at_a_time():
    X = np.stack([_linear_non_gaussian(800, _random_weights(7, s), s) for s in range(3)])
    together = causal_order(torch.as_tensor(X))
    alone = torch.cat([causal_order(torch.as_tensor(x[None])) for x in X])
    assert torch.equal(together, alone)


def test_ordered_partial_correlations_match_prefix_inverses():
    X = _linear_non_gaussian(500, _random_weights(6, 4), 4)
    corr = np.corrcoef(X, rowvar=False)
    order = np.array([2, 0, 5, 1, 3, 4])
    partial = _ordered_partial_correlations(
        torch.as_tensor(corr[None]), torch.as_tensor(order[None])
    )[0].numpy()
    for later in range(1, 6):
        prefix = order[: later + 1]
        inverse = np.linalg.inv(corr[np.ix_(prefix, prefix)] + 1e-4 * np.eye(later + 1))
        t = prefix[-1]
        for a, s in enumerate(prefix[:-1]):
            expected = -inverse[a, -1] / np.sqrt(inverse[a, a] * inverse[-1, -1])
            assert partial[s, t] == pytest.approx(expected, abs=1e-8)
            assert partial[t, s] == pytest.approx(expected, abs=1e-8)
    assert np.all(np.diag(partial) == 0)


def test_parents_stand_out_given_the_true_order():
    weights = _random_weights(8, 1)
    X = _linear_non_gaussian(4000, weights, 1)
    corr = torch.as_tensor(np.corrcoef(X, rowvar=False)[None])
    partial = _ordered_partial_correlations(corr, torch.arange(8)[None])[0].abs().numpy()
    edges = (weights != 0) | (weights != 0).T
    off = ~np.eye(8, dtype=bool)
    assert partial[edges].min() > partial[off & ~edges].max()


def test_block_is_equivariant_under_relabelling():
    X = _linear_non_gaussian(600, _random_weights(7, 2), 2)
    perm = np.random.default_rng(0).permutation(7)
    a = pair_features(torch.as_tensor(X[None], dtype=torch.float32))[..., CONDITIONAL_FEATURES:]
    b = pair_features(torch.as_tensor(X[None, :, perm], dtype=torch.float32))[
        ..., CONDITIONAL_FEATURES:
    ]
    torch.testing.assert_close(b[0], a[0][perm][:, perm], atol=1e-5, rtol=0)


def test_block_describes_the_order():
    X = _linear_non_gaussian(2000, np.diag(np.full(3, 1.0), 1)[:4, :4], 3)
    block = pair_features(torch.as_tensor(X[None], dtype=torch.float32))[
        0, ..., CONDITIONAL_FEATURES:
    ]
    assert block.shape == (4, 4, N_ORDER_FEATURES) and N_FEATURES == CONDITIONAL_FEATURES + 5
    flag, position_i, position_j, before, partial = (block / SCALE).unbind(-1)
    assert torch.all(flag == 1)
    np.testing.assert_allclose(position_i[:, 0].numpy(), [0, 1 / 3, 2 / 3, 1], atol=1e-6)
    assert torch.equal(position_j, position_i.T)
    assert before[0, 3] == 1 and before[3, 0] == -1 and torch.all(before.diagonal() == 0)
    assert partial[0, 1].abs() > 0.5 and partial[0, 3].abs() < 0.1


def test_partner_measures_are_the_full_ones_at_the_partners():
    X = torch.as_tensor(
        np.stack([_linear_non_gaussian(300, _random_weights(12, s), s) for s in (1, 2)])
    )
    Z = _standardize(X)
    corr = (Z.transpose(1, 2) @ Z / Z.shape[1]).clamp(-1.0, 1.0)
    h = _entropy(Z)
    full = _likelihood_ratios(Z, corr, h)
    partners = _partner_likelihood_ratios(Z, corr, h, 4)
    strongest = (corr.abs() - 2 * torch.eye(12, dtype=corr.dtype)).topk(4, dim=2).indices
    torch.testing.assert_close(partners, torch.gather(full, 2, strongest))


def test_restricted_order_orients_a_large_sparse_graph():
    d = EXACT_COLUMNS + 26
    rng = np.random.default_rng(3)
    weights = np.triu(rng.random((d, d)) < 2 / d, 1) * rng.uniform(0.5, 1.5, (d, d))
    X = _linear_non_gaussian(1000, weights * rng.choice([-1, 1], (d, d)), 3)
    perm = rng.permutation(d)
    order = causal_order(torch.as_tensor(X[:, perm][None]), partners=PARTNERS)[0].numpy()
    position = np.empty(d, dtype=int)
    position[perm[order]] = np.arange(d)  # each original column's place in the order
    causes, effects = np.nonzero(weights)
    assert len(causes) > 50
    assert (position[causes] < position[effects]).mean() > 0.9


def test_restricted_order_does_not_depend_on_the_column_order():
    # Compared with only a few partners, several columns often have no pair against them and
    # tie; the first index used to win, so a relabelling moved 3-79 of 80 places.
    d = EXACT_COLUMNS + 16
    X, _, _ = make_scm(500, d, noise="laplace", raw_units=True, random_state=0)
    X = _standardize(torch.as_tensor(X[None], dtype=torch.float32))
    order = causal_order(X, partners=PARTNERS)[0]
    for seed in range(2):
        perm = torch.as_tensor(np.random.default_rng(seed).permutation(d))
        assert torch.equal(perm[causal_order(X[..., perm], partners=PARTNERS)[0]], order)


def test_block_is_on_above_the_exact_columns_off_above_its_cap_and_when_not_asked():
    z = torch.randn(1, 60, EXACT_COLUMNS + 6).exp()
    block = order_features(_standardize(z), torch.eye(EXACT_COLUMNS + 6)[None])
    assert torch.all(block[..., 0] == SCALE)
    z = torch.randn(1, 30, MAX_COLUMNS + 1).exp()
    assert torch.all(order_features(z, torch.eye(MAX_COLUMNS + 1)[None]) == 0)
    X = torch.randn(1, 100, 5).exp()
    assert torch.all(pair_features(X, order=False)[..., CONDITIONAL_FEATURES:] == 0)
    with_block = pair_features(X)
    assert torch.all(with_block[..., CONDITIONAL_FEATURES] == SCALE)
    torch.testing.assert_close(
        with_block[..., :CONDITIONAL_FEATURES],
        pair_features(X, order=False)[..., :CONDITIONAL_FEATURES],
    )


def test_block_is_off_where_the_data_cannot_carry_an_order():
    rng = np.random.default_rng(5)
    skewed = torch.as_tensor(_linear_non_gaussian(400, _random_weights(6, 5), 5) ** 3)[None]
    on = pair_features(skewed.float())[..., CONDITIONAL_FEATURES]
    assert torch.all(on == SCALE)
    # Gaussian noise: a linear SEM's order is not identifiable, and the test says so.
    gaussian = torch.as_tensor(rng.standard_normal((400, 6)) @ np.triu(np.ones((6, 6))))
    assert not non_gaussian(gaussian[None].float()).item()
    assert torch.all(pair_features(gaussian[None].float())[..., CONDITIONAL_FEATURES:] == 0)
    # A discrete column, a missing cell, the invariant mode (normal scores): off.
    kinds = torch.zeros(1, 6, dtype=torch.long)
    kinds[0, 2] = BINARY
    binary = skewed.clone().float()
    binary[..., 2] = (binary[..., 2] > 0).float()
    assert torch.all(pair_features(binary, kinds=kinds)[..., CONDITIONAL_FEATURES:] == 0)
    missing = skewed.clone().float()
    missing[0, 0, 0] = float("nan")
    assert torch.all(pair_features(missing)[..., CONDITIONAL_FEATURES:] == 0)
    ranks = pair_features(skewed.float(), invariant=True)
    assert torch.all(ranks[..., CONDITIONAL_FEATURES:] == 0)


def test_one_distorted_column_leaves_the_block_off():
    # exp or cube of one column of a linear-Gaussian SEM makes that column non-Gaussian and
    # nothing else: no order follows from it, so the block stays off, and a monotone map of one
    # column cannot switch it on between two fits. A second non-Gaussian column switches it on.
    rng = np.random.default_rng(7)
    gaussian = rng.standard_normal((1000, 8)) @ np.triu(rng.uniform(0.5, 1.0, (8, 8)))
    assert not non_gaussian(torch.as_tensor(gaussian[None])).item()
    for transform in (np.exp, lambda x: x**3):
        one = gaussian.copy()
        one[:, 3] = transform(one[:, 3] / one[:, 3].std())
        assert not non_gaussian(torch.as_tensor(one[None])).item()
        assert torch.all(pair_features(torch.as_tensor(one[None]))[..., CONDITIONAL_FEATURES:] == 0)
        two = one.copy()
        two[:, 6] = transform(two[:, 6] / two[:, 6].std())
        assert non_gaussian(torch.as_tensor(two[None])).item()
        assert torch.all(
            pair_features(torch.as_tensor(two[None]))[..., CONDITIONAL_FEATURES] == SCALE
        )


def test_normality_test_rejects_at_about_its_level():
    # Under the null (Gaussian columns) the Bonferroni-corrected test fires in a few percent of
    # datasets (its tail at 0.001 is approximate: 2-6% at n = 20-500, 1,000 datasets each);
    # on clearly non-Gaussian columns in almost all.
    g = torch.Generator().manual_seed(0)
    null = non_gaussian(torch.randn(400, 200, 10, generator=g)).float().mean().item()
    assert null <= 0.05
    laplace = torch.distributions.Laplace(0.0, 1.0).sample((100, 200, 10))
    assert non_gaussian(laplace).float().mean().item() >= 0.95
