"""The zero-shot network: a transformer over the d x d grid of pair tokens. No sklearn in here."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from skcausal.zeroshot._environment_features import N_ENVIRONMENT_VARIABLE_FEATURES
from skcausal.zeroshot._features import (
    ADJUSTMENTS,
    CONDITIONAL_FEATURES,
    N_FEATURES,
    V3_FEATURES,
    pair_features,
)
from skcausal.zeroshot._ridge import RIDGE_RULES


@dataclass
class ModelConfig:
    """Architecture of :class:`PairGridTransformer`; stored with every checkpoint.

    ``n_features`` is how many leading token features the network reads: 57 for v1 (before rank
    and environment features existed), 74 for v2 (before the column block of missing cells,
    discrete columns and copula dependence), 95 for v3.0 (before the order block),
    ``N_FEATURES`` (100) for v3.1 and later. ``target_head`` adds the head that scores, per
    environment, which variables were intervened on (needed for ``environments``). ``ridge``
    names how the features regularise their precision matrices (a key of
    ``_ridge.RIDGE_RULES``; checkpoints saved before it existed used ``"fixed"``), and
    ``adjustment`` what the pair's quadratic partial correlations adjust for (one of
    ``_features.ADJUSTMENTS``; before it existed, ``"square"``).
    """

    n_features: int = N_FEATURES
    dim: int = 64
    n_layers: int = 4
    n_heads: int = 4
    mlp_ratio: int = 4
    target_head: bool = False
    ridge: str = "fixed"
    adjustment: str = "square"

    def __post_init__(self):
        if self.ridge not in RIDGE_RULES:
            raise ValueError(f"ridge must be one of {sorted(RIDGE_RULES)}; got {self.ridge!r}.")
        if self.adjustment not in ADJUSTMENTS:
            raise ValueError(f"adjustment must be one of {ADJUSTMENTS}; got {self.adjustment!r}.")
        if self.dim % self.n_heads:
            raise ValueError(f"dim ({self.dim}) must be divisible by n_heads ({self.n_heads}).")

    def to_dict(self) -> dict:
        return asdict(self)

    def feature_rules(self) -> dict:
        """The keyword arguments of ``pair_features`` this network's features are made with."""
        return {"ridge": self.ridge, "adjustment": self.adjustment}


class _Attention(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x):  # (N, L, D): N independent sequences of length L
        N, L, D = x.shape
        q, k, v = self.qkv(x).view(N, L, 3, self.n_heads, D // self.n_heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v)
        return self.out(y.transpose(1, 2).reshape(N, L, D))


class AxialBlock(nn.Module):
    """Attention along each row (a cause and all its candidate effects), then along each column (an
    effect and all its candidate causes), then an MLP that sees token (i, j) beside token (j, i), so
    the two orientations of a pair compete directly. Pre-LayerNorm, residual connections."""

    def __init__(self, dim, n_heads, mlp_ratio):
        super().__init__()
        self.norm_row, self.row = nn.LayerNorm(dim), _Attention(dim, n_heads)
        self.norm_col, self.col = nn.LayerNorm(dim), _Attention(dim, n_heads)
        self.norm_mlp = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(
            nn.Linear(2 * dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim)
        )

    def forward(self, h, chunk=None):  # (b, d, d, D)
        if chunk is not None and chunk < h.shape[1] and not torch.is_grad_enabled():
            return self._forward_chunked(h, chunk)
        b, d, _, D = h.shape
        h = h + self.row(self.norm_row(h).reshape(b * d, d, D)).reshape(b, d, d, D)
        cols = self.norm_col(h).transpose(1, 2).reshape(b * d, d, D)
        h = h + self.col(cols).reshape(b, d, d, D).transpose(1, 2)
        x = self.norm_mlp(h)
        return h + self.mlp(torch.cat([x, x.transpose(1, 2)], dim=-1))

    def _forward_chunked(self, h, chunk):
        """The same computation, ``chunk`` grid rows (or columns) at a time, updating h in place:
        peak memory is two copies of h plus one chunk's temporaries, instead of about fifteen."""
        b, d, _, D = h.shape
        h = h.clone()
        for i in range(0, d, chunk):
            rows = h[:, i : i + chunk]
            rows += self.row(self.norm_row(rows).reshape(-1, d, D)).reshape(rows.shape)
        for j in range(0, d, chunk):
            cols = h[:, :, j : j + chunk].transpose(1, 2)  # a view: updates land in h
            cols += self.col(self.norm_col(cols).reshape(-1, d, D)).reshape(cols.shape)
        x = self.norm_mlp(h)  # the MLP reads x[i, j] and x[j, i], so it needs all of x first
        for i in range(0, d, chunk):
            pair = torch.cat([x[:, i : i + chunk], x[:, :, i : i + chunk].transpose(1, 2)], dim=-1)
            h[:, i : i + chunk] += self.mlp(pair)
        return h


class TargetHead(nn.Module):
    """Per environment e and variable j, a logit that j was intervened on in e.

    It reads the variable's summary from the final pair grid (its diagonal token and the means of
    its row and column) and the environment's statistics of j, together with how much j's likely
    parents moved there and how much its likely children's residuals moved (weighted by the
    predicted edge probabilities): a target moves although its parents do not.
    """

    def __init__(self, dim):
        super().__init__()
        self.variable = nn.Linear(3 * dim, dim)
        self.environment = nn.Sequential(
            nn.Linear(N_ENVIRONMENT_VARIABLE_FEATURES + 3, dim), nn.GELU(), nn.Linear(dim, dim)
        )
        self.out = nn.Sequential(
            nn.LayerNorm(dim), nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, 1)
        )

    def forward(self, h, probabilities, variable):  # h (b, d, d, D), variable (b, E, d, k)
        diag = torch.diagonal(h, dim1=1, dim2=2).transpose(1, 2)
        u = self.variable(torch.cat([diag, h.mean(2), h.mean(1)], dim=-1))  # (b, d, D)
        p = (
            probabilities.detach()
        )  # the target loss does not steer the edge logits through this path
        moved, residual_moved = variable[..., 0].abs(), variable[..., 1].abs()  # (b, E, d)
        parents = torch.einsum("bij,bei->bej", p, moved) / (1 + p.sum(1))[:, None]
        children = torch.einsum("bjk,bek->bej", p, residual_moved) / (1 + p.sum(2))[:, None]
        strongest_parent = (p[:, None] * moved[..., :, None]).amax(2)
        x = torch.cat(
            [variable, parents[..., None], children[..., None], strongest_parent[..., None]], -1
        )
        return self.out(self.environment(x) + u[:, None]).squeeze(-1)


