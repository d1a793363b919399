"""The column contract (#22): every estimator, every kind of column, missing cells."""

import warnings

import numpy as np
import pandas as pd
import pytest
from _strategies import mixed_frames  # tests/ is on sys.path under pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from skcausal import NonparametricSEM, ZeroShotCausalDiscovery
from skcausal.baselines import GES, GIES, NOTEARS, PC
from skcausal.exceptions import RowsDroppedWarning
from skcausal.metrics import structural_hamming_distance as shd

ESTIMATORS = [ZeroShotCausalDiscovery, PC, GES, NOTEARS, GIES]
FIXES = ("Use ", "Drop", "drop", "Impute", "impute", "give the categories")


def _base(n=300, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = a + rng.normal(size=n)
    c = b + rng.normal(size=n)
    d = rng.normal(size=n) + c
    return rng, np.column_stack([a, b, c, d])


def _case(name):
    """(X, expected feature_kinds_) for each kind of input."""
    rng, X = _base()
    frame = pd.DataFrame(X, columns=list("abcd"))
    if name == "nan_array":
        X = X.copy()
        X[rng.random(X.shape) < 0.05] = np.nan
        return X, ["continuous"] * 4
    if name == "frame_na":
        frame["b"] = frame["b"].astype("Float64")
        frame.loc[rng.random(len(frame)) < 0.05, "b"] = pd.NA
        column = frame["c"].astype(object)
        column[rng.random(len(frame)) < 0.05] = None
        frame["c"] = column
        return frame, ["continuous"] * 4
    if name == "category":
        frame["b"] = pd.Categorical(np.digitize(frame["b"], [-1, 1]).astype(str))
        return frame, ["continuous", "categorical", "continuous", "continuous"]
    if name == "bool":
        frame["b"] = frame["b"] > 0
        return frame, ["continuous", "binary", "continuous", "continuous"]
    if name == "ordered":
        codes = np.digitize(frame["b"], [-1, 1])
        frame["b"] = pd.Categorical.from_codes(codes, ["low", "mid", "high"], ordered=True)
        return frame, ["continuous", "ordinal", "continuous", "continuous"]
    if name == "text":
        frame["c"] = np.where(frame["c"] > 0, "up", "down")
        frame.loc[::17, "c"] = None
        return frame, ["continuous", "continuous", "binary", "continuous"]
    if name == "mixed":
        frame["a"] = frame["a"] > 0
        codes = np.digitize(frame["c"], [-1, 0, 1])
        frame["c"] = pd.Categorical.from_codes(codes, list("wxyz"), ordered=True)
        return frame, ["binary", "continuous", "ordinal", "continuous"]
    raise AssertionError(name)


CASES = ["nan_array", "frame_na", "category", "bool", "ordered", "text", "mixed"]


def _incomplete_rows(X):
    return int(pd.DataFrame(X).isna().any(axis=1).sum())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda e: e.__name__)
def test_every_estimator_fits_every_kind_or_names_a_fix(Estimator, case):
    X, kinds = _case(case)
    incomplete = _incomplete_rows(X)
    est = Estimator()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X)
        except ValueError as error:
            assert any(fix in str(error) for fix in FIXES), str(error)
            return
    assert est.adjacency_.shape == (4, 4)
    assert list(est.feature_kinds_) == kinds
    dropped = [w.message for w in caught if issubclass(w.category, RowsDroppedWarning)]
    if incomplete and est._missing_policy() != "native":
        assert len(dropped) == 1 and dropped[0].n_dropped == incomplete
        assert f"dropped {incomplete} of 300 rows" in str(dropped[0])
    else:
        assert not dropped


@settings(max_examples=8, deadline=None)
@given(fraction=st.floats(0.0, 0.3), seed=st.integers(0, 10_000))
def test_no_estimator_drops_rows_without_saying_how_many(fraction, seed):
    rng, X = _base(120, seed)
    X[rng.random(X.shape) < fraction] = np.nan
    incomplete = _incomplete_rows(X)
    for Estimator in (GES, NOTEARS, PC):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                est = Estimator(max_iter=5) if Estimator is NOTEARS else Estimator()
                est.fit(X)
            except ValueError as error:
                assert any(fix in str(error) for fix in FIXES), str(error)
                continue
        dropped = [w.message.n_dropped for w in caught if w.category is RowsDroppedWarning]
        if est._missing_policy() == "native" or not incomplete:
            assert dropped == []
        else:
            assert dropped == [incomplete]


