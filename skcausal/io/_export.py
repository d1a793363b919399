"""Export a learned graph: GraphML and GML (through networkx), DOT (written here) and a JSON edge
list, all with the same edges and edge attributes."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
from sklearn.utils.validation import check_is_fitted

_FORMATS = {".graphml": "graphml", ".gml": "gml", ".json": "json", ".dot": "dot", ".gv": "dot"}


def graph_to_json(estimator) -> dict:
    """The learned graph of a fitted estimator as a JSON-ready dict.

    ``{"nodes": [...], "edges": [{"source", "target", "probability", "undirected",
    ["frequency"], "coef"}, ...], "edge_score_name": ...}``: one entry per directed entry of
    ``adjacency_`` (an undirected edge of a CPDAG appears in both directions, with
    ``"undirected": true``); ``frequency`` only after a fit with ``n_bootstrap > 0``; ``coef`` is
    the SEM weight ``coef_[i, j]`` (0 for the direction of an undirected edge that the SEM's DAG
    extension did not take). ``probability`` is ``edge_probabilities_[i, j]``, a probability only
    for the zero-shot model; ``edge_score_name`` (the estimator's class attribute) says what it
    holds, e.g. ``"CPDAG mark (1 directed, 0.5 undirected)"`` for PC, GES and GIES.

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
    return {
        "nodes": names,
        "edges": edges,
        "edge_score_name": getattr(estimator, "edge_score_name", "edge score"),
    }


def _dot_string(text) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as DOT's \\n."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def _dot_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    # DOT's numerals have no exponent: 1e-05 would not parse, 0.00001 does.
    return np.format_float_positional(float(value), trim="-")


def graph_to_dot(estimator) -> str:
    """The learned graph of a fitted estimator as DOT text (Graphviz and most graph tools read it).

    The nodes and edges of :func:`graph_to_json` with the same edge attributes (``probability``,
    ``undirected``, ``frequency`` after a bootstrap, ``coef``): every name is quoted, with its
    quotes and backslashes escaped; both directions of an undirected CPDAG edge are written, each
    with ``dir=none``, so Graphviz draws them without arrowheads and a reader gets the same edges
    as from the JSON or GraphML. The graph attribute ``edge_score_name`` says what
    ``probability`` holds. Written here rather than through pydot or pygraphviz, neither of which
    skcausal needs otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.baselines import GES
    >>> from skcausal.io import graph_to_dot
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.normal(size=(2, 500))
    >>> X = np.column_stack([a, b, a + b + rng.normal(size=500)])
    >>> print(graph_to_dot(GES().fit(X)))  # doctest: +ELLIPSIS
    digraph {
      // Written by skcausal; edge attributes as in graph_to_json. `probability` holds
      // edge_probabilities_, which edge_score_name describes.
      edge_score_name="CPDAG mark (1 directed, 0.5 undirected)";
      "0";
      "1";
      "2";
      "0" -> "2" [probability=1, undirected=false, coef=1.02...];
      "1" -> "2" [probability=1, undirected=false, coef=0.97...];
    }
    <BLANKLINE>
    """
    data = graph_to_json(estimator)
    lines = [
        "digraph {",
        "  // Written by skcausal; edge attributes as in graph_to_json. `probability` holds",
        "  // edge_probabilities_, which edge_score_name describes.",
        f"  edge_score_name={_dot_string(data['edge_score_name'])};",
    ]
    lines += [f"  {_dot_string(node)};" for node in data["nodes"]]
    for edge in data["edges"]:
        attributes = [
            f"{key}={_dot_value(edge[key])}"
            for key in ("probability", "undirected", "frequency", "coef")
            if key in edge
        ]
        if edge["undirected"]:
            attributes.append("dir=none")
        lines.append(
            f"  {_dot_string(edge['source'])} -> {_dot_string(edge['target'])} "
            f"[{', '.join(attributes)}];"
        )
    return "\n".join([*lines, "}", ""])


def save_graph(estimator, path, *, format=None):
    """Write the learned graph of a fitted estimator to a file.

    Parameters
    ----------
    estimator : fitted skcausal estimator
    path : str or path
    format : {"graphml", "gml", "json", "dot"} or None, default=None
        None takes it from the file's suffix (``.graphml``, ``.gml``, ``.json``, ``.dot`` or
        ``.gv``). Every format holds the same edges with the same attributes: ``probability``
        (the estimator's edge score, named by the graph attribute ``edge_score_name``),
        ``undirected``, ``coef`` and, after a bootstrap, ``frequency``. GraphML and GML are
        written by networkx from :meth:`~skcausal.BaseCausalDiscovery.to_networkx` (node labels
        as strings); JSON is :func:`graph_to_json`, DOT :func:`graph_to_dot`.

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
    if format == "dot":
        path.write_text(graph_to_dot(estimator), encoding="utf-8")
        return path
    graph = estimator.to_networkx()
    graph = nx.relabel_nodes(graph, {node: str(node) for node in graph.nodes})
    if format == "graphml":
        nx.write_graphml(graph, path)
    else:
        nx.write_gml(graph, path)
    return path
