"""make_scm(): one simulated dataset with its true graph, as numpy arrays."""

from __future__ import annotations

import numbers

import numpy as np
import torch

from skcausal._system import InsufficientMemoryError, available_bytes
from skcausal._utils import check_random_state, standardize_columns
from skcausal.datasets._column_kinds import DISCRETE_KINDS, MISSING_MECHANISMS
from skcausal.datasets._graphs import GRAPHS
from skcausal.datasets._mechanisms import MECHANISMS, NOISES
from skcausal.datasets._parts import DataTypePrior, MissingPrior
from skcausal.datasets._prior import SimulationConfig
from skcausal.datasets._simulator import SCMBatchSampler
from skcausal.graph import find_cycle, topological_order


def torch_seed(random_state) -> int:
    """The seed of the torch generator that ``random_state`` (int >= 0, numpy Generator, or None)
    stands for."""
    return int(check_random_state(random_state).integers(2**63 - 1))


def torch_generator(random_state) -> torch.Generator:
    """A torch.Generator seeded from ``random_state`` (int >= 0, numpy Generator, or None)."""
    return torch.Generator().manual_seed(torch_seed(random_state))


def _check_choice(name, value, allowed):
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}; got {value!r}.")


def _check_int(name, value, low, high=None):
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < low
        or (high is not None and value > high)
    ):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {bound}; got {value!r}.")


def _check_dag(graph, n_nodes):
    """A given graph as a 0/1 int matrix, and a causal order of its nodes."""
    try:
        adjacency = np.asarray(graph)
    except Exception as err:  # ragged nested lists and the like
        raise ValueError(
            f"graph must be a graph family name or an adjacency matrix ({err})."
        ) from None
    if adjacency.shape != (n_nodes, n_nodes):
        raise ValueError(
            f"graph must have shape (n_nodes, n_nodes) = ({n_nodes}, {n_nodes}); "
            f"got {adjacency.shape}."
        )
    if not np.isin(adjacency, (0, 1)).all():
        raise ValueError("graph must hold only 0 and 1 (A[i, j] = 1 means i -> j).")
    adjacency = adjacency.astype(int)
    cycle = find_cycle(adjacency)
    if cycle:
        raise ValueError(
            f"graph must be acyclic; it has the cycle {' -> '.join(map(str, cycle + cycle[:1]))}."
        )
    return adjacency, topological_order(adjacency)


