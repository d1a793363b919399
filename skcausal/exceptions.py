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


__all__ = ["RowsDroppedWarning"]
