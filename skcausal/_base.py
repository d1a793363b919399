"""The contract every skcausal estimator shares: fit, fitted attributes, score, graph views."""

from __future__ import annotations

import numbers
from typing import NamedTuple

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from skcausal._cpdag import dag_to_cpdag, pdag_to_dag
from skcausal._graph_utils import greedy_dag
from skcausal._knowledge import BackgroundKnowledge, _find_cycle, apply_knowledge
from skcausal._sem import _LinearGaussianSEM
from skcausal._validation import (
    check_environments,
    check_finite,
    check_intervention_mask,
    check_numeric_input,
)


class Environments(NamedTuple):
    """Validated environment labels of a fit: the sorted distinct ``labels``, each row's index
    into them (``codes``) and the index of the observational reference (None: no reference)."""

    labels: np.ndarray
    codes: np.ndarray
    reference: int | None

    def take(self, rows):
        """The same environments for a subset (or resample) of the rows."""
        return Environments(self.labels, self.codes[rows], self.reference)


# The parameters every estimator of the package takes, with their constraints.
SHARED_PARAMETER_CONSTRAINTS = {
    "knowledge": [BackgroundKnowledge, None],
    "n_bootstrap": [Interval(numbers.Integral, 0, None, closed="left")],
    "random_state": ["random_state"],
}


