"""The pretrained zero-shot model: features, network, checkpoints and the estimator."""

from skcausal._system import InsufficientMemoryError
from skcausal.zeroshot._checkpoint import Checkpoint, CheckpointError, default_checkpoint_path
from skcausal.zeroshot._estimator import ZeroShotCausalDiscovery
from skcausal.zeroshot._memory import estimate_forward_bytes
from skcausal.zeroshot._model import ModelConfig, PairGridTransformer

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "InsufficientMemoryError",
    "ModelConfig",
    "PairGridTransformer",
    "ZeroShotCausalDiscovery",
    "default_checkpoint_path",
    "estimate_forward_bytes",
]
