"""Pretraining's validation sets: in-distribution, out-of-distribution and real structures."""

import numpy as np
import pytest
import torch
from scipy.stats import norm

from skcausal.datasets import SimulationConfig
from skcausal.datasets._simulator import SCMBatch
from skcausal.pretraining import _holdout
from skcausal.pretraining._holdout import (
    ValidationSuite,
    _shuffled,
    clustered_dag,
    normal_scores,
    quantize,
)
from skcausal.zeroshot import ModelConfig, PairGridTransformer

SMALL = SimulationConfig(min_nodes=3, max_nodes=12, mechanisms=("linear", "mlp"))


def test_normal_scores_are_the_normal_quantiles_of_the_ranks():
    X = torch.randn(2, 50, 3).exp()  # skewed marginals
    Z = normal_scores(X)
    expected = norm.ppf((np.arange(50) + 0.5) / 50)
    for b in range(2):
        for j in range(3):
            np.testing.assert_allclose(np.sort(Z[b, :, j].numpy()), expected, atol=1e-5)
            assert (np.argsort(Z[b, :, j].numpy()) == np.argsort(X[b, :, j].numpy())).all()


def test_quantize_keeps_the_order_with_three_to_eight_levels():
    X = torch.randn(4, 200, 5)
    Q = quantize(X, torch.Generator().manual_seed(0))
    for b in range(4):
        for j in range(5):
            levels = torch.unique(Q[b, :, j])
            assert 3 <= len(levels) <= 8
            order = X[b, :, j].argsort()
            assert (Q[b, order, j].diff() >= 0).all()


def test_clustered_dag_is_dense_within_and_sparse_between_blocks():
    g = torch.Generator().manual_seed(1)
    dags = [clustered_dag(40, g) for _ in range(20)]
    assert all(torch.equal(dag, torch.triu(dag, 1)) for dag in dags)
    density = torch.stack([d.float().sum() for d in dags]).mean() / (40 * 39 / 2)
    # about a quarter of the pairs share a block: 0.25 * 0.25 + 0.75 * 0.01 = 0.07
    assert 0.04 < float(density) < 0.10


def test_shuffle_relabels_data_and_graph_alike():
    b, n, d = 3, 4, 5
    X = torch.arange(d, dtype=torch.float32).expand(b, n, d).clone()  # column j holds j
    adjacency = torch.triu(torch.randint(0, 2, (b, d, d)).float(), 1)
    out = _shuffled(
        SCMBatch(X, torch.zeros(b, n, d, dtype=torch.bool), adjacency), torch.Generator()
    )
    for k in range(b):
        original = out.X[k, 0].long()  # new column c shows the old node original[c]
        expected = adjacency[k][original][:, original]
        assert torch.equal(out.adjacency[k], expected)


def test_in_distribution_sets_do_not_change_when_other_kinds_are_added():
    plain = ValidationSuite(SMALL, n_samples=60, n_datasets=2)
    full = ValidationSuite(SMALL, n_samples=60, n_datasets=2, ood=True, structures=True)
    for family, batches in plain.families.items():
        for a, b in zip(batches, full.families[family]):
            assert torch.equal(a.X, b.X) and torch.equal(a.adjacency, b.adjacency)
    assert set(full.groups) == {"mean", "ood-mean", "real-mean"}
    # max_nodes = 12: only networks up to 36 nodes (child, insurance, water)
    assert [b.X.shape[2] for b in full.families["real-linear"]] == [20, 27, 32]
    assert {b.X.shape[2] for b in full.families["ood-clustered"]} == {12}


def test_evaluate_reports_every_family_and_each_kind_mean():
    suite = ValidationSuite(SMALL, n_samples=60, n_datasets=2, ood=True, structures=True)
    model = PairGridTransformer(ModelConfig(dim=16, n_layers=1, n_heads=2))
    results = suite.evaluate(model, torch.device("cpu"))
    for family in list(suite.families) + list(suite.groups):
        for metric in ("auroc", "auprc", "shd"):
            assert np.isfinite(results[f"{family}/{metric}"]), (family, metric)
    ood = [results[f"ood-{f}/auprc"] for f in _holdout.OOD_FAMILIES]
    assert results["ood-mean/auprc"] == pytest.approx(np.mean(ood))
    assert suite.counts()["real-linear"] == 3  # one dataset per network


def test_real_structures_are_skipped_with_a_warning_without_pgmpy(monkeypatch):
    def missing(name):
        raise ModuleNotFoundError("real network structures need pgmpy 1.0")

    monkeypatch.setattr("skcausal.datasets.load_bnlearn_structure", missing)
    with pytest.warns(UserWarning, match="real-structure validation skipped"):
        suite = ValidationSuite(SMALL, n_samples=60, n_datasets=2, structures=True)
    assert "real-mean" not in suite.groups and not any(f.startswith("real") for f in suite.families)
