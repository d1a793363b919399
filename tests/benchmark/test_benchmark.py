"""Tests of the benchmark harness: suites, run_benchmark, reports and the CLI (about 15 s)."""

import hashlib
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from skcausal import Discovery, ZeroShotCausalDiscovery
from skcausal._base import BaseCausalDiscovery
from skcausal.baselines import NOTEARS
from skcausal.benchmark import (
    METRICS,
    DatasetSpec,
    dataset_seed,
    get_suite,
    make_estimators,
    markdown_table,
    run_benchmark,
    summarize,
    to_markdown,
)
from skcausal.benchmark._run import COLUMNS
from skcausal.datasets._make_scm import torch_generator
from skcausal.graph import is_dag

ALL_METHODS = "zeroshot,pc,ges,notears,gies"
TINY = [
    DatasetSpec("tiny-obs", "linear-gaussian", "erdos_renyi", 4, 60, False),
    DatasetSpec(
        "tiny-int",
        "mlp",
        "scale_free",
        4,
        60,
        True,
        params={"mechanism": "mlp", "n_intervention_targets": 2, "intervention_fraction": 0.5},
    ),
]


def _data_hash(X, mask):
    digest = hashlib.sha256(np.ascontiguousarray(X, dtype=float).tobytes())
    digest.update(np.ascontiguousarray(mask, dtype=bool).tobytes())
    return digest.hexdigest()[:16]


class RecordingEstimator(BaseCausalDiscovery):
    """Predicts no edge; reports a hash of the data it got as a warning (recorded in the row)."""

    def __init__(self, tag="a"):
        self.tag = tag

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        warnings.warn(f"data {_data_hash(X, intervention_mask)}", UserWarning, stacklevel=2)
        d = X.shape[1]
        return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))


class ThreadCountingEstimator(BaseCausalDiscovery):
    """Predicts no edge; reports the torch and BLAS thread counts it ran with as a warning."""

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        import torch
        from threadpoolctl import threadpool_info

        blas = sorted(
            {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}
        )
        warnings.warn(f"torch {torch.get_num_threads()} blas {blas}", UserWarning, stacklevel=2)
        d = X.shape[1]
        return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))


class _HashesItsOutput:
    """Mixin: after the fit, reports a hash of the bits of ``edge_probabilities_`` as a warning,
    so that the results table shows any difference, even one too small to change a metric."""

    def fit(self, X, y=None, **kwargs):
        super().fit(X, y, **kwargs)
        warnings.warn(
            f"probabilities {_data_hash(self.edge_probabilities_, [])}", UserWarning, stacklevel=2
        )
        return self


class HashingNOTEARS(_HashesItsOutput, NOTEARS):
    pass


class HashingZeroShot(_HashesItsOutput, ZeroShotCausalDiscovery):
    pass


class SleepyEstimator(BaseCausalDiscovery):
    def __init__(self, seconds=30.0):
        self.seconds = seconds

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        time.sleep(self.seconds)
        d = X.shape[1]
        return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))


class WrongShapeEstimator(BaseCausalDiscovery):
    """Fits, but its graph has the wrong shape for the data: it cannot be scored."""

    def fit(self, X, y=None, *, intervention_mask=None):
        self.adjacency_ = np.zeros((2, 2), dtype=int)
        self.edge_probabilities_ = np.zeros((2, 2))
        return self


class RaisingEstimator(BaseCausalDiscovery):
    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        raise RuntimeError("boom in fit")


def _codes_hash(codes):
    return hashlib.sha256(np.ascontiguousarray(codes, dtype=np.int64).tobytes()).hexdigest()[:16]


class EnvironmentRecorder(BaseCausalDiscovery):
    """Uses environments; predicts no edge and reports what its fit got as a warning."""

    _supports_environments = True

    def __init__(self, reference_environment=0):
        self.reference_environment = reference_environment

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        if environments is None:
            warnings.warn(
                f"no environments; data {_data_hash(X, intervention_mask)}",
                UserWarning,
                stacklevel=2,
            )
        else:
            reference = environments.labels[environments.reference]
            warnings.warn(
                f"labels {'|'.join(map(str, environments.labels))} codes "
                f"{_codes_hash(environments.codes)} reference {reference} rows {X.shape[0]} "
                f"mask {int(intervention_mask.sum())}",
                UserWarning,
                stacklevel=2,
            )
        d = X.shape[1]
        return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))


@pytest.fixture(scope="module")
def smoke_results():
    return run_benchmark(make_estimators(ALL_METHODS), suite="smoke", n_repeats=1, progress=False)


