"""sample_bnlearn: discrete data from the development networks' own probability tables."""

import itertools
import re

import numpy as np
import pandas as pd
import pytest

from skcausal.datasets import _bnlearn, sample_bnlearn

RESERVED = ["asia", "cancer", "earthquake", "survey", "sachs", "mildew", "barley", "ecoli70"]
RESERVED += ["magic-niab", "magic-irri", "arth150", "Child", "alarm.bif"]


@pytest.mark.parametrize("name", RESERVED)
def test_reserved_and_unknown_networks_are_refused_before_any_file_is_read(name, monkeypatch):
    def read(_):
        raise AssertionError("a file was read")

    monkeypatch.setattr(_bnlearn, "_bif_text", read)
    with pytest.raises(ValueError, match="reserved|report only|unknown network"):
        sample_bnlearn(name, 10)


def test_samples_follow_the_network():
    pytest.importorskip("pgmpy")
    chi2_contingency = pytest.importorskip("scipy.stats").chi2_contingency
    data, A = sample_bnlearn("child", 2000, random_state=0)
    text = _bnlearn._bif_text("child")
    assert list(data.columns) == _bnlearn.load_bnlearn_structure("child")[1]
    for name in data.columns:
        assert isinstance(data[name].dtype, pd.CategoricalDtype)
        declared = re.search(rf"variable {name} \{{[^{{]*\{{([^}}]*)\}}", text).group(1)
        assert list(data[name].cat.categories) == [s.strip() for s in declared.split(",")]
    assert not data.isna().any().any()

    def dependent(i, j):
        table = pd.crosstab(data.iloc[:, i], data.iloc[:, j])
        return chi2_contingency(table)[1] < 1e-3

    edges = [dependent(i, j) for i, j in zip(*np.nonzero(A))]
    pairs = [(i, j) for i, j in itertools.combinations(range(len(A)), 2)]
    apart = [dependent(i, j) for i, j in pairs if not A[i, j] and not A[j, i]]
    assert np.mean(edges) > 0.9 and np.mean(edges) > np.mean(apart) + 0.2
    again, _ = sample_bnlearn("child", 2000, random_state=0)
    pd.testing.assert_frame_equal(data, again)


def test_n_samples_is_checked():
    with pytest.raises(ValueError, match="n_samples"):
        sample_bnlearn("child", 0)