class BaseCausalDiscovery(BaseEstimator):
    """Base class of skcausal's causal-discovery estimators.

    A subclass implements ``_discover(X, intervention_mask) -> (edge_probabilities, adjacency)``
    on validated float64 data and a boolean mask; this class does the rest: input validation,
    the fitted attributes (below; every estimator has them), :meth:`score`, and views of the
    graph.

    Attributes
    ----------
    adjacency_ : ndarray of shape (n_features, n_features), int
        ``adjacency_[i, j] == 1`` means the edge i -> j. An undirected edge of a CPDAG sets both
        ``[i, j]`` and ``[j, i]``.
    edge_probabilities_ : ndarray of shape (n_features, n_features), float
        Confidence in each directed edge, zero on the diagonal (and on edges the knowledge
        forbids).
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
        intervened; a variable with fewer than 2 such rows has NaN in its column.
    intercept_ : ndarray of shape (n_features,)
        The intercept of each variable's equation, in the units of X.
    noise_std_ : ndarray of shape (n_features,)
        The residual standard deviation of each equation (maximum likelihood: divided by the
        number of rows it was fitted on).
    edge_frequencies_ : ndarray of shape (n_features, n_features)
        Only after a fit with ``n_bootstrap > 0``: the share of the bootstrap resamples (of the
        rows, with replacement) whose learned graph, with the knowledge applied, has the edge
        i -> j (an undirected edge counts in both directions).
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Unsupervised: fit(X) learns a graph of the columns; a y, if given, is ignored.
        tags.target_tags.required = False
        # Dense 2-D numeric data only: validate_data refuses sparse matrices, NaN and inf (neither
        # the pairwise statistics nor the searches have a missing-data model).
        tags.input_tags.two_d_array = True
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
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
            Observational and/or interventional samples: at least 2 samples and 2 features, every
            value finite, no constant column. Integer and boolean data are converted to float64;
            strings and other non-numeric values are refused (the message names the columns).
        y : None
            Ignored; present for scikit-learn compatibility.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            ``intervention_mask[k, j]`` is True when sample k's value of variable j was set by an
            intervention. None means all samples are observational. Booleans, or numbers that are
            exactly 0 or 1; at least one value must be False (observational).
        environments : array-like of shape (n_samples,), default=None
            The environment (experimental condition, batch, recording run) of each sample, for
            interventions with unknown targets: any sortable labels, at least two distinct ones.
            The estimator's ``reference_environment`` names the observational one. Only the
            estimators that use environments accept them (:class:`ZeroShotCausalDiscovery` with a
            checkpoint trained on them, and :class:`PC`, which runs CD-NOD); the others raise a
            ValueError. It is a per-sample parameter like ``intervention_mask``, routed the same
            way (``set_fit_request(environments=True)``). Both may be given together.

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
            or the estimator cannot work with the data (its own docstring says when).
        """
        X, mask = self._validate_fit_input(X, y, intervention_mask)
        envs = self._validate_environments(environments, X.shape[0])
        for name in ("environments_", "intervention_targets_"):
            if hasattr(self, name):
                delattr(self, name)  # from an earlier fit with environments
        self._knowledge_masks = self._resolve_knowledge()
        self._discovered_targets = None
        probabilities, adjacency = self._fit_graph(X, mask, envs)
        if envs is not None:
            self.environments_ = envs.labels
            self.intervention_targets_ = self._discovered_targets
        self.edge_probabilities_ = probabilities
        self.adjacency_ = adjacency
        dag = self._dag_of(adjacency, probabilities)
        self.cpdag_ = adjacency.copy() if self._returns_cpdag else dag_to_cpdag(dag)
        self._sem = _LinearGaussianSEM.fit(X, mask, dag)
        self.coef_, self.intercept_, self.noise_std_ = self._sem.public_parameters()
        n_bootstrap = getattr(self, "n_bootstrap", 0)
        if hasattr(self, "edge_frequencies_"):
            del self.edge_frequencies_  # from an earlier fit with a bootstrap
        if n_bootstrap:
            graphs = self._resample_graphs(X, mask, n_bootstrap, envs)
            self.edge_frequencies_ = np.mean([g != 0 for g in graphs], axis=0)
        return self

    # Subclasses whose search returns an equivalence class (PC, GES, GIES) set this to True: their
    # adjacency_ is their cpdag_, and the SEM uses a consistent DAG extension of it.
    _returns_cpdag = False

    def _resolve_knowledge(self):
        """The knowledge as boolean (required, forbidden) matrices over the columns, or None."""
        knowledge = getattr(self, "knowledge", None)
        if knowledge is None:
            return None
        return knowledge.to_matrices(self._node_names())

    # Estimators that learn from environments (unknown targets) set this to True; their
    # _discover takes an ``environments`` keyword (an Environments) and may set
    # self._discovered_targets to the (n_environments, d) target scores.
    _supports_environments = False

    def _validate_environments(self, environments, n_samples):
        if environments is None:
            return None
        if not self._supports_environments:
            raise ValueError(
                f"{type(self).__name__} does not use environments (interventions with unknown "
                "targets). Use ZeroShotCausalDiscovery or PC (which then runs CD-NOD), or pass "
                "the targets as intervention_mask."
            )
        reference = getattr(self, "reference_environment", None)
        return Environments(*check_environments(environments, n_samples, reference))

    def _fit_graph(self, X, mask, environments=None):
        """Run the search and make its output honour the knowledge: (probabilities, adjacency)."""
        if environments is None:
            probabilities, adjacency = self._discover(X, mask)
        else:
            probabilities, adjacency = self._discover(X, mask, environments=environments)
        return self._finish_graph(probabilities, adjacency)

    def _finish_graph(self, probabilities, adjacency):
        probabilities = np.asarray(probabilities, dtype=float).copy()
        np.fill_diagonal(probabilities, 0.0)
        adjacency = (np.asarray(adjacency) != 0).astype(int)
        np.fill_diagonal(adjacency, 0)
        if self._knowledge_masks is not None:
            required, forbidden = self._knowledge_masks
            probabilities[forbidden] = 0.0
            adjacency = apply_knowledge(adjacency, probabilities, required, forbidden)
            if self._returns_cpdag:
                a = adjacency.astype(float)
                probabilities = a / np.maximum(a + a.T, 1.0)
        return probabilities, adjacency

    def _dag_of(self, adjacency, probabilities):
        """The DAG the SEM is fitted on: adjacency_ itself, a consistent extension of a CPDAG, or
        (for a cyclic graph, e.g. ``acyclic=False``) the graph with its weakest cycle edges dropped."""
        if self._returns_cpdag:
            return pdag_to_dag(adjacency)[0]
        if not _find_cycle(adjacency):
            return adjacency
        priority = np.where(adjacency != 0, np.clip(probabilities, 1e-9, 1.0), 0.0)
        if self._knowledge_masks is not None:
            priority[self._knowledge_masks[0]] = 2.0  # required edges are never the ones dropped
        return greedy_dag(priority, threshold=0.0)

    def _resample_graphs(self, X, mask, n_bootstrap, environments=None):
        """The graph (adjacency, knowledge applied) learned on each of ``n_bootstrap`` resamples of
        the rows. This default refits a copy of the estimator per resample."""
        rng = np.random.default_rng(getattr(self, "random_state", None))
        n = X.shape[0]
        graphs = []
        for k in range(n_bootstrap):
            rows = rng.integers(0, n, n)
            twin = clone(self).set_params(n_bootstrap=0)
            twin.n_features_in_ = self.n_features_in_
            if hasattr(self, "feature_names_in_"):
                twin.feature_names_in_ = self.feature_names_in_
            twin._knowledge_masks = self._knowledge_masks
            try:
                envs = None if environments is None else environments.take(rows)
                graphs.append(twin._fit_graph(X[rows], mask[rows], envs)[1])
            except ValueError as error:
                raise ValueError(f"bootstrap resample {k + 1} of {n_bootstrap} failed: {error}") from error
        return graphs

    def _discover(self, X, intervention_mask):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _refuse_mask_as_y(X, y, method):
        # fit(X, M) is an easy slip for fit(X, intervention_mask=M); ignoring y as sklearn does
        # would silently treat every intervened value as observational.
        if y is not None and np.ndim(y) == 2 and np.shape(y) == np.shape(X):
            raise TypeError(
                f"{method}() got a 2-D y shaped like X. y is ignored by causal discovery; pass "
                f"the intervention mask by keyword: {method}(X, intervention_mask=M)."
            )

    def _validate_fit_input(self, X, y, intervention_mask):
        self._refuse_mask_as_y(X, y, "fit")
        check_numeric_input(X)
        X = validate_data(
            self, X, reset=True, dtype=np.float64, ensure_min_samples=2, ensure_min_features=2,
            ensure_all_finite=False,
        )
        check_finite(X, self._node_names())
        mask = check_intervention_mask(intervention_mask, *X.shape)
        if mask.all():
            # Not one value arose from the system's own mechanisms: there is nothing observational
            # to learn the graph from, and every search would silently treat do() values as data.
            raise ValueError(
                "intervention_mask marks every value of X as intervened, so X carries no "
                "observational information about the causal mechanisms. At least some values "
                "must be observational (False in the mask)."
            )
        # Compared with the first row rather than by np.ptp: max - min overflows for columns
        # spanning -1e308..1e308.
        constant = np.flatnonzero(np.all(X == X[:1], axis=0))
        if constant.size:
            names = self._node_names()
            raise ValueError(
                "X has constant columns, which carry no information on causal structure: "
                f"{[names[j] for j in constant[:10]]}. Drop them before fitting."
            )
        return X, mask

    # -- scoring ---------------------------------------------------------------------------------
    def score(self, X, y=None, *, intervention_mask=None, sample_weight=None):
        """Mean held-out log-likelihood per sample of a linear-Gaussian SEM on the learned graph.

        The SEM (one least-squares regression of each variable on its parents in ``adjacency_``,
        see ``coef_``) is fitted on the training data at ``fit``; for a CPDAG, on a consistent DAG
        extension of it. Values set by an intervention are not scored for their own variable (nor used to fit
        its regression). Greater is better, so ``cross_val_score(est, X)`` compares graphs without
        knowing the true one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored; present for scikit-learn compatibility. A 2-D ``y`` shaped like ``X`` raises
            a TypeError (it is most likely a mask passed by position).
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            Which values of ``X`` were set by an intervention; None means all observational.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples: the score is then the weighted mean of the
            samples' log-likelihoods (a weight of 2 counts a sample twice). None weighs all equally.

        Returns
        -------
        score : float
            Greater is better. Always finite.

        Raises
        ------
        ValueError
            If ``X`` or ``intervention_mask`` is malformed (as for :meth:`fit`, except that one
            sample and constant columns are allowed), if no value of ``X`` can be scored (every
            value is intervened, or belongs to a variable that was intervened in all but at most
            one training sample), or if the log-likelihood overflows float64 because ``X`` lies
            absurdly far (around 1e150 standard deviations or more) from the training data.

        Examples
        --------
        >>> from sklearn.model_selection import cross_val_score
        >>> from skcausal.baselines import GES
        >>> from skcausal.datasets import make_scm
        >>> X, _, _ = make_scm(500, 5, random_state=0)
        >>> scores = cross_val_score(GES(), X, cv=3)  # no ground truth needed
        >>> scores.shape
        (3,)
        """
        check_is_fitted(self)
        self._refuse_mask_as_y(X, y, "score")
        check_numeric_input(X)
        X = validate_data(
            self, X, reset=False, dtype=np.float64, ensure_min_samples=1, ensure_all_finite=False
        )
        check_finite(X, self._node_names())
        mask = check_intervention_mask(intervention_mask, *X.shape)
        if not np.any(~mask & self._sem.fitted):
            # Returning 0.0 here would rank an unscorable fold above every real one.
            raise ValueError(
                "score() has nothing to score: every value of X is either intervened for its own "
                "variable or belongs to a variable that had fewer than 2 non-intervened samples "
                "at fit."
            )
        weights = _check_sample_weight(sample_weight, X.shape[0])
        score = self._sem.mean_log_likelihood(X, mask, weights)
        if not np.isfinite(score):
            raise ValueError(
                "the log-likelihood of X under the fitted SEM is not finite: X's values lie so far "
                "from the training data (relative to its residual spread) that float64 overflows."
            )
        return score

    # -- the fitted causal model ------------------------------------------------------------------
    def sample(self, n_samples, *, interventions=None, random_state=None):
        """Draw samples from the fitted linear-Gaussian SEM, observationally or under do().

        Each variable is drawn in a topological order of the SEM's DAG as
        ``intercept_[j] + X[:, parents] @ coef_[parents, j] + noise_std_[j] * N(0, 1)``; a variable
        in ``interventions`` is instead set to its value (a hard intervention, do(j = value)),
        which cuts it off from its parents.

        Parameters
        ----------
        n_samples : int
            Number of rows to draw; >= 1.
        interventions : dict or None, default=None
            ``{variable: value}``: column names when the estimator was fitted on a DataFrame,
            otherwise column indices. None draws observational samples.
        random_state : int, numpy.random.Generator or None, default=None
            Seeds the noise.

        Returns
        -------
        samples : ndarray or DataFrame of shape (n_samples, n_features)
            A DataFrame with the training columns when the estimator was fitted on one.

        Raises
        ------
        ValueError
            If ``n_samples`` is not a positive integer, an intervention names an unknown variable
            or has a non-finite value, or a variable that must be drawn had no observational rows
            to fit its equation (intervene on it instead).

        Examples
        --------
        >>> import numpy as np
        >>> from skcausal.baselines import NOTEARS
        >>> rng = np.random.default_rng(0)
        >>> a = rng.normal(size=2000)
        >>> b = 2 * a + rng.normal(size=2000)
        >>> est = NOTEARS().fit(np.column_stack([a, b]))
        >>> drawn = est.sample(20000, interventions={0: 1.0}, random_state=0)
        >>> round(float(drawn[:, 1].mean()), 1)  # E[b | do(a = 1)] = 2
        2.0
        """
        check_is_fitted(self)
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be an integer >= 1; got {n_samples!r}.")
        names = self._node_names()
        index = {name: k for k, name in enumerate(names)}
        targets = {}
        if interventions is not None:
            if not isinstance(interventions, dict):
                raise ValueError(
                    f"interventions must be a dict {{variable: value}} or None; got {interventions!r}."
                )
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
        missing = [names[j] for j in np.flatnonzero(~self._sem.fitted) if j not in targets]
        if missing:
            raise ValueError(
                f"the SEM has no equation for {missing[:10]} (fewer than 2 non-intervened rows at "
                "fit); intervene on them to sample."
            )
        samples = self._sem.sample(int(n_samples), targets, np.random.default_rng(random_state))
        if hasattr(self, "feature_names_in_"):
            return pd.DataFrame(samples, columns=self.feature_names_in_)
        return samples

    # -- views of the graph ----------------------------------------------------------------------
    def _node_names(self):
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(name) for name in names]
        return list(range(self.n_features_in_))

    def adjacency_frame(self) -> pd.DataFrame:
        """The learned adjacency matrix as a DataFrame labelled with the feature names."""
        check_is_fitted(self)
        names = self._node_names()
        return pd.DataFrame(self.adjacency_, index=names, columns=names)

    def edge_list(self) -> pd.DataFrame:
        """The learned edges, one row each: ``source``, ``target``, ``probability``, most probable
        first; after a fit with ``n_bootstrap > 0`` also ``frequency`` (``edge_frequencies_``)."""
        check_is_fitted(self)
        names = self._node_names()
        sources, targets = np.nonzero(self.adjacency_)
        columns = {
            "source": [names[i] for i in sources],
            "target": [names[j] for j in targets],
            "probability": self.edge_probabilities_[sources, targets],
        }
        if hasattr(self, "edge_frequencies_"):
            columns["frequency"] = self.edge_frequencies_[sources, targets]
        frame = pd.DataFrame(columns)
        return frame.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)

    def to_networkx(self) -> nx.DiGraph:
        """The learned graph as a ``networkx.DiGraph``.

        Nodes are the feature names (integers 0..d-1 for array input); every edge carries its
        ``probability`` and ``undirected`` (True for both directions of an undirected CPDAG
        edge), and after a fit with ``n_bootstrap > 0`` its ``frequency``.
        """
        check_is_fitted(self)
        names = self._node_names()
        graph = nx.DiGraph()
        graph.add_nodes_from(names)
        frequencies = getattr(self, "edge_frequencies_", None)
        for i, j in zip(*np.nonzero(self.adjacency_)):
            attributes = {
                "probability": float(self.edge_probabilities_[i, j]),
                "undirected": bool(self.adjacency_[j, i]),
            }
            if frequencies is not None:
                attributes["frequency"] = float(frequencies[i, j])
            graph.add_edge(names[i], names[j], **attributes)
        return graph


def _check_sample_weight(sample_weight, n_samples):
    if sample_weight is None:
        return None
    weights = np.asarray(sample_weight)
    if weights.shape != (n_samples,) or weights.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must be numbers of shape ({n_samples},); got shape {weights.shape}, "
            f"dtype {weights.dtype}."
        )
    weights = weights.astype(float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not weights.sum() > 0:
        raise ValueError("sample_weight must be finite, non-negative and not all zero.")
    return weights