# -- suites and seeds ------------------------------------------------------------------------------
def test_suites_are_well_formed():
    for name in ("smoke", "standard", "large", "sachs"):
        specs = get_suite(name)
        assert specs and len({spec.name for spec in specs}) == len(specs)
    standard = get_suite("standard")
    assert len(standard) == 48
    assert {s.n_nodes for s in standard} == {10, 20, 50}
    assert {s.family for s in standard} == {"linear-gaussian", "linear-nongaussian", "mlp", "rff"}
    assert {s.graph for s in standard} == {"erdos_renyi", "scale_free"}
    assert {s.params["noise"] for s in standard if s.family == "linear-nongaussian"} == {
        "laplace",
        "uniform",
        "student_t",
    }
    assert {s.interventional for s in standard} == {False, True}
    assert {(s.n_nodes, s.n_samples) for s in get_suite("large")} == {(100, 10_000)}


def test_sachs_suite_keeps_the_cyclic_consensus_graph():
    observational, interventional, environments = get_suite("sachs")
    X, mask, adjacency = observational.load()
    assert X.shape == (1755, 11) and not mask.any() and not is_dag(adjacency)
    X, mask, adjacency = interventional.load()
    assert X.shape == (7466, 11) and mask.any() and adjacency.sum() == 18
    assert observational.load(return_environments=True)[3] is None
    assert environments.name == "sachs-env" and environments.environments


def test_sachs_environment_datasets_give_the_conditions_and_no_mask():
    from skcausal.datasets import load_sachs

    spec = next(s for s in get_suite("sachs") if s.name == "sachs-env")
    X, mask, adjacency, env = spec.load(return_environments=True)
    X_int, mask_int, adjacency_int, conditions = load_sachs(return_conditions=True)
    assert X.shape == (7466, 11) == mask.shape and spec.n_samples == 7466
    assert mask.dtype == bool and not mask.any()  # unknown targets: no mask
    np.testing.assert_array_equal(X, X_int)
    np.testing.assert_array_equal(adjacency, adjacency_int)
    np.testing.assert_array_equal(env, conditions)
    assert len(np.unique(env)) == 9 and spec.reference_environment == "CD3/CD28" in set(env)
    assert spec.interventional and not spec.seeded
    assert len(spec.load()) == 3  # the environments only on request


def test_sachs_bnlearn_environment_dataset():
    pytest.importorskip("pgmpy")
    specs = {spec.name: spec for spec in get_suite("sachs-bnlearn")}
    assert list(specs) == ["sachs853-obs", "sachs853-int", "sachs853-env"]
    spec = specs["sachs853-env"]
    X, mask, adjacency, env = spec.load(return_environments=True)
    X_int, _, adjacency_int = specs["sachs853-int"].load()
    assert X.shape == (853 + 5711, 11) and spec.n_samples == X.shape[0] and not mask.any()
    np.testing.assert_array_equal(X, X_int)
    np.testing.assert_array_equal(adjacency, adjacency_int)
    assert adjacency.sum() == 17 and is_dag(adjacency)
    labels, counts = np.unique(env, return_counts=True)
    assert len(labels) == 8 and "CD3/CD28+ICAM-2" not in labels
    assert (
        dict(zip(labels, counts))["CD3/CD28"] == 853 == np.flatnonzero(env == "CD3/CD28").max() + 1
    )
    assert spec.reference_environment == "CD3/CD28"


def test_environments_need_labelled_data():
    with pytest.raises(ValueError, match="environments=True needs source='sachs'"):
        DatasetSpec("x", "linear-gaussian", "erdos_renyi", 4, 50, True, environments=True)


def test_dataset_seeds_are_reproducible_and_apart_from_pretraining():
    seeds = {dataset_seed(0, r, s.name) for r in range(3) for s in get_suite("standard")}
    assert len(seeds) == 3 * 48
    assert dataset_seed(0, 1, "x") == dataset_seed(0, 1, "x") != dataset_seed(1, 1, "x")
    for seed in list(seeds)[:20]:
        # The torch seed make_scm derives is far above every pretraining / validation seed.
        assert torch_generator(seed).initial_seed() >= 2**48


