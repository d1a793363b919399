"""The bootstrap of a search: the same search on resamples of the rows, for edge frequencies."""

from __future__ import annotations

import numpy as np

from skcausal._progress import progress_bar
from skcausal._utils import check_random_state


def bootstrap_discoveries(
    discover, X, mask, n_bootstrap, random_state, environments=None, *, verbose=0, desc="bootstrap"
):
    """Run ``discover(X, mask, environments)`` on ``n_bootstrap`` resamples of the rows (drawn
    with replacement from ``random_state``) and return its results, in order.

    The mask and the environments are resampled with the rows. A resample the search refuses
    (a ValueError, e.g. a column that is constant in it) names its number in the error. With
    ``verbose >= 1`` a progress bar (tqdm, on stderr) counts the resamples; with 0 nothing is
    printed.
    """
    rng = check_random_state(random_state)
    n = X.shape[0]
    results = []
    with progress_bar(verbose >= 1, total=n_bootstrap, desc=desc, unit="resample") as bar:
        for k in range(n_bootstrap):
            rows = rng.integers(0, n, n)
            envs = None if environments is None else environments.take(rows)
            try:
                results.append(discover(X[rows], mask[rows], envs))
            except ValueError as error:
                raise ValueError(
                    f"bootstrap resample {k + 1} of {n_bootstrap} failed: {error}"
                ) from error
            bar.update(1)
    return results


def resample_discoveries(estimator, discovery, X, mask, environments, knowledge):
    """The bootstrap resamples' Discoveries of a fit, with the knowledge applied: those the
    search computed itself (``discovery.resamples``: the zero-shot model's batched passes), or
    the estimator's search rerun on ``estimator.n_bootstrap`` resamples of the rows."""
    if discovery.resamples is not None:
        return [estimator._finish(r, knowledge) for r in discovery.resamples]
    estimator._in_bootstrap = True  # the resamples' own searches show progress at verbose >= 2
    try:
        return bootstrap_discoveries(
            lambda Xr, Mr, Er: estimator._search(Xr, Mr, Er, knowledge),
            X,
            mask,
            estimator.n_bootstrap,
            getattr(estimator, "random_state", None),
            environments,
            verbose=getattr(estimator, "verbose", 0),
            desc=f"{type(estimator).__name__} bootstrap",
        )
    finally:
        del estimator._in_bootstrap


def edge_frequencies(graphs) -> np.ndarray:
    """The share of ``graphs`` (adjacency matrices) that have each edge i -> j; an undirected
    edge counts in both directions."""
    return np.mean([np.asarray(g) != 0 for g in graphs], axis=0)
