"""Plots of learned causal graphs: the graph itself, the matrix of edge probabilities, and how
many edges to keep.

Each function takes a fitted skcausal estimator (or a :class:`~sklearn.pipeline.Pipeline` ending
in one), draw on a matplotlib Axes and return it, in the manner of scikit-learn's
``*Display.from_estimator(...).ax_``. matplotlib is imported only when a function is called, so
importing :mod:`skcausal` does not choose a backend.
"""

from skcausal.io._plot_edge_count import plot_edge_count
from skcausal.io._plot_graph import plot_graph
from skcausal.io._plot_probabilities import plot_edge_probabilities

__all__ = ["plot_edge_count", "plot_edge_probabilities", "plot_graph"]
