"""NOTEARS (linear): continuous optimisation of a weighted DAG under a smooth acyclicity constraint.

Written from the paper: X. Zheng, B. Aragam, P. Ravikumar, E. P. Xing, "DAGs with NO TEARS:
Continuous Optimization for Structure Learning", NeurIPS 2018.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from threadpoolctl import threadpool_limits

from skcausal._base import SHARED_PARAMETER_CONSTRAINTS, BaseCausalDiscovery, Discovery
from skcausal._progress import progress_bar
from skcausal.baselines._notears_fit import (
    _LOSSES,
    _fit_notears,
    _NonFiniteObjective,
    notears_acyclicity,
)


def _break_cycles(W):
    """Drop the weakest edge lying on a cycle until ``W`` is acyclic.

    An edge lies on a directed cycle exactly when both ends are in the same strongly connected
    component, so each round finds the components and drops the smallest-magnitude edge inside
    one. Thresholding a NOTEARS solution rarely leaves a cycle; this is the safety net.
    """
    W = W.copy()
    while True:
        n_components, labels = connected_components(W != 0, directed=True, connection="strong")
        if n_components == W.shape[0]:
            return W
        on_cycle = (W != 0) & (labels[:, None] == labels[None, :])
        strength = np.where(on_cycle, np.abs(W), np.inf)
        W[np.unravel_index(np.argmin(strength), W.shape)] = 0.0


class NOTEARS(BaseCausalDiscovery):
    """Linear NOTEARS: a weighted DAG fitted by continuous optimisation.

    Minimises ``loss(W; X) + lambda1 * |W|_1`` subject to ``h(W) = tr(exp(W * W)) - d = 0``
    (:func:`notears_acyclicity`) by the augmented Lagrangian method of Zheng et al. (2018): each
    subproblem adds ``rho / 2 * h^2 + alpha * h`` and is solved by L-BFGS-B with analytic gradients;
    ``rho`` grows tenfold while ``h`` has not fallen by a factor 4, then ``alpha`` takes a dual
    ascent step ``alpha += rho * h``. The search stops when ``h <= h_tol`` or ``rho >= rho_max``.
    Weights with ``|W| < w_threshold`` are then set to zero, and if a cycle survives (rare), the
    weakest edge on a cycle is removed until none is left, so ``adjacency_`` is always a DAG.

    All rows are used as observational data: ``intervention_mask`` is accepted (and checked) but
    not used by the search; only :meth:`score` uses it. NOTEARS is not scale-invariant: with the
    l2 loss it favours orders of increasing variance, so standardising the columns changes (and on
    simulated data usually worsens) its graphs. This estimator fits the data as given, so the
    scale of X matters:

    - When every column's variance is at most ``lambda1``, the L1 penalty outweighs any dependence
      and the empty graph is the exact solution, whatever the data; ``fit`` returns it with a
      UserWarning (seen, with the defaults, for data of magnitude about 0.3 or less).
    - Large magnitudes leave the acyclicity penalty too weak to enforce within ``rho_max``: a
      ConvergenceWarning, and cycles are broken afterwards (from a standard deviation of about
      100, with the defaults).
    - When the objective overflows float64 (magnitudes from around 1e60 with the l2 loss, large
      counts with the poisson loss), ``fit`` raises a ValueError rather than return the
      optimiser's meaningless answer (it used to return an empty graph silently).

    Duplicated or collinear columns are accepted; with the l2 loss an exact copy is typically
    joined to its original by one edge (weight shrunk a little by the L1 penalty).

    Parameters
    ----------
    lambda1 : float, default=0.1
        Weight of the L1 penalty; >= 0.
    loss : {"l2", "logistic", "poisson"}, default="l2"
        "l2": least squares on centred columns (linear SEM). "logistic": binary columns (0/1).
        "poisson": non-negative count columns. Not centred for the last two.
    w_threshold : float, default=0.3
        Weights smaller in magnitude are set to zero; >= 0.
    max_iter : int, default=100
        Maximum number of dual-ascent iterations.
    h_tol : float, default=1e-8
        Stop when the acyclicity ``h(W)`` is at most this; > 0.
    rho_max : float, default=1e16
        Stop when the penalty ``rho`` reaches this; > 0.
    knowledge : BackgroundKnowledge or None, default=None
        Required and forbidden edges and tiers (:class:`~skcausal.BackgroundKnowledge`), used in
        the search: forbidden weights are pinned at zero and required ones are free of the L1
        penalty. A required edge whose weight still ends below ``w_threshold`` is added to
        ``adjacency_`` afterwards (and edges that would then close a cycle are dropped, weakest
        first), as for every estimator.
    n_bootstrap : int, default=0
        When > 0, NOTEARS is rerun on this many bootstrap resamples of the rows, and
        ``edge_frequencies_`` gives the share of resample graphs with each edge.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the bootstrap resamples; the optimisation itself is deterministic.
    categorical_features : "from_dtype", None or array-like of bool, int or str, \
