"""The default graph (each pair's most probable state) against ``threshold="f1"`` (the cutoff
that maximises the expected F1 score), read from the same probabilities.

Four sets: the standard benchmark suite (144 datasets: 4 mechanism families x 2 graph kinds x
d = 10, 20, 50 x observational or interventional x 3 draws, n = 1,000, in the training
distribution); the real-structure validation families of ``configs/v3.json`` (bnlearn's
development networks with simulated linear, MLP and raw-unit linear SEMs, n = 1,000; the raw-unit
family is where the model is least sure); (``--sets prior``) the validation families of the
training prior itself (mechanisms, n from 10, missing cells, discrete columns, environments,
screens, pure noise; 8 datasets each; each dataset passed as a user would pass it, see
``as_user_data``); and (``--sets tables``, no ground truth) Sachs's
observational rows and scikit-learn's diabetes, wine and breast-cancer tables, where it prints
how far the graphs of two disjoint halves of the rows agree. Per family of the first three: the
expected number of edges (the sum of the probabilities), the edges kept, SHD, precision, recall
and F1 of the directed edges (skcausal.metrics), means over datasets.

    python research/experiments/f1_readout.py [--checkpoint CKPT] [--repeats 3] \\
        [--sets standard,structures,prior,tables] [--figure docs/benchmarks/edge_count.png]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.benchmark import dataset_seed, get_suite
from skcausal.datasets._column_kinds import COLUMN_KINDS
from skcausal.metrics import edge_f1, edge_precision, edge_recall, structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._inference import training_sizes

ROOT = Path(__file__).resolve().parents[2]
READOUTS = (0.5, "f1")
SETS = ("standard", "structures", "prior", "tables")


def standard_suite(repeats):
    for repeat in range(repeats):
        for spec in get_suite("standard"):
            X, mask, A = spec.load(dataset_seed(0, repeat, spec.name))
            fit = {} if mask is None or not np.any(mask) else {"intervention_mask": mask}
            yield spec.family, X, A, fit, {}


def as_user_data(batch, i):
    """Dataset i of a simulated batch as a user would pass it: discrete columns as pandas
    categories (ordered for ordinal ones), the mask where it marks a value, the environments and
    their reference where the batch has them. Returns X, fit's keyword arguments and the
    estimator's parameters."""
    X = batch.X[i].numpy().astype(float)
    mask = batch.intervention_mask[i].numpy()
    fit = {"intervention_mask": mask} if mask.any() else {}
    params = {}
    if batch.environments is not None and len(np.unique(batch.environments[i])) > 1:
        fit["environments"] = batch.environments[i].numpy()
        params["reference_environment"] = 0 if bool(batch.has_reference[i]) else None
    kinds = batch.column_kinds[i].numpy() if batch.column_kinds is not None else ()
    if np.any(kinds):
        frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
        for j, kind in enumerate(kinds):
            if kind:
                levels = np.unique(X[~np.isnan(X[:, j]), j])
                ordered = COLUMN_KINDS[kind] == "ordinal"
                frame.isetitem(j, pd.Categorical(X[:, j], categories=levels, ordered=ordered))
        X = frame
    return X, fit, params


def validation_sets(structures):
    """(family, X, true graph, fit's keyword arguments, the estimator's parameters) for each
    dataset of the real-structure sets (``structures``) or of the prior's validation families."""
    config = TrainConfig.from_json(ROOT / "configs" / "v3.json")
    suite = ValidationSuite.from_config(
        config, ood=not structures, structures=structures, v3=not structures
    )
    for family, batches in suite.families.items():
        for batch in batches:
            for i, A in enumerate(batch.adjacency.numpy()):
                X, fit, params = as_user_data(batch, i)
                yield family, X, A, fit, params


def halves_agreement(est, X, splits=3):
    """How far the graphs ``est`` fits on two disjoint random halves of the rows of X agree: the
    Jaccard index of their directed edges and the SHD between them, means over ``splits``."""
    agreement = []
    for split in range(splits):
        order = np.random.default_rng(split).permutation(len(X))
        half = len(X) // 2
        a = est.fit(X[order[:half]]).adjacency_ != 0
        b = est.fit(X[order[half : 2 * half]]).adjacency_ != 0
        union = (a | b).sum()
        jaccard = (a & b).sum() / union if union else 1.0
        agreement.append((jaccard, structural_hamming_distance(a, b)))
    return tuple(np.mean(agreement, axis=0))


