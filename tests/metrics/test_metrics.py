import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.exceptions import NotFittedError, UndefinedMetricWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal._base import BaseCausalDiscovery, Discovery
from skcausal.metrics import (
    classify_edges,
    edge_auprc,
    edge_auroc,
    edge_f1,
    edge_precision,
    edge_recall,
    make_graph_scorer,
    structural_hamming_distance,
)

CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
EMPTY = np.zeros((3, 3), dtype=int)
ALL_METRICS = [
    structural_hamming_distance,
    edge_auroc,
    edge_auprc,
    edge_precision,
    edge_recall,
    edge_f1,
]


def graphs(min_nodes=1, max_nodes=6):
    """Random 0/1 matrices (any directed graph, incl. 2-cycles i.e. CPDAG undirected edges)."""
    return st.integers(min_nodes, max_nodes).flatmap(
        lambda d: arrays(np.int8, (d, d), elements=st.integers(0, 1))
    )


def graph_pairs(max_nodes=6):
    return st.integers(1, max_nodes).flatmap(
        lambda d: st.tuples(
            arrays(np.int8, (d, d), elements=st.integers(0, 1)),
            arrays(np.int8, (d, d), elements=st.integers(0, 1)),
        )
    )


# -- structural Hamming distance -------------------------------------------------------------------
@pytest.mark.parametrize(
    "predicted, expected",
    [
        (CHAIN, 0),
        (CHAIN.T, 2),  # both edges reversed
        (np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), 1),  # 1 -> 2 missing
        (np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]]), 1),  # extra 0 -> 2
        (np.array([[0, 0, 0], [1, 0, 1], [0, 0, 0]]), 1),  # 0 -> 1 reversed
        (np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]]), 1),  # 0 - 1 undirected vs directed
        (np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]), 2),  # both undirected
        (EMPTY, 2),
        (np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]), 3),  # 0<-1 rev, 1->2 missing+2->1, 0->2 extra
    ],
)
def test_shd_hand_worked(predicted, expected):
    assert structural_hamming_distance(CHAIN, predicted) == expected


def test_shd_undirected_against_undirected_is_zero():
    cpdag = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert structural_hamming_distance(cpdag, cpdag) == 0
    assert structural_hamming_distance(cpdag, CHAIN) == 2


def test_shd_binarises_and_ignores_diagonal():
    weighted = CHAIN * np.array([[0, 0.3, 0], [0, 0, -2.0], [0, 0, 0]])
    assert structural_hamming_distance(CHAIN, weighted) == 0
    assert structural_hamming_distance(CHAIN, CHAIN + np.eye(3)) == 0
    assert structural_hamming_distance(CHAIN, CHAIN.astype(bool)) == 0


def test_shd_returns_python_int():
    assert type(structural_hamming_distance(CHAIN, EMPTY)) is int


@settings(max_examples=60, deadline=None)
@given(graph_pairs())
def test_shd_properties(pair):
    a, b = pair
    d = a.shape[0]
    assert structural_hamming_distance(a, a) == 0
    shd = structural_hamming_distance(a, b)
    assert shd == structural_hamming_distance(b, a)
    assert 0 <= shd <= d * (d - 1) // 2


@settings(max_examples=40, deadline=None)
@given(graph_pairs())
def test_shd_matches_pairwise_definition(pair):
    a, b = pair
    d = a.shape[0]
    expected = sum(
        (a[i, j] != 0, a[j, i] != 0) != (b[i, j] != 0, b[j, i] != 0)
        for i in range(d)
        for j in range(i + 1, d)
    )
    assert structural_hamming_distance(a, b) == expected


