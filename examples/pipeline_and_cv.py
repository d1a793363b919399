"""Pipelines, cross-validation and grid search with a causal-discovery estimator.

Shows the three ways scikit-learn's model-selection tools meet skcausal:

1. A :class:`~sklearn.pipeline.Pipeline` (scaling, then discovery) whose last step holds the graph.
2. :func:`~sklearn.model_selection.cross_validate` *without* ground truth: every estimator's
   ``score`` is the held-out log-likelihood of a linear-Gaussian model on its graph. The
   intervention mask is routed to ``fit`` and ``score`` with metadata routing and is split with
   the rows.
3. :class:`~sklearn.model_selection.GridSearchCV` over the zero-shot model's ``threshold``, scored
   against the known graph with :func:`skcausal.metrics.make_graph_scorer`.

Run::

    python examples/pipeline_and_cv.py [--smoke] [--out DIR]
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files; no window needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_validate  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skcausal import BaseCausalDiscovery, Discovery, ZeroShotCausalDiscovery  # noqa: E402
from skcausal.baselines import GES, GIES, PC  # noqa: E402
from skcausal.datasets import make_scm  # noqa: E402
from skcausal.metrics import make_graph_scorer  # noqa: E402
from skcausal.plot import plot_graph  # noqa: E402


class EmptyGraph(BaseCausalDiscovery):
    """Reference point for the likelihood: no edges, every variable on its own."""

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        d = X.shape[1]
        return Discovery(np.zeros((d, d)), np.zeros((d, d), dtype=int))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small and fast (a few seconds)")
    parser.add_argument("--out", default="example-output", help="folder for the PNG files")
    return parser.parse_args()


def main():
    args = parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n_samples, n_nodes = (400, 5) if args.smoke else (2000, 10)

    X, mask, true_graph = make_scm(
        n_samples, n_nodes, n_intervention_targets=3, intervention_fraction=0.3, random_state=1
    )
    names = [f"x{k}" for k in range(n_nodes)]
    X = pd.DataFrame(X, columns=names)
    cv = KFold(5, shuffle=True, random_state=0)  # shuffled: interventional rows come last

    # 1. A pipeline. set_output keeps the column names through the scaler, so the graph is
    #    labelled; without metadata routing the mask is addressed to its step by name.
    pipe = make_pipeline(StandardScaler(), ZeroShotCausalDiscovery()).set_output(transform="pandas")
    pipe.fit(X, zeroshotcausaldiscovery__intervention_mask=mask)
    print("1. Pipeline: edges of pipe[-1] (the ZeroShotCausalDiscovery step)")
    print(pipe[-1].edge_list().head(6).to_string(index=False, float_format="{:.2f}".format))

    # 2. and 3. route the mask by its name instead: request it once per estimator.
    with sklearn.config_context(enable_metadata_routing=True):
        # 2. Held-out log-likelihood per sample: no ground truth needed. Values set by an
        #    intervention are not scored for their own variable, so score needs the mask too.
        methods = {
            "empty graph": EmptyGraph(),
            "PC": PC(),
            "GES": GES(),
            "GIES": GIES(),
            "zero-shot": ZeroShotCausalDiscovery(),
        }
        rows = {}
        for name, estimator in methods.items():
            estimator.set_fit_request(intervention_mask=True)
            estimator.set_score_request(intervention_mask=True)
            result = cross_validate(estimator, X, params={"intervention_mask": mask}, cv=cv)
            rows[name] = {
                "log-lik (mean)": result["test_score"].mean(),
                "log-lik (std)": result["test_score"].std(),
                "fit time [s]": result["fit_time"].mean(),
            }
        table = pd.DataFrame(rows).T
        print("\n2. cross_validate, held-out log-likelihood per sample (greater is better)")
        print(table.to_string(float_format="{:.3f}".format))

        # 3. Choose the threshold against the known graph (possible on simulated data only).
        search = GridSearchCV(
            ZeroShotCausalDiscovery().set_fit_request(intervention_mask=True),
            {"threshold": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]},
            scoring={
                "F1": make_graph_scorer("f1", true_graph),
                "SHD": make_graph_scorer("shd", true_graph),
            },
            refit="F1",
            cv=cv,
        ).fit(X, intervention_mask=mask)
    results = pd.DataFrame(
        {
            "threshold": search.cv_results_["param_threshold"].astype(float),
            "F1": search.cv_results_["mean_test_F1"],
            "SHD": -search.cv_results_["mean_test_SHD"],  # the scorer negates it
        }
    )
    print("\n3. GridSearchCV over threshold (mean over the folds)")
    print(results.to_string(index=False, float_format="{:.3f}".format))
    print(f"best: {search.best_params_} (F1 {search.best_score_:.3f})")

    # Pictures: the refitted best model's graph, and the threshold curve.
    ax = plot_graph(search.best_estimator_, true_adjacency=true_graph)
    ax.set_title(f"Zero-shot graph at the selected threshold {search.best_params_['threshold']}")
    ax.figure.savefig(out / "pipeline_and_cv_best_graph.png", dpi=120, bbox_inches="tight")

    fig, f1_axis = plt.subplots(figsize=(5.5, 3.6))
    f1_axis.plot(results["threshold"], results["F1"], "o-", color="#009e73", label="F1")
    f1_axis.set_xlabel("threshold")
    f1_axis.set_ylabel("mean F1 over folds", color="#009e73")
    f1_axis.axvline(
        search.best_params_["threshold"], color="#8c8c8c", linestyle=":", label="selected"
    )
    shd_axis = f1_axis.twinx()
    shd_axis.plot(results["threshold"], results["SHD"], "s--", color="#d55e00", label="SHD")
    shd_axis.set_ylabel("mean SHD over folds", color="#d55e00")
    handles = f1_axis.get_legend_handles_labels()[0] + shd_axis.get_legend_handles_labels()[0]
    # Below the x label, where it cannot hide a point of either curve.
    f1_axis.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        fontsize=8,
        frameon=False,
        ncol=3,
    )
    f1_axis.set_title("GridSearchCV over the zero-shot threshold")
    fig.savefig(out / "pipeline_and_cv_threshold.png", dpi=120, bbox_inches="tight")
    plt.close("all")
    print(f"\nSaved pipeline_and_cv_best_graph.png and pipeline_and_cv_threshold.png in {out}/")


if __name__ == "__main__":
    main()
