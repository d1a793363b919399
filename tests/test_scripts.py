"""The measurement scripts run and print their tables (smoke runs on tiny settings)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = {
    "steps": 4,
    "warmup_steps": 1,
    "validation_samples": 60,
    "validation_datasets": 1,
    "model": {"dim": 16, "n_layers": 1, "n_heads": 2},
    "simulation": {"max_nodes": 6, "min_samples": 40, "max_samples": 80, "tokens_per_batch": 100},
}


def _run(*args, timeout=300):
    result = subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def tiny_config(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(TINY))
    return path


def test_bench_pretrain_prints_a_row_per_setting(tiny_config):
    out = _run(
        "benchmarks/bench_pretrain.py",
        "--config",
        tiny_config,
        "--workers",
        "0",
        "1",
        "--rounds",
        "1",
        "--warmup",
        "1",
        "--steps",
        "2",
    )
    rows = [line for line in out.splitlines() if line.startswith("| cpu |")]
    assert len(rows) == 2 and "waiting for data" in out


def test_validate_checkpoint_compares_checkpoints_by_kind(tiny_config, tmp_path):
    out = _run(
        "research/experiments/validate_checkpoint.py",
        "--config",
        tiny_config,
        "--plot",
        tmp_path / "bars.png",
    )
    assert (
        "| in-distribution | **mean** |" in out and "| out-of-distribution | **ood-mean** |" in out
    )
    assert (tmp_path / "bars.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_robustness_and_interventions_tables():
    out = _run("research/experiments/robustness.py", "--seeds", "1")
    assert "| exp of every column |" in out
    out = _run("research/experiments/interventions_by_kind.py", "--datasets", "2")
    assert "| soft |" in out and "| hard, off-target |" in out


def test_validate_checkpoint_reports_environments_for_a_prior_with_them(tmp_path):
    config = {**TINY, "simulation": {**TINY["simulation"], "environment_probability": 0.5}}
    path = tmp_path / "env.json"
    path.write_text(json.dumps(config))
    v1 = ROOT / "pretrained" / "skcausal-zeroshot-v1.safetensors"
    env = ROOT / "pretrained" / "skcausal-zeroshot.safetensors"
    out = _run("research/experiments/validate_checkpoint.py", v1, env, "--config", path)
    targets = next(line for line in out.splitlines() if "targets: AUROC" in line)
    assert targets.split("|")[-3].strip() == "-"  # v1 has no target head
    assert 0.5 < float(targets.split("|")[-2]) <= 1.0


def test_environments_benchmark_prints_a_row_per_mechanism_and_seed():
    env = ROOT / "pretrained" / "skcausal-zeroshot.safetensors"
    out = _run(
        "research/experiments/environments_benchmark.py",
        env,
        "--seeds",
        "1",
        "--datasets",
        "2",
        "--nodes",
        "6",
        "--samples",
        "300",
        "--baseline",
        ROOT / "pretrained" / "skcausal-zeroshot-v1.safetensors",
    )
    rows = [
        line for line in out.splitlines() if line.startswith(("| linear |", "| mlp |", "| tanh |"))
    ]
    assert len(rows) == 3 and "| all |" in out


def test_bench_windows_compares_windows_with_all_columns():
    out = _run("benchmarks/bench_windows.py", "--suite", "smoke", "--windows", "3")
    rows = [line for line in out.splitlines() if line.startswith("| 5 |")]
    assert len(rows) == 6  # 3 families x 2 settings
    assert "all columns" in out and "windows of 3" in out


def test_the_ranks_order_block_does_not_move_under_monotone_maps():
    # research/experiments/invariant_order.py (#23, phase 25) claims its block is exactly
    # invariant: the same block after increasing maps of columns, and after a decreasing one the
    # same order with the partial correlations of that column's pairs negated.
    import importlib.util

    import numpy as np

    from skcausal.datasets import make_scm

    path = ROOT / "research" / "experiments" / "invariant_order.py"
    spec = importlib.util.spec_from_file_location("invariant_order", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    X, _, A = make_scm(600, 8, mechanism="linear", noise="laplace", random_state=3)
    block = module.ranks_block(X)
    moved = X.copy()
    moved[:, 0] = np.exp(X[:, 0] / X[:, 0].std())
    moved[:, 1] = X[:, 1] ** 3
    moved[:, 2] = -X[:, 2]
    again = module.ranks_block(moved)
    sign = np.ones(8)
    sign[2] = -1.0
    np.testing.assert_allclose(again[..., :4], block[..., :4], atol=1e-12)
    np.testing.assert_allclose(again[..., 4], block[..., 4] * np.outer(sign, sign), atol=1e-10)
    # and it is an order: positions 0..1, each pair once each way round
    assert block[..., 1].min() == 0 and block[..., 1].max() == 1
    assert np.array_equal(block[..., 3], -block[..., 3].T)
    # the values' block, read from the same data, moves under the same maps: its partial
    # correlations assume linear columns
    values, values_moved = module.values_block(X), module.values_block(moved)
    assert np.abs(values_moved[..., 4] - values[..., 4]).max() > 0.1
