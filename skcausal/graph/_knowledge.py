"""Background knowledge: required and forbidden edges and tiers, and how a graph is made to
honour it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from skcausal.graph._dag import find_cycle, greedy_dag
from skcausal.graph._equivalence import meek_orient


class BackgroundKnowledge:
    """What is known about the causal graph before looking at the data.

    Passed to any skcausal estimator as ``knowledge=``; it is checked against the data's columns
    at ``fit``, and the learned ``adjacency_`` honours it: every required edge is present and
    directed, no forbidden edge is present (an undirected edge i - j counts as both i -> j and
    j -> i, so it is oriented when one direction is forbidden).

    Parameters
    ----------
    required : iterable of (cause, effect) pairs, default=()
        Edges that must be in the graph, directed cause -> effect.
    forbidden : iterable of (cause, effect) pairs, default=()
        Directed edges that must not be in the graph (forbid both directions to forbid adjacency).
    tiers : list of lists, or None, default=None
        A partial causal order: no edge may run from a node of a later tier into a node of an
        earlier tier. Nodes in no tier are unconstrained; edges within a tier are allowed.

    Nodes are column names when the estimator is fitted on a DataFrame, otherwise column indices
    (integers). Errors found at ``fit``: unknown nodes, a node in two tiers, a required edge that is
    also forbidden (directly or by the tiers), a self-loop, and required edges that form a cycle.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal import BackgroundKnowledge
    >>> from skcausal.baselines import NOTEARS
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=500)
    >>> b = 2 * a + rng.normal(size=500)
    >>> knowledge = BackgroundKnowledge(forbidden=[(0, 1)], required=[(1, 0)])
    >>> NOTEARS(knowledge=knowledge).fit(np.column_stack([a, b])).adjacency_
    array([[0, 0],
           [1, 0]])
    """

    def __init__(self, required=(), forbidden=(), tiers=None):
        self.required = _pairs(required, "required")
        self.forbidden = _pairs(forbidden, "forbidden")
        if tiers is not None:
            if isinstance(tiers, (str, bytes)) or not all(
                isinstance(t, (list, tuple)) for t in tiers
            ):
                raise ValueError("tiers must be a list of lists of nodes, or None.")
            tiers = tuple(tuple(t) for t in tiers)
        self.tiers = tiers

    def __repr__(self):
        return (
            f"BackgroundKnowledge(required={list(self.required)!r}, "
            f"forbidden={list(self.forbidden)!r}, "
            f"tiers={self.tiers and [list(t) for t in self.tiers]!r})"
        )

    def __eq__(self, other):
        return isinstance(other, BackgroundKnowledge) and (
            (self.required, self.forbidden, self.tiers)
            == (other.required, other.forbidden, other.tiers)
        )

    def __hash__(self):
        return hash((self.required, self.forbidden, self.tiers))

    # -- (de)serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-ready dict.

        ``{"required": [[a, b], ...], "forbidden": [...], "tiers": [...]}``.
        """
        return {
            "required": [list(p) for p in self.required],
            "forbidden": [list(p) for p in self.forbidden],
            "tiers": None if self.tiers is None else [list(t) for t in self.tiers],
        }

    @classmethod
    def from_dict(cls, data) -> BackgroundKnowledge:
        """The inverse of :meth:`to_dict`; unknown keys raise a ValueError."""
        if not isinstance(data, dict):
            raise ValueError(
                f"background knowledge must be a JSON object; got {type(data).__name__}."
            )
        unknown = set(data) - {"required", "forbidden", "tiers"}
        if unknown:
            raise ValueError(
                f"unknown keys in background knowledge: {sorted(unknown)}; expected 'required', "
                "'forbidden' and 'tiers'."
            )
        return cls(data.get("required", ()), data.get("forbidden", ()), data.get("tiers"))

    @classmethod
    def from_json(cls, path) -> BackgroundKnowledge:
        """Read a JSON file written like :meth:`to_dict`'s result."""
        with open(Path(path), encoding="utf-8") as handle:
            return cls.from_dict(json.load(handle))

    # -- resolution against the data's columns ---------------------------------------------------
    def to_matrices(self, names) -> tuple[np.ndarray, np.ndarray]:
        """Boolean ``(required, forbidden)`` matrices over the nodes ``names``, or a ValueError.

        ``forbidden`` includes the edges the tiers forbid. ``names`` are the column names (or
        ``range(d)``).
        """
        names = list(names)
        d = len(names)
        index = {name: k for k, name in enumerate(names)}

        def position(node, where):
            key = node.item() if isinstance(node, np.generic) else node
            if key in index and not isinstance(key, bool):
                return index[key]
            raise ValueError(
                f"background knowledge names the unknown node {node!r} ({where}); the nodes are "
                f"{names[:20]}{' ...' if d > 20 else ''}."
            )

        required = np.zeros((d, d), dtype=bool)
        forbidden = np.zeros((d, d), dtype=bool)
        for kind, pairs, matrix in (
            ("required", self.required, required),
            ("forbidden", self.forbidden, forbidden),
        ):
            for cause, effect in pairs:
                i, j = position(cause, f"in a {kind} edge"), position(effect, f"in a {kind} edge")
                if i == j:
                    raise ValueError(f"a {kind} edge is a self-loop: ({cause!r}, {effect!r}).")
                matrix[i, j] = True
        tier_of = np.full(d, -1)
        for t, tier in enumerate(self.tiers or ()):
            for node in tier:
                k = position(node, "in tiers")
                if tier_of[k] >= 0 and tier_of[k] != t:
                    raise ValueError(f"node {node!r} is in two tiers ({tier_of[k]} and {t}).")
                tier_of[k] = t
        placed = tier_of >= 0
        forbidden |= np.outer(placed, placed) & (tier_of[:, None] > tier_of[None, :])
        clash = np.argwhere(required & forbidden)
        if clash.size:
            i, j = clash[0]
            raise ValueError(
                f"the edge {names[i]!r} -> {names[j]!r} is both required and forbidden"
                f"{' (by the tiers)' if tier_of[i] > tier_of[j] >= 0 else ''}."
            )
        cycle = find_cycle(required)
        if cycle:
            raise ValueError(
                "the required edges form a cycle: "
                + " -> ".join(repr(names[k]) for k in [*cycle, cycle[0]])
                + "."
            )
        return required, forbidden


