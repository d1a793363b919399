"""The fit template every skcausal estimator shares: validation, knowledge, the search's result
(:class:`Discovery`), the fitted attributes and the bootstrap."""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from skcausal._bootstrap import edge_frequencies, resample_discoveries
from skcausal._contract import check_column_kinds, rows_for_search, validate_fit_data
from skcausal._graph_views import GraphViewsMixin
from skcausal._inputs import Environments, check_environments, frame_axes
from skcausal.graph import (
    BackgroundKnowledge,
    apply_knowledge,
    dag_to_cpdag,
    find_cycle,
    greedy_dag,
    pdag_to_dag,
)
from skcausal.sem import SEMMixin


class Knowledge(NamedTuple):
    """Background knowledge resolved against the columns: boolean (d, d) matrices of the
    ``required`` and the ``forbidden`` edges (the tiers' included)."""

    required: np.ndarray
    forbidden: np.ndarray


@dataclass
class Discovery:
    """What a search (``_discover``) returns to the fit template.

    Attributes
    ----------
    probabilities : ndarray of shape (d, d)
        Confidence in each directed edge i -> j.
    adjacency : ndarray of shape (d, d)
        The graph the search chose (``adjacency[i, j] != 0`` means i -> j).
    targets : ndarray of shape (n_environments, d) or None
        For a fit with environments: a score in [0, 1] that each variable was intervened on in
        each environment (becomes ``intervention_targets_``).
    resamples : list of Discovery or None
        The search's results on the bootstrap resamples, when it computed them itself (the
        zero-shot model runs them in the same forward pass); None lets the fit template refit
        the search on each resample.
    info : dict
        Further fitted attributes of the search, by name (each ending in ``_``), e.g. the
        zero-shot model's ``checkpoint_info_``.
    """

    probabilities: np.ndarray
    adjacency: np.ndarray
    targets: np.ndarray | None = None
    resamples: list | None = None
    info: dict = field(default_factory=dict)


