"""Real network structures from pgmpy's bnlearn files, and data simulated on a given graph."""

import gzip
from importlib import resources

import networkx as nx
import numpy as np
import pytest

from skcausal.datasets import load_bnlearn_structure, make_scm
from skcausal.datasets._bnlearn import DEVELOPMENT_NETWORKS, RESERVED_NETWORKS, parse_bif_structure

pgmpy = pytest.importorskip("pgmpy")

EXPECTED_SIZE = {
    "child": (20, 25),
    "insurance": (27, 52),
    "water": (32, 66),
    "alarm": (37, 46),
    "hailfinder": (56, 66),
    "hepar2": (70, 123),
    "win95pts": (76, 112),
    "pathfinder": (109, 195),
    "andes": (223, 338),
}


@pytest.mark.parametrize("name", DEVELOPMENT_NETWORKS)
def test_structures_are_dags_of_the_documented_size(name):
    A, names = load_bnlearn_structure(name)
    assert (A.shape[0], int(A.sum())) == EXPECTED_SIZE[name]
    assert len(set(names)) == A.shape[0]
    assert nx.is_directed_acyclic_graph(nx.DiGraph(A))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pgmpy calls old pyparsing names
@pytest.mark.parametrize("name", ["child", "alarm"])
def test_structure_parser_agrees_with_pgmpy(name):
    from pgmpy.readwrite import BIFReader

    path = resources.files("pgmpy") / "utils" / "example_models" / f"{name}.bif.gz"
    reader = BIFReader(string=gzip.decompress(path.read_bytes()).decode("utf-8"))
    A, names = load_bnlearn_structure(name)
    ours = {(names[i], names[j]) for i, j in zip(*np.nonzero(A))}
    assert ours == {tuple(edge) for edge in reader.get_edges()}
    assert sorted(names) == sorted(reader.get_variables())


def test_parser_reads_roots_and_several_parents():
    text = """network x {}
variable a { type discrete [ 2 ] { y, n }; }
variable b { type discrete [ 2 ] { y, n }; }
variable c { type discrete [ 2 ] { y, n }; }
probability ( a ) { table 0.5, 0.5; }
probability ( b ) { table 0.5, 0.5; }
probability ( c | a, b ) { (y, y) 0.1, 0.9; }
"""
    A, names = parse_bif_structure(text)
    assert names == ["a", "b", "c"]
    assert A.tolist() == [[0, 0, 1], [0, 0, 1], [0, 0, 0]]


@pytest.mark.parametrize("name", sorted(RESERVED_NETWORKS))
def test_reserved_networks_are_refused(name):
    with pytest.raises(ValueError, match="reserved for independent evaluation|report only"):
        load_bnlearn_structure(name)


def test_unknown_network_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown network 'nope'"):
        load_bnlearn_structure("nope")


def test_loaded_structure_cannot_be_changed_through_the_cache():
    A, _ = load_bnlearn_structure("child")
    A[:] = 0
    assert load_bnlearn_structure("child")[0].sum() == 25


def test_make_scm_on_a_given_graph_follows_its_edges():
    A, _ = load_bnlearn_structure("child")
    d = A.shape[0]
    X, mask, truth = make_scm(4000, d, graph=A, mechanism="linear", random_state=1)
    np.testing.assert_array_equal(truth, A)
    assert not mask.any() and X.shape == (4000, d)
    # In a linear SEM a node is independent of its non-descendants given its parents, and depends
    # on each parent: the partial correlation with a parent is far from 0, with a
    # non-adjacent non-descendant near 0.
    precision = np.linalg.inv(np.cov(X.T))
    partial = -precision / np.sqrt(np.outer(np.diag(precision), np.diag(precision)))
    G = nx.DiGraph(A)
    child = max(range(d), key=lambda j: A[:, j].sum())
    parents = np.nonzero(A[:, child])[0]
    assert all(abs(partial[p, child]) > 0.05 for p in parents)
    moral = {p for p in parents} | set(G.successors(child))
    moral |= {q for s in G.successors(child) for q in G.predecessors(s)}
    others = [k for k in range(d) if k != child and k not in moral]
    assert max(abs(partial[k, child]) for k in others) < 0.06


