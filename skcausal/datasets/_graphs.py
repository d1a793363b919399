"""Random DAG families, sampled in batches.

Every sampler returns a boolean tensor ``(batch, d, d)`` that is strictly upper triangular: node
t's parents all come before t. That order is the simulation order; the simulator shuffles the node
labels afterwards, so no one ever sees it.
"""

from __future__ import annotations

import math

import torch


class ErdosRenyi:
    """Each of the d(d-1)/2 possible edges is present independently.

    ``edges_per_node`` is a float, or a tensor with one value per dataset of the batch.

    The edge probability is chosen so that the expected number of edges is
    ``edges_per_node * d`` (capped at the complete DAG).
    """

    def __init__(self, edges_per_node: float = 2.0):
        self.edges_per_node = edges_per_node

    def edge_probability(self, n_nodes: int):
        if n_nodes < 2:
            return 0.0 * torch.as_tensor(self.edges_per_node, dtype=torch.float32)
        p = 2.0 * torch.as_tensor(self.edges_per_node, dtype=torch.float32) / (n_nodes - 1)
        return p.clamp(max=1.0)

    def expected_edges(self, n_nodes: int) -> float:
        return float(self.edge_probability(n_nodes)) * n_nodes * (n_nodes - 1) / 2

    def sample(self, batch_size: int, n_nodes: int, generator: torch.Generator) -> torch.Tensor:
        p = self.edge_probability(n_nodes).expand(batch_size)
        coins = torch.rand(batch_size, n_nodes, n_nodes, generator=generator) < p[:, None, None]
        return torch.triu(coins, diagonal=1)


class ScaleFree:
    """Preferential attachment (Barabasi-Albert): each new node picks its parents among the earlier
    nodes with probability proportional to their degree + 1.

    Early nodes become hubs with many children. ``transposed=True`` reverses every edge, so hubs
    have many parents instead. A new node t takes ``min(m_t, t)`` parents, where ``m_t`` is
    ``floor(edges_per_node)`` plus one with probability ``edges_per_node % 1``.
    """

    def __init__(self, edges_per_node: float = 2.0, transposed: bool = False):
        self.edges_per_node = edges_per_node
        self.transposed = transposed

    def expected_edges(self, n_nodes: int) -> float:
        low = math.floor(self.edges_per_node)
        frac = self.edges_per_node - low
        return sum((1 - frac) * min(low, t) + frac * min(low + 1, t) for t in range(n_nodes))

    def sample(self, batch_size: int, n_nodes: int, generator: torch.Generator) -> torch.Tensor:
        adjacency = torch.zeros(batch_size, n_nodes, n_nodes, dtype=torch.bool)
        degree = torch.zeros(batch_size, n_nodes)
        epn = torch.as_tensor(self.edges_per_node, dtype=torch.float32).expand(batch_size)
        low = epn.floor()
        frac = epn - low
        for t in range(1, n_nodes):
            m = low.long() + (torch.rand(batch_size, generator=generator) < frac).long()
            m = m.clamp(max=t)
            # Sampling without replacement proportional to weight: the m largest log w + Gumbel
            # keys.
            uniform = torch.rand(batch_size, t, generator=generator).clamp_min(1e-12)
            keys = torch.log(degree[:, :t] + 1.0) - torch.log(-torch.log(uniform))
            rank = keys.argsort(dim=1, descending=True).argsort(dim=1)
            chosen = rank < m[:, None]
            adjacency[:, :t, t] = chosen
            degree[:, :t] += chosen
            degree[:, t] += m
        if self.transposed:
            # Reverse every edge, then reverse the node order so the result stays upper triangular.
            adjacency = adjacency.transpose(1, 2).flip(1).flip(2)
        return adjacency


class Layered:
    """Layers in a chain (inputs -> ... -> sensors): 2-4 layers of random sizes, each node with
    parents only in the layer before it (1 to about 2 * ``edges_per_node`` of them)."""

    def __init__(self, edges_per_node: float = 2.0):
        self.edges_per_node = edges_per_node

    def sample(self, batch_size: int, n_nodes: int, generator: torch.Generator) -> torch.Tensor:
        adjacency = torch.zeros(batch_size, n_nodes, n_nodes, dtype=torch.bool)
        epn = torch.as_tensor(self.edges_per_node, dtype=torch.float32).expand(batch_size)
        for b in range(batch_size):
            n_layers = int(torch.randint(2, 5, (1,), generator=generator))
            cuts = torch.randperm(max(1, n_nodes - 1), generator=generator)[: n_layers - 1] + 1
            bounds = [0] + sorted(cuts.tolist()) + [n_nodes]
            for (a, b_), (c, d) in zip(zip(bounds, bounds[1:]), zip(bounds[1:], bounds[2:])):
                width = b_ - a
                for node in range(c, d):
                    k = int(
                        torch.randint(
                            1, max(2, int(2 * float(epn[b])) + 1), (1,), generator=generator
                        )
                    )
                    adjacency[
                        b, a + torch.randperm(width, generator=generator)[: min(k, width)], node
                    ] = True
        return adjacency


class Hubs:
    """A few hubs with many children (out-degree 20 and more on large graphs) over a sparse
    Erdos-Renyi background: 1-3 hubs among the first nodes, each a parent of 30-70% of the rest."""

    def __init__(self, edges_per_node: float = 2.0):
        self.background = ErdosRenyi(0.5)

    def sample(self, batch_size: int, n_nodes: int, generator: torch.Generator) -> torch.Tensor:
        adjacency = self.background.sample(batch_size, n_nodes, generator)
        for b in range(batch_size):
            n_hubs = min(n_nodes - 1, int(torch.randint(1, 4, (1,), generator=generator)))
            for hub in range(n_hubs):
                share = 0.3 + 0.4 * float(torch.rand(1, generator=generator))
                children = torch.rand(n_nodes, generator=generator) < share
                children[: hub + 1] = False
                adjacency[b, hub, children] = True
        return adjacency


class Tree:
    """Forests: every node has at most one parent (a random recursive tree; with probability 1/4 a
    chain). About 10% of the nodes start a new tree, so some are isolated."""

    def __init__(self, edges_per_node: float = 2.0):
        pass

    def sample(self, batch_size: int, n_nodes: int, generator: torch.Generator) -> torch.Tensor:
        adjacency = torch.zeros(batch_size, n_nodes, n_nodes, dtype=torch.bool)
        for b in range(batch_size):
            chain = float(torch.rand(1, generator=generator)) < 0.25
            for node in range(1, n_nodes):
                if float(torch.rand(1, generator=generator)) < 0.1:
                    continue  # a new root
                parent = node - 1 if chain else int(torch.randint(node, (1,), generator=generator))
                adjacency[b, parent, node] = True
        return adjacency


GRAPHS = {
    "erdos_renyi": lambda epn: ErdosRenyi(epn),
    "scale_free": lambda epn: ScaleFree(epn),
    "scale_free_transposed": lambda epn: ScaleFree(epn, transposed=True),
    "layered": lambda epn: Layered(epn),
    "hubs": lambda epn: Hubs(epn),
    "tree": lambda epn: Tree(epn),
}
# The families of v1's prior: the default, so that a default config keeps its stream.
DEFAULT_GRAPHS = ("erdos_renyi", "scale_free", "scale_free_transposed")
