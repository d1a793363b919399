"""What PC and GES share with causal-learn: the graph-encoding converter, data preparation and
background knowledge in causal-learn's form."""

from __future__ import annotations

import numpy as np

from skcausal._utils import check_full_rank, safe_column_scales

# causal-learn's tests, and "auto" (chosen from the columns' kinds, see resolve_ci_test).
# "mv_fisherz" is Fisher-z with test-wise deletion of missing cells; "d_separation" needs the true
# graph, so it is not offered.
_INDEP_TESTS = ("auto", "fisherz", "mv_fisherz", "chisq", "gsq", "kci", "fastkci", "rcit")
# Quantile bins of a continuous column when G-square runs on mixed data with a categorical column.
N_BINS = 5
# The "multi" scores of causal-learn are for vector-valued variables, which skcausal does not model.
_SCORE_FUNCS = (
    "auto",
    "local_score_BIC",
    "local_score_BDeu",
    "local_score_CV_general",
    "local_score_marginal_general",
)


def causallearn_to_adjacency(G) -> np.ndarray:
    """Convert a causal-learn graph matrix to skcausal's adjacency convention.

    causal-learn stores an edge mark at each end: ``G[j, i] == 1`` and ``G[i, j] == -1`` mean
    i -> j; ``G[i, j] == G[j, i] == -1`` is the undirected edge i - j; ``G[i, j] == G[j, i] == 1``
    is the bidirected edge i <-> j (PC can produce it when two v-structures conflict).
    skcausal's ``A[i, j] == 1`` means i -> j. Undirected and bidirected edges both become
    ``A[i, j] == A[j, i] == 1``: neither direction is established, which is what a CPDAG's
    undirected edge says too.

    Parameters
    ----------
    G : array-like of shape (d, d)
        Entries in {-1, 0, 1}, e.g. ``cg.G.graph`` from ``pc`` or ``record["G"].graph`` from
        ``ges``.

    Returns
    -------
    adjacency : ndarray of shape (d, d), int

    Raises
    ------
    ValueError
        If ``G`` is not square, has other values (e.g. the circle marks, 2, of FCI's PAGs), a
        non-zero diagonal, or an edge mark at one end only.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.baselines import causallearn_to_adjacency
    >>> G = np.array([[0, -1, 0],
    ...               [1, 0, -1],
    ...               [0, -1, 0]])  # 0 -> 1 - 2
    >>> causallearn_to_adjacency(G)
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 1, 0]])
    """
    G = np.asarray(G)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"G must be a square 2-D array; got shape {G.shape}.")
    if not np.isin(G, (-1, 0, 1)).all():
        raise ValueError(
            "G must hold only -1, 0 and 1 (causal-learn's tail, no edge, arrowhead); found "
            f"{np.unique(G[~np.isin(G, (-1, 0, 1))])[:5].tolist()}. Circle marks of PAGs are not "
            "supported."
        )
    if np.any(np.diag(G) != 0):
        raise ValueError("G must have a zero diagonal.")
    if np.any((G != 0) != (G.T != 0)):
        raise ValueError("G has an edge mark at one end only: G[i, j] != 0 but G[j, i] == 0.")
    directed = (G == -1) & (G.T == 1)
    undirected = (G == -1) & (G.T == -1)
    bidirected = (G == 1) & (G.T == 1)
    return (directed | undirected | bidirected).astype(int)


def _cpdag_edge_probabilities(adjacency) -> np.ndarray:
    """1.0 for a directed edge, 0.5 each way for an edge present both ways, 0 for no edge."""
    a = (np.asarray(adjacency) != 0).astype(float)
    return a / np.maximum(a + a.T, 1.0)


def _prepare(X, estimator, linear_gaussian, method):
    """The data as causal-learn should see them, or a ValueError that says why it cannot.

    Extreme columns are divided by a power of two (exact; every test and score offered here is
    invariant to a column's units, and causal-learn's covariances overflow from magnitudes of about
    1e154). For the linear-Gaussian test and score, a singular correlation matrix (duplicated or
    collinear columns, no more samples than variables) is refused by name: causal-learn would stop
    with "Data correlation matrix is singular", a math domain error, or return a near-complete
    graph.
    """
    X = X / safe_column_scales(X)
    if linear_gaussian:
        check_full_rank(X, estimator._node_names(), method)
    return X


def _causallearn_knowledge(masks, node_names):
    """causal-learn's BackgroundKnowledge with the forbidden and required edges of ``masks``."""
    from causallearn.graph.GraphNode import GraphNode
    from causallearn.utils.PCUtils.BackgroundKnowledge import BackgroundKnowledge

    knowledge = BackgroundKnowledge()
    nodes = [GraphNode(name) for name in node_names]
    required, forbidden = masks
    for i, j in np.argwhere(forbidden):
        knowledge.add_forbidden_by_node(nodes[i], nodes[j])
    for i, j in np.argwhere(required):
        knowledge.add_required_by_node(nodes[i], nodes[j])
    return knowledge


# The name of CD-NOD's context node (the environment), appended after the variables X1..Xd.


def resolve_ci_test(requested, kinds, has_missing):
    """``(test, binned)``: the causal-learn test PC runs for columns of these kinds, and whether
    the continuous columns are cut into :data:`N_BINS` quantile bins first.

    "auto": Fisher-z for continuous data (``mv_fisherz``, test-wise deletion, with missing cells);
    G-square for all-discrete data; for mixed data Fisher-z on the codes when every discrete column
    is binary or ordinal (their codes are meaningful numbers), else G-square with the continuous
    columns binned. An explicit "fisherz" becomes "mv_fisherz" when cells are missing.
    """
    kinds = np.asarray(kinds)
    discrete = kinds != "continuous"
    fisherz = "mv_fisherz" if has_missing else "fisherz"
    if requested == "fisherz":
        return fisherz, False
    if requested != "auto":
        return requested, False
    if not discrete.any():
        return fisherz, False
    if discrete.all():
        return "gsq", False
    if not (kinds == "categorical").any():
        return fisherz, False
    return "gsq", True


def quantile_bins(X, kinds, n_bins=N_BINS):
    """``X`` with each continuous column replaced by its quantile bin 0..n_bins-1 (NaN kept)."""
    X = X.copy()
    for j in np.flatnonzero(np.asarray(kinds) == "continuous"):
        observed = ~np.isnan(X[:, j])
        edges = np.quantile(X[observed, j], np.linspace(0, 1, n_bins + 1)[1:-1])
        X[observed, j] = np.searchsorted(np.unique(edges), X[observed, j], side="right")
    return X


def resolve_score(requested, kinds, names):
    """GES's causal-learn score for "auto": BDeu for all-discrete data, the Gaussian BIC otherwise
    (on the codes of binary and ordinal columns); mixed data with an unordered categorical column
    is refused. An explicit score is taken as it is."""
    if requested != "auto":
        return requested
    kinds = np.asarray(kinds)
    if (kinds != "continuous").all():
        return "local_score_BDeu"
    categorical = [names[j] for j in np.flatnonzero(kinds == "categorical")]
    if categorical:
        raise ValueError(
            f"GES has no score for continuous columns mixed with unordered categorical ones "
            f"({categorical[:10]}): BDeu needs all-discrete data, the BIC meaningful numbers. Use "
            "PC (G-square on binned continuous columns) or ZeroShotCausalDiscovery, or give the "
            "categories an order (an ordered pandas Categorical)."
        )
    return "local_score_BIC"
