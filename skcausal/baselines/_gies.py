"""GIES (the `gies` package) behind the skcausal estimator API: GES for interventional data."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from skcausal._base import SHARED_PARAMETER_CONSTRAINTS, BaseCausalDiscovery, Discovery
from skcausal._utils import check_full_rank, safe_column_scales
from skcausal.baselines._causallearn import _cpdag_edge_probabilities


def _environments(X, intervention_mask):
    """Split the rows into environments: one per distinct row of the mask.

    Returns the per-environment data and, for each, the sorted list of intervened variables.
    """
    patterns, labels = np.unique(intervention_mask, axis=0, return_inverse=True)
    labels = labels.ravel()  # numpy 2 may keep a trailing axis on return_inverse
    data = [X[labels == k] for k in range(len(patterns))]
    targets = [np.flatnonzero(pattern).tolist() for pattern in patterns]
    return data, targets


def _prepare_environments(data, targets, names):
    """The environments as GIES should see them, or a ValueError naming what it cannot score.

    GIES scores variable k with the covariance pooled over the environments where k is not
    intervened, each environment centred on its own mean. Two things break that likelihood, and the
    gies package then divides by zero and searches on -inf/NaN scores (a meaningless graph, or a
    search that never ends):

    - magnitudes: a column can be of ordinary size overall yet tiny *within* environments (its
      large values sit alone in single-sample environments, which centring zeroes), so its
      variance underflows. Columns whose within-environment magnitude is extreme are therefore
      divided by a power of two (exact; the penalised Gaussian likelihood does not depend on a
      column's units), after centring, which GIES does anyway;
    - a singular pooled covariance: a variable (nearly) constant within every environment where k
      is not intervened, or collinear variables there, typically when the mask has many distinct
      rows with few samples each (centring removes one degree of freedom per environment).
    """
    centred = [env - env.mean(axis=0) for env in data]
    scales = safe_column_scales(np.vstack(centred))
    scaled = [c / scales for c in centred]
    d = len(scales)
    tiny = 2.0**-900  # far below any healthy variance once within-environment maxima are ~1
    for k in range(d):
        used = [c for c, t in zip(scaled, targets) if k not in t]
        n_rows = sum(len(c) for c in used)
        pooled = sum(c.T @ c for c in used) / n_rows
        where = (
            f"GIES's likelihood is undefined for variable {names[k]!r}: in the {n_rows} samples "
            "where it is not intervened, "
        )
        why = (
            f" This happens when the mask has many distinct rows with few samples each ({len(data)}"
            " environments here): use fewer distinct intervention patterns or more samples per "
            "pattern."
        )
        flat = np.flatnonzero(np.diag(pooled) < tiny)
        if flat.size:
            raise ValueError(
                where + f"the variables {[names[j] for j in flat[:10]]} are (nearly) constant "
                "within every environment (each distinct row of intervention_mask)." + why
            )
        # As a correlation matrix, so that columns of different scales do not pass for collinear.
        spread = np.sqrt(np.diag(pooled))
        eigenvalues = np.linalg.eigvalsh(pooled / np.outer(spread, spread))
        if eigenvalues[0] <= eigenvalues[-1] * max(n_rows, d) * np.finfo(float).eps:
            raise ValueError(
                where + "the data centred within each environment (each distinct row of "
                "intervention_mask) are collinear." + why
            )
    # Ordinary data go to GIES exactly as before; only extreme columns are handed over rescaled.
    return data if np.all(scales == 1) else scaled


# A score drop that no likelihood gain can make up for, yet finite: GIES compares score
# differences, and -inf - (-inf) would be NaN.
_NON_ADJACENT_PENALTY = 1e12


def _score_with_gaps(score_class, non_adjacent):
    """A subclass of the GIES score whose local score drops by a huge amount for every parent
    ``i`` of ``k`` with ``non_adjacent[i, k]`` (a pair forbidden in both directions)."""

    class _GappedScore(score_class):
        def _compute_local_score(self, k, pa):
            score = super()._compute_local_score(k, pa)
            return score - _NON_ADJACENT_PENALTY * int(sum(non_adjacent[i, k] for i in pa))

    return _GappedScore


class GIES(BaseCausalDiscovery):
    """Greedy interventional equivalence search (Hauser & Bühlmann, 2012) as an estimator.

    GIES is GES for data from several environments, each with known intervention targets. It
    maximises an l0-penalised Gaussian log-likelihood in which an intervened variable's values do
    not count for its own equation, and returns the interventional Markov equivalence class
    (I-essential graph) of the data: interventions orient edges that observational data alone
    leave undirected. Runs the `gies` package (forward, backward and turning phases, iterated).

    How the mask becomes environments: rows with identical ``intervention_mask`` rows form one
    environment, whose targets are the variables True in that row. The all-False rows (if any) are
    the observational environment; without a mask all rows form that single environment, and GIES
    reduces to GES. Each variable must be un-intervened in at least some rows (GIES needs a
    "conservative" family of targets); otherwise ``fit`` raises a ValueError. So must the data
    have a non-singular correlation matrix (more samples than variables, no column an exact linear
    function of others): the Gaussian likelihood needs it, and a ValueError names the columns.
    For the same reason the covariance pooled over the environments where a variable is not
    intervened (each environment centred on its own mean) must be non-singular; with many distinct
    mask rows of few samples each it is not, and ``fit`` raises a ValueError naming the variable.
    Columns of extreme magnitude (beyond about 2**64 or below 2**-64, overall or within the
    environments) are divided by a power of two first, which changes no score difference; without
    it, magnitudes near 1e300 overflowed the covariances and left the search looping on NaN scores.

    Parameters
    ----------
    penalty_weight : float or None, default=None
        The l0 penalty per free parameter (one per edge and one per node). None uses the BIC
        value ``0.5 * log(n_samples)``. Larger gives sparser graphs; > 0.
    knowledge : BackgroundKnowledge or None, default=None
        Required and forbidden edges and tiers (:class:`~skcausal.BackgroundKnowledge`). In the
        search, a pair forbidden in both directions is never made adjacent (its score is
        penalised out). GIES moves between equivalence classes, where a single direction cannot
        be forbidden or required, so those are applied to its output afterwards, as for every
        estimator (forbidden edges removed or oriented away, required edges added, Meek's rules
        propagating the orientations).
    n_bootstrap : int, default=0
        When > 0, GIES is rerun on this many bootstrap resamples of the rows (with their mask
        rows), and ``edge_frequencies_`` gives the share of resample graphs with each edge.
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
        0 prints nothing; 1 shows a progress bar over the bootstrap resamples on stderr (the
        `gies` package reports no progress of its own).

    Attributes
    ----------
    adjacency_ : ndarray of shape (n_features, n_features), int
        The I-essential graph: ``adjacency_[i, j] == 1`` means i -> j, an undirected edge sets
        both entries.
    edge_probabilities_ : ndarray of shape (n_features, n_features)
        CPDAG marks, not probabilities: 1.0 for a directed edge, 0.5 in each direction for an
        undirected one, 0 otherwise. ``edge_score_name`` says so, and the plots, ``edge_list``
        and the exported files carry it. Three levels rank edges only coarsely: AUROC and AUPRC
        computed from them measure the graph itself.
    n_environments_ : int
        Number of distinct mask rows (environments) seen at ``fit``.
    cpdag_, coef_, intercept_, noise_std_, edge_frequencies_
        The equivalence class, the linear-Gaussian SEM on the graph and (after a bootstrap) the
        edge frequencies, as for every estimator: see :class:`~skcausal.BaseCausalDiscovery`.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame with string column names.

    See Also
    --------
    GES : The observational search (causal-learn).

    Examples
    --------
    A chain a -> b -> c is only identified up to its equivalence class from observational data;
    intervening on b orients both edges.

    >>> import numpy as np
    >>> from skcausal.baselines import GIES
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=600)
    >>> b = a + rng.normal(size=600)
    >>> b[300:] = rng.normal(size=300)  # do(b) on the second half of the samples
    >>> c = b + rng.normal(size=600)
    >>> X = np.column_stack([a, b, c])
    >>> mask = np.zeros(X.shape, dtype=bool)
    >>> mask[300:, 1] = True
    >>> GIES().fit(X[:300]).adjacency_
    array([[0, 1, 0],
           [1, 0, 1],
           [0, 1, 0]])
    >>> GIES().fit(X, intervention_mask=mask).adjacency_
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    """

    _returns_cpdag = True
    edge_score_name = "CPDAG mark (1 directed, 0.5 undirected)"
    _missing_values = "complete_rows"
    _discrete_columns = "codes"  # binary/ordinal codes as numbers; categorical refused
    _parameter_constraints = {
        "penalty_weight": [Interval(Real, 0, None, closed="neither"), None],
        **SHARED_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        penalty_weight=None,
        *,
        knowledge=None,
        n_bootstrap=0,
        random_state=None,
        verbose=0,
        categorical_features="from_dtype",
    ):
        self.penalty_weight = penalty_weight
        self.knowledge = knowledge
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.verbose = verbose
        self.categorical_features = categorical_features

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        # Imported here so that importing skcausal does not load the optional search packages.
        import gies
        from gies.scores.gauss_int_l0_pen import GaussIntL0Pen

        always = np.flatnonzero(intervention_mask.all(axis=0))
        if always.size:
            names = self._node_names()
            raise ValueError(
                "GIES needs every variable to be observed without intervention in some samples; "
                f"these are intervened in all of them: {[names[j] for j in always[:10]]}."
            )
        X = X / safe_column_scales(X)
        check_full_rank(X, self._node_names(), "GIES")
        data, targets = _environments(X, intervention_mask)
        data = _prepare_environments(data, targets, self._node_names())
        lmbda = None if self.penalty_weight is None else float(self.penalty_weight)
        score_class = GaussIntL0Pen
        if knowledge is not None:
            forbidden = knowledge.forbidden
            if np.any(forbidden & forbidden.T):
                score_class = _score_with_gaps(GaussIntL0Pen, forbidden & forbidden.T)
        score = score_class(data, targets, lmbda=lmbda)
        with np.errstate(all="ignore"):
            empty_score = score.full_score(np.zeros((X.shape[1], X.shape[1])))
        if not np.isfinite(empty_score):
            # Last line of defence: the search compares scores, and on NaN it may never stop.
            raise ValueError(
                "GIES's likelihood is not finite on these data (the empty graph scores "
                f"{empty_score}); check the data for variables that barely vary within the "
                "samples where they are not intervened."
            )
        try:
            adjacency, _ = gies.fit(score)
        except np.linalg.LinAlgError as error:
            raise ValueError(
                "GIES failed on a singular covariance matrix: some variables are (nearly) "
                "collinear or constant within the samples where they are not intervened."
            ) from error
        adjacency = (np.asarray(adjacency) != 0).astype(int)
        return Discovery(
            _cpdag_edge_probabilities(adjacency), adjacency, info={"n_environments_": len(data)}
        )
