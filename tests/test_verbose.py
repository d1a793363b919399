"""``verbose`` on every estimator (issue #24): 0 prints nothing, 1 shows progress bars on stderr."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skcausal import ZeroShotCausalDiscovery
from skcausal.baselines import GES, GIES, NOTEARS, PC
from skcausal.datasets import make_environments, make_scm

ESTIMATORS = [ZeroShotCausalDiscovery, PC, GES, NOTEARS, GIES]


@pytest.fixture(scope="module")
def data():
    X, _, _ = make_scm(150, 4, random_state=0)
    return X


def _fit_quietly(estimator, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NOTEARS's ConvergenceWarning is not progress output
        return estimator.fit(*args, **kwargs)


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_verbose_defaults_to_zero_and_prints_nothing(Estimator, data, capfd):
    est = Estimator(n_bootstrap=2, random_state=0)
    assert est.get_params()["verbose"] == 0
    _fit_quietly(est, data)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
def test_verbose_one_shows_a_bar_over_the_resamples_on_stderr(Estimator, data, capfd):
    est = _fit_quietly(Estimator(n_bootstrap=3, random_state=0, verbose=1), data)
    out, err = capfd.readouterr()
    assert out == ""
    if Estimator is ZeroShotCausalDiscovery:  # the full data and the 3 resamples, in each view
        passes = 4 * {"raw": 1, "ranks": 1, "both": 2}[est.marginals]
        assert "ZeroShotCausalDiscovery forward passes" in err and f"{passes}/{passes}" in err
    else:
        assert f"{Estimator.__name__} bootstrap" in err and "3/3" in err


def test_the_bootstrap_gives_the_same_result_whatever_verbose(data):
    quiet = _fit_quietly(NOTEARS(n_bootstrap=2, random_state=0), data)
    loud = _fit_quietly(NOTEARS(n_bootstrap=2, random_state=0, verbose=2), data)
    np.testing.assert_array_equal(quiet.edge_frequencies_, loud.edge_frequencies_)
    np.testing.assert_array_equal(quiet.edge_probabilities_, loud.edge_probabilities_)
    assert not hasattr(loud, "_in_bootstrap") or loud._in_bootstrap is False


def test_pc_shows_causal_learns_progress(data, capfd):
    PC(verbose=1).fit(data)
    assert "%|" in capfd.readouterr().err  # causal-learn's own tqdm bar over the variables
    PC().fit(data)
    assert capfd.readouterr().err == ""


def test_cdnod_shows_causal_learns_progress_only_when_asked(capfd):
    X, env, _, _ = make_environments(300, 4, n_environments=2, random_state=0)
    PC(reference_environment=None).fit(X, environments=env)
    assert capfd.readouterr().err == ""
    PC(reference_environment=None, verbose=1).fit(X, environments=env)
    assert "%|" in capfd.readouterr().err


def test_notears_shows_its_outer_iterations(data, capfd):
    est = _fit_quietly(NOTEARS(verbose=1), data)
    err = capfd.readouterr().err
    # The bar ends full at the iterations run (not at max_iter), with the acyclicity reached.
    assert f"{est.n_iter_}/{est.n_iter_}" in err and "h=" in err and "NOTEARS" in err


def test_verbose_two_adds_the_search_bars_within_the_resamples(data, capfd):
    _fit_quietly(NOTEARS(n_bootstrap=2, random_state=0, verbose=1), data)
    one = capfd.readouterr().err
    _fit_quietly(NOTEARS(n_bootstrap=2, random_state=0, verbose=2), data)
    two = capfd.readouterr().err
    # At 1: the full data's iterations and the resamples' bar; at 2, each resample's iterations.
    assert one.count("NOTEARS:") < two.count("NOTEARS:")


@pytest.mark.parametrize("Estimator", ESTIMATORS, ids=lambda E: E.__name__)
@pytest.mark.parametrize("verbose", [-1, 0.5, "yes", None])
def test_verbose_is_validated_before_the_data(Estimator, verbose):
    with pytest.raises(InvalidParameterError, match="verbose"):
        Estimator(verbose=verbose).fit("not data")


def test_verbose_zero_does_not_even_import_tqdm():
    # tqdm.auto warns at import in a notebook without ipywidgets: a quiet fit must not load it.
    script = (
        "import sys, warnings\nimport numpy as np\nwarnings.simplefilter('ignore')\n"
        "from skcausal.baselines import NOTEARS\n"
        "X = np.random.default_rng(0).normal(size=(100, 3))\nX[:, 1] += X[:, 0]\n"
        "NOTEARS(n_bootstrap=2, random_state=0).fit(X)\n"
        "assert 'tqdm' not in sys.modules, 'tqdm was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
