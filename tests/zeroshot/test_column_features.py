"""Model v3's column block and the invariant mode: what the features must not depend on, and
statistics checked against numpy's own computation."""

import numpy as np
import pytest
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_auprc
from skcausal.zeroshot._column_features import CATEGORICAL, CONTINUOUS, prepare_columns
from skcausal.zeroshot._features import N_FEATURES, V2_FEATURES, pair_features
from skcausal.zeroshot._inference import row_subsets

INCREASING = {
    "exp": np.exp,
    "cube": lambda x: x**3,
    "log": lambda x: np.log(x - np.nanmin(x) + 1.0),
    "logistic": lambda x: 1 / (1 + np.exp(-3 * x)),
}


def _data(seed, n=400, d=6):
    X, _, _ = make_scm(n, d, mechanism="mlp", random_state=seed)
    return X


@pytest.mark.parametrize("name", sorted(INCREASING))
def test_ranks_mode_is_exactly_invariant_under_increasing_maps(name):
    X = _data(0)
    X[np.random.default_rng(0).random(X.shape) < 0.1] = np.nan  # and with missing cells
    est = ZeroShotCausalDiscovery(marginals="ranks")
    before = est._discover(X, np.zeros(X.shape, bool)).probabilities
    Y = X.copy()
    for j in range(0, X.shape[1], 2):  # every other column
        Y[:, j] = INCREASING[name](X[:, j])
    after = est._discover(Y, np.zeros(X.shape, bool)).probabilities
    assert np.abs(before - after).max() <= 1e-6


def test_raw_mode_is_not_invariant():
    # The check above could pass because the model ignores its input; the raw mode reads values.
    X = _data(1)
    est = ZeroShotCausalDiscovery()
    before = est._discover(X, np.zeros(X.shape, bool)).probabilities
    after = est._discover(np.exp(X), np.zeros(X.shape, bool)).probabilities
    assert np.abs(before - after).max() > 1e-3


def test_an_unordered_category_is_read_without_its_codes_order():
    rng = np.random.default_rng(0)
    X = torch.as_tensor(_data(2), dtype=torch.float32)[None].clone()
    codes = torch.as_tensor(rng.integers(0, 5, X.shape[1]), dtype=torch.float32)
    X[0, :, 3] = codes + (X[0, :, 2] > 0.5)  # a category that depends on column 2
    kinds = torch.full((1, X.shape[2]), CONTINUOUS)
    kinds[0, 3] = CATEGORICAL
    relabel = torch.tensor([4.0, 2.0, 0.0, 5.0, 1.0, 3.0])
    Y = X.clone()
    Y[0, :, 3] = relabel[X[0, :, 3].long()]
    a, b = pair_features(X, kinds=kinds), pair_features(Y, kinds=kinds)
    assert torch.equal(a, b)
    # Read as continuous, the relabelling does change the tokens.
    assert not torch.equal(pair_features(X), pair_features(Y))


def test_moments_with_missing_cells_run_over_the_rows_both_columns_have():
    rng = np.random.default_rng(3)
    X = _data(3, n=600)
    X[rng.random(X.shape) < 0.25] = np.nan
    tokens = pair_features(torch.as_tensor(X, dtype=torch.float32)[None])[0].numpy()
    for i, j in [(0, 1), (2, 5), (4, 3)]:
        both = ~np.isnan(X[:, i]) & ~np.isnan(X[:, j])
        # The correlation feature divides by each column's own spread (over its observed rows);
        # numpy's pairwise-complete correlation uses the pair's rows: close, not equal.
        expected = np.corrcoef(X[both, i], X[both, j])[0, 1]
        assert tokens[i, j, 0] == pytest.approx(expected, abs=0.06)
    assert np.isfinite(tokens).all() and tokens.shape[-1] == N_FEATURES


def test_missingness_features_see_what_drives_it():
    rng = np.random.default_rng(4)
    n = 3000
    driver = rng.normal(size=n)
    other = rng.normal(size=n)
    target = rng.normal(size=n)
    target[rng.random(n) < 1 / (1 + np.exp(-3 * driver))] = np.nan  # MAR on the driver
    X = torch.as_tensor(np.c_[driver, other, target], dtype=torch.float32)[None]
    block = pair_features(X)[0, ..., V2_FEATURES:]
    value_vs_missing = block[..., 2]  # [i, j]: j's missingness against i's value
    assert value_vs_missing[0, 2] > 0.5
    assert abs(value_vs_missing[1, 2]) < 0.1
    assert float(block[0, 2, 1]) == pytest.approx(float(torch.isnan(X[0, :, 2]).float().mean()))


