"""The quadratic partial correlations adjusted for every transform of the other columns
(``ModelConfig.adjustment = "transforms"``)."""

import numpy as np
import pytest
import torch
from _runs import TINY, assert_same_run

from skcausal import pretrain
from skcausal.datasets import make_scm
from skcausal.pretraining import load_resume
from skcausal.pretraining._stream import _featurize
from skcausal.zeroshot import ModelConfig
from skcausal.zeroshot._adjusted_partials import _cholesky, adjusted_quadratic_partials
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._features import (
    _N_PAIR_STATS,
    _TRANSFORMS,
    _accumulate,
    _observational_stats,
    _standardize,
    pair_features,
)

QUAD = slice(_N_PAIR_STATS - 4, _N_PAIR_STATS)  # the pair's four quadratic partial correlations


def _cross(X):
    z = _standardize(torch.as_tensor(X, dtype=torch.float32)[None])
    return _accumulate(z, torch.zeros(z.shape, dtype=torch.bool), None)["cross"]


def _least_squares(X, i, j):
    """The four partials by their definition: residuals of x_i, x_i^2, x_j, x_j^2 on every
    transform of the other columns, then the partial correlations among those four."""
    z = np.clip((X - X.mean(0)) / X.std(0), -6, 6)
    t = torch.as_tensor(z)
    columns = [f(t).numpy() for f in _TRANSFORMS]
    others = [k for k in range(X.shape[1]) if k not in (i, j)]
    design = np.column_stack([np.ones(len(X))] + [c[:, k] for k in others for c in columns])
    kept = np.column_stack([columns[0][:, i], columns[1][:, i], columns[0][:, j], columns[1][:, j]])
    residuals = kept - design @ np.linalg.lstsq(design, kept, rcond=None)[0]
    precision = np.linalg.inv(np.corrcoef(residuals.T))
    partial = -precision / np.sqrt(np.outer(np.diag(precision), np.diag(precision)))
    return partial[:2, 2:].ravel()


def test_the_block_equals_its_least_squares_definition():
    X, _, _ = make_scm(4000, 6, mechanism="mlp", random_state=1)
    block = adjusted_quadratic_partials(_cross(X), 6, torch.full((1,), 1e-7))[0].numpy()
    for i, j in [(0, 1), (2, 5), (4, 3)]:
        np.testing.assert_allclose(block[i, j], _least_squares(X, i, j), atol=2e-3)
    assert np.all(block[np.arange(6), np.arange(6)] == 0)
    np.testing.assert_allclose(block[1, 0], block[0, 1][[0, 2, 1, 3]], atol=1e-6)


def test_cholesky_of_a_batch():
    A = torch.randn(7, 8, 8, dtype=torch.float64)
    M = A @ A.transpose(-1, -2) + 0.1 * torch.eye(8, dtype=torch.float64)
    L = _cholesky(M)
    torch.testing.assert_close(L @ L.transpose(-1, -2), M)
    assert torch.all(L.triu(1) == 0)


def test_exp_of_a_confounder_moves_it_less_than_the_square_adjustment():
    # Seed 3022 of phase 19: column 2 causes columns 6 and 0, which are not adjacent.
    X, _, A = make_scm(1000, 10, mechanism="linear", random_state=3022)
    assert A[2, 6] and A[2, 0] and not (A[6, 0] or A[0, 6])
    Y = X.copy()
    Y[:, 2] = np.exp(Y[:, 2])
    ridge = torch.full((1,), 1e-3)
    moves = {}
    for name, block in (
        ("square", lambda c: _observational_stats(c, 10, ridge)[0, ..., -4:]),
        ("transforms", lambda c: adjusted_quadratic_partials(c, 10, ridge)[0]),
    ):
        moves[name] = float((block(_cross(Y))[6, 0, 0] - block(_cross(X))[6, 0, 0]).abs())
    assert moves["transforms"] < 0.5 * moves["square"], moves


def test_the_rule_reaches_the_tokens_and_nothing_else_changes():
    X, mask, _ = make_scm(300, 7, mechanism="mlp", random_state=0)
    X = torch.as_tensor(X, dtype=torch.float32)[None]
    square = pair_features(X)
    transforms = pair_features(X, adjustment="transforms")
    same = torch.ones(square.shape[-1], dtype=torch.bool)
    same[QUAD] = False
    torch.testing.assert_close(square[..., same], transforms[..., same])
    assert (square[..., QUAD] - transforms[..., QUAD]).abs().max() > 1e-3
    with pytest.raises(ValueError, match="adjustment must be one of"):
        pair_features(X, adjustment="cube")
    with pytest.raises(ValueError, match="adjustment must be one of"):
        ModelConfig(adjustment="cube")
    assert ModelConfig().feature_rules() == {"ridge": "fixed", "adjustment": "square"}


def test_model_and_training_stream_compute_features_with_the_checkpoints_adjustment():
    X, _, A = make_scm(n_nodes=6, n_samples=300, random_state=0)
    X = torch.as_tensor(X, dtype=torch.float32)[None]
    mask = torch.zeros(X.shape, dtype=torch.bool)
    model = Checkpoint.load(default_checkpoint_path()).build_model().eval()
    model.config.adjustment = "transforms"
    tokens = pair_features(X, mask, adjustment="transforms")
    item = {"X": X, "mask": mask, "adjacency": torch.as_tensor(A)[None]}
    rules = model.config.feature_rules()
    torch.testing.assert_close(_featurize(item, rules)["tokens"], tokens)
    with torch.no_grad():
        torch.testing.assert_close(model.edge_logits(X, mask), model(tokens))


def test_a_run_with_the_adjustment_resumes_exactly_and_its_checkpoint_reads_it(tmp_path):
    config = {**TINY, "model": {**TINY["model"], "adjustment": "transforms"}}
    pretrain(config, out=tmp_path / "straight", steps=6, device="cpu")
    pretrain(config, out=tmp_path / "split", steps=3, device="cpu")
    pretrain(
        None, out=tmp_path / "split", steps=6, resume=tmp_path / "split" / "resume.pt", device="cpu"
    )
    assert_same_run(load_resume(tmp_path / "straight"), load_resume(tmp_path / "split"))
    checkpoint = Checkpoint.load(tmp_path / "straight" / "skcausal-zeroshot.safetensors")
    assert checkpoint.model_config.adjustment == "transforms"
