"""A causal order read from non-Gaussianity, as pair tokens: the order block.

The other blocks describe each pair on its own or given every other column at once. On linear SEMs
in raw units, where variance piles up along the causal order and late variables are
near-deterministic sums of their ancestors, neither orients well; what does is DirectLiNGAM's
sequence (Shimizu et al. 2011, JMLR 12): find the variable that looks most exogenous, regress it
out of the rest, repeat (research/v3.md, phase 8: on raw-unit linear SEMs over insurance, the model
orients 0.71-0.77 of the true edges, DirectLiNGAM's order 0.77-1.00). Exogeneity is judged by the
pairwise likelihood ratio of Hyvarinen and Smith (2013, JMLR 14), with Hyvarinen's (1998)
maximum-entropy approximation of differential entropy.

Each round computes its remaining columns' pairwise measures at once, for a whole batch, so the
cost is O(n d^3 / 3) per dataset, read from at most ``MAX_ROWS`` rows. Above ``EXACT_COLUMNS``
columns a round compares each column with only its ``PARTNERS`` most correlated remaining ones, so
that the entropies, the costly part, take O(n d^2 PARTNERS) in all: a pair with no correlation adds
nothing to either column's score (the residual of one on the other is the column itself), so the
pairs left out are the ones that say least. On the real-structure validation sets with d = 70-223
the restricted order puts about as many true edges the right way round as the full one
(research/v3.md, phase 13). Above ``MAX_COLUMNS`` the block is off. The order is a statement about
linear non-Gaussian data: the block is off where the data cannot carry it (fewer than two columns
reject normality, a discrete column, a missing cell; phase 9 of research/v3.md: an order read from
Gaussian data is an accident of the sample, and a model that trusts it moves a probability by 0.58
when one column is replaced by its normal scores). Elsewhere it is one more statistic, which the
model learns when to trust.

Per ordered pair (i, j) the block holds, each times ``SCALE``: the flag (the order was
computed), the positions of i and j in the order (0 first, 1 last), +1 when i comes before j (-1
after), and the partial correlation of the pair given every column before the later of the two
(the evidence for an edge if the order is right; a parent set given its predecessors is what
DirectLiNGAM's second step regresses on).
"""

from __future__ import annotations

import math
import warnings

import torch
from scipy.stats import normaltest

from skcausal.datasets._column_kinds import CONTINUOUS

N_ORDER_FEATURES = 5
EXACT_COLUMNS = 64  # the order as DirectLiNGAM reads it up to here (all v3.1 was trained on)
PARTNERS = 16
# Above it the block is off: its rounds would cost about as much as the rest of a fit (d = 300,
# one thread: 5.4 s on top of 9.3 s), on data wider than any the model was trained on (d <= 200).
MAX_COLUMNS = 256
MAX_ROWS = 500
MIN_ROWS = 20  # below it a normality test says little and the order less
ALPHA = 0.01  # the normality test's level, as the dependence check's (``_evidence.py``)
MIN_NON_GAUSSIAN = 2  # columns that must reject normality for the block to be on
_K1, _K2, _GAMMA = 79.047, 7.4129, 0.37457  # Hyvarinen (1998), the log cosh and x exp(-x^2/2) terms
_RIDGE = 1e-4
# The block enters a trained network through zero weights; at +-1 its first 1,000 fine-tuning
# steps left those weights at the size of a random walk (research/v3.md, phase 9). At +-4, each of
# Adam's per-weight steps moves the block's contribution four times as far.
SCALE = 4.0
_CHUNK_ELEMENTS = 2**24  # bounds the memory of one round's residuals


def _entropy(u):
    """Approximate differential entropy of each standardised vector along dim 1."""
    log_cosh = (u.abs() + torch.nn.functional.softplus(-2 * u.abs()) - math.log(2)).mean(1)
    gauss = (u * torch.exp(-(u**2) / 2)).mean(1)
    return (1 + math.log(2 * math.pi)) / 2 - _K1 * (log_cosh - _GAMMA) ** 2 - _K2 * gauss**2


def _standardize(x):
    x = x - x.mean(1, keepdim=True)
    return x / (x.pow(2).mean(1, keepdim=True).sqrt() + 1e-6)


