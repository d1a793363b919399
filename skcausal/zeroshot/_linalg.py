"""Precision matrices and partial correlations of correlation matrices, for every feature block."""

from __future__ import annotations

import torch

_EPS = 1e-6


def precision_matrix(corr, ridge, psd=False):
    """The ridge-regularised inverse of a correlation matrix. With ``psd``, negative eigenvalues
    are first set to 0: a matrix of pairwise-complete correlations (missing cells) need not be
    positive semi-definite, and its plain inverse turns partial correlations into noise."""
    if psd:
        values, vectors = torch.linalg.eigh(corr)
        values = values.clamp_min(0) + ridge
        return (vectors / values[..., None, :]) @ vectors.transpose(-1, -2)
    d = corr.shape[-1]
    eye = torch.eye(d, dtype=corr.dtype, device=corr.device)
    return torch.linalg.inv(corr + ridge * eye)


def partial_correlation(precision):
    """Partial correlations of every pair given the rest, from the precision matrix."""
    diag = torch.diagonal(precision, dim1=-2, dim2=-1).clamp_min(_EPS)
    return -precision / torch.sqrt(diag[..., :, None] * diag[..., None, :])
