"""The bootstrap of a search: the same search on resamples of the rows, for edge frequencies."""

from __future__ import annotations

import numpy as np

from skcausal._utils import check_random_state


def bootstrap_discoveries(discover, X, mask, n_bootstrap, random_state, environments=None):
    """Run ``discover(X, mask, environments)`` on ``n_bootstrap`` resamples of the rows (drawn
    with replacement from ``random_state``) and return its results, in order.

    The mask and the environments are resampled with the rows. A resample the search refuses
    (a ValueError, e.g. a column that is constant in it) names its number in the error.
    """
    rng = check_random_state(random_state)
    n = X.shape[0]
    results = []
    for k in range(n_bootstrap):
        rows = rng.integers(0, n, n)
        envs = None if environments is None else environments.take(rows)
        try:
            results.append(discover(X[rows], mask[rows], envs))
        except ValueError as error:
            raise ValueError(
                f"bootstrap resample {k + 1} of {n_bootstrap} failed: {error}"
            ) from error
    return results


def edge_frequencies(graphs) -> np.ndarray:
    """The share of ``graphs`` (adjacency matrices) that have each edge i -> j; an undirected
    edge counts in both directions."""
    return np.mean([np.asarray(g) != 0 for g in graphs], axis=0)
