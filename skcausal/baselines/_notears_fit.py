"""NOTEARS's optimisation (Zheng et al., NeurIPS 2018): the acyclicity function, the losses and
the augmented Lagrangian, on plain arrays (the estimator is in ``_notears.py``)."""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize
from scipy.special import expit

_LOSSES = ("l2", "logistic", "poisson")


def notears_acyclicity(W) -> float:
    """The NOTEARS acyclicity function ``h(W) = tr(exp(W * W)) - d``.

    ``h(W) == 0`` exactly when the weighted graph ``W`` (``W[i, j] != 0`` means i -> j) has no
    directed cycle, and ``h(W) > 0`` otherwise: ``tr(exp(W * W))`` sums the weights of closed walks
    of every length, and only the walks of length zero remain in a DAG.

    Parameters
    ----------
    W : array-like of shape (d, d)

    Returns
    -------
    h : float

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.baselines import notears_acyclicity
    >>> chain = np.array([[0, 1.0], [0, 0]])
    >>> float(notears_acyclicity(chain))
    0.0
    >>> notears_acyclicity(chain + chain.T) > 0
    True
    """
    W = np.asarray(W, dtype=float)
    return float(np.trace(scipy.linalg.expm(W * W)) - W.shape[0])


def _acyclicity_and_gradient(W):
    E = scipy.linalg.expm(W * W)
    return np.trace(E) - W.shape[0], E.T * 2 * W


def _loss_and_gradient(X, W, loss):
    n = X.shape[0]
    M = X @ W
    if loss == "l2":
        R = X - M
        return 0.5 / n * np.sum(R * R), -X.T @ R / n
    if loss == "logistic":
        # logaddexp keeps log(1 + e^M) finite for large M.
        return np.sum(np.logaddexp(0, M) - X * M) / n, X.T @ (expit(M) - X) / n
    S = np.exp(M)  # poisson
    return np.sum(S - X * M) / n, X.T @ (S - X) / n


class _NonFiniteObjective(ArithmeticError):
    """The augmented Lagrangian over- or underflowed float64; carries the offending value."""


def _fit_notears(
    X,
    lambda1,
    loss,
    max_iter,
    h_tol,
    rho_max,
    forbidden=None,
    unpenalised=None,
    progress=None,
):
    """Augmented-Lagrangian NOTEARS; returns (W, n_iter, converged).

    ``forbidden`` (boolean d x d) pins those weights at zero; ``unpenalised`` drops the L1
    penalty on those weights (the required edges). ``progress`` (a tqdm bar, or None) is advanced
    by one per dual-ascent iteration, with the acyclicity and the penalty shown.

    Raises _NonFiniteObjective when a subproblem ends on a non-finite objective: L-BFGS-B then
    stops at once and returns W = 0 (or a worse point) as if it had converged, so the caller must
    not use the result.
    """
    d = X.shape[1]

    # L1 is not differentiable at 0. Writing W = W+ - W- with W+, W- >= 0 makes the penalty the
    # linear (smooth) term lambda1 * sum(W+ + W-), and the bounds are what L-BFGS-B handles.
    def unpack(w):
        return (w[: d * d] - w[d * d :]).reshape(d, d)

    penalty = np.full(d * d, lambda1)
    if unpenalised is not None:
        penalty[np.asarray(unpenalised, dtype=bool).ravel()] = 0.0
    penalty2 = np.tile(penalty, 2)

    def objective(w, rho, alpha):
        W = unpack(w)
        value, grad = _loss_and_gradient(X, W, loss)
        h, grad_h = _acyclicity_and_gradient(W)
        value += 0.5 * rho * h * h + alpha * h + penalty2 @ w
        grad = (grad + (rho * h + alpha) * grad_h).ravel()
        return value, np.concatenate([grad + penalty, -grad + penalty])

    # Self-loops (and forbidden edges) are excluded by pinning both halves at zero.
    free = ~np.eye(d, dtype=bool)
    if forbidden is not None:
        free &= ~np.asarray(forbidden, dtype=bool)
    bounds = [(0, None) if f else (0, 0) for f in np.tile(free.ravel(), 2)]

    w = np.zeros(2 * d * d)
    rho, alpha, h = 1.0, 0.0, np.inf
    for iteration in range(1, max_iter + 1):
        # Solve the subproblem, raising the penalty until h has fallen to a quarter of its last
        # value (the paper's progress rule), or until rho hits its cap.
        while True:
            result = scipy.optimize.minimize(
                objective, w, args=(rho, alpha), jac=True, method="L-BFGS-B", bounds=bounds
            )
            if not (np.isfinite(result.fun) and np.all(np.isfinite(result.x))):
                raise _NonFiniteObjective(result.fun)
            h_new = notears_acyclicity(unpack(result.x))
            if h_new <= 0.25 * h:
                break
            rho *= 10
            if rho >= rho_max:
                break
        w, h = result.x, h_new
        alpha += rho * h
        if progress is not None:
            progress.set_postfix(h=f"{h:.1e}", rho=f"{rho:.0e}", refresh=False)
            progress.update(1)
        if h <= h_tol or rho >= rho_max:
            return unpack(w), iteration, h <= h_tol
    return unpack(w), max_iter, False
