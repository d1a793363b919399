"""interpolate_checkpoints: WiSE-FT weight averaging of a checkpoint and its fine-tune."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.pretraining import interpolate_checkpoints
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._model import ModelConfig, PairGridTransformer

ROOT = Path(__file__).resolve().parents[2]
SMALL = {"dim": 16, "n_layers": 1, "n_heads": 2}


def _checkpoint(seed, **config):
    torch.manual_seed(seed)
    model = PairGridTransformer(ModelConfig(**SMALL, **config))
    with torch.no_grad():  # non-zero everywhere, so that a wrong mix cannot pass by accident
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return Checkpoint.from_model(
        model, {"training_config": {"seed": seed}, "validation": {"mean/auprc": seed}}
    )


@pytest.fixture(scope="module")
def pair():
    # A v1-like base (57 token features, no target head) and a v2-like descendant.
    return _checkpoint(0, n_features=57), _checkpoint(1, target_head=True)


def _probabilities(checkpoint, tmp_path, name):
    path = checkpoint.save(tmp_path / f"{name}.safetensors")
    X, _, _ = make_scm(300, 6, random_state=3)
    return ZeroShotCausalDiscovery(checkpoint=path, device="cpu").fit(X).edge_probabilities_


def test_alpha_zero_predicts_what_the_base_does(pair, tmp_path):
    base, finetuned = pair
    mixed = interpolate_checkpoints(base, finetuned, 0.0)
    assert mixed.model_config == finetuned.model_config
    np.testing.assert_allclose(
        _probabilities(mixed, tmp_path, "mixed"), _probabilities(base, tmp_path, "base"), atol=1e-6
    )
    assert not np.allclose(
        _probabilities(finetuned, tmp_path, "ft"), _probabilities(base, tmp_path, "base"), atol=1e-3
    )


def test_alpha_one_is_the_finetune_and_the_middle_is_the_average(pair):
    base, finetuned = pair
    assert all(
        torch.equal(v, finetuned.state_dict[k])
        for k, v in interpolate_checkpoints(base, finetuned, 1.0).state_dict.items()
    )
    half = interpolate_checkpoints(base, finetuned, 0.5).state_dict
    assert half.keys() == finetuned.state_dict.keys()
    for key, value in half.items():
        if (
            key == "embed.0.weight"
        ):  # the base's columns averaged, the new ones half the fine-tune's
            np.testing.assert_allclose(
                value[:, :57],
                (base.state_dict[key] + finetuned.state_dict[key][:, :57]) / 2,
                atol=1e-6,
            )
            np.testing.assert_allclose(
                value[:, 57:], finetuned.state_dict[key][:, 57:] / 2, atol=1e-6
            )
        elif key in base.state_dict:
            np.testing.assert_allclose(
                value, (base.state_dict[key] + finetuned.state_dict[key]) / 2, atol=1e-6
            )
        else:
            assert key.startswith("targets.") and torch.equal(value, finetuned.state_dict[key])


def test_metadata_names_both_parents(pair, tmp_path):
    base, finetuned = pair
    base_path = base.save(tmp_path / "base.safetensors")
    ft_path = finetuned.save(tmp_path / "ft.safetensors")
    saved = Checkpoint.load(
        interpolate_checkpoints(base_path, ft_path, 0.25).save(tmp_path / "mix.safetensors")
    )
    info = saved.metadata["interpolation"]
    assert info["alpha"] == 0.25
    assert info["base_sha256"] == Checkpoint.load(base_path).metadata["weights_sha256"]
    assert info["finetuned_sha256"] == Checkpoint.load(ft_path).metadata["weights_sha256"]
    assert saved.metadata["training_config"] == {"seed": 1}
    assert "validation" not in saved.metadata and info["finetuned_validation"] == {"mean/auprc": 1}


@pytest.mark.parametrize("alpha", [-0.1, 1.5, float("nan"), True, "0.5"])
def test_alpha_outside_zero_one_is_refused(pair, alpha):
    with pytest.raises(ValueError, match="alpha must be a number in"):
        interpolate_checkpoints(*pair, alpha)


def test_checkpoints_of_different_architectures_are_refused(pair):
    torch.manual_seed(2)
    other = Checkpoint.from_model(PairGridTransformer(ModelConfig(dim=32, n_layers=1, n_heads=2)))
    with pytest.raises(ValueError, match="cannot start a run"):
        interpolate_checkpoints(other, pair[1], 0.5)
    with pytest.raises(ValueError, match="cannot start a run"):  # the fine-tune must not read less
        interpolate_checkpoints(pair[1], pair[0], 0.5)


def test_the_script_writes_a_loadable_checkpoint(pair, tmp_path):
    base_path = pair[0].save(tmp_path / "base.safetensors")
    ft_path = pair[1].save(tmp_path / "ft.safetensors")
    result = subprocess.run(
        [
            sys.executable,
            "scripts/interpolate_checkpoints.py",
            base_path,
            ft_path,
            "--alpha",
            "0.7",
            "--out",
            tmp_path / "out",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert Checkpoint.load(tmp_path / "out").metadata["interpolation"]["alpha"] == 0.7
