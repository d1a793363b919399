"""Warnings that skcausal's estimators emit."""

from __future__ import annotations


class RowsDroppedWarning(UserWarning):
    """A method that needs complete rows dropped the rows with missing values before its search.

    The message says which method and how many rows, e.g. "NOTEARS needs complete rows: dropped 123
    of 1000 rows with missing values". ``n_dropped`` and ``n_rows`` carry the counts.

    Examples
    --------
    >>> import warnings
    >>> from skcausal.exceptions import RowsDroppedWarning
    >>> issubclass(RowsDroppedWarning, UserWarning)
    True
    """

    def __init__(self, message, n_dropped=0, n_rows=0):
        super().__init__(message)
        self.n_dropped = n_dropped
        self.n_rows = n_rows


class NoDependenceWarning(UserWarning):
    """The zero-shot model's probabilities chose edges, but the rows show no pair of columns to be
    dependent at the estimator's ``alpha``, so ``adjacency_`` holds none (required edges aside).

    Pure noise, or too few rows to tell: the message names the level and the largest probability.
    ``ZeroShotCausalDiscovery(alpha=None)`` keeps the edges the probabilities choose.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.exceptions import NoDependenceWarning
    >>> noise = np.random.default_rng(3).standard_normal((20, 20))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     graph = ZeroShotCausalDiscovery().fit(noise).adjacency_
    >>> [w.category.__name__ for w in caught], int(graph.sum())
    (['NoDependenceWarning'], 0)
    """


class OutsideTrainingWarning(UserWarning):
    """The data lie outside the box the zero-shot checkpoint was trained in: more columns than
    it ever saw, fewer rows, or (with ``max_rows=None``) more rows read at once. It still answers;
    the message says which edge of the box and what that means.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.exceptions import OutsideTrainingWarning
    >>> X = np.random.default_rng(0).normal(size=(6, 3))  # the shipped model saw 10 rows or more
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = ZeroShotCausalDiscovery().fit(X)
    >>> any(w.category is OutsideTrainingWarning for w in caught)
    True
    """


__all__ = ["NoDependenceWarning", "OutsideTrainingWarning", "RowsDroppedWarning"]
