"""Export (GraphML, GML, JSON) and `python -m skcausal discover` on a CSV."""

import json
import re
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from skcausal import BackgroundKnowledge, graph_to_json, save_graph
from skcausal.baselines import GES, NOTEARS
from skcausal.cli import main
from skcausal.datasets import make_scm


@pytest.fixture(scope="module")
def fitted():
    X, _, _ = make_scm(300, 4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    return GES(n_bootstrap=2, random_state=0).fit(frame)


@pytest.mark.parametrize("suffix, reader", [(".graphml", nx.read_graphml), (".gml", nx.read_gml)])
def test_graphml_and_gml_round_trip_through_networkx(fitted, tmp_path, suffix, reader):
    graph = reader(save_graph(fitted, tmp_path / f"g{suffix}"))
    assert sorted(graph.nodes) == ["a", "b", "c", "d"]
    expected = {(s, t) for s, t in zip(*np.nonzero(fitted.adjacency_))}
    names = list(fitted.feature_names_in_)
    assert set(graph.edges) == {(names[s], names[t]) for s, t in expected}
    for s, t in expected:
        data = graph.edges[names[s], names[t]]
        assert data["probability"] == pytest.approx(fitted.edge_probabilities_[s, t])
        assert data["frequency"] == pytest.approx(fitted.edge_frequencies_[s, t])
        assert bool(data["undirected"]) == bool(fitted.adjacency_[t, s])


def test_json_edge_list(fitted, tmp_path):
    data = json.loads(save_graph(fitted, tmp_path / "g.json").read_text())
    assert data == graph_to_json(fitted)
    assert data["nodes"] == ["a", "b", "c", "d"]
    assert len(data["edges"]) == int(fitted.adjacency_.sum())
    assert {"source", "target", "probability", "undirected", "frequency", "coef"} <= set(
        data["edges"][0]
    )


def test_save_graph_refuses_an_unknown_format(fitted, tmp_path):
    with pytest.raises(ValueError, match="suffix"):
        save_graph(fitted, tmp_path / "g.txt")
    with pytest.raises(ValueError, match="format"):
        save_graph(fitted, tmp_path / "g.txt", format="xml")


def test_edge_list_has_frequencies_after_a_bootstrap(fitted):
    edges = fitted.edge_list()
    assert list(edges.columns) == ["source", "target", "probability", "frequency"]
    assert list(NOTEARS().fit(make_scm(200, 3, random_state=0)[0]).edge_list().columns) == [
        "source",
        "target",
        "probability",
    ]


def test_discover_cli_on_a_csv(tmp_path, capsys):
    X, M, _ = make_scm(300, 4, n_intervention_targets=1, intervention_fraction=0.3, random_state=1)
    columns = ["a", "b", "c", "d"]
    pd.DataFrame(X, columns=columns).to_csv(tmp_path / "data.csv", index=False)
    pd.DataFrame(M, columns=columns).to_csv(tmp_path / "mask.csv", index=False)
    knowledge = BackgroundKnowledge(
        required=[("a", "d")], forbidden=[("c", "b")], tiers=[["a"], ["b", "c", "d"]]
    )
    (tmp_path / "k.json").write_text(json.dumps(knowledge.to_dict()))
    out = tmp_path / "out"
    main(
        [
            "discover",
            "--data",
            str(tmp_path / "data.csv"),
            "--mask",
            str(tmp_path / "mask.csv"),
            "--knowledge",
            str(tmp_path / "k.json"),
            "--threshold",
            "0.3",
            "--bootstrap",
            "2",
            "--methods",
            "zeroshot,gies",
            "--out",
            str(out),
        ]
    )
    assert "zeroshot:" in capsys.readouterr().out
    for method in ("zeroshot", "gies"):
        for suffix in ("_graph.graphml", "_graph.json", "_graph.png", "_edges.csv"):
            assert (out / f"{method}{suffix}").is_file()
        table = pd.read_csv(out / f"{method}_edges.csv")
        assert len(table) == 12  # every ordered pair
        # The score column is named by score_name (a probability only for zeroshot).
        assert {"score", "score_name", "frequency", "coef", "in_graph"} <= set(table.columns)
        edges = table[table["in_graph"]]
        pairs = set(zip(edges["source"], edges["target"]))
        assert ("a", "d") in pairs and ("d", "a") not in pairs and ("c", "b") not in pairs
        assert not any(t == "a" for _, t in pairs)  # nothing into the first tier
        assert ((table["frequency"] >= 0) & (table["frequency"] <= 1)).all()
    assert (out / "zeroshot_graph.png").read_bytes()[:4] == b"\x89PNG"


def test_discover_cli_errors_are_one_line(tmp_path, capsys):
    X, _, _ = make_scm(100, 3, random_state=0)
    pd.DataFrame(X, columns=["a", "b", "c"]).to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "k.json").write_text(json.dumps({"required": [["a", "zz"]]}))
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "discover",
                "--data",
                str(tmp_path / "data.csv"),
                "--methods",
                "ges",
                "--knowledge",
                str(tmp_path / "k.json"),
            ]
        )
    assert exit_info.value.code == 2
    assert "unknown node 'zz'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(
            [
                "discover",
                "--data",
                str(tmp_path / "data.csv"),
                "--methods",
                "ges",
                "--threshold",
                "0.2",
            ]
        )
    assert "--threshold" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["discover", "--data", "sachs", "--bootstrap", "3"])
    assert "--bootstrap" in capsys.readouterr().err


