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
    """The ridge-regularised inverse of a correlation matrix. With ``psd``, negative eigenvalues
    are first set to 0: a matrix of pairwise-complete correlations (missing cells) need not be
    positive semi-definite, and its plain inverse turns partial correlations into noise."""
    if psd:
        values, vectors = torch.linalg.eigh(corr)
        values = values.clamp_min(0) + ridge
        return (vectors / values[..., None, :]) @ vectors.transpose(-1, -2)
    d = corr.shape[-1]
    eye = torch.eye(d, dtype=corr.dtype, device=corr.device)
    return inverse(corr + ridge * eye)


def partial_correlation(precision):
    """Partial correlations of every pair given the rest, from the precision matrix."""
    diag = torch.diagonal(precision, dim1=-2, dim2=-1).clamp_min(_EPS)
    return -precision / torch.sqrt(diag[..., :, None] * diag[..., None, :])
