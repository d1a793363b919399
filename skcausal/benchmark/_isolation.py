"""One fit, in this process or in a child process that is killed at a time limit.

A thread cannot be stopped from outside, and a signal alarm cannot interrupt C code (BLAS, torch,
causal-learn's numpy loops), so a process is the only reliable way to stop a fit that hangs.

The child comes from the "forkserver" start method (POSIX), with "spawn" as the fallback (Windows).
Plain "fork" is not used: the calling process has run torch (``make_scm`` simulates with it) and
may run OpenMP/BLAS thread pools, tqdm's monitor thread and joblib's threads, and forking a process
with live threads can deadlock the child (locks held by threads that do not exist in it; GNU OpenMP
is not fork-safe). The fork server is a fresh interpreter that imports skcausal, torch and the
baselines' dependencies once, before any thread exists, and forks a child per fit from that clean
state. Measured on the development machine (2 cores, OMP_NUM_THREADS=1): about 30 ms per fit once
the server is up, and about 4 s once per session to start it; "spawn" costs about 4.5 s per fit (a
new interpreter importing torch); in-process, about 4 ms.

The estimator and the data are sent with cloudpickle (vendored by joblib), so estimators defined in
a script or a notebook work too. The child reports "ready" after unpickling, and the time limit
counts from then, so start-up never counts against a method. ``fit_seconds`` is measured around
``fit`` alone, inside whichever process runs it.
"""

from __future__ import annotations

import multiprocessing
import pickle
import sys
import time
import traceback
import warnings

import numpy as np

try:  # joblib vendors cloudpickle, unless a distribution unbundled it into its own package
    from joblib.externals import cloudpickle
except ImportError:  # pragma: no cover - depends on how joblib was packaged
    try:
        import cloudpickle
    except ImportError:
        cloudpickle = pickle  # then estimators must be importable by the child process

# Modules the baselines import lazily inside fit. Importing them up front (in this process, and in
# the fork server) keeps a one-off import (0.4 s for causal-learn's PC) out of the first fit's time.
_WARM_IMPORTS = (
    "skcausal",
    "skcausal.baselines",
    "skcausal.benchmark._isolation",
    "causallearn.search.ConstraintBased.PC",
    "causallearn.search.ScoreBased.GES",
    "gies",
    "gies.scores.gauss_int_l0_pen",
)

# Unpickling the estimator and data in a fresh child is quick; this bound only stops a child that
# wedges before it starts (e.g. a broken import) from hanging the run.
_STARTUP_TIMEOUT = 300.0
_MAX_MESSAGE = 1000


def _describe(exc):
    return f"{type(exc).__name__}: {exc}"[:_MAX_MESSAGE]


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
            result = {
                "status": "error",
                "fit_seconds": time.perf_counter() - start,
                "error": _describe(exc),
            }
    messages = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    result["warnings"] = "; ".join(messages)[:_MAX_MESSAGE]
    return result


def _thread_settings():
    """The thread counts of this process, to be given to the children.

    A thread count decides how a sum is split into partial sums (torch's reductions, BLAS
    products), and so the rounding: a fit with other counts can give other bits, and another graph.

    Returns
    -------
    settings : tuple of (int, list of dict)
        ``torch.get_num_threads()``, and :func:`threadpoolctl.threadpool_info` (the BLAS and OpenMP
        libraries loaded, with their counts).
    """
    import torch
    from threadpoolctl import threadpool_info

    return torch.get_num_threads(), threadpool_info()


def _apply_thread_settings(settings):
    """Give this process the thread counts of ``settings``, from :func:`_thread_settings`."""
    import torch
    from threadpoolctl import threadpool_limits

    torch_threads, libraries = settings
    torch.set_num_threads(torch_threads)
    # After torch, which also sets the count of its OpenMP library: the caller's counts win.
    threadpool_limits(limits=libraries)


def _child_main(conn, sys_path, threads, blob):
    """Entry point of a child process: unpickle, say "ready", fit, send the result."""
    try:
        # Modules the parent could import (e.g. a test folder) must be importable here too.
        sys.path[:0] = [p for p in sys_path if p not in sys.path]
        estimator, X, mask, environments = pickle.loads(blob)
        # After unpickling, so that the libraries it loads get their counts too.
        _apply_thread_settings(threads)
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


def _fit_in_child(estimator, X, mask, time_limit, threads, environments=None):
    """Fit in a child process with the thread counts ``threads`` (from :func:`_thread_settings`);
    kill it after ``time_limit`` seconds of fitting. ``environments`` (or None) travels with X and
    the mask."""
    blob = cloudpickle.dumps((estimator, X, mask, environments))
    context = _mp_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child_main, args=(sender, list(sys.path), threads, blob))
    process.start()
    sender.close()  # so that recv() sees EOF if the child dies
    start = None
    exited = False  # the child sent its last message and is about to exit by itself
    try:
        if not receiver.poll(_STARTUP_TIMEOUT):
            return {
                "status": "error",
                "fit_seconds": np.nan,
                "warnings": "",
                "error": f"the worker process did not start within {_STARTUP_TIMEOUT:.0f} s",
            }
        kind, payload = receiver.recv()
        if kind == "error":
            exited = True
            return {"status": "error", "fit_seconds": np.nan, "warnings": "", "error": payload}
        start = time.perf_counter()
        if not receiver.poll(time_limit):
            return {
                "status": "timeout",
                "fit_seconds": time.perf_counter() - start,
                "warnings": "",
                "error": f"fit exceeded the time limit of {time_limit:g} s",
            }
        kind, payload = receiver.recv()
        exited = True
        return payload
    except EOFError:  # the child died without a word: a crash in C code, or killed (e.g. OOM)
        process.join(5)
        seconds = np.nan if start is None else time.perf_counter() - start
        return {
            "status": "error",
            "fit_seconds": seconds,
            "warnings": "",
            "error": f"the worker process died (exit code {process.exitcode})",
        }
    finally:
        if exited:
            process.join(5)
        if process.is_alive():
            process.kill()  # SIGKILL: a fit stuck in C code ignores gentler signals
        process.join()
        receiver.close()