# -- edge categories -------------------------------------------------------------------------------
def test_classify_edges_hand_worked():
    # Truth: 0 -> 1 -> 2, 3 - 4 undirected (a CPDAG), 0 -> 3.
    true = np.zeros((5, 5), dtype=int)
    true[0, 1] = true[1, 2] = true[0, 3] = true[3, 4] = true[4, 3] = 1
    # Learned: 0 -> 1 right, 2 -> 1 reversed, 0 - 3 undirected, 3 -> 4 oriented, 2 -> 4 extra.
    learned = np.zeros((5, 5), dtype=int)
    learned[0, 1] = learned[2, 1] = learned[0, 3] = learned[3, 0] = learned[3, 4] = learned[
        2, 4
    ] = 1
    assert classify_edges(true, learned) == {
        "correct": [(0, 1, True)],
        "reversed": [(2, 1, True)],
        "extra": [(2, 4, True)],
        "missing": [],
        "undirected": [(0, 3, False)],
        "oriented": [(3, 4, True)],
    }
    # The other way round: what was learned is now the truth.
    assert classify_edges(learned, true) == {
        "correct": [(0, 1, True)],
        "reversed": [(1, 2, True)],
        "extra": [],
        "missing": [(2, 4, True)],
        "undirected": [(3, 4, False)],
        "oriented": [(0, 3, True)],
    }


def test_classify_edges_missing_keeps_the_true_direction_and_types():
    categories = classify_edges(CHAIN, EMPTY)
    assert categories["missing"] == [(0, 1, True), (1, 2, True)]
    assert all(type(v) is int for edge in categories["missing"] for v in edge[:2])
    assert type(categories["missing"][0][2]) is bool


@settings(max_examples=60, deadline=None)
@given(graph_pairs())
def test_classify_edges_partitions_the_pairs_and_counts_the_shd(pair):
    true, learned = pair
    d = true.shape[0]
    categories = classify_edges(true, learned)
    pairs = [frozenset(edge[:2]) for edges in categories.values() for edge in edges]
    assert len(pairs) == len(set(pairs))  # each pair in at most one category
    touched = {
        frozenset((i, j))
        for i in range(d)
        for j in range(d)
        if i != j and (true[i, j] or learned[i, j])
    }
    assert set(pairs) == touched  # and every pair with an edge in either graph is in one
    errors = sum(len(edges) for name, edges in categories.items() if name != "correct")
    assert errors == structural_hamming_distance(true, learned)
    for source, target, directed in categories["correct"] + categories["extra"]:
        assert learned[source, target]
        assert directed != bool(learned[target, source])


# -- AUROC / AUPRC ---------------------------------------------------------------------------------
def test_auroc_auprc_hand_worked():
    scores = np.array([[0.0, 0.9, 0.3], [0.2, 0.0, 0.4], [0.1, 0.5, 0.0]])
    # Positives 0.9 and 0.4 against negatives 0.3, 0.2, 0.1, 0.5: 7 of 8 pairs ordered right.
    assert edge_auroc(CHAIN, scores) == pytest.approx(7 / 8)
    # Ranking: pos (P=1), neg, pos (P=2/3) -> AP = (1 + 2/3) / 2.
    assert edge_auprc(CHAIN, scores) == pytest.approx(5 / 6)


def test_auroc_ignores_diagonal():
    scores = CHAIN + 10 * np.eye(3)
    assert edge_auroc(CHAIN, scores) == 1.0
    assert edge_auprc(CHAIN, scores) == 1.0


def test_perfect_and_worst_scores():
    assert edge_auroc(CHAIN, CHAIN) == 1.0
    assert edge_auprc(CHAIN, CHAIN) == 1.0
    assert edge_auroc(CHAIN, 1 - CHAIN) == 0.0
    assert edge_auroc(CHAIN, np.full((3, 3), 0.5)) == 0.5


@pytest.mark.parametrize(
    "truth",
    [EMPTY, 1 - np.eye(3, dtype=int), np.zeros((1, 1))],
    ids=["no-edges", "all-edges", "one-node"],
)
def test_auroc_undefined_returns_nan_with_warning(truth):
    with pytest.warns(UndefinedMetricWarning, match="edge_auroc is undefined"):
        value = edge_auroc(truth, np.random.default_rng(0).random(truth.shape))
    assert np.isnan(value)


