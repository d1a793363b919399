"""NonparametricSEM: a fitted nonparametric SEM on a given graph, sampled under do()."""

from __future__ import annotations

import contextlib

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skcausal._columns import decode_columns
from skcausal._contract import validate_fit_data
from skcausal._utils import check_adjacency, check_random_state
from skcausal.graph import find_cycle, pdag_to_dag, topological_order
from skcausal.sem._checks import check_interventions, check_n_samples, level_code


class NonparametricSEM(BaseEstimator):
    """A nonparametric SEM on a given graph: each node regressed on its parents, residuals
    resampled.

    For data that are not linear-Gaussian, where the SEM behind ``coef_`` and
    :meth:`~skcausal.BaseCausalDiscovery.sample` is only a first approximation. Each variable with
    parents gets a clone of ``regressor`` fitted on them; samples are drawn in a topological order
    as the regressor's prediction plus a training residual drawn with replacement (a variable
    without parents is drawn from its training values). A do() sets the variable's value and cuts
    it off from its parents. Only rows where a variable was not intervened are used for it.

    The column contract of the estimators holds here too (``docs/inputs.md``): a discrete column
    (pandas ``category``, ``bool``, text, or named by ``categorical_features``) with parents gets
    a ``HistGradientBoostingClassifier`` (``regressor`` is for continuous columns), and is sampled
    from its predicted class probabilities, so it only takes levels that occur in the data; a
    discrete root is drawn from its training values. Missing cells are skipped: each variable is
    fitted on the rows where it and its parents are observed.

    Parameters
    ----------
    regressor : scikit-learn regressor or None, default=None
        None uses ``HistGradientBoostingRegressor(random_state=0)``, run on one OpenMP thread
        (the per-node fits are small; on a busy machine its thread pool made a 2,000-row fit
        100x slower).
    categorical_features : "from_dtype", None or array-like of bool, int or str, \
default="from_dtype"
        The numeric columns to read as discrete, as for the estimators (e.g.
        :class:`~skcausal.baselines.PC`).

    Attributes
    ----------
    dag_ : ndarray of shape (n_features, n_features)
        The DAG used: the graph given to :meth:`fit`, or a consistent extension of a CPDAG.
    regressors_ : list
        One fitted regressor per variable, None for a variable without parents.
    residuals_ : list of ndarray
        Training residuals per variable (its training values for one without parents, and for a
        discrete one).
    feature_kinds_, categories_ : ndarray of str, list
        Each column's kind and levels (as for the estimators).
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

    _parameter_constraints = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
    }

    def __init__(self, regressor=None, categorical_features="from_dtype"):
        self.regressor = regressor
        self.categorical_features = categorical_features

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
        X, mask, self.feature_kinds_, self.categories_ = validate_fit_data(
            self, X, None, intervention_mask
        )
        d = X.shape[1]
        graph = getattr(graph, "adjacency_", graph)
        a = check_adjacency(graph, "graph", n_nodes=d) != 0
        np.fill_diagonal(a, False)
        dag = pdag_to_dag(a)[0] != 0 if np.any(a & a.T) else a
        if find_cycle(dag):
            raise ValueError("graph has a directed cycle; NonparametricSEM needs a DAG or a CPDAG.")
        regressor = self.regressor
        self._one_thread = regressor is None
        if regressor is None:
            from sklearn.ensemble import HistGradientBoostingRegressor

            regressor = HistGradientBoostingRegressor(random_state=0)
        self.dag_ = dag.astype(int)
        self.regressors_, self.residuals_ = [], []
        for j in range(d):
            parents = np.flatnonzero(dag[:, j])
            rows = ~mask[:, j] & ~np.isnan(X[:, [*parents, j]]).any(axis=1)
            if rows.sum() < 2:
                raise ValueError(
                    f"variable {self._names()[j]!r} has fewer than 2 rows to fit on (not "
                    "intervened, with it and its parents observed)."
                )
            discrete = self.categories_[j] is not None
            if parents.size == 0 or (discrete and np.unique(X[rows, j]).size < 2):
                self.regressors_.append(None)
                self.residuals_.append(X[rows, j].copy())
                continue
            with self._threads():
                inputs, target = X[rows][:, parents], X[rows, j]
                if discrete:
                    from sklearn.ensemble import HistGradientBoostingClassifier

                    model = HistGradientBoostingClassifier(random_state=0).fit(inputs, target)
                    self.residuals_.append(target.copy())
                else:
                    model = clone(regressor).fit(inputs, target)
                    self.residuals_.append(target - model.predict(inputs))
                self.regressors_.append(model)
        return self

    def _names(self):
        names = getattr(self, "feature_names_in_", None)
        return list(range(self.n_features_in_)) if names is None else [str(n) for n in names]

    # The column contract of validate_fit_data: NaN is a missing cell, read natively.
    _node_names = _names

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
            A DataFrame with the training columns when fitted on one (discrete columns as pandas
            categoricals with the training levels, bool columns as bool); otherwise an array,
            discrete columns as codes 0..k-1.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        names = self._names()
        # Names after a DataFrame fit (as the estimators' sample), indices otherwise; a discrete
        # column is set to one of its levels.
        if isinstance(interventions, dict):
            interventions = {
                k: level_code(v, self.categories_[names.index(k)], k)
                if k in names and self.categories_[names.index(k)] is not None
                else v
                for k, v in interventions.items()
            }
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
            elif self.categories_[j] is not None:  # a draw from the predicted class probabilities
                with self._threads():
                    proba = model.predict_proba(samples[:, np.flatnonzero(self.dag_[:, j])])
                chosen = (rng.random((n_samples, 1)) > np.cumsum(proba, axis=1)).sum(axis=1)
                samples[:, j] = model.classes_[np.minimum(chosen, len(model.classes_) - 1)]
            else:
                with self._threads():
                    prediction = model.predict(samples[:, np.flatnonzero(self.dag_[:, j])])
                samples[:, j] = prediction + noise
        return decode_columns(
            samples, self.feature_kinds_, self.categories_, getattr(self, "feature_names_in_", None)
        )
