"""Classical causal-discovery baselines with the same estimator API as the zero-shot model.

- :class:`PC` and :class:`GES` wrap causal-learn; :func:`causallearn_to_adjacency` converts its
  graph encoding to skcausal's (``A[i, j] == 1`` means i -> j).
- :class:`NOTEARS` is linear NOTEARS, implemented here; :func:`notears_acyclicity` is its
  acyclicity function.
- :class:`GIES` wraps the `gies` package and is the only baseline that uses the intervention mask
  in its search.
"""

from skcausal.baselines._causallearn import causallearn_to_adjacency
from skcausal.baselines._ges import GES
from skcausal.baselines._gies import GIES
from skcausal.baselines._notears import NOTEARS, notears_acyclicity
from skcausal.baselines._pc import PC

__all__ = ["GES", "GIES", "NOTEARS", "PC", "causallearn_to_adjacency", "notears_acyclicity"]
