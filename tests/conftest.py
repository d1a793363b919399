"""Fixtures shared by the test folders (which mirror the package's), and the settings every test
runs under.

pytest puts this folder on ``sys.path``, so helpers beside this file (``_strategies.py``) import
from any test folder.
"""

from pathlib import Path

import matplotlib

# No test opens a window: one non-interactive backend for every test, set before pyplot loads.
matplotlib.use("Agg")

import pytest  # noqa: E402
import sklearn  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo_root():
    """The repository's top folder (configs/, examples/, pretrained/, README.md)."""
    return ROOT


@pytest.fixture
def test_data():
    """tests/data/: the stored regression references (reference probabilities, streams)."""
    return ROOT / "tests" / "data"


@pytest.fixture
def routing():
    """scikit-learn's metadata routing switched on for the test."""
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture
def close_figures():
    """Closes every matplotlib figure the test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def uncalibrated_checkpoint(tmp_path_factory):
    """The shipped weights without their calibration: what the network's passes average to."""
    from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path

    checkpoint = Checkpoint.load(default_checkpoint_path())
    checkpoint.metadata.pop("calibration", None)
    return checkpoint.save(tmp_path_factory.mktemp("uncalibrated") / "skcausal-zeroshot")
