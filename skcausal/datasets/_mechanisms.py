"""Causal mechanisms f(parents), batched over datasets, and the noise families added to them.

A mechanism is called as ``mechanism(parents, parent_mask, generator)`` with the values of all
earlier nodes ``parents`` of shape (b, n, t) and ``parent_mask`` (b, t), 1 where the node is a
parent. It draws its own random parameters for this node and returns f of shape (b, n). Non-parents
get zero weight, so they cannot influence f. The simulator rescales f, so mechanisms need not care
about scale.
"""

from __future__ import annotations

import math

import torch


def _signed_uniform(shape, low, high, generator):
    magnitude = low + (high - low) * torch.rand(shape, generator=generator)
    sign = torch.where(torch.rand(shape, generator=generator) < 0.5, -1.0, 1.0)
    return magnitude * sign


class Linear:
    """f = sum_i w_i x_i with |w_i| in [0.5, 2] and random signs."""

    def __call__(self, parents, parent_mask, generator):
        w = _signed_uniform(parent_mask.shape, 0.5, 2.0, generator) * parent_mask
        return torch.einsum("bnt,bt->bn", parents, w)


class MLP:
    """A random one-hidden-layer network with ReLU units."""

    def __init__(self, hidden: int = 16):
        self.hidden = hidden

    def __call__(self, parents, parent_mask, generator):
        b, _, t = parents.shape
        w1 = torch.randn(b, t, self.hidden, generator=generator) * parent_mask[:, :, None]
        b1 = torch.randn(b, 1, self.hidden, generator=generator)
        w2 = torch.randn(b, self.hidden, generator=generator)
        hidden = torch.relu(torch.bmm(parents, w1) + b1)
        return torch.einsum("bnh,bh->bn", hidden, w2)


class Sine:
    """f = sum_i a_i sin(w_i x_i + phase_i): additive, periodic, often with little correlation."""

    def __call__(self, parents, parent_mask, generator):
        shape = parent_mask.shape
        a = _signed_uniform(shape, 0.5, 1.5, generator) * parent_mask
        w = _signed_uniform(shape, 1.0, 3.0, generator)
        phase = 2 * math.pi * torch.rand(shape, generator=generator)
        return torch.einsum("bnt,bt->bn", torch.sin(parents * w[:, None] + phase[:, None]), a)


class Tanh:
    """f = tanh(sum_i w_i x_i + c): a saturating single-index model."""

    def __call__(self, parents, parent_mask, generator):
        w = _signed_uniform(parent_mask.shape, 0.5, 2.0, generator) * parent_mask
        c = torch.randn(parent_mask.shape[0], 1, generator=generator) * 0.5
        return torch.tanh(torch.einsum("bnt,bt->bn", parents, w) + c)


class Quadratic:
    """f = sum_i (w_i x_i + q_i x_i^2): a linear part plus a quadratic one."""

    def __call__(self, parents, parent_mask, generator):
        w = _signed_uniform(parent_mask.shape, 0.5, 2.0, generator) * parent_mask
        q = _signed_uniform(parent_mask.shape, 0.5, 1.5, generator) * parent_mask
        return torch.einsum("bnt,bt->bn", parents, w) + torch.einsum("bnt,bt->bn", parents**2, q)


class Threshold:
    """f = sum_i a_i [x_i > c_i]: step functions of the parents."""

    def __call__(self, parents, parent_mask, generator):
        a = _signed_uniform(parent_mask.shape, 1.0, 2.0, generator) * parent_mask
        c = torch.rand(parent_mask.shape, generator=generator) * 2 - 1
        return torch.einsum("bnt,bt->bn", (parents > c[:, None]).float(), a)


class RandomFourierFeatures:
    """A draw from a Gaussian process with an RBF kernel, by random Fourier features."""

    def __init__(self, n_features: int = 24):
        self.n_features = n_features

    def __call__(self, parents, parent_mask, generator):
        b, _, t = parents.shape
        lengthscale = 0.5 + 1.5 * torch.rand(b, 1, 1, generator=generator)
        omega = torch.randn(b, t, self.n_features, generator=generator) / lengthscale
        omega = omega * parent_mask[:, :, None]
        phase = 2 * math.pi * torch.rand(b, 1, self.n_features, generator=generator)
        c = torch.randn(b, self.n_features, generator=generator)
        return torch.einsum("bnm,bm->bn", torch.cos(torch.bmm(parents, omega) + phase), c)


class Hill:
    """f = sum_i a_i x_i^h / (k^h + x_i^h) on positive-shifted parents: monotone and saturating, as
    in enzyme kinetics and gene regulation."""

    def __call__(self, parents, parent_mask, generator):
        shape = parent_mask.shape
        a = _signed_uniform(shape, 0.5, 2.0, generator) * parent_mask
        h = 1.0 + 3.0 * torch.rand(shape, generator=generator)
        k = 0.5 + 1.5 * torch.rand(shape, generator=generator)
        z = torch.nn.functional.softplus(parents + 1.0)  # positive, like a concentration
        return torch.einsum(
            "bnt,bt->bn", z ** h[:, None] / (k[:, None] ** h[:, None] + z ** h[:, None]), a
        )


