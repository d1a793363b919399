"""run_benchmark(): fit every method on the same data, score every fit the same way.

How a fit runs
--------------
- ``time_limit=None`` and one job: in this process (no overhead at all).
- ``time_limit`` set, or several jobs: each fit runs in a child process that is killed when the
  limit is reached. A thread cannot be stopped from outside, and a signal alarm cannot interrupt
  C code (BLAS, torch, causal-learn's numpy loops), so a process is the only reliable way to stop a
  fit that hangs.

  The child comes from the "forkserver" start method (POSIX), with "spawn" as the fallback
  (Windows). Plain "fork" is not used: this process has run torch (``make_scm`` simulates with it)
  and may run OpenMP/BLAS thread pools, tqdm's monitor thread and joblib's threads, and forking a
  process with live threads can deadlock the child (locks held by threads that do not exist in
  it; GNU OpenMP is not fork-safe). The fork server is a fresh interpreter that imports skcausal,
  torch and the baselines' dependencies once, before any thread exists, and forks a child per fit
  from that clean state. Measured on the development machine (2 cores, OMP_NUM_THREADS=1): about
  30 ms per fit once the server is up, and about 4 s once per session to start it; "spawn" costs
  about 4.5 s per fit (a new interpreter importing torch); in-process, about 4 ms.
  As with "spawn", a script that calls ``run_benchmark`` with a time limit or several jobs needs
  the ``if __name__ == "__main__":`` guard, because the children import the main module.

  The estimator and the data are sent with cloudpickle (vendored by joblib), so estimators defined
  in a script or a notebook work too. The child reports "ready" after unpickling, and the time limit
  counts from then, so start-up never counts against a method. ``fit_seconds`` is measured around
  ``fit`` alone, inside whichever process runs it.
- Data with environments (the ``*-env`` Sachs datasets: conditions as labels, targets unknown):
  a method whose class sets ``_supports_environments = True`` is fitted with
  ``fit(X, intervention_mask=M, environments=E)`` (M all False), on a clone whose
  ``reference_environment`` is set to the dataset's reference; every other method is fitted on the
  pooled rows, ``fit(X, intervention_mask=M)``. The ``environments`` column of the results says
  which (``"given"``, ``"pooled"``; ``"none"`` for data without environments). The labels go to a
  child process with X and the mask.
- Several jobs (``n_jobs``): joblib's threading backend. The threads only wait on child processes,
  so the GIL is no bottleneck, and no process pool is nested inside another.

Scores are computed in the calling process from ``adjacency_`` and ``edge_probabilities_`` with the
functions of :mod:`skcausal.metrics`, so every method is scored by the same code.
"""

from __future__ import annotations

import importlib
import multiprocessing
import numbers
import pickle
import sys
import time
import traceback
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone
from tqdm.auto import tqdm

from skcausal.benchmark._suites import DatasetSpec, dataset_seed, get_suite
from skcausal.metrics import (
    cpdag_shd,
    edge_auprc,
    edge_auroc,
    edge_f1,
    edge_precision,
    edge_recall,
    skeleton_f1,
    structural_hamming_distance,
    structural_intervention_distance,
)

try:  # joblib vendors cloudpickle, unless a distribution unbundled it into its own package
    from joblib.externals import cloudpickle
except ImportError:  # pragma: no cover - depends on how joblib was packaged
    try:
        import cloudpickle
    except ImportError:
        cloudpickle = pickle  # then estimators must be importable by the child process

# name -> (metric, fitted attribute it reads); the order is the order of the result columns.
METRICS = {
    "shd": (structural_hamming_distance, "adjacency_"),
    "auroc": (edge_auroc, "edge_probabilities_"),
    "auprc": (edge_auprc, "edge_probabilities_"),
    "f1": (edge_f1, "adjacency_"),
    "precision": (edge_precision, "adjacency_"),
    "recall": (edge_recall, "adjacency_"),
    "skeleton_f1": (skeleton_f1, "adjacency_"),
    "cpdag_shd": (cpdag_shd, "cpdag_"),
    "sid": (structural_intervention_distance, "adjacency_"),
}
# Metrics of the equivalence class, undefined (NaN) for some graphs rather than an error of the fit:
# a true graph with a cycle (the Sachs consensus network), a PC output that is no valid CPDAG.
_MAYBE_UNDEFINED = ("cpdag_shd", "sid")

