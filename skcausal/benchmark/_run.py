"""run_benchmark(): fit every method on the same data, score every fit the same way.

How a fit runs
--------------
- ``time_limit=None`` and one job: in this process (no overhead at all).
- ``time_limit`` set, or several jobs: each fit runs in a child process that is killed when the
  limit is reached (why a process, and how it starts: :mod:`skcausal.benchmark._isolation`).
  As with the "spawn" start method, a script that calls ``run_benchmark`` with a time limit or
  several jobs needs the ``if __name__ == "__main__":`` guard, because the children import the
  main module.
- Data with environments (the ``*-env`` Sachs datasets: conditions as labels, targets unknown):
  a method whose class sets ``_supports_environments = True`` is fitted with
  ``fit(X, intervention_mask=M, environments=E)`` (M all False), on a clone whose
  ``reference_environment`` is set to the dataset's reference; every other method is fitted on the
  pooled rows, ``fit(X, intervention_mask=M)``. The ``environments`` column of the results says
  which (``"given"``, ``"pooled"``; ``"none"`` for data without environments). The labels go to a
  child process with X and the mask.
- Several jobs (``n_jobs``): joblib's threading backend. The threads only wait on child processes,
  so the GIL is no bottleneck, and no process pool is nested inside another.
- Every fit gets the same arrays (X in C order) and the thread counts of the calling process, in
  this process or in a child, so that the results do not depend on ``n_jobs`` or ``time_limit``.

Scores are computed in the calling process (:mod:`skcausal.benchmark._scoring`).
"""

from __future__ import annotations

import importlib
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone
from tqdm.auto import tqdm

from skcausal._utils import check_random_state
from skcausal.benchmark._dataset_spec import DatasetSpec, dataset_seed
from skcausal.benchmark._isolation import (
    _WARM_IMPORTS,
    _fit_and_extract,
    _fit_in_child,
    _thread_settings,
)
from skcausal.benchmark._scoring import METRICS, _score
from skcausal.benchmark._suites import get_suite

COLUMNS = [
    "method",
    "suite",
    "dataset",
    "family",
    "graph",
    "n_nodes",
    "n_samples",
    "n_edges",
    "interventional",
    "environments",
    "repeat",
    "seed",
    *METRICS,
    "fit_seconds",
    "status",
    "error",
    "warnings",
]

# The ``environments`` column: the data have none; the method got them; the method does not use
# environments and was fitted on the pooled rows.
NO_ENVIRONMENTS, ENVIRONMENTS_GIVEN, ENVIRONMENTS_POOLED = "none", "given", "pooled"


@dataclass
class _Task:
    index: int
    method: str
    estimator: object
    data_key: tuple
    environments: str = (
        NO_ENVIRONMENTS  # NO_ENVIRONMENTS, ENVIRONMENTS_GIVEN or ENVIRONMENTS_POOLED
    )


# -- environments ----------------------------------------------------------------------------------
def _supports_environments(estimator):
    return bool(getattr(type(estimator), "_supports_environments", False))


def _prepare(estimator, environments, reference):
    """A clone of ``estimator`` for data with (or without) environments, and the column value."""
    estimator = clone(estimator)
    if environments is None:
        return estimator, NO_ENVIRONMENTS
    if not _supports_environments(estimator):
        return estimator, ENVIRONMENTS_POOLED
    if "reference_environment" in estimator.get_params(deep=False):
        estimator.set_params(reference_environment=reference)
    return estimator, ENVIRONMENTS_GIVEN


# -- validation ------------------------------------------------------------------------------------
def _check_estimators(estimators):
    if not isinstance(estimators, dict) or not estimators:
        raise ValueError("estimators must be a non-empty dict {method name: estimator}.")
    for name, estimator in estimators.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"method names must be non-empty strings; got {name!r}.")
        if not hasattr(estimator, "fit") or not hasattr(estimator, "get_params"):
            raise ValueError(
                f"estimators[{name!r}] must be a scikit-learn estimator (with fit and get_params); "
                f"got {type(estimator).__name__}."
            )


def _resolve_suite(suite):
    if isinstance(suite, str):
        return suite, get_suite(suite)
    specs = list(suite) if suite is not None else []
    if not specs or not all(isinstance(spec, DatasetSpec) for spec in specs):
        raise ValueError(
            f"suite must be the name of a suite or a non-empty list of DatasetSpec; got {suite!r}."
        )
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("the datasets of a suite must have distinct names.")
    return "custom", specs


def _resolve_random_state(random_state):
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        check_random_state(random_state)  # refuses negative seeds
        return int(random_state)
    return int(check_random_state(random_state).integers(2**32))


def _check_options(n_repeats, time_limit, n_jobs):
    if not isinstance(n_repeats, numbers.Integral) or isinstance(n_repeats, bool) or n_repeats < 1:
        raise ValueError(f"n_repeats must be an integer >= 1; got {n_repeats!r}.")
    if time_limit is not None and (
        not isinstance(time_limit, numbers.Real) or not np.isfinite(time_limit) or time_limit <= 0
    ):
        raise ValueError(f"time_limit must be None or a number of seconds > 0; got {time_limit!r}.")
    if not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer (-1: all cores); got {n_jobs!r}.")