def _binary_chain(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    columns = [rng.random(n) < 0.5]
    for _ in range(3):
        parent = columns[-1]
        columns.append(np.where(rng.random(n) < 0.9, parent, ~parent))
    return pd.DataFrame(dict(zip("ABCD", columns)))


CHAIN_SKELETON = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])


def test_pc_auto_picks_gsq_and_recovers_a_binary_chain():
    est = PC().fit(_binary_chain())
    assert est.ci_test_ == "gsq"
    assert list(est.feature_kinds_) == ["binary"] * 4
    np.testing.assert_array_equal(est.adjacency_ | est.adjacency_.T, CHAIN_SKELETON)


def test_ges_auto_uses_bdeu_and_recovers_a_binary_chain():
    est = GES().fit(_binary_chain())
    assert est.score_func_ == "local_score_BDeu"
    np.testing.assert_array_equal(est.adjacency_ | est.adjacency_.T, CHAIN_SKELETON)


def test_pc_with_mcar_cells_uses_mv_fisherz_and_loses_little():
    from skcausal.datasets import make_scm

    X, _, truth = make_scm(2000, 8, mechanism="linear", random_state=3)
    complete = PC().fit(X)
    rng = np.random.default_rng(0)
    holed = X.copy()
    holed[rng.random(X.shape) < 0.1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", RowsDroppedWarning)  # test-wise deletion: no row dropped
        missing = PC().fit(holed)
    assert complete.ci_test_ == "fisherz" and missing.ci_test_ == "mv_fisherz"
    assert shd(truth, missing.adjacency_) <= shd(truth, complete.adjacency_) + 3


def test_categorical_features_by_index_name_and_mask_agree():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=200), "k": rng.integers(0, 3, 200), "z": rng.normal(size=200)}
    )
    kinds = [
        PC(categorical_features=spec).fit(frame).feature_kinds_.tolist()
        for spec in ([1], ["k"], [False, True, False])
    ]
    assert kinds == [["continuous", "categorical", "continuous"]] * 3
    by_array = PC(categorical_features=[1]).fit(frame.to_numpy())
    assert by_array.feature_kinds_.tolist() == kinds[0]
    np.testing.assert_array_equal(by_array.categories_[1], [0.0, 1.0, 2.0])
    # Integer columns not named stay continuous.
    assert PC().fit(frame).feature_kinds_.tolist() == ["continuous"] * 3
    assert clone(PC(categorical_features=["k"])).get_params()["categorical_features"] == ["k"]


def test_relabelling_an_unordered_category_leaves_pc_gsq_unchanged():
    rng = np.random.default_rng(1)
    n = 3000
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.8, a, rng.integers(0, 3, n))
    c = np.where(rng.random(n) < 0.8, b, rng.integers(0, 3, n))
    names = np.array(["red", "green", "blue"])
    frame = pd.DataFrame({"a": names[a], "b": names[b], "c": pd.Categorical(names[c])})
    other = np.array(["zz", "aa", "mm"])  # another sorted order of the same levels
    relabelled = pd.DataFrame({"a": other[a], "b": other[b], "c": pd.Categorical(other[c])})
    first, second = PC().fit(frame), PC().fit(relabelled)
    assert first.ci_test_ == second.ci_test_ == "gsq"
    np.testing.assert_array_equal(first.adjacency_, second.adjacency_)


def test_pc_on_mixed_data_with_a_categorical_column_bins_and_uses_gsq():
    X, _ = _case("category")
    assert PC().fit(X).ci_test_ == "gsq"
    X, _ = _case("mixed")  # binary and ordinal only: Fisher-z on the codes
    assert PC().fit(X).ci_test_ == "fisherz"


@pytest.mark.parametrize(
    "column, match",
    [
        ([f"id{k}" for k in range(300)], "every value is distinct"),
        ([f"v{k % 60}" for k in range(300)], "more than 50"),
        (["a", 1.5] * 150, "mixes text"),
    ],
)
def test_unusable_text_columns_are_refused_by_name(column, match):
    _, X = _base()
    frame = pd.DataFrame(X, columns=list("abcd")).assign(label=column)
    with pytest.raises(ValueError, match=match) as info:
        PC().fit(frame)
    assert "'label'" in str(info.value)


