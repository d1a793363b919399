"""Checkpoints: weights in ``NAME.safetensors`` beside metadata in ``NAME.json``.

Only these two formats are ever read (never pickle). The JSON carries the model config, the training
config and history, and the SHA-256 of the weights file, so a truncated or altered file is refused
before anything is loaded.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from skcausal._files import atomic_write_all
from skcausal.zeroshot._model import ModelConfig, PairGridTransformer
from skcausal.zeroshot._output_calibration import Calibration

FORMAT_VERSION = 1
DEFAULT_NAME = "skcausal-zeroshot"


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupted, or does not match the model it describes."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checkpoint_files(path) -> tuple[Path, Path]:
    """(weights, metadata) paths of a checkpoint given as either file, its stem, or its folder."""
    path = Path(path)
    if path.is_dir():
        candidates = sorted(path.glob("*.safetensors"))
        if len(candidates) != 1:
            raise CheckpointError(
                f"{path} is a folder with {len(candidates)} .safetensors files; "
                "name the file to load."
            )
        path = candidates[0]
    if path.suffix in (".json", ".safetensors"):
        path = path.with_suffix("")
    return path.with_suffix(".safetensors"), path.with_suffix(".json")


@functools.cache
def default_checkpoint_path() -> Path:
    """The weights that ship with the package (v3, with a target head, so also for fits with
    environments).

    An installed package (wheel, sdist or editable) carries them as the data package
    ``skcausal.pretrained``, found through :mod:`importlib.resources`; a source tree that was never
    installed falls back to the repository's ``pretrained/`` folder.
    """
    from importlib import resources

    name = DEFAULT_NAME
    try:
        shipped = resources.files("skcausal.pretrained") / f"{name}.safetensors"
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "pretrained" / f"{name}.safetensors"
    # Installed on a file system, the resource is a plain file; the loader needs a real path for
    # the weights and the JSON beside them, which a zipped install cannot give.
    return Path(str(shipped))


def _finish_interrupted_save(weights: Path, meta_path: Path, actual: str) -> dict | None:
    """The metadata of the weights on disk, when a save was killed between its two renames.

    :meth:`Checkpoint.save` stages both files and then renames them one after the other; a process
    killed between the renames leaves the new weights beside the old metadata, and the new metadata
    still staged under a temporary name. If a staged file matches the weights, the save is finished
    (the rename is done now, where the folder is writable) and its metadata returned.
    """
    for staged in sorted(meta_path.parent.glob(f".{meta_path.name}.*.tmp")):
        try:
            meta = json.loads(staged.read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError):
            continue
        if meta.get("weights_sha256") == actual:
            try:
                os.replace(staged, meta_path)
            except OSError:
                pass  # a read-only folder: use the staged metadata as it is
            return meta
    return None


@dataclass
class Checkpoint:
    """A model config, its weights and what is known of their training."""

    model_config: ModelConfig
    state_dict: dict
    metadata: dict = field(default_factory=dict)

    @classmethod
    def from_model(cls, model: PairGridTransformer, metadata: dict | None = None) -> Checkpoint:
        state = {
            k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()
        }
        return cls(model.config, state, dict(metadata or {}))

    def save(self, path) -> Path:
        """Write ``path`` (.safetensors) and its .json atomically; returns the weights path."""
        from skcausal import __version__

        weights, meta_path = checkpoint_files(path)
        data = save(self.state_dict)  # the bytes save_file would write
        meta = dict(self.metadata)
        meta.update(
            format_version=FORMAT_VERSION,
            package_version=__version__,
            model_config=self.model_config.to_dict(),
            weights_file=weights.name,
            weights_sha256=hashlib.sha256(data).hexdigest(),
        )
        # Both files are staged before either is replaced: a training run killed while saving
        # leaves a pair that matches its checksum (the old one or the new one).
        atomic_write_all(
            [
                (weights, lambda tmp: Path(tmp).write_bytes(data)),
                (
                    meta_path,
                    lambda tmp: Path(tmp).write_text(json.dumps(meta, indent=2, default=str)),
                ),
            ]
        )
        return weights

    @classmethod
    def load(cls, path=None) -> Checkpoint:
        """Read a checkpoint (default: the shipped one) and check it before trusting it."""
        weights, meta_path = checkpoint_files(
            path if path is not None else default_checkpoint_path()
        )
        for p in (weights, meta_path):
            if not p.exists():
                hint = (
                    " The installation is incomplete: reinstall skcausal, or pass checkpoint= "
                    "the path of a checkpoint."
                    if path is None
                    else ""
                )
                raise CheckpointError(f"checkpoint file not found: {p}.{hint}")
        try:
            meta = json.loads(meta_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise CheckpointError(
                f"{meta_path} is not valid JSON ({err}); the file is corrupted."
            ) from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise CheckpointError(
                f"{meta_path}: unsupported checkpoint format {meta.get('format_version')!r} "
                f"(this version reads {FORMAT_VERSION})."
            )
        actual = _sha256(weights)
        if actual != meta.get("weights_sha256"):
            meta = _finish_interrupted_save(weights, meta_path, actual) or meta
        if actual != meta.get("weights_sha256"):
            raise CheckpointError(
                f"{weights} does not match the checksum in {meta_path.name}: "
                "the file is truncated or "
                "altered. Re-download or re-copy the checkpoint."
            )
        try:
            config = ModelConfig(**meta["model_config"])
        except (KeyError, TypeError, ValueError) as err:
            raise CheckpointError(f"{meta_path}: invalid model_config ({err}).") from None
        try:
            state = load_file(weights)
        except (SafetensorError, OSError) as err:
            raise CheckpointError(f"{weights} could not be read as safetensors ({err}).") from None
        checkpoint = cls(config, state, meta)
        checkpoint._check_architecture()
        return checkpoint

    def _check_architecture(self):
        expected = {
            k: tuple(v.shape)
            for k, v in PairGridTransformer(self.model_config).state_dict().items()
        }
        found = {k: tuple(v.shape) for k, v in self.state_dict.items()}
        if expected != found:
            missing = sorted(set(expected) - set(found))[:3]
            extra = sorted(set(found) - set(expected))[:3]
            wrong = sorted(k for k in set(expected) & set(found) if expected[k] != found[k])[:3]
            raise CheckpointError(
                "the checkpoint's weights do not match its model_config "
                f"(missing {missing}, unexpected {extra}, wrong shape {wrong})."
            )

    def build_model(self, device="cpu") -> PairGridTransformer:
        model = PairGridTransformer(self.model_config)
        model.load_state_dict(self.state_dict)
        return model.to(device).eval()

    @property
    def calibration(self) -> Calibration:
        """What the estimator's edge probabilities (the mean over views, windows and row subsets)
        become (``_output_calibration``): a temperature, and where it applies a logistic map that
        also reads the order block, fitted after training on the out-of-distribution and
        real-structure validation sets (``scripts/calibrate_checkpoint.py``); none when the
        metadata has none."""
        return Calibration.from_metadata(self.metadata)

    @property
    def temperature(self) -> float:
        """The calibration temperature (1 when there is none)."""
        return self.calibration.temperature

    def info(self, path, device, calibration=None) -> dict:
        """What a fit records of the weights it used (the estimator's ``checkpoint_info_``) and
        of the calibration it applied (default: the checkpoint's)."""
        keys = ("weights_sha256", "step", "datasets_seen", "package_version")
        return {
            "path": path,
            **{key: self.metadata.get(key) for key in keys},
            "calibration": (calibration or self.calibration).kind,
            "device": device,
        }


@functools.lru_cache(maxsize=4)
def cached_checkpoint(path: str, mtime_ns: int, size: int) -> Checkpoint:
    """The checkpoint at ``path``, loaded once per (path, modification time, size)."""
    return Checkpoint.load(path)


@functools.lru_cache(maxsize=4)
def cached_model(path: str, mtime_ns: int, size: int, device: str):
    return cached_checkpoint(path, mtime_ns, size).build_model(device)


def file_key(checkpoint) -> tuple[str, int, int]:
    """The weights file with the checkpoint's modification time (the later of its two files') and
    the weights' size: a changed checkpoint is loaded anew, its JSON alone included (which holds
    the calibration temperature)."""
    if checkpoint is None:
        checkpoint = default_checkpoint_path()
    weights, metadata = checkpoint_files(checkpoint)
    weights = os.path.abspath(weights)  # not resolve(): that walks every folder of the path
    try:
        stat = os.stat(weights)
    except OSError:
        return weights, 0, 0
    try:
        mtime = max(stat.st_mtime_ns, os.stat(metadata).st_mtime_ns)
    except OSError:
        mtime = stat.st_mtime_ns
    return weights, mtime, stat.st_size


# The device names the package accepts (and says it accepts): torch knows more device types, but
# the model is only built and tested for these.
DEVICE_NAMES = "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"
_DEVICE_PATTERN = re.compile(r"(cpu|cuda|mps)(:\d+)?")


def torch_device(device="auto") -> torch.device:
    """The torch device for ``device``, checked to be usable here before any work is done.

    "auto" is CUDA when available, else the CPU (never MPS); "cpu", "cuda", "cuda:N" and "mps"
    name a device (a ``torch.device`` of those types is accepted too).

    Raises
    ------
    ValueError
        One message per case, each saying how to proceed: a name outside the accepted ones (the
        message lists them); "cuda" or "cuda:N" when CUDA is not available (a CPU-only build of
        torch, or no GPU visible); "cuda:N" beyond the GPUs visible; "mps" when Apple's MPS
        backend is not available.

    Examples
    --------
    >>> torch_device("cpu")
    device(type='cpu')
    >>> torch_device("gpu")
    Traceback (most recent call last):
    ...
    ValueError: device must be one of 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'gpu'.
    """
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if isinstance(device, torch.device):
        dev = device
    elif isinstance(device, str) and _DEVICE_PATTERN.fullmatch(device):
        dev = torch.device(device)
    else:
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device must be one of {DEVICE_NAMES}; got {device!r}.")
    if dev.type == "cuda":
        _check_cuda(device, dev)
    elif dev.type == "mps" and not torch.backends.mps.is_available():
        if not torch.backends.mps.is_built():
            why = f"this build of torch ({torch.__version__}) was built without MPS support"
        else:
            why = "this machine has no MPS device (it needs an Apple-silicon Mac with macOS 12.3+)"
        raise ValueError(
            f"device={device!r} asks for Apple's MPS backend, but MPS is not available: {why}. "
            "Use device='cpu', or device='auto' (CUDA when present, else the CPU)."
        )
    return dev


def _check_cuda(device, dev):
    if not torch.cuda.is_available():
        if torch.version.cuda is None and getattr(torch.version, "hip", None) is None:
            why = (
                f"this build of torch ({torch.__version__}) is CPU-only. Use device='cpu' or "
                "device='auto' (CUDA when present, else the CPU), or install a CUDA build of torch "
                "on a machine with an NVIDIA GPU"
            )
        else:
            why = (
                "torch has CUDA support but sees no GPU (none installed, no driver, or hidden by "
                "CUDA_VISIBLE_DEVICES). Use device='cpu' or device='auto' (CUDA when present, else "
                "the CPU)"
            )
        raise ValueError(f"device={device!r} asks for CUDA, but CUDA is not available: {why}.")
    count = torch.cuda.device_count()
    if dev.index is not None and dev.index >= count:
        raise ValueError(
            f"device={device!r} asks for CUDA GPU {dev.index}, but only {count} "
            f"{'is' if count == 1 else 'are'} visible (cuda:0 to cuda:{count - 1}). Use one of "
            "those, device='cuda' (the current one) or device='auto'."
        )
