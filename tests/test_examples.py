"""Every script in examples/ runs (with --smoke) and writes its pictures."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# script -> the PNG files it must write into --out
EXPECTED_PNGS = {
    "quickstart.py": ["quickstart_graph.png", "quickstart_edge_probabilities.png"],
    "pipeline_and_cv.py": ["pipeline_and_cv_best_graph.png", "pipeline_and_cv_threshold.png"],
    "interventions.py": ["interventions_graphs.png", "interventions_edge_probabilities.png"],
    "compare_baselines.py": ["compare_baselines_graphs.png"],
    "sachs.py": ["sachs_graphs.png", "sachs_edge_probabilities.png"],
    "sachs_knowledge.py": ["sachs_knowledge.png"],
}


def test_every_example_is_tested():
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(EXPECTED_PNGS)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(EXPECTED_PNGS))
def test_example_runs_in_smoke_mode(script, tmp_path):
    # One thread: the machine is shared, and the smoke runs are small anyway.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--smoke", "--out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert completed.stdout.strip(), "the example printed no result table"
    for name in EXPECTED_PNGS[script]:
        png = out / name
        assert png.is_file(), f"{script} did not write {name}"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000  # a real picture, not an empty canvas
    assert not (tmp_path / "example-output").exists()  # --out was honoured
