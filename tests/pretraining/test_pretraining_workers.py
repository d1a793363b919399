"""pretrain(num_workers=K): the simulation runs in worker processes and the run stays exact."""

import json
from pathlib import Path

import pytest
import torch
from _runs import TINY, assert_same_run

from skcausal import pretrain
from skcausal.datasets import SCMBatchSampler, SimulationConfig
from skcausal.pretraining import load_resume
from skcausal.pretraining._stream import TrainingStream, stream_seed
from skcausal.zeroshot._features import pair_features

SIMULATION = SimulationConfig(**TINY["simulation"])


def _take(stream, n):
    return [next(stream) for _ in range(n)]


def _same_batches(a, b):
    return len(a) == len(b) and all(
        all(x is y is None or torch.equal(x, y) for x, y in zip(p, q)) for p, q in zip(a, b)
    )


def test_workers_interleave_their_own_seeded_streams():
    # Independent oracle: one in-process sampler per worker, seeded from (seed, rank, worker),
    # taken in turn, must give exactly the batches the worker processes hand over.
    stream = TrainingStream(SIMULATION, seed=3, rank=1, num_workers=2)
    try:
        got = _take(stream, 6)
    finally:
        stream.close()
    samplers = [iter(SCMBatchSampler(SIMULATION, generator=stream_seed(3, 1, w))) for w in range(2)]
    expected, threads = [], torch.get_num_threads()
    torch.set_num_threads(1)  # as in the workers, so that the features' sums round alike
    try:
        for i in range(6):
            batch = next(samplers[i % 2])
            expected.append((pair_features(batch.X, batch.intervention_mask), batch.adjacency))
    finally:
        torch.set_num_threads(threads)
    assert _same_batches(got, expected)
    assert not torch.equal(got[0][0], got[1][0])


def test_stream_state_continues_exactly_mid_cycle():
    # Stop after 5 batches (worker 1 is due next, workers ran ahead): the state continues exactly.
    straight = TrainingStream(SIMULATION, seed=0, rank=0, num_workers=3)
    first = TrainingStream(SIMULATION, seed=0, rank=0, num_workers=3)
    try:
        expected = _take(straight, 9)
        _take(first, 5)
        state = first.state()
    finally:
        straight.close()
        first.close()
    assert state["next_worker"] == 2 and state["num_workers"] == 3
    resumed = TrainingStream(SIMULATION, seed=0, rank=0, num_workers=3, state=state)
    try:
        assert _same_batches(_take(resumed, 4), expected[5:])
    finally:
        resumed.close()


def test_stream_refuses_a_state_for_other_workers():
    stream = TrainingStream(SIMULATION, seed=0, rank=0, num_workers=0)
    with pytest.raises(ValueError, match="for 0 workers, not 2"):
        TrainingStream(SIMULATION, seed=0, rank=0, num_workers=2, state=stream.state())


def test_resume_with_workers_equals_an_uninterrupted_run(tmp_path):
    pretrain(TINY, out=tmp_path / "straight", steps=9, device="cpu", num_workers=2)
    pretrain(TINY, out=tmp_path / "split", steps=5, device="cpu", num_workers=2)
    pretrain(
        None,
        out=tmp_path / "split",
        steps=9,
        resume=tmp_path / "split",
        device="cpu",
        num_workers=2,
    )
    a, b = load_resume(tmp_path / "straight"), load_resume(tmp_path / "split")
    assert a["step"] == 9 and a["num_workers"] == 2 and a["data_streams"][0]["next_worker"] == 1
    assert_same_run(a, b)
    # and it is a different stream from simulating in the training process
    c = pretrain(TINY, out=tmp_path / "inprocess", steps=9, device="cpu")
    assert not torch.equal(load_resume(c.parent)["model"]["head.weight"], a["model"]["head.weight"])


def test_resume_with_other_workers_reseeds_with_a_warning(tmp_path):
    pretrain(TINY, out=tmp_path, steps=3, device="cpu", num_workers=1)
    with pytest.warns(UserWarning, match=r"different number of data workers \(1 -> 2\)"):
        pretrain(None, out=tmp_path, resume=tmp_path, steps=5, device="cpu", num_workers=2)
    state = load_resume(tmp_path)
    assert state["step"] == 5 and state["data_streams"][0]["num_workers"] == 2


def test_resume_file_from_before_workers_still_continues_exactly(tmp_path):
    pretrain(TINY, out=tmp_path / "straight", steps=6, device="cpu")
    pretrain(TINY, out=tmp_path / "old", steps=4, device="cpu")
    state = load_resume(tmp_path / "old")
    # the layout written before workers existed: one generator state per rank, no stream records
    state["data_rng"] = [s["rng"][0] for s in state.pop("data_streams")]
    del state["num_workers"]
    torch.save(state, tmp_path / "old" / "resume.pt")
    pretrain(None, out=tmp_path / "old", resume=tmp_path / "old", steps=6, device="cpu")
    assert_same_run(load_resume(tmp_path / "straight"), load_resume(tmp_path / "old"))