class PiecewiseLinear:
    """f = sum_i (w_i x_i + v_i max(0, x_i - c_i)): a kink per parent, monotone or not."""

    def __call__(self, parents, parent_mask, generator):
        shape = parent_mask.shape
        w = _signed_uniform(shape, 0.3, 1.5, generator) * parent_mask
        v = _signed_uniform(shape, 0.5, 2.0, generator) * parent_mask
        c = torch.randn(shape, generator=generator) * 0.7
        kink = torch.relu(parents - c[:, None])
        return torch.einsum("bnt,bt->bn", parents, w) + torch.einsum("bnt,bt->bn", kink, v)


class Interaction:
    """A linear part plus products of pairs of parents.

    f = sum_i w_i x_i + sum_{i<j} u_ij x_i x_j.
    """

    def __call__(self, parents, parent_mask, generator):
        b, _, t = parents.shape
        w = _signed_uniform(parent_mask.shape, 0.3, 1.0, generator) * parent_mask
        u = _signed_uniform((b, t, t), 0.5, 1.5, generator)
        u = torch.triu(u, diagonal=1) * parent_mask[:, :, None] * parent_mask[:, None, :]
        pairs = torch.einsum("bni,bij,bnj->bn", parents, u, parents)
        return torch.einsum("bnt,bt->bn", parents, w) + pairs


MECHANISMS = {
    "linear": Linear(),
    "mlp": MLP(),
    "sine": Sine(),
    "tanh": Tanh(),
    "quadratic": Quadratic(),
    "threshold": Threshold(),
    "rff": RandomFourierFeatures(),
    "hill": Hill(),
    "piecewise": PiecewiseLinear(),
    "interaction": Interaction(),
}
# The mechanisms of v1's prior: the default, so that a default config keeps its stream.
DEFAULT_MECHANISMS = ("linear", "mlp", "sine", "tanh", "quadratic", "threshold", "rff")


# -- noise: every family has mean 0 and variance 1 ----------------------------------------------
def gaussian_noise(shape, generator):
    return torch.randn(shape, generator=generator)


def laplace_noise(shape, generator):
    u = torch.rand(shape, generator=generator) - 0.5
    return -torch.sign(u) * torch.log1p(-2 * u.abs().clamp(max=0.5 - 1e-7)) / math.sqrt(2)


def uniform_noise(shape, generator):
    return (torch.rand(shape, generator=generator) * 2 - 1) * math.sqrt(3)


def student_t_noise(shape, generator, degrees_of_freedom: int = 4):
    z = torch.randn(shape, generator=generator)
    chi2 = (torch.randn((*shape, degrees_of_freedom), generator=generator) ** 2).sum(-1)
    t = z / torch.sqrt(chi2 / degrees_of_freedom)
    return t * math.sqrt((degrees_of_freedom - 2) / degrees_of_freedom)


NOISES = {
    "gaussian": gaussian_noise,
    "laplace": laplace_noise,
    "uniform": uniform_noise,
    "student_t": student_t_noise,
}


# -- root laws: how a variable without parents is distributed (mean 0, variance 1) --------------
def _unit(x):
    return (x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True, correction=0) + 1e-8)


def bimodal_root(shape, generator):
    b, n = shape
    gap = 1.0 + 1.5 * torch.rand(b, 1, generator=generator)
    weight = 0.2 + 0.6 * torch.rand(b, 1, generator=generator)
    spread = 0.3 + 0.4 * torch.rand(b, 1, generator=generator)
    side = torch.where(torch.rand(b, n, generator=generator) < weight, -1.0, 1.0)
    return _unit(side * gap + spread * torch.randn(b, n, generator=generator))


def lognormal_root(shape, generator):
    s = 0.5 + 0.7 * torch.rand(shape[0], 1, generator=generator)
    return _unit(torch.exp(s * torch.randn(shape, generator=generator)))


def exponential_root(shape, generator):
    return _unit(-torch.log(torch.rand(shape, generator=generator).clamp_min(1e-12)))


def discrete_root(shape, generator):
    """2-6 levels with random probabilities: a dose, a genotype, a switch."""
    b, n = shape
    levels = torch.randint(2, 7, (b, 1), generator=generator)
    u = torch.rand(b, n, generator=generator) ** (0.5 + torch.rand(b, 1, generator=generator))
    return _unit(torch.floor(u * levels))


ROOT_LAWS = {
    "bimodal": bimodal_root,
    "lognormal": lognormal_root,
    "exponential": exponential_root,
    "discrete": discrete_root,
}
