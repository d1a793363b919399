"""The side inputs of fit and score: a DataFrame ``X``'s labels, the pandas mask, environments
and sample weights aligned with them by label, and the checks of the environments and weights.

Alignment, the one rule for every pandas side input: the same labels in the same order are taken
as they are; the same distinct labels in another order are reordered to ``X``'s; anything else is
refused with a ValueError that names the labels that differ. When ``X`` is an array there are no
labels to align with, and a pandas side input is taken by position.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd


def frame_axes(X):
    """``(columns, index)`` of a pandas DataFrame ``X``; ``(None, None)`` for anything else.

    Taken before ``X`` is converted to an array, so that pandas side inputs (the mask, the
    environments, sample weights) can be aligned with it by label.
    """
    if isinstance(X, pd.DataFrame):
        return X.columns, X.index
    return None, None


def _some(labels, limit: int = 10) -> str:
    labels = list(labels)
    return f"{labels[:limit]}{' ...' if len(labels) > limit else ''}"


def align_labels(obj, theirs, ours, *, name: str, axis: str, position_hint: str):
    """``obj`` (a DataFrame or Series) with its labels ``theirs`` on ``axis`` ("columns" or
    "index") put in the order of X's labels ``ours``, or a ValueError that says what differs.

    Equal labels in the same order: ``obj`` as it is. The same distinct labels in another order:
    reordered by label. Anything else (other labels, duplicated labels that differ in order) is
    refused: guessing a correspondence could silently pair a row or column with another's data.
    """
    if theirs.equals(ours):
        return obj
    if len(theirs) == len(ours) and theirs.is_unique and ours.is_unique:
        positions = theirs.get_indexer(ours)
        if (positions >= 0).all():
            return obj.iloc[:, positions] if axis == "columns" else obj.iloc[positions]
    missing = ours[~ours.isin(theirs)]
    extra = theirs[~theirs.isin(ours)]
    owner = f"{name}'" if name.endswith("s") else f"{name}'s"
    if axis == "columns":
        subject, kind = f"{owner} column names do not match X's", "columns"
    else:
        subject, kind = f"{owner} index does not match X's index", "rows"
    if len(missing) or len(extra):
        detail = []
        if len(missing):
            detail.append(f"X has {kind} {_some(missing)} that {name} lacks")
        if len(extra):
            detail.append(f"{name} has {kind} {_some(extra)} that X lacks")
        why = "; ".join(detail)
    else:  # the same labels, but duplicated in one of them and in another order
        why = "the same labels in another order, with duplicates, so they cannot be paired"
    raise ValueError(
        f"{subject}: {why}. A pandas {name} is aligned with a DataFrame X by label (reordered "
        "when it holds the same labels in another order); make the labels agree, or pass "
        f"{position_hint} to match by position."
    )


class Environments(NamedTuple):
    """Validated environment labels of a fit: the sorted distinct ``labels``, each row's index
    into them (``codes``) and the index of the observational reference (None: no reference)."""

    labels: np.ndarray
    codes: np.ndarray
    reference: int | None

    def take(self, rows):
        """The same environments for a subset (or resample) of the rows."""
        return Environments(self.labels, self.codes[rows], self.reference)


def _align_series(values, n_samples, index, name):
    """A pandas Series aligned with X's rows by label (when X had an index); else as it is."""
    if isinstance(values, pd.Series) and index is not None and len(values) == n_samples:
        return align_labels(
            values,
            values.index,
            index,
            name=name,
            axis="index",
            position_hint=f"{name}.to_numpy()",
        )
    return values


def check_environments(environments, n_samples: int, reference=None, *, index=None):
    """Validate per-sample environment labels.

    Returns ``(labels, codes, reference_code)``: the sorted distinct labels, each row's index into
    them (int64, shape (n_samples,)), and the index of ``reference`` (None when ``reference`` is
    None). Raises ValueError for a wrong length, missing values, a single environment, or a
    ``reference`` that is not one of the labels.

    ``index`` is X's index when X was a DataFrame: a pandas Series of environments is then
    aligned with X's rows by label (the same labels in another order are reordered; other labels
    are refused). Without it, a Series is taken by position.
    """
    environments = _align_series(environments, n_samples, index, "environments")
    if hasattr(environments, "to_numpy"):  # pandas Series
        environments = environments.to_numpy()
    values = np.asarray(environments)
    if values.ndim != 1 or values.shape[0] != n_samples:
        raise ValueError(
            f"environments must be a 1-D array with one label per sample ({n_samples}); got shape "
            f"{values.shape}."
        )
    if values.dtype == object:
        kinds = set(map(type, values))
        if type(None) in kinds or type(pd.NA) in kinds:
            raise ValueError("environments has missing labels (None or NA); label every sample.")
    elif values.dtype.kind == "f" and np.isnan(values).any():
        raise ValueError("environments has missing labels (NaN); label every sample.")
    try:
        labels, codes = np.unique(values, return_inverse=True)
    except TypeError as error:  # mixed label types that cannot be sorted
        raise ValueError(f"environments labels must be mutually comparable: {error}") from None
    if len(labels) < 2:
        raise ValueError(
            f"environments holds a single label ({labels[0]!r}): there is no heterogeneity to "
            "learn from. Pass environments=None for data from one environment."
        )
    reference_code = None
    if reference is not None:
        found = [k for k, label in enumerate(labels.tolist()) if label == reference]
        if len(found) == 0:
            raise ValueError(
                f"reference_environment={reference!r} is not one of the environment labels "
                f"{labels[:10].tolist()}{' ...' if len(labels) > 10 else ''}. "
                "Name the observational "
                "environment, or set reference_environment=None if none is observational."
            )
        reference_code = int(found[0])
    return labels, codes.astype(np.int64).ravel(), reference_code


def check_sample_weight(sample_weight, n_samples: int, *, index=None):
    """Non-negative, finite, not all-zero weights of shape (n_samples,) as floats (None stays).

    A pandas Series is aligned with X's rows by label when ``index`` (X's, when X was a
    DataFrame) is given, as :func:`check_environments` does; otherwise taken by position.
    """
    if sample_weight is None:
        return None
    sample_weight = _align_series(sample_weight, n_samples, index, "sample_weight")
    weights = np.asarray(sample_weight)
    if weights.shape != (n_samples,) or weights.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must be numbers of shape ({n_samples},); got shape {weights.shape}, "
            f"dtype {weights.dtype}."
        )
    weights = weights.astype(float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.sum() > 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero.")
    return weights


def refuse_mask_as_y(X, y, method):
    """Refuse a 2-D ``y`` shaped like ``X`` in ``fit`` or ``score``: most likely the mask."""
    # fit(X, M) is an easy slip for fit(X, intervention_mask=M); ignoring y as sklearn does would
    # silently treat every intervened value as observational.
    if y is not None and np.ndim(y) == 2 and np.shape(y) == np.shape(X):
        raise TypeError(
            f"{method}() got a 2-D y shaped like X. y is ignored by causal discovery; pass the "
            f"intervention mask by keyword: {method}(X, intervention_mask=M)."
        )
