"""Pretraining of the zero-shot model on simulated structural causal models."""

from skcausal.pretraining._config import TrainConfig
from skcausal.pretraining._interpolate import interpolate_checkpoints
from skcausal.pretraining._run_state import load_resume
from skcausal.pretraining._train import learning_rate, pretrain

__all__ = ["TrainConfig", "interpolate_checkpoints", "learning_rate", "load_resume", "pretrain"]
