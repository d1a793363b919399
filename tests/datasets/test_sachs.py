from importlib import resources

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from skcausal.datasets._sachs import load_sachs
from skcausal.graph import is_dag

NAMES = ["praf", "pmek", "plcg", "PIP2", "PIP3", "p44/42", "pakts473", "PKA", "PKC", "P38", "pjnk"]

# (start, end exclusive, target or None) from the provenance README.
BLOCKS = [
    (0, 853, None),
    (853, 1755, None),
    (1755, 2666, "pakts473"),
    (2666, 3389, "PKC"),
    (3389, 4199, "PIP2"),
    (4199, 4998, "pmek"),
    (4998, 5846, "PIP3"),
    (5846, 6759, "PKC"),
    (6759, 7466, "PKA"),
]


def _raw_csv():
    path = resources.files("skcausal.datasets") / "data" / "sachs_pooled.csv"
    with path.open("r") as handle:
        return pd.read_csv(handle)


def test_shapes_and_dtypes():
    X, mask, adjacency = load_sachs()
    assert X.shape == mask.shape == (7466, 11)
    assert adjacency.shape == (11, 11)
    assert X.dtype == np.float64 and mask.dtype == bool
    assert np.issubdtype(adjacency.dtype, np.integer)
    assert np.all(np.isfinite(X))


def test_observational_only():
    X, mask, adjacency = load_sachs(interventional=False)
    assert X.shape == mask.shape == (853 + 902, 11)
    assert not mask.any()
    np.testing.assert_array_equal(X, load_sachs()[0][:1755])
    np.testing.assert_array_equal(adjacency, load_sachs()[2])


@pytest.mark.parametrize("start, end, target", BLOCKS)
def test_mask_matches_condition_table(start, end, target):
    _, mask, _ = load_sachs()
    block = mask[start:end]
    if target is None:
        assert not block.any()
    else:
        expected = np.zeros(11, dtype=bool)
        expected[NAMES.index(target)] = True
        assert (block == expected).all()


def test_conditions():
    X, mask, _, conditions = load_sachs(return_conditions=True)
    assert conditions.shape == (7466,)
    assert conditions[0] == conditions[852] == "CD3/CD28"
    assert conditions[853] == "CD3/CD28+ICAM-2"
    assert conditions[1755] == conditions[2665] == "AKT inhibitor"
    assert conditions[2666] == "G0076"
    assert conditions[7465] == "beta2cAMP"
    assert len(np.unique(conditions)) == 9
    # Every condition has one target (or none) throughout its rows.
    for name in np.unique(conditions):
        rows = mask[conditions == name]
        assert (rows == rows[0]).all()
    _, _, _, observational = load_sachs(interventional=False, return_conditions=True)
    assert set(observational) == {"CD3/CD28", "CD3/CD28+ICAM-2"}


def test_consensus_graph():
    _, _, adjacency = load_sachs()
    assert adjacency.sum() == 18
    assert set(np.unique(adjacency)) == {0, 1}
    assert not np.diag(adjacency).any()
    assert not (adjacency & adjacency.T).any()  # no 2-cycles
    i = {name: k for k, name in enumerate(NAMES)}
    assert adjacency[i["praf"], i["pmek"]] == 1
    assert adjacency[i["pmek"], i["p44/42"]] == 1
    assert adjacency[i["pmek"], i["praf"]] == 0


def test_consensus_graph_has_exactly_the_documented_cycle():
    # cdt's 18-edge list contains PIP2 -> PIP3 -> plcg -> PIP2; the loader ships it unchanged.
    _, _, adjacency = load_sachs(as_frame=True)
    assert not is_dag(adjacency.to_numpy())
    graph = nx.from_pandas_adjacency(adjacency, create_using=nx.DiGraph)
    cycles = [sorted(cycle) for cycle in nx.simple_cycles(graph)]
    assert cycles == [["PIP2", "PIP3", "plcg"]]
    for cause, effect in [("PIP2", "PIP3"), ("PIP3", "plcg"), ("plcg", "PIP2")]:
        assert adjacency.loc[cause, effect] == 1
    without = adjacency.copy()
    without.loc["PIP3", "plcg"] = 0
    assert is_dag(without.to_numpy())


def test_log_transform_is_log_of_raw_values():
    raw = _raw_csv()
    assert raw.to_numpy().min() >= 1  # so the log needs no offset
    X_raw, _, _ = load_sachs(log_transform=False)
    X_log, _, _ = load_sachs()
    np.testing.assert_array_equal(X_raw, raw.to_numpy(dtype=float))
    np.testing.assert_allclose(X_log, np.log(raw.to_numpy(dtype=float)))


def test_as_frame():
    X, mask, adjacency, conditions = load_sachs(as_frame=True, return_conditions=True)
    assert isinstance(X, pd.DataFrame) and isinstance(mask, pd.DataFrame)
    assert list(X.columns) == list(mask.columns) == NAMES == list(_raw_csv().columns)
    assert list(adjacency.index) == list(adjacency.columns) == NAMES
    assert mask.dtypes.eq(bool).all()
    np.testing.assert_array_equal(X.to_numpy(), load_sachs()[0])
    np.testing.assert_array_equal(adjacency.to_numpy(), load_sachs()[2])
    assert adjacency.loc["PKC", "praf"] == 1 and adjacency.loc["praf", "PKC"] == 0
    assert isinstance(conditions, pd.Series) and conditions.name == "condition"
    assert conditions.iloc[3000] == "G0076"
    assert mask.loc[3000, "PKC"] and mask.loc[3000].sum() == 1


def test_returns_independent_copies():
    X, mask, adjacency = load_sachs()
    X[:] = 0
    mask[:] = True
    adjacency[:] = 0
    X2, mask2, adjacency2 = load_sachs()
    assert X2.min() >= 0 and X2.max() > 0
    assert not mask2[:1755].any()
    assert adjacency2.sum() == 18


def test_keyword_only():
    with pytest.raises(TypeError):
        load_sachs(False)


def test_first_condition_with_bnlearns_dag():
    pytest.importorskip("pgmpy")
    import networkx as nx

    X, mask, dag = load_sachs(
        interventional=False, observational="first", graph="bnlearn", as_frame=True
    )
    assert X.shape == (853, 11) and not mask.to_numpy().any()
    assert int(dag.to_numpy().sum()) == 17 and nx.is_directed_acyclic_graph(
        nx.DiGraph(dag.to_numpy())
    )
    for cause, effect in [
        ("praf", "pmek"),
        ("pmek", "p44/42"),
        ("PKC", "praf"),
        ("plcg", "PIP2"),
        ("PKA", "pakts473"),
        ("PIP3", "PIP2"),
    ]:
        assert dag.loc[cause, effect] == 1, (cause, effect)
    X_all, mask_all, _ = load_sachs(observational="first", graph="bnlearn")
    assert X_all.shape == (853 + 5711, 11)
    full_X, full_mask, _ = load_sachs()
    np.testing.assert_array_equal(X_all[853:], full_X[1755:])
    np.testing.assert_array_equal(mask_all[853:], full_mask[1755:])


@pytest.mark.parametrize(
    "kwargs, message",
    [({"observational": "second"}, "observational must be"), ({"graph": "cdt"}, "graph must be")],
)
def test_bad_sachs_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_sachs(**kwargs)