def test_auprc_undefined_without_positives():
    with pytest.warns(UndefinedMetricWarning, match="edge_auprc is undefined"):
        assert np.isnan(edge_auprc(EMPTY, np.ones((3, 3))))
    complete = 1 - np.eye(3, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert edge_auprc(complete, np.random.default_rng(0).random((3, 3))) == 1.0


@settings(max_examples=40, deadline=None)
@given(graphs(min_nodes=2))
def test_auroc_of_truth_is_one(truth):
    off_diagonal = truth[~np.eye(truth.shape[0], dtype=bool)]
    if off_diagonal.min() == off_diagonal.max():
        return  # one class only: covered by the undefined-metric tests
    assert edge_auroc(truth, truth) == 1.0
    assert edge_auprc(truth, truth) == 1.0


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda d: st.tuples(
            arrays(np.int8, (d, d), elements=st.integers(0, 1)),
            arrays(np.float64, (d, d), elements=st.floats(-5, 5)),
        )
    )
)
def test_auroc_auprc_range_and_complement(pair):
    truth, scores = pair
    off_diagonal = truth[~np.eye(truth.shape[0], dtype=bool)]
    if off_diagonal.min() == off_diagonal.max():
        return
    auroc = edge_auroc(truth, scores)
    assert 0.0 <= auroc <= 1.0
    assert edge_auroc(truth, -scores) == pytest.approx(1.0 - auroc)
    assert 0.0 < edge_auprc(truth, scores) <= 1.0


# -- precision / recall / F1 -----------------------------------------------------------------------
def test_precision_recall_f1_perfect():
    assert edge_precision(CHAIN, CHAIN) == 1.0
    assert edge_recall(CHAIN, CHAIN) == 1.0
    assert edge_f1(CHAIN, CHAIN) == 1.0


def test_precision_recall_f1_hand_worked():
    missing = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    assert (edge_precision(CHAIN, missing), edge_recall(CHAIN, missing)) == (1.0, 0.5)
    assert edge_f1(CHAIN, missing) == pytest.approx(2 / 3)

    extra = np.array([[0, 1, 1], [0, 0, 1], [0, 0, 0]])
    assert edge_precision(CHAIN, extra) == pytest.approx(2 / 3)
    assert edge_recall(CHAIN, extra) == 1.0
    assert edge_f1(CHAIN, extra) == pytest.approx(0.8)

    assert edge_precision(CHAIN, CHAIN.T) == 0.0
    assert edge_recall(CHAIN, CHAIN.T) == 0.0
    assert edge_f1(CHAIN, CHAIN.T) == 0.0


def test_cpdag_undirected_edge_counts_as_two_directed_edges():
    cpdag = np.array([[0, 1, 0], [1, 0, 1], [0, 0, 0]])  # 0 - 1 -> 2
    # Predicted 0->1 (right), 1->0 (wrong), 1->2 (right).
    assert edge_precision(CHAIN, cpdag) == pytest.approx(2 / 3)
    assert edge_recall(CHAIN, cpdag) == 1.0
    assert edge_f1(CHAIN, cpdag) == pytest.approx(0.8)


def test_zero_division():
    # Nothing predicted: precision 0/0; the truth has edges so F1 is 0 anyway.
    assert edge_precision(CHAIN, EMPTY) == 0.0
    assert edge_precision(CHAIN, EMPTY, zero_division=1.0) == 1.0
    assert edge_f1(CHAIN, EMPTY, zero_division=1.0) == 0.0
    # Empty truth: recall 0/0.
    assert edge_recall(EMPTY, CHAIN) == 0.0
    assert np.isnan(edge_recall(EMPTY, CHAIN, zero_division=np.nan))
    # Both empty: every ratio is 0/0.
    assert edge_f1(EMPTY, EMPTY) == 0.0
    assert edge_f1(EMPTY, EMPTY, zero_division=1) == 1.0
    with pytest.raises(ValueError, match="zero_division"):
        edge_f1(CHAIN, CHAIN, zero_division="warn")
    with pytest.raises(ValueError, match="zero_division"):
        edge_f1(CHAIN, CHAIN, zero_division=2)


