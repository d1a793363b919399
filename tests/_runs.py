"""Shared by the pretraining tests and the environments tests: a tiny training config that runs in
seconds, and the bit-for-bit comparison of two runs' resume files."""

import torch

TINY = {
    "steps": 40,
    "warmup_steps": 2,
    "validate_every": 3,
    "checkpoint_every": 3,
    "validation_samples": 60,
    "validation_datasets": 1,
    "model": {"dim": 16, "n_layers": 1, "n_heads": 2},
    "simulation": {
        "min_nodes": 3,
        "max_nodes": 6,
        "min_samples": 40,
        "max_samples": 80,
        "tokens_per_batch": 100,
        "mechanisms": ["linear", "mlp"],
    },
}


def assert_same_run(a, b):
    """Two resume files hold the same model, optimiser and data-stream positions, bit for bit."""
    assert a["step"] == b["step"] and a["datasets_seen"] == b["datasets_seen"]
    for name in a["model"]:
        assert torch.equal(a["model"][name], b["model"][name]), name
    for k, state in a["optimizer"]["state"].items():
        for key in state:
            assert torch.equal(state[key], b["optimizer"]["state"][k][key])
    assert len(a["data_streams"]) == len(b["data_streams"])
    for x, y in zip(a["data_streams"], b["data_streams"]):
        assert x["num_workers"] == y["num_workers"] and x["next_worker"] == y["next_worker"]
        assert all(torch.equal(u, v) for u, v in zip(x["rng"], y["rng"]))
