"""``python -m skcausal benchmark``: run a suite, write results.csv, results.md and the plots."""

from __future__ import annotations

import datetime
import os
import platform
import shlex
from pathlib import Path

from skcausal.benchmark import make_estimators, run_benchmark, save_plots, to_markdown


def _command(args, methods):
    parts = [
        "python",
        "-m",
        "skcausal",
        "benchmark",
        "--suite",
        args.suite,
        "--methods",
        ",".join(methods),
        "--out",
        str(args.out),
    ]
    if args.repeats is not None:
        parts += ["--repeats", str(args.repeats)]
    parts += ["--seed", str(args.seed)]
    if args.time_limit is not None:
        parts += ["--time-limit", f"{args.time_limit:g}"]
    if getattr(args, "n_jobs", 1) != 1:
        parts += ["--n-jobs", str(args.n_jobs)]
    if getattr(args, "checkpoint", None) is not None:
        parts += ["--checkpoint", str(args.checkpoint)]
    return shlex.join(parts)


def _checkpoint_lines(estimator):
    """Which weights the zero-shot rows come from: fit once on a small dataset and ask."""
    from sklearn.base import clone

    from skcausal.datasets import make_scm

    X, mask, _ = make_scm(200, 5, random_state=0)
    info = clone(estimator).fit(X, intervention_mask=mask).checkpoint_info_
    return [
        f"- zero-shot checkpoint: `{Path(str(info.get('path'))).name}`, "
        f"sha256 `{info.get('weights_sha256')}`, {info.get('step')} training steps "
        f"({info.get('datasets_seen')} datasets seen)",
    ]


def _environment_lines():
    import numpy
    import sklearn
    import torch

    from skcausal import __version__

    return [
        f"- skcausal {__version__}; Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, torch {torch.__version__}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs; "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"torch threads {torch.get_num_threads()}",
    ]


def _status_lines(results):
    failed = results[results["status"] != "ok"]
    if failed.empty:
        return ["Every fit finished."]
    lines = ["Fits that did not finish (their metrics are left out of the means):", ""]
    for record in failed.to_dict("records"):
        message = record["error"].splitlines()[0] if record["error"] else ""
        lines.append(
            f"- {record['method']} on {record['dataset']} (repeat {record['repeat']}): "
            f"{record['status']}, {message}"
        )
    return lines


def _environment_note(results):
    """Which methods got the environment labels of the ``*-env`` datasets, and which the pool."""
    if "environments" not in results.columns:
        return []
    with_labels = results[results["environments"] != "none"]
    if with_labels.empty:
        return []
    datasets = ", ".join(f"`{name}`" for name in dict.fromkeys(with_labels["dataset"]))
    given = list(dict.fromkeys(with_labels.loc[with_labels["environments"] == "given", "method"]))
    pooled = list(dict.fromkeys(with_labels.loc[with_labels["environments"] == "pooled", "method"]))
    line = (
        f"On {datasets} the conditions are given as environments (unknown targets, no "
        "intervention mask)"
    )
    line += f": {', '.join(given)} fitted with them" if given else ""
    line += (
        f"{';' if given else ':'} {', '.join(pooled)} (no environment support) fitted on the "
        "pooled rows"
        if pooled
        else ""
    )
    return [line + " (column `environments` of results.csv).", ""]


def write_report(results, out, *, command, estimators):
    """Write results.csv, results.md and the PNG plots into ``out``; return the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out / "results.csv", out / "results.md"
    results.to_csv(csv_path, index=False)
    plots = save_plots(results, out)

    attrs = results.attrs
    n_datasets = results[["dataset", "repeat"]].drop_duplicates().shape[0]
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Benchmark: suite `{attrs.get('suite')}`",
        "",
        "Made by:",
        "",
        "```",
        command,
        "```",
        "",
        f"- date: {when}",
        *_environment_lines(),
    ]
    if "zeroshot" in estimators:
        lines += _checkpoint_lines(estimators["zeroshot"])
    lines += [
        f"- {n_datasets} datasets (suite x repeats), dataset seed {attrs.get('random_state')}, "
        "time limit per fit: "
        + (f"{attrs['time_limit']:g} s" if attrs.get("time_limit") else "none"),
        "",
        "Mean ± standard deviation over datasets. `ok`: finished fits / fits; the metrics and "
        "`fit s` (mean seconds per fit) are over the finished fits. AUPRC, AUROC, F1, precision, "
        "recall: higher is better; SHD (structural Hamming distance): lower is better. AUROC and "
        "AUPRC rank each method's `edge_probabilities_` (PC, GES and GIES give 0.5 to both "
        "directions of an undirected CPDAG edge); the other metrics read `adjacency_`.",
        "",
        to_markdown(results),
        "",
        "By graph size (`n_nodes`), over all families:",
        "",
        to_markdown(results, by="n_nodes"),
        "",
        *_environment_note(results),
        *_status_lines(results),
        "",
        *(f"![{path.stem}]({path.name})" for path in plots),
        "",
    ]
    md_path.write_text("\n".join(lines), encoding="utf-8")
    return [csv_path, md_path, *plots]


def main(args):
    """Run the ``benchmark`` subcommand from parsed arguments (see ``python -m skcausal -h``)."""
    estimators = make_estimators(args.methods, checkpoint=getattr(args, "checkpoint", None))
    n_jobs = getattr(args, "n_jobs", 1)
    results = run_benchmark(
        estimators,
        suite=args.suite,
        n_repeats=3 if args.repeats is None else args.repeats,
        random_state=args.seed,
        time_limit=args.time_limit,
        n_jobs=n_jobs,
        progress=True,
    )
    paths = write_report(
        results, args.out, command=_command(args, list(estimators)), estimators=estimators
    )
    print(to_markdown(results))
    for path in paths:
        print(f"wrote {path}")
    return results