COLUMNS = [
    "method", "suite", "dataset", "family", "graph", "n_nodes", "n_samples", "n_edges",
    "interventional", "environments", "repeat", "seed", *METRICS, "fit_seconds", "status", "error",
    "warnings",
]

# Modules the baselines import lazily inside fit. Importing them up front (in this process, and in
# the fork server) keeps a one-off import (0.4 s for causal-learn's PC) out of the first fit's time.
_WARM_IMPORTS = (
    "skcausal",
    "skcausal.baselines",
    "skcausal.benchmark._run",
    "causallearn.search.ConstraintBased.PC",
    "causallearn.search.ScoreBased.GES",
    "gies",
    "gies.scores.gauss_int_l0_pen",
)

# Unpickling the estimator and data in a fresh child is quick; this bound only stops a child that
# wedges before it starts (e.g. a broken import) from hanging the run.
_STARTUP_TIMEOUT = 300.0
_MAX_MESSAGE = 1000


# The ``environments`` column: the data have none; the method got them; the method does not use
# environments and was fitted on the pooled rows.
NO_ENVIRONMENTS, ENVIRONMENTS_GIVEN, ENVIRONMENTS_POOLED = "none", "given", "pooled"


@dataclass
class _Task:
    index: int
    method: str
    estimator: object
    data_key: tuple
    environments: str = NO_ENVIRONMENTS  # NO_ENVIRONMENTS, ENVIRONMENTS_GIVEN or ENVIRONMENTS_POOLED


# -- one fit ---------------------------------------------------------------------------------------
def _describe(exc):
    return f"{type(exc).__name__}: {exc}"[:_MAX_MESSAGE]


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


