"""The linear-Gaussian SEM fitted on a learned graph: the model behind every estimator's
``score()``, ``coef_``, ``intercept_``, ``noise_std_`` and ``sample()``."""

from __future__ import annotations

import numpy as np

from skcausal._utils import safe_column_scales
from skcausal.graph import topological_order

_LOG_2PI = float(np.log(2 * np.pi))


class LinearGaussianSEM:
    """Per-variable least-squares regressions on the parents of a DAG.

    The regressions run on ``X / scales`` (powers of two that tame columns near the limits of
    float64, see :func:`~skcausal._utils.safe_column_scales`); the log-likelihood of the
    original values then gains the Jacobian term ``-log(scale)`` per scored value. Without it,
    columns of magnitude 1e300 made every score NaN. Variable j is regressed on the rows where it
    was not intervened. With missing cells (NaN), variable j is regressed on the rows where it
    and its parents are observed (and j is not intervened), and scored on the same kind of rows.
    """

    def __init__(self, dag, intercepts, coefficients, variances, fitted, scales):
        self.dag = dag
        self.intercepts = intercepts
        self.coefficients = coefficients  # coefficients[i, j]: weight of z_i in z_j's regression
        self.variances = variances
        self.fitted = fitted  # False where fewer than 2 training values were not intervened
        self.scales = scales

    @classmethod
    def fit(cls, X, mask, dag):
        scales = safe_column_scales(X)
        Z = X / scales
        d = Z.shape[1]
        parents = np.asarray(dag) != 0
        intercepts = np.zeros(d)
        coefficients = np.zeros((d, d))
        variances = np.ones(d)
        fitted = np.zeros(d, dtype=bool)
        if np.isnan(Z).any():
            for j in range(d):
                fitted[j] = _fit_one(Z, mask, parents, j, intercepts, coefficients, variances)
            return cls(parents.astype(int), intercepts, coefficients, variances, fitted, scales)
        # Variables sharing the rows they are fitted on (all of them, for observational data) share
        # one centred Gram matrix, from which every regression is a small solve.
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
                    coefficients[pa, j] = np.linalg.lstsq(
                        gram[np.ix_(pa, pa)], gram[pa, j], rcond=None
                    )[0]
                intercepts[j] = means[j] - means @ coefficients[:, j]
            residuals = centred[:, members] - centred @ coefficients[:, members]
            spread = np.maximum(np.diag(gram)[members] / n_rows, np.finfo(float).tiny)
            variances[members] = np.maximum(np.mean(residuals**2, axis=0), 1e-12 * spread)
            fitted[members] = True
        return cls(parents.astype(int), intercepts, coefficients, variances, fitted, scales)

    # -- the model in the units of X -------------------------------------------------------------
    def public_parameters(self):
        """``(coef, intercept, noise_std)`` in the units of X (NaN for a variable never fitted)."""
        s = self.scales
        with np.errstate(over="ignore", invalid="ignore"):
            coef = self.coefficients * (s[None, :] / s[:, None])
            intercept = self.intercepts * s
            noise_std = np.sqrt(self.variances) * s
        coef[self.dag == 0] = 0.0
        unfitted = ~self.fitted
        coef[:, unfitted] = np.where(self.dag[:, unfitted] != 0, np.nan, 0.0)
        intercept[unfitted] = np.nan
        noise_std[unfitted] = np.nan
        return coef, intercept, noise_std

    def scored(self, X, mask):
        """(n, d): the values scored, those not intervened, of a fitted variable, observed with
        every parent observed."""
        observed = ~np.isnan(X)
        missing_parents = (~observed).astype(float) @ (self.dag != 0).astype(float)
        return ~mask & self.fitted & observed & (missing_parents == 0)

    def mean_log_likelihood(self, X, mask, weights=None):
        Z = X / self.scales
        scored = self.scored(X, mask)
        Z = np.where(np.isnan(Z), 0.0, Z)  # missing cells are not scored, nor used as parents
        # Held-out values far outside the training range may overflow; the caller turns a
        # non-finite result into a ValueError, so numpy's warnings would only be noise.
        with np.errstate(over="ignore", invalid="ignore"):
            residual = Z - self.intercepts - Z @ self.coefficients
            log_density = -0.5 * (
                _LOG_2PI + np.log(self.variances) + residual**2 / self.variances
            ) - np.log(self.scales)
            per_sample = np.sum(log_density, axis=1, where=scored)
            if weights is None:
                return float(per_sample.mean())
            return float(np.sum(weights * per_sample) / np.sum(weights))

    def sample(self, n_samples, interventions, rng, residuals=None):
        """Draw ``n_samples`` rows in the units of X; ``interventions`` maps index -> value.

        ``residuals``, when given, is a list (one per variable) of centred training residuals in
        the scaled units to resample instead of drawing Gaussian noise.
        """
        d = len(self.scales)
        Z = np.zeros((n_samples, d))
        for j in topological_order(self.dag):
            if j in interventions:
                Z[:, j] = interventions[j] / self.scales[j]
                continue
            if residuals is not None:
                noise = rng.choice(residuals[j], size=n_samples, replace=True)
            else:
                noise = rng.standard_normal(n_samples) * np.sqrt(self.variances[j])
            Z[:, j] = self.intercepts[j] + Z @ self.coefficients[:, j] + noise
        with np.errstate(over="ignore"):
            return Z * self.scales


def _fit_one(Z, mask, parents, j, intercepts, coefficients, variances) -> bool:
    """Variable j's regression on the rows where it and its parents are observed and j is not
    intervened; False (not fitted) with fewer than 2 such rows."""
    pa = np.flatnonzero(parents[:, j])
    columns = [*pa, j]
    rows = ~mask[:, j] & ~np.isnan(Z[:, columns]).any(axis=1)
    n_rows = int(rows.sum())
    if n_rows < 2:
        return False
    Zr = Z[np.ix_(rows, columns)]
    means = Zr.mean(axis=0)
    centred = Zr - means
    gram = centred.T @ centred
    if pa.size:
        coefficients[pa, j] = np.linalg.lstsq(gram[:-1, :-1], gram[:-1, -1], rcond=None)[0]
    intercepts[j] = means[-1] - means[:-1] @ coefficients[pa, j]
    residuals = centred[:, -1] - centred[:, :-1] @ coefficients[pa, j]
    spread = max(gram[-1, -1] / n_rows, np.finfo(float).tiny)
    variances[j] = max(float(np.mean(residuals**2)), 1e-12 * spread)
    return True
