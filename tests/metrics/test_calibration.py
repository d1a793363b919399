import numpy as np
import pytest

from skcausal.metrics import edge_calibration_error


def _graphs(rng, probability_of, n_graphs=200, d=12):
    truths, probs = [], []
    for _ in range(n_graphs):
        p = rng.random((d, d))
        np.fill_diagonal(p, 0)
        truths.append((rng.random((d, d)) < probability_of(p)).astype(int))
        probs.append(p)
    return truths, probs


def test_probabilities_that_come_true_at_their_rate_are_calibrated():
    rng = np.random.default_rng(0)
    truths, probs = _graphs(rng, lambda p: p)
    assert edge_calibration_error(truths, probs) < 0.02


def test_overconfident_probabilities_are_not():
    rng = np.random.default_rng(1)
    # Edges come true at a rate squeezed toward 0.5: the probabilities claim too much.
    truths, probs = _graphs(rng, lambda p: 0.5 + 0.5 * (p - 0.5))
    error = edge_calibration_error(truths, probs)
    assert 0.1 < error < 0.15  # the mean of |p - (0.25 + p / 2)| over U(0, 1) is 0.125


def test_refuses_mismatched_or_out_of_range_input():
    truth = np.zeros((3, 3))
    with pytest.raises(ValueError, match="as many"):
        edge_calibration_error([truth, truth], [truth])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        edge_calibration_error(truth, np.full((3, 3), 1.5))


def test_pools_graphs_of_different_sizes():
    small, large = np.array([[0, 1], [0, 0]]), np.zeros((3, 3))
    p_small, p_large = np.array([[0, 1.0], [0, 0]]), np.zeros((3, 3))
    assert edge_calibration_error([small, large], [p_small, p_large]) == 0.0
    assert edge_calibration_error([[0, 1], [0, 0]], [[0, 1.0], [0, 0]]) == 0.0  # nested lists
