"""Score checkpoints on pretraining's validation sets: in-distribution, out-of-distribution, real
structures.

The sets are those `pretrain()` logs (skcausal/pretraining/_holdout.py) for the given training
config, so a table here and a training curve are the same measurement. One column per checkpoint.

    python research/experiments/validate_checkpoint.py               # the shipped model
    python research/experiments/validate_checkpoint.py runs/v2/skcausal-zeroshot.safetensors \\
        --config configs/default.json
    python research/experiments/validate_checkpoint.py pretrained/skcausal-zeroshot-v1.safetensors \
        pretrained/skcausal-zeroshot.safetensors --plot research/v2_validation.png
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path

ROOT = Path(__file__).resolve().parents[2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="*", help="weights files (default: the shipped one)")
    parser.add_argument(
        "--config",
        default=str(ROOT / "configs" / "default.json"),
        help="training config whose validation sets are used",
    )
    parser.add_argument("--metric", default="auprc", choices=["auprc", "auroc", "shd"])
    parser.add_argument(
        "--plot",
        metavar="PNG",
        help="also draw the table as grouped bars, one colour per checkpoint",
    )
    args = parser.parse_args(argv)

    config = TrainConfig.from_json(args.config)
    suite = ValidationSuite.from_config(config, ood=True, structures=True)
    counts = suite.counts()
    paths = [Path(p) for p in args.checkpoints] or [default_checkpoint_path()]
    columns = []
    for path in paths:
        checkpoint = Checkpoint.load(path)
        results = suite.evaluate(checkpoint.build_model(), torch.device("cpu"))
        columns.append(
            (f"{path.parent.name}/{path.name} (step {checkpoint.metadata.get('step')})", results)
        )

    print(
        f"validation sets of `{Path(args.config).name}`: "
        f"n = {config.validation_samples} rows per dataset; "
        f"{args.metric.upper()} per family (datasets in brackets)\n"
    )
    print("| kind | family | datasets | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|---|---:|" + "---:|" * len(columns))
    kinds = {
        "mean": "in-distribution",
        "ood-mean": "out-of-distribution",
        "real-mean": "real structures",
        "env-mean": "environments, unknown targets",
        "screen-mean": "perturbation screens",
        "columns-mean": "missing cells, discrete columns",
        "bn-mean": "discrete networks, own tables",
        "rows-mean": "n = 10,000",
    }

    def cells(key):
        return " | ".join(
            f"{results[key]:.3f}" if key in results else "-" for _, results in columns
        )

    for group, families in suite.groups.items():
        for family in families + [group]:
            label = f"**{family}**" if family == group else family
            n = sum(counts[f] for f in families) if family == group else counts[family]
            print(f"| {kinds[group]} | {label} | {n} | {cells(f'{family}/{args.metric}')} |")
        if group == "env-mean":  # the same rows without labels, and the target head
            n = sum(counts[f] for f in families)
            print(
                f"| {kinds[group]} | {group}, pooled rows: AUPRC | {n} "
                f"| {cells(f'{group}/pooled-auprc')} |"
            )
            print(
                f"| {kinds[group]} | {group}, targets: AUROC | {n} "
                f"| {cells(f'{group}/target-auroc')} |"
            )
    grouped = {f for families in suite.groups.values() for f in families}
    for family in suite.families:
        if family in grouped:
            continue
        if family.startswith("noise-"):  # pure noise: no AUPRC, count the false edges
            for metric in ("edges", "max-probability"):
                values = cells(f"{family}/{metric}")
                print(f"| pure noise | {family}: {metric} | {counts[family]} | {values} |")
        else:
            print(f"| other | {family} | {counts[family]} | {cells(f'{family}/{args.metric}')} |")
    if args.plot:
        rows = [
            (
                f"{family} "
                f"({sum(counts[f] for f in families) if family == group else counts[family]})",
                f"{family}/{args.metric}",
                family == group,
            )
            for group, families in suite.groups.items()
            for family in families + [group]
        ]
        _plot(rows, columns, args.metric, Path(args.config).name, args.plot)
        print(f"\nwrote {args.plot}")
    return 0


def _plot(rows, columns, metric, config_name, path):
    """Horizontal grouped bars: a family per row (group means in bold), a checkpoint per colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    height = 0.8 / len(columns)
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(rows) * max(1, len(columns) / 2) + 1.2))
    y = np.arange(len(rows))[::-1]
    for k, (name, results) in enumerate(columns):
        values = [results.get(key, np.nan) for _, key, _ in rows]
        ax.barh(y + (len(columns) / 2 - k - 0.5) * height, values, height, label=name)
    ax.set_yticks(y, [label for label, _, _ in rows])
    for tick, (_, _, bold) in zip(ax.get_yticklabels(), rows):
        tick.set_fontweight("bold" if bold else "normal")
    ax.set_xlabel(f"{metric.upper()} (validation sets of {config_name}; datasets in brackets)")
    if (
        metric != "shd"
    ):  # the differences that matter are a few hundredths: start near the lowest bar
        lowest = np.nanmin(
            [results.get(key, np.nan) for _, results in columns for _, key, _ in rows]
        )
        ax.set_xlim(max(0.0, np.floor(lowest * 10) / 10 - 0.1), 1.0)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.4 / len(rows)), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
