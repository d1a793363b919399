"""The shipped model on fresh simulated data: an accuracy floor, interventions, monotone transforms.

The data come from make_scm and SCMBatchSampler with seeds that are not the training stream's (see
skcausal/benchmark/_suites.py), so these are held-out datasets of the training distribution or,
for the wider prior's intervention kinds and the transforms, outside it. Tests marked xfail record
known weaknesses of the shipped model (v1) that the v2 prior is meant to fix (issue 13); they are
strict, so they turn into failures, to be promoted to plain tests, once a model passes them. The
shipped environments model (skcausal-zeroshot-environments, trained on the wider prior) is held to
the interventions test without exceptions.
"""

import numpy as np
import pytest
import torch
from scipy.stats import norm, rankdata

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import SCMBatchSampler, SimulationConfig, make_scm
from skcausal.metrics import edge_auprc
from skcausal.zeroshot._checkpoint import default_checkpoint_path

SEEDS = [1000 + k for k in range(4)]


def _probabilities(X, mask=None, checkpoint=None):
    est = ZeroShotCausalDiscovery(checkpoint, device="cpu")
    return est.fit(X, intervention_mask=mask).edge_probabilities_


@pytest.mark.parametrize("mechanism", ["linear", "mlp"])
def test_accuracy_floor_on_fresh_data(mechanism):
    scores = []
    for seed in SEEDS:
        X, _, A = make_scm(1000, 10, mechanism=mechanism, random_state=seed)
        scores.append(edge_auprc(A, _probabilities(X)))
    # The shipped model reaches 0.93-0.97 here (validation family means); chance is about 0.2.
    assert np.mean(scores) > 0.85 and min(scores) > 0.6, scores


def _with_and_without_mask(kind, seed, checkpoint=None, off_target=0.0, n_datasets=8):
    config = SimulationConfig(intervention_kinds=(kind,), interventional_probability=1.0,
                              off_target_probability=off_target)
    sampler = SCMBatchSampler(config, generator=seed)
    pairs = []
    for mechanism in ("linear", "mlp"):
        batch = sampler.sample(n_datasets // 2, 20, 1000, mechanism=mechanism, n_targets=10,
                               intervention_fraction=0.5)
        for X, M, A in zip(batch.X.double().numpy(), batch.intervention_mask.numpy(), batch.adjacency.numpy()):
            pairs.append((edge_auprc(A, _probabilities(X, M, checkpoint)), edge_auprc(A, _probabilities(X, None, checkpoint))))
    return np.array(pairs)


INTERVENTION_SEEDS = [2_000_000_123, 2_000_000_321]


def _v1_weakness(kind, seed, reason):
    return pytest.param(kind, seed, marks=pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("kind, seed", [
    ("hard", INTERVENTION_SEEDS[0]), ("hard", INTERVENTION_SEEDS[1]),
    ("far", INTERVENTION_SEEDS[0]), ("far", INTERVENTION_SEEDS[1]),
    ("shift", INTERVENTION_SEEDS[0]),
    _v1_weakness("shift", INTERVENTION_SEEDS[1], "v1 never saw shift interventions; here the mask costs it AUPRC"),
    _v1_weakness("soft", INTERVENTION_SEEDS[0], "v1 never saw soft interventions: with the mask its AUPRC is lower"),
    _v1_weakness("soft", INTERVENTION_SEEDS[1], "v1 never saw soft interventions: with the mask its AUPRC is lower"),
])
def test_interventions_do_not_lower_auprc(kind, seed):
    # The same rows with the mask against without it, mean over 8 datasets (linear and MLP, d = 20).
    pairs = _with_and_without_mask(kind, seed)
    assert pairs[:, 0].mean() >= pairs[:, 1].mean(), pairs.mean(axis=0)


@pytest.mark.parametrize("kind, off_target", [
    ("hard", 0.0), ("far", 0.0), ("shift", 0.0), ("soft", 0.0), ("hard", 1.0)])
@pytest.mark.parametrize("seed", INTERVENTION_SEEDS)
def test_no_intervention_kind_lowers_auprc_for_the_environments_model(kind, off_target, seed):
    # The shipped model with a target head (trained on the wider prior, which has every kind and
    # off-target effects that the mask does not show): the mask never lowers the mean AUPRC.
    pairs = _with_and_without_mask(kind, seed, default_checkpoint_path(environments=True), off_target)
    assert pairs[:, 0].mean() >= pairs[:, 1].mean(), pairs.mean(axis=0)


def _largest_change(transform):
    worst = 0.0
    for k, seed in enumerate(SEEDS):
        X, _, _ = make_scm(1000, 10, mechanism="linear", random_state=seed)
        Y = X.copy()
        Y[:, k] = transform(Y[:, k])
        worst = max(worst, np.abs(_probabilities(X) - _probabilities(Y)).max())
    return worst


# Documented bounds: how far a monotone transform of one column may move any edge probability on
# linear-Gaussian data (d = 10, n = 1000). The graph is the same before and after, so an ideal model
# would not move at all. Measured on the shipped model: normal scores 0.05, cube 0.85, exp 0.82.
TRANSFORMS = {
    "normal-scores": (lambda x: norm.ppf((rankdata(x) - 0.5) / len(x)), 0.08),
    "cube": (lambda x: x**3, 0.3),
    "exp": (np.exp, 0.3),
}


@pytest.mark.parametrize("name", [
    "normal-scores",
    pytest.param("cube", marks=pytest.mark.xfail(strict=True, reason="v1 moves probabilities by up to 0.85")),
    pytest.param("exp", marks=pytest.mark.xfail(strict=True, reason="v1 moves probabilities by up to 0.82")),
])
def test_monotone_transform_of_one_column_moves_probabilities_little(name):
    transform, bound = TRANSFORMS[name]
    torch.manual_seed(0)
    assert _largest_change(transform) <= bound
