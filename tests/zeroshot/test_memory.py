"""Bounded memory at inference: chunking changes nothing but memory; oversize requests are
refused."""

import time

import numpy as np
import pytest
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import SCMBatchSampler
from skcausal.zeroshot import Checkpoint, InsufficientMemoryError, estimate_forward_bytes
from skcausal.zeroshot._features import pair_features
from skcausal.zeroshot._memory import check_memory, chunk_sizes, window_bytes


def test_row_chunks_give_the_same_features():
    batch = SCMBatchSampler(generator=3).sample(2, 9, 301, n_targets=4, intervention_fraction=0.5)
    whole = pair_features(batch.X, batch.intervention_mask)
    chunked = pair_features(batch.X, batch.intervention_mask, row_chunk=40)
    torch.testing.assert_close(chunked, whole, atol=1e-4, rtol=1e-4)


def test_grid_chunks_give_the_same_logits():
    model = Checkpoint.load().build_model()
    X = torch.randn(1, 200, 11, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        whole = model.edge_logits(X)
        chunked = model.edge_logits(X, chunk=3, row_chunk=64)
    torch.testing.assert_close(chunked, whole, atol=1e-4, rtol=1e-4)


def test_estimate_grows_with_d_squared_and_chunks_are_bounded():
    small, large = estimate_forward_bytes(1000, 100, 64), estimate_forward_bytes(1000, 200, 64)
    assert 3 < large / small < 5
    grid, rows = chunk_sizes(10_000, 500, 64)
    assert 1 <= grid <= 500 and 64 <= rows <= 10_000


def test_oversize_request_is_refused_before_allocating():
    X = np.random.default_rng(0).normal(size=(3, 20_000))  # 20k variables: ~100+ GB of tokens
    start = time.perf_counter()
    with pytest.raises(MemoryError, match="n_features=20000") as info:
        ZeroShotCausalDiscovery(device="cpu", max_columns=None).fit(X)
    assert isinstance(info.value, InsufficientMemoryError)
    assert "memory_limit" in str(info.value)
    # Read in windows, the passes are small but the d x d matrices are not (about 50 GB).
    with pytest.raises(InsufficientMemoryError, match="n_features=20000"):
        ZeroShotCausalDiscovery(device="cpu", max_columns="auto", memory_limit=8).fit(X)
    assert time.perf_counter() - start < 5  # nothing of that size was allocated


def test_windows_bound_the_pass_and_add_the_d_squared_matrices():
    full = estimate_forward_bytes(1000, 2000, 64)
    windowed = check_memory(1000, 2000, 64, "cpu", None, window=45)
    assert windowed == estimate_forward_bytes(1000, 45, 64) + window_bytes(2000)
    assert windowed < full / 5
    assert check_memory(1000, 40, 64, "cpu", None, window=45) == estimate_forward_bytes(
        1000, 40, 64
    )


def test_memory_limit_in_gb():
    X = np.random.default_rng(0).normal(size=(200, 30))
    with pytest.raises(InsufficientMemoryError, match="memory_limit=0.0001"):
        ZeroShotCausalDiscovery(memory_limit=0.0001).fit(X)
    assert ZeroShotCausalDiscovery(memory_limit=None).fit(X).adjacency_.shape == (30, 30)
    with pytest.raises(ValueError, match="memory_limit"):
        ZeroShotCausalDiscovery(memory_limit=-1).fit(X)
