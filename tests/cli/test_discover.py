"""``python -m skcausal discover`` on CSV files: reading them (separator, saved index), running
every method whatever fails, progress, score names, and the options and help of issue #24."""

import re

import numpy as np
import pandas as pd
import pytest

from skcausal.cli import build_parser, main
from skcausal.datasets import make_environments, make_scm

COLUMNS = ["gene_A", "gene_B", "gene_C", "gene_D"]


@pytest.fixture
def frame():
    X, _, _ = make_scm(200, 4, random_state=0)
    return pd.DataFrame(X, columns=COLUMNS)


def _discover(*args):
    return main(["discover", *map(str, args)])


def _edges_printed(text):
    """The (source, target) pairs of the printed edge tables."""
    names = "|".join(["Unnamed: 0", *COLUMNS])
    return re.findall(rf"^\s*({names})\s+(?:->|--)\s+({names})\s", text, flags=re.MULTILINE)


# -- item 2: reading the CSV ---------------------------------------------------------------------
def test_a_saved_index_is_warned_about_and_index_col_uses_it(frame, tmp_path, capsys):
    path = tmp_path / "data.csv"
    frame.to_csv(path)  # pandas' default: the index is the first, unnamed column
    code = _discover("--data", path, "--methods", "pc")
    captured = capsys.readouterr()
    assert "Unnamed: 0" in captured.err and "--index-col 0" in captured.err
    assert code == 0

    for index_col in ("0", "Unnamed: 0"):
        assert _discover("--data", path, "--methods", "pc", "--index-col", index_col) == 0
        captured = capsys.readouterr()
        assert "Unnamed: 0" not in captured.out + captured.err
        assert _edges_printed(captured.out)

    with pytest.raises(SystemExit) as exit_info:
        _discover("--data", path, "--methods", "pc", "--index-col", "sample")
    assert exit_info.value.code == 2
    assert "'sample'" in capsys.readouterr().err


def test_the_separator_is_detected_or_hinted(frame, tmp_path, capsys):
    path = tmp_path / "data.csv"
    frame.to_csv(path, sep=";", index=False)
    assert _discover("--data", path, "--methods", "pc") == 0
    assert _edges_printed(capsys.readouterr().out)

    with pytest.raises(SystemExit) as exit_info:
        _discover("--data", path, "--methods", "pc", "--sep", ",")
    assert exit_info.value.code == 2
    assert "--sep ';'" in capsys.readouterr().err

    tabs = tmp_path / "data.tsv"
    frame.to_csv(tabs, sep="\t", index=False)
    assert _discover("--data", tabs, "--methods", "pc", "--sep", "\\t") == 0

    # A spreadsheet's export in many locales: semicolons and decimal commas.
    euro = tmp_path / "euro.csv"
    frame.to_csv(euro, sep=";", decimal=",", index=False)
    with pytest.raises(SystemExit):
        _discover("--data", euro, "--methods", "pc")
    assert "--decimal ','" in capsys.readouterr().err
    assert _discover("--data", euro, "--methods", "pc", "--decimal", ",") == 0


# -- item 3: every method runs ---------------------------------------------------------------------
def test_every_method_runs_when_one_fails_and_the_exit_status_says_so(tmp_path, capsys):
    X, _, _ = make_scm(15, 20, random_state=0)
    path = tmp_path / "wide.csv"
    pd.DataFrame(X, columns=[f"g{j}" for j in range(20)]).to_csv(path, index=False)
    out = tmp_path / "out"
    assert _discover("--data", path, "--methods", "pc,zeroshot", "--out", out) == 1
    text = capsys.readouterr().out
    summary = text[text.index("summary") :]
    assert re.search(r"pc\s+failed\s+.*needs more samples than variables", summary)
    assert re.search(r"zeroshot\s+ok", summary)
    assert (out / "zeroshot_edges.csv").is_file() and (out / "zeroshot_graph.png").is_file()
    assert not list(out.glob("pc_*"))


# -- item 5: progress and verbose ----------------------------------------------------------------
def test_verbose_shows_progress_and_reaches_the_estimators(frame, tmp_path, capsys, monkeypatch):
    from skcausal import BaseCausalDiscovery
    from skcausal._base import Discovery

    seen = {}

    class Verbose(BaseCausalDiscovery):
        """An estimator with scikit-learn's verbose parameter: records what the CLI set."""

        def __init__(self, knowledge=None, n_bootstrap=0, random_state=None, verbose=False):
            self.knowledge = knowledge
            self.n_bootstrap = n_bootstrap
            self.random_state = random_state
            self.verbose = verbose

        def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
            seen["verbose"] = self.verbose
            d = X.shape[1]
            return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))

    import skcausal.benchmark

    make = skcausal.benchmark.make_estimators
    monkeypatch.setattr(
        skcausal.benchmark,
        "make_estimators",
        lambda methods, **kw: {
            name: (Verbose() if name == "pc" else est) for name, est in make(methods, **kw).items()
        },
    )
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    assert _discover("--data", path, "--methods", "pc,ges", "--verbose") == 0
    err = capsys.readouterr().err
    assert "2/2" in err  # tqdm's count over the methods
    assert seen["verbose"] is True


