"""plot_graph: the learned graph drawn as nodes and arrows, optionally against the true graph."""

from __future__ import annotations

import networkx as nx
import numpy as np

from skcausal._utils import check_adjacency
from skcausal.io._plot_common import _get_ax, _graph_from
from skcausal.metrics import classify_edges

# Colour-blind-safe colours (Okabe-Ito), one per relation of a learned edge to the true graph.
_COLOURS = {
    "edge": "#4d4d4d",
    "correct": "#009e73",
    "reversed": "#cc79a7",
    "extra": "#d55e00",
    "missing": "#8c8c8c",
    "undirected": "#0072b2",
    "oriented": "#e69f00",
}
_MARGIN = 0.12  # of the layout's extent, each side
_LAYOUTS = ("circular", "spring", "kamada_kawai", "shell", "spectral")


def _positions(graph, layout):
    if isinstance(layout, dict):
        missing = set(graph.nodes) - set(layout)
        if missing:
            raise ValueError(f"layout has no position for the nodes {sorted(missing)[:10]}.")
        return {node: np.asarray(layout[node], dtype=float) for node in graph.nodes}
    if layout == "circular":
        # Clockwise from the top, so the first variable sits at 12 o'clock and the order reads
        # like a clock face.
        d = graph.number_of_nodes()
        angles = np.pi / 2 - 2 * np.pi * np.arange(d) / max(d, 1)
        return {node: np.array([np.cos(a), np.sin(a)]) for node, a in zip(graph.nodes, angles)}
    if layout == "spring":
        return nx.spring_layout(graph, seed=0)  # seeded: the same picture on every run
    if layout == "kamada_kawai":
        return nx.kamada_kawai_layout(graph)
    if layout == "shell":
        return nx.shell_layout(graph)
    if layout == "spectral":
        return nx.spectral_layout(graph)
    raise ValueError(
        f"layout must be one of {list(_LAYOUTS)} or a dict of positions; got {layout!r}."
    )


def _categories(adjacency, true_adjacency):
    """The learned edges by category: the SHD's (see ``classify_edges``), or all as "edge"."""
    if true_adjacency is None:
        return {"edge": classify_edges(np.zeros_like(adjacency), adjacency)["extra"]}
    return classify_edges(true_adjacency, adjacency)


def _node_style(ax, pos, names):
    """(node size in points^2, font size) so that labels fit in their circles and circles do not
    overlap, whatever the size of the Axes (a panel of a subplot grid is much smaller)."""
    font_size = 8.0
    longest = max((len(name) for name in names), default=1)
    diameter = max(0.56 * font_size * longest + 7, 2.6 * font_size)  # label + padding, in points
    xy = np.array(list(pos.values()), dtype=float)
    if len(xy) > 1:
        # Points per data unit of the square (aspect "equal") drawing area, with its margins.
        box = ax.get_position()
        fig_w, fig_h = ax.figure.get_size_inches()
        side = 72 * min(box.width * fig_w, box.height * fig_h)
        span = max(np.ptp(xy, axis=0).max(), 1e-9) * (1 + 2 * _MARGIN)
        distances = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
        closest = distances[~np.eye(len(xy), dtype=bool)].min() * side / span
        # At most two thirds of the gap between the closest nodes, so that arrows stay visible.
        if closest > 0 and diameter > 0.65 * closest:
            diameter = 0.65 * closest
            # Shrink the font with the circle, but keep it legible.
            font_size = float(np.clip((diameter - 5) / (0.56 * longest), 5.0, font_size))
    return diameter**2, font_size


