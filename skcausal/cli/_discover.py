"""``python -m skcausal discover``: the package's main job, on the Sachs data or a CSV file."""

from __future__ import annotations

import ast
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from skcausal.cli import _read

# Edges printed per method; the --out edge table has every pair.
_SHOWN = 30

_SACHS_NOTE = """\
Sachs et al. (2005): 11 phosphoproteins, 7,466 cells in 9 conditions (log concentrations), scored
against the 18-edge consensus network (it has one cycle, PIP2 -> PIP3 -> plcg -> PIP2, so no DAG
reaches SHD 0). sachs-obs: the 1,755 cells of the two observational conditions. sachs-int: all cells
with the intervention mask; only the zero-shot model and GIES use the mask, \
PC, GES and NOTEARS treat
every row as observational. SHD: lower is better; F1, AUROC, AUPRC: higher is better."""


def _sachs(methods, out):
    from skcausal.benchmark import make_estimators, run_benchmark

    estimators = make_estimators(methods)
    results = run_benchmark(estimators, suite="sachs", n_repeats=1, progress=True)
    table = results[["dataset", "method", "status", "shd", "f1", "auroc", "auprc", "fit_seconds"]]
    print()
    print(_SACHS_NOTE)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / "sachs_results.csv", index=False)
        if "zeroshot" in estimators:
            _plot_sachs(out)
    return results


def _plot_sachs(out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skcausal import ZeroShotCausalDiscovery
    from skcausal.datasets import load_sachs
    from skcausal.plot import plot_graph

    X, mask, truth = load_sachs(as_frame=True)
    est = ZeroShotCausalDiscovery().fit(X, intervention_mask=mask)
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), constrained_layout=True)
    plot_graph(est, true_adjacency=truth, ax=axes[0])
    axes[0].set_title("zero-shot, with the intervention mask")
    plot_graph(truth, ax=axes[1])
    axes[1].set_title("consensus network (18 edges)")
    path = out / "sachs_zeroshot.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"\nplot: {path}")


def _read_inputs(args):
    """The data, the mask, the environments and the knowledge, checked before any method runs:
    bad input is one error (exit status 2), not the same failure once per method."""
    from skcausal import BackgroundKnowledge, BaseCausalDiscovery
    from skcausal._inputs import check_environments

    sep = _read.parse_separator(args.sep)
    read = {"sep": sep, "decimal": args.decimal, "index_col": args.index_col}
    X = _read.read_csv(args.data, **read)
    environments = reference = None
    if args.environments is not None:
        X, environments = _read.split_environments(X, args.environments)
        reference = _read.reference_label(environments, args.reference_environment)
    elif args.reference_environment is not None:
        raise ValueError("--reference-environment needs --environments COLUMN.")
    mask = _read.read_mask(args.mask, X, **read) if args.mask else None
    knowledge = BackgroundKnowledge.from_json(args.knowledge) if args.knowledge else None
    # The checks every fit makes (numbers, finite, no constant column, the mask), made once.
    probe = BaseCausalDiscovery()
    try:
        probe._validate_fit_input(X, None, mask)
    except ValueError as error:
        raise ValueError(f"{error}{_read.hint_for_strings(X, sep, args.decimal)}") from None
    if knowledge is not None:
        knowledge.to_matrices(probe._node_names())
    if environments is not None:
        check_environments(environments, X.shape[0], reference)
    _describe_columns(probe, X)
    return X, mask, environments, reference, knowledge


def _describe_columns(probe, X):
    """One line on the columns' kinds and the missing cells (docs/inputs.md)."""
    from skcausal._columns import describe_kinds

    missing = X.isna().to_numpy()
    discrete = describe_kinds(probe.feature_kinds_, probe._node_names())
    print(
        f"data: {X.shape[0]} rows, {X.shape[1]} columns; discrete: {discrete or 'none'}; "
        f"missing cells: {int(missing.sum())}"
        + (f" (in {int(missing.any(axis=1).sum())} rows)" if missing.any() else "")
    )


def _parse_params(texts, estimators):
    """``--param METHOD.NAME=VALUE`` options as {method: {name: value}}; values are Python
    literals (ast.literal_eval), anything else a string."""
    params = {}
    for text in texts:
        key, equals, value = text.partition("=")
        method, dot, name = key.strip().partition(".")
        if not (equals and dot and method and name):
            raise ValueError(f"--param {text!r}: write METHOD.NAME=VALUE, e.g. pc.alpha=0.01.")
        if method not in estimators:
            raise ValueError(
                f"--param {text!r}: {method!r} is not among --methods ({', '.join(estimators)})."
            )
        valid = sorted(estimators[method].get_params(deep=False))
        if name not in valid:
            raise ValueError(
                f"--param {text!r}: {method} has no parameter {name!r}; its parameters are "
                f"{', '.join(valid)}."
            )
        try:
            value = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            value = value.strip()
        params.setdefault(method, {})[name] = value
    return params


