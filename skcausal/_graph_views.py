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

    def _edge_score_name(self):
        return getattr(self, "edge_score_name", "edge score")

    def edge_list(self) -> pd.DataFrame:
        """The learned edges, one row each: ``source``, ``target``, ``probability``, highest first;
        after a fit with ``n_bootstrap > 0`` also ``frequency`` (``edge_frequencies_``).

        ``probability`` is ``edge_probabilities_[source, target]``, under that name for every
        estimator so that code reads all methods alike; it is a probability only for the
        zero-shot model. The class attribute ``edge_score_name`` says what it holds (PC, GES,
        GIES: a CPDAG mark, 1 directed and 0.5 undirected; NOTEARS: a weight score
        ``|W| / (|W| + w_threshold)``), and the frame carries it in
        ``frame.attrs["edge_score_name"]``.
        """
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
        frame = frame.sort_values("probability", ascending=False, kind="stable")
        frame = frame.reset_index(drop=True)
        frame.attrs["edge_score_name"] = self._edge_score_name()
        return frame

    def to_networkx(self) -> nx.DiGraph:
        """The learned graph as a ``networkx.DiGraph``.

        Nodes are the feature names (integers 0..d-1 for array input); every edge carries its
        ``probability`` (``edge_probabilities_``: a probability only for the zero-shot model, see
        :meth:`edge_list`) and ``undirected`` (True for both directions of an undirected CPDAG
        edge), its SEM weight ``coef`` (``coef_[i, j]``), and after a fit with
        ``n_bootstrap > 0`` its ``frequency``. The graph attribute
        ``edge_score_name`` (``graph.graph["edge_score_name"]``) says what ``probability`` holds.
        """
        check_is_fitted(self)
        names = self._node_names()
        graph = nx.DiGraph(edge_score_name=self._edge_score_name())
        graph.add_nodes_from(names)
        frequencies = getattr(self, "edge_frequencies_", None)
        coef = getattr(self, "coef_", None)
        for i, j in zip(*np.nonzero(self.adjacency_)):
            attributes = {
                "probability": float(self.edge_probabilities_[i, j]),
                "undirected": bool(self.adjacency_[j, i]),
            }
            if frequencies is not None:
                attributes["frequency"] = float(frequencies[i, j])
            # As in graph_to_json: the files written from this graph carry what the JSON does.
            if coef is not None and np.isfinite(coef[i, j]):
                attributes["coef"] = float(coef[i, j])
            graph.add_edge(names[i], names[j], **attributes)
        return graph
