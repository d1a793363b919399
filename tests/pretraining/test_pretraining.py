"""pretrain(): the loop learns, resumes exactly, survives SIGKILL, and runs under torchrun."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from _runs import TINY, assert_same_run

from skcausal import pretrain
from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.metrics import edge_auroc
from skcausal.pretraining import TrainConfig, learning_rate, load_resume
from skcausal.pretraining._train import edge_loss
from skcausal.zeroshot import Checkpoint, ModelConfig, PairGridTransformer
from skcausal.zeroshot._features import pair_features


def _env():
    return {**os.environ, "OMP_NUM_THREADS": "1"}


def test_a_tiny_model_overfits_a_handful_of_graphs():
    torch.manual_seed(0)
    sampler = SCMBatchSampler(SimulationConfig(mechanisms=("linear",)), generator=0)
    batch = sampler.sample(4, 6, 200, n_targets=0, intervention_fraction=0.0)
    tokens = pair_features(batch.X, batch.intervention_mask)
    model = PairGridTransformer(ModelConfig(dim=32, n_layers=2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    first = float(edge_loss(model(tokens), batch.adjacency).detach())
    for _ in range(300):
        loss = edge_loss(model(tokens), batch.adjacency)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(loss) < 0.1 * first
    with torch.no_grad():
        probs = torch.sigmoid(model(tokens)).numpy()
    for p, a in zip(probs, batch.adjacency.numpy()):
        assert edge_auroc(a, p) > 0.99


def test_learning_rate_schedule():
    cfg = TrainConfig(steps=100, warmup_steps=10, learning_rate=1e-3, min_learning_rate=1e-5)
    assert learning_rate(0, cfg) == pytest.approx(1e-4)
    assert learning_rate(9, cfg) == pytest.approx(1e-3)
    assert learning_rate(10, cfg) == pytest.approx(1e-3)
    assert learning_rate(55, cfg) == pytest.approx((1e-3 + 1e-5) / 2)
    assert learning_rate(100, cfg) == pytest.approx(1e-5)
    assert learning_rate(500, cfg) == pytest.approx(1e-5)


def test_pretrain_writes_checkpoint_log_and_plot(tmp_path):
    seen = []
    path = pretrain(
        TINY, out=tmp_path, steps=6, device="cpu", callbacks=[lambda s, logs: seen.append(s)]
    )
    assert seen == [1, 2, 3, 4, 5, 6]
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["step"] == 6 and meta["datasets_seen"] > 0 and "mean/auroc" in meta["validation"]
    assert (tmp_path / "training.png").stat().st_size > 0
    log = (tmp_path / "log.csv").read_text().splitlines()
    assert log[0].startswith("step,") and len(log) == 1 + 3  # steps 0, 3, 6
    assert Checkpoint.load(path).build_model()  # loads cleanly
    assert not list(tmp_path.glob("*.tmp"))


def test_callback_can_stop_the_run(tmp_path):
    pretrain(TINY, out=tmp_path, steps=30, device="cpu", callbacks=[lambda s, logs: s >= 4])
    assert load_resume(tmp_path)["step"] == 4


def test_resume_equals_an_uninterrupted_run(tmp_path):
    pretrain(TINY, out=tmp_path / "straight", steps=8, device="cpu")
    pretrain(TINY, out=tmp_path / "split", steps=5, device="cpu")
    pretrain(
        None, out=tmp_path / "split", steps=8, resume=tmp_path / "split" / "resume.pt", device="cpu"
    )
    a, b = load_resume(tmp_path / "straight"), load_resume(tmp_path / "split")
    assert a["step"] == b["step"] == 8
    assert_same_run(a, b)
    # the log was continued, not restarted
    steps = [
        line.split(",")[0] for line in (tmp_path / "split" / "log.csv").read_text().splitlines()[1:]
    ]
    assert steps == ["0.0", "3.0", "5.0", "6.0", "8.0"]


def test_resume_refuses_a_different_config(tmp_path):
    pretrain(TINY, out=tmp_path, steps=3, device="cpu")
    other = {**TINY, "learning_rate": 0.5}
    with pytest.raises(ValueError, match=r"differs .* in \['learning_rate'\]"):
        pretrain(other, out=tmp_path, resume=tmp_path, device="cpu")


def test_resume_may_change_the_schedule_length(tmp_path):
    pretrain(TINY, out=tmp_path, steps=3, device="cpu")
    shorter = {**TINY, "steps": 5}
    with pytest.warns(UserWarning, match="schedule length changed from 40 to 5"):
        pretrain(shorter, out=tmp_path, resume=tmp_path, device="cpu")
    state = load_resume(tmp_path)
    assert state["step"] == 5 and state["config"]["steps"] == 5


def test_truncated_resume_file_is_refused(tmp_path):
    pretrain(TINY, out=tmp_path, steps=3, device="cpu")
    resume = tmp_path / "resume.pt"
    resume.write_bytes(resume.read_bytes()[:1000])
    with pytest.raises(ValueError, match="not a complete resume file"):
        pretrain(None, out=tmp_path, resume=resume, device="cpu")


def test_sigkill_mid_run_then_resume(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(
        json.dumps({**TINY, "steps": 100_000, "checkpoint_every": 1, "validate_every": 50})
    )
    out = tmp_path / "run"
    cmd = [
        sys.executable,
        "-m",
        "skcausal",
        "pretrain",
        "--config",
        str(config),
        "--out",
        str(out),
        "--device",
        "cpu",
        "--threads",
        "1",
    ]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not (out / "checkpoints.log").exists():
            time.sleep(0.2)
        time.sleep(1.5)  # several more checkpoints are being written; kill during one of them
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    state = load_resume(out)  # complete, whatever moment the kill hit
    checkpoint = Checkpoint.load(out / "skcausal-zeroshot.safetensors")
    assert state["step"] >= 1 and checkpoint.metadata["step"] in (state["step"], state["step"] - 1)
    pretrain(None, out=out, resume=out, steps=state["step"] + 2, device="cpu")
    assert load_resume(out)["step"] == state["step"] + 2


@pytest.mark.slow
def test_torchrun_two_processes_then_single_process_resume(tmp_path):
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY))
    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "skcausal",
        "pretrain",
        "--config",
        str(config),
        "--out",
        str(out),
        "--steps",
        "6",
        "--device",
        "cpu",
        "--threads",
        "1",
        "--workers",
        "1",
    ]
    result = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    state = load_resume(out)
    assert state["step"] == 6
    ranks = state["data_streams"]  # each rank ran its own worker, with its own stream
    assert len(ranks) == 2 and all(r["num_workers"] == 1 for r in ranks)
    assert not torch.equal(ranks[0]["rng"][0], ranks[1]["rng"][0])
    lines = (out / "checkpoints.log").read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["step=3", "step=6"]  # once per checkpoint
    assert all("rank=0 world_size=2" in line for line in lines)
    assert json.loads((out / "skcausal-zeroshot.json").read_text())["world_size"] == 2
    with pytest.warns(UserWarning, match="different number of processes"):
        pretrain(None, out=out, resume=out, steps=8, device="cpu", num_workers=1)
    assert load_resume(out)["step"] == 8
    assert np.isfinite(
        json.loads((out / "skcausal-zeroshot.json").read_text())["validation"]["mean/auroc"]
    )
