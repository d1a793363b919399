"""Synthetic structural causal models and real data sets with a known graph."""

from skcausal.datasets._bnlearn import load_bnlearn_structure, sample_bnlearn
from skcausal.datasets._make_environments import make_environments
from skcausal.datasets._make_scm import make_scm
from skcausal.datasets._sachs import load_sachs
from skcausal.datasets._simulator import SCMBatchSampler, SimulationConfig

__all__ = [
    "SCMBatchSampler",
    "SimulationConfig",
    "load_bnlearn_structure",
    "load_sachs",
    "make_environments",
    "make_scm",
    "sample_bnlearn",
]
