"""Summaries of benchmark results: a table (DataFrame and markdown) and two plots."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

# Metrics shown in summaries, most telling first; (column, label, greater is better, decimals).
_SUMMARY_METRICS = (
    ("auprc", "AUPRC", True, 3),
    ("auroc", "AUROC", True, 3),
    ("shd", "SHD", False, 1),
    ("f1", "F1", True, 3),
    ("precision", "precision", True, 3),
    ("recall", "recall", True, 3),
    ("skeleton_f1", "skeleton F1", True, 3),
    ("cpdag_shd", "CPDAG SHD", False, 1),
    ("sid", "SID", False, 1),
)
ALL = "all"


def _ordered_unique(values):
    return list(dict.fromkeys(values))


def summarize(results, by="family"):
    """Mean and standard deviation of every metric per method and family, plus an "all" family.

    Metrics and fit times are averaged over the fits that finished (status ``"ok"``); the counts
    of fits, timeouts and errors say how many that is. A method that timed out on the hardest
    datasets is thus averaged over easier ones: read ``n_ok`` before comparing.

    Parameters
    ----------
    results : pandas.DataFrame
        The output of :func:`run_benchmark`.
    by : str, default="family"
        The column that groups the datasets, e.g. ``"n_nodes"`` for a summary by graph size.

    Returns
    -------
    summary : pandas.DataFrame
        One row per (group, method), groups in order of appearance and ``"all"`` last, methods
        in order of appearance. Columns: ``by`` (e.g. ``family``), ``method``, ``n_fits``, ``n_ok``,
        ``n_timeout``, ``n_error``, then ``<metric>_mean`` and ``<metric>_std`` for auprc,
        auroc, shd, f1, precision, recall and fit_seconds. The std is the sample standard
        deviation (NaN for a single fit).

    Examples
    --------
    >>> from skcausal.baselines import PC
    >>> from skcausal.benchmark import run_benchmark, summarize
    >>> results = run_benchmark({"pc": PC()}, suite="smoke", n_repeats=1, progress=False)
    >>> summary = summarize(results)
    >>> summary[["family", "method", "n_fits", "n_ok"]].tail(1).to_string(index=False)
    'family method  n_fits  n_ok\\n   all     pc       3     3'
    """
    metrics = [name for name, *_ in _SUMMARY_METRICS] + ["fit_seconds"]
    methods = _ordered_unique(results["method"])
    if by not in results.columns:
        raise ValueError(f"by must be a column of the results; got {by!r}.")
    groups = _ordered_unique(results[by])
    rows = []
    for group in [*groups, ALL]:
        for method in methods:
            part = results[results["method"] == method]
            if group != ALL:
                part = part[part[by] == group]
            if part.empty:
                continue
            ok = part[part["status"] == "ok"]
            row = {
                by: group,
                "method": method,
                "n_fits": len(part),
                "n_ok": len(ok),
                "n_timeout": int((part["status"] == "timeout").sum()),
                "n_error": int((part["status"] == "error").sum()),
            }
            for metric in metrics:
                values = ok[metric].astype(float)
                row[f"{metric}_mean"] = values.mean() if len(values) else np.nan
                row[f"{metric}_std"] = values.std(ddof=1) if len(values) > 1 else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


# -- markdown -------------------------------------------------------------------------------------
def _format_number(value, decimals):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{decimals}f}"


def _format_seconds(value):
    if value is None or math.isnan(value):
        return "-"
    # Three significant digits read well from 0.00123 s to 999 s ("#" keeps 5.00 from being "5").
    return f"{value:#.3g}".rstrip(".") if value < 1000 else f"{value:.0f}"


def _mean_std(mean, std, decimals):
    text = _format_number(mean, decimals)
    if text != "-" and not math.isnan(std):
        text += f" ± {std:.{decimals}f}"
    return text


def markdown_table(header, rows, align=None):
    """A GitHub-flavoured markdown table from a header and rows of cells (no ``tabulate`` needed).

    Parameters
    ----------
    header : list of str
    rows : list of list
        Cells are converted with ``str``; a ``|`` inside a cell is escaped.
    align : list of {"left", "right"}, default=None
        Column alignment; None aligns every column left.

    Returns
    -------
    table : str
        Columns padded to equal widths, so the source reads as a table too.

    Examples
    --------
    >>> from skcausal.benchmark import markdown_table
    >>> print(markdown_table(["method", "AUPRC"], [["pc", "0.51"], ["zeroshot", "0.80"]],
    ...                      align=["left", "right"]))
    | method   | AUPRC |
    |:---------|------:|
    | pc       |  0.51 |
    | zeroshot |  0.80 |
    """
    cells = [[str(c).replace("|", "\\|") for c in row] for row in [header, *rows]]
    n_columns = len(header)
    if any(len(row) != n_columns for row in cells):
        raise ValueError("every row must have as many cells as the header.")
    align = align or ["left"] * n_columns
    widths = [max(3, *(len(row[k]) for row in cells)) for k in range(n_columns)]

    def line(row):
        padded = [
            cell.ljust(width) if how == "left" else cell.rjust(width)
            for cell, width, how in zip(row, widths, align)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            (":" + "-" * (w + 1)) if how == "left" else ("-" * (w + 1) + ":")
            for w, how in zip(widths, align)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def to_markdown(results, by="family"):
    """The summary of benchmark results as a markdown table: mean ± std per method and family.

    Parameters
    ----------
    results : pandas.DataFrame
        The output of :func:`run_benchmark` (or of :func:`summarize`).
    by : str, default="family"
        The column that groups the datasets (see :func:`summarize`); ignored for a summary.

    Returns
    -------
    table : str
        One row per family (or group) and method (``"all"`` last). ``ok`` is the number of finished
        fits out of all fits; metrics and ``fit s`` (mean fit time in seconds) are over the
        finished ones. AUPRC, AUROC, F1, precision, recall: higher is better; SHD: lower is better.

    Examples
    --------
    >>> from skcausal.baselines import PC
    >>> from skcausal.benchmark import run_benchmark, to_markdown
    >>> results = run_benchmark({"pc": PC()}, suite="smoke", n_repeats=1, progress=False)
    >>> print(to_markdown(results).splitlines()[0])  # doctest: +ELLIPSIS
    | family             | method |  ok |         AUPRC |         AUROC | ...
    """
    summary = results if "n_ok" in results.columns else summarize(results, by)
    by = summary.columns[0]
    header = [by, "method", "ok"] + [label for _, label, _, _ in _SUMMARY_METRICS]
    header.append("fit s")
    rows = []
    for record in summary.to_dict("records"):
        row = [record[by], record["method"], f"{record['n_ok']}/{record['n_fits']}"]
        for name, _, _, decimals in _SUMMARY_METRICS:
            row.append(_mean_std(record[f"{name}_mean"], record[f"{name}_std"], decimals))
        seconds = _format_seconds(record["fit_seconds_mean"])
        if seconds != "-" and not math.isnan(record["fit_seconds_std"]):
            seconds += f" ± {_format_seconds(record['fit_seconds_std'])}"
        row.append(seconds)
        rows.append(row)
    align = ["left", "left", "right"] + ["right"] * (len(header) - 3)
    return markdown_table(header, rows, align)


# -- plots ----------------------------------------------------------------------------------------
_MARKERS = "osD^vP*Xph<>"


def _figure(width, height):
    # A Figure without pyplot: renders with Agg, leaves the global backend and state alone.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=110, layout="constrained")


def _method_label(record):
    label = record["method"]
    if record["n_ok"] < record["n_fits"]:
        label += f" ({record['n_ok']}/{record['n_fits']} finished)"
    return label


def plot_accuracy_vs_time(results, path=None):
    """AUPRC and SHD against mean fit time (log scale), one marker per method.

    Each marker is a method's mean over its finished fits on all datasets; the vertical bar is
    one standard deviation. Methods with unfinished fits say so in the legend.

    Parameters
    ----------
    results : pandas.DataFrame
        The output of :func:`run_benchmark`.
    path : str or path, default=None
        Where to save the figure as PNG; None only returns it.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> from skcausal.baselines import GES, PC
    >>> from skcausal.benchmark import plot_accuracy_vs_time, run_benchmark
    >>> results = run_benchmark({"pc": PC(), "ges": GES()}, suite="smoke", n_repeats=1,
    ...                         progress=False)
    >>> figure = plot_accuracy_vs_time(results)
    >>> [axis.get_xlabel() for axis in figure.axes]
    ['mean fit time per dataset (s, log scale)', 'mean fit time per dataset (s, log scale)']
    """
    summary = summarize(results)
    overall = summary[summary["family"] == ALL]
    suite = results["suite"].iloc[0] if len(results) else ""
    figure = _figure(10, 4.4)
    axes = figure.subplots(1, 2)
    panels = (("auprc", "AUPRC (higher is better)"), ("shd", "SHD (lower is better)"))
    for axis, (metric, label) in zip(axes, panels):
        for k, record in enumerate(overall.to_dict("records")):
            x, y = record["fit_seconds_mean"], record[f"{metric}_mean"]
            err = record[f"{metric}_std"]
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            axis.errorbar(
                max(x, 1e-4),
                y,
                yerr=None if math.isnan(err) else err,
                marker=_MARKERS[k % len(_MARKERS)],
                markersize=9,
                capsize=4,
                linestyle="none",
                color=f"C{k}",
                label=_method_label(record),
            )
        axis.set_xscale("log")
        axis.set_xlabel("mean fit time per dataset (s, log scale)")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        if metric == "auprc":
            axis.set_ylim(0, 1.05)
        else:
            axis.set_ylim(bottom=0)
        axis.margins(x=0.25)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        # One row (up to six methods fit even with long "(n/m finished)" labels): several rows
        # are filled column by column, which scatters the methods' order.
        figure.legend(
            handles, labels, loc="outside lower center", ncol=min(len(labels), 6), frameon=False
        )
    figure.suptitle(f"Accuracy against fit time, suite '{suite}' (mean ± std over datasets)")
    if path is not None:
        figure.savefig(path)
    return figure


def plot_auprc_by_family(results, path=None):
    """Mean AUPRC of each method in each mechanism family, as grouped bars (with std as error bars).

    Parameters
    ----------
    results : pandas.DataFrame
        The output of :func:`run_benchmark`.
    path : str or path, default=None
        Where to save the figure as PNG; None only returns it.

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> from skcausal.baselines import PC
    >>> from skcausal.benchmark import plot_auprc_by_family, run_benchmark
    >>> results = run_benchmark({"pc": PC()}, suite="smoke", n_repeats=1, progress=False)
    >>> plot_auprc_by_family(results).axes[0].get_ylabel()
    'AUPRC (higher is better)'
    """
    summary = summarize(results)
    families = _ordered_unique(summary["family"])
    if len(families) == 2:  # one family: its "all" bars would repeat it
        families = families[:1]
    methods = _ordered_unique(summary["method"])
    suite = results["suite"].iloc[0] if len(results) else ""
    figure = _figure(min(12.0, max(6.5, 0.5 * len(families) * len(methods) + 2)), 4.4)
    axis = figure.subplots()
    width = 0.8 / len(methods)
    positions = np.arange(len(families))
    for k, method in enumerate(methods):
        part = summary[summary["method"] == method].set_index("family").reindex(families)
        means = part["auprc_mean"].to_numpy(dtype=float)
        stds = np.nan_to_num(part["auprc_std"].to_numpy(dtype=float))
        axis.bar(
            positions + (k - (len(methods) - 1) / 2) * width,
            np.nan_to_num(means),
            width,
            yerr=stds,
            capsize=2,
            label=method,
            color=f"C{k}",
            error_kw={"alpha": 0.6},
        )
    axis.set_xticks(positions, [f"{f}\n(all datasets)" if f == ALL else f for f in families])
    axis.set_xlabel("mechanism family")
    axis.set_ylabel("AUPRC (higher is better)")
    axis.set_ylim(0, 1.05)
    axis.grid(True, axis="y", alpha=0.3)
    # Below the axes, in one row: beside them, its title collided with a narrow figure's title.
    figure.legend(
        *axis.get_legend_handles_labels(),
        loc="outside lower center",
        ncol=min(len(methods), 6),
        frameon=False,
    )
    figure.suptitle(f"AUPRC by mechanism family, suite '{suite}' (mean ± std; finished fits)")
    if path is not None:
        figure.savefig(path)
    return figure


def save_plots(results, out_dir):
    """Write ``accuracy_vs_time.png`` and ``auprc_by_family.png`` into ``out_dir``.

    Returns
    -------
    paths : list of pathlib.Path
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "accuracy_vs_time.png", out_dir / "auprc_by_family.png"]
    plot_accuracy_vs_time(results, paths[0])
    plot_auprc_by_family(results, paths[1])
    return paths