class PairGridTransformer(nn.Module):
    """Pair tokens (b, d, d, k) -> edge logits (b, d, d); logit[i, j] is for the edge i -> j.

    The diagonal logits are set to a large negative value (no self-loops).
    """

    def __init__(self, config: ModelConfig | None = None):
        super().__init__()
        self.config = config or ModelConfig()
        c = self.config
        self.embed = nn.Sequential(
            nn.Linear(c.n_features, c.dim), nn.GELU(), nn.Linear(c.dim, c.dim)
        )
        self.blocks = nn.ModuleList(
            AxialBlock(c.dim, c.n_heads, c.mlp_ratio) for _ in range(c.n_layers)
        )
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, 1)
        self.targets = TargetHead(c.dim) if c.target_head else None

    def forward(self, tokens, chunk=None, environment=None):
        """``chunk``: at inference (no autograd), process this many grid rows at a time.

        ``environment``: the per-environment statistics (b, E, d, k) of the target head. With it
        (and a target head) the result is ``(edge logits, target logits (b, E, d))``.
        """
        h = self.embed(tokens[..., : self.config.n_features])
        for block in self.blocks:
            h = block(h, chunk)
        h = self.norm(h)
        logits = self.head(h).squeeze(-1)
        d = logits.shape[-1]
        eye = torch.eye(d, dtype=torch.bool, device=logits.device)
        logits = logits.masked_fill(eye, -30.0)
        if environment is None:
            return logits
        if self.targets is None:
            raise ValueError(
                "this model has no target head (ModelConfig.target_head=False): it was "
                "not trained on environments with unknown targets."
            )
        return logits, self.targets(h, torch.sigmoid(logits), environment)

    def edge_logits(
        self,
        X,
        intervention_mask=None,
        *,
        environments=None,
        has_reference=None,
        n_environments=None,
        chunk=None,
        row_chunk=None,
        kinds=None,
        invariant=False,
    ):
        """Data (b, n, d) -> edge logits (b, d, d); chunks bound the memory of inference.

        NaN marks a missing cell; ``kinds`` (b, d) and ``invariant`` are those of
        :func:`~skcausal.zeroshot._features.pair_features`. With ``environments`` (int64 codes
        (b, n)), returns ``(edge logits, target logits (b, E, d))``.
        """
        tokens, env = pair_features(
            X,
            intervention_mask,
            environments=environments,
            has_reference=has_reference,
            n_environments=n_environments,
            row_chunk=row_chunk,
            return_environments=True,
            kinds=kinds,
            invariant=invariant,
            conditional=self.config.n_features > V3_FEATURES,
            order=self.config.n_features > CONDITIONAL_FEATURES,
            **self.config.feature_rules(),
        )
        return self(tokens, chunk=chunk, environment=None if env is None else env[0])