# -- what the scores are (issue #24 item 7) --------------------------------------------------------
def test_views_and_files_name_the_estimators_edge_score(fitted, tmp_path):
    # GES's edge_probabilities_ holds CPDAG marks: the `probability` key stays (for code that reads
    # every method the same way) and each view says what it holds.
    name = GES.edge_score_name
    assert "probability" not in name
    edges = fitted.edge_list()
    assert "probability" in edges.columns
    assert edges.attrs["edge_score_name"] == name
    assert fitted.to_networkx().graph["edge_score_name"] == name
    assert graph_to_json(fitted)["edge_score_name"] == name
    assert nx.read_graphml(save_graph(fitted, tmp_path / "g.graphml")).graph["edge_score_name"] == (
        name
    )


# -- DOT and complete GraphML (issue #24 item 8) ---------------------------------------------------
def _dot_statements(text):
    """The node and edge statements of a DOT file written by save_graph, unescaped."""
    quoted = r'"((?:[^"\\]|\\.)*)"'
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
    nodes = [unescape(m) for m in re.findall(rf"^\s*{quoted}\s*(?:\[[^\]]*\])?;\s*$", text, re.M)]
    edges = [
        (unescape(s), unescape(t), attributes)
        for s, t, attributes in re.findall(
            rf"^\s*{quoted}\s*->\s*{quoted}\s*\[([^\]]*)\];\s*$", text, re.M
        )
    ]
    return nodes, edges


def test_dot_export_has_every_node_and_edge_with_its_attributes(fitted, tmp_path):
    path = save_graph(fitted, tmp_path / "g.dot")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("digraph")
    nodes, edges = _dot_statements(text)
    assert nodes == ["a", "b", "c", "d"]
    expected = {(e["source"], e["target"]): e for e in graph_to_json(fitted)["edges"]}
    assert any(e["undirected"] for e in expected.values())  # the fixture has an undirected edge
    # Every edge of the JSON, in the same direction: an undirected CPDAG edge in both directions,
    # each drawn without an arrowhead (dir=none).
    assert {(s, t) for s, t, _ in edges} == set(expected)
    assert len(edges) == len(expected)
    for source, target, attributes in edges:
        values = dict(re.findall(r"(\w+)=([^,\s]+)", attributes))
        edge = expected[source, target]
        assert ("dir=none" in attributes) == edge["undirected"]
        assert values["undirected"] == str(edge["undirected"]).lower()
        for key in ("probability", "frequency", "coef"):
            assert float(values[key]) == pytest.approx(edge[key], abs=1e-6)
    assert f'edge_score_name="{GES.edge_score_name}"' in text
    assert save_graph(fitted, tmp_path / "h.gv", format="dot").read_text() == text


def test_dot_export_escapes_awkward_names(tmp_path):
    names = ['say "hi"', "two words", "naïve→ü", "back\\slash", "node", "1"]
    X, _, _ = make_scm(300, len(names), random_state=0)
    est = NOTEARS().fit(pd.DataFrame(X, columns=names))
    assert est.adjacency_.sum() > 0
    text = save_graph(est, tmp_path / "g.dot").read_text(encoding="utf-8")
    nodes, edges = _dot_statements(text)
    assert nodes == names  # every name quoted, quotes and backslashes escaped, unicode kept
    index = {name: k for k, name in enumerate(names)}
    assert {(index[s], index[t]) for s, t, _ in edges} == set(zip(*np.nonzero(est.adjacency_)))
    pydot = pytest.importorskip("pydot")  # a real DOT reader, where one is installed
    with warnings.catch_warnings():  # pydot's own use of a deprecated pyparsing API
        warnings.simplefilter("ignore", DeprecationWarning)
        (graph,) = pydot.graph_from_dot_data(text)
    assert len(graph.get_edges()) == len(edges)


def test_graphml_carries_every_attribute_of_the_json(fitted, tmp_path):
    graph = nx.read_graphml(save_graph(fitted, tmp_path / "g.graphml"))
    data = graph_to_json(fitted)
    assert list(graph.nodes) == data["nodes"]
    assert len(graph.edges) == len(data["edges"])
    for edge in data["edges"]:
        written = dict(graph.edges[edge["source"], edge["target"]])
        expected = {k: v for k, v in edge.items() if k not in ("source", "target")}
        assert set(written) == set(expected)
        for key, value in expected.items():
            assert written[key] == pytest.approx(value), key
