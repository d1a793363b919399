"""The shipped model on fresh simulated data: an accuracy floor, interventions, monotone transforms.

The data come from make_scm and SCMBatchSampler with seeds that are not the training stream's (see
skcausal/benchmark/_suites.py), so these are held-out datasets of the training distribution or,
for v1's prior, outside it (the v2 prior draws every intervention kind and monotone distortions).
Tests marked xfail record weaknesses of v2, the default until v3: strict while v2 is the shipped
checkpoint, plain tests otherwise, so every later model must pass them.
"""

import functools

import numpy as np
import pytest
from _shipped import SHIPPED_IS_V2  # tests/ is on sys.path under pytest
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
    config = SimulationConfig(
        intervention_kinds=(kind,),
        interventional_probability=1.0,
        off_target_probability=off_target,
    )
    sampler = SCMBatchSampler(config, generator=seed)
    pairs = []
    for mechanism in ("linear", "mlp"):
        batch = sampler.sample(
            n_datasets // 2, 20, 1000, mechanism=mechanism, n_targets=10, intervention_fraction=0.5
        )
        for X, M, A in zip(
            batch.X.double().numpy(), batch.intervention_mask.numpy(), batch.adjacency.numpy()
        ):
            pairs.append(
                (
                    edge_auprc(A, _probabilities(X, M, checkpoint)),
                    edge_auprc(A, _probabilities(X, None, checkpoint)),
                )
            )
    return np.array(pairs)


INTERVENTION_SEEDS = [2_000_000_123, 2_000_000_321]


@pytest.mark.parametrize(
    "kind, off_target", [("hard", 0.0), ("far", 0.0), ("shift", 0.0), ("soft", 0.0), ("hard", 1.0)]
)
@pytest.mark.parametrize("seed", INTERVENTION_SEEDS)
def test_no_intervention_kind_lowers_auprc(kind, off_target, seed):
    # The same rows with the mask against without it, mean over 8 datasets (linear and MLP, d = 20).
    # The shipped model was trained on every kind and on off-target effects the mask does not
    # show; v1, which knew only hard interventions, failed this for soft (both seeds) and shift.
    pairs = _with_and_without_mask(kind, seed, default_checkpoint_path(), off_target)
    assert pairs[:, 0].mean() >= pairs[:, 1].mean(), pairs.mean(axis=0)


@functools.cache
def _changes(name):
    """Largest and mean move of an edge probability when one column is transformed (one column
    per dataset, 4 linear-Gaussian datasets, d = 10, n = 1,000)."""
    transform = TRANSFORMS[name]
    largest, means = 0.0, []
    for k, seed in enumerate(SEEDS):
        X, _, _ = make_scm(1000, 10, mechanism="linear", random_state=seed)
        Y = X.copy()
        Y[:, k] = transform(Y[:, k])
        moved = np.abs(_probabilities(X) - _probabilities(Y))
        largest, means = max(largest, moved.max()), means + [moved.mean()]
    return largest, float(np.mean(means))


# The graph is the same before and after a monotone transform of a column, so an ideal model would
# not move at all. Measured (largest / mean move), v1 -> the shipped v2:
#   normal scores  0.051 / 0.0033 -> 0.048 / 0.0027
#   cube           0.852 / 0.0570 -> 0.655 / 0.0353
#   exp            0.820 / 0.0582 -> 0.696 / 0.0358
# A monotone map can make a linear-Gaussian pair identifiable (a post-nonlinear model), so some
# move of the transformed column's edges is legitimate; a large move of single edges is not, and
# v2 still has it (the strict xfails record that).
TRANSFORMS = {
    "normal-scores": lambda x: norm.ppf((rankdata(x) - 0.5) / len(x)),
    "cube": lambda x: x**3,
    "exp": np.exp,
}
MEAN_BOUNDS = {"normal-scores": 0.01, "cube": 0.045, "exp": 0.045}
LARGEST_BOUNDS = {"normal-scores": 0.08, "cube": 0.3, "exp": 0.3}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_monotone_transform_of_one_column_moves_probabilities_little_on_average(name):
    assert _changes(name)[1] <= MEAN_BOUNDS[name], _changes(name)


@pytest.mark.parametrize(
    "name",
    [
        "normal-scores",
        pytest.param(
            "cube",
            marks=pytest.mark.xfail(
                SHIPPED_IS_V2, strict=True, reason="v2 moves one probability by up to 0.66"
            ),
        ),
        pytest.param(
            "exp",
            marks=pytest.mark.xfail(
                SHIPPED_IS_V2, strict=True, reason="v2 moves one probability by up to 0.70"
            ),
        ),
    ],
)
def test_monotone_transform_of_one_column_moves_no_probability_far(name):
    assert _changes(name)[0] <= LARGEST_BOUNDS[name], _changes(name)
