"""The device is checked before any work, one clear error per case (issue #24). CUDA and MPS are
simulated by patching torch's availability checks, so every case runs on a CPU-only machine."""

import re

import numpy as np
import pytest
import torch
from _runs import TINY
from sklearn.utils._param_validation import InvalidParameterError

import skcausal.zeroshot._estimator as estimator_module
from skcausal import ZeroShotCausalDiscovery, pretrain
from skcausal.zeroshot._checkpoint import torch_device

ACCEPTED = "device must be one of 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"


@pytest.fixture
def no_cuda(monkeypatch):
    """A CPU-only build of torch."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", None)
    monkeypatch.setattr(torch.version, "hip", None, raising=False)


@pytest.fixture
def no_gpu(monkeypatch):
    """A CUDA build of torch on a machine without a visible GPU."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.version, "cuda", "12.4")


@pytest.fixture
def one_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)


@pytest.fixture
def no_mps(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_built", lambda: True)


@pytest.fixture
def no_heavy_work(monkeypatch):
    """Fail the test if the checkpoint is loaded or the data validated."""

    def forbidden(*args, **kwargs):
        raise AssertionError("work started before the device was checked")

    monkeypatch.setattr(estimator_module, "_cached_checkpoint", forbidden)
    monkeypatch.setattr(estimator_module.ZeroShotCausalDiscovery, "_validate_fit_input", forbidden)


def test_cuda_with_a_cpu_only_torch(no_cuda):
    message = (
        "device='cuda' asks for CUDA, but CUDA is not available: this build of torch "
        f"({torch.__version__}) is CPU-only. Use device='cpu' or device='auto' (CUDA when present, "
        "else the CPU), or install a CUDA build of torch on a machine with an NVIDIA GPU."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        torch_device("cuda")
    with pytest.raises(ValueError, match=r"device='cuda:1' asks for CUDA, .* is CPU-only"):
        torch_device("cuda:1")


def test_cuda_without_a_gpu(no_gpu):
    with pytest.raises(
        ValueError,
        match=r"CUDA is not available: torch has CUDA support but sees no GPU .* "
        r"Use device='cpu' or device='auto'",
    ):
        torch_device("cuda")


def test_a_cuda_index_beyond_the_visible_gpus(one_gpu):
    assert torch_device("cuda:0") == torch.device("cuda", 0)
    with pytest.raises(
        ValueError, match=r"asks for CUDA GPU 3, but only 1 is visible \(cuda:0 to cuda:0\)"
    ):
        torch_device("cuda:3")


def test_mps_when_it_is_not_available(no_mps, monkeypatch):
    with pytest.raises(
        ValueError,
        match=r"^device='mps' asks for Apple's MPS backend, but MPS is not available: this "
        r"machine has no MPS device .* Use device='cpu', or device='auto'",
    ):
        torch_device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_built", lambda: False)
    with pytest.raises(ValueError, match="was built without MPS support"):
        torch_device("mps")


@pytest.mark.parametrize("device", ["gpu", "tpu", "CUDA", "cuda:", "cuda:x", "meta", "", None, 0])
def test_unknown_names_get_one_message_listing_the_accepted_ones(device):
    # One message, not torch's parse error appended to ours.
    message = f"^{re.escape(ACCEPTED)}; got {re.escape(repr(device))}.$"
    with pytest.raises(ValueError, match=message):
        torch_device(device)


def test_auto_and_cpu(no_cuda):
    assert torch_device("auto") == torch.device("cpu")
    assert torch_device("cpu") == torch.device("cpu")
    assert torch_device(torch.device("cpu")) == torch.device("cpu")


def test_auto_uses_cuda_when_present(one_gpu):
    assert torch_device("auto") == torch.device("cuda")


# -- the estimator checks the device before any work ----------------------------------------------
@pytest.mark.parametrize(
    "device, simulate, message",
    [
        ("cuda", "no_cuda", "CUDA is not available: this build of torch"),
        ("cuda", "no_gpu", "CUDA is not available: torch has CUDA support but sees no GPU"),
        ("cuda:2", "one_gpu", "only 1 is visible"),
        ("mps", "no_mps", "MPS is not available"),
        ("gpu", None, re.escape(ACCEPTED)),
    ],
)
def test_fit_checks_the_device_before_the_data(request, no_heavy_work, device, simulate, message):
    if simulate:
        request.getfixturevalue(simulate)
    X = np.random.default_rng(0).normal(size=(50, 3))
    with pytest.raises(ValueError, match=message):
        ZeroShotCausalDiscovery(device=device).fit(X)
    # Before X is looked at: even data that would be refused gets the device's message.
    with pytest.raises(ValueError, match=message):
        ZeroShotCausalDiscovery(device=device).fit([["a", "b"], ["c", "d"]])


def test_the_parameter_type_is_still_validated_first():
    with pytest.raises(InvalidParameterError, match="device"):
        ZeroShotCausalDiscovery(device=0).fit([["a", "b"], ["c", "d"]])


def test_cpu_fits_as_before():
    X = np.random.default_rng(0).normal(size=(50, 3))
    est = ZeroShotCausalDiscovery(device="cpu").fit(X)
    assert est.checkpoint_info_["device"] == "cpu"


# -- pretrain's --device uses the same check -------------------------------------------------------
@pytest.mark.parametrize(
    "device, simulate, message",
    [("cuda", "no_cuda", "CUDA is not available"), ("gpu", None, re.escape(ACCEPTED))],
)
def test_pretrain_checks_the_device_first(request, tmp_path, device, simulate, message):
    if simulate:
        request.getfixturevalue(simulate)
    with pytest.raises(ValueError, match=message):
        pretrain(TINY, out=tmp_path / "run", steps=2, device=device)
    assert not (tmp_path / "run").exists()  # nothing was written before the check