def test_constant_on_observed_cells_and_infinite_values_are_refused():
    _, X = _base()
    X[:, 2] = 1.0
    X[::3, 2] = np.nan
    with pytest.raises(ValueError, match="constant"):
        PC().fit(X)
    _, X = _base()
    X[:, 1] = np.nan
    with pytest.raises(ValueError, match="constant"):
        PC().fit(X)
    _, X = _base()
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        PC().fit(X)


def test_too_few_complete_rows_are_refused():
    _, X = _base(40)
    X[np.arange(39), np.arange(39) % 4] = np.nan
    with pytest.raises(ValueError, match="complete rows"):
        NOTEARS().fit(X)


def test_linear_sem_with_missing_cells_scores_on_observed_values():
    rng, X = _base(2000)
    X[rng.random(X.shape) < 0.1] = np.nan
    est = PC().fit(X)
    assert np.all(np.isfinite(est.coef_))
    assert np.isfinite(est.score(X))
    complete = X[~np.isnan(X).any(axis=1)]
    assert abs(est.score(complete) - est.score(X)) < 2.0


def test_sample_keeps_the_kinds_of_a_frame_fit():
    X, _ = _case("mixed")
    est = NOTEARS().fit(X)
    drawn = est.sample(50, random_state=0)
    assert drawn["a"].dtype == bool
    assert isinstance(drawn["c"].dtype, pd.CategoricalDtype) and drawn["c"].cat.ordered
    assert list(drawn["c"].cat.categories) == list("wxyz")
    forced = est.sample(20, interventions={"c": "y"}, random_state=0)
    assert (forced["c"] == "y").all()
    with pytest.raises(ValueError, match="levels"):
        est.sample(5, interventions={"c": "nope"})
    array = X.assign(c=X["c"].cat.codes).to_numpy(dtype=float)
    codes = NOTEARS(categorical_features=[0]).fit(array).sample(200, random_state=0)
    assert set(np.unique(codes[:, 0])) <= {0.0, 1.0}


def test_linear_sem_refuses_categorical_columns_naming_nonparametric_sem():
    X, _ = _case("category")
    est = PC().fit(X)
    for call in (lambda: est.sample(5), lambda: est.score(X)):
        with pytest.raises(ValueError, match="NonparametricSEM"):
            call()


def test_nonparametric_sem_samples_levels_that_occur():
    X, _ = _case("category")
    X.loc[::11, "d"] = np.nan
    est = PC().fit(X)
    sem = NonparametricSEM().fit(X, est)
    drawn = sem.sample(300, random_state=0)
    assert set(drawn["b"].astype(str)) <= set(X["b"].astype(str))
    assert isinstance(drawn["b"].dtype, pd.CategoricalDtype)
    forced = sem.sample(10, interventions={"b": "1"}, random_state=0)
    assert (forced["b"] == "1").all()


def test_cli_reads_empty_cells_and_text_columns(tmp_path, capsys):
    from skcausal.cli import main

    rng, X = _base(200)
    frame = pd.DataFrame(X, columns=list("abcd")).round(3)
    frame["c"] = np.where(frame["c"] > 0, "up", "down")
    frame.loc[::9, "b"] = np.nan
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    status = main(["discover", "--data", str(path), "--methods", "pc,notears"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "discrete: 1 binary (c); missing cells: 23 (in 23 rows)" in out
    assert "test mv_fisherz" in out
    assert "dropped 23 of 200 rows with missing values" in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(max_examples=15, deadline=None)
@given(case=mixed_frames())
def test_random_mixes_of_kinds_fit_or_name_a_fix(case):
    frame, kinds = case
    incomplete = _incomplete_rows(frame)
    for Estimator in (PC, GES, NOTEARS):
        est = Estimator(max_iter=5) if Estimator is NOTEARS else Estimator()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                est.fit(frame)
            except ValueError as error:
                assert any(fix in str(error) for fix in FIXES), str(error)
                continue
        assert est.adjacency_.shape == (frame.shape[1],) * 2
        assert est.feature_kinds_.tolist() == kinds
        dropped = [w.message.n_dropped for w in caught if w.category is RowsDroppedWarning]
        if incomplete and est._missing_policy() != "native":
            assert dropped == [incomplete]
        else:
            assert dropped == []
