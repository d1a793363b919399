"""skcausal.plot: what each function draws, checked through the returned matplotlib Axes."""

import matplotlib.pyplot as plt  # the Agg backend is set in conftest.py
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcausal import BaseCausalDiscovery, Discovery, ZeroShotCausalDiscovery
from skcausal.plot import plot_edge_count, plot_edge_probabilities, plot_graph

NAMES = ["a", "b", "c", "d", "e"]
# True graph: a -> b -> c -> d -> e, a -> e.
TRUE = np.zeros((5, 5), dtype=int)
TRUE[0, 1] = TRUE[1, 2] = TRUE[2, 3] = TRUE[3, 4] = TRUE[0, 4] = 1
# Learned: a -> b (correct), c -> b (reversed), c -> d (correct), b -> d (extra),
# d - e undirected (true d -> e), a -> e not found (missing).
LEARNED = np.zeros((5, 5), dtype=int)
LEARNED[0, 1] = LEARNED[2, 1] = LEARNED[2, 3] = LEARNED[1, 3] = LEARNED[3, 4] = LEARNED[4, 3] = 1
PROBABILITIES = np.where(LEARNED == 1, 0.9, 0.1)
PROBABILITIES[0, 1] = 0.55
np.fill_diagonal(PROBABILITIES, 0.0)


class FixedGraph(BaseCausalDiscovery):
    """'Learns' the given graph and probabilities, so that the drawings are known in advance."""

    def __init__(self, adjacency=None, probabilities=None):
        self.adjacency = adjacency
        self.probabilities = probabilities

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        return Discovery(self.probabilities, self.adjacency)


@pytest.fixture(autouse=True)
def _close_figures(close_figures):
    pass


@pytest.fixture
def fitted():
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 5)), columns=NAMES)
    return FixedGraph(LEARNED, PROBABILITIES).fit(X)


def _arrows(ax):
    return [patch for patch in ax.patches if isinstance(patch, FancyArrowPatch)]


def _legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_plot_graph_draws_nodes_labels_and_one_patch_per_edge(fitted):
    ax = plot_graph(fitted)
    assert isinstance(ax, Axes)
    assert sorted(text.get_text() for text in ax.texts) == NAMES
    # 4 directed edges and one undirected (d - e) drawn once.
    assert len(_arrows(ax)) == 5
    assert ax.get_legend() is None
    assert not ax.axison


def test_plot_graph_edge_width_grows_with_probability(fitted):
    ax = plot_graph(fitted)
    widths = sorted(patch.get_linewidth() for patch in _arrows(ax))
    # a -> b has probability 0.55, the others 0.9.
    assert widths[0] < widths[1] == widths[-1]


def test_plot_graph_against_the_truth_colours_each_kind(fitted):
    ax = plot_graph(fitted, true_adjacency=TRUE)
    assert _legend_labels(ax) == [
        "correct (2)",
        "reversed (1)",
        "extra (1)",
        "undirected (1)",
        "missing (1)",
    ]
    arrows = _arrows(ax)
    assert len(arrows) == 6  # the 5 learned edges and the missing one
    dashed = [patch for patch in arrows if patch.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 1
    legend_colours = {
        text.get_text().split(" ")[0]: to_hex(line.get_color())
        for text, line in zip(ax.get_legend().get_texts(), ax.get_legend().get_lines())
    }
    assert to_hex(dashed[0].get_edgecolor()) == legend_colours["missing"]
    colours = [to_hex(patch.get_edgecolor()) for patch in arrows]
    assert colours.count(legend_colours["correct"]) == 2
    assert colours.count(legend_colours["extra"]) == 1


def test_plot_graph_legend_leaves_out_undirected_when_there_is_none():
    dag = np.triu(LEARNED)  # keeps d -> e, drops e -> d
    ax = plot_graph(dag, true_adjacency=TRUE)
    assert [label.split(" ")[0] for label in _legend_labels(ax)] == [
        "correct",
        "reversed",
        "extra",
        "missing",
    ]
    assert _legend_labels(ax)[0] == "correct (3)"


def test_plot_graph_against_a_cpdag_shows_oriented_edges():
    # Truth 0 - 1 - 2 (a CPDAG); learned 0 -> 1, 1 - 2.
    cpdag = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    learned = np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0]])
    ax = plot_graph(learned, true_adjacency=cpdag)
    assert _legend_labels(ax) == [
        "correct (1)",
        "reversed (0)",
        "extra (0)",
        "oriented (1)",
        "missing (0)",
    ]


