"""The contract every skcausal estimator shares: fit, fitted attributes, score, graph views."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from skcausal._validation import (
    check_finite,
    check_intervention_mask,
    check_numeric_input,
    safe_column_scales,
)

_LOG_2PI = float(np.log(2 * np.pi))


class BaseCausalDiscovery(BaseEstimator):
    """Base class of skcausal's causal-discovery estimators.

    A subclass implements ``_discover(X, intervention_mask) -> (edge_probabilities, adjacency)``
    on validated float64 data and a boolean mask; this class does the rest: input validation,
    the fitted attributes, :meth:`score`, and views of the graph.

    Fitted attributes (every estimator)
    -----------------------------------
    adjacency_ : ndarray of shape (n_features, n_features), int
        ``adjacency_[i, j] == 1`` means the edge i -> j. An undirected edge of a CPDAG sets both
        ``[i, j]`` and ``[j, i]``.
    edge_probabilities_ : ndarray of shape (n_features, n_features), float
        Confidence in each directed edge, zero on the diagonal.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a pandas DataFrame with string column names.

    Notes
    -----
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
    def fit(self, X, y=None, *, intervention_mask=None):
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

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        ValueError
            If ``X`` or ``intervention_mask`` is malformed as described above, or the estimator
            cannot work with the data (its own docstring says when).
        """
        X, mask = self._validate_fit_input(X, y, intervention_mask)
        probabilities, adjacency = self._discover(X, mask)
        probabilities = np.asarray(probabilities, dtype=float).copy()
        np.fill_diagonal(probabilities, 0.0)
        self.edge_probabilities_ = probabilities
        self.adjacency_ = (np.asarray(adjacency) != 0).astype(int)
        np.fill_diagonal(self.adjacency_, 0)
        self._sem = _LinearGaussianSEM.fit(X, mask, self.adjacency_)
        return self

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

        The SEM (one least-squares regression of each variable on its parents in ``adjacency_``)
        is fitted on the training data at ``fit``; an undirected edge i - j is used as i -> j for
        i < j. Values set by an intervention are not scored for their own variable (nor used to fit
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
        """The learned edges, one row each: ``source``, ``target``, ``probability``, most probable first."""
        check_is_fitted(self)
        names = self._node_names()
        sources, targets = np.nonzero(self.adjacency_)
        frame = pd.DataFrame(
            {
                "source": [names[i] for i in sources],
                "target": [names[j] for j in targets],
                "probability": self.edge_probabilities_[sources, targets],
            }
        )
        return frame.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)

    def to_networkx(self) -> nx.DiGraph:
        """The learned graph as a ``networkx.DiGraph``.

        Nodes are the feature names (integers 0..d-1 for array input); every edge carries its
        ``probability``. An undirected CPDAG edge appears in both directions.
        """
        check_is_fitted(self)
        names = self._node_names()
        graph = nx.DiGraph()
        graph.add_nodes_from(names)
        for i, j in zip(*np.nonzero(self.adjacency_)):
            graph.add_edge(names[i], names[j], probability=float(self.edge_probabilities_[i, j]))
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


class _LinearGaussianSEM:
    """Per-variable least-squares regressions on the parents, for :meth:`BaseCausalDiscovery.score`.

    The regressions run on ``X / scales`` (powers of two that tame columns near the limits of
    float64, see :func:`~skcausal._validation.safe_column_scales`); the log-likelihood of the
    original values then gains the Jacobian term ``-log(scale)`` per scored value. Without it,
    columns of magnitude 1e300 made every score NaN.
    """

    def __init__(self, intercepts, coefficients, variances, fitted, scales):
        self.intercepts = intercepts
        self.coefficients = coefficients  # coefficients[i, j]: weight of z_i in z_j's regression
        self.variances = variances
        self.fitted = fitted  # False where fewer than 2 training values were not intervened
        self.scales = scales

    @classmethod
    def fit(cls, X, mask, adjacency):
        scales = safe_column_scales(X)
        Z = X / scales
        d = Z.shape[1]
        parents = adjacency != 0
        undirected = parents & parents.T
        parents = parents & ~(undirected & np.tri(d, k=-1, dtype=bool))  # keep i -> j for i < j
        intercepts = np.zeros(d)
        coefficients = np.zeros((d, d))
        variances = np.ones(d)
        fitted = np.zeros(d, dtype=bool)
        # Variable j is regressed on the rows where it was not intervened. Variables sharing those
        # rows (all of them, for observational data) share one centred Gram matrix, from which
        # every regression is a small solve: one pass over the data instead of one per variable.
        groups = {}
        for j in range(d):
            groups.setdefault(mask[:, j].tobytes(), []).append(j)
        for members in groups.values():
            rows = ~mask[:, members[0]]
            n_rows = int(rows.sum())
            if n_rows < 2:
                continue
            Zr = Z[rows]
            means = Zr.mean(axis=0)
            centred = Zr - means
            gram = centred.T @ centred
            for j in members:
                pa = np.flatnonzero(parents[:, j])
                if pa.size:
                    # lstsq, not solve: collinear parents get the minimum-norm coefficients.
                    coefficients[pa, j] = np.linalg.lstsq(gram[np.ix_(pa, pa)], gram[pa, j], rcond=None)[0]
                intercepts[j] = means[j] - means @ coefficients[:, j]
            residuals = centred[:, members] - centred @ coefficients[:, members]
            spread = np.maximum(np.diag(gram)[members] / n_rows, np.finfo(float).tiny)
            variances[members] = np.maximum(np.mean(residuals**2, axis=0), 1e-12 * spread)
            fitted[members] = True
        return cls(intercepts, coefficients, variances, fitted, scales)

    def mean_log_likelihood(self, X, mask, weights=None):
        Z = X / self.scales
        # Held-out values far outside the training range may overflow; the caller turns a
        # non-finite result into a ValueError, so numpy's warnings would only be noise.
        with np.errstate(over="ignore", invalid="ignore"):
            residual = Z - self.intercepts - Z @ self.coefficients
            log_density = -0.5 * (
                _LOG_2PI + np.log(self.variances) + residual**2 / self.variances
            ) - np.log(self.scales)
            scored = ~mask & self.fitted
            per_sample = np.sum(log_density, axis=1, where=scored)
            if weights is None:
                return float(per_sample.mean())
            return float(np.sum(weights * per_sample) / np.sum(weights))
