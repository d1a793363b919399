"""The column contract: every estimator's input as float64, one node per column, with each column's
kind and levels.

A column is *continuous* (its numbers as they are) or *discrete*, coded 0..k-1: pandas ``category``
columns (ordered: their category order; unordered: the pandas category order), ``bool`` columns
(False = 0, True = 1), text columns (object or string dtype: the sorted distinct values) and the
numeric columns that ``categorical_features`` names (their sorted distinct values). Missing cells
(NaN, None, ``pd.NA``) become NaN. A discrete column's kind is "binary" with 2 levels, "ordinal"
for an ordered category with more, "categorical" for an unordered one with more. Only the levels
that occur in the data are kept.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from skcausal._utils import _describe, _first_non_number

KINDS = ("continuous", "binary", "ordinal", "categorical")
DISCRETE = ("binary", "ordinal", "categorical")
# A text column with more levels than this is refused (an identifier or free text, not a factor).
MAX_TEXT_LEVELS = 50


class Columns(NamedTuple):
    """The encoded data: ``values`` float64 (n, d), C order, NaN where missing; ``kinds`` (d,) of
    str; ``categories`` a list, per column None (continuous) or the levels in code order."""

    values: np.ndarray
    kinds: np.ndarray
    categories: list


def _kind(n_levels, ordered):
    if n_levels <= 2:
        return "binary"
    return "ordinal" if ordered else "categorical"


def _is_text_column(values) -> bool:
    """True for an object column that holds strings (and possibly missing cells) only."""
    found = _first_non_number(values[~_missing(values)])
    return isinstance(found, str)


def _missing(values) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def _declared_categorical(categorical_features, columns, d) -> np.ndarray:
    """The boolean (d,) mask of the columns ``categorical_features`` declares categorical."""
    declared = np.zeros(d, dtype=bool)
    if categorical_features is None or (
        isinstance(categorical_features, str) and categorical_features == "from_dtype"
    ):
        return declared
    if isinstance(categorical_features, str):
        categorical_features = [categorical_features]
    given = np.asarray(categorical_features)
    if given.ndim != 1:
        raise ValueError(
            "categorical_features must be 'from_dtype', None, a boolean mask of shape "
            f"(n_features,), integer indices or column names; got {categorical_features!r}."
        )
    if given.size == 0:
        return declared
    if given.dtype == bool:
        if given.shape != (d,):
            raise ValueError(
                f"categorical_features as a boolean mask must have shape ({d},) (one entry per "
                f"column of X); got shape {given.shape}."
            )
        return given.copy()
    if given.dtype.kind in "iu":
        bad = given[(given < -d) | (given >= d)]
        if bad.size:
            raise ValueError(
                f"categorical_features holds indices {bad[:10].tolist()} outside 0..{d - 1} (X has "
                f"{d} columns)."
            )
        declared[given] = True
        return declared
    if given.dtype.kind in "UO":
        if columns is None:
            raise ValueError(
                "categorical_features names columns, but X is not a DataFrame with column names: "
                "pass integer indices or a boolean mask instead."
            )
        names = [str(c) for c in columns]
        unknown = [str(g) for g in given if str(g) not in names]
        if unknown:
            raise ValueError(
                f"categorical_features names columns {unknown[:10]} that X does not have; X's "
                f"columns are {names[:10]}{' ...' if len(names) > 10 else ''}."
            )
        declared[[names.index(str(g)) for g in given]] = True
        return declared
    raise ValueError(
        "categorical_features must be 'from_dtype', None, a boolean mask, integer indices or "
        f"column names; got dtype {given.dtype}."
    )


def _encode_levels(values, levels, label):
    """Codes of ``values`` (NaN where missing) against ``levels``; a value not among them is
    refused (naming the column)."""
    values = np.asarray(values, dtype=object)
    missing = _missing(values)
    codes = np.full(len(values), np.nan)
    lookup = {level: k for k, level in enumerate(levels)}
    observed = values[~missing]
    try:
        found = np.array([lookup[v] for v in observed], dtype=float)
    except KeyError as error:
        raise ValueError(
            f"column {label} holds the value {error.args[0]!r}, which is not one of its levels at "
            f"fit {list(levels)[:10]}: a category the model has never seen cannot be scored."
        ) from None
    codes[~missing] = found
    return codes


def _encode_one(values, dtype, label, declared):
    """(codes or numbers as float, kind, levels or None) of one column."""
    if isinstance(dtype, pd.CategoricalDtype):
        series = pd.Series(values, dtype=dtype).cat.remove_unused_categories()
        levels = np.asarray(series.cat.categories)
        codes = series.cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        return codes, _kind(len(levels), bool(dtype.ordered)), levels
    raw = np.asarray(values, dtype=object) if dtype.kind not in "biuf" else np.asarray(values)
    if dtype.kind == "b" or (
        raw.dtype == object and set(map(type, raw[~_missing(raw)])) <= {bool, np.bool_}
    ):
        if raw.dtype == object and not (~_missing(raw)).any():
            pass  # an all-missing column: left to the constant-column check as continuous
        else:
            missing = _missing(raw)
            codes = np.full(len(raw), np.nan)
            codes[~missing] = raw[~missing].astype(bool).astype(float)
            return codes, "binary", np.array([False, True])
    if raw.dtype.kind == "O" and _is_text_column(raw):
        observed = raw[~_missing(raw)]
        others = {type(v).__name__ for v in observed if not isinstance(v, str)}
        if others:
            raise ValueError(
                f"column {label} mixes text with other values ({sorted(others)}): a text column is "
                "read as categorical, so every value must be a string (or missing). Convert the "
                "column to one type first."
            )
        levels = np.array(sorted(set(observed)), dtype=object)
        if len(levels) > MAX_TEXT_LEVELS or (len(levels) == len(observed) and len(observed) > 2):
            why = (
                "every value is distinct (an identifier)"
                if len(levels) == len(observed)
                else f"it has {len(levels)} distinct values (more than {MAX_TEXT_LEVELS})"
            )
            raise ValueError(
                f"column {label} holds text and {why}, so it cannot be a categorical variable. "
                "Drop it before fitting (or use it as the row index)."
            )
        return _encode_levels(raw, levels, label), _kind(len(levels), False), levels
    if raw.dtype.kind == "O":
        raw = raw.copy()
        raw[_missing(raw)] = np.nan
        found = _first_non_number(raw)
        if found is not None:
            raise TypeError(
                f"X has a column holding values that are not numbers: {label} (e.g. "
                f"{_describe(found)}). float() argument must be a string or a real number, not "
                f"{type(found).__name__!r}: convert or drop this column."
            )
    numbers_ = pd.to_numeric(pd.Series(raw), errors="raise").to_numpy(dtype=float, na_value=np.nan)
    if not declared:
        return numbers_, "continuous", None
    levels = np.unique(numbers_[~np.isnan(numbers_)])
    codes = np.full(len(numbers_), np.nan)
    observed = ~np.isnan(numbers_)
    codes[observed] = np.searchsorted(levels, numbers_[observed])
    return codes, _kind(len(levels), False), levels


def encode_columns(X, categorical_features="from_dtype") -> Columns | None:
    """The column contract applied to ``X``: a :class:`Columns`, or None when ``X`` is a plain
    numeric array with no declared categorical column (it is then left to scikit-learn's
    ``validate_data`` exactly as before).

    Raises
    ------
    ValueError
        For an unusable text column (an identifier, too many levels, text mixed with numbers), or
        a malformed ``categorical_features``.
    TypeError
        For values that are neither numbers, booleans, text nor missing (e.g. dicts).
    """
    if isinstance(X, pd.DataFrame):
        d = X.shape[1]
        declared = _declared_categorical(categorical_features, X.columns, d)
        items = [
            (repr(c), X.iloc[:, j].to_numpy(), X.dtypes.iloc[j]) for j, c in enumerate(X.columns)
        ]
    else:
        if isinstance(X, (list, tuple)):
            try:
                X = np.asarray(X)
            except ValueError as error:
                raise ValueError(
                    "X must be a 2-D array of numbers; its rows have different lengths."
                ) from error
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            return None
        if X.dtype.kind not in "biufOUSV":
            return None  # complex numbers, dates: validate_data's errors
        if X.dtype.kind in "SV":
            raise ValueError(
                f"X holds raw bytes (dtype {X.dtype}); decode them to text (str) or numbers first."
            )
        d = X.shape[1]
        declared = _declared_categorical(categorical_features, None, d)
        if X.dtype.kind in "iuf" and not declared.any():
            return None
        if X.dtype.kind == "U":
            X = X.astype(object)
        items = [(str(j), X[:, j], X.dtype) for j in range(d)]
    if X.shape[0] == 0 or d == 0:
        return None  # validate_data's messages for empty data
    values = np.empty((X.shape[0], d))
    kinds, categories = [], []
    for j, (label, column, dtype) in enumerate(items):
        codes, kind, levels = _encode_one(column, dtype, label, declared[j])
        values[:, j] = codes
        kinds.append(kind)
        categories.append(levels)
    return Columns(values, np.array(kinds), categories)


def encode_like(X, kinds, categories):
    """``X`` (new data, e.g. for ``score``) coded with the levels found at fit: float64 (n, d),
    NaN where missing; None when ``X`` is a plain numeric array and the fit was all continuous."""
    all_continuous = all(c is None for c in categories)
    if not isinstance(X, pd.DataFrame):
        if isinstance(X, (list, tuple)):
            X = np.asarray(X)
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            return None
        if X.dtype.kind in "iufb" and all_continuous:
            return None
        if X.dtype.kind == "U":
            X = X.astype(object)
        frame = pd.DataFrame(X)
    else:
        frame = X
    if frame.shape[1] != len(kinds):
        return None  # validate_data reports the mismatch
    values = np.empty(frame.shape)
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        label = repr(frame.columns[j])
        levels = categories[j]
        if levels is None:
            if isinstance(column.dtype, pd.CategoricalDtype):
                column = column.astype(object)
            raw = column.to_numpy(dtype=object)
            found = _first_non_number(raw[~_missing(raw)])
            if found is not None:
                raise ValueError(
                    f"column {label} was continuous at fit but holds {_describe(found)} here."
                )
            values[:, j] = pd.to_numeric(column.astype(object)).to_numpy(
                dtype=float, na_value=np.nan
            )
            continue
        raw = column.astype(object).to_numpy()
        if kinds[j] == "binary" and levels.dtype == bool:
            raw = np.array([v if pd.isna(v) else bool(v) for v in raw], dtype=object)
        elif levels.dtype.kind in "iuf":
            raw = np.array([v if pd.isna(v) else float(v) for v in raw], dtype=object)
            levels = levels.astype(float)
        values[:, j] = _encode_levels(raw, list(levels), label)
    return values


def decode_columns(codes, kinds, categories, columns=None):
    """Sampled values back in the kinds of the fit: discrete columns rounded to their codes
    (clipped to 0..k-1); a DataFrame (``columns`` given) with categorical columns holding the
    levels, otherwise an array of the codes."""
    codes = np.array(codes, dtype=float)
    for j, levels in enumerate(categories):
        if levels is not None:
            codes[:, j] = np.clip(np.rint(codes[:, j]), 0, len(levels) - 1)
    if columns is None:
        return codes
    frame = pd.DataFrame(codes, columns=columns)
    for j, levels in enumerate(categories):
        if levels is None:
            continue
        if levels.dtype == bool:
            frame.isetitem(j, codes[:, j].astype(bool))
        else:
            dtype = pd.CategoricalDtype(levels, ordered=kinds[j] == "ordinal")
            frame.isetitem(j, pd.Categorical.from_codes(codes[:, j].astype(int), dtype=dtype))
    return frame


def describe_kinds(kinds, names) -> str:
    """``"2 binary (a, b), 1 categorical (c)"`` for the discrete columns; "" when there are none."""
    parts = []
    for kind in DISCRETE:
        found = [str(n) for n, k in zip(names, kinds) if k == kind]
        if found:
            shown = ", ".join(found[:8]) + (" ..." if len(found) > 8 else "")
            parts.append(f"{len(found)} {kind} ({shown})")
    return ", ".join(parts)