def _configure(estimators, args, knowledge, reference):
    """Every estimator's parameters from the options; --param last, and all validated now."""
    from sklearn.utils._param_validation import InvalidParameterError

    if args.threshold is not None and "zeroshot" not in estimators:
        raise ValueError(
            "--threshold applies to the zeroshot method, which is not among the methods."
        )
    overrides = _parse_params(args.param, estimators)
    for name, est in estimators.items():
        est.set_params(knowledge=knowledge, n_bootstrap=args.bootstrap, random_state=args.seed)
        available = est.get_params(deep=False)
        if name == "zeroshot" and args.threshold is not None:
            est.set_params(threshold=args.threshold)
        if args.environments is not None and "reference_environment" in available:
            est.set_params(reference_environment=reference)
        if args.verbose and "verbose" in available:
            est.set_params(verbose=True)
        est.set_params(**overrides.get(name, {}))
        try:
            est._validate_params()
        except InvalidParameterError as error:
            raise ValueError(f"{name}: {error}") from None
    return overrides


def _print_edges(est, name, overrides):
    """The learned edges, most confident first, under the name of their score."""
    names = [str(node) for node in est._node_names()]
    A = est.adjacency_
    # An undirected edge once, as "a -- b".
    rows = [(i, j) for i, j in zip(*np.nonzero(A)) if not (A[j, i] and j < i)]
    rows.sort(key=lambda pair: -est.edge_probabilities_[pair])
    shown = ", ".join(f"{key}={value!r}" for key, value in overrides.get(name, {}).items())
    print(f"\n{name}{f' ({shown})' if shown else ''}: {len(rows)} edges")
    if not rows:
        return
    width = max(len("source"), *(len(names[k]) for pair in rows for k in pair))
    scores = [est.edge_score_name]
    if hasattr(est, "edge_frequencies_"):
        scores.append("bootstrap frequency")
    print("  ".join(["source".ljust(width), "edge", "target".ljust(width), *scores]))
    for i, j in rows[:_SHOWN]:
        values = [est.edge_probabilities_[i, j]]
        if len(scores) > 1:
            values.append(est.edge_frequencies_[i, j])
        cells = [f"{value:{len(title)}.3f}" for value, title in zip(values, scores)]
        arrow = "--" if A[j, i] else "->"
        print("  ".join([names[i].ljust(width), f" {arrow} ", names[j].ljust(width), *cells]))
    if len(rows) > _SHOWN:
        print(f"... and {len(rows) - _SHOWN} more (the --out edge table has every pair)")


def _fit_one(est, X, mask, environments):
    """Fit, and say what the method did with the data (its test or score, rows dropped); the
    environments go to the estimators that use them, the others get pooled rows."""
    from skcausal.exceptions import NoDependenceWarning, RowsDroppedWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RowsDroppedWarning)
        warnings.simplefilter("always", NoDependenceWarning)
        note = _fit_with_environments(est, X, mask, environments)
    for warning in caught:
        if issubclass(warning.category, RowsDroppedWarning):
            message = warning.message
            note += f"; dropped {message.n_dropped} of {message.n_rows} rows with missing values"
        elif issubclass(warning.category, NoDependenceWarning):
            note += (
                f"; no pair of columns shown dependent at alpha={est.alpha}, so no edge "
                "(--param zeroshot.alpha=None keeps the edges its probabilities choose)"
            )
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    for name, what in (("ci_test_", "test"), ("score_func_", "score")):
        if hasattr(est, name):
            note = f"; {what} {getattr(est, name)}{note}"
    return note


def _fit_with_environments(est, X, mask, environments):
    if environments is None:
        est.fit(X, intervention_mask=mask)
        return ""
    if est._supports_environments:
        est.fit(X, intervention_mask=mask, environments=environments)
        return f"; environments used ({len(est.environments_)} labels)"
    est.fit(X, intervention_mask=mask)
    return "; environments pooled (it does not use them: every row counts as observational)"


