"""Export (GraphML, GML, JSON) and `python -m skcausal discover` on a CSV."""

import json

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
        save_graph(fitted, tmp_path / "g.txt", format="dot")


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
