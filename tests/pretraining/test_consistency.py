"""The consistency loss (``TrainConfig.consistency_*``): the paired view re-expresses one column per
dataset by a monotone map, the stream carries it exactly, and the loss term pulls the two views'
probabilities together."""

import numpy as np
import pytest
import torch
from _runs import TINY, assert_same_run
from scipy.stats import spearmanr

from skcausal import pretrain
from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.datasets._column_kinds import CONTINUOUS
from skcausal.pretraining import TrainConfig, load_resume
from skcausal.pretraining._paired import consistency_loss, paired_view
from skcausal.pretraining._stream import TrainingStream
from skcausal.pretraining._train import edge_loss
from skcausal.zeroshot import ModelConfig, PairGridTransformer
from skcausal.zeroshot._features import pair_features

SIMULATION = SimulationConfig(**TINY["simulation"])
PAIRED = {**TINY, "consistency_probability": 1.0}


def test_paired_view_maps_one_continuous_column_per_dataset_monotonically():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(6, 200, 5, dtype=torch.float64)
    X[0, :20, 2] = float("nan")  # missing cells stay missing
    kinds = torch.full((6, 5), CONTINUOUS, dtype=torch.int8)
    kinds[1, :3] = 1  # dataset 1: only columns 3 and 4 are continuous
    kinds[2, :] = 1  # dataset 2: none is
    Y = paired_view(X, kinds, g)
    assert torch.equal(torch.isnan(X), torch.isnan(Y))
    changed = ~torch.isclose(X, Y, equal_nan=True).all(1)  # (b, d)
    assert changed[2].sum() == 0 and changed[[0, 1, 3, 4, 5]].sum(1).tolist() == [1] * 5
    assert not changed[1, :3].any()
    for i, c in zip(*np.nonzero(changed.numpy())):
        seen = ~torch.isnan(X[i, :, c])
        assert spearmanr(X[i, seen, c], Y[i, seen, c]).statistic == pytest.approx(1.0)
        assert float(Y[i, seen, c].mean()) == pytest.approx(0.0, abs=1e-6)  # standardised


def test_stream_carries_the_paired_view_exactly():
    # Every batch without environments has a paired view; a stream continued from its state
    # draws the same views as one that never stopped.
    straight = TrainingStream(SIMULATION, seed=0, rank=0, paired_probability=1.0)
    batches = [next(straight) for _ in range(6)]
    assert all(b.paired_tokens is not None for b in batches)
    assert all(b.paired_tokens.shape == b.tokens.shape for b in batches)
    assert any(not torch.equal(b.paired_tokens, b.tokens) for b in batches)
    first = TrainingStream(SIMULATION, seed=0, rank=0, paired_probability=1.0)
    for _ in range(3):
        next(first)
    resumed = TrainingStream(
        SIMULATION, seed=0, rank=0, paired_probability=1.0, state=first.state()
    )
    for expected in batches[3:]:
        assert torch.equal(next(resumed).paired_tokens, expected.paired_tokens)
    # Off (the default), nothing is drawn: the stream is the one every earlier run saw.
    plain = TrainingStream(SIMULATION, seed=0, rank=0)
    assert next(plain).paired_tokens is None


def test_consistency_loss_is_zero_only_for_equal_views():
    logits = torch.randn(2, 4, 4)
    assert float(consistency_loss(logits, logits)) == 0.0
    assert float(consistency_loss(logits, logits + 1.0)) > 0.0


def test_max_reduction_is_each_datasets_largest_squared_difference():
    a, b = torch.zeros(2, 3, 3), torch.zeros(2, 3, 3)
    b[0, 0, 1] = 10.0  # dataset 0: one pair moves from 0.5 to about 1
    b[1, 2, 0] = -1.0  # dataset 1: one pair moves from 0.5 to about 0.27
    moves = [1 / (1 + np.exp(-10.0)) - 0.5, 1 / (1 + np.exp(1.0)) - 0.5]
    expected = np.mean(np.square(moves))
    assert float(consistency_loss(a, b, "max")) == pytest.approx(expected, rel=1e-6)
    # "mean": the two moves' squares over all 18 entries
    assert float(consistency_loss(a, b, "mean")) == pytest.approx(expected / 9, rel=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "max"])
def test_the_loss_term_pulls_the_views_together(reduction):
    # The same tiny model and batch, trained with and without the term: with it, the two views'
    # probabilities end closer.
    sampler = SCMBatchSampler(SimulationConfig(mechanisms=("linear",)), generator=0)
    batch = sampler.sample(8, 6, 300, n_targets=0, intervention_fraction=0.0)
    paired = paired_view(batch.X, None, torch.Generator().manual_seed(1))
    tokens = pair_features(batch.X, batch.intervention_mask)
    paired_tokens = pair_features(paired, batch.intervention_mask)
    gaps = {}
    for weight in (0.0, 100.0):
        torch.manual_seed(0)
        model = PairGridTransformer(ModelConfig(dim=16, n_layers=1, n_heads=2))
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
        for _ in range(100):
            logits, paired_logits = model(torch.cat([tokens, paired_tokens])).chunk(2)
            loss = edge_loss(logits, batch.adjacency)
            loss = loss + weight * consistency_loss(logits, paired_logits, reduction)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            a, b = model(tokens), model(paired_tokens)
            gaps[weight] = float((torch.sigmoid(a) - torch.sigmoid(b)).abs().max())
    assert gaps[100.0] < 0.5 * gaps[0.0], gaps


def test_a_run_with_the_consistency_loss_resumes_exactly(tmp_path):
    pretrain(PAIRED, out=tmp_path / "straight", steps=6, device="cpu")
    pretrain(PAIRED, out=tmp_path / "split", steps=3, device="cpu")
    pretrain(
        None, out=tmp_path / "split", steps=6, resume=tmp_path / "split" / "resume.pt", device="cpu"
    )
    assert_same_run(load_resume(tmp_path / "straight"), load_resume(tmp_path / "split"))


@pytest.mark.parametrize(
    "bad",
    [
        {"consistency_probability": 1.5},
        {"consistency_weight": -1.0},
        {"consistency_reduction": "median"},
    ],
)
def test_consistency_settings_are_validated(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        TrainConfig.from_dict({**TINY, **bad})