@settings(max_examples=60, deadline=None)
@given(graph_pairs())
def test_precision_recall_f1_ranges_and_harmonic_mean(pair):
    truth, predicted = pair
    precision = edge_precision(truth, predicted)
    recall = edge_recall(truth, predicted)
    f1 = edge_f1(truth, predicted)
    for value in (precision, recall, f1):
        assert 0.0 <= value <= 1.0
    if precision + recall > 0:
        assert f1 == pytest.approx(2 * precision * recall / (precision + recall))
    # Swapping the roles of the graphs swaps precision and recall.
    assert edge_precision(predicted, truth) == pytest.approx(recall)


# -- input validation ------------------------------------------------------------------------------
@pytest.mark.parametrize("metric", ALL_METRICS)
def test_accepts_dataframes_and_bools(metric):
    names = ["a", "b", "c"]
    frame = pd.DataFrame(CHAIN, index=names, columns=names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metric(frame, frame.astype(bool)) == metric(CHAIN, CHAIN)


@pytest.mark.parametrize("metric", ALL_METRICS)
@pytest.mark.parametrize(
    "true, other, message",
    [
        (CHAIN, np.zeros((4, 4)), r"must be \(3, 3\)"),
        (CHAIN, np.zeros((3, 2)), "square 2-D"),
        (np.zeros(3), np.zeros(3), "true_adjacency must be a square 2-D"),
        (CHAIN, np.zeros((2, 3, 3)), "square 2-D"),
        (CHAIN, np.full((3, 3), "x"), "numeric or boolean"),
        (CHAIN, np.where(CHAIN, np.nan, 0.0), "NaN or infinite"),
        (CHAIN, np.where(CHAIN, np.inf, 0.0), "NaN or infinite"),
        (np.where(CHAIN, np.nan, 0.0), CHAIN, "true_adjacency contains NaN"),
        (CHAIN, pd.DataFrame([["a", 1, 0]] * 3), "numeric or boolean"),
    ],
)
def test_invalid_input_raises(metric, true, other, message):
    with pytest.raises(ValueError, match=message):
        metric(true, other)


# -- scorers ---------------------------------------------------------------------------------------
class _Fitted:
    """A stand-in for a fitted estimator: only the attributes the scorers read."""

    def __init__(self, adjacency, probabilities):
        self.adjacency_ = adjacency
        self.edge_probabilities_ = probabilities


PROBABILITIES = np.array([[0.0, 0.9, 0.3], [0.2, 0.0, 0.4], [0.1, 0.5, 0.0]])
MISSING = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize(
    "metric, expected",
    [
        ("shd", -1.0),
        ("auroc", 7 / 8),
        ("auprc", 5 / 6),
        ("f1", 2 / 3),
        ("precision", 1.0),
        ("recall", 0.5),
        ("skeleton_f1", 2 / 3),
        ("sid", -2.0),  # the effects of 0 and 1 on 2 are taken to be zero
        (structural_hamming_distance, -1.0),
        (edge_auroc, 7 / 8),
        (edge_auprc, 5 / 6),
        (edge_f1, 2 / 3),
        (edge_precision, 1.0),
        (edge_recall, 0.5),
    ],
)
def test_graph_scorer_reads_fitted_attributes(metric, expected):
    scorer = make_graph_scorer(metric, CHAIN)
    score = scorer(_Fitted(MISSING, PROBABILITIES), np.zeros((5, 3)))
    assert isinstance(score, float)
    assert score == pytest.approx(expected)


def test_cpdag_shd_scorer_reads_cpdag_():
    from skcausal.baselines import NOTEARS

    rng = np.random.default_rng(0)
    a = rng.normal(size=500)
    X = np.column_stack([a, 2 * a + rng.normal(size=500), rng.normal(size=500)])
    est = NOTEARS().fit(X)
    truth = np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    # Either direction of 0 - 1 is in the true class: a perfect score at the class level.
    assert make_graph_scorer("cpdag_shd", truth)(est, X) == 0.0
    assert make_graph_scorer("cpdag_shd", truth.T)(est, X) == 0.0
    with pytest.raises(NotFittedError, match="cpdag_"):
        make_graph_scorer("cpdag_shd", truth)(_Fitted(truth, None), None)


def test_graph_scorer_uses_last_pipeline_step_and_pickles():
    pipeline = make_pipeline(StandardScaler(), _Fitted(CHAIN, PROBABILITIES))
    scorer = make_graph_scorer("shd", CHAIN)
    assert scorer(pipeline, None) == 0.0
    restored = pickle.loads(pickle.dumps(scorer))
    assert restored(_Fitted(CHAIN.T, PROBABILITIES), None) == -2.0
    assert "shd" in repr(scorer)


def test_graph_scorer_copies_truth():
    truth = CHAIN.copy()
    scorer = make_graph_scorer("shd", truth)
    truth[0, 2] = 1
    assert scorer(_Fitted(CHAIN, PROBABILITIES), None) == 0.0


def test_graph_scorer_errors():
    with pytest.raises(
        ValueError, match=r"allowed names are \['auprc', 'auroc', 'cpdag_shd', 'f1'"
    ):
        make_graph_scorer("accuracy", CHAIN)
    with pytest.raises(ValueError, match="one of the names"):
        make_graph_scorer(len, CHAIN)
    with pytest.raises(ValueError, match="true_adjacency"):
        make_graph_scorer("shd", np.zeros((2, 3)))
    with pytest.raises(NotFittedError, match="adjacency_"):
        make_graph_scorer("f1", CHAIN)(object(), None)
    with pytest.raises(ValueError, match=r"must be \(3, 3\)"):
        make_graph_scorer("f1", CHAIN)(_Fitted(np.zeros((4, 4)), None), None)


class _ThresholdedCorrelation(BaseCausalDiscovery):
    """Edge i -> j (i < j) where |corr(x_i, x_j)| exceeds ``threshold``."""

    def __init__(self, threshold=0.5):
        self.threshold = threshold

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        probabilities = np.abs(np.corrcoef(X, rowvar=False))
        adjacency = np.triu(probabilities > self.threshold, k=1)
        return Discovery(np.triu(probabilities, k=1), adjacency)


def _chain_data(n=600, seed=0):
    # Noise scaled so that |corr| is about 0.95 along the chain's edges and 0.90 between 0 and 2.
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=n)
    x1 = x0 + 0.33 * rng.normal(size=n)
    x2 = x1 + 0.35 * rng.normal(size=n)
    return np.column_stack([x0, x1, x2])