def test_plot_graph_takes_arrays_frames_and_pipelines(fitted):
    ax = plot_graph(pd.DataFrame(LEARNED, index=NAMES, columns=NAMES))
    assert sorted(text.get_text() for text in ax.texts) == NAMES
    ax = plot_graph(LEARNED, node_names=list("VWXYZ"))
    assert sorted(text.get_text() for text in ax.texts) == list("VWXYZ")
    ax = plot_graph(LEARNED)
    assert sorted(text.get_text() for text in ax.texts) == ["0", "1", "2", "3", "4"]

    X = np.random.default_rng(0).normal(size=(300, 4))
    X[:, 1] += X[:, 0]
    pipe = make_pipeline(StandardScaler(), ZeroShotCausalDiscovery()).fit(X)
    ax = plot_graph(pipe)
    assert len(_arrows(ax)) == pipe[-1].adjacency_.sum()


@pytest.mark.parametrize("layout", ["circular", "spring", "kamada_kawai", "shell", "spectral"])
def test_plot_graph_layouts(fitted, layout):
    _, ax = plt.subplots()
    assert plot_graph(fitted, layout=layout, ax=ax) is ax


def test_plot_graph_accepts_fixed_positions(fitted):
    positions = {name: (k, k % 2) for k, name in enumerate(NAMES)}
    ax = plot_graph(fitted, layout=positions)
    centres = {text.get_text(): text.get_position() for text in ax.texts}
    assert centres == {name: pytest.approx(xy) for name, xy in positions.items()}


def test_plot_graph_rejects_bad_input(fitted):
    with pytest.raises(ValueError, match="layout"):
        plot_graph(fitted, layout="hexagonal")
    with pytest.raises(ValueError, match="node_names"):
        plot_graph(fitted, node_names=["x", "y"])
    with pytest.raises(ValueError, match="true_adjacency"):
        plot_graph(fitted, true_adjacency=np.zeros((3, 3)))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_graph(ZeroShotCausalDiscovery())


def test_plot_edge_probabilities_heatmap(fitted):
    ax = plot_edge_probabilities(fitted)
    assert isinstance(ax, Axes)
    (image,) = ax.images
    shown = np.ma.filled(image.get_array(), np.nan)
    assert np.all(np.isnan(np.diag(shown)))
    off_diagonal = ~np.eye(5, dtype=bool)
    np.testing.assert_allclose(shown[off_diagonal], PROBABILITIES[off_diagonal])
    assert image.get_clim() == (0.0, 1.0)
    assert ax.get_ylabel() == "cause (i)" and ax.get_xlabel() == "effect (j)"
    assert [label.get_text() for label in ax.get_xticklabels()] == NAMES
    assert [label.get_text() for label in ax.get_yticklabels()] == NAMES
    # The colour bar is the figure's second Axes.
    assert len(ax.figure.axes) == 2
    # FixedGraph does not declare its scores probabilities: the base class's neutral name.
    assert ax.figure.axes[1].get_ylabel() == "edge score, i → j"
    assert ax.get_legend() is None


def test_plot_edge_probabilities_marks_the_true_edges(fitted):
    _, ax = plt.subplots()
    assert plot_edge_probabilities(fitted, true_adjacency=TRUE, ax=ax) is ax
    (markers,) = ax.collections
    # imshow's x is the column (effect), y the row (cause).
    marked = {(int(round(y)), int(round(x))) for x, y in markers.get_offsets()}
    assert marked == set(zip(*np.nonzero(TRUE)))
    assert _legend_labels(ax) == ["true edge"]


def test_plot_edge_probabilities_takes_a_matrix():
    ax = plot_edge_probabilities(pd.DataFrame(PROBABILITIES, index=NAMES, columns=NAMES))
    assert [label.get_text() for label in ax.get_yticklabels()] == NAMES
    with pytest.raises(ValueError, match="node_names"):
        plot_edge_probabilities(PROBABILITIES, node_names=["x"])