# -- item 7: the score's name ----------------------------------------------------------------------
def test_tables_and_edge_files_name_the_score(frame, tmp_path, capsys):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    code = _discover("--data", path, "--methods", "zeroshot,pc,notears", "--out", out)
    text = capsys.readouterr().out
    assert "CPDAG mark (1 directed, 0.5 undirected)" in text
    assert code == 0
    assert "edge probability" in text and "weight score" in text
    for method, name in [
        ("zeroshot", "edge probability"),
        ("pc", "CPDAG mark (1 directed, 0.5 undirected)"),
        ("notears", "weight score |W| / (|W| + w_threshold)"),
    ]:
        table = pd.read_csv(out / f"{method}_edges.csv")
        assert "probability" not in table.columns
        assert (table["score_name"] == name).all()
        assert table["score"].between(0, 1).all()


# -- item 9: options and help ----------------------------------------------------------------------
def _option_blocks(help_text):
    """Each option's help, joined over its wrapped lines."""
    blocks = []
    for line in help_text.splitlines():
        if re.match(r"^  -", line):
            blocks.append(line.strip())
        elif blocks and line.startswith("   "):
            blocks[-1] += " " + line.strip()
    return blocks


@pytest.mark.parametrize("command", ["discover", "benchmark", "pretrain"])
def test_help_states_every_default(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    for block in _option_blocks(text):
        if block.startswith("-h") or "(required)" in block:
            continue
        assert "default" in block, block
    if command == "discover":
        assert "zeroshot,pc,ges,notears,gies" in text
        assert "nothing is written" in " ".join(text.split())


def test_param_sets_a_methods_parameter_or_names_the_valid_ones(frame, tmp_path, capsys):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    assert _discover("--data", path, "--methods", "pc", "--param", "pc.alpha=0.001") == 0
    assert "alpha=0.001" in capsys.readouterr().out
    for bad, expected in [
        ("pc.alfa=0.01", "alpha"),  # unknown parameter: the valid names are listed
        ("ges.alpha=0.01", "ges"),  # a method not among --methods
        ("pc.alpha=7", "alpha"),  # outside the parameter's constraints
        ("alpha=0.01", "METHOD.NAME=VALUE"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            _discover("--data", path, "--methods", "pc", "--param", bad)
        assert exit_info.value.code == 2
        assert expected in capsys.readouterr().err, bad


def test_a_graph_emptied_for_want_of_dependence_is_said_in_the_summary(tmp_path, capsys):
    path = tmp_path / "noise.csv"
    noise = np.random.default_rng(3).standard_normal((20, 20))  # the model alone keeps 2 edges
    pd.DataFrame(noise, columns=[f"x{i}" for i in range(20)]).to_csv(path, index=False)
    assert _discover("--data", path, "--methods", "zeroshot") == 0
    out = capsys.readouterr().out
    assert "0 edges; no pair of columns shown dependent at alpha=0.01" in out
    assert _discover("--data", path, "--methods", "zeroshot", "--param", "zeroshot.alpha=None") == 0
    out = capsys.readouterr().out
    assert "shown dependent" not in out and "zeroshot (alpha=None): 2 edges" in out


def test_environments_column(tmp_path, capsys):
    X, env, _, _ = make_environments(600, 4, n_environments=3, random_state=0)
    table = pd.DataFrame(X, columns=COLUMNS)
    table.insert(0, "condition", np.array(["control", "drug1", "drug2"])[env])
    path = tmp_path / "data.csv"
    table.to_csv(path, index=False)
    out = tmp_path / "out"
    code = _discover(
        "--data",
        path,
        "--methods",
        "pc,ges",
        "--environments",
        "condition",
        "--reference-environment",
        "control",
        "--out",
        out,
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "condition" not in " ".join(pd.read_csv(out / "pc_edges.csv")["source"])
    assert re.search(r"pc\s+ok.*environments", text)
    assert re.search(r"ges\s+ok.*pooled", text)

    with pytest.raises(SystemExit) as exit_info:
        _discover("--data", path, "--methods", "pc", "--environments", "batch")
    assert exit_info.value.code == 2
    assert "'batch'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _discover(
            "--data", path, "--environments", "condition", "--reference-environment", "placebo"
        )
    assert "placebo" in capsys.readouterr().err


def test_the_parser_keeps_its_entry_point():
    assert build_parser().parse_args(["discover"]).data == "sachs"


def test_threshold_takes_a_number_or_f1(frame, tmp_path, capsys):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    from skcausal import ZeroShotCausalDiscovery

    for threshold in ["0.9", "f1"]:
        assert _discover("--data", path, "--methods", "zeroshot", "--threshold", threshold) == 0
        value = threshold if threshold == "f1" else float(threshold)
        A = ZeroShotCausalDiscovery(threshold=value).fit(frame).adjacency_
        printed = _edges_printed(capsys.readouterr().out)
        assert len(printed) == A.sum()
        assert {(COLUMNS.index(a), COLUMNS.index(b)) for a, b in printed} == set(zip(*A.nonzero()))
    for bad in ["F1", "1.5", "half"]:
        with pytest.raises(SystemExit) as exit_info:
            _discover("--data", path, "--methods", "zeroshot", "--threshold", bad)
        assert exit_info.value.code == 2
        assert "expected a number in [0, 1] or f1" in capsys.readouterr().err, bad
