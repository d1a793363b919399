"""Input checks shared by every estimator and function of the package."""

from __future__ import annotations

import networkx as nx
import numpy as np


def check_intervention_mask(mask, n_samples: int, n_features: int) -> np.ndarray:
    """Return ``mask`` as a boolean ``(n_samples, n_features)`` array, or raise ValueError.

    ``None`` means all observational. Boolean arrays are taken as they are; integer or float arrays
    are accepted only when every value is exactly 0 or 1. Anything else (other values, NaN, wrong
    shape, strings) is refused rather than coerced.
    """
    if mask is None:
        return np.zeros((n_samples, n_features), dtype=bool)
    if hasattr(mask, "to_numpy"):  # pandas DataFrame
        mask = mask.to_numpy()
    mask = np.asarray(mask)
    if mask.shape != (n_samples, n_features):
        raise ValueError(
            f"intervention_mask must have the shape of X, ({n_samples}, {n_features}); "
            f"got {mask.shape}."
        )
    if mask.dtype == bool:
        return mask
    if mask.dtype.kind not in "iuf":
        raise ValueError(
            f"intervention_mask must be boolean (or 0/1 numbers); got dtype {mask.dtype}."
        )
    bad = ~np.isin(mask, (0, 1))
    if bad.any():
        values = np.unique(mask[bad])[:5]
        raise ValueError(
            "intervention_mask must hold only True/False (or 0/1); found values "
            f"{values.tolist()}."
        )
    return mask.astype(bool)


def check_adjacency(adjacency, name: str = "adjacency", n_nodes: int | None = None) -> np.ndarray:
    """Return a square 2-D float array, or raise ValueError naming ``name``."""
    if hasattr(adjacency, "to_numpy"):
        adjacency = adjacency.to_numpy()
    a = np.asarray(adjacency)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square 2-D array; got shape {a.shape}.")
    if n_nodes is not None and a.shape[0] != n_nodes:
        raise ValueError(f"{name} must be ({n_nodes}, {n_nodes}); got {a.shape}.")
    if a.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric or boolean; got dtype {a.dtype}.")
    a = a.astype(float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return a


def is_dag(adjacency) -> bool:
    """True when ``adjacency`` (A[i, j] != 0 means i -> j) has no directed cycle (self-loops count)."""
    a = np.asarray(adjacency) != 0
    return nx.is_directed_acyclic_graph(nx.from_numpy_array(a.astype(np.int8), create_using=nx.DiGraph))