def tables_report(checkpoint, splits=3):
    """Truth-free, on real tables: the expected and kept edges on all rows, and how far the graphs
    of two disjoint halves of the rows agree (Jaccard index of their directed edges; SHD between
    them), mean over random splits."""
    from outside_the_box import real_tables  # research/experiments/ (this folder)

    print("\nreal tables (no ground truth), default / f1\n")
    print("| table | n, d | expected | kept | halves: Jaccard | halves: SHD |")
    print("|---|---|---:|---:|---:|---:|")
    for name, X in real_tables().items():
        X = np.asarray(X, dtype=float)
        cells = {}
        for threshold in READOUTS:
            est = ZeroShotCausalDiscovery(checkpoint, threshold=threshold)
            fit = est.fit(X)
            expected, kept = fit.edge_probabilities_.sum(), fit.adjacency_.sum()
            cells[threshold] = (expected, kept, *halves_agreement(est, X, splits))
        (e, k0, j0, s0), (_, k1, j1, s1) = cells[0.5], cells["f1"]
        print(
            f"| {name} | {X.shape[0]}, {X.shape[1]} | {e:.1f} | {k0} / {k1} "
            f"| {j0:.2f} / {j1:.2f} | {s0:.1f} / {s1:.1f} |"
        )


def figure(path, checkpoint=None):
    """docs/benchmarks/edge_count.png: plot_edge_count on a diffuse and on a sharp fit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skcausal.datasets import make_scm
    from skcausal.plot import plot_edge_count

    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, (n, mechanism, noise, title) in zip(
        axes,
        [
            (100, "mlp", "gaussian", "MLP, 10 columns, 100 rows: diffuse"),
            (2000, "linear", "laplace", "linear Laplace, 10 columns, 2,000 rows: sharp"),
        ],
    ):
        X, _, _ = make_scm(n, 10, mechanism=mechanism, noise=noise, random_state=0)
        plot_edge_count(ZeroShotCausalDiscovery(checkpoint).fit(X), ax=ax)
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", help="default: the shipped model")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sets", default="standard,structures", help="among " + ",".join(SETS))
    parser.add_argument("--figure", help="also draw docs/benchmarks/edge_count.png to this path")
    args = parser.parse_args(argv)
    if args.figure:
        figure(args.figure, args.checkpoint)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")  # OutsideTrainingWarning on the 223-column network
    sets = {
        "standard": ("standard suite", lambda: standard_suite(args.repeats)),
        "structures": ("real-structure validation sets", lambda: validation_sets(True)),
        "prior": ("the prior's validation families", lambda: validation_sets(False)),
    }
    names = args.sets.split(",")
    # The real structures' largest network lies beyond the trained number of columns.
    box = training_sizes(Checkpoint.load(args.checkpoint or default_checkpoint_path())).max_nodes
    for title, datasets in (sets[name] for name in names if name != "tables"):
        datasets = datasets()
        rows, refused = defaultdict(list), defaultdict(int)
        for family, X, A, kwargs, params in datasets:
            A = np.asarray(A) != 0
            for threshold in READOUTS:
                est = ZeroShotCausalDiscovery(args.checkpoint, threshold=threshold, **params)
                try:
                    fit = est.fit(X, **kwargs)
                except ValueError:  # a simulated column that came out constant
                    refused[family] += 1
                    break
                G = fit.adjacency_
                row = (
                    fit.edge_probabilities_.sum(),
                    G.sum(),
                    structural_hamming_distance(A, G),
                    edge_precision(A, G),
                    edge_recall(A, G),
                    edge_f1(A, G),
                )
                rows[family, threshold].append(row)
                rows["all", threshold].append(row)
                if family.startswith("real-") and A.shape[0] <= box:
                    rows[f"{family}, at most {box} columns", threshold].append(row)
        print(f"\n{title}\n")
        if refused:
            print(f"refused (constant columns), left out: {dict(refused)}\n")
        print("| family | expected | kept: 0.5 / f1 | SHD | precision | recall | F1 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for family in [*dict.fromkeys(f for f, _ in rows if f != "all"), "all"]:
            a, b = (np.mean(rows[family, t], axis=0) for t in READOUTS)
            cells = [f"{a[0]:.1f}"] + [
                f"{x:.{1 if k < 3 else 3}f} / {y:.{1 if k < 3 else 3}f}"
                for k, (x, y) in enumerate(zip(a, b))
                if k > 0
            ]
            print(f"| {family} | " + " | ".join(cells) + " |")
    if "tables" in names:
        tables_report(args.checkpoint)
    return 0


if __name__ == "__main__":
    sys.exit(main())
