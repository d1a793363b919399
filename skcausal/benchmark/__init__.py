"""Benchmark harness: named suites, run_benchmark() -> DataFrame, summaries and plots.

Every method sees the same data and is scored by the same metric functions; a slow fit can be
stopped with a time limit and a failing one is recorded, not raised. From the command line::

    python -m skcausal benchmark --suite standard --methods zeroshot,pc,ges --out results/
"""

from skcausal.benchmark._dataset_spec import DatasetSpec, dataset_seed
from skcausal.benchmark._estimators import make_estimators
from skcausal.benchmark._report import (
    markdown_table,
    plot_accuracy_vs_time,
    plot_auprc_by_family,
    save_plots,
    summarize,
    to_markdown,
)
from skcausal.benchmark._run import run_benchmark
from skcausal.benchmark._scoring import METRICS
from skcausal.benchmark._suites import SUITES, get_suite

__all__ = [
    "METRICS",
    "SUITES",
    "DatasetSpec",
    "dataset_seed",
    "get_suite",
    "make_estimators",
    "markdown_table",
    "plot_accuracy_vs_time",
    "plot_auprc_by_family",
    "run_benchmark",
    "save_plots",
    "summarize",
    "to_markdown",
]
