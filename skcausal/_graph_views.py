"""GraphViewsMixin: the learned graph as a labelled DataFrame, an edge list and a networkx graph."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted


class GraphViewsMixin:
    """Views of a fitted estimator's ``adjacency_`` and ``edge_probabilities_``, labelled with the
    column names (``feature_names_in_``) or the column indices."""

    def _node_names(self):
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(name) for name in names]
        return list(range(self.n_features_in_))

    def adjacency_frame(self) -> pd.DataFrame:
        """The learned adjacency matrix as a DataFrame labelled with the feature names."""
        check_is_fitted(self)
        names = self._node_names()
        return pd.DataFrame(self.adjacency_, index=names, columns=names)

    def edge_list(self) -> pd.DataFrame:
        """The learned edges, one row each: ``source``, ``target``, ``probability``, most probable
        first; after a fit with ``n_bootstrap > 0`` also ``frequency`` (``edge_frequencies_``)."""
        check_is_fitted(self)
        names = self._node_names()
        sources, targets = np.nonzero(self.adjacency_)
        columns = {
            "source": [names[i] for i in sources],
            "target": [names[j] for j in targets],
            "probability": self.edge_probabilities_[sources, targets],
        }
        if hasattr(self, "edge_frequencies_"):
            columns["frequency"] = self.edge_frequencies_[sources, targets]
        frame = pd.DataFrame(columns)
        return frame.sort_values("probability", ascending=False, kind="stable").reset_index(
            drop=True
        )

    def to_networkx(self) -> nx.DiGraph:
        """The learned graph as a ``networkx.DiGraph``.

        Nodes are the feature names (integers 0..d-1 for array input); every edge carries its
        ``probability`` and ``undirected`` (True for both directions of an undirected CPDAG
        edge), and after a fit with ``n_bootstrap > 0`` its ``frequency``.
        """
        check_is_fitted(self)
        names = self._node_names()
        graph = nx.DiGraph()
        graph.add_nodes_from(names)
        frequencies = getattr(self, "edge_frequencies_", None)
        for i, j in zip(*np.nonzero(self.adjacency_)):
            attributes = {
                "probability": float(self.edge_probabilities_[i, j]),
                "undirected": bool(self.adjacency_[j, i]),
            }
            if frequencies is not None:
                attributes["frequency"] = float(frequencies[i, j])
            graph.add_edge(names[i], names[j], **attributes)
        return graph