def test_workers_set_threads_only_for_the_run(tmp_path):
    before = torch.get_num_threads()
    seen = []
    pretrain(
        TINY,
        out=tmp_path,
        steps=2,
        device="cpu",
        num_workers=1,
        threads=1,
        callbacks=[lambda step, logs: seen.append((torch.get_num_threads(), logs["data_seconds"]))],
    )
    assert [threads for threads, _ in seen] == [1, 1]
    assert all(0 <= wait for _, wait in seen)
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("bad", [-1, 1.5, "2"])
def test_bad_num_workers_is_refused(tmp_path, bad):
    with pytest.raises(ValueError, match="num_workers"):
        pretrain(TINY, out=tmp_path, steps=1, device="cpu", num_workers=bad)


def test_precision_is_validated_and_bf16_trains(tmp_path):
    with pytest.raises(ValueError, match="precision"):
        pretrain({**TINY, "precision": "fp8"}, out=tmp_path, steps=1, device="cpu")
    losses = []
    pretrain(
        {**TINY, "precision": "bf16"},
        out=tmp_path / "bf16",
        steps=3,
        device="cpu",
        callbacks=[lambda step, logs: losses.append(logs["loss"])],
    )
    assert len(losses) == 3 and all(torch.isfinite(torch.tensor(losses)))


def test_resume_file_alone_continues_the_run_elsewhere_with_its_whole_log(tmp_path):
    # A fresh machine has only what the repository holds: the resume file. Continued into another
    # folder, the log and plot still span every phase, and the phases are recorded.
    pretrain(TINY, out=tmp_path / "first", steps=5, device="cpu", num_workers=1)
    kept = tmp_path / "repo" / "pretrained" / "runs" / "tiny"
    kept.mkdir(parents=True)
    (kept / "resume.pt").write_bytes((tmp_path / "first" / "resume.pt").read_bytes())
    pretrain(
        None,
        out=tmp_path / "second",
        resume=kept / "resume.pt",
        steps=8,
        device="cpu",
        num_workers=1,
    )
    pretrain(TINY, out=tmp_path / "straight", steps=8, device="cpu", num_workers=1)
    assert_same_run(load_resume(tmp_path / "straight"), load_resume(tmp_path / "second"))
    rows = (tmp_path / "second" / "log.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in rows[1:]] == ["0.0", "3.0", "5.0", "6.0", "8.0"]
    assert "data_wait" in rows[0].split(",")
    meta = json.loads((tmp_path / "second" / "skcausal-zeroshot.json").read_text())
    assert [(phase["step"], phase["num_workers"]) for phase in meta["phases"]] == [(0, 1), (5, 1)]
    assert (tmp_path / "second" / "training.png").stat().st_size > 0


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (Path(__file__).parents[2] / "configs").glob("*.json"))
)
def test_shipped_configs_are_valid_training_configs(name, repo_root):
    from skcausal.pretraining import TrainConfig

    config = TrainConfig.from_json(repo_root / "configs" / name)
    assert config.steps > config.warmup_steps and config.simulation.tokens_per_batch >= 6400


def test_worker_seeds_stay_clear_of_validation_and_benchmark_seeds():
    seeds = {
        stream_seed(s, r, w, k)
        for s in range(4)
        for r in range(3)
        for w in range(4)
        for k in (0, 7)
    }
    assert len(seeds) == 4 * 3 * 4 * 2  # distinct streams
    assert all(2**32 <= seed < 2**48 for seed in seeds)


def test_init_from_starts_a_new_run_from_given_weights(tmp_path):
    from skcausal.zeroshot import Checkpoint

    first = pretrain(TINY, out=tmp_path / "first", steps=3, device="cpu")
    # steps=0 writes the starting weights untouched: exactly the given checkpoint's
    pretrain(TINY, out=tmp_path / "second", steps=0, device="cpu", init_from=first)
    loaded, source = (
        Checkpoint.load(tmp_path / "second" / "skcausal-zeroshot.safetensors"),
        Checkpoint.load(first),
    )
    for name, tensor in source.state_dict.items():
        assert torch.equal(loaded.state_dict[name], tensor), name
    assert loaded.metadata["phases"][0]["init_from_sha256"] == source.metadata["weights_sha256"]
    assert load_resume(tmp_path / "second")["optimizer"]["state"] == {}  # a fresh optimiser
    other = {**TINY, "model": {"dim": 32, "n_layers": 1, "n_heads": 2}}
    with pytest.raises(ValueError, match="model config"):
        pretrain(other, out=tmp_path / "third", steps=1, device="cpu", init_from=first)
    with pytest.raises(ValueError, match="cannot be combined with resume"):
        pretrain(
            None, out=tmp_path / "first", resume=tmp_path / "first", device="cpu", init_from=first
        )
