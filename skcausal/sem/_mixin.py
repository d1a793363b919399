"""SEMMixin: the linear-Gaussian SEM that every estimator fits on its learned graph, and what it
gives the user: ``coef_``, ``intercept_``, ``noise_std_``, :meth:`score` and :meth:`sample`."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted, validate_data

from skcausal._columns import decode_columns, encode_like
from skcausal._contract import check_infinite
from skcausal._inputs import check_sample_weight, frame_axes, refuse_mask_as_y
from skcausal._utils import check_intervention_mask, check_numeric_input, check_random_state
from skcausal.sem._checks import check_interventions, check_n_samples, level_code
from skcausal.sem._linear import LinearGaussianSEM


class SEMMixin:
    """Mixin of the causal-discovery estimators: a linear-Gaussian SEM on the learned graph.

    The estimator calls :meth:`_fit_sem` at the end of ``fit`` with the DAG to use; the mixin
    needs ``_node_names()`` and, after a DataFrame fit, ``feature_names_in_`` from the estimator.
    """

    def _fit_sem(self, X, mask, dag):
        self._sem = LinearGaussianSEM.fit(X, mask, dag)
        self.coef_, self.intercept_, self.noise_std_ = self._sem.public_parameters()

    def score(self, X, y=None, *, intervention_mask=None, sample_weight=None):
        """Mean held-out log-likelihood per sample of a linear-Gaussian SEM on the learned graph.

        The SEM (one least-squares regression of each variable on its parents in ``adjacency_``,
        see ``coef_``) is fitted on the training data at ``fit``; for a CPDAG, on a consistent DAG
        extension of it. Values set by an intervention are not scored for their own variable (nor
        used to fit its regression). Greater is better, so ``cross_val_score(est, X)`` compares
        graphs without knowing the true one. ``X`` follows the column contract of :meth:`fit`
        (``docs/inputs.md``): discrete columns are coded with the levels of the fit (a level not
        seen there is a ValueError), and a missing cell is not scored, nor is a variable whose
        parent's cell is missing; each row's log-likelihood sums the values scored. Binary and
        ordinal columns are scored as their codes; unordered categorical columns have no
        likelihood here (a ValueError names :class:`~skcausal.NonparametricSEM`).

        It measures how well the graph *predicts*, not whether its edges are causal, and it
        prefers denser graphs: an extra parent rarely lowers a held-out likelihood, and an edge
        between two variables that share a cause raises it. Tuning ``threshold`` (or ``alpha``,
        ``lambda1``) on it picks the densest setting offered: in a ``GridSearchCV`` over the
        zero-shot model's threshold in [0.1, 0.3, 0.5, 0.7, 0.9] on ``make_scm`` data (d = 20,
        n = 1,000, six datasets), it chose 0.1 every time (45-67 edges against 39-44 true ones,
        SHD 17-30), where ``make_graph_scorer("shd", true_graph)`` chose 0.3 or 0.5 (SHD 8-15);
        see ``docs/choosing.md``. For model selection use
        :func:`skcausal.metrics.make_graph_scorer` with a true graph, e.g. on a simulation like
        your data (:func:`skcausal.datasets.make_scm` with your n, d and mechanism), and keep
        ``score`` for comparing graphs of similar density.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored; present for scikit-learn compatibility. A 2-D ``y`` shaped like ``X`` raises
            a TypeError (it is most likely a mask passed by position).
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            Which values of ``X`` were set by an intervention; None means all observational. A
            DataFrame mask is aligned with a DataFrame ``X`` by column name and index, as at
            :meth:`fit` (the same labels in another order are reordered; other labels are
            refused); with an array ``X``, it is taken by position.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples: the score is then the weighted mean of the
            samples' log-likelihoods (a weight of 2 counts a sample twice). None weighs all equally.
            A pandas Series is aligned with a DataFrame ``X`` by index, like the mask.

        Returns
        -------
        score : float
            Greater is better. Always finite.

        Raises
        ------
        ValueError
            If ``X`` or ``intervention_mask`` is malformed (as for :meth:`fit`, except that one
            sample and constant columns are allowed), if the fit had unordered categorical
            columns, if a pandas mask's or weights' labels do not match ``X``'s, if no value of
            ``X`` can be scored (every value is intervened or missing, or belongs to a variable
            that was intervened in all but at most one training sample), or
            if the log-likelihood overflows float64 because ``X`` lies absurdly far (around 1e150
            standard deviations or more) from the training data.

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
        refuse_mask_as_y(X, y, "score")
        columns, index = frame_axes(X)  # before validate_data turns X into an array
        self._refuse_categorical("score")
        encoded = encode_like(X, self.feature_kinds_, self.categories_)
        if encoded is None:
            check_numeric_input(X)
        elif columns is not None:
            X = pd.DataFrame(encoded, columns=columns, index=index)
        else:
            X = encoded
        X = validate_data(
            self, X, reset=False, dtype=np.float64, ensure_min_samples=1, ensure_all_finite=False
        )
        check_infinite(X, self._node_names())
        mask = check_intervention_mask(intervention_mask, *X.shape, columns=columns, index=index)
        if not np.any(self._sem.scored(X, mask)):
            # Returning 0.0 here would rank an unscorable fold above every real one.
            raise ValueError(
                "score() has nothing to score: every value of X is either intervened for its own "
                "variable or belongs to a variable that had fewer than 2 non-intervened samples "
                "at fit."
            )
        weights = check_sample_weight(sample_weight, X.shape[0], index=index)
        score = self._sem.mean_log_likelihood(X, mask, weights)
        if not np.isfinite(score):
            raise ValueError(
                "the log-likelihood of X under the fitted SEM is not finite: X's values lie so far "
                "from the training data (relative to its residual spread) that float64 overflows."
            )
        return score

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
            otherwise column indices. None draws observational samples. A discrete column is set
            to one of its levels (``categories_[j]``), e.g. ``{"smoker": True}``.
        random_state : int, numpy.random.Generator or None, default=None
            Seeds the noise.

        Returns
        -------
        samples : ndarray or DataFrame of shape (n_samples, n_features)
            A DataFrame with the training columns when the estimator was fitted on one (discrete
            columns as pandas categoricals with the training levels, bool columns as bool);
            otherwise an array, discrete columns as codes 0..k-1. The linear SEM draws a
            discrete (binary or ordinal) column as a number and rounds it to the nearest code.

        Raises
        ------
        ValueError
            If ``n_samples`` is not a positive integer, the fit had unordered categorical columns
            (use :class:`~skcausal.NonparametricSEM`), an intervention names an unknown variable,
            has a non-finite value or (for a discrete column) a value that is not one of its
            levels, or a variable that must be drawn had no observational rows to fit its
            equation (intervene on it instead).

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
        self._refuse_categorical("sample")
        n_samples = check_n_samples(n_samples)
        names = self._node_names()
        targets = check_interventions(self._levels_to_codes(interventions, names), names)
        missing = [names[j] for j in np.flatnonzero(~self._sem.fitted) if j not in targets]
        if missing:
            raise ValueError(
                f"the SEM has no equation for {missing[:10]} (fewer than 2 non-intervened rows at "
                "fit); intervene on them to sample."
            )
        samples = self._sem.sample(n_samples, targets, check_random_state(random_state))
        return decode_columns(
            samples, self.feature_kinds_, self.categories_, getattr(self, "feature_names_in_", None)
        )

    def _refuse_categorical(self, method):
        """The linear-Gaussian SEM has no model for unordered categorical columns."""
        names = self._node_names()
        found = [names[j] for j, kind in enumerate(self.feature_kinds_) if kind == "categorical"]
        if found:
            raise ValueError(
                f"{method}() uses the linear-Gaussian SEM, which has no model for the unordered "
                f"categorical columns {found[:10]} (their codes are arbitrary numbers). Use "
                "skcausal.NonparametricSEM (NonparametricSEM().fit(X, estimator).sample(...)) to "
                "sample, compare graphs with skcausal.metrics.make_graph_scorer, or give the "
                "categories an order (an ordered pandas Categorical)."
            )

    def _levels_to_codes(self, interventions, names):
        """do() values of discrete columns given as their levels (e.g. "red", True), as codes."""
        if not isinstance(interventions, dict):
            return interventions
        return {
            key: level_code(value, self.categories_[names.index(key)], key)
            if key in names and self.categories_[names.index(key)] is not None
            else value
            for key, value in interventions.items()
        }
