"""plot_edge_count: how many edges to keep, read from the edge probabilities."""

from __future__ import annotations

import numpy as np

from skcausal._utils import check_adjacency
from skcausal.graph import readout_scores
from skcausal.graph._dag import f1_estimates
from skcausal.io._plot_common import _get_ax, _graph_from, _is_estimator, _score_name, _unwrap


def _probabilities(estimator):
    if not _is_estimator(estimator):
        return check_adjacency(estimator, "edge probabilities")
    if _score_name(estimator) != "edge probability":
        raise ValueError(
            f"plot_edge_count reads edge probabilities; {type(_unwrap(estimator)).__name__}'s "
            f"scores are a {_score_name(estimator)!r}, not probabilities."
        )
    return _graph_from(estimator, None)[1]


def plot_edge_count(estimator, *, ax=None):
    """Show what a graph of each size is expected to score, and where the readouts stop.

    Each pair's more probable direction is ranked by its probability (acyclicity, background
    knowledge and the dependence check aside: this reads the probabilities alone). For the
    graph of the k highest, the probabilities estimate its F1 score,
    ``2 (p_1 + ... + p_k) / (k + E)`` with E the expected number of edges (their sum), and its
    expected structural Hamming distance: a kept i -> j costs ``1 - p[i, j]``, a pair left out
    ``p[i, j] + p[j, i]``. Vertical lines mark E, the size of the default graph
    (``threshold=0.5``: the pairs whose most probable state is an edge, the least expected SHD)
    and of ``threshold="f1"`` (the largest F1 estimate). Where the probabilities are sharp the
    three lines nearly meet; where they are diffuse, the default stops well short of E.

    Parameters
    ----------
    estimator : fitted ZeroShotCausalDiscovery, Pipeline, or array-like of shape (d, d)
        A fitted estimator whose scores are edge probabilities (a Pipeline ending in one), or a
        matrix of edge probabilities.
    ax : matplotlib Axes, default=None
        Where to draw the F1 curve; the expected SHD goes on a twin Axes with its own scale on
        the right. A new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The F1 curve's Axes (``ax.right_ax`` is the twin with the expected SHD).

    Raises
    ------
    ValueError
        If the estimator's scores are not probabilities (PC's, GES's and GIES's CPDAG marks,
        NOTEARS's weight score).

    See Also
    --------
    plot_edge_probabilities : The probabilities themselves.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.datasets import make_scm
    >>> from skcausal.plot import plot_edge_count
    >>> X, _, _ = make_scm(n_samples=100, n_nodes=10, mechanism="mlp", random_state=0)
    >>> ax = plot_edge_count(ZeroShotCausalDiscovery().fit(X))
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.right_ax.get_ylabel()
    ('edges kept (most probable first)', 'expected F1', 'expected SHD')
    >>> [line.get_label() for line in ax.lines[1:]]  # doctest: +NORMALIZE_WHITESPACE
    ['expected edges: 19.3', 'threshold=0.5: 14 edges', 'threshold="f1": 19 edges']
    """
    p = _probabilities(estimator).copy()
    np.fill_diagonal(p, 0.0)
    expected = p.sum()
    scores, f1_cutoff = readout_scores(p, "f1")
    ranked, f1 = f1_estimates(scores, expected)
    # Expected SHD of the k highest: every pair left out costs p + p.T; keeping i -> j costs
    # 1 - p[i, j] instead.
    order = np.argsort(-scores, axis=None, kind="stable")[: len(ranked)]
    forward = p.ravel()[order]
    backward = p.T.ravel()[order]
    left_out = np.triu(p + p.T, 1).sum()
    shd = left_out - np.concatenate([[0.0], np.cumsum(2 * forward + backward - 1)])
    kept_default = int(np.greater(*readout_scores(p, 0.5)).sum())
    kept_f1 = int((scores > f1_cutoff).sum())

    ax = _get_ax(ax, (6.4, 4.2))
    k = np.arange(len(ranked) + 1)
    ax.plot(k, np.concatenate([[0.0], f1]), color="C0", label="expected F1")
    ax.set_xlabel("edges kept (most probable first)")
    ax.set_ylabel("expected F1")
    ax.set_ylim(0, 1)
    right = ax.twinx()
    right.plot(k, shd, color="C1", label="expected SHD")
    right.set_ylabel("expected SHD")
    right.set_ylim(bottom=0)
    for x, style, label in (
        (expected, ":", f"expected edges: {expected:.1f}"),
        (kept_default, "--", f"threshold=0.5: {kept_default} edges"),
        (kept_f1, "-.", f'threshold="f1": {kept_f1} edges'),
    ):
        ax.axvline(x, color="0.3", linestyle=style, linewidth=1, label=label)
    handles = ax.get_lines() + right.get_lines()
    ax.legend(handles, [h.get_label() for h in handles], loc="lower right", fontsize=8)
    ax.right_ax = right
    return ax