def _legend_columns(ax, labels, font_size):
    """As many legend columns as fit under the Axes: one row when it is wide, more when narrow
    (e.g. one panel of a row of subplots), so that the entries never run into a neighbour."""
    bbox = ax.get_position()  # in figure fractions
    width = bbox.width * ax.figure.get_figwidth() * 72  # in points
    # Handle, padding and column spacing (in font sizes), plus ~0.6 font sizes per character.
    entry = max(len(label) for label in labels) * 0.6 * font_size + 3.0 * font_size
    fits = int(np.clip(width // entry, 1, len(labels)))
    rows = -(-len(labels) // fits)
    return -(-len(labels) // rows)  # balanced rows: 3 + 2 rather than 4 + 1


def plot_graph(
    estimator_or_adjacency,
    *,
    true_adjacency=None,
    ax=None,
    layout="circular",
    node_names=None,
):
    """Draw a learned causal graph; with the true graph, colour each edge by what it got right.

    Nodes are the variables; a learned edge i -> j is an arrow whose width grows with its edge
    score (``edge_probabilities_``; the estimator's ``edge_score_name`` says what it is: a
    probability for the zero-shot model; a CPDAG mark for PC, GES and GIES, so their directed
    edges are drawn at full width and their undirected ones narrower; a weight score for NOTEARS),
    and an undirected CPDAG edge (learned in both directions) is a line without arrowheads. With
    ``true_adjacency`` each node pair is judged once, as the structural Hamming distance does:
    learned edges are coloured *correct*, *reversed*, *extra* (no true edge on that pair),
    *undirected* (true directed, learned undirected) or *oriented* (true undirected, learned
    directed; only against a CPDAG), and true edges that were not found are drawn dashed as
    *missing*; the legend counts each kind. The categories are those of
    :func:`skcausal.metrics.classify_edges`.

    Parameters
    ----------
    estimator_or_adjacency : fitted estimator, Pipeline, or array-like of shape (d, d)
        A fitted skcausal estimator (or a Pipeline whose last step is one), or an adjacency
        matrix (``A[i, j] != 0`` means i -> j; a DataFrame's columns name the nodes). Arrays are
        drawn with uniform edge width.
    true_adjacency : array-like of shape (d, d), default=None
        The true graph. When given, edges are coloured by their relation to it.
    ax : matplotlib Axes, default=None
        Where to draw; a new square figure (6 inches, more for over 12 nodes) when None.
    layout : {"circular", "spring", "kamada_kawai", "shell", "spectral"} or dict, default="circular"
        Node placement, or a dict ``{node name: (x, y)}``. "circular" puts the first variable at
        the top and goes clockwise; "spring" is seeded, so the picture is reproducible. Give two
        plots the same dict to compare graphs at a glance.
    node_names : list of str, default=None
        Node labels; by default the estimator's ``feature_names_in_``, the DataFrame's columns,
        or 0 .. d-1.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on. Its legend (when ``true_adjacency`` is given) holds one entry per
        category, e.g. ``"correct (5)"``.

    See Also
    --------
    plot_edge_probabilities : The score of every edge as a heatmap.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.datasets import make_scm
    >>> from skcausal.plot import plot_graph
    >>> X, _, true_graph = make_scm(n_samples=500, n_nodes=6, random_state=0)
    >>> est = ZeroShotCausalDiscovery().fit(X)
    >>> ax = plot_graph(est, true_adjacency=true_graph)
    >>> [text.get_text().split(" (")[0] for text in ax.get_legend().get_texts()]
    ['correct', 'reversed', 'extra', 'missing']
    """
    from matplotlib.lines import Line2D

    adjacency, probabilities, names = _graph_from(estimator_or_adjacency, node_names)
    d = adjacency.shape[0]
    if true_adjacency is not None:
        true_adjacency = check_adjacency(true_adjacency, "true_adjacency", n_nodes=d)
    if not (isinstance(layout, dict) or layout in _LAYOUTS):
        raise ValueError(
            f"layout must be one of {list(_LAYOUTS)} or a dict of positions; got {layout!r}."
        )
    side = 6.0 if d <= 12 else min(6.0 + 0.25 * (d - 12), 12.0)
    ax = _get_ax(ax, (side, side))

    graph = nx.DiGraph()
    graph.add_nodes_from(names)
    graph.add_edges_from((names[i], names[j]) for i, j in zip(*np.nonzero(adjacency)))
    if true_adjacency is not None:
        graph.add_edges_from((names[i], names[j]) for i, j in zip(*np.nonzero(true_adjacency)))
    pos = _positions(graph, layout)

    node_size, font_size = _node_style(ax, pos, names)
    nodes = nx.draw_networkx_nodes(
        graph,
        pos,
        ax=ax,
        node_size=node_size,
        node_color="#f2f2f2",
        edgecolors="#404040",
        linewidths=1.0,
    )
    nodes.set_zorder(3)  # above the edges, so a line passing behind a node does not cross its label
    labels = nx.draw_networkx_labels(graph, pos, ax=ax, font_size=font_size)
    for label in labels.values():
        label.set_zorder(4)

    categories = _categories(adjacency, true_adjacency)
    for category, edges in categories.items():
        if not edges:
            continue
        for directed in (True, False):
            subset = [(i, j) for i, j, is_directed in edges if is_directed == directed]
            if not subset:
                continue
            if category == "missing" or probabilities is None:
                widths = [1.5] * len(subset)
            else:
                # Width by the edge score: 0.8 pt for 0 up to 4 pt for 1. An undirected edge
                # takes the larger of its two directions.
                confidence = [
                    probabilities[i, j]
                    if directed
                    else max(probabilities[i, j], probabilities[j, i])
                    for i, j in subset
                ]
                widths = [0.8 + 3.2 * float(np.clip(p, 0.0, 1.0)) for p in confidence]
            nx.draw_networkx_edges(
                graph,
                pos,
                ax=ax,
                edgelist=[(names[i], names[j]) for i, j in subset],
                width=widths,
                edge_color=_COLOURS[category],
                style="--" if category == "missing" else "-",
                arrows=True,  # FancyArrowPatch for both kinds, so node_size shortens every line
                arrowstyle="-|>" if directed else "-",
                arrowsize=14,
                node_size=node_size,
            )

    if true_adjacency is not None:
        optional = [name for name in ("undirected", "oriented") if categories[name]]
        shown = ["correct", "reversed", "extra", *optional, "missing"]
        handles = [
            Line2D(
                [],
                [],
                color=_COLOURS[name],
                linewidth=2,
                linestyle="--" if name == "missing" else "-",
                label=f"{name} ({len(categories[name])})",
            )
            for name in shown
        ]
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=_legend_columns(ax, [handle.get_label() for handle in handles], font_size=8),
            frameon=False,
            fontsize=8,
            handlelength=1.6,
            columnspacing=1.0,
            handletextpad=0.4,
        )
    ax.set_aspect("equal")
    ax.margins(_MARGIN)  # room for the nodes on the rim of the layout
    ax.set_axis_off()
    return ax
