"""Export a learned graph: GraphML and GML (through networkx) and a JSON edge list."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
from sklearn.utils.validation import check_is_fitted

_FORMATS = {".graphml": "graphml", ".gml": "gml", ".json": "json"}


def graph_to_json(estimator) -> dict:
    """The learned graph of a fitted estimator as a JSON-ready dict.

    ``{"nodes": [...], "edges": [{"source", "target", "probability", "undirected",
    ["frequency"], "coef"}, ...]}``: one entry per directed entry of ``adjacency_`` (an undirected
    edge of a CPDAG appears in both directions, with ``"undirected": true``); ``frequency`` only
    after a fit with ``n_bootstrap > 0``; ``coef`` is the SEM weight ``coef_[i, j]`` (0 for the
    direction of an undirected edge that the SEM's DAG extension did not take).

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal import graph_to_json
    >>> from skcausal.baselines import GES
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 500))
    >>> X = np.column_stack([a, b, a + b + rng.normal(size=500)])
    >>> [(e["source"], e["target"]) for e in graph_to_json(GES().fit(X))["edges"]]
    [(0, 2), (1, 2)]
    """
    check_is_fitted(estimator, "adjacency_")
    names = [n.item() if isinstance(n, np.generic) else n for n in estimator._node_names()]
    a = np.asarray(estimator.adjacency_)
    frequencies = getattr(estimator, "edge_frequencies_", None)
    coef = getattr(estimator, "coef_", None)
    edges = []
    for i, j in zip(*np.nonzero(a)):
        edge = {
            "source": names[i],
            "target": names[j],
            "probability": float(estimator.edge_probabilities_[i, j]),
            "undirected": bool(a[j, i]),
        }
        if frequencies is not None:
            edge["frequency"] = float(frequencies[i, j])
        if coef is not None and np.isfinite(coef[i, j]):
            edge["coef"] = float(coef[i, j])
        edges.append(edge)
    return {"nodes": names, "edges": edges}


def save_graph(estimator, path, *, format=None):
    """Write the learned graph of a fitted estimator to a file.

    Parameters
    ----------
    estimator : fitted skcausal estimator
    path : str or path
    format : {"graphml", "gml", "json"} or None, default=None
        None takes it from the file's suffix (``.graphml``, ``.gml``, ``.json``). GraphML and GML
        are written by networkx from :meth:`~skcausal.BaseCausalDiscovery.to_networkx` (node
        labels as strings; edge attributes ``probability``, ``undirected`` and, after a
        bootstrap, ``frequency``); JSON is :func:`graph_to_json`.

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> import networkx as nx, numpy as np, tempfile, pathlib
    >>> from skcausal import save_graph
    >>> from skcausal.baselines import GES
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 500))
    >>> est = GES().fit(np.column_stack([a, b, a + b + rng.normal(size=500)]))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_graph(est, pathlib.Path(folder) / "graph.graphml")
    ...     sorted(nx.read_graphml(path).edges)
    [('0', '2'), ('1', '2')]
    """
    path = Path(path)
    if format is None:
        format = _FORMATS.get(path.suffix.lower())
        if format is None:
            raise ValueError(
                f"cannot tell the format from the suffix {path.suffix!r}; use one of "
                f"{sorted(_FORMATS)} or pass format=."
            )
    if format not in _FORMATS.values():
        raise ValueError(f"format must be one of {sorted(_FORMATS.values())}; got {format!r}.")
    if format == "json":
        path.write_text(json.dumps(graph_to_json(estimator), indent=2) + "\n", encoding="utf-8")
        return path
    graph = estimator.to_networkx()
    graph = nx.relabel_nodes(graph, {node: str(node) for node in graph.nodes})
    if format == "graphml":
        nx.write_graphml(graph, path)
    else:
        nx.write_gml(graph, path)
    return path
