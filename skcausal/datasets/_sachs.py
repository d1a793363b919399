"""The Sachs et al. (2005) protein-signalling data with its consensus graph."""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
import pandas as pd

_DATA_FILE = "sachs_pooled.csv"
_EDGES_FILE = "sachs_consensus_edges.csv"

# The pooled file concatenates the conditions in this order; see data/README.md. The target is
# the variable the condition's stimulus or inhibitor acts on, modelled as a hard intervention.
_CONDITIONS = (
    # (name, number of rows, intervened variable or None)
    ("CD3/CD28", 853, None),
    ("CD3/CD28+ICAM-2", 902, None),
    ("AKT inhibitor", 911, "pakts473"),
    ("G0076", 723, "PKC"),
    ("Psitectorigenin", 810, "PIP2"),
    ("U0126", 799, "pmek"),
    ("LY294002", 848, "PIP3"),
    ("PMA", 913, "PKC"),
    ("beta2cAMP", 707, "PKA"),
)


def _open(name):
    return (resources.files("skcausal.datasets") / "data" / name).open("r", encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _read_sachs():
    """Parse the bundled files once; callers get copies."""
    with _open(_DATA_FILE) as handle:
        frame = pd.read_csv(handle)
    with _open(_EDGES_FILE) as handle:
        edges = pd.read_csv(handle)

    names = [str(name) for name in frame.columns]
    values = frame.to_numpy(dtype=float)
    n_expected = sum(size for _, size, _ in _CONDITIONS)
    if values.shape != (n_expected, 11):
        raise RuntimeError(
            f"The bundled {_DATA_FILE} should hold {n_expected} rows and 11 columns; found "
            f"{values.shape}. The package data is damaged; reinstall skcausal."
        )
    # The log transform relies on this; fail loudly rather than return -inf or NaN.
    if not (np.all(np.isfinite(values)) and values.min() > 0):
        raise RuntimeError(
            f"The bundled {_DATA_FILE} should hold only positive finite concentrations. The "
            "package data is damaged; reinstall skcausal."
        )

    index = {name: k for k, name in enumerate(names)}
    adjacency = np.zeros((len(names), len(names)), dtype=np.int64)
    for cause, effect in edges[["Cause", "Effect"]].itertuples(index=False):
        adjacency[index[cause], index[effect]] = 1

    conditions = np.repeat(
        [name for name, _, _ in _CONDITIONS], [size for _, size, _ in _CONDITIONS]
    )
    mask = np.zeros(values.shape, dtype=bool)
    start = 0
    for _, size, target in _CONDITIONS:
        if target is not None:
            mask[start : start + size, index[target]] = True
        start += size
    return names, values, mask, adjacency, conditions


# bnlearn's names (pgmpy's sachs.bif.gz) -> the names of the bundled data.
_BNLEARN_NAMES = {
    "Raf": "praf",
    "Mek": "pmek",
    "Plcg": "plcg",
    "PIP2": "PIP2",
    "PIP3": "PIP3",
    "Erk": "p44/42",
    "Akt": "pakts473",
    "PKA": "PKA",
    "PKC": "PKC",
    "P38": "P38",
    "Jnk": "pjnk",
}


def _bnlearn_graph(names):
    """bnlearn's 17-edge Sachs DAG, in the bundled column order (read from pgmpy 1.0's files)."""
    from skcausal.datasets._bnlearn import _bif_text, parse_bif_structure

    adjacency, bif_names = parse_bif_structure(_bif_text("sachs"))
    bnlearn_name = {ours: theirs for theirs, ours in _BNLEARN_NAMES.items()}
    order = [bif_names.index(bnlearn_name[name]) for name in names]
    return adjacency[np.ix_(order, order)]


def load_sachs(
    *,
    interventional=True,
    log_transform=True,
    as_frame=False,
    return_conditions=False,
    observational="both",
    graph="consensus",
):
    """Load the Sachs et al. (2005) flow-cytometry data and its consensus causal graph.

    7,466 single-cell measurements of 11 phosphorylated proteins and phospholipids in human
    T cells, pooled over nine experimental conditions: two stimulations (observational data) and
    seven that add an inhibitor or activator of one protein, modelled here as a hard intervention
    on that protein. The graph is the 18-edge consensus network used by the ``cdt`` package (the
    17-edge ``bnlearn`` version differs). See ``skcausal/datasets/data/README.md`` for the
    provenance and the row ranges of the conditions.

    ======================  ================================================================
    Condition               Rows (0-based), intervened variable
    ======================  ================================================================
    CD3/CD28                0-852, none
    CD3/CD28+ICAM-2         853-1754, none
    AKT inhibitor           1755-2665, ``pakts473``
    G0076                   2666-3388, ``PKC``
    Psitectorigenin         3389-4198, ``PIP2``
    U0126                   4199-4997, ``pmek``
    LY294002                4998-5845, ``PIP3``
    PMA                     5846-6758, ``PKC``
    beta2cAMP               6759-7465, ``PKA``
    ======================  ================================================================

    Parameters
    ----------
    interventional : bool, default=True
        If True, return all 7,466 rows. If False, return only the 1,755 rows of the two
        observational conditions (their intervention mask is all False).
    log_transform : bool, default=True
        If True, return the natural logarithm of the concentrations, as analyses of these data
        usually do. Every raw value is at least 1, so the logarithm is defined (and non-negative)
        without any offset.
    as_frame : bool, default=False
        If True, return pandas DataFrames labelled with the variable names instead of arrays.
    return_conditions : bool, default=False
        If True, also return the experimental condition of each row.
    observational : {"both", "first"}, default="both"
        Which observational rows: the 1,755 of both stimulation conditions, or only the 853 cells
        of the first (CD3/CD28), as in the common setup with bnlearn's graph. The interventional
        rows follow them when ``interventional=True``.
    graph : {"consensus", "bnlearn"}, default="consensus"
        The true graph: the 18-edge consensus network of ``cdt`` (with one cycle), or bnlearn's
        17-edge DAG (read from the files of pgmpy 1.0, which must be installed).

    Returns
    -------
    X : ndarray of shape (n_samples, 11), float, or DataFrame
        The measurements, columns in the order ``praf, pmek, plcg, PIP2, PIP3, p44/42,
        pakts473, PKA, PKC, P38, pjnk``.
    intervention_mask : ndarray of shape (n_samples, 11), bool, or DataFrame
        ``intervention_mask[k, j]`` is True when row k comes from a condition that targets
        variable j. Rows of the observational conditions have no True entry; the others exactly
        one. A DataFrame with the columns of ``X`` when ``as_frame=True``.
    adjacency : ndarray of shape (11, 11), int, or DataFrame
        The consensus graph, ``adjacency[i, j] == 1`` for the edge i -> j (it has one directed
        cycle, see Notes); a DataFrame indexed and columned by the variable names when
        ``as_frame=True``.
    conditions : ndarray of shape (n_samples,), str, or Series
        Only when ``return_conditions=True``: the condition name of each row (the first column
        of the table above); a Series named ``"condition"`` when ``as_frame=True``.

    Notes
    -----
    The consensus graph is **not acyclic**: the 18-edge list of ``cdt`` contains the directed
    cycle PIP2 -> PIP3 -> plcg -> PIP2 (its only cycle; there are no 2-cycles). It is returned as
    distributed, so an estimator restricted to DAGs cannot reach an SHD of 0 against it.

    Inhibitors mostly change a protein's activity rather than its measured level, so treating
    them as hard interventions on the listed variable is a modelling approximation.

    The data come from the ``cdt`` package 0.6.0 (Apache-2.0). Cite: K. Sachs, O. Perez,
    D. Pe'er, D. A. Lauffenburger and G. P. Nolan, "Causal protein-signaling networks derived
    from multiparameter single-cell data", Science 308(5721):523-529, 2005.

    Examples
    --------
    >>> from skcausal.datasets import load_sachs
    >>> X, intervention_mask, adjacency = load_sachs()
    >>> X.shape, intervention_mask.shape, adjacency.shape
    ((7466, 11), (7466, 11), (11, 11))
    >>> int(adjacency.sum())
    18
    >>> int(intervention_mask.any(axis=1).sum())  # rows from interventional conditions
    5711
    >>> X_obs, mask_obs, _ = load_sachs(interventional=False)
    >>> X_obs.shape, bool(mask_obs.any())
    ((1755, 11), False)
    >>> X, mask, graph, conditions = load_sachs(as_frame=True, return_conditions=True)
    >>> list(graph.columns[graph.loc["PKA"] == 1])
    ['praf', 'pmek', 'p44/42', 'pakts473', 'P38', 'pjnk']
    >>> conditions.iloc[2000], list(mask.columns[mask.iloc[2000]])
    ('AKT inhibitor', ['pakts473'])
    >>> X, mask, dag = load_sachs(interventional=False, observational="first", graph="bnlearn")
    >>> X.shape, int(dag.sum())
    ((853, 11), 17)
    """
    if observational not in ("both", "first"):
        raise ValueError(f"observational must be 'both' or 'first'; got {observational!r}.")
    if graph not in ("consensus", "bnlearn"):
        raise ValueError(f"graph must be 'consensus' or 'bnlearn'; got {graph!r}.")
    names, values, mask, adjacency, conditions = _read_sachs()
    n_obs = _n_observational()
    keep = np.zeros(len(values), dtype=bool)
    keep[: _CONDITIONS[0][1] if observational == "first" else n_obs] = True
    if interventional:
        keep[n_obs:] = True
    X = values[keep]
    mask = mask[keep]
    conditions = conditions[keep]
    adjacency = _bnlearn_graph(names) if graph == "bnlearn" else adjacency.copy()
    if log_transform:
        # The shipped values are all >= 1 (checked on reading), so no offset is needed.
        X = np.log(X)

    if as_frame:
        X = pd.DataFrame(X, columns=names)
        mask = pd.DataFrame(mask, columns=names)
        adjacency = pd.DataFrame(adjacency, index=names, columns=names)
        conditions = pd.Series(conditions, name="condition")
    if return_conditions:
        return X, mask, adjacency, conditions
    return X, mask, adjacency


def _n_observational():
    # The observational conditions come first in the file.
    n = 0
    for _, size, target in _CONDITIONS:
        if target is not None:
            break
        n += size
    return n
