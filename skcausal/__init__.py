"""skcausal: zero-shot causal discovery with a pretrained transformer, behind the scikit-learn API."""

__version__ = "0.1.0"

from skcausal._base import BaseCausalDiscovery
from skcausal._export import graph_to_json, save_graph
from skcausal._knowledge import BackgroundKnowledge
from skcausal._sem import NonparametricSEM
from skcausal.pretraining import pretrain
from skcausal.zeroshot._estimator import ZeroShotCausalDiscovery

__all__ = [
    "BackgroundKnowledge",
    "BaseCausalDiscovery",
    "NonparametricSEM",
    "ZeroShotCausalDiscovery",
    "__version__",
    "graph_to_json",
    "pretrain",
    "save_graph",
]
