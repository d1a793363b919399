"""Reading ``discover``'s CSV inputs: the separator, the row index, the environments column and
the intervention mask, with messages that name the flag to use."""

from __future__ import annotations

import csv
import sys

import numpy as np
import pandas as pd

# The separators a sniffed file may use; anything else needs --sep.
SEPARATORS = ",;\t|"
_SEPARATOR_NAMES = {"\\t": "\t", "tab": "\t", "TAB": "\t"}


def _shown(sep):
    return "\\t" if sep == "\t" else sep


def parse_separator(sep):
    """``--sep``'s value as a character (``\\t`` and ``tab`` mean a tab); None: detect."""
    return None if sep is None else _SEPARATOR_NAMES.get(sep, sep)


def sniff_separator(path):
    """The separator of a CSV file, from its first lines; ``,`` when nothing else fits."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        sample = file.read(64 * 1024)
    # Only whole lines: a line cut in the middle can make the sniffer doubt a good candidate.
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:  # a single column, or no consistent candidate
        return ","


def read_csv(path, *, sep=None, decimal=".", index_col=None, flag="--data"):
    """The CSV at ``path`` as a DataFrame: separator detected unless given, ``index_col`` (a
    column name or position, as given on the command line) as the row index."""
    sep = sniff_separator(path) if sep is None else sep
    frame = pd.read_csv(path, sep=sep, decimal=decimal)
    if frame.shape[1] == 1:
        _refuse_one_column(frame, path, sep)
    if index_col is not None:
        frame = frame.set_index(_index_column(frame, index_col, flag))
    else:
        _warn_about_saved_index(frame, path)
    return frame


def _refuse_one_column(frame, path, sep):
    """A single column whose header holds another separator was split at the wrong one."""
    header = str(frame.columns[0])
    found = [other for other in SEPARATORS + " " if other != sep and other in header]
    if found:
        hint = found[0]
        raise ValueError(
            f"{path} reads as a single column {header[:60]!r} with the separator "
            f"'{_shown(sep)}', but its header holds '{_shown(hint)}': is the separator "
            f"'{_shown(hint)}'? Pass --sep '{_shown(hint)}' (or leave --sep out to detect it)."
        )


def _index_column(frame, index_col, flag):
    """The column ``--index-col`` names: a column name first, else a position."""
    if index_col in frame.columns:
        return index_col
    try:
        position = int(index_col)
    except ValueError:
        position = None
    if position is not None and 0 <= position < frame.shape[1]:
        return frame.columns[position]
    raise ValueError(
        f"--index-col {index_col!r} is neither a column of {flag}'s file nor a position in "
        f"0..{frame.shape[1] - 1}; the columns are {list(frame.columns)[:10]}."
    )


def looks_like_saved_index(column):
    """True for a column pandas' ``to_csv`` wrote from an index: unnamed (read as
    ``Unnamed: 0``), holding 0..n-1 or unique increasing integers."""
    name = str(column.name)
    if not (name.startswith("Unnamed: 0") or name.strip() == ""):
        return False
    values = column.to_numpy()
    if values.dtype.kind not in "iu" or len(values) < 2:
        return False
    return bool(np.all(np.diff(values) > 0))


def _warn_about_saved_index(frame, path):
    first = frame.iloc[:, 0]
    if looks_like_saved_index(first):
        values = first.to_numpy()
        held = (
            f"0, 1, ..., {len(values) - 1}"
            if np.array_equal(values, np.arange(len(values)))
            else f"increasing integers {values[0]}, {values[1]}, ..."
        )
        print(
            f"warning: the first column {first.name!r} of {path} has no name and holds {held}: "
            "it looks like a row index saved by pandas (DataFrame.to_csv writes the index unless "
            "index=False). It is used as a variable; pass --index-col 0 to use it as the row "
            "index instead.",
            file=sys.stderr,
        )


def hint_for_strings(frame, sep, decimal):
    """A sentence to add to the "columns holding strings" error, or ""."""
    strings = frame.select_dtypes(exclude="number")
    if strings.empty:
        return ""
    values = strings.iloc[:20].astype(str).to_numpy().ravel()
    for other in SEPARATORS:
        if other != sep and any(other in value for value in values):
            if other == "," and decimal != "," and all(_decimal_comma(v) for v in values):
                return " The numbers have decimal commas: pass --decimal ','."
            shown = _shown(other)
            return f" Its values hold '{shown}': is the separator '{shown}'? Pass --sep '{shown}'."
    first = frame.columns[0]
    if first in strings.columns and frame[first].is_unique:
        return (
            f" The first column {first!r} holds unique labels: pass --index-col 0 to use it as "
            "the row index."
        )
    return ""


def _decimal_comma(value):
    return value.replace("-", "", 1).replace(",", "", 1).isdigit()


def split_environments(frame, column):
    """Take the environments column (``--environments``) out of the data: (data, labels)."""
    if column not in frame.columns:
        raise ValueError(
            f"--environments {column!r} is not a column of the data; the columns are "
            f"{list(frame.columns)[:10]}."
        )
    return frame.drop(columns=[column]), frame[column]


def reference_label(labels, reference):
    """The environment label that ``--reference-environment`` (a string) names."""
    if reference is None:
        return None
    distinct = pd.unique(labels)
    found = [label for label in distinct if str(label) == reference]
    if not found:
        raise ValueError(
            f"--reference-environment {reference!r} is not one of the environment labels "
            f"{sorted(map(str, distinct))[:10]}."
        )
    return found[0]


def read_mask(path, X, *, sep, decimal, index_col):
    """The intervention mask CSV: the data's columns in the same order, and its row labels when
    ``--index-col`` gave the data some."""
    mask = read_csv(path, sep=sep, decimal=decimal, index_col=index_col, flag="--mask")
    if list(mask.columns) != list(X.columns):
        raise ValueError(
            f"the mask CSV {path} must have the data's columns in the same order; got "
            f"{list(mask.columns)[:10]} for {list(X.columns)[:10]}."
        )
    if index_col is not None and not mask.index.equals(X.index):
        raise ValueError(
            f"the mask CSV {path} must have the data's rows in the same order (by its --index-col "
            f"column); got {list(mask.index)[:5]} for {list(X.index)[:5]}."
        )
    return mask
