"""plot_edge_probabilities: the matrix of edge probabilities as a heatmap."""

from __future__ import annotations

import numpy as np

from skcausal._utils import check_adjacency
from skcausal.io._plot_common import (
    _check_names,
    _get_ax,
    _graph_from,
    _is_estimator,
    _score_name,
)


def _colour_bar_label(estimator, label):
    if label is not None:
        return str(label)
    name = _score_name(estimator)
    if name is None:
        return "edge score, i → j"  # a matrix: probabilities, marks or weights, we cannot tell
    if name == "edge probability":
        return "edge probability P(i → j)"
    return f"{name}, i → j"


def plot_edge_probabilities(
    estimator, *, true_adjacency=None, ax=None, node_names=None, cmap="Blues", label=None
):
    """Show every edge score as a heatmap: rows are causes, columns effects.

    Cell (i, j) is the estimator's confidence in the edge i -> j (``edge_probabilities_``), on a
    fixed 0-1 colour scale with a colour bar named after what the scores are (the estimator's
    ``edge_score_name``): a probability only for the zero-shot model; PC, GES and GIES give CPDAG
    marks (1 directed, 0.5 each way undirected) and NOTEARS a weight score. The diagonal (no
    self-loops) is grey. With
    ``true_adjacency`` every true edge is marked with a ring, so the true edges the model missed
    (pale cells with a ring) and the confident false ones (dark cells without) stand out.

    Parameters
    ----------
    estimator : fitted estimator, Pipeline, or array-like of shape (d, d)
        A fitted skcausal estimator (or a Pipeline ending in one), or a matrix of edge
        scores in [0, 1] (a DataFrame's columns name the nodes).
    true_adjacency : array-like of shape (d, d), default=None
        The true graph; its edges are marked.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None. The colour bar takes its space from this Axes.
    node_names : list of str, default=None
        Axis labels; by default the estimator's ``feature_names_in_``, the DataFrame's columns,
        or 0 .. d-1.
    cmap : str or Colormap, default="Blues"
    label : str, default=None
        The colour bar's label. None names the estimator's score ("edge probability P(i → j)"
        for the zero-shot model, e.g. "CPDAG mark (1 directed, 0.5 undirected), i → j" for PC),
        or "edge score, i → j" for a matrix.

    Returns
    -------
    ax : matplotlib Axes
        The heatmap's Axes (the colour bar is a separate Axes of the same figure).

    See Also
    --------
    plot_graph : The thresholded graph, with errors coloured.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.datasets import make_scm
    >>> from skcausal.plot import plot_edge_probabilities
    >>> X, _, true_graph = make_scm(n_samples=500, n_nodes=6, random_state=0)
    >>> est = ZeroShotCausalDiscovery().fit(X)
    >>> ax = plot_edge_probabilities(est, true_adjacency=true_graph)
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('effect (j)', 'cause (i)')
    >>> ax.figure.axes[1].get_ylabel()  # the colour bar
    'edge probability P(i → j)'
    """
    import matplotlib.pyplot as plt

    if _is_estimator(estimator):
        _, probabilities, names = _graph_from(estimator, node_names)
    else:
        probabilities = check_adjacency(estimator, "edge probabilities")
        names = _check_names(
            node_names if node_names is not None else getattr(estimator, "columns", None),
            probabilities.shape[0],
        )
    d = probabilities.shape[0]
    if true_adjacency is not None:
        true_adjacency = check_adjacency(true_adjacency, "true_adjacency", n_nodes=d)
    ax = _get_ax(ax, (0.3 * d + 3.2, 0.3 * d + 2.4) if d > 8 else (5.5, 4.6))

    shown = np.array(probabilities, dtype=float)
    # Masked (grey) rather than "probability 0": a self-loop is not a candidate edge.
    np.fill_diagonal(shown, np.nan)
    # NaN (the diagonal) in grey: distinct from the palest colour, probability 0.
    colormap = plt.get_cmap(cmap).with_extremes(bad="#d9d9d9")
    image = ax.imshow(shown, cmap=colormap, vmin=0.0, vmax=1.0, interpolation="nearest")
    colorbar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    colorbar.set_label(_colour_bar_label(estimator, label))

    ticks = np.arange(d)
    font_size = 9 if d <= 15 else 7
    ax.set_xticks(
        ticks,
        labels=names,
        rotation=45 if max(map(len, names)) > 2 else 0,
        ha="right" if max(map(len, names)) > 2 else "center",
        rotation_mode="anchor",
        fontsize=font_size,
    )
    ax.set_yticks(ticks, labels=names, fontsize=font_size)
    ax.set_xlabel("effect (j)")
    ax.set_ylabel("cause (i)")
    # Light lines between cells make a large matrix readable without colouring it.
    ax.set_xticks(ticks[:-1] + 0.5, minor=True)
    ax.set_yticks(ticks[:-1] + 0.5, minor=True)
    ax.grid(which="minor", color="#e6e6e6", linewidth=0.5)
    ax.tick_params(which="minor", length=0)

    if true_adjacency is not None:
        causes, effects = np.nonzero((true_adjacency != 0) & ~np.eye(d, dtype=bool))
        ax.scatter(
            effects,
            causes,
            s=(160 if d <= 15 else 60),
            facecolors="none",
            edgecolors="#d55e00",
            linewidths=1.6,
            label="true edge",
        )
        # The heatmap's legend, placed under the colour bar: the one corner that neither tick
        # labels nor a title occupy.
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.03),
            bbox_transform=colorbar.ax.transAxes,
            frameon=False,
            fontsize=8,
            handletextpad=0.3,
            borderaxespad=0.0,
        )
    return ax