def test_make_scm_on_a_given_graph_with_interventions():
    chain = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    X, mask, truth = make_scm(
        300,
        3,
        graph=chain[::-1, ::-1].copy(),
        n_intervention_targets=1,
        intervention_fraction=0.2,
        random_state=0,
    )
    assert truth.tolist() == [[0, 0, 0], [1, 0, 0], [0, 1, 0]]  # 2 -> 1 -> 0, as given
    assert mask.sum() == 60 and mask.any(axis=0).sum() == 1


@pytest.mark.parametrize(
    "graph, message",
    [
        (np.ones((3, 3)) - np.eye(3), "acyclic; it has the cycle"),
        (np.zeros((2, 2)), r"shape \(n_nodes, n_nodes\) = \(3, 3\)"),
        (np.full((3, 3), 2), "only 0 and 1"),
        (42, "graph must be one of"),
    ],
)
def test_make_scm_refuses_bad_graphs(graph, message):
    with pytest.raises(ValueError, match=message):
        make_scm(50, 3, graph=graph)


def test_network_sizes_table_matches_the_files():
    from skcausal.datasets._bnlearn import NETWORK_SIZES

    assert {
        name: load_bnlearn_structure(name)[0].shape[0] for name in NETWORK_SIZES
    } == NETWORK_SIZES


def test_structures_suite_draws_its_data_on_the_real_graph():
    from skcausal.benchmark import dataset_seed, get_suite

    specs = get_suite("structures")
    assert len(specs) == 72 and len({s.name for s in specs}) == 72
    spec = next(s for s in specs if s.name == "mlp-child-int")
    X, mask, truth = spec.load(seed=dataset_seed(0, 0, spec.name))
    np.testing.assert_array_equal(truth, load_bnlearn_structure("child")[0])
    assert X.shape == (1000, 20) and mask.any() and spec.seeded


def test_raw_units_leave_each_node_its_own_scale():
    # In raw units a linear SEM is x_j = sum_i w_ij x_i + sigma_j e_j with sigma_j in [0.2, 1]
    # and nothing rescaled: least squares on the parents recovers residual scales in that range,
    # while the nodes' own variances spread far beyond 1.
    A, _ = load_bnlearn_structure("alarm")
    X, _, _ = make_scm(
        20_000, A.shape[0], graph=A, raw_units=True, standardize=False, random_state=3
    )
    variances = X.var(axis=0)
    assert variances.max() > 20 * variances.min()
    for j in range(A.shape[0]):
        parents = np.nonzero(A[:, j])[0]
        design = np.column_stack([X[:, parents], np.ones(len(X))])
        residual = X[:, j] - design @ np.linalg.lstsq(design, X[:, j], rcond=None)[0]
        assert 0.18 < residual.std() < 1.05, j
    # internally standardised, every node has variance 1
    X, _, _ = make_scm(2_000, A.shape[0], graph=A, standardize=False, random_state=3)
    np.testing.assert_allclose(X.var(axis=0), 1, atol=1e-3)


def test_raw_units_interventions_are_drawn_in_the_nodes_units():
    A = np.array([[0, 1], [0, 0]])
    X, mask, _ = make_scm(
        4000,
        2,
        graph=A,
        raw_units=True,
        standardize=False,
        n_intervention_targets=1,
        intervention_fraction=0.5,
        random_state=0,
    )
    target = int(np.nonzero(mask.any(axis=0))[0][0])
    observed, intervened = X[~mask[:, target], target], X[mask[:, target], target]
    # mu ~ U(-2, 2) and s ~ U(0.1, 1) in the node's own standard deviations
    shift = abs(intervened.mean() - observed.mean()) / observed.std()
    assert shift <= 2.1 and 0.09 < intervened.std() / observed.std() < 1.05


def test_raw_units_probability_is_validated():
    from skcausal.datasets import SimulationConfig

    with pytest.raises(ValueError, match="raw_units_probability"):
        SimulationConfig(raw_units_probability=1.5)