def test_unknown_suite_method_and_options_raise():
    estimators = {"rec": RecordingEstimator()}
    with pytest.raises(ValueError, match="unknown suite 'nope'.*smoke"):
        run_benchmark(estimators, suite="nope")
    allowed = "zeroshot, pc, ges, notears, gies"
    with pytest.raises(ValueError, match=f"unknown method.*'magic'.*{allowed}"):
        make_estimators("pc,magic")
    with pytest.raises(ValueError, match="twice"):
        make_estimators("pc,pc")
    with pytest.raises(ValueError, match="zeroshot method is not among"):
        make_estimators("pc", checkpoint="weights.safetensors")
    for kwargs in ({"n_repeats": 0}, {"time_limit": 0}, {"n_jobs": 0}, {"random_state": -1}):
        with pytest.raises(ValueError):
            run_benchmark(estimators, suite=TINY, progress=False, **kwargs)
    with pytest.raises(ValueError, match="non-empty dict"):
        run_benchmark({}, suite=TINY)
    with pytest.raises(ValueError, match="scikit-learn estimator"):
        run_benchmark({"x": object()}, suite=TINY)


# -- running ---------------------------------------------------------------------------------------
def test_smoke_suite_runs_every_method(smoke_results):
    results = smoke_results
    assert list(results.columns) == COLUMNS
    assert len(results) == 5 * 3
    assert results.groupby(["method", "dataset"]).size().eq(1).all()
    assert (results["status"] == "ok").all(), results[["method", "error"]]
    defined = [name for name in METRICS if name != "sid"]
    assert np.isfinite(results[defined].to_numpy(dtype=float)).all()
    # The SID is defined for DAGs and CPDAGs; GIES on interventional data returns an
    # interventional essential graph, which may be neither (then NaN).
    undefined_sid = results[results["sid"].isna()]
    assert set(undefined_sid["method"]) <= {"gies"} and undefined_sid["interventional"].all()
    assert (results["fit_seconds"] > 0).all()
    assert results["seed"].notna().all()
    assert set(results["family"]) == {"linear-gaussian", "linear-nongaussian", "mlp"}
    assert results["interventional"].any() and not results["interventional"].all()


@pytest.mark.parametrize("time_limit", [None, 30.0])  # in this process; in child processes
def test_every_method_gets_the_same_data_and_the_same_scoring(time_limit):
    estimators = {"a": RecordingEstimator("a"), "b": RecordingEstimator("b")}
    results = run_benchmark(
        estimators, suite=TINY, n_repeats=2, random_state=3, time_limit=time_limit, progress=False
    )
    assert len(results) == 2 * 2 * 2
    results["hash"] = results["warnings"].str.extract(r"data ([0-9a-f]{16})", expand=False)
    for (name, repeat), part in results.groupby(["dataset", "repeat"]):
        spec = next(s for s in TINY if s.name == name)
        X, mask, adjacency = spec.load(dataset_seed(3, repeat, name))
        assert set(part["hash"]) == {_data_hash(X, mask)}  # identical X and mask for a and b
        assert (part["n_edges"] == adjacency.sum()).all()
    assert results["hash"].nunique() == 4  # and different data per dataset and repeat
    # The empty graph, scored by skcausal.metrics: SHD = number of true edges, chance AUROC.
    assert (results["shd"] == results["n_edges"]).all()
    assert (results["auroc"] == 0.5).all() and (results["recall"] == 0).all()


def test_fixed_data_are_fitted_once():
    results = run_benchmark(
        {"rec": RecordingEstimator()}, suite="sachs", n_repeats=2, progress=False
    )
    assert list(results["dataset"]) == ["sachs-obs", "sachs-int", "sachs-env"]
    assert results["seed"].isna().all() and (results["status"] == "ok").all()
    assert list(results["interventional"]) == [False, True, True]
    assert list(results["environments"]) == ["none", "none", "pooled"]


@pytest.mark.parametrize("time_limit, n_jobs", [(None, 1), (30.0, 1), (None, 2)])
def test_environments_reach_the_methods_that_use_them(time_limit, n_jobs):
    from skcausal.cli._benchmark import _environment_note

    spec = next(s for s in get_suite("sachs") if s.name == "sachs-env")
    X, mask, _, conditions = spec.load(return_environments=True)
    labels, codes = np.unique(conditions, return_inverse=True)
    # reference_environment=0 is no label of the data: the fit only works if the harness sets it.
    estimator = EnvironmentRecorder(reference_environment=0)
    estimators = {"env": estimator, "rec": RecordingEstimator()}
    results = run_benchmark(
        estimators,
        suite=[spec, TINY[0]],
        n_repeats=1,
        time_limit=time_limit,
        n_jobs=n_jobs,
        progress=False,
    )
    assert (results["status"] == "ok").all(), results[["method", "error"]]
    assert estimator.reference_environment == 0  # the harness set it on a clone
    rows = results.set_index(["dataset", "method"])
    given = rows.loc[("sachs-env", "env")]
    assert given["environments"] == "given"
    assert given["warnings"] == (
        f"UserWarning: labels {'|'.join(labels)} codes {_codes_hash(codes)} reference CD3/CD28 "
        "rows 7466 mask 0"
    )
    assert len(labels) == 9 and labels.tolist() == sorted(set(conditions))
    pooled = rows.loc[("sachs-env", "rec")]
    assert pooled["environments"] == "pooled" and pooled["n_samples"] == 7466
    assert pooled["warnings"] == f"UserWarning: data {_data_hash(X, mask)}"  # every row, no labels
    # Data without environments: none for anyone, and the method that could use them gets none.
    assert (rows.loc["tiny-obs", "environments"] == "none").all()
    assert rows.loc[("tiny-obs", "env"), "warnings"].startswith(
        "UserWarning: no environments; data"
    )
    note = " ".join(_environment_note(results))
    assert (
        "`sachs-env`" in note and "env fitted with them" in note and "rec (no environment" in note
    )
    assert _environment_note(results[results["dataset"] == "tiny-obs"]) == []