def test_contingency_information_separates_dependence_from_independence():
    rng = np.random.default_rng(5)
    n = 2000
    a = rng.integers(0, 2, n)
    b = np.where(rng.random(n) < 0.9, a, 1 - a)  # copies a with probability 0.9
    c = rng.integers(0, 2, n)
    X = torch.as_tensor(np.c_[a, b, c], dtype=torch.float32)[None]
    kinds = torch.full((1, 3), 1)
    block = pair_features(X, kinds=kinds)[0, ..., V2_FEATURES:]
    information, g_test = block[..., 12], block[..., 13]
    assert information[0, 1] > 0.5 > information[0, 2]
    assert g_test[0, 1] > 1.0 > g_test[0, 2]


def test_prepare_columns_encodes_a_category_by_its_frequency():
    X = torch.tensor([[[0.0], [0.0], [0.0], [2.0], [1.0], [1.0]]])
    values, observed, levels = prepare_columns(X, torch.tensor([[CATEGORICAL]]))
    assert observed is None and levels.item() == 3
    assert values[0, :, 0].tolist() == pytest.approx([0.5, 0.5, 0.5, 1 / 6, 1 / 3, 1 / 3])


def test_row_subsets_are_disjoint_equal_and_bounded():
    subsets = row_subsets(10_050, 2000)
    assert len(subsets) == 6 and len({len(s) for s in subsets}) == 1
    joined = np.concatenate(subsets)
    assert len(np.unique(joined)) == len(joined)
    assert row_subsets(1000, 2000) == [None]
    assert len(row_subsets(10**6, 2000)) == 16


@pytest.mark.parametrize("mechanism", ["linear", "mlp"])
def test_more_rows_do_not_lower_auprc(mechanism):
    # Beyond the trained range the rows are split into trained-size subsets, so 20,000 rows
    # must do at least as well as their first 2,000 (up to a noise bound of 0.02, documented in
    # docs/choosing.md). Without subsets the shipped v2 lost 0.91 -> 0.62 at 10,000 rows.
    worse = []
    for seed in range(3):
        X, _, A = make_scm(20_000, 15, mechanism=mechanism, random_state=seed)
        est = ZeroShotCausalDiscovery()
        few = edge_auprc(A, est.fit(X[:2000]).edge_probabilities_)
        many = edge_auprc(A, est.fit(X).edge_probabilities_)
        worse.append(few - many)
    assert max(worse) <= 0.02, worse


def test_midranks_agree_with_scipy_over_observed_rows():
    from scipy.stats import rankdata

    from skcausal.zeroshot._column_features import _midranks

    g = torch.Generator().manual_seed(0)
    X = torch.randint(0, 5, (3, 50, 4), generator=g).float()  # many ties
    X[0, :, 1] = torch.randn(50, generator=g)
    observed = torch.rand(3, 50, 4, generator=g) > 0.2
    ranks = _midranks(X, observed)
    for b in range(3):
        for j in range(4):
            seen = observed[b, :, j].numpy()
            expected = rankdata(X[b, seen, j].numpy()) - 1
            np.testing.assert_allclose(ranks[b, seen, j].numpy(), expected)


def test_tokens_do_not_depend_on_the_order_of_the_rows_with_ties():
    g = torch.Generator().manual_seed(1)
    X = torch.randn(1, 300, 5, generator=g)
    X[0, :, 1] = (X[0, :, 0] > 0).float()  # binary: half the rows tie
    X[0, :, 2] = torch.round(X[0, :, 2])  # rounded: many ties
    X[0, torch.rand(300, generator=g) < 0.1, 3] = torch.nan
    kinds = torch.tensor([[CONTINUOUS, 1, CONTINUOUS, CONTINUOUS, CONTINUOUS]])
    perm = torch.randperm(300, generator=g)
    a = pair_features(X, kinds=kinds)
    b = pair_features(X[:, perm], kinds=kinds)
    assert (a - b).abs().max() < 1e-4


def test_partial_correlations_stay_correlations_when_pairwise_ones_contradict():
    # Each pair observed on its own rows: x0 ~ x1 and x1 ~ x2 strongly positive, x0 ~ x2 strongly
    # negative. No joint distribution has these correlations (the matrix is indefinite), and a
    # plain inverse would give partial correlations far outside [-1, 1].
    rng = np.random.default_rng(0)
    blocks = []
    for i, j, sign in [(0, 1, 1), (1, 2, 1), (0, 2, -1)]:
        z = rng.normal(size=300)
        block = np.full((300, 3), np.nan)
        block[:, i] = z + 0.1 * rng.normal(size=300)
        block[:, j] = sign * z + 0.1 * rng.normal(size=300)
        blocks.append(block)
    X = torch.as_tensor(np.vstack(blocks), dtype=torch.float32)[None]
    tokens = pair_features(X)[0]
    partial = tokens[..., 36]  # the linear partial correlation
    off = ~torch.eye(3, dtype=torch.bool)
    assert partial[off].abs().max() <= 1.0 + 1e-5
