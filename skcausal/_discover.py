"""``python -m skcausal discover``: the package's main job, on the Sachs data or a CSV file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

_SACHS_NOTE = """\
Sachs et al. (2005): 11 phosphoproteins, 7,466 cells in 9 conditions (log concentrations), scored
against the 18-edge consensus network (it has one cycle, PIP2 -> PIP3 -> plcg -> PIP2, so no DAG
reaches SHD 0). sachs-obs: the 1,755 cells of the two observational conditions. sachs-int: all cells
with the intervention mask; only the zero-shot model and GIES use the mask, PC, GES and NOTEARS treat
every row as observational. SHD: lower is better; F1, AUROC, AUPRC: higher is better."""


def _sachs(methods, out):
    from skcausal.benchmark import make_estimators, run_benchmark

    estimators = make_estimators(methods)
    results = run_benchmark(estimators, suite="sachs", n_repeats=1, progress=True)
    table = results[["dataset", "method", "status", "shd", "f1", "auroc", "auprc", "fit_seconds"]]
    print()
    print(_SACHS_NOTE)
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        results.to_csv(out / "sachs_results.csv", index=False)
        if "zeroshot" in estimators:
            _plot_sachs(out)
    return results


def _plot_sachs(out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skcausal import ZeroShotCausalDiscovery
    from skcausal.datasets import load_sachs
    from skcausal.plot import plot_graph

    X, mask, truth = load_sachs(as_frame=True)
    est = ZeroShotCausalDiscovery().fit(X, intervention_mask=mask)
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.5), constrained_layout=True)
    plot_graph(est, true_adjacency=truth, ax=axes[0])
    axes[0].set_title("zero-shot, with the intervention mask")
    plot_graph(truth, ax=axes[1])
    axes[1].set_title("consensus network (18 edges)")
    path = out / "sachs_zeroshot.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"\nplot: {path}")


def _csv(path, methods):
    from skcausal.benchmark import make_estimators

    X = pd.read_csv(path)
    for name, est in make_estimators(methods).items():
        est.fit(X)
        edges = est.edge_list()
        print(f"\n{name}: {len(edges)} edges")
        print(edges.head(30).to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def main(args):
    """Run discovery on ``args.data`` ("sachs" or a CSV path) with ``args.methods``."""
    if args.data == "sachs":
        return _sachs(args.methods, args.out)
    return _csv(args.data, args.methods)