def test_time_limit_records_a_timeout_quickly():
    estimators = {"sleepy": SleepyEstimator(30.0), "rec": RecordingEstimator()}
    start = time.perf_counter()
    results = run_benchmark(estimators, suite=TINY[:1], n_repeats=1, time_limit=1.0, progress=False)
    assert time.perf_counter() - start < 15  # a fork server start (~4 s) plus two short fits
    sleepy, fast = results.iloc[0], results.iloc[1]
    assert sleepy["status"] == "timeout" and "time limit" in sleepy["error"]
    assert np.isnan(sleepy[list(METRICS)].to_numpy(dtype=float)).all()
    assert 1.0 <= sleepy["fit_seconds"] < 5
    assert fast["status"] == "ok" and np.isfinite(fast["shd"])


@pytest.mark.parametrize("time_limit", [None, 30.0])
def test_an_error_in_fit_is_recorded(time_limit):
    estimators = {"raising": RaisingEstimator(), "rec": RecordingEstimator()}
    results = run_benchmark(
        estimators, suite=TINY[:1], n_repeats=1, time_limit=time_limit, progress=False
    )
    failed, fine = results.iloc[0], results.iloc[1]
    assert failed["status"] == "error" and failed["error"] == "RuntimeError: boom in fit"
    assert np.isnan(failed["auprc"])
    assert fine["status"] == "ok"


def test_a_graph_that_cannot_be_scored_is_an_error():
    results = run_benchmark(
        {"wrong": WrongShapeEstimator()}, suite=TINY[:1], n_repeats=1, progress=False
    )
    assert results.loc[0, "status"] == "error"
    assert results.loc[0, "error"].startswith("scoring failed: ValueError")
    assert np.isnan(results.loc[0, "shd"])


def test_n_jobs_gives_the_same_results(smoke_results):
    parallel = run_benchmark(
        make_estimators(ALL_METHODS), suite="smoke", n_repeats=1, n_jobs=2, progress=False
    )
    columns = [c for c in COLUMNS if c not in ("fit_seconds", "warnings")]
    pd.testing.assert_frame_equal(parallel[columns], smoke_results[columns])


def test_n_jobs_gives_bit_identical_fits():
    # Metrics hide differences too small to reorder edges; hashes of the outputs do not. The data
    # are simulated in Fortran order, which a child process used to get as such.
    estimators = {"notears": HashingNOTEARS(), "zeroshot": HashingZeroShot()}
    serial, parallel = (
        run_benchmark(estimators, suite=TINY, n_repeats=1, n_jobs=n_jobs, progress=False)
        for n_jobs in (1, 2)
    )
    assert serial["warnings"].str.contains("probabilities ").all()
    columns = [c for c in COLUMNS if c != "fit_seconds"]
    pd.testing.assert_frame_equal(parallel[columns], serial[columns], check_exact=True)


def test_progress_bar_can_be_shown(capsys):
    run_benchmark({"rec": RecordingEstimator()}, suite=TINY, n_repeats=1, progress=True)
    assert "2/2" in capsys.readouterr().err