def _csv(args):
    from skcausal.benchmark import make_estimators

    X, mask, environments, reference, knowledge = _read_inputs(args)
    estimators = make_estimators(args.methods)
    overrides = _configure(estimators, args, knowledge, reference)
    out = None
    if args.out is not None:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
    summary = []
    progress = tqdm(estimators.items(), desc="methods", disable=not args.verbose, file=sys.stderr)
    for name, est in progress:
        progress.set_postfix_str(name)
        start = time.perf_counter()
        try:
            note = _fit_one(est, X, mask, environments)
            seconds = time.perf_counter() - start
            _print_edges(est, name, overrides)
            if out is not None:
                _write_outputs(est, name, out)
        except Exception as error:  # noqa: BLE001 - one method's failure must not stop the rest
            if args.verbose:
                traceback.print_exc()
            reason = f"{type(error).__name__}: {(str(error).strip() or '-').splitlines()[0]}"
            summary.append((name, "failed", time.perf_counter() - start, reason))
            print(f"\n{name}: failed ({reason})", flush=True)
            continue
        n_edges = int(np.count_nonzero(np.triu(est.adjacency_ | est.adjacency_.T)))
        summary.append((name, "ok", seconds, f"{n_edges} edges{note}"))
    return _print_summary(summary, out)


def _print_summary(summary, out):
    failed = [row for row in summary if row[1] != "ok"]
    width = max(len(name) for name, *_ in summary)
    print(
        f"\nsummary: {len(summary) - len(failed)} of {len(summary)} methods ok"
        + (f", {len(failed)} failed (exit status 1)" if failed else "")
    )
    for name, status, seconds, detail in summary:
        print(f"  {name:<{width}}  {status:<6}  {seconds:6.1f} s  {detail}")
    if out is None:
        print("nothing written (no --out)")
    elif failed and len(failed) < len(summary):
        print(f"written to {out} (the outputs of the methods that ran)")
    elif not failed:
        print(f"written to {out}")
    return 1 if failed else 0


def _save_picture(est, name, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skcausal.plot import plot_edge_probabilities, plot_graph

    fig, axes = plt.subplots(1, 2, figsize=(13, 6), constrained_layout=True)
    plot_graph(est, ax=axes[0])
    axes[0].set_title(f"{name}: learned graph")
    plot_edge_probabilities(est, ax=axes[1])
    axes[1].set_title(f"{name}: {est.edge_score_name}")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _edge_table(est):
    """Every ordered pair: in the graph or not, the score (named in ``score_name``), after a fit
    with --bootstrap the bootstrap frequency and the resamples' mean score, and the SEM's
    coefficient."""
    names = est._node_names()
    d = len(names)
    rows = [(i, j) for i in range(d) for j in range(d) if i != j]
    table = pd.DataFrame(
        {
            "source": [names[i] for i, _ in rows],
            "target": [names[j] for _, j in rows],
            "in_graph": [bool(est.adjacency_[i, j]) for i, j in rows],
            "undirected": [bool(est.adjacency_[i, j] and est.adjacency_[j, i]) for i, j in rows],
            "score": [est.edge_probabilities_[i, j] for i, j in rows],
            "score_name": est.edge_score_name,
        }
    )
    if hasattr(est, "edge_frequencies_"):
        table["frequency"] = [est.edge_frequencies_[i, j] for i, j in rows]
        table["bootstrap_score"] = [est.bootstrap_edge_probabilities_[i, j] for i, j in rows]
    table["coef"] = [est.coef_[i, j] for i, j in rows]
    return table.sort_values(["in_graph", "score"], ascending=False, kind="stable")


def _write_outputs(est, name, out):
    """The graph (GraphML and JSON), the table of every ordered pair, and the picture."""
    from skcausal import save_graph

    _edge_table(est).to_csv(out / f"{name}_edges.csv", index=False)
    save_graph(est, out / f"{name}_graph.graphml")
    save_graph(est, out / f"{name}_graph.json")
    _save_picture(est, name, out / f"{name}_graph.png")


def main(args):
    """Run discovery on ``args.data`` ("sachs" or a CSV path) with ``args.methods``; the exit
    status: 0 when every method ran, 1 when some failed (the others' outputs are written)."""
    if args.data == "sachs":
        extras = [
            flag
            for flag, value in (
                ("--mask", args.mask),
                ("--knowledge", args.knowledge),
                ("--threshold", args.threshold),
                ("--bootstrap", args.bootstrap or None),
                ("--environments", args.environments),
                ("--reference-environment", args.reference_environment),
                ("--index-col", args.index_col),
                ("--sep", args.sep),
                ("--param", args.param or None),
            )
            if value is not None
        ]
        if extras:
            raise ValueError(
                f"--data sachs runs the Sachs benchmark, which takes no {', '.join(extras)}; "
                "export the data to a CSV (skcausal.datasets.load_sachs(as_frame=True)) to use "
                "them."
            )
        results = _sachs(args.methods, args.out)
        return 0 if (results["status"] == "ok").all() else 1
    return _csv(args)