def make_scm(
    n_samples=1000,
    n_nodes=10,
    *,
    graph="erdos_renyi",
    edges_per_node=2.0,
    mechanism="linear",
    noise="gaussian",
    heteroscedastic=False,
    n_intervention_targets=0,
    intervention_fraction=0.0,
    standardize=True,
    raw_units=False,
    missing_rate=0.0,
    missing_mechanism="mcar",
    discrete_share=0.0,
    discrete_kind="binary",
    n_levels=3,
    random_state=None,
):
    """Draw a random structural causal model and sample data from it.

    Nodes are simulated in a hidden random order; each node is standardised right after it is drawn,
    so marginal variances carry no trace of the causal order, and its noise scale (the inverse
    signal-to-noise ratio) is drawn per node from U(0.2, 1).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows (>= 2).
    n_nodes : int, default=10
        Number of variables (>= 1).
    graph : {"erdos_renyi", "scale_free", "scale_free_transposed"} or array-like of shape \
            (n_nodes, n_nodes), default="erdos_renyi"
        The random DAG family. ``scale_free`` grows by preferential attachment, so hubs have many
        children; ``scale_free_transposed`` reverses it, so hubs have many parents. An adjacency
        matrix (``A[i, j] = 1`` means i -> j, acyclic) fixes the graph instead, e.g. a real network
        from :func:`load_bnlearn_structure`; the returned adjacency is then the same matrix and the
        columns keep its order.
    edges_per_node : float, default=2.0
        Expected number of edges divided by ``n_nodes`` (for Erdos-Renyi; capped at the complete
        DAG). In scale-free graphs each new node takes this many parents on average, fewer among the
        first nodes.
    mechanism : {"linear", "mlp", "sine", "tanh", "quadratic", "threshold", "rff"}, default="linear"
        How a node depends on its parents; noise is added to it. Also accepted: "hill",
        "piecewise" (piecewise linear) and "interaction" (pair interactions of the parents).
    noise : {"gaussian", "laplace", "uniform", "student_t"}, default="gaussian"
    heteroscedastic : bool, default=False
        Scale each node's noise by a random positive function of its parents.
    n_intervention_targets : int, default=0
        Number of distinct variables that receive a hard do() intervention; each gets at least one
        row, so ``round(intervention_fraction * n_samples)`` must be at least this.
    intervention_fraction : float in [0, 1], default=0.0
        Share of the rows that are interventional; they are split into near-equal blocks, one per
        target, placed after the observational rows. An intervened value is drawn from N(mu, s^2)
        (mu, s random per target), independently of the parents.
    standardize : bool, default=True
        Give every returned column mean 0 and standard deviation 1 (over all rows).
    raw_units : bool, default=False
        Simulate in raw units: nodes are not rescaled while they are drawn, so variance accumulates
        along the causal order as in a real linear SEM (nodes with strong parents are nearly
        deterministic). By default every node is standardised right after it is drawn. With
        nonlinear mechanisms raw units can reach huge values on deep graphs; they suit linear,
        tanh, sine and threshold mechanisms best.
    missing_rate : float in [0, 0.8], default=0.0
        Share of all cells that are missing (NaN in ``X``), approximately; every column loses
        some, at a rate that varies by column. Each column keeps at least two observed values and
        is never constant on them. The cells are drawn last: the observed ones hold the values of
        the same call without missing cells (up to the standardisation, over observed cells).
    missing_mechanism : {"mcar", "mar", "mnar"}, default="mcar"
        Missing completely at random (each cell independently); at random (a column's chance of a
        missing cell is a logistic function of another column that stays fully observed; with one
        node there is none, and cells go missing completely at random); or not at random (a
        logistic function of the cell's own value: high values go missing more often).
    discrete_share : float in [0, 1], default=0.0
        Share of the nodes that are discrete (at least one when > 0): their latent value is cut at
        random quantiles into integer codes 0..k-1, and their children read the code.
    discrete_kind : {"binary", "ordinal", "categorical"}, default="binary"
        The discrete nodes' kind; a categorical node's codes are in a random order.
    n_levels : int >= 2, default=3
        Levels k of ordinal and categorical nodes (binary ones have 2).
    random_state : int, numpy.random.Generator or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_nodes)
        NaN where a cell is missing; discrete columns hold integer codes and are not standardised.
    intervention_mask : ndarray of bool, shape (n_samples, n_nodes)
        True exactly where a value was set by an intervention.
    adjacency : ndarray of int, shape (n_nodes, n_nodes)
        ``adjacency[i, j] == 1`` means the edge i -> j.

    Examples
    --------
    >>> from skcausal.datasets import make_scm
    >>> X, mask, A = make_scm(n_samples=500, n_nodes=5, mechanism="mlp", random_state=0)
    >>> X.shape, mask.any(), A.shape
    ((500, 5), np.False_, (5, 5))
    >>> X, mask, A = make_scm(500, 5, n_intervention_targets=2, intervention_fraction=0.4,
    ...                       random_state=0)
    >>> int(mask.sum())
    200
    >>> chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]  # 0 -> 1 -> 2
    >>> X, mask, A = make_scm(200, 3, graph=chain, mechanism="tanh", random_state=0)
    >>> A.tolist() == chain
    True
    >>> import numpy as np
    >>> X, mask, A = make_scm(2000, 4, missing_rate=0.2, discrete_share=0.5,
    ...                       discrete_kind="ordinal", n_levels=4, random_state=0)
    >>> round(float(np.isnan(X).mean()), 1)
    0.2
    >>> [set(c[~np.isnan(c)]) <= {0, 1, 2, 3} for c in X.T].count(True)  # 2 discrete columns
    2
    """
    _check_int("n_samples", n_samples, 2)
    _check_int("n_nodes", n_nodes, 1)
    order = None
    if isinstance(graph, str) or np.ndim(graph) == 0:  # a family name, or not even an array
        _check_choice("graph", graph, GRAPHS)
    else:
        graph, order = _check_dag(graph, n_nodes)
    _check_choice("mechanism", mechanism, MECHANISMS)
    _check_choice("noise", noise, NOISES)
    for name, flag in (
        ("heteroscedastic", heteroscedastic),
        ("standardize", standardize),
        ("raw_units", raw_units),
    ):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False; got {flag!r}.")
    # The simulator holds a few float32 arrays of shape (n_samples, n_nodes) at once.
    need = 8 * 4 * n_samples * n_nodes
    free = available_bytes("cpu")
    if free is not None and need > free:
        raise InsufficientMemoryError(
            f"simulating n_samples={n_samples} x n_nodes={n_nodes} "
            f"needs about {need / 2**30:.1f} GB; "
            f"{free / 2**30:.1f} GB are available. Use fewer samples or nodes."
        )
    if (
        isinstance(edges_per_node, bool)
        or not isinstance(edges_per_node, numbers.Real)
        or not edges_per_node >= 0
    ):
        raise ValueError(f"edges_per_node must be a number >= 0; got {edges_per_node!r}.")
    _check_int("n_intervention_targets", n_intervention_targets, 0, n_nodes)
    if not isinstance(intervention_fraction, numbers.Real) or not 0 <= intervention_fraction <= 1:
        raise ValueError(f"intervention_fraction must be in [0, 1]; got {intervention_fraction!r}.")
    if intervention_fraction > 0 and n_intervention_targets == 0:
        raise ValueError("intervention_fraction > 0 needs n_intervention_targets >= 1.")
    if n_intervention_targets > 0 and intervention_fraction == 0:
        raise ValueError("n_intervention_targets > 0 needs intervention_fraction > 0.")
    config = _column_config(
        missing_rate, missing_mechanism, discrete_share, discrete_kind, n_levels
    )
    n_rows = round(intervention_fraction * n_samples)
    if n_rows < n_intervention_targets:
        raise ValueError(
            f"intervention_fraction * n_samples gives {n_rows} interventional rows, fewer than "
            f"n_intervention_targets={n_intervention_targets}; every target needs at least one row."
        )

    sampler = SCMBatchSampler(config, generator=torch_generator(random_state))
    batch, back = _sample_one(
        sampler,
        graph,
        order,
        n_nodes,
        n_samples,
        edges_per_node=edges_per_node,
        mechanism=mechanism,
        noise=noise,
        heteroscedastic=heteroscedastic,
        n_targets=n_intervention_targets,
        intervention_fraction=intervention_fraction,
        raw_units=bool(raw_units),
    )
    X, mask = batch.X[0].double().numpy()[:, back], batch.intervention_mask[0].numpy()[:, back]
    adjacency = batch.adjacency[0].numpy().astype(int) if order is None else graph.copy()
    kinds = batch.column_kinds[0].numpy()[back]
    if standardize and ((kinds > 0).any() or np.isnan(X).any()):
        X = _standardize_observed(X, kinds)
    elif standardize:
        X = standardize_columns(X)
    return X, mask, adjacency