def _pairs(edges, name):
    if isinstance(edges, (str, bytes)):
        raise ValueError(f"{name} must be a list of (cause, effect) pairs; got a string.")
    try:
        pairs = tuple(tuple(pair) for pair in edges)
    except TypeError:
        raise ValueError(
            f"{name} must be a list of (cause, effect) pairs; got {edges!r}."
        ) from None
    for pair in pairs:
        if len(pair) != 2:
            raise ValueError(f"each {name} edge must be a (cause, effect) pair; got {pair!r}.")
    return pairs


def apply_knowledge(adjacency, probabilities, required, forbidden):
    """Make a DAG or PDAG honour the knowledge; returns the new 0/1 adjacency.

    Forbidden entries are removed (an undirected edge with one direction forbidden becomes the
    other direction); required edges are added, directed, and their reverse removed. If the directed
    edges then contain a cycle, they are rebuilt greedily: required edges first, then the others by
    decreasing ``probabilities``, skipping any that would close a cycle. Undirected edges left are
    oriented further by Meek's rules 1-3, so the knowledge's orientations propagate as in PC.
    """
    a = np.asarray(adjacency) != 0
    np.fill_diagonal(a, False)
    original = a.copy()
    had_undirected = np.any(a & a.T)
    a = (a & ~forbidden) | required
    a &= ~required.T
    directed = a & ~a.T
    if np.array_equal(a, original) and not find_cycle(directed):
        return a.astype(int)  # already honoured: the search's own output, untouched
    # A search that used the knowledge itself can still return a cycle through required edges
    # (PC orienting 0 -> 1 because 1 -> 0 is forbidden, beside required 1 -> 2 -> 0).
    if find_cycle(directed):
        priority = np.where(directed, np.asarray(probabilities, dtype=float), 0.0)
        priority = np.clip(priority, 1e-9, 1.0)
        priority[required] = 2.0
        kept = greedy_dag(np.where(directed, priority, 0.0), threshold=0.0) != 0
        a = (a & a.T) | kept
    if had_undirected and np.any(a & a.T):
        a = meek_orient(a)
        directed = a & ~a.T
        if find_cycle(directed):  # a PDAG with no consistent extension: keep what is acyclic
            priority = np.where(required, 2.0, 1.0)
            kept = greedy_dag(np.where(directed, priority, 0.0), threshold=0.0) != 0
            a = (a & a.T) | kept
    return a.astype(int)
