"""The zero-shot model outside its training box (issues #22 and #23): pure noise, monotone
re-expressions of the columns and binary data.

The shipped v2 fails the noise and monotone-map tests (measured:
research/experiments/outside_the_box.py), so they are strict xfails while v2 ships: they must fail
with v2, and must pass once v3 (trained on n down to 10, empty graphs, monotone re-expressions and
discrete columns) replaces it. The binary chain is not one of them: its edges cannot be oriented
from observational data, so the model splits each one's probability between its two directions,
and ``adjacency_`` keeps such a pair since it reads each pair's most probable state
(:func:`skcausal.graph.edge_given_pair`; with "probability above 0.5" v2 kept no edge).
"""

import numpy as np
import pandas as pd
import pytest
from _shipped import SHIPPED_IS_V2  # tests/ is on sys.path under pytest
from scipy.stats import norm, rankdata

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import edge_auroc

v2_fails = pytest.mark.xfail(
    SHIPPED_IS_V2, reason="the shipped v2 fails this; v3 must pass it", strict=True
)


@v2_fails
@pytest.mark.parametrize("n", [10, 20, 50])
def test_pure_noise_gives_no_edge_at_small_n(n):
    for seed in range(3):
        X = np.random.default_rng(seed).standard_normal((n, 20))
        assert ZeroShotCausalDiscovery().fit(X).adjacency_.sum() == 0


def test_pure_noise_rarely_gets_an_edge_over_many_seeds():
    # The dependence check (alpha=0.01) lets about 1% of noise datasets through, and the model
    # must also keep an edge on those (about a third of them): 3 or more of 120 would say the
    # check is off (without it, 25 of these 120 get an edge).
    est = ZeroShotCausalDiscovery()
    with_edge = [
        (d, n, seed)
        for d in (10, 20)
        for n in (10, 20, 50)
        for seed in range(20)
        if est.fit(np.random.default_rng(seed).standard_normal((n, d))).adjacency_.any()
    ]
    assert len(with_edge) <= 2, with_edge


def test_pure_noise_gives_no_edge_at_100k_rows():
    X = np.random.default_rng(0).standard_normal((100_000, 20))
    est = ZeroShotCausalDiscovery().fit(X)
    assert est.adjacency_.sum() == 0 and est.edge_probabilities_.max() < 0.5


TRANSFORMS = {
    "normal-scores": lambda X: norm.ppf((np.apply_along_axis(rankdata, 0, X) - 0.5) / len(X)),
    "exp": lambda X: np.exp((X - X.mean(0)) / X.std(0)),
    "cube": lambda X: X**3,
    "log": lambda X: np.log(X - X.min(0) + 1.0),
}


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param("exp", marks=v2_fails),  # v2: AUROC 0.989 -> 0.956
        pytest.param("cube", marks=v2_fails),  # v2: 0.989 -> 0.966
        "log",
        "normal-scores",
    ],
)
def test_default_auroc_survives_monotone_maps_of_every_column(transform):
    drops = []
    for mechanism in ("linear", "mlp"):
        for seed in range(2):
            X, _, A = make_scm(2000, 20, mechanism=mechanism, random_state=200 + seed)
            before = edge_auroc(A, ZeroShotCausalDiscovery().fit(X).edge_probabilities_)
            after = edge_auroc(
                A, ZeroShotCausalDiscovery().fit(TRANSFORMS[transform](X)).edge_probabilities_
            )
            drops.append(before - after)
    assert max(drops) <= 0.03, drops


@pytest.mark.parametrize("transform", ["exp", "cube"])
def test_both_views_keep_auroc_under_monotone_maps_of_every_column(transform):
    # marginals="both" averages the values' and the ranks' answers: the ranks' half cannot move,
    # so the loss is bounded even for the shipped v2 (raw: up to 0.052 here).
    drops = []
    for mechanism in ("linear", "mlp"):
        for seed in range(2):
            X, _, A = make_scm(2000, 20, mechanism=mechanism, random_state=200 + seed)
            est = ZeroShotCausalDiscovery(marginals="both")
            before = edge_auroc(A, est.fit(X).edge_probabilities_)
            after = edge_auroc(A, est.fit(TRANSFORMS[transform](X)).edge_probabilities_)
            drops.append(before - after)
    assert max(drops) <= 0.03, drops


@pytest.mark.parametrize("transform", list(TRANSFORMS))
def test_the_default_keeps_auroc_on_non_gaussian_raw_units_on_average(transform):
    # Where the order block is on (non-Gaussian noise; raw units, where the order matters most)
    # the values carry more of the answer. The default's mean loss per family stays within 0.03
    # (single datasets reach 0.033); linear_non_gaussian=True leans on the order harder and is
    # off by default because it does not (phase 24: up to 0.14 on one dataset).
    for noise in ("laplace", "uniform"):
        drops = []
        for seed in range(200, 204):
            X, _, A = make_scm(2000, 20, raw_units=True, noise=noise, random_state=seed)
            est = ZeroShotCausalDiscovery()
            before = edge_auroc(A, est.fit(X).edge_probabilities_)
            after = edge_auroc(A, est.fit(TRANSFORMS[transform](X)).edge_probabilities_)
            drops.append(before - after)
        assert np.mean(drops) <= 0.03, (noise, drops)


def test_both_views_are_the_mean_of_raw_and_ranks(uncalibrated_checkpoint):
    # The checkpoint's calibration applies to the mean (test_order_calibration.py): the mean
    # itself is checked without it.
    X, _, _ = make_scm(300, 6, random_state=3)
    X[::7, 2] = np.nan  # the ranks view reads missing cells too
    fits = {
        m: ZeroShotCausalDiscovery(uncalibrated_checkpoint, marginals=m).fit(X)
        for m in ("raw", "ranks", "both")
    }
    mean = (fits["raw"].edge_probabilities_ + fits["ranks"].edge_probabilities_) / 2
    np.fill_diagonal(mean, 0.0)
    np.testing.assert_allclose(fits["both"].edge_probabilities_, mean, rtol=0, atol=1e-10)
    # With environments, the target head's answers are averaged the same way.
    env = np.repeat([0, 1, 2], 100)
    fits = {
        m: ZeroShotCausalDiscovery(uncalibrated_checkpoint, marginals=m).fit(X, environments=env)
        for m in fits
    }
    targets = (fits["raw"].intervention_targets_ + fits["ranks"].intervention_targets_) / 2
    np.testing.assert_allclose(fits["both"].intervention_targets_, targets, rtol=0, atol=1e-12)


def _binary_chain(n, seed, copy=0.9):
    rng = np.random.default_rng(seed)
    columns = [rng.random(n) < 0.5]
    for _ in range(3):
        parent = columns[-1]
        columns.append(np.where(rng.random(n) < copy, parent, ~parent))
    return pd.DataFrame(dict(zip("ABCD", columns)))


def test_binary_chain_skeleton_at_20k_rows():
    est = ZeroShotCausalDiscovery().fit(_binary_chain(20_000, 0))
    skeleton = (est.adjacency_ + est.adjacency_.T) > 0
    chain = np.zeros((4, 4), bool)
    for i in range(3):
        chain[i, i + 1] = chain[i + 1, i] = True
    assert np.array_equal(skeleton, chain), est.edge_probabilities_.round(2)
