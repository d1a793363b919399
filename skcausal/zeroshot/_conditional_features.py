"""Order-one conditional dependence: does a pair's dependence vanish given one third column?

The moment and column blocks describe each pair on its own, and the partial correlations condition
on every other column at once, linearly. Neither tells apart two pairs whose dependence is strong
in its contingency table but near zero linearly given the rest: an edge through a non-monotone
mechanism, and a pair joined only through a mediator. What does is the question a PC search asks
first: is there a single column k given which i and j are independent?

This block answers it from the correlations of the columns' transforms that the moment block
already has (``cross``: the standardised transforms z, z^2, z^3, tanh, |z| and sin of every
column), without another pass over the rows. Given column k, each transform of i and of j is
regressed on all six transforms of k (a nonlinear regression on k), and the residuals are
correlated. For each pair:

- the smallest, over k (and over conditioning on nothing), of the largest |residual correlation|
  over the 36 pairs of transforms of i and j: dependence of any of these forms that survives the
  best single conditioning column;
- the same for the linear pair (z_i, z_j) alone.

Both are functions of the moment block's correlations only, so they inherit its invariances: in the
invariant mode (normal scores of the ranks) they are unchanged by any increasing map of a column,
and an unordered category enters by its level's frequency. The cost is O(d^3) per dataset (36 d^2
residual correlations per conditioning column), independent of n.
"""

from __future__ import annotations

import torch

N_CONDITIONAL_FEATURES = 2
# A floor on a residual's variance: a transform that k determines (almost) has nothing left to
# correlate, and its residual correlation is then read as explained by k, not as noise / noise.
_MIN_RESIDUAL_VARIANCE = 1e-2
_CHUNK_ELEMENTS = 2**23  # bounds the memory of one chunk of conditioning columns


def _whitening(R, ridge):
    """(b, K, d, K, d) -> (b, d, K, K): per column k, the inverse square root of the ridged
    correlation matrix of its K transforms (singular for a binary column: every transform of a
    two-valued column is a multiple of it)."""
    basis = R.diagonal(dim1=2, dim2=4).permute(0, 3, 1, 2)
    values, vectors = torch.linalg.eigh(basis)
    scale = (values.clamp_min(0) + ridge).rsqrt()
    return (vectors * scale[..., None, :]) @ vectors.transpose(-1, -2)


def conditional_features(cross, d, *, ridge=1e-2):
    """The order-one conditional block (b, d, d, N_CONDITIONAL_FEATURES), symmetric in (i, j).

    Parameters
    ----------
    cross : tensor (b, K d, K d)
        Correlations of the K standardised transforms of the d columns, transform-major (index
        ``t * d + i``), as ``_features._accumulate`` computes them.
    d : int
        The number of columns.
    ridge : float
        Added to the eigenvalues of each conditioning column's transform correlations.
    """
    b, Kd, _ = cross.shape
    K = Kd // d
    R = cross.reshape(b, K, d, K, d)
    pair = R.abs().permute(0, 2, 4, 1, 3)  # (b, i, j, s, t)
    best_any = pair.amax((-1, -2))
    best_linear = pair[..., 0, 0]
    if d >= 3:
        # U[k] = W_k R[basis of k, every transform]: the coordinates of each transform's
        # projection onto k's (whitened) transforms.
        rows = R.permute(0, 2, 1, 3, 4).reshape(b, d, K, Kd)
        U = _whitening(R, ridge) @ rows  # (b, d_k, K, K d)
        scale = (1 - U.pow(2).sum(2)).clamp_min(_MIN_RESIDUAL_VARIANCE).rsqrt()  # (b, d_k, K d)
        index = torch.arange(d, device=cross.device)
        step = max(1, _CHUNK_ELEMENTS // max(1, b * Kd * Kd))
        for start in range(0, d, step):
            k = index[start : start + step]
            c = len(k)
            Uk = U[:, k].reshape(b * c, K, Kd)
            base = cross[:, None].expand(b, c, Kd, Kd).reshape(b * c, Kd, Kd)
            corr = torch.baddbmm(base, Uk.transpose(-1, -2), Uk, alpha=-1)  # residual covariances
            s_k = scale[:, k].reshape(b * c, Kd)
            corr.mul_(s_k[:, :, None]).mul_(s_k[:, None, :]).abs_()
            corr = corr.reshape(b, c, K, d, K, d)
            # Conditioning on i or j itself says nothing about the pair.
            own = (k[:, None, None] == index[None, :, None]) | (
                k[:, None, None] == index[None, None, :]
            )
            given_any = corr.amax(4).amax(2).masked_fill(own, torch.inf)
            given_linear = corr[:, :, 0, :, 0].masked_fill(own, torch.inf)
            best_any = torch.minimum(best_any, given_any.amin(1))
            best_linear = torch.minimum(best_linear, given_linear.amin(1))
    off = 1 - torch.eye(d, dtype=cross.dtype, device=cross.device)
    return torch.stack([best_any.clamp_max(1) * off, best_linear.clamp_max(1) * off], dim=-1)