def _real(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low}, {high}]; got {value!r}.")
    return float(value)


def _column_config(missing_rate, missing_mechanism, discrete_share, discrete_kind, n_levels):
    """The sampler's config for make_scm's missing cells and discrete nodes (both off by
    default, so that the default stream is the one of earlier versions)."""
    rate = _real("missing_rate", missing_rate, 0, 0.8)
    share = _real("discrete_share", discrete_share, 0, 1)
    _check_choice("missing_mechanism", missing_mechanism, MISSING_MECHANISMS)
    _check_choice("discrete_kind", discrete_kind, DISCRETE_KINDS)
    if discrete_kind != "binary":
        _check_int("n_levels", n_levels, 2)
    levels = 2 if discrete_kind == "binary" else n_levels
    columns = DataTypePrior(
        discrete_probability=float(share > 0),
        min_discrete_share=share,
        max_discrete_share=share,
        kinds=(discrete_kind,),
        min_levels=levels,
        max_levels=levels,
    )
    missing = MissingPrior(
        probability=float(rate > 0),
        min_rate=rate,
        max_rate=rate,
        min_column_share=1.0,
        max_column_share=1.0,
        mechanisms=(missing_mechanism,),
    )
    return SimulationConfig(columns=columns, missing=missing)


def _standardize_observed(X, kinds):
    """X with each continuous column standardised over its observed (non-NaN) cells."""
    X = X.copy()
    for j in np.flatnonzero(kinds == 0):
        observed = ~np.isnan(X[:, j])
        X[observed, j] = standardize_columns(X[observed, j][:, None])[:, 0]
    return X


def _sample_one(sampler, graph, order, n_nodes, n_samples, **options):
    """One dataset of a random graph family, or of a given DAG simulated in its causal ``order``.

    Returns the batch and the column permutation that puts a given graph's columns back in its
    order (the identity for a random graph).
    """
    given = (
        None if order is None else torch.as_tensor(graph[np.ix_(order, order)], dtype=torch.bool)
    )
    batch = sampler.sample(
        1,
        n_nodes,
        n_samples,
        graph=None if order is not None else graph,
        dag=given,
        standardize=False,
        **options,
    )
    back = np.arange(n_nodes) if order is None else np.argsort(order)
    return batch, back
