"""Real network structures: the graphs of bnlearn's discrete Bayesian networks, as pgmpy ships them.

Mostly the graphs are used: continuous data are simulated on them (``make_scm(graph=...)``), so
every mechanism family can be tried on a real wiring diagram. :func:`sample_bnlearn` also samples
the development networks with their own probability tables (discrete data, as the network's
authors specified it). pgmpy (an optional dependency: the
``test`` extra) carries the networks as gzipped BIF files in its package; pgmpy 1.1 and later fetch
them from a model hub at run time instead, which this package cannot reach, so pgmpy 1.0 is pinned.

Reserved networks
-----------------
The Gaussian bnlearn networks (ecoli70, magic-niab, magic-irri, arth150) are kept for independent
evaluation, and Sachs is reported but never used to select: :func:`load_bnlearn_structure` refuses
them, so that no validation or model selection can use them by accident.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import logging
import re
import warnings
from importlib import resources

import numpy as np

# bnlearn's discrete networks that are open for development (training, validation, selection).
NETWORK_SIZES = {
    "child": 20,
    "insurance": 27,
    "water": 32,
    "alarm": 37,
    "hailfinder": 56,
    "hepar2": 70,
    "win95pts": 76,
    "pathfinder": 109,
    "andes": 223,
}
DEVELOPMENT_NETWORKS = tuple(NETWORK_SIZES)
RESERVED_NETWORKS = {
    "ecoli70": "reserved for independent evaluation",
    "magic-niab": "reserved for independent evaluation",
    "magic-irri": "reserved for independent evaluation",
    "arth150": "reserved for independent evaluation",
    "sachs": "report only (never used to select); use skcausal.datasets.load_sachs",
}

# "probability ( child | parent1, parent2 ) {": the one BIF line a structure needs.
_PROBABILITY = re.compile(r"probability\s*\(\s*([^|)]+?)\s*(?:\|\s*([^)]*?))?\s*\)")
_VARIABLE = re.compile(r"variable\s+(\S+)\s*\{")
# "variable X {  type discrete [ 2 ] { yes, no };": a variable's states, in the file's order.
_STATES = re.compile(r"variable\s+(\S+)\s*\{\s*type\s+discrete\s*\[\s*\d+\s*\]\s*\{([^}]*)\}")


def _bif_text(name: str) -> str:
    try:
        folder = resources.files("pgmpy") / "utils" / "example_models"
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "real network structures need pgmpy 1.0 "
            "(pip install 'skcausal[test]' or 'pgmpy==1.0.0')."
        ) from None
    path = folder / f"{name}.bif.gz"
    if not path.is_file():
        raise ModuleNotFoundError(
            f"pgmpy does not ship {name}.bif.gz in this version; "
            "real network structures need pgmpy 1.0 "
            "(later versions download them at run time)."
        )
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def parse_bif_structure(text: str) -> tuple[np.ndarray, list[str]]:
    """The graph of a BIF file: (adjacency, variable names in the file's order).

    Reads only the ``variable`` declarations and the ``probability ( child | parents )`` headers,
    which makes it fast where a full parse of the probability tables takes seconds.
    """
    names = _VARIABLE.findall(text)
    index = {name: k for k, name in enumerate(names)}
    adjacency = np.zeros((len(names), len(names)), dtype=int)
    for child, parents in _PROBABILITY.findall(text):
        for parent in filter(None, (p.strip() for p in (parents or "").split(","))):
            adjacency[index[parent], index[child.strip()]] = 1
    return adjacency, names


@functools.cache
def _structure(name: str):
    adjacency, names = parse_bif_structure(_bif_text(name))
    adjacency.setflags(write=False)
    return adjacency, tuple(names)


def _check_name(name):
    """Refuse reserved and unknown networks before any file is read."""
    if name in RESERVED_NETWORKS:
        raise ValueError(f"the bnlearn network {name!r} is {RESERVED_NETWORKS[name]}.")
    if name not in DEVELOPMENT_NETWORKS:
        raise ValueError(f"unknown network {name!r}; choose one of {list(DEVELOPMENT_NETWORKS)}.")


def load_bnlearn_structure(name: str) -> tuple[np.ndarray, list[str]]:
    """The graph of one of bnlearn's discrete networks.

    Real wiring diagrams on which ``make_scm(graph=adjacency)`` simulates data. The graphs are
    read from the files that pgmpy 1.0 ships (``pip install "pgmpy>=1.0,<1.1"``, part of the
    ``test`` extra). The Gaussian bnlearn networks (ecoli70, magic-niab, magic-irri, arth150) are
    reserved for independent evaluation and Sachs is report only: both raise a ValueError.

    Parameters
    ----------
    name : str
        One of ``DEVELOPMENT_NETWORKS``: child (20 nodes), insurance (27), water (32), alarm (37),
        hailfinder (56), hepar2 (70), win95pts (76), pathfinder (109) or andes (223).

    Returns
    -------
    adjacency : ndarray of int, shape (d, d)
        ``adjacency[i, j] == 1`` means the edge i -> j.
    names : list of str
        The variables, in the order of the adjacency's rows.

    Examples
    --------
    >>> from skcausal.datasets import load_bnlearn_structure, make_scm
    >>> A, names = load_bnlearn_structure("child")
    >>> A.shape, int(A.sum()), names[0]
    ((20, 20), 25, 'BirthAsphyxia')
    >>> X, mask, truth = make_scm(500, A.shape[0], graph=A, mechanism="mlp", random_state=0)
    >>> bool((truth == A).all())
    True
    """
    _check_name(name)
    adjacency, names = _structure(name)
    return adjacency.copy(), list(names)


@contextlib.contextmanager
def _quiet_pgmpy():
    """pgmpy 1.0 logs a warning for every table that sums to 1 +- 1e-16 (it renormalises, when
    parsing and again when sampling) and calls pyparsing's deprecated names: noise, not news."""
    logger = logging.getLogger("pgmpy")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        logger.setLevel(level)


@functools.cache
def _network(name: str):
    """The parsed network (its probability tables too) and each variable's states in the BIF's
    order; cached, as parsing the larger networks takes seconds."""
    from pgmpy.readwrite import BIFReader

    text = _bif_text(name)
    with _quiet_pgmpy():
        model = BIFReader(string=text).get_model()
    states = {v: [s.strip() for s in body.split(",")] for v, body in _STATES.findall(text)}
    for variable, declared in states.items():
        parsed = list(model.get_cpds(variable).state_names[variable])
        if parsed != declared:  # the category order must be the file's, whatever pgmpy does
            raise RuntimeError(f"pgmpy reads the states of {variable} as {parsed}, not {declared}.")
    return model, states


def sample_bnlearn(name: str, n_samples: int, *, random_state=None):
    """Discrete data from one of bnlearn's development networks, with its own probability tables.

    Forward sampling with pgmpy 1.0 (``pip install "pgmpy>=1.0,<1.1"``, part of the ``test``
    extra); the first call per network parses its file (seconds for the larger ones), later calls
    reuse it. Reserved networks raise a ValueError before any file is read, as in
    :func:`load_bnlearn_structure`.

    Parameters
    ----------
    name : str
        One of ``DEVELOPMENT_NETWORKS`` (child, insurance, water, alarm, hailfinder, hepar2,
        win95pts, pathfinder, andes).
    n_samples : int
        Number of rows (>= 1).
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    data : pandas.DataFrame of shape (n_samples, d)
        One ``category`` column per variable, in the file's order; its categories are the
        variable's states in the file's order.
    adjacency : ndarray of int, shape (d, d)
        ``adjacency[i, j] == 1`` means the edge i -> j, in the columns' order.

    Examples
    --------
    >>> from skcausal.datasets import sample_bnlearn
    >>> data, A = sample_bnlearn("child", 500, random_state=0)
    >>> data.shape, A.shape, str(data["BirthAsphyxia"].dtype)
    ((500, 20), (20, 20), 'category')
    >>> list(data["BirthAsphyxia"].cat.categories)
    ['yes', 'no']
    """
    _check_name(name)
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
    import pandas as pd
    from pgmpy.sampling import BayesianModelSampling

    from skcausal._utils import check_random_state

    seed = int(check_random_state(random_state).integers(2**32 - 1))
    model, states = _network(name)
    adjacency, names = _structure(name)
    with _quiet_pgmpy():
        sample = BayesianModelSampling(model).forward_sample(
            size=n_samples, seed=seed, show_progress=False
        )
    data = pd.DataFrame(
        {v: pd.Categorical(sample[v].astype(str), categories=states[v]) for v in names}
    )
    if data.isna().any().any():  # a state outside the declared ones would turn into NaN
        raise RuntimeError(f"pgmpy sampled states of {name} that its file does not declare.")
    return data, adjacency.copy()