def _fit_and_extract(estimator, X, mask, environments=None):
    """Fit and return what scoring needs, or the error; the same code in and out of process.
    ``environments`` (labels per row, or None) is passed to fit only when it is not None."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            if environments is None:
                estimator.fit(X, intervention_mask=mask)
            else:
                estimator.fit(X, intervention_mask=mask, environments=environments)
            seconds = time.perf_counter() - start
            result = {
                "status": "ok",
                "fit_seconds": seconds,
                "adjacency_": np.asarray(estimator.adjacency_),
                "edge_probabilities_": np.asarray(estimator.edge_probabilities_),
                "cpdag_": np.asarray(getattr(estimator, "cpdag_", estimator.adjacency_)),
                "error": "",
            }
        except Exception as exc:  # a failing method is a result, not a crash of the run
            result = {"status": "error", "fit_seconds": time.perf_counter() - start,
                      "error": _describe(exc)}
    messages = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    result["warnings"] = "; ".join(messages)[:_MAX_MESSAGE]
    return result


def _child_main(conn, sys_path, n_threads, blob):
    """Entry point of a child process: unpickle, say "ready", fit, send the result."""
    try:
        # Modules the parent could import (e.g. a test folder) must be importable here too.
        sys.path[:0] = [p for p in sys_path if p not in sys.path]
        import torch
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(n_threads)
        threadpool_limits(n_threads)  # BLAS and OpenMP too: GES, NOTEARS and PC use numpy
        estimator, X, mask, environments = pickle.loads(blob)
    except BaseException as exc:
        conn.send(("error", _describe(exc) + "\n" + traceback.format_exc(limit=3)))
        return
    conn.send(("ready", None))
    conn.send(("done", _fit_and_extract(estimator, X, mask, environments)))
    conn.close()


def _mp_context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Only takes effect when the server starts; missing modules are skipped by the server.
        # "__main__" too, so that the calling script is imported once by the server rather than
        # once per child (children of a fork server import the main module, as with "spawn").
        context.set_forkserver_preload(["__main__", *_WARM_IMPORTS])
        return context
    return multiprocessing.get_context("spawn")


def _fit_in_child(estimator, X, mask, time_limit, n_threads, environments=None):
    """Fit in a child process with ``n_threads`` threads; kill it after ``time_limit`` seconds of
    fitting. ``environments`` (or None) travels with X and the mask."""
    blob = cloudpickle.dumps((estimator, X, mask, environments))
    context = _mp_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(sender, list(sys.path), n_threads, blob))
    process.start()
    sender.close()  # so that recv() sees EOF if the child dies
    start = None
    exited = False  # the child sent its last message and is about to exit by itself
    try:
        if not receiver.poll(_STARTUP_TIMEOUT):
            return {"status": "error", "fit_seconds": np.nan, "warnings": "",
                    "error": f"the worker process did not start within {_STARTUP_TIMEOUT:.0f} s"}
        kind, payload = receiver.recv()
        if kind == "error":
            exited = True
            return {"status": "error", "fit_seconds": np.nan, "warnings": "", "error": payload}
        start = time.perf_counter()
        if not receiver.poll(time_limit):
            return {"status": "timeout", "fit_seconds": time.perf_counter() - start,
                    "warnings": "", "error": f"fit exceeded the time limit of {time_limit:g} s"}
        kind, payload = receiver.recv()
        exited = True
        return payload
    except EOFError:  # the child died without a word: a crash in C code, or killed (e.g. OOM)
        process.join(5)
        seconds = np.nan if start is None else time.perf_counter() - start
        return {"status": "error", "fit_seconds": seconds, "warnings": "",
                "error": f"the worker process died (exit code {process.exitcode})"}
    finally:
        if exited:
            process.join(5)
        if process.is_alive():
            process.kill()  # SIGKILL: a fit stuck in C code ignores gentler signals
        process.join()
        receiver.close()


def _score(true_adjacency, result):
    """The metrics of one fit; NaN for a fit that did not finish or gave an unusable graph."""
    if result["status"] != "ok":
        return dict.fromkeys(METRICS, np.nan)
    scores = {}
    with warnings.catch_warnings():
        # Undefined metrics (a true graph without edges) are NaN; the warning adds nothing here.
        warnings.simplefilter("ignore")
        try:
            for name, (metric, attribute) in METRICS.items():
                if name in _MAYBE_UNDEFINED:
                    try:
                        scores[name] = float(metric(true_adjacency, result[attribute]))
                    except ValueError:
                        scores[name] = np.nan
                    continue
                scores[name] = float(metric(true_adjacency, result[attribute]))
        except ValueError as exc:  # e.g. a graph of the wrong shape, or NaN probabilities
            result.update(status="error", error=f"scoring failed: {_describe(exc)}")
            return dict.fromkeys(METRICS, np.nan)
    return scores


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
            "suite must be the name of a suite or a non-empty list of DatasetSpec; "
            f"got {suite!r}."
        )
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("the datasets of a suite must have distinct names.")
    return "custom", specs


def _resolve_random_state(random_state):
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**32))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool) and (
        random_state >= 0
    ):
        return int(random_state)
    raise ValueError(
        f"random_state must be a non-negative int, a numpy Generator or None; got {random_state!r}."
    )


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
    ``checkpoint=None`` uses the shipped environments checkpoint there; an explicit checkpoint
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
        apart from ``fit_seconds``. With more than one job, every fit runs in its own process
        with an equal share of the threads (``torch.get_num_threads() // n_jobs``, at least 1, for
        torch, BLAS and OpenMP alike), so that concurrent fits do not slow each other down.
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
    import torch

    jobs = effective_n_jobs(n_jobs)
    isolate = time_limit is not None or jobs > 1
    # Each fit gets an equal share of the threads this process would use, so that concurrent fits
    # do not compete for cores (that would inflate every fit_seconds and cause false timeouts).
    threads_per_fit = max(1, torch.get_num_threads() // jobs)

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
            data[key] = (spec, seed, np.asarray(X, dtype=float), np.asarray(mask, dtype=bool),
                         np.asarray(adjacency), environments)
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
            return task, _fit_in_child(task.estimator, X, mask, time_limit, threads_per_fit,
                                       environments)
        # A copy, so that an estimator that writes into X cannot change the next method's data.
        return task, _fit_and_extract(task.estimator, X.copy(), mask.copy(),
                                      None if environments is None else environments.copy())

    if jobs > 1:
        outcomes = Parallel(n_jobs=n_jobs, backend="threading", return_as="generator_unordered")(
            delayed(run)(task) for task in tasks
        )
    else:
        outcomes = map(run, tasks)

    rows = [None] * len(tasks)
    with tqdm(total=len(tasks), desc=f"benchmark {suite_name}", unit="fit",
              disable=not progress) as bar:
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
        suite=suite_name, n_repeats=n_repeats, random_state=base_seed, time_limit=time_limit,
        n_jobs=n_jobs, methods={name: repr(est) for name, est in estimators.items()},
    )
    return results
