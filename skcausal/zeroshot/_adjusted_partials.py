"""Partial correlations among [x_i, x_i^2] and [x_j, x_j^2] that adjust for every other column
by all of its transforms, not only by its value and square.

The values' view reads, per pair, the partial correlations among a pair's values and squares given
every other column's value and square (``_features._observational_stats``). A monotone map of a
third column that confounds or mediates the pair (exp of a concentration) makes that linear and
quadratic adjustment fail, and a non-adjacent pair looks dependent: the largest moves of a
probability under exp of one column (research/v3.md, phase 19). Adjusting for the six transforms
the features already correlate (value, square, cube, tanh, |.| and sin) removes most of it
(``research/experiments/partial_adjustment.py``: 0.27 -> 0.10 and 0.39 -> 0.13 of spurious partial
correlation; the signal of plain data unchanged).

For a pair (i, j), with P the precision matrix of all K d transforms, the conditional precision of
[x_i, x_i^2, x_j, x_j^2] given the other columns' transforms, the pair's other 2 (K - 2) transforms
marginalised out, is the Schur complement P_AA - P_AB P_BB^-1 P_BA of P's 2K x 2K block on the
pair. Its partial correlations are the four features, each given the pair's other two, as in the
value-and-square block. The d^2 small solves are a batched Cholesky written out here: torch's
batched LAPACK is not thread-safe on the CPU (``_linalg.inverse``), and one call per pair is slow.
"""

from __future__ import annotations

import torch

from skcausal.zeroshot._linalg import partial_correlation, precision_matrix

_MIN_PIVOT = 1e-9


def _cholesky(M):
    """Lower Cholesky factor of a batch of symmetric positive-definite matrices (..., m, m)."""
    m = M.shape[-1]
    L = torch.zeros_like(M)
    for k in range(m):
        pivot = M[..., k, k] - L[..., k, :k].pow(2).sum(-1)
        L[..., k, k] = pivot.clamp_min(_MIN_PIVOT).sqrt()
        below = M[..., k + 1 :, k] - (L[..., k + 1 :, :k] * L[..., k : k + 1, :k]).sum(-1)
        L[..., k + 1 :, k] = below / L[..., k, k, None]
    return L


def _forward_solve(L, B):
    """L^-1 B for lower-triangular L (..., m, m) and B (..., m, r)."""
    m = L.shape[-1]
    Y = torch.zeros_like(B)
    for k in range(m):
        rest = (L[..., k, :k, None] * Y[..., :k, :]).sum(-2)
        Y[..., k, :] = (B[..., k, :] - rest) / L[..., k, k, None]
    return Y


def adjusted_quadratic_partials(cross, d, ridge, psd=False):
    """(b, d, d, 4): for each ordered pair (i, j), i != j, the partial correlations of (x_i, x_j),
    (x_i, x_j^2), (x_i^2, x_j) and (x_i^2, x_j^2), each given the pair's other two and every other
    column's K transforms; zeros on the diagonal.

    ``cross`` (b, K d, K d) holds the correlations of the standardised transforms, transform-major
    with the value first and the square second (``_features._accumulate``); ``ridge`` and ``psd``
    regularise its precision as every feature block's (``_linalg.precision_matrix``).
    """
    b, Kd, _ = cross.shape
    K = Kd // d
    P = precision_matrix(cross.double(), ridge, psd).reshape(b, K, d, K, d)
    pairs = P.permute(0, 2, 4, 1, 3)  # (b, i, j, s, t) = P[s d + i, t d + j]
    own = torch.diagonal(P, dim1=2, dim2=4).permute(0, 3, 1, 2)  # (b, i, s, t)
    block = torch.cat(
        [
            torch.cat([own[:, :, None].expand(b, d, d, K, K), pairs], dim=-1),
            torch.cat([pairs.transpose(-1, -2), own[:, None].expand(b, d, d, K, K)], dim=-1),
        ],
        dim=-2,
    )  # (b, i, j, 2K, 2K): i's transforms, then j's
    kept = torch.tensor([0, 1, K, K + 1], device=cross.device)
    rest = torch.tensor([t for t in range(2 * K) if t not in (0, 1, K, K + 1)], device=cross.device)
    A = block[..., kept[:, None], kept]
    B = block[..., kept[:, None], rest]
    C = block[..., rest[:, None], rest]
    eye = torch.eye(d, dtype=torch.bool, device=cross.device)
    # The diagonal's blocks repeat one column's transforms: an identity keeps the solve finite.
    identity = torch.eye(len(rest), dtype=C.dtype, device=C.device)
    C = torch.where(eye[None, :, :, None, None], identity, C)
    Y = _forward_solve(_cholesky(C), B.transpose(-1, -2))  # L^-1 B^T
    conditional = A - Y.transpose(-1, -2) @ Y  # the Schur complement: precision of the kept four
    partial = partial_correlation(conditional)[..., :2, 2:]  # (b, i, j, a, c)
    off = (~eye).to(partial.dtype)[None, :, :, None]
    return (partial.reshape(b, d, d, 4) * off).to(cross.dtype)
