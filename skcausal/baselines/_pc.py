"""PC (causal-learn's), and CD-NOD when the data come with environments."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skcausal._base import SHARED_PARAMETER_CONSTRAINTS, BaseCausalDiscovery, Discovery
from skcausal._utils import check_full_rank
from skcausal.baselines._causallearn import (
    _INDEP_TESTS,
    _causallearn_knowledge,
    _cpdag_edge_probabilities,
    _prepare,
    causallearn_to_adjacency,
    quantile_bins,
    resolve_ci_test,
)

_CONTEXT_NODE = "environment"


def _cdnod_graph(
    data, context, alpha, indep_test, stable, knowledge, node_names, show_progress=False
):
    """CD-NOD's graph (causal-learn's encoding) over the variables and, last, the context node.

    The steps of causal-learn's ``cdnod`` (``cdnod_alg``, with its defaults uc_rule=0 and
    uc_priority=2), composed here from the same causal-learn functions because ``cdnod`` does not
    forward ``show_progress`` to the skeleton search (it would print a progress bar on every fit,
    whatever ``verbose``) nor the background knowledge (so edges forbidden both ways would still
    be tested, and could steer the other tests and the collider orientations). Without knowledge
    the graph is ``cdnod``'s.
    """
    from causallearn.utils.cit import CIT
    from causallearn.utils.PCUtils import Meek, SkeletonDiscovery, UCSepset
    from causallearn.utils.PCUtils.BackgroundKnowledgeOrientUtils import (
        orient_by_background_knowledge,
    )

    data = np.column_stack([data, np.asarray(context, dtype=float)])
    test = CIT(data, indep_test)
    cg = SkeletonDiscovery.skeleton_discovery(
        data,
        alpha,
        test,
        stable,
        background_knowledge=knowledge,
        show_progress=show_progress,
        node_names=[*node_names, _CONTEXT_NODE],
    )
    # The context is exogenous: every edge at it points away from it (cdnod does the same).
    context_node = cg.G.nodes[data.shape[1] - 1]
    for node in cg.G.get_adjacent_nodes(context_node):
        cg.G.add_directed_edge(context_node, node)
    if knowledge is not None:
        orient_by_background_knowledge(cg, knowledge)
    cg = UCSepset.uc_sepset(cg, 2, background_knowledge=knowledge)
    return Meek.meek(cg, background_knowledge=knowledge).G.graph


class PC(BaseCausalDiscovery):
    """The PC algorithm (causal-learn's implementation) as a scikit-learn estimator.

    PC removes edges by conditional-independence tests and orients what the tests identify. The
    result is a CPDAG: ``adjacency_[i, j] == adjacency_[j, i] == 1`` for an edge whose direction
    the data do not settle. All rows are used as observational data: ``intervention_mask`` is
    accepted (and checked) but not used by the search; only :meth:`score` uses it.

    Given ``environments`` (``fit(X, environments=e)``: a label per sample, for interventions or
    shifts with unknown targets), PC runs CD-NOD (Huang et al., 2020; causal-learn's
    implementation) instead: the environment becomes an extra, exogenous context variable C of the
    search, a variable adjacent to C is one whose mechanism changes across environments, and the
    edges C -> j orient further edges by the rules of v-structures (C -> i - j with j not adjacent
    to C orients i -> j; i - j with only j adjacent to C, and i separated from C without j,
    orients i -> j <- C). Two variables whose dependence PC cannot orient can thus be oriented when
    one of them is shifted. The result is
    still a (partially directed) graph over the variables only: the context node is dropped. The
    mask, if also given, is ignored by the search as without environments.

    With ``indep_test="fisherz"`` the data must have a non-singular correlation matrix: more
    samples than variables and no column that is an exact linear function of others (a duplicated
    or rescaled copy, a sum of columns); with environments, the same holds with the environment's
    index as one more column. Otherwise ``fit`` raises a ValueError naming the columns.
    Columns of extreme magnitude (beyond 2**64 or below 2**-64) are divided by a power of two
    first, which changes no test result.

    Parameters
    ----------
    alpha : float, default=0.05
        Significance level of the independence tests, in (0, 1). Larger keeps more edges.
    indep_test : {"auto", "fisherz", "mv_fisherz", "chisq", "gsq", "kci", "fastkci", "rcit"}, \
default="auto"
        causal-learn's conditional-independence test; ``ci_test_`` says which one ran. "auto"
        chooses from the columns (``feature_kinds_``): all continuous: "fisherz", or
        "mv_fisherz" (Fisher-z with test-wise deletion: each test uses the rows where its
        variables are observed) when cells are missing; all discrete: "gsq" (G-square) on the
        complete rows; mixed: Fisher-z on the codes when every discrete column is binary or
        ordinal (their codes are meaningful numbers), else "gsq" with each continuous column cut
        into 5 quantile bins, on the complete rows. An explicit "fisherz" becomes "mv_fisherz"
        when cells are missing; "chisq"/"gsq" assume discrete data and the kernel tests ("kci",
        "fastkci", "rcit") are nonparametric and much slower: these need complete rows. Rows
        dropped for a test that needs complete rows are reported by a
        :class:`~skcausal.exceptions.RowsDroppedWarning`.
    stable : bool, default=True
        Use the order-independent ("stable") skeleton search.
    knowledge : BackgroundKnowledge or None, default=None
        Required and forbidden edges and tiers (:class:`~skcausal.BackgroundKnowledge`).
    n_bootstrap : int, default=0
        When > 0, the search is rerun on this many bootstrap resamples of the rows, and
        ``edge_frequencies_`` gives the share of resample graphs with each edge (one full search
        per resample).
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the bootstrap resamples; the search itself is deterministic.
    reference_environment : hashable or None, default=0
        Only used with ``environments``: the label of the observational environment, whose row
        of ``intervention_targets_`` is all zero. It must be one of the labels (a ValueError
        otherwise; with string labels, name one, e.g. ``"control"``). None: no environment is
        assumed observational, and every row flags the variables whose mechanism changes.
    categorical_features : "from_dtype", None or array-like of bool, int or str, \
default="from_dtype"
        The numeric columns to read as discrete (unordered, coded by their sorted distinct
        values): a boolean mask of shape (n_features,), integer indices, or column names when X
        is a DataFrame. "from_dtype" and None: the dtypes alone decide (pandas ``category``,
        ``bool`` and text columns are discrete, other numeric columns continuous). See
        ``docs/inputs.md`` and ``feature_kinds_``.
    verbose : int, default=0
        0 prints nothing. 1 shows progress bars on stderr: causal-learn's bar over the variables
        of the skeleton search (PC's or CD-NOD's) and, with ``n_bootstrap``, one over the
        resamples. 2 also shows the skeleton search's bar within each resample.

    Background knowledge goes to causal-learn's ``BackgroundKnowledge`` in the search (edges
    forbidden both ways are never tested, orientations respect it; with environments, it covers
    the variables and leaves the context node's edges free); the output is then constrained as for
    every estimator (see :class:`~skcausal.BaseCausalDiscovery`), which only matters for a
    required edge whose adjacency the tests removed.

    CD-NOD's context variable is the environment's index into the sorted labels, a number: with
    ``indep_test="fisherz"`` a change is found when a variable's conditional mean moves linearly
    with that index. Two environments are always fine (any mean shift is linear in a 0/1
    index); with three or more, a shift that is not monotone in the index can cancel out (labels
    0, 1, 2 of equal size with only 1 shifted: no linear trend at all), and changes of variance
    alone are not seen. The kernel tests (``indep_test="kci"``) see any change, much more slowly.

    Attributes
    ----------
    adjacency_ : ndarray of shape (n_features, n_features), int
        The CPDAG; ``adjacency_[i, j] == 1`` means i -> j. Undirected and bidirected edges (see
        :func:`causallearn_to_adjacency`) set both entries.
    edge_probabilities_ : ndarray of shape (n_features, n_features)
        CPDAG marks, not probabilities: 1.0 for a directed edge, 0.5 in each direction for an
        undirected one, 0 otherwise. ``edge_score_name`` says so, and the plots, ``edge_list``
        and the exported files carry it. Three levels rank edges only coarsely: AUROC and AUPRC
        computed from them measure the graph itself.
    cpdag_, coef_, intercept_, noise_std_, edge_frequencies_
        The equivalence class, the linear-Gaussian SEM on the graph and (after a bootstrap) the
        edge frequencies, as for every estimator: see :class:`~skcausal.BaseCausalDiscovery`.
    environments_ : ndarray of shape (n_environments,)
        Only after a fit with ``environments``: the sorted distinct labels, which index the rows
        of ``intervention_targets_``.
    intervention_targets_ : ndarray of shape (n_environments, n_features), float
        Only after a fit with ``environments``: 1.0 where CD-NOD found variable j's mechanism to
        change across the environments (j adjacent to the context node), in every environment but
        the reference one, and 0.0 elsewhere (the reference row, when there is one, is all zero).
        CD-NOD tells *which* mechanisms change, not *in which* environment, so the non-reference
        rows are all the same.
    ci_test_ : str
        The causal-learn test the search ran (see ``indep_test``).
    feature_kinds_, categories_
        Each column's kind and levels (see :class:`~skcausal.BaseCausalDiscovery`).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame with string column names.

    See Also
    --------
    GES : Score-based search for the same kind of graph.
    GIES : A score-based search for environments whose targets are known.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.baselines import PC
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 500))
    >>> c = a + b + rng.normal(size=500)  # a collider: a -> c <- b
    >>> PC().fit(np.column_stack([a, b, c])).adjacency_
    array([[0, 0, 1],
           [0, 0, 1],
           [0, 0, 0]])

    Two variables alone cannot be oriented from observational data; a shift of ``a`` in a second
    environment orients ``a -> b`` (CD-NOD) and is reported in ``intervention_targets_``:

    >>> env = np.repeat(["control", "shifted"], 250)
    >>> a = rng.normal(size=500) + 2.0 * (env == "shifted")
    >>> b = a + rng.normal(size=500)
    >>> X = np.column_stack([a, b])
    >>> PC().fit(X).adjacency_
    array([[0, 1],
           [1, 0]])
    >>> est = PC(reference_environment="control").fit(X, environments=env)
    >>> est.adjacency_
    array([[0, 1],
           [0, 0]])
    >>> est.environments_
    array(['control', 'shifted'], dtype='<U7')
    >>> est.intervention_targets_
    array([[0., 0.],
           [1., 0.]])
    """

    _returns_cpdag = True
    edge_score_name = "CPDAG mark (1 directed, 0.5 undirected)"
    # Missing cells: mv_fisherz reads them (test-wise deletion); the discrete tests need
    # complete rows (see _missing_policy).
    _missing_values = "native"
    _discrete_columns = "native"
    _supports_environments = True
    _parameter_constraints = {
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "indep_test": [StrOptions(set(_INDEP_TESTS))],
        "stable": ["boolean"],
        # Any label type (int, str, ...) or None; checked against the labels at fit.
        "reference_environment": "no_validation",
        **SHARED_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        alpha=0.05,
        indep_test="auto",
        stable=True,
        *,
        knowledge=None,
        n_bootstrap=0,
        random_state=None,
        reference_environment=0,
        verbose=0,
        categorical_features="from_dtype",
    ):
        self.alpha = alpha
        self.indep_test = indep_test
        self.stable = stable
        self.knowledge = knowledge
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.reference_environment = reference_environment
        self.verbose = verbose
        self.categorical_features = categorical_features

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        # Imported here: causal-learn pulls in a large dependency tree that most users of the
        # package (the zero-shot estimator) never need.
        from causallearn.search.ConstraintBased.PC import pc

        test, binned = resolve_ci_test(self.indep_test, self.feature_kinds_, np.isnan(X).any())
        fisherz = test == "fisherz"
        X = quantile_bins(X, self.feature_kinds_) if binned else X
        X = _prepare(X, self, fisherz, "PC with indep_test='fisherz'")
        d = X.shape[1]
        node_names = [f"X{k + 1}" for k in range(d)]
        if knowledge is not None:
            knowledge = _causallearn_knowledge(knowledge, node_names)
        # A bootstrap resample can miss every row of a small environment; with one environment
        # left the context is constant and carries nothing, so that resample runs plain PC.
        if environments is not None and np.unique(environments.codes).size > 1:
            return self._discover_cdnod(X, environments, knowledge, node_names, test)
        graph = pc(
            X,
            alpha=float(self.alpha),
            indep_test=test,
            stable=bool(self.stable),
            background_knowledge=knowledge,
            show_progress=self._show_progress(),
            node_names=node_names,
        )
        adjacency = causallearn_to_adjacency(graph.G.graph)
        targets = None if environments is None else np.zeros((len(environments.labels), d))
        info = {"ci_test_": test}
        return Discovery(_cpdag_edge_probabilities(adjacency), adjacency, targets, info=info)

    def _discover_cdnod(self, X, environments, knowledge, node_names, test):
        """CD-NOD with the environment as the context; the variables whose mechanisms change with
        it are the targets."""
        d = X.shape[1]
        context = environments.codes.astype(float)
        if test == "fisherz":
            check_full_rank(
                np.column_stack([X, context]),
                [*self._node_names(), _CONTEXT_NODE],
                "PC with indep_test='fisherz' and environments",
            )
        G = _cdnod_graph(
            X,
            context,
            float(self.alpha),
            test,
            bool(self.stable),
            knowledge,
            node_names,
            show_progress=self._show_progress(),
        )
        adjacency = causallearn_to_adjacency(G[:d, :d])
        changed = G[d, :d] != 0  # an edge (C -> j) between the context and variable j
        targets = np.zeros((len(environments.labels), d))
        targets[:, changed] = 1.0
        if environments.reference is not None:
            targets[environments.reference] = 0.0
        info = {"ci_test_": test}
        return Discovery(_cpdag_edge_probabilities(adjacency), adjacency, targets, info=info)

    def _resolved_test(self):
        return resolve_ci_test(self.indep_test, self.feature_kinds_, True)[0]

    def _missing_policy(self):
        # mv_fisherz reads missing cells (test-wise deletion); the other tests need complete rows.
        return "native" if self._resolved_test() == "mv_fisherz" else "complete_rows"

    def _method_name(self):
        return f"PC with indep_test={self._resolved_test()!r}"
