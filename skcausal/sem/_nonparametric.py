"""NonparametricSEM: a fitted nonparametric SEM on a given graph, sampled under do()."""

from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from skcausal._utils import check_adjacency, check_intervention_mask, check_random_state
from skcausal.graph import find_cycle, pdag_to_dag, topological_order
from skcausal.sem._checks import check_interventions, check_n_samples


class NonparametricSEM(BaseEstimator):
    """A nonparametric SEM on a given graph: each node regressed on its parents, residuals
    resampled.

    For data that are not linear-Gaussian, where the SEM behind ``coef_`` and
    :meth:`~skcausal.BaseCausalDiscovery.sample` is only a first approximation. Each variable with
    parents gets a clone of ``regressor`` fitted on them; samples are drawn in a topological order
    as the regressor's prediction plus a training residual drawn with replacement (a variable
    without parents is drawn from its training values). A do() sets the variable's value and cuts
    it off from its parents. Only rows where a variable was not intervened are used for it.

    Parameters
    ----------
    regressor : scikit-learn regressor or None, default=None
        None uses ``HistGradientBoostingRegressor(random_state=0)``, run on one OpenMP thread
        (the per-node fits are small; on a busy machine its thread pool made a 2,000-row fit
        100x slower).

    Attributes
    ----------
    dag_ : ndarray of shape (n_features, n_features)
        The DAG used: the graph given to :meth:`fit`, or a consistent extension of a CPDAG.
    regressors_ : list
        One fitted regressor per variable, None for a variable without parents.
    residuals_ : list of ndarray
        Training residuals per variable (its training values for one without parents).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names: :meth:`sample` then returns a
        DataFrame with these columns and takes them, not indices, as ``interventions`` keys.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal import NonparametricSEM
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2000)
    >>> y = x**2 + 0.1 * rng.normal(size=2000)  # E[y | do(x = 1.5)] = 2.25
    >>> sem = NonparametricSEM().fit(np.column_stack([x, y]), np.array([[0, 1], [0, 0]]))
    >>> round(float(sem.sample(5000, interventions={0: 1.5}, random_state=0)[:, 1].mean()), 1)
    2.2
    """

    _parameter_constraints = {"regressor": [HasMethods(["fit", "predict"]), None]}

    def __init__(self, regressor=None):
        self.regressor = regressor

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, graph, *, intervention_mask=None):
        """Fit one regression per variable on its parents in ``graph``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A DataFrame's column names become ``feature_names_in_``: :meth:`sample` then returns
            a DataFrame and takes the names in ``interventions``.
        graph : array-like of shape (n_features, n_features) or fitted skcausal estimator
            A DAG or CPDAG (``graph[i, j] != 0`` means i -> j), or an estimator whose
            ``adjacency_`` to use.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None

        Returns
        -------
        self : object
        """

        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2, ensure_min_features=2)
        d = X.shape[1]
        graph = getattr(graph, "adjacency_", graph)
        a = check_adjacency(graph, "graph", n_nodes=d) != 0
        np.fill_diagonal(a, False)
        dag = pdag_to_dag(a)[0] != 0 if np.any(a & a.T) else a
        if find_cycle(dag):
            raise ValueError("graph has a directed cycle; NonparametricSEM needs a DAG or a CPDAG.")
        mask = check_intervention_mask(intervention_mask, *X.shape)
        regressor = self.regressor
        self._one_thread = regressor is None
        if regressor is None:
            from sklearn.ensemble import HistGradientBoostingRegressor

            regressor = HistGradientBoostingRegressor(random_state=0)
        self.dag_ = dag.astype(int)
        self.regressors_, self.residuals_ = [], []
        for j in range(d):
            rows = ~mask[:, j]
            if rows.sum() < 2:
                raise ValueError(f"variable {j} has fewer than 2 non-intervened rows to fit on.")
            parents = np.flatnonzero(dag[:, j])
            if parents.size == 0:
                self.regressors_.append(None)
                self.residuals_.append(X[rows, j].copy())
                continue
            with self._threads():
                model = clone(regressor).fit(X[rows][:, parents], X[rows, j])
                self.regressors_.append(model)
                self.residuals_.append(X[rows, j] - model.predict(X[rows][:, parents]))
        return self

    def _threads(self):
        if getattr(self, "_one_thread", False):
            return threadpool_limits(limits=1, user_api="openmp")
        return contextlib.nullcontext()

    def sample(self, n_samples, *, interventions=None, random_state=None):
        """Draw ``n_samples`` rows, observationally or under do().

        Parameters
        ----------
        n_samples : int
            Number of rows to draw; >= 1.
        interventions : dict or None, default=None
            ``{variable: value}``: column names when fitted on a DataFrame, otherwise column
            indices. None draws observational samples.
        random_state : int, numpy.random.Generator or None, default=None
            Seeds the residual draws.

        Returns
        -------
        samples : ndarray or DataFrame of shape (n_samples, n_features)
            A DataFrame with the training columns when fitted on one.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        names = getattr(self, "feature_names_in_", None)
        names = list(range(self.n_features_in_)) if names is None else [str(n) for n in names]
        # Names after a DataFrame fit (as the estimators' sample), indices otherwise.
        interventions = check_interventions(interventions, names)
        d = self.n_features_in_
        rng = check_random_state(random_state)
        samples = np.zeros((n_samples, d))
        for j in topological_order(self.dag_):
            if j in interventions:
                samples[:, j] = interventions[j]
                continue
            noise = rng.choice(self.residuals_[j], size=n_samples, replace=True)
            model = self.regressors_[j]
            if model is None:
                samples[:, j] = noise
            else:
                with self._threads():
                    prediction = model.predict(samples[:, np.flatnonzero(self.dag_[:, j])])
                samples[:, j] = prediction + noise
        if hasattr(self, "feature_names_in_"):
            return pd.DataFrame(samples, columns=self.feature_names_in_)
        return samples
