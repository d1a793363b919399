"""The contract every skcausal estimator shares: fit, fitted attributes, score, graph views."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from skcausal._validation import check_intervention_mask

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
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.input_tags.allow_nan = False
        return tags

    # -- fitting ---------------------------------------------------------------------------------
    def fit(self, X, y=None, *, intervention_mask=None):
        """Learn the causal graph of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Observational and/or interventional samples; at least 2 of each.
        y : None
            Ignored; present for scikit-learn compatibility.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            ``intervention_mask[k, j]`` is True when sample k's value of variable j was set by an
            intervention. None means all samples are observational.

        Returns
        -------
        self : object
            The fitted estimator.
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

    def _validate_fit_input(self, X, y, intervention_mask):
        if y is not None and np.ndim(y) == 2 and np.shape(y) == np.shape(X):
            raise TypeError(
                "fit() got a 2-D y shaped like X. y is ignored by causal discovery; pass the "
                "intervention mask by keyword: fit(X, intervention_mask=M)."
            )
        X = validate_data(
            self, X, reset=True, dtype=np.float64, ensure_min_samples=2, ensure_min_features=2
        )
        mask = check_intervention_mask(intervention_mask, *X.shape)
        constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
        if constant.size:
            names = self._node_names()
            raise ValueError(
                "X has constant columns, which carry no information on causal structure: "
                f"{[names[j] for j in constant[:10]]}. Drop them before fitting."
            )
        return X, mask

    # -- scoring ---------------------------------------------------------------------------------
    def score(self, X, y=None, *, intervention_mask=None):
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
            Ignored.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64, ensure_min_samples=1)
        mask = check_intervention_mask(intervention_mask, *X.shape)
        return self._sem.mean_log_likelihood(X, mask)

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


class _LinearGaussianSEM:
    """Per-variable least-squares regressions on the parents, for :meth:`BaseCausalDiscovery.score`."""

    def __init__(self, intercepts, coefficients, variances, fitted):
        self.intercepts = intercepts
        self.coefficients = coefficients  # coefficients[i, j]: weight of x_i in x_j's regression
        self.variances = variances
        self.fitted = fitted  # False where every training value of the variable was intervened

    @classmethod
    def fit(cls, X, mask, adjacency):
        d = X.shape[1]
        parents = adjacency != 0
        undirected = parents & parents.T
        parents = parents & ~(undirected & np.tri(d, k=-1, dtype=bool))  # keep i -> j for i < j
        intercepts = np.zeros(d)
        coefficients = np.zeros((d, d))
        variances = np.ones(d)
        fitted = np.zeros(d, dtype=bool)
        for j in range(d):
            rows = ~mask[:, j]
            if rows.sum() < 2:
                continue
            pa = np.flatnonzero(parents[:, j])
            design = np.column_stack([np.ones(rows.sum()), X[rows][:, pa]])
            coef, *_ = np.linalg.lstsq(design, X[rows, j], rcond=None)
            residual = X[rows, j] - design @ coef
            scale = max(np.var(X[rows, j]), np.finfo(float).tiny)
            variances[j] = max(np.mean(residual**2), 1e-12 * scale)
            intercepts[j] = coef[0]
            coefficients[pa, j] = coef[1:]
            fitted[j] = True
        return cls(intercepts, coefficients, variances, fitted)

    def mean_log_likelihood(self, X, mask):
        residual = X - self.intercepts - X @ self.coefficients
        log_density = -0.5 * (_LOG_2PI + np.log(self.variances) + residual**2 / self.variances)
        scored = ~mask & self.fitted
        return float(np.sum(log_density, where=scored) / X.shape[0])
