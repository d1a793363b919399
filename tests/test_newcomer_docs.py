"""The docs a newcomer needs (issue #24 item 10): the "choosing a method" page, the zero-shot
model's limits where users read them, and the warning on ``score`` for model selection."""

import re
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.metrics import make_graph_scorer
from skcausal.sem import SEMMixin

ROOT = Path(__file__).resolve().parents[1]


def _words(text):
    return re.sub(r"\s+", " ", text)


def test_the_choosing_page_is_in_the_user_guide_and_covers_every_method():
    page = _words((ROOT / "docs" / "choosing.md").read_text(encoding="utf-8"))
    toctree = (ROOT / "docs" / "index.md").read_text(encoding="utf-8").split("```")[1]
    assert "choosing" in toctree.split()
    for name in ("ZeroShotCausalDiscovery", "PC", "GES", "NOTEARS", "GIES", "CPDAG"):
        assert name in page
    for fact in ("hidden confounders", "make_graph_scorer", "edge_score_name", "2,000", "200"):
        assert fact in page


def test_the_zero_shot_limits_are_in_the_readme_and_the_docstring():
    readme = _words((ROOT / "README.md").read_text(encoding="utf-8"))
    doc = _words(ZeroShotCausalDiscovery.__doc__)
    for text in (readme, doc):
        assert "hidden confounders" in text
        assert "2,000" in text and "200" in text
    # v2's prior, not v1's: soft and shift interventions, environments, distorted marginals.
    assert "soft" in doc and "environments" in doc
    assert "hard interventions)" not in doc


def test_score_warns_about_denser_graphs_and_names_the_scorer_to_use():
    doc = _words(SEMMixin.score.__doc__)
    assert "denser" in doc and "make_graph_scorer" in doc


def test_the_documented_bias_of_score_holds():
    # docs/choosing.md: a grid search over the threshold on the default score picks a lower (denser)
    # threshold than one on the SHD scorer.
    X, _, truth = make_scm(n_samples=1000, n_nodes=20, random_state=1)
    grid = {"threshold": [0.1, 0.3, 0.5, 0.7, 0.9]}
    by_score = GridSearchCV(ZeroShotCausalDiscovery(), grid, cv=3).fit(X)
    by_shd = GridSearchCV(
        ZeroShotCausalDiscovery(), grid, scoring=make_graph_scorer("shd", truth), cv=3
    ).fit(X)
    assert by_score.best_params_["threshold"] < by_shd.best_params_["threshold"]
    assert np.sum(by_score.best_estimator_.adjacency_) > np.sum(truth)