# -- the run ---------------------------------------------------------------------------------------
def run_benchmark(
    estimators,
    suite="standard",
    n_repeats=3,
    random_state=0,
    time_limit=None,
    n_jobs=1,
    progress=True,
):
    """Fit every method on every dataset of a suite and score the learned graphs.

    For each dataset and repeat, the data ``(X, intervention_mask)`` are drawn once and every method
    fits a fresh :func:`~sklearn.base.clone` of its estimator on the same arrays, as
    ``fit(X, intervention_mask=M)`` (methods that do not use interventions document that they
    ignore the mask). The learned ``adjacency_`` and ``edge_probabilities_`` are scored against the
    true graph with the functions of :mod:`skcausal.metrics`.

    Datasets with environments (``DatasetSpec(environments=True)``, e.g. ``sachs-env``: the
    experimental conditions as labels, no intervention mask) are fitted as
    ``fit(X, intervention_mask=M, environments=E)`` (M all False) by the methods whose class sets
    ``_supports_environments = True`` (:class:`~skcausal.ZeroShotCausalDiscovery`,
    :class:`~skcausal.baselines.PC`), with their ``reference_environment`` parameter set to the
    dataset's ``reference_environment``; the other methods are fitted on the pooled rows, without
    the labels. The ``environments`` column records which. The zero-shot model with
    ``checkpoint=None`` uses the shipped checkpoint's target head there; an explicit checkpoint
    without a target head (v1) refuses environments, and its rows then have status ``"error"``.

    Parameters
    ----------
    estimators : dict of str -> estimator
        The methods to compare, by name, e.g. ``{"pc": PC(), "ges": GES()}``. Each is cloned per
        fit, so its parameters are used but its fitted state (if any) is not.
    suite : str or list of DatasetSpec, default="standard"
        ``"smoke"``, ``"standard"``, ``"large"`` or ``"sachs"`` (see :func:`get_suite`), or a
        custom list of dataset specifications.
    n_repeats : int, default=3
        Number of independent draws of each synthetic dataset. Fixed data (Sachs) are fitted once,
        whatever ``n_repeats``.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the datasets (see :func:`dataset_seed`); the estimators' own ``random_state``
        parameters are left as given. None draws fresh seeds; the base seed used is stored in
        ``results.attrs["random_state"]``.
    time_limit : float or None, default=None
        Seconds per fit. A fit that takes longer is stopped and recorded with status
        ``"timeout"`` and NaN metrics. None: no limit, and fits run in this process.
    n_jobs : int, default=1
        Number of fits run at the same time (-1: one per core). The results do not depend on it,
        apart from ``fit_seconds``: every fit, in this process or in a child, runs with this
        process's thread counts (``torch.get_num_threads()``, and those of the BLAS and OpenMP
        libraries as :func:`threadpoolctl.threadpool_info` reports them), because a thread count
        changes the rounding of sums. So ``n_jobs`` fits use up to ``n_jobs`` times those threads;
        where that is more than the cores (it slows every fit, and a fit may then reach
        ``time_limit``), lower the counts of the calling process, e.g. with
        ``torch.set_num_threads(1)`` and ``threadpoolctl.threadpool_limits(1)``, or by starting
        it with ``OMP_NUM_THREADS=1``.
    progress : bool, default=True
        Show a progress bar over the fits.

    Returns
    -------
    results : pandas.DataFrame
        One row per (method, dataset, repeat), in that nesting order from the outside in:
        repeat, dataset, method. Columns: ``method``, ``suite``, ``dataset``, ``family``,
        ``graph``, ``n_nodes``, ``n_samples``, ``n_edges`` (of the true graph),
        ``interventional``, ``environments`` (``"none"``: the data have no environment labels;
        ``"given"``: the method was fitted with them; ``"pooled"``: the data have them but the
        method does not use environments and was fitted on the pooled rows), ``repeat``,
        ``seed`` (of ``make_scm``; missing for fixed data),
        ``shd``, ``auroc``, ``auprc``, ``f1``, ``precision``, ``recall``, ``skeleton_f1``,
        ``cpdag_shd`` and ``sid`` (NaN where undefined: a true graph with a cycle, or an output
        that is neither a DAG nor a valid CPDAG), ``fit_seconds``,
        ``status`` (``"ok"``, ``"timeout"`` or ``"error"``), ``error`` (the message; empty when
        ok) and ``warnings`` (those raised during the fit, deduplicated). ``results.attrs`` holds
        the run's settings.

    Raises
    ------
    ValueError
        For an unknown suite or an invalid option. A method that fails or times out does not
        raise: its row says so.

    See Also
    --------
    skcausal.benchmark.summarize : mean and standard deviation per method and family.
    skcausal.benchmark.get_suite : the datasets of a named suite.

    Examples
    --------
    >>> from skcausal.baselines import GES, PC
    >>> from skcausal.benchmark import run_benchmark
    >>> results = run_benchmark({"pc": PC(), "ges": GES()}, suite="smoke", n_repeats=1,
    ...                         progress=False)
    >>> results.shape[0]  # 2 methods x 3 datasets x 1 repeat
    6
    >>> sorted(results["status"].unique())
    ['ok']
    >>> results[["method", "dataset", "shd", "auprc"]].columns.tolist()
    ['method', 'dataset', 'shd', 'auprc']
    """
    _check_estimators(estimators)
    suite_name, specs = _resolve_suite(suite)
    _check_options(n_repeats, time_limit, n_jobs)
    base_seed = _resolve_random_state(random_state)

    jobs = effective_n_jobs(n_jobs)
    isolate = time_limit is not None or jobs > 1
    # Every fit runs with this process's thread counts, whatever n_jobs: they decide the rounding.
    threads = _thread_settings()

    # Draw every dataset once, up front: every method then gets the very same arrays.
    data, tasks = {}, []
    for repeat in range(n_repeats):
        for spec in specs:
            if repeat > 0 and not spec.seeded:
                continue  # fixed data: a repeat would be the same fit again
            seed = dataset_seed(base_seed, repeat, spec.name) if spec.seeded else None
            key = (repeat, spec.name)
            X, mask, adjacency, environments = spec.load(seed, return_environments=True)
            if environments is not None:
                environments = np.asarray(environments)
            # C order for every fit: a fit in this process gets a copy (C order), a child gets the
            # array as pickled, and the simulator's are in Fortran order. NOTEARS and the zero-shot
            # model round differently on the two layouts of the same values.
            # A DataFrame (category, bool or text columns; missing cells) goes to the methods as
            # it is: the estimators apply the column contract (docs/inputs.md). NaN in an array
            # is a missing cell and passes through the float conversion.
            if not isinstance(X, pd.DataFrame):
                X = np.ascontiguousarray(X, dtype=float)
            data[key] = (
                spec,
                seed,
                X,
                np.asarray(mask, dtype=bool),
                np.asarray(adjacency),
                environments,
            )
            for method, estimator in estimators.items():
                prepared, how = _prepare(estimator, environments, spec.reference_environment)
                tasks.append(_Task(len(tasks), method, prepared, key, how))

    if not isolate:
        for module in _WARM_IMPORTS:  # see _WARM_IMPORTS: keep import time out of fit time
            try:
                importlib.import_module(module)
            except ImportError:
                pass

    def run(task):
        _, _, X, mask, _, environments = data[task.data_key]
        if task.environments != ENVIRONMENTS_GIVEN:
            environments = None  # data without labels, or a method fitted on the pooled rows
        if isolate:
            return task, _fit_in_child(task.estimator, X, mask, time_limit, threads, environments)
        # A copy (in C order, as X), so that an estimator that writes into X cannot change the
        # next method's data.
        return task, _fit_and_extract(
            task.estimator,
            X.copy(),
            mask.copy(),
            None if environments is None else environments.copy(),
        )

    if jobs > 1:
        outcomes = Parallel(n_jobs=n_jobs, backend="threading", return_as="generator_unordered")(
            delayed(run)(task) for task in tasks
        )
    else:
        outcomes = map(run, tasks)

    rows = [None] * len(tasks)
    with tqdm(
        total=len(tasks), desc=f"benchmark {suite_name}", unit="fit", disable=not progress
    ) as bar:
        for task, result in outcomes:
            spec, seed, X, _, adjacency, _ = data[task.data_key]
            scores = _score(adjacency, result)  # may turn the status into "error"
            rows[task.index] = {
                "method": task.method,
                "suite": suite_name,
                "dataset": spec.name,
                "family": spec.family,
                "graph": spec.graph,
                "n_nodes": int(adjacency.shape[0]),
                "n_samples": int(X.shape[0]),
                "n_edges": int(np.count_nonzero(adjacency)),
                "interventional": bool(spec.interventional),
                "environments": task.environments,
                "repeat": task.data_key[0],
                "seed": seed,
                **scores,
                "fit_seconds": float(result["fit_seconds"]),
                "status": result["status"],
                "error": result["error"],
                "warnings": result["warnings"],
            }
            bar.set_postfix_str(f"{task.method} on {spec.name}: {result['status']}", refresh=False)
            bar.update()

    results = pd.DataFrame(rows, columns=COLUMNS)
    results["seed"] = results["seed"].astype("Int64")  # missing for fixed data (Sachs)
    results.attrs.update(
        suite=suite_name,
        n_repeats=n_repeats,
        random_state=base_seed,
        time_limit=time_limit,
        n_jobs=n_jobs,
        methods={name: repr(est) for name, est in estimators.items()},
    )
    return results
