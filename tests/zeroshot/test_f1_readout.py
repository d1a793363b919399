"""``threshold="f1"``: the graph that maximises the expected F1 score of its edges, read from the
same probabilities as the default (its cutoff is tested in tests/graph/test_dag.py)."""

import numpy as np
import pytest

from skcausal import BackgroundKnowledge, ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.graph import expected_f1_cutoff, is_dag, likelier_direction


def _fits(X, **params):
    return [ZeroShotCausalDiscovery(threshold=t, **params).fit(X) for t in (0.5, "f1")]


def test_f1_keeps_nearer_the_expected_number_of_edges_where_probabilities_are_diffuse():
    # At 100 rows the probabilities of a 10-column MLP graph are diffuse: the default keeps
    # about 3/4 of the edges they expect.
    gaps = []
    for seed in range(4):
        X, _, _ = make_scm(100, 10, mechanism="mlp", random_state=seed)
        default, f1 = _fits(X)
        expected = default.edge_probabilities_.sum()
        assert np.array_equal(default.edge_probabilities_, f1.edge_probabilities_)
        assert is_dag(f1.adjacency_)
        gaps.append((expected - default.adjacency_.sum(), abs(expected - f1.adjacency_.sum())))
    gaps = np.array(gaps)
    assert gaps[:, 0].mean() > 3  # the default falls short ...
    assert gaps[:, 1].mean() < gaps[:, 0].mean() / 2  # ... and "f1" halves the gap


def test_f1_graph_is_the_cutoff_of_the_likelier_directions():
    X, _, _ = make_scm(200, 8, mechanism="linear", random_state=3)
    est = ZeroShotCausalDiscovery(threshold="f1", acyclic=False).fit(X)
    p = est.edge_probabilities_
    s = likelier_direction(p)
    assert np.array_equal(est.adjacency_, (s > expected_f1_cutoff(s, p.sum())).astype(int))


@pytest.mark.filterwarnings("ignore::skcausal.NoDependenceWarning")
@pytest.mark.parametrize("n", [20, 50])
def test_f1_gives_no_edge_on_pure_noise(n):
    # The dependence check empties the graph whatever the cutoff; without it, the diffuse
    # probabilities of noise give "f1" edges.
    unchecked = 0
    for seed in range(5):
        noise = np.random.default_rng(seed).standard_normal((n, 10))
        assert ZeroShotCausalDiscovery(threshold="f1").fit(noise).adjacency_.sum() == 0
        unchecked += ZeroShotCausalDiscovery(threshold="f1", alpha=None).fit(noise).adjacency_.sum()
    assert unchecked > 0


def test_f1_honours_knowledge():
    X, _, _ = make_scm(300, 8, mechanism="linear", random_state=5)
    knowledge = BackgroundKnowledge(required=[(6, 1)], forbidden=[(0, 1), (1, 0)])
    A = ZeroShotCausalDiscovery(threshold="f1", knowledge=knowledge).fit(X).adjacency_
    assert A[6, 1] == 1 and A[0, 1] == 0 and A[1, 0] == 0 and is_dag(A)


@pytest.mark.parametrize("bad", ["F1", "auto", -0.1, 1.5])
def test_threshold_refuses_other_values(bad):
    X, _, _ = make_scm(50, 4, random_state=0)
    with pytest.raises(ValueError, match="threshold"):
        ZeroShotCausalDiscovery(threshold=bad).fit(X)
