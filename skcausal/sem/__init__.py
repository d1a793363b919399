"""The fitted causal model on a learned graph: the linear-Gaussian SEM behind every estimator's
``coef_``, ``score`` and ``sample``, and a nonparametric SEM for data that are not linear."""

from skcausal.sem._linear import LinearGaussianSEM
from skcausal.sem._mixin import SEMMixin
from skcausal.sem._nonparametric import NonparametricSEM

__all__ = ["LinearGaussianSEM", "NonparametricSEM", "SEMMixin"]
