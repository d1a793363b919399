"""The fit side of the column contract (see :mod:`skcausal._columns`): X validated and encoded,
each estimator's declared support for discrete columns and missing cells enforced, and the rows
a method that needs complete rows can use (dropped with a :class:`RowsDroppedWarning`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from skcausal._columns import encode_columns
from skcausal._inputs import frame_axes, refuse_mask_as_y
from skcausal._utils import check_intervention_mask, check_numeric_input
from skcausal.exceptions import RowsDroppedWarning

_ALTERNATIVES = "ZeroShotCausalDiscovery or PC"


def check_infinite(X, names) -> None:
    """Refuse infinite values, naming the columns (NaN means missing and is not refused here)."""
    infinite = np.isinf(X)
    if infinite.any():
        columns = np.flatnonzero(infinite.any(axis=0))
        count = int(infinite.sum())
        raise ValueError(
            f"X contains infinity ({count} value{'s' if count > 1 else ''}) in columns "
            f"{[names[j] for j in columns[:10]]}. Replace them (e.g. by NaN, which is read as "
            "missing) or drop those rows first."
        )


def check_not_constant(X, names, *, after="") -> None:
    """Refuse columns that are constant on their observed cells (or all missing), naming them."""
    observed = ~np.isnan(X)
    # Compared with the first observed value rather than by np.ptp: max - min overflows for
    # columns spanning -1e308..1e308.
    first = np.where(observed.any(axis=0), np.nanmax(np.where(observed, X, -np.inf), axis=0), 0.0)
    constant = np.flatnonzero(np.all((X == first) | ~observed, axis=0))
    if constant.size:
        raise ValueError(
            f"X has constant columns{after}, which carry no information on causal structure (a "
            "column constant on its observed cells, or with every cell missing): "
            f"{[names[j] for j in constant[:10]]}. Drop them before fitting."
        )


def validate_fit_data(estimator, X, y, intervention_mask):
    """``(X, mask, kinds, categories)``: X as float64 (n, d) in C order with NaN for missing cells
    and discrete columns as codes, the boolean mask, each column's kind and levels."""
    refuse_mask_as_y(X, y, "fit")
    columns, index = frame_axes(X)  # before validate_data turns X into an array
    encoded = encode_columns(X, getattr(estimator, "categorical_features", "from_dtype"))
    if encoded is None:
        check_numeric_input(X)
        data = X
    elif columns is not None:
        data = pd.DataFrame(encoded.values, columns=columns, index=index)
    else:
        data = encoded.values
    # C order always: the same values in Fortran order round differently in NOTEARS's and the
    # zero-shot model's matrix products, so results would depend on how the array was made.
    X = validate_data(
        estimator,
        data,
        reset=True,
        dtype=np.float64,
        order="C",
        ensure_min_samples=2,
        ensure_min_features=2,
        ensure_all_finite=False,
    )
    d = X.shape[1]
    if encoded is None:
        kinds, categories = np.array(["continuous"] * d), [None] * d
    else:
        kinds, categories = encoded.kinds, encoded.categories
    names = estimator._node_names()
    check_infinite(X, names)
    mask = check_intervention_mask(intervention_mask, *X.shape, columns=columns, index=index)
    if mask.all():
        # Not one value arose from the system's own mechanisms: there is nothing observational
        # to learn the graph from, and every search would silently treat do() values as data.
        raise ValueError(
            "intervention_mask marks every value of X as intervened, so X carries no "
            "observational information about the causal mechanisms. At least some values "
            "must be observational (False in the mask)."
        )
    check_not_constant(X, names)
    return X, mask, kinds, categories


def check_column_kinds(estimator, kinds, names) -> None:
    """Refuse the columns the estimator's ``_discrete_columns`` cannot take, naming a fix."""
    policy = estimator._discrete_columns
    method = type(estimator).__name__
    discrete = [names[j] for j, kind in enumerate(kinds) if kind != "continuous"]
    categorical = [names[j] for j, kind in enumerate(kinds) if kind == "categorical"]
    if policy == "refuse" and discrete:
        raise ValueError(
            f"{method} has no model for discrete columns: {discrete[:10]}. Use "
            f"{_ALTERNATIVES}, or pass the columns as numbers (categorical_features=None)."
        )
    if policy == "codes" and categorical:
        raise ValueError(
            f"{method} reads discrete columns as numeric codes, which is meaningful for binary and "
            f"ordinal columns only; {categorical[:10]} are unordered categorical with more than 2 "
            "levels. Use PC, GES (all-discrete data) or ZeroShotCausalDiscovery, give the "
            "categories an order (an ordered pandas Categorical), or drop those columns."
        )
    # A method's own refusals that depend on the mix of kinds (GES: no score for continuous
    # columns mixed with unordered categorical ones), before any row is dropped.
    extra = getattr(estimator, "_check_kinds", None)
    if extra is not None:
        extra()


def rows_for_search(estimator, X, mask, environments):
    """The rows the search runs on: all of them where the method handles missing cells (or there
    are none); the complete rows, with a :class:`RowsDroppedWarning`, where it needs them."""
    incomplete = np.isnan(X).any(axis=1)
    if not incomplete.any():
        return X, mask, environments
    policy = estimator._missing_policy()
    names = estimator._node_names()
    where = [names[j] for j in np.flatnonzero(np.isnan(X).any(axis=0))[:10]]
    method = estimator._method_name()
    if policy == "native":
        return X, mask, environments
    if policy == "refuse":
        raise ValueError(
            f"{method} has no model for missing values, and X has missing cells in columns "
            f"{where}. Drop or impute those rows first, or use {_ALTERNATIVES}."
        )
    n, kept = X.shape[0], ~incomplete
    n_kept = int(kept.sum())
    needed = max(2, estimator._min_complete_rows(X.shape[1]))
    if n_kept < needed:
        raise ValueError(
            f"{method} needs complete rows, but only {n_kept} of {n} rows have no missing value "
            f"(it needs at least {needed}; the missing cells are in columns {where}). Impute the "
            f"missing cells, drop the emptiest columns, or use {_ALTERNATIVES}, which handle "
            "missing cells."
        )
    dropped = n - n_kept
    warnings.warn(
        RowsDroppedWarning(
            f"{method} needs complete rows: dropped {dropped} of {n} rows with missing values",
            dropped,
            n,
        ),
        stacklevel=4,
    )
    X, mask = X[kept], mask[kept]
    if environments is not None:
        environments = environments.take(np.flatnonzero(kept))
    check_not_constant(X, names, after=" in the complete rows")
    if mask.all():
        raise ValueError(
            "every value of the complete rows of X is intervened (intervention_mask), so they "
            "carry no observational information. Impute the missing cells instead."
        )
    return X, mask, environments
