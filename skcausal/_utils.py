"""Shared plumbing: input checks, column standardisation and random states, each once."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from skcausal._inputs import align_labels

# Columns whose largest magnitude lies outside [2**-64, 2**65) are rescaled before second moments
# are taken: squares and cross-products of values near the limits of float64 over- or underflow
# (1e300**2 is inf; 1e-300**2 is 0). Inside the band nothing is touched, so ordinary data give
# bit-for-bit the results they always gave.
_SAFE_EXPONENT = 64


def check_intervention_mask(
    mask, n_samples: int, n_features: int, *, columns=None, index=None
) -> np.ndarray:
    """Return ``mask`` as a boolean ``(n_samples, n_features)`` array, or raise ValueError.

    ``None`` means all observational. Boolean arrays are taken as they are; integer, float or
    object arrays are accepted only when every value is exactly 0 or 1 (True/False). Anything else
    (other values, NaN, None, wrong shape, strings) is refused rather than coerced.

    ``columns`` and ``index`` are X's labels when X was a DataFrame (:func:`frame_axes`). A
    DataFrame mask is then aligned with X by label: the same column names (or row labels) in
    another order are reordered to X's order; different names, or an index that holds other
    labels, are refused with a message that says what differs. Without them (X an array), a
    DataFrame mask is taken by position: its labels are not looked at.
    """
    if mask is None:
        return np.zeros((n_samples, n_features), dtype=bool)
    if isinstance(mask, pd.DataFrame) and mask.shape == (n_samples, n_features):
        hint = "intervention_mask.to_numpy()"
        if columns is not None:
            mask = align_labels(
                mask,
                mask.columns,
                columns,
                name="intervention_mask",
                axis="columns",
                position_hint=hint,
            )
        if index is not None:
            mask = align_labels(
                mask, mask.index, index, name="intervention_mask", axis="index", position_hint=hint
            )
    if hasattr(mask, "to_numpy"):  # pandas DataFrame
        mask = mask.to_numpy()
    try:
        mask = np.asarray(mask)
    except ValueError as error:  # ragged nested lists
        raise ValueError(
            f"intervention_mask must have the shape of X, ({n_samples}, {n_features}); its rows "
            "have different lengths."
        ) from error
    if mask.dtype == object:
        # e.g. from a pandas column of dtype object, or "boolean" with missing entries
        values = mask.ravel()
        kinds = set(map(type, values))
        if type(None) in kinds or type(pd.NA) in kinds:
            raise ValueError(
                "intervention_mask has missing values (None or NA); every value must be True or "
                "False."
            )
        if _first_non_number(values) is None:  # bools and numbers; strings stay refused
            mask = mask.astype(float)
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
            f"intervention_mask must hold only True/False (or 0/1); found values {values.tolist()}."
        )
    return mask.astype(bool)


def check_adjacency(adjacency, name: str = "adjacency", n_nodes: int | None = None) -> np.ndarray:
    """Return a square 2-D float array, or raise ValueError naming ``name``."""
    if hasattr(adjacency, "to_numpy"):
        adjacency = adjacency.to_numpy()
    try:
        a = np.asarray(adjacency)
    except ValueError as error:  # ragged nested lists: numpy's message names no argument
        raise ValueError(
            f"{name} must be a square 2-D array; got rows of different lengths."
        ) from error
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


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_numeric_input(X) -> None:
    """Refuse non-numeric data with a message naming the columns, before scikit-learn converts it.

    scikit-learn's conversion error ("could not convert string to float: 'x'") names neither the
    column nor the fix. Numbers, booleans and object arrays that hold only numbers pass (they are
    converted to float64 later; None becomes NaN, a missing cell). Reached only by inputs the
    column contract (:mod:`skcausal._columns`) leaves to scikit-learn. Strings, numeric or
    not, raise a ValueError; other objects (dicts, dates, pd.NA) a TypeError, the type of error
    Python's float() and scikit-learn's estimator checks use for them. Anything that is not a
    DataFrame, an ndarray or a nested list is left to scikit-learn's own checks (sparse matrices,
    for one, get its TypeError).
    """
    if hasattr(X, "dtypes") and hasattr(X, "columns"):  # pandas DataFrame
        columns = [
            (repr(column), X.iloc[:, position].to_numpy())
            for position, (column, dtype) in enumerate(zip(X.columns, X.dtypes))
            if dtype.kind not in "biuf"
        ]
    else:
        if isinstance(X, (list, tuple)):
            try:
                X = np.asarray(X)
            except ValueError as error:  # numpy's "inhomogeneous shape" names no argument
                raise ValueError(
                    "X must be a 2-D array of numbers; its rows have different lengths."
                ) from error
        if not isinstance(X, np.ndarray):
            return
        if X.dtype.kind in "USV":
            raise ValueError(
                f"X holds strings or raw bytes (dtype {X.dtype}); causal discovery needs numbers. "
                "Pass a 2-D array or a DataFrame: their text columns are read as categorical "
                "(docs/inputs.md)."
            )
        if X.dtype.kind != "O" or X.ndim != 2:
            return
        columns = [(str(j), X[:, j]) for j in range(X.shape[1])]
    strings, others = [], []
    for label, values in columns:
        found = _first_non_number(values)
        if found is not None:
            kind = strings if isinstance(found, (str, bytes)) else others
            kind.append((label, found))
    if strings:
        raise ValueError(
            "X has columns holding strings: "
            + ", ".join(f"{label} (e.g. {_describe(value)})" for label, value in strings[:10])
            + ". Pass a 2-D array or a DataFrame: their text columns are read as categorical "
            "(docs/inputs.md)."
        )
    if others:
        label, value = others[0]
        raise TypeError(
            "X has columns holding values that are not numbers: "
            + ", ".join(f"{label} (e.g. {_describe(value)})" for label, value in others[:10])
            + f". float() argument must be a string or a real number, not "
            f"{type(value).__name__!r}: convert or drop these columns."
        )


def _first_non_number(values):
    """The first value that is neither a real number, a bool nor None; None if there is none."""
    # One check per distinct type rather than per value: object columns can be long.
    for kind in set(map(type, values)):
        if kind is type(None):
            continue  # numpy casts None to NaN, which the NaN check then reports
        numeric = issubclass(kind, (numbers.Real, np.bool_)) or (
            # Decimal is a Number but not registered as Real; complex numbers are refused.
            issubclass(kind, numbers.Number) and not issubclass(kind, numbers.Complex)
        )
        if not numeric or issubclass(kind, (str, bytes)):
            return next(value for value in values if type(value) is kind)
    return None


def safe_column_scales(X) -> np.ndarray:
    """Per-column powers of two that bring extreme columns into a range where products are safe.

    A column whose largest magnitude is outside ``[2**-64, 2**65)`` gets the largest power of two
    not above its largest magnitude (so ``X / scales`` has that column's largest magnitude in
    [1, 2)); every other column gets 1. Dividing by a power of two is exact in floating point, so
    methods that do not depend on the columns' units (correlations, the Gaussian BIC, partial
    correlations) see the same data up to over- and underflow, which is what the rescaling
    removes.
    """
    X = np.asarray(X, dtype=float)
    # fmax ignores NaN (missing cells); a column with every cell missing gets 1.
    largest = np.fmax.reduce(np.abs(X), axis=0) if X.shape[0] else np.zeros(X.shape[1])
    largest = np.nan_to_num(largest, nan=0.0)
    # largest = m * 2**e with m in [0.5, 1); dividing by 2**(e - 1) puts it in [1, 2). (2**e itself
    # overflows for the largest doubles, e = 1024.)
    _, exponent = np.frexp(largest)
    extreme = (largest > 0) & (np.abs(exponent - 1) > _SAFE_EXPONENT)
    return np.where(extreme, np.ldexp(1.0, exponent - 1), 1.0)


def check_full_rank(X, names, method: str) -> None:
    """Refuse data whose sample correlation matrix is singular, naming the culprits.

    Linear-Gaussian methods (Fisher-z tests, the Gaussian BIC, GIES's likelihood) invert
    sub-matrices of the covariance. When a column is an exact linear function of others
    (duplicated, rescaled or summed columns) or there are no more samples than variables, that
    inverse does not exist: causal-learn then stops with "Data correlation matrix is singular", a
    math domain error, or silently returns a near-complete graph from log(0) scores. ``X`` must
    already be free of constant columns and rescaled by :func:`safe_column_scales`.
    """
    n, d = X.shape
    if n <= d:
        raise ValueError(
            f"{method} needs more samples than variables: with n_samples={n} and {d} variables the "
            "sample correlation matrix is singular. Use more samples, fewer variables, or "
            "ZeroShotCausalDiscovery (which regularises its statistics)."
        )
    centred = X - X.mean(axis=0)
    Z = centred / np.sqrt(np.mean(centred**2, axis=0))
    corr = (Z.T @ Z) / n
    eigenvalues, eigenvectors = np.linalg.eigh(corr)
    # Singular to working precision: the tolerance of numpy's matrix_rank, with max(n, d) because
    # the entries are sums over n rows. The methods invert this very matrix (or its blocks), so
    # below it their partial correlations and residual variances are rounding noise.
    tolerance = eigenvalues[-1] * max(n, d) * np.finfo(float).eps
    null = eigenvalues <= tolerance
    if not null.any():
        return
    pairs = [
        (names[i], names[j])
        for i in range(d)
        for j in range(i + 1, d)
        if 1 - abs(corr[i, j]) <= tolerance
    ]
    if pairs:
        detail = "these columns duplicate each other (up to sign, shift and scale): " + ", ".join(
            f"{a!r} and {b!r}" for a, b in pairs[:10]
        )
    else:
        involved = np.flatnonzero((np.abs(eigenvectors[:, null]) > 1e-6).any(axis=1))
        detail = "one of these columns is an exact linear combination of the others: " + str(
            [names[j] for j in involved[:10]]
        )
    raise ValueError(
        f"{method} needs a non-singular correlation matrix, but {detail}. Drop the redundant "
        "columns (they carry no extra information), or use ZeroShotCausalDiscovery or NOTEARS, "
        "which handle them."
    )


def standardize_columns(X) -> np.ndarray:
    """Columns with mean 0 and standard deviation 1, without overflow whatever their magnitude
    (1e-300 ... 1e300): extreme columns are first divided by a power of two
    (:func:`safe_column_scales`), which is exact, so ordinary data give the plain
    ``(X - mean) / std`` bit for bit."""
    scaled = X / safe_column_scales(X)
    scaled = scaled - scaled.mean(axis=0)
    return scaled / scaled.std(axis=0)


def check_random_state(random_state) -> np.random.Generator:
    """A numpy Generator from ``random_state``: None (fresh entropy), an integer >= 0 (a seed) or
    a Generator (returned as it is, so draws continue its stream).

    Raises
    ------
    ValueError
        For anything else (negative integers, booleans, floats, strings).

    Examples
    --------
    >>> bool(check_random_state(0).integers(10) == check_random_state(0).integers(10))
    True
    """
    if (
        random_state is None
        or isinstance(random_state, np.random.Generator)
        or (
            isinstance(random_state, numbers.Integral)
            and not isinstance(random_state, bool)
            and random_state >= 0
        )
    ):
        return np.random.default_rng(random_state)
    raise ValueError(
        "random_state must be None, an integer >= 0 or a numpy.random.Generator; "
        f"got {random_state!r}."
    )
