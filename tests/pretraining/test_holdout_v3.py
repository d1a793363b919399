"""The validation families that v3 is selected on (pretraining/_holdout_v3.py)."""

from types import SimpleNamespace

import numpy as np
import torch

from skcausal.datasets._simulator import SCMBatch
from skcausal.pretraining._holdout_v3 import _rows_of_environment, add_noise


def test_the_observational_block_of_a_screen_is_its_reference_rows():
    X = torch.arange(2 * 6 * 3, dtype=torch.float32).reshape(2, 6, 3)
    labels = torch.tensor([[0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]])
    batch = SCMBatch(X, X > 20, torch.zeros(2, 3, 3), environments=labels)
    obs = _rows_of_environment(batch, 0)
    assert torch.equal(obs.X, X[:, :2])
    assert torch.equal(obs.intervention_mask, (X > 20)[:, :2])


def test_noise_families_have_no_edges_and_independent_columns():
    suite = SimpleNamespace(families={})
    add_noise(suite, n_datasets=4)
    assert sorted(suite.families) == ["noise-n10", "noise-n1000", "noise-n50"]
    for (batch,) in suite.families.values():
        assert batch.adjacency.sum() == 0
    X = suite.families["noise-n1000"][0].X[0].numpy()
    off = np.corrcoef(X.T)[~np.eye(10, dtype=bool)]
    assert np.abs(off).max() < 0.15
