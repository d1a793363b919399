"""Precision matrices and partial correlations of correlation matrices, for every feature block."""

from __future__ import annotations

import torch

_EPS = 1e-6


def inverse(matrices):
    """``torch.linalg.inv`` of a batch of matrices, one matrix at a time on the CPU.

    Once ``torch.set_num_threads`` has been called (by the user, or by ``pretrain --threads``
    and the benchmark's child processes), torch's CPU build factorises the matrices of a batch
    in parallel threads, and its LAPACK (MKL) is not safe for that: from about 150 columns the
    batch's inverses come back wrong, raise "Pivots given to lu_solve must all be greater or
    equal to 1", or hang (torch 2.13; pytorch/pytorch issues 141358 and 142815). One call per
    matrix lets LAPACK thread within it; the results match the batch's without threads up to
    rounding (a batch's later matrices may start unaligned in memory).
    """
    if matrices.device.type != "cpu" or matrices.ndim == 2:
        return torch.linalg.inv(matrices)
    flat = matrices.reshape(-1, *matrices.shape[-2:])
    inverses = [torch.linalg.inv(matrix) for matrix in flat]
    return torch.stack(inverses).reshape(matrices.shape) if inverses else flat.clone()


def precision_matrix(corr, ridge, psd=False):
    """The ridge-regularised inverse of a correlation matrix; ``ridge`` is a number or a tensor
    of one per matrix (``corr``'s batch shape). With ``psd``, negative eigenvalues are first set
    to 0: a matrix of pairwise-complete correlations (missing cells) need not be positive
    semi-definite, and its plain inverse turns partial correlations into noise."""
    ridge = torch.as_tensor(ridge, dtype=corr.dtype, device=corr.device)[..., None]
    if psd:
        values, vectors = torch.linalg.eigh(corr)
        values = values.clamp_min(0) + ridge
        return (vectors / values[..., None, :]) @ vectors.transpose(-1, -2)
    d = corr.shape[-1]
    eye = torch.eye(d, dtype=corr.dtype, device=corr.device)
    return inverse(corr + ridge[..., None] * eye)


def partial_correlation(precision):
    """Partial correlations of every pair given the rest, from the precision matrix."""
    diag = torch.diagonal(precision, dim1=-2, dim2=-1).clamp_min(_EPS)
    return -precision / torch.sqrt(diag[..., :, None] * diag[..., None, :])


def ledoit_wolf_ridge(z, max_shrinkage=0.9):
    """Per dataset, the ridge that Ledoit and Wolf's (2004) shrinkage towards the identity puts
    on the correlation matrix of the standardised columns ``z`` (b, n, d), zeros on missing cells.

    Shrinking by ``s`` gives ``(1 - s) S + s mu I``, proportional to ``S + s mu / (1 - s) I``, and
    partial correlations do not see the factor. The shrinkage is the one
    :func:`sklearn.covariance.ledoit_wolf_shrinkage` estimates (agreement is tested); it falls
    with n as the sampling noise of S does, and with how far S is from the identity.
    """
    _, n, d = z.shape
    z = z - z.mean(1, keepdim=True)
    cov = z.transpose(1, 2) @ z / n
    squares = z * z
    mu = torch.diagonal(cov, dim1=1, dim2=2).sum(-1) / d
    frobenius = cov.pow(2).sum((1, 2))
    fourth = (squares.transpose(1, 2) @ squares).sum((1, 2)) / n
    beta = (fourth - frobenius) / (n * d)
    delta = (frobenius - d * mu * mu) / d  # ||S - mu I||^2 / d
    shrinkage = torch.where(delta > 0, torch.minimum(beta, delta) / delta.clamp_min(1e-12), 1.0)
    shrinkage = shrinkage.clamp(0.0, max_shrinkage)
    return shrinkage * mu / (1 - shrinkage)