def test_graph_scorer_in_cross_val_score():
    X = _chain_data()
    cv = KFold(3, shuffle=True, random_state=0)
    good = cross_val_score(
        _ThresholdedCorrelation(0.925), X, scoring=make_graph_scorer("shd", CHAIN), cv=cv
    )
    assert np.array_equal(good, [0.0, 0.0, 0.0])
    bad = cross_val_score(
        _ThresholdedCorrelation(0.1), X, scoring=make_graph_scorer("shd", CHAIN), cv=cv
    )
    assert np.array_equal(bad, [-1.0, -1.0, -1.0])
    auroc = cross_val_score(
        make_pipeline(StandardScaler(), _ThresholdedCorrelation()),
        X,
        scoring=make_graph_scorer("auroc", CHAIN),
        cv=cv,
    )
    assert np.all(auroc == 1.0)


def test_graph_scorer_with_routed_intervention_mask():
    X = _chain_data()
    mask = np.zeros(X.shape, dtype=bool)
    mask[:50, 0] = True
    with sklearn.config_context(enable_metadata_routing=True):
        estimator = _ThresholdedCorrelation(0.925).set_fit_request(intervention_mask=True)
        scores = cross_val_score(
            estimator,
            X,
            scoring=make_graph_scorer("shd", CHAIN),
            cv=KFold(3),
            params={"intervention_mask": mask},
        )
    assert np.array_equal(scores, [0.0, 0.0, 0.0])
    assert not np.signbit(scores).any()  # a perfect negated SHD prints as 0, not -0


def test_graph_scorer_in_grid_search():
    search = GridSearchCV(
        _ThresholdedCorrelation(),
        {"threshold": [0.1, 0.925]},
        scoring=make_graph_scorer("f1", CHAIN),
        cv=3,
    )
    search.fit(_chain_data())
    assert search.best_params_ == {"threshold": 0.925}
    assert search.best_score_ == 1.0
