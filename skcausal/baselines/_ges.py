"""GES (causal-learn's greedy equivalence search) as a skcausal estimator."""

from __future__ import annotations

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from skcausal._base import SHARED_PARAMETER_CONSTRAINTS, BaseCausalDiscovery, Discovery
from skcausal.baselines._causallearn import (
    _SCORE_FUNCS,
    _cpdag_edge_probabilities,
    _prepare,
    causallearn_to_adjacency,
    resolve_score,
)


class GES(BaseCausalDiscovery):
    """Greedy equivalence search (causal-learn's implementation) as a scikit-learn estimator.

    GES adds, then removes, edges greedily by a decomposable score over Markov equivalence
    classes. The result is a CPDAG: ``adjacency_[i, j] == adjacency_[j, i] == 1`` for an edge whose
    direction the data do not settle. All rows are used as observational data:
    ``intervention_mask`` is accepted (and checked) but not used by the search; only :meth:`score`
    uses it. For a search that does use interventions, see :class:`GIES`.

    With ``score_func="local_score_BIC"`` the data must have a non-singular correlation matrix:
    more samples than variables and no column that is an exact linear function of others.
    Otherwise ``fit`` raises a ValueError naming the columns (causal-learn would floor the residual
    variance of the duplicate at machine epsilon and return a near-complete graph). Columns of
    extreme magnitude are divided by a power of two first, which changes no score difference.

    Parameters
    ----------
    score_func : {"auto", "local_score_BIC", "local_score_BDeu", "local_score_CV_general", \
"local_score_marginal_general"}, default="auto"
        causal-learn's local score; ``score_func_`` says which one ran. "local_score_BIC" is the
        linear-Gaussian BIC (penalty 0.5 log n per parameter), "local_score_BDeu" is for discrete
        data (the codes 0..k-1), and the two kernel scores are nonparametric and much slower.
        "auto" chooses from the columns (``feature_kinds_``): BDeu when every column is discrete,
        the BIC otherwise (binary and ordinal columns as their codes, which are meaningful
        numbers); continuous columns mixed with an unordered categorical one are refused (a
        ValueError names PC and ZeroShotCausalDiscovery). GES needs complete rows: rows with
        missing cells are dropped, with a :class:`~skcausal.exceptions.RowsDroppedWarning`.
    max_parents : int or None, default=None
        Passed to causal-learn as ``maxP``. causal-learn compares it with the number of directed
        parents a node has *before* an insertion, so a node can end up with ``max_parents + 1``
        parents; None means no limit.
    knowledge : BackgroundKnowledge or None, default=None
        Required and forbidden edges and tiers (:class:`~skcausal.BackgroundKnowledge`).
    n_bootstrap : int, default=0
        When > 0, the search is rerun on this many bootstrap resamples of the rows, and
        ``edge_frequencies_`` gives the share of resample graphs with each edge (one full search
        per resample).
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the bootstrap resamples; the search itself is deterministic.
    categorical_features : "from_dtype", None or array-like of bool, int or str, \
default="from_dtype"
        The numeric columns to read as discrete (unordered, coded by their sorted distinct
        values): a boolean mask of shape (n_features,), integer indices, or column names when X
        is a DataFrame. "from_dtype" and None: the dtypes alone decide (pandas ``category``,
        ``bool`` and text columns are discrete, other numeric columns continuous). See
        ``docs/inputs.md`` and ``feature_kinds_``.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar over the bootstrap resamples on stderr
        (causal-learn's GES reports no progress of its own).

    causal-learn's GES takes no background knowledge, so the search runs without it and its
    output is constrained afterwards (see :class:`~skcausal.BaseCausalDiscovery`): forbidden
    edges removed or oriented away, required edges added, orientations propagated by Meek's
    rules. The result honours the knowledge but is not the best-scoring class that does.

    Attributes
    ----------
    adjacency_ : ndarray of shape (n_features, n_features), int
        The CPDAG; ``adjacency_[i, j] == 1`` means i -> j, an undirected edge sets both entries.
    edge_probabilities_ : ndarray of shape (n_features, n_features)
        CPDAG marks, not probabilities: 1.0 for a directed edge, 0.5 in each direction for an
        undirected one, 0 otherwise. ``edge_score_name`` says so, and the plots, ``edge_list``
        and the exported files carry it. Three levels rank edges only coarsely: AUROC and AUPRC
        computed from them measure the graph itself.
    cpdag_, coef_, intercept_, noise_std_, edge_frequencies_
        The equivalence class, the linear-Gaussian SEM on the graph and (after a bootstrap) the
        edge frequencies, as for every estimator: see :class:`~skcausal.BaseCausalDiscovery`.
    score_func_ : str
        The causal-learn score the search used (see ``score_func``).
    feature_kinds_, categories_
        Each column's kind and levels (see :class:`~skcausal.BaseCausalDiscovery`).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame with string column names.

    See Also
    --------
    PC : Constraint-based search for the same kind of graph.
    GIES : GES for interventional data.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.baselines import GES
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 500))
    >>> c = a + b + rng.normal(size=500)  # a collider: a -> c <- b
    >>> GES().fit(np.column_stack([a, b, c])).adjacency_
    array([[0, 0, 1],
           [0, 0, 1],
           [0, 0, 0]])
    """

    _returns_cpdag = True
    edge_score_name = "CPDAG mark (1 directed, 0.5 undirected)"
    _missing_values = "complete_rows"
    _discrete_columns = "native"  # BDeu for all-discrete data; mixed: see _check_mixed
    _parameter_constraints = {
        "score_func": [StrOptions(set(_SCORE_FUNCS))],
        "max_parents": [Interval(Integral, 0, None, closed="left"), None],
        **SHARED_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        score_func="auto",
        max_parents=None,
        *,
        knowledge=None,
        n_bootstrap=0,
        random_state=None,
        verbose=0,
        categorical_features="from_dtype",
    ):
        self.score_func = score_func
        self.max_parents = max_parents
        self.knowledge = knowledge
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.verbose = verbose
        self.categorical_features = categorical_features

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        from causallearn.search.ScoreBased.GES import ges

        score = resolve_score(self.score_func, self.feature_kinds_, self._node_names())
        X = _prepare(X, self, score == "local_score_BIC", "GES with score_func='local_score_BIC'")
        record = ges(X, score_func=score, maxP=self.max_parents)
        adjacency = causallearn_to_adjacency(record["G"].graph)
        info = {"score_func_": score}
        return Discovery(_cpdag_edge_probabilities(adjacency), adjacency, info=info)

    def _check_kinds(self):
        resolve_score(self.score_func, self.feature_kinds_, self._node_names())