# -- reports and CLI -------------------------------------------------------------------------------
def test_summary_and_markdown(smoke_results):
    summary = summarize(smoke_results)
    assert list(summary["family"].unique()) == [
        "linear-gaussian",
        "linear-nongaussian",
        "mlp",
        "all",
    ]
    overall = summary[summary["family"] == "all"].set_index("method")
    assert (overall["n_fits"] == 3).all()
    ges = smoke_results[smoke_results["method"] == "ges"]
    assert overall.loc["ges", "auprc_mean"] == pytest.approx(ges["auprc"].mean())
    assert overall.loc["ges", "auprc_std"] == pytest.approx(ges["auprc"].std())
    table = to_markdown(smoke_results).splitlines()
    assert len(table) == 2 + len(summary)
    assert table[0].startswith("| family") and " ± " in table[-1]
    assert markdown_table(["a|b"], [["1"]]).splitlines()[0] == "| a\\|b |"
    by_size = summarize(smoke_results, by="n_nodes")
    assert list(by_size["n_nodes"].unique()) == [5, "all"]
    assert to_markdown(smoke_results, by="n_nodes").startswith("| n_nodes | method")
    with pytest.raises(ValueError, match="column"):
        summarize(smoke_results, by="colour")


def test_cli_writes_results_report_and_plots(tmp_path):
    from skcausal.cli import main

    main(
        [
            "benchmark",
            "--suite",
            "smoke",
            "--methods",
            ALL_METHODS,
            "--repeats",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    results = pd.read_csv(tmp_path / "results.csv")
    assert len(results) == 15 and (results["status"] == "ok").all()
    report = (tmp_path / "results.md").read_text()
    assert f"python -m skcausal benchmark --suite smoke --methods {ALL_METHODS}" in report
    assert "sha256 `" in report and "training steps" in report and "skcausal 0." in report
    for name in ("accuracy_vs_time.png", "auprc_by_family.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({name})" in report


def test_cli_benchmarks_the_checkpoint_it_is_given(tmp_path):
    import shutil

    from skcausal.cli import main
    from skcausal.zeroshot import default_checkpoint_path

    shipped = default_checkpoint_path()
    for suffix in (".safetensors", ".json"):
        shutil.copy(shipped.with_suffix(suffix), tmp_path / f"my-run{suffix}")
    out = tmp_path / "out"
    main(
        [
            "benchmark",
            "--suite",
            "smoke",
            "--methods",
            "zeroshot",
            "--repeats",
            "1",
            "--checkpoint",
            str(tmp_path / "my-run.safetensors"),
            "--out",
            str(out),
        ]
    )
    report = (out / "results.md").read_text()
    assert f"--checkpoint {tmp_path / 'my-run.safetensors'}" in report
    assert "zero-shot checkpoint: `my-run.safetensors`" in report


def test_every_fit_runs_with_the_threads_of_the_caller():
    import torch
    from threadpoolctl import threadpool_limits

    # Counts unlike this machine's defaults, so that a fit that falls back to them shows.
    threads = torch.get_num_threads()
    torch.set_num_threads(4)
    try:
        with threadpool_limits(limits=3, user_api="blas"):
            runs = [
                run_benchmark(
                    {"count": ThreadCountingEstimator()},
                    suite=TINY,
                    n_repeats=1,
                    progress=False,
                    **options,
                )
                for options in ({}, {"n_jobs": 2}, {"time_limit": 60.0})
            ]
    finally:
        torch.set_num_threads(threads)
    # In this process, in concurrent children and in a child with a time limit alike: a thread
    # count decides how floating-point sums are split, so the results would depend on n_jobs.
    for results in runs:
        assert (results["warnings"] == "UserWarning: torch 4 blas [3]").all(), results["warnings"]


def test_datasets_with_missing_cells_and_category_columns_pass_through():
    # #22: a dataset whose load gives a DataFrame with a category column and missing cells
    # reaches the methods as it is (the column contract), with no float conversion.
    from dataclasses import dataclass

    from skcausal.baselines import PC
    from skcausal.benchmark import DatasetSpec, run_benchmark

    @dataclass(frozen=True)
    class _Survey(DatasetSpec):
        def load(self, seed=None, *, return_environments=False):
            rng = np.random.default_rng(seed)
            a = rng.integers(0, 3, 400)
            b = np.where(rng.random(400) < 0.8, a, rng.integers(0, 3, 400))
            c = b + rng.normal(size=400)
            X = pd.DataFrame({"a": pd.Categorical(a), "b": pd.Categorical(b), "c": c})
            X.loc[::10, "c"] = np.nan
            truth = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])
            mask = np.zeros((400, 3), dtype=bool)
            return (X, mask, truth, None) if return_environments else (X, mask, truth)

    spec = _Survey("survey", "mixed", "chain", 3, 400, False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PC's complete-rows warning
        results = run_benchmark({"pc": PC()}, suite=[spec], n_repeats=1, progress=False)
    assert results["status"].tolist() == ["ok"]
    assert results["skeleton_f1"].iloc[0] > 0.5