@pytest.mark.parametrize("seed", range(5))
def test_plot_graph_error_counts_add_up_to_the_shd(seed):
    from skcausal.metrics import structural_hamming_distance

    rng = np.random.default_rng(seed)
    true = np.triu(rng.random((7, 7)) < 0.35, k=1).astype(int)  # a DAG
    learned = (rng.random((7, 7)) < 0.2).astype(int)  # anything, undirected edges included
    np.fill_diagonal(learned, 0)
    ax = plot_graph(learned, true_adjacency=true)
    counts = {
        label.split(" ")[0]: int(label.split("(")[1].rstrip(")")) for label in _legend_labels(ax)
    }
    errors = sum(count for name, count in counts.items() if name != "correct")
    assert errors == structural_hamming_distance(true, learned)


class Marks(FixedGraph):
    edge_score_name = "CPDAG mark (1 directed, 0.5 undirected)"


def _colour_bar_label(ax):
    return ax.figure.axes[1].get_ylabel()


def test_plot_edge_probabilities_names_the_estimators_score_on_the_colour_bar():
    # Issue #24 item 7: PC/GES/GIES's marks and NOTEARS's weight score are not probabilities, and
    # the colour bar says what they are instead of "edge probability".
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 5)), columns=NAMES)
    marks = Marks(LEARNED, PROBABILITIES).fit(X)
    label = _colour_bar_label(plot_edge_probabilities(marks))
    assert Marks.edge_score_name in label and "probability" not in label
    # Through a Pipeline, as plot_graph reads it.
    pipe = make_pipeline(StandardScaler(), Marks(LEARNED, PROBABILITIES)).fit(X)
    assert Marks.edge_score_name in _colour_bar_label(plot_edge_probabilities(pipe))
    # The zero-shot model's scores are probabilities, and its label says so.
    zeroshot = ZeroShotCausalDiscovery().fit(X)
    assert _colour_bar_label(plot_edge_probabilities(zeroshot)) == "edge probability P(i → j)"
    # A plain matrix: a neutral label, or the caller's.
    assert "probability" not in _colour_bar_label(plot_edge_probabilities(PROBABILITIES))
    assert _colour_bar_label(plot_edge_probabilities(PROBABILITIES, label="p-value")) == "p-value"
    assert _colour_bar_label(plot_edge_probabilities(marks, label="mark")) == "mark"


def _expected_shd(p, kept):
    """The expected SHD of a graph, written plainly: per pair, the chance that it is wrong."""
    d, total = len(p), 0.0
    for i in range(d):
        for j in range(i + 1, d):
            if kept[i, j]:
                total += 1 - p[i, j]
            elif kept[j, i]:
                total += 1 - p[j, i]
            else:
                total += p[i, j] + p[j, i]
    return total


def test_plot_edge_count_curves_and_readouts():
    # One sure edge and nine pairs at 0.35: the default keeps one edge, "f1" all ten.
    p = np.zeros((12, 12))
    p[0, 1] = 0.9
    p[2, 3:] = 0.35
    p[3, 2] = 0.05
    ax = plot_edge_count(p)
    f1_line, expected, default, f1 = ax.lines
    assert expected.get_xdata()[0] == pytest.approx(p.sum())
    assert default.get_xdata()[0] == 1 and f1.get_xdata()[0] == 10
    assert default.get_label() == "threshold=0.5: 1 edges"
    # The curves against their definitions: keep the k most probable directed edges.
    ranked = sorted(zip(*np.nonzero(p > p.T)), key=lambda e: -p[e])
    shd = ax.right_ax.lines[0].get_ydata()
    for k in range(len(ranked) + 1):
        kept = np.zeros_like(p, dtype=bool)
        for e in ranked[:k]:
            kept[e] = True
        true_positives = p[kept].sum()
        assert f1_line.get_ydata()[k] == pytest.approx(2 * true_positives / (k + p.sum()))
        assert shd[k] == pytest.approx(_expected_shd(p, kept))
    # The readouts sit at the extremes of the curves they optimise.
    assert np.argmin(shd) == 1 and np.argmax(f1_line.get_ydata()) == 10


def test_plot_edge_count_reads_estimators_and_refuses_other_scores(fitted):
    from skcausal.datasets import make_scm

    X, _, _ = make_scm(200, 6, random_state=0)
    est = ZeroShotCausalDiscovery().fit(X)
    for source in (est, make_pipeline(StandardScaler(), ZeroShotCausalDiscovery()).fit(X)):
        ax = plot_edge_count(source)
        assert ax.lines[1].get_xdata()[0] == pytest.approx(est.edge_probabilities_.sum(), abs=0.5)
    with pytest.raises(ValueError, match="not probabilities"):
        plot_edge_count(fitted)  # scores that are not called edge probabilities
