"""skcausal: zero-shot causal discovery with a pretrained transformer, behind the scikit-learn API.

The public names load lazily (as scikit-learn's do): ``import skcausal`` costs almost nothing,
and fitting PC or GES never loads torch; the zero-shot model loads it on first use.
"""

import importlib

__version__ = "0.1.0"

# Public name -> the module that defines it.
_LAZY = {
    "BackgroundKnowledge": "skcausal.graph",
    "BaseCausalDiscovery": "skcausal._base",
    "Discovery": "skcausal._base",
    "NonparametricSEM": "skcausal.sem",
    "ZeroShotCausalDiscovery": "skcausal.zeroshot",
    "graph_to_json": "skcausal.io",
    "NoDependenceWarning": "skcausal.exceptions",
    "OutsideTrainingWarning": "skcausal.exceptions",
    "RowsDroppedWarning": "skcausal.exceptions",
    "pretrain": "skcausal.pretraining",
    "save_graph": "skcausal.io",
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'skcausal' has no attribute {name!r}")


def __dir__():
    return __all__