default="from_dtype"
        The numeric columns to read as discrete (unordered, coded by their sorted distinct
        values): a boolean mask of shape (n_features,), integer indices, or column names when X
        is a DataFrame. "from_dtype" and None: the dtypes alone decide (pandas ``category``,
        ``bool`` and text columns are discrete, other numeric columns continuous). See
        ``docs/inputs.md`` and ``feature_kinds_``.
    verbose : int, default=0
        0 prints nothing. 1 shows progress bars on stderr: one over the outer (dual-ascent)
        iterations, with the acyclicity ``h`` and the penalty ``rho`` reached, and, with
        ``n_bootstrap``, one over the resamples. 2 also shows the iterations within each resample.

    Attributes
    ----------
    weights_ : ndarray of shape (n_features, n_features)
        NOTEARS's weighted adjacency after thresholding and cycle removal: ``weights_[i, j]`` is
        the (L1-penalised) weight of i in the equation of j. (Before skcausal 0.2 this was
        ``coef_``, which is now the least-squares SEM on ``adjacency_`` that every estimator has.)
    adjacency_ : ndarray of shape (n_features, n_features), int
        ``weights_ != 0`` with the knowledge applied; a DAG.
    edge_probabilities_ : ndarray of shape (n_features, n_features)
        A weight score, not a probability: ``|w| / (|w| + w_threshold)`` of the *unthresholded*
        solution ``w`` (``w_threshold`` taken as 1 when it is 0): monotone in ``|w|``, 0 for a
        zero weight, 0.5 exactly at the threshold. ``edge_score_name`` says so, and the plots,
        ``edge_list`` and the exported files carry it.
        It ranks every candidate edge (for AUROC/AUPRC) and agrees with the 0.5 cut of
        ``adjacency_``, except for edges removed to break a cycle, which keep their value.
    n_iter_ : int
        Number of dual-ascent iterations run.
    cpdag_, coef_, intercept_, noise_std_, edge_frequencies_
        The equivalence class, the linear-Gaussian SEM on the graph and (after a bootstrap) the
        edge frequencies, as for every estimator: see :class:`~skcausal.BaseCausalDiscovery`.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.baselines import NOTEARS
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=500)
    >>> b = 2 * a + rng.normal(size=500)
    >>> c = -1.5 * b + rng.normal(size=500)  # a chain: a -> b -> c
    >>> est = NOTEARS().fit(np.column_stack([a, b, c]))
    >>> est.adjacency_
    array([[0, 1, 0],
           [0, 0, 1],
           [0, 0, 0]])
    >>> np.round(est.weights_, 1)
    array([[ 0. ,  1.9,  0. ],
           [ 0. ,  0. , -1.5],
           [ 0. ,  0. ,  0. ]])
    >>> np.round(est.coef_, 1)  # least squares on the learned parents
    array([[ 0. ,  2. ,  0. ],
           [ 0. ,  0. , -1.5],
           [ 0. ,  0. ,  0. ]])
    """

    edge_score_name = "weight score |W| / (|W| + w_threshold)"
    _missing_values = "complete_rows"
    _discrete_columns = "codes"  # binary/ordinal codes as numbers; categorical refused

    _parameter_constraints = {
        "lambda1": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions(set(_LOSSES))],
        "w_threshold": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "h_tol": [Interval(Real, 0, None, closed="neither")],
        "rho_max": [Interval(Real, 0, None, closed="neither")],
        **SHARED_PARAMETER_CONSTRAINTS,
    }

    def __init__(
        self,
        lambda1=0.1,
        loss="l2",
        w_threshold=0.3,
        max_iter=100,
        h_tol=1e-8,
        rho_max=1e16,
        *,
        knowledge=None,
        n_bootstrap=0,
        random_state=None,
        verbose=0,
        categorical_features="from_dtype",
    ):
        self.lambda1 = lambda1
        self.loss = loss
        self.w_threshold = w_threshold
        self.max_iter = max_iter
        self.h_tol = h_tol
        self.rho_max = rho_max
        self.knowledge = knowledge
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.verbose = verbose
        self.categorical_features = categorical_features

    def _check_params(self, X):
        # The parameters themselves are validated before the data (_parameter_constraints); what
        # is left depends on the data.
        if self.loss == "logistic" and not np.isin(X, (0, 1)).all():
            raise ValueError('loss="logistic" needs binary data: every value of X must be 0 or 1.')
        if self.loss == "poisson" and (X < 0).any():
            raise ValueError('loss="poisson" needs count data: X must not be negative.')

    def _warn_if_penalty_decides(self, largest_variance):
        # |cov(x_i, x_j)| <= largest variance <= lambda1 is the optimality condition of W = 0:
        # the answer is then decided by the data's units, not its structure. Say so.
        if 0 < largest_variance <= self.lambda1:
            warnings.warn(
                f"NOTEARS: every column's variance is at most lambda1={self.lambda1:g} (the "
                f"largest is {largest_variance:.3g}), so the L1 penalty outweighs any dependence "
                "and the empty graph is the exact solution. NOTEARS is not scale-invariant: "
                "standardise X (e.g. sklearn's StandardScaler) or lower lambda1.",
                UserWarning,
                stacklevel=6,
            )

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        self._check_params(X)
        largest_magnitude = float(np.max(np.abs(X)))
        # Overflow (magnitudes far from 1) is detected on the objective and reported as one clear
        # error below; numpy's warnings on the way there would only be noise.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if self.loss == "l2":
                # The linear SEM has no intercepts, so centring stands in for them.
                X = X - X.mean(axis=0)
                if knowledge is None or not knowledge.required.any():
                    # (Required edges are not penalised, so the argument does not hold for them.)
                    self._warn_if_penalty_decides(float(np.max(np.mean(X * X, axis=0))))
            try:
                # Thousands of small matrix products: multi-threaded BLAS only adds overhead here,
                # and on a 2-core machine it made a Sachs fit 40x slower (91 s against 2.2 s).
                required, forbidden = knowledge if knowledge is not None else (None, None)
                with (
                    threadpool_limits(limits=1, user_api="blas"),
                    progress_bar(
                        self._show_progress(),
                        total=int(self.max_iter),
                        desc="NOTEARS",
                        unit="iteration",
                        leave=not self._in_bootstrap,
                    ) as bar,
                ):
                    W, n_iter, converged = _fit_notears(
                        X,
                        float(self.lambda1),
                        self.loss,
                        int(self.max_iter),
                        float(self.h_tol),
                        float(self.rho_max),
                        forbidden=forbidden,
                        unpenalised=required,
                        progress=bar,
                    )
                    # The search mostly stops on h or rho well before max_iter: end the bar full.
                    bar.total = n_iter
                    bar.refresh()
            except _NonFiniteObjective as error:
                raise ValueError(
                    f"NOTEARS's objective overflowed float64 (it became {error.args[0]}) with "
                    f"loss={self.loss!r}: the data's magnitude is too large for it (largest "
                    f"|value| {largest_magnitude:.3g}). NOTEARS is not scale-invariant and fits "
                    "the data as given: rescale X first (e.g. sklearn's StandardScaler)."
                ) from None
        if not converged:
            warnings.warn(
                f"NOTEARS stopped with acyclicity h(W) = {notears_acyclicity(W):.2e} > h_tol = "
                f"{self.h_tol:g} (max_iter or rho_max reached); cycles left after thresholding "
                "are removed by dropping their weakest edges.",
                ConvergenceWarning,
                stacklevel=5,
            )
        scale = float(self.w_threshold) if self.w_threshold > 0 else 1.0
        probabilities = np.abs(W) / (np.abs(W) + scale)
        weights = _break_cycles(np.where(np.abs(W) >= self.w_threshold, W, 0.0))
        return Discovery(probabilities, weights != 0, info={"weights_": weights, "n_iter_": n_iter})