# The parameters every estimator of the package takes, with their constraints.
SHARED_PARAMETER_CONSTRAINTS = {
    "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
    "knowledge": [BackgroundKnowledge, None],
    "n_bootstrap": [Interval(numbers.Integral, 0, None, closed="left")],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


# Set by a fit with n_bootstrap > 0 only.
_BOOTSTRAP_ATTRIBUTES = ("edge_frequencies_", "bootstrap_edge_probabilities_")


class BaseCausalDiscovery(GraphViewsMixin, SEMMixin, BaseEstimator):
    """Base class of skcausal's causal-discovery estimators.

    A subclass implements the search, ``_discover(X, intervention_mask, *, knowledge,
    environments) -> Discovery``, on validated float64 data and a boolean mask; this class does
    the rest: input validation, background knowledge, the fitted attributes (below; every
    estimator has them), the bootstrap, the SEM behind :meth:`score` and :meth:`sample`
    (:class:`~skcausal.sem.SEMMixin`), and views of the graph.

    Attributes
    ----------
    adjacency_ : ndarray of shape (n_features, n_features), int
        ``adjacency_[i, j] == 1`` means the edge i -> j. An undirected edge of a CPDAG sets both
        ``[i, j]`` and ``[j, i]``.
    edge_probabilities_ : ndarray of shape (n_features, n_features), float
        Confidence in each directed edge, zero on the diagonal (and on edges the knowledge
        forbids). Always the estimate from the full data, with or without a bootstrap
        (``n_bootstrap`` only adds the attributes below); ``edge_score_name`` says what kind of
        score it is.
    cpdag_ : ndarray of shape (n_features, n_features), int
        The Markov equivalence class: the CPDAG of ``adjacency_`` for estimators that return a
        DAG; the equivalence class the search returned for PC, GES and GIES (which is their
        ``adjacency_``). For a cyclic graph (zero-shot with ``acyclic=False``), the CPDAG of the
        DAG the SEM uses (see ``coef_``).
    coef_ : ndarray of shape (n_features, n_features), float
        The linear-Gaussian SEM that :meth:`score` and :meth:`sample` use: ``coef_[i, j]`` is the
        least-squares weight of i in j's equation, in the units of X, 0 where i is not a parent of
        j. Fitted on ``adjacency_``; for a CPDAG, on a consistent DAG extension of it (no new
        v-structure, no cycle); for a cyclic graph (``acyclic=False``), on the graph without the
        least probable edges of its cycles. Variable j is fitted on the rows where it was not
        intervened and it and its parents are observed (all rows, whatever rows a search that
        needs complete rows dropped); with fewer than 2 such rows, NaN in its column. Discrete
        columns enter as their codes (meaningless numbers for unordered categorical columns).
    intercept_ : ndarray of shape (n_features,)
        The intercept of each variable's equation, in the units of X.
    noise_std_ : ndarray of shape (n_features,)
        The residual standard deviation of each equation (maximum likelihood: divided by the
        number of rows it was fitted on).
    edge_frequencies_ : ndarray of shape (n_features, n_features)
        Only after a fit with ``n_bootstrap > 0``: the share of the bootstrap resamples (of the
        rows, with replacement) whose learned graph, with the knowledge applied, has the edge
        i -> j (an undirected edge counts in both directions).
    bootstrap_edge_probabilities_ : ndarray of shape (n_features, n_features)
        Only after a fit with ``n_bootstrap > 0``: the mean over the bootstrap resamples of their
        own ``edge_probabilities_`` (with the knowledge applied), a smoothed score to set beside
        the full-data one. The full data's pass is not part of the mean; ``edge_probabilities_``
        and ``adjacency_`` stay the full-data estimate.
    feature_kinds_ : ndarray of str, shape (n_features,)
        Each column's kind: "continuous", "binary" (a discrete column with 2 levels), "ordinal"
        (an ordered category with more) or "categorical" (unordered, more than 2 levels); see
        ``docs/inputs.md``. Set before the search runs.
    categories_ : list of length n_features
        Per column, None (continuous) or the array of its levels in code order (the search saw
        code k for ``categories_[j][k]``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a pandas DataFrame with string column names.

    Notes
    -----
    Background knowledge (``knowledge=``, a :class:`~skcausal.BackgroundKnowledge`) is resolved
    against the columns at ``fit`` and honoured by ``adjacency_``: each estimator uses it in its
    search where it can (its docstring says how), and the output is then constrained: forbidden
    edges are removed (an undirected edge is oriented away from a forbidden direction), required
    edges added, and Meek's rules propagate the orientations of an equivalence class.

    ``intervention_mask`` is a per-sample parameter of ``fit`` and ``score``: in cross-validation
    it must be split with the rows of ``X``. With scikit-learn's metadata routing enabled
    (``sklearn.set_config(enable_metadata_routing=True)``), request it with
    ``est.set_fit_request(intervention_mask=True)`` (and ``set_score_request`` for :meth:`score`)
    and pass it by its name to :class:`~sklearn.pipeline.Pipeline`,
    :func:`~sklearn.model_selection.cross_validate` (``params={"intervention_mask": M}``) or
    :class:`~sklearn.model_selection.GridSearchCV`. Without routing, scikit-learn's older
    conventions apply: ``Pipeline.fit`` takes ``<step name>__intervention_mask=M`` and
    ``cross_validate(params=...)`` passes it to ``fit`` only.

    ``score`` takes ``sample_weight`` too, which also lets ``Pipeline.score`` run with routing
    enabled (scikit-learn 1.9 hands it ``sample_weight=None`` whatever the last step).

    pandas side inputs are aligned with a DataFrame ``X`` by label, in :meth:`fit` and
    :meth:`score` alike: a DataFrame ``intervention_mask`` by column name and by index, a Series of
    ``environments`` (or of ``sample_weight``) by index. The same labels in another order are
    reordered to ``X``'s; other labels (different column names, an index with other row labels,
    duplicated labels that cannot be paired) raise a ValueError that names them. When ``X`` is an
    array, it has no labels: a pandas mask, environments or weights are then taken by position.
    Cross-validation splits both by position and keeps their labels, so the folds stay aligned.

    ``verbose=1`` shows progress bars (tqdm) on stderr: over the bootstrap resamples, over the
    zero-shot model's forward passes, and within a long search where the method reports progress
    (PC's skeleton search, NOTEARS's outer iterations); ``verbose=2`` adds the search's bar within
    each resample. ``verbose=0`` (the default) prints nothing.

    Examples
    --------
    >>> import sklearn
    >>> from sklearn.model_selection import cross_validate
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.datasets import make_scm
    >>> X, mask, _ = make_scm(600, 5, n_intervention_targets=2, intervention_fraction=0.3,
    ...                       random_state=0)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     est = (ZeroShotCausalDiscovery().set_fit_request(intervention_mask=True)
    ...            .set_score_request(intervention_mask=True))
    ...     result = cross_validate(est, X, params={"intervention_mask": mask}, cv=3)
    >>> result["test_score"].shape
    (3,)
    """

    _parameter_constraints: dict = {}

    # What edge_probabilities_ holds, in words, for tables, plots and docs: only the zero-shot
    # model's scores are probabilities; PC, GES and GIES give CPDAG marks, NOTEARS a weight score.
    edge_score_name = "edge score"

    # Subclasses whose search returns an equivalence class (PC, GES, GIES) set this to True: their
    # adjacency_ is their cpdag_, and the SEM uses a consistent DAG extension of it.
    _returns_cpdag = False

    # Estimators that learn from environments (unknown targets) set this to True; their
    # _discover then gets an Environments and may return the targets it found.
    _supports_environments = False

    # The column contract (docs/inputs.md): missing cells "refuse"d, read "native"ly, or
    # "complete_rows" (dropped with a RowsDroppedWarning); discrete columns "refuse"d, "native",
    # or "codes" (binary/ordinal codes as numbers, unordered categorical refused).
    _missing_values = "refuse"
    _discrete_columns = "refuse"

    def _missing_policy(self) -> str:
        """How this fit treats missing cells; may depend on ``feature_kinds_`` (PC's does)."""
        return self._missing_values

    def _method_name(self) -> str:  # as the complete-rows warning names the method
        return type(self).__name__

    def _min_complete_rows(self, n_features) -> int:  # the fewest the search can run on
        return 2

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Unsupervised: fit(X) learns a graph of the columns; a y, if given, is ignored.
        tags.target_tags.required = False
        # Dense 2-D data; NaN is a missing cell (read natively or by dropping rows, with a
        # warning); text columns are categorical, but other objects (dicts) are refused.
        tags.input_tags.two_d_array = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = self._missing_values != "refuse"
        # input_tags.categorical/string stay False: scikit-learn's checks would then feed rounded
        # integers (read as continuous here) or dicts as strings.
        # score() needs the graph and the SEM learned at fit.
        tags.requires_fit = True
        return tags

    # -- fitting ---------------------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, intervention_mask=None, environments=None):
        """Learn the causal graph of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Observational and/or interventional samples: at least 2 samples and 2 features, no
            infinite value, no column constant on its observed cells. NaN (and, in a DataFrame,
            None and ``pd.NA``) is a missing cell. pandas ``category`` and ``bool`` columns, text
            columns and the columns ``categorical_features`` names are discrete (one node each,
            coded 0..k-1); other numeric columns, integer ones too, are continuous. What each
            estimator does with them: ``docs/inputs.md`` (``feature_kinds_`` records the kinds).
        y : None
            Ignored; present for scikit-learn compatibility.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            ``intervention_mask[k, j]`` is True when sample k's value of variable j was set by an
            intervention. None means all samples are observational. Booleans, or numbers that are
            exactly 0 or 1; at least one value must be False (observational). A DataFrame mask is
            aligned with a DataFrame ``X`` by column name and index: the same labels in another
            order are reordered to ``X``'s, other labels are refused (a ValueError names them).
            With an array ``X``, a DataFrame mask is taken by position.
        environments : array-like of shape (n_samples,), default=None
            The environment (experimental condition, batch, recording run) of each sample, for
            interventions with unknown targets: any sortable labels, at least two distinct ones.
            The estimator's ``reference_environment`` names the observational one. Only the
            estimators that use environments accept them (:class:`ZeroShotCausalDiscovery` with a
            checkpoint trained on them, and :class:`PC`, which runs CD-NOD); the others raise a
            ValueError. It is a per-sample parameter like ``intervention_mask``, routed the same
            way (``set_fit_request(environments=True)``). Both may be given together. A pandas
            Series is aligned with a DataFrame ``X`` by index, as the mask is; with an array
            ``X``, it is taken by position.

        Returns
        -------
        self : object
            The fitted estimator. After a fit with ``environments``, ``environments_`` holds the
            sorted labels and ``intervention_targets_`` (n_environments, n_features) a score in
            [0, 1] for each environment and variable that the variable was intervened on there.

        Raises
        ------
        ValueError
            If ``X``, ``intervention_mask`` or ``environments`` is malformed as described above,
            if their labels do not match ``X``'s, or the estimator cannot work with the data (its
            own docstring says when); before the data are looked at, if the estimator cannot run
            as configured on this machine (e.g. the zero-shot model's ``device``).
        """
        self._check_runtime()
        _, index = frame_axes(X)
        X, mask = self._validate_fit_input(X, y, intervention_mask)
        check_column_kinds(self, self.feature_kinds_, self._node_names())
        envs = self._validate_environments(environments, X.shape[0], index=index)
        for name in ("environments_", "intervention_targets_", *_BOOTSTRAP_ATTRIBUTES):
            if hasattr(self, name):
                delattr(self, name)  # from an earlier fit with environments or a bootstrap
        knowledge = self._resolve_knowledge()
        X_full, mask_full = X, mask
        X, mask, envs = rows_for_search(self, X, mask, envs)
        discovery = self._search(X, mask, envs, knowledge)
        if envs is not None:
            self.environments_ = envs.labels
            self.intervention_targets_ = discovery.targets
        for name, value in discovery.info.items():
            setattr(self, name, value)
        self.edge_probabilities_ = discovery.probabilities
        self.adjacency_ = discovery.adjacency
        dag = self._dag_of(discovery, knowledge)
        self.cpdag_ = discovery.adjacency.copy() if self._returns_cpdag else dag_to_cpdag(dag)
        self._fit_sem(X_full, mask_full, dag)
        if getattr(self, "n_bootstrap", 0):
            # The resamples report uncertainty; edge_probabilities_ and adjacency_ stay the full
            # data's estimate.
            resamples = resample_discoveries(self, discovery, X, mask, envs, knowledge)
            self.edge_frequencies_ = edge_frequencies([r.adjacency for r in resamples])
            self.bootstrap_edge_probabilities_ = np.mean(
                [r.probabilities for r in resamples], axis=0
            )
        return self

    # Set (on the instance) while the fit template reruns the search on bootstrap resamples.
    _in_bootstrap = False

    def _show_progress(self) -> bool:
        """Whether the search shows its own progress bar: at ``verbose >= 1`` on the full data,
        at ``verbose >= 2`` on each bootstrap resample too (where the resamples' bar runs)."""
        return getattr(self, "verbose", 0) >= (2 if self._in_bootstrap else 1)

    def _check_runtime(self):
        """Checks of the configuration against this machine (e.g. the zero-shot model's device),
        run after the parameters are validated and before any work on the data. Does nothing
        here; a subclass raises a ValueError that says how to proceed."""

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        """The search: a :class:`Discovery` for validated float64 ``X`` (n, d) and a boolean
        ``intervention_mask``. ``knowledge`` is a :class:`Knowledge` (or None) for searches that
        can use it (the fit template makes every output honour it afterwards); ``environments``
        an :class:`Environments`, only for estimators with ``_supports_environments``."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _search(self, X, mask, environments, knowledge):
        """The search's result on these rows, made to honour the knowledge."""
        discovery = self._discover(X, mask, knowledge=knowledge, environments=environments)
        if not isinstance(discovery, Discovery):
            raise TypeError(
                f"{type(self).__name__}._discover must return a skcausal Discovery; got "
                f"{type(discovery).__name__}."
            )
        return self._finish(discovery, knowledge)

    def _finish(self, discovery, knowledge):
        """Zero diagonals, 0/1 adjacency, and the knowledge applied to both."""
        probabilities = np.asarray(discovery.probabilities, dtype=float).copy()
        np.fill_diagonal(probabilities, 0.0)
        adjacency = (np.asarray(discovery.adjacency) != 0).astype(int)
        np.fill_diagonal(adjacency, 0)
        if knowledge is not None:
            probabilities[knowledge.forbidden] = 0.0
            adjacency = apply_knowledge(
                adjacency, probabilities, knowledge.required, knowledge.forbidden
            )
            if self._returns_cpdag:
                a = adjacency.astype(float)
                probabilities = a / np.maximum(a + a.T, 1.0)
        return dataclasses.replace(discovery, probabilities=probabilities, adjacency=adjacency)

    def _dag_of(self, discovery, knowledge):
        """The DAG the SEM is fitted on: adjacency_ itself, a consistent extension of a CPDAG, or
        (for a cyclic graph, e.g. ``acyclic=False``) the graph with its weakest cycle edges
        dropped."""
        adjacency = discovery.adjacency
        if self._returns_cpdag:
            return pdag_to_dag(adjacency)[0]
        if not find_cycle(adjacency):
            return adjacency
        priority = np.where(adjacency != 0, np.clip(discovery.probabilities, 1e-9, 1.0), 0.0)
        if knowledge is not None:
            priority[knowledge.required] = 2.0  # required edges are never the ones dropped
        return greedy_dag(priority, threshold=0.0)

    def _resolve_knowledge(self):
        """The knowledge resolved against the columns (a :class:`Knowledge`), or None."""
        knowledge = getattr(self, "knowledge", None)
        if knowledge is None:
            return None
        return Knowledge(*knowledge.to_matrices(self._node_names()))

    def _validate_environments(self, environments, n_samples, *, index=None):
        if environments is None:
            return None
        if not self._supports_environments:
            raise ValueError(
                f"{type(self).__name__} does not use environments (interventions with unknown "
                "targets). Use ZeroShotCausalDiscovery or PC (which then runs CD-NOD), or pass "
                "the targets as intervention_mask."
            )
        reference = getattr(self, "reference_environment", None)
        return Environments(*check_environments(environments, n_samples, reference, index=index))

    def _validate_fit_input(self, X, y, intervention_mask):
        """X as float64 (n, d), C order, NaN where missing, discrete columns as codes 0..k-1, and
        the boolean mask; sets ``feature_kinds_`` and ``categories_`` (the column contract)."""
        X, mask, self.feature_kinds_, self.categories_ = validate_fit_data(
            self, X, y, intervention_mask
        )
        return X, mask
