"""What both SEMs take when sampling: the number of rows and the do() interventions."""

from __future__ import annotations

import numbers

import numpy as np


def check_n_samples(n_samples) -> int:
    """``n_samples`` as an int >= 1, or a ValueError."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
    return int(n_samples)


def check_interventions(interventions, names) -> dict:
    """``{column index: value}`` from ``{variable: value}``, where variables are ``names`` (the
    column names after a DataFrame fit, otherwise the indices); None means no intervention.

    Raises
    ------
    ValueError
        For anything but a dict, an unknown variable (the message lists the variables) or a value
        that is not a finite number.
    """
    if interventions is None:
        return {}
    if not isinstance(interventions, dict):
        raise ValueError(
            f"interventions must be a dict {{variable: value}} or None; got {interventions!r}."
        )
    index = {name: k for k, name in enumerate(names)}
    targets = {}
    for variable, value in interventions.items():
        key = variable.item() if isinstance(variable, np.generic) else variable
        if isinstance(key, bool) or key not in index:
            raise ValueError(
                f"interventions names the unknown variable {variable!r}; the variables are "
                f"{names[:20]}{' ...' if len(names) > 20 else ''}."
            )
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError(
                f"the value of do({variable!r}) must be a finite number; got {value!r}."
            )
        targets[index[key]] = float(value)
    return targets


def level_code(value, levels, key):
    """The code of ``value`` among a discrete column's ``levels``, or a ValueError listing them."""
    for code, level in enumerate(levels):
        if _kind(level) == _kind(value) and level == value:
            return float(code)
    raise ValueError(
        f"do({key!r}) must set one of the column's levels {list(levels)[:20]} (a discrete "
        f"column); got {value!r}."
    )


def _kind(value) -> str:
    """bool, text or number: a level matches a value of its own kind only (True is not 1)."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    return "text" if isinstance(value, str) else "number"