def _likelihood_ratios(Z, corr, h):
    """(b, left, left): diff[i, j] > 0 favours i -> j, for every pair of the remaining columns."""
    b, n, left = Z.shape
    scale = (1 - corr**2).clamp_min(1e-6).sqrt()
    # h_res[:, i, j]: entropy of column i regressed on column j, standardised.
    step = max(1, _CHUNK_ELEMENTS // (b * n * left))
    h_res = torch.cat(
        [
            _entropy(
                (Z[:, :, i : i + step, None] - corr[:, None, i : i + step] * Z[:, :, None])
                / scale[:, None, i : i + step]
            )
            for i in range(0, left, step)
        ],
        dim=1,
    )
    return (h[:, None, :] + h_res) - (h[:, :, None] + h_res.transpose(1, 2))


def _partner_likelihood_ratios(Z, corr, h, partners):
    """(b, left, partners): the same, for each column against only its ``partners`` most
    correlated remaining columns."""
    b, n, left = Z.shape
    strength = corr.abs() - 2 * torch.eye(left, dtype=corr.dtype, device=corr.device)
    idx = strength.topk(partners, dim=2).indices  # (b, left, k)
    c = torch.gather(corr, 2, idx)
    scale = (1 - c**2).clamp_min(1e-6).sqrt()
    h_j = torch.gather(h, 1, idx.reshape(b, -1)).reshape(b, left, partners)
    step = max(1, _CHUNK_ELEMENTS // (b * n * partners * 2))
    h_ij, h_ji = [], []
    for i in range(0, left, step):
        zi = Z[:, :, i : i + step, None]  # (b, n, s, 1)
        sub = idx[:, i : i + step]  # (b, s, k)
        zj = torch.gather(Z, 2, sub.reshape(b, 1, -1).expand(b, n, -1)).reshape(
            b, n, *sub.shape[1:]
        )
        cs, ss = c[:, None, i : i + step], scale[:, None, i : i + step]
        h_ij.append(_entropy((zi - cs * zj) / ss))
        h_ji.append(_entropy((zj - cs * zi) / ss))
    return (h_j + torch.cat(h_ij, 1)) - (h[:, :, None] + torch.cat(h_ji, 1))


def causal_order(X, partners=None):
    """(b, n, d) -> (b, d) long: each dataset's columns in DirectLiNGAM's order, first to last.
    With ``partners``, a round with more columns left compares each only with that many of the
    most correlated others.

    Every dataset has the same number of columns left in each round, so a round gathers the
    remaining ones and compares only those: (d - r)^2 pairs in round r.
    """
    b, n, d = X.shape
    X = X.clone()
    rows = torch.arange(b, device=X.device)
    remaining = torch.arange(d, device=X.device).expand(b, d)  # (b, left): remaining column ids
    order = []
    for left in range(d, 0, -1):
        if left == 1:
            order.append(remaining[:, 0])
            break
        Z = _standardize(torch.gather(X, 2, remaining[:, None, :].expand(b, n, left)))
        corr = (Z.transpose(1, 2) @ Z / n).clamp(-1.0, 1.0)
        h = _entropy(Z)  # (b, left)
        if partners is None or left <= partners + 1:
            diff = _likelihood_ratios(Z, corr, h)
        else:
            diff = _partner_likelihood_ratios(Z, corr, h, partners)
        # diff[i, j] > 0 favours i -> j; a column comes first when no pair speaks against it.
        score = -(diff.clamp(max=0) ** 2).sum(2)  # the diagonal's diff is 0
        # Several columns that no compared pair speaks against tie at 0 (more often the fewer
        # pairs are compared); the evidence for them breaks the tie, not the columns' order.
        support = (diff.clamp(min=0) ** 2).sum(2)
        tied = score == score.max(1, keepdim=True).values
        first = torch.where(tied, support, -math.inf).argmax(1)  # (b,): among the remaining
        cause = Z[rows, :, first]  # standardised; regressing on it leaves the rest's scale alone
        Xr = torch.gather(X, 2, remaining[:, None, :].expand(b, n, left))
        coef = (Xr * cause[:, :, None]).mean(1) / cause.pow(2).mean(1, keepdim=True)
        X = X.scatter(
            2, remaining[:, None, :].expand(b, n, left), Xr - coef[:, None] * cause[..., None]
        )
        order.append(remaining[rows, first])
        keep = torch.ones(b, left, dtype=torch.bool, device=X.device)
        keep[rows, first] = False
        remaining = remaining[keep].reshape(b, left - 1)
    return torch.stack(order, dim=1)


def _ordered_partial_correlations(corr, order):
    """(b, d, d): for s before t in ``order``, the partial correlation of s and t given every
    column before t; symmetric. One Cholesky factor of the reordered correlations gives them all:
    with G = L^-1, it is -G[t, s] / sqrt(sum over k <= t of G[k, s]^2)."""
    b, d, _ = corr.shape
    perm = torch.gather(corr, 1, order[:, :, None].expand(b, d, d))
    perm = torch.gather(perm, 2, order[:, None, :].expand(b, d, d))
    eye = torch.eye(d, dtype=corr.dtype, device=corr.device)
    L, info = torch.linalg.cholesky_ex(perm + _RIDGE * eye)
    G = torch.linalg.solve_triangular(L, eye.expand(b, d, d), upper=False)
    cum = G.pow(2).cumsum(1)  # cum[t, s] = sum over k <= t of G[k, s]^2
    partial = (-G / cum.clamp_min(1e-12).sqrt()).tril(-1)  # [t, s], t later
    partial = (partial + partial.transpose(1, 2)) * (info == 0)[:, None, None]
    inverse = torch.argsort(order, 1)  # position of each column in the order
    back = torch.gather(partial, 1, inverse[:, :, None].expand(b, d, d))
    return torch.gather(back, 2, inverse[:, None, :].expand(b, d, d))


def non_gaussian(z, level=ALPHA):
    """(b, n, d) -> bool (b,): do at least ``MIN_NON_GAUSSIAN`` columns reject normality
    (D'Agostino and Pearson's omnibus test of skewness and kurtosis, ``scipy.stats.normaltest``;
    Bonferroni over the d columns at ``level``)? Without that, no order can be read from the
    noise: a linear SEM with Gaussian noise is identifiable only up to its Markov equivalence
    class, and the order DirectLiNGAM returns is an accident of the sample. One non-Gaussian
    column among Gaussian ones carries no order either (it cannot be told from a Gaussian column
    put through a monotone map), and a dataset-level switch that it alone could flip made the
    order appear and vanish under exp or cube of one column (research/v3.md, phase 10)."""
    d = z.shape[2]
    with warnings.catch_warnings():
        # A column with a few distinct values (clipped, rounded) makes scipy warn of precision
        # loss; its p-value is then NaN or large, and the block stays off for that reason alone.
        warnings.simplefilter("ignore", RuntimeWarning)
        p = normaltest(z.detach().cpu().double().numpy(), axis=1).pvalue  # (b, d)
    return torch.as_tensor((p < level / d).sum(1) >= MIN_NON_GAUSSIAN, device=z.device)


def read_order(z):
    """(b, n, d) standardised columns -> (b, d) their causal order, read as the block reads it:
    DirectLiNGAM's full rounds up to ``EXACT_COLUMNS`` columns, ``PARTNERS`` above."""
    return causal_order(z, partners=None if z.shape[2] <= EXACT_COLUMNS else PARTNERS)


def ordered_block(order, corr, dtype):
    """The block (b, d, d, N_ORDER_FEATURES), unscaled and with its flag on, of a causal order
    (b, d) and the columns' correlations (b, d, d)."""
    b, d = order.shape
    position = torch.argsort(order, 1).to(dtype) / (d - 1)  # (b, d), 0 first, 1 last
    before = torch.sign(position[:, None, :] - position[:, :, None])  # +1: i before j
    partial = _ordered_partial_correlations(corr.double(), order).to(dtype)
    parts = [torch.ones_like(partial), position[:, :, None].expand(b, d, d)]
    parts += [position[:, None, :].expand(b, d, d), before, partial]
    return torch.stack(parts, dim=-1)


def order_features(z, corr, kinds=None, observed=None):
    """The order block (b, d, d, N_ORDER_FEATURES) of standardised columns z (b, n, d).

    ``corr`` (b, d, d): the columns' correlations, as the moment block has them. Zeros (flag
    off) above ``MAX_COLUMNS`` columns, for fewer than ``MIN_ROWS`` rows, and for datasets that
    DirectLiNGAM's model cannot describe: one with a discrete column (``kinds``) or a missing cell
    (``observed``), or one where fewer than two columns reject normality (:func:`non_gaussian`).
    """
    b, n, d = z.shape
    if d > MAX_COLUMNS or n < MIN_ROWS or d < 2:
        return z.new_zeros(b, d, d, N_ORDER_FEATURES)
    if n > MAX_ROWS:
        # Evenly spread rows (a dataset's rows may come sorted by experiment).
        z = z[:, torch.linspace(0, n - 1, MAX_ROWS, device=z.device).round().long()]
    on = non_gaussian(z)
    if kinds is not None:
        on &= (kinds == CONTINUOUS).all(1)
    if observed is not None:
        on &= observed.all(2).all(1)
    if not bool(on.any()):
        return z.new_zeros(b, d, d, N_ORDER_FEATURES)
    block = ordered_block(read_order(z), corr, z.dtype)
    return SCALE * block * on[:, None, None, None].to(block.dtype)
