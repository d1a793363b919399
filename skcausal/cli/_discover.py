"""``python -m skcausal discover``: the package's main job, on the Sachs data or a CSV file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

_SACHS_NOTE = """\
Sachs et al. (2005): 11 phosphoproteins, 7,466 cells in 9 conditions (log concentrations), scored
against the 18-edge consensus network (it has one cycle, PIP2 -> PIP3 -> plcg -> PIP2, so no DAG
reaches SHD 0). sachs-obs: the 1,755 cells of the two observational conditions. sachs-int: all cells
with the intervention mask; only the zero-shot model and GIES use the mask, \
PC, GES and NOTEARS treat
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


def _read_mask(path, X):
    mask = pd.read_csv(path)
    if list(mask.columns) != list(X.columns):
        raise ValueError(
            f"the mask CSV {path} must have the data's columns in the same order; got "
            f"{list(mask.columns)[:10]} for {list(X.columns)[:10]}."
        )
    return mask


def _save_picture(est, name, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skcausal.plot import plot_edge_probabilities, plot_graph

    fig, axes = plt.subplots(1, 2, figsize=(13, 6), constrained_layout=True)
    plot_graph(est, ax=axes[0])
    axes[0].set_title(f"{name}: learned graph")
    plot_edge_probabilities(est, ax=axes[1])
    axes[1].set_title(f"{name}: edge probabilities")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _csv(args):
    from skcausal import BackgroundKnowledge, save_graph
    from skcausal.benchmark import make_estimators

    X = pd.read_csv(args.data)
    mask = _read_mask(args.mask, X) if args.mask else None
    knowledge = BackgroundKnowledge.from_json(args.knowledge) if args.knowledge else None
    estimators = make_estimators(args.methods)
    if args.threshold is not None and "zeroshot" not in estimators:
        raise ValueError(
            "--threshold applies to the zeroshot method, which is not among the methods."
        )
    out = None
    if args.out is not None:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
    for name, est in estimators.items():
        est.set_params(knowledge=knowledge, n_bootstrap=args.bootstrap, random_state=args.seed)
        if name == "zeroshot" and args.threshold is not None:
            est.set_params(threshold=args.threshold)
        est.fit(X, intervention_mask=mask)
        edges = est.edge_list()
        print(f"\n{name}: {len(edges)} edges")
        print(edges.head(30).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if out is not None:
            _write_outputs(est, name, out, save_graph)
    if out is not None:
        print(f"\nwritten to {out}")


def _write_outputs(est, name, out, save_graph):
    """The graph (GraphML and JSON), the table of every ordered pair, and the picture."""
    names = est._node_names()
    d = len(names)
    rows = [(i, j) for i in range(d) for j in range(d) if i != j]
    table = pd.DataFrame(
        {
            "source": [names[i] for i, _ in rows],
            "target": [names[j] for _, j in rows],
            "in_graph": [bool(est.adjacency_[i, j]) for i, j in rows],
            "undirected": [bool(est.adjacency_[i, j] and est.adjacency_[j, i]) for i, j in rows],
            "probability": [est.edge_probabilities_[i, j] for i, j in rows],
        }
    )
    if hasattr(est, "edge_frequencies_"):
        table["frequency"] = [est.edge_frequencies_[i, j] for i, j in rows]
    table["coef"] = [est.coef_[i, j] for i, j in rows]
    table = table.sort_values(["in_graph", "probability"], ascending=False, kind="stable")
    table.to_csv(out / f"{name}_edges.csv", index=False)
    save_graph(est, out / f"{name}_graph.graphml")
    save_graph(est, out / f"{name}_graph.json")
    _save_picture(est, name, out / f"{name}_graph.png")


def main(args):
    """Run discovery on ``args.data`` ("sachs" or a CSV path) with ``args.methods``."""
    if args.data == "sachs":
        extras = [
            flag
            for flag, value in (
                ("--mask", args.mask),
                ("--knowledge", args.knowledge),
                ("--threshold", args.threshold),
            )
            if value is not None
        ]
        if extras or args.bootstrap:
            raise ValueError(
                "--data sachs runs the Sachs benchmark, which takes no "
                f"{', '.join(extras + (['--bootstrap'] if args.bootstrap else []))}; export the "
                "data to a CSV (skcausal.datasets.load_sachs(as_frame=True)) to use them."
            )
        return _sachs(args.methods, args.out)
    return _csv(args)
