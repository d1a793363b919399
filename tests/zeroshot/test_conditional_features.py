"""The order-one conditional block: checked against an explicit regression on the rows, and on
graphs where the answer is known (a chain's ends are independent given its middle, a collider's
parents are independent given nothing)."""

import numpy as np
import pytest
import torch

from skcausal.zeroshot._conditional_features import N_CONDITIONAL_FEATURES, conditional_features
from skcausal.zeroshot._features import (
    CONDITIONAL_FEATURES,
    N_TRANSFORMS,
    V3_FEATURES,
    _accumulate,
    _standardize,
    _transforms,
    pair_features,
)


def _block(X, ridge=1e-2):
    z = _standardize(torch.as_tensor(X, dtype=torch.float64)[None])
    sums = _accumulate(z, torch.zeros_like(z, dtype=torch.bool), None)
    return conditional_features(sums["cross"], z.shape[2], ridge=ridge)[0].numpy()


def _sem(n, seed):
    """0 -> 1 -> 2 through non-monotone mechanisms, 3 alone, 4 a collider of 0 and 3."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(n)
    b = np.sin(2 * a) + 0.3 * rng.standard_normal(n)
    c = b**2 + 0.3 * rng.standard_normal(n)
    e = rng.standard_normal(n)
    f = a + e + 0.3 * rng.standard_normal(n)
    return np.column_stack([a, b, c, e, f])


def _by_regression(X, i, j):
    """The block's two statistics for (i, j), by least squares on the transformed rows."""
    z = _standardize(torch.as_tensor(X, dtype=torch.float64)[None])
    T = _transforms(z)[0].numpy()
    T = (T - T.mean(0)) / T.std(0)
    d, K = X.shape[1], N_TRANSFORMS

    def corr(u, v):
        return abs(np.corrcoef(u, v)[0, 1])

    best_any = max(corr(T[:, s * d + i], T[:, t * d + j]) for s in range(K) for t in range(K))
    best_linear = corr(T[:, i], T[:, j])
    for k in set(range(d)) - {i, j}:
        B = T[:, [t * d + k for t in range(K)]]

        def residual(y, B=B):
            return y - B @ np.linalg.lstsq(B, y, rcond=None)[0]

        R = [residual(T[:, s * d + i]) for s in range(K)]
        S = [residual(T[:, t * d + j]) for t in range(K)]
        best_any = min(best_any, max(corr(r, s) for r in R for s in S))
        best_linear = min(best_linear, corr(R[0], S[0]))
    return best_any, best_linear


@pytest.mark.parametrize("pair", [(0, 1), (1, 2), (0, 2), (0, 3), (3, 4), (2, 4)])
def test_block_equals_least_squares_on_the_rows(pair):
    X = _sem(2000, seed=0)
    block = _block(X, ridge=1e-9)
    np.testing.assert_allclose(block[pair], _by_regression(X, *pair), atol=1e-5)


def test_chain_ends_and_collider_parents_are_told_from_edges():
    block = _block(_sem(5000, seed=1))
    edges = [(0, 1), (1, 2), (0, 4), (3, 4)]
    separated = [(0, 2), (0, 3), (1, 3), (2, 3)]  # by the chain's middle, or by nothing
    assert min(block[e][0] for e in edges) > 0.5
    assert max(block[p][0] for p in separated) < 0.1
    # the non-monotone edge 1 -> 2 is invisible to the linear statistic alone
    assert block[1, 2][1] < 0.1


def test_binary_chain_ends_are_independent_given_the_middle():
    rng = np.random.default_rng(0)
    n = 20_000
    x = [rng.random(n) < 0.5]
    for _ in range(3):  # each link copies its parent with probability 0.8
        x.append(np.where(rng.random(n) < 0.8, x[-1], ~x[-1]))
    block = _block(np.column_stack(x).astype(float))
    for i in range(4):
        for j in range(i + 1, 4):
            if j == i + 1:
                assert block[i, j, 0] > 0.3
            else:
                assert block[i, j, 0] < 0.03


def test_block_is_symmetric_bounded_and_equivariant():
    X = torch.as_tensor(_sem(500, seed=2), dtype=torch.float32)[None]
    tokens = pair_features(X)[0, ..., V3_FEATURES:CONDITIONAL_FEATURES]
    assert tokens.shape[-1] == N_CONDITIONAL_FEATURES == CONDITIONAL_FEATURES - V3_FEATURES
    torch.testing.assert_close(tokens, tokens.transpose(0, 1))
    assert float(tokens.min()) >= 0 and float(tokens.max()) <= 1
    assert torch.all(tokens.diagonal(dim1=0, dim2=1) == 0)
    perm = torch.tensor([3, 0, 4, 1, 2])
    permuted = pair_features(X[:, :, perm])[0, ..., V3_FEATURES:CONDITIONAL_FEATURES]
    torch.testing.assert_close(permuted, tokens[perm][:, perm], atol=1e-5, rtol=1e-5)


def test_two_columns_have_only_the_marginal_and_missing_cells_stay_finite():
    rng = np.random.default_rng(3)
    X = torch.as_tensor(_sem(300, seed=3)[:, :2], dtype=torch.float32)[None]
    block = pair_features(X)[0, ..., V3_FEATURES:CONDITIONAL_FEATURES]
    assert float(block[0, 1, 0]) > 0.5
    Y = torch.as_tensor(_sem(300, seed=4), dtype=torch.float32)
    Y[torch.as_tensor(rng.random(Y.shape) < 0.3)] = float("nan")
    block = pair_features(Y[None])[0, ..., V3_FEATURES:CONDITIONAL_FEATURES]
    assert torch.isfinite(block).all() and float(block.max()) <= 1


def test_block_is_skipped_for_models_that_do_not_read_it():
    X = torch.as_tensor(_sem(300, seed=5), dtype=torch.float32)[None]
    full, skipped = pair_features(X), pair_features(X, conditional=False)
    assert torch.equal(full[..., :V3_FEATURES], skipped[..., :V3_FEATURES])
    assert torch.all(skipped[..., V3_FEATURES:CONDITIONAL_FEATURES] == 0)
    assert float(full[..., V3_FEATURES:CONDITIONAL_FEATURES].abs().max()) > 0
