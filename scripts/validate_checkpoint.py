"""Score checkpoints on pretraining's validation sets: in-distribution, out-of-distribution, real structures.

The sets are those `pretrain()` logs (skcausal/pretraining/_validation.py) for the given training
config, so a table here and a training curve are the same measurement. One column per checkpoint.

    python scripts/validate_checkpoint.py                       # the shipped model
    python scripts/validate_checkpoint.py runs/v2/skcausal-zeroshot.safetensors --config configs/default.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from skcausal.pretraining import TrainConfig
from skcausal.pretraining._validation import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="*", help="weights files (default: the shipped one)")
    parser.add_argument("--config", default=str(ROOT / "configs" / "default.json"),
                        help="training config whose validation sets are used")
    parser.add_argument("--metric", default="auprc", choices=["auprc", "auroc", "shd"])
    args = parser.parse_args(argv)

    config = TrainConfig.from_json(args.config)
    suite = ValidationSuite(config.simulation, config.validation_samples, config.validation_datasets,
                            ood=True, structures=True)
    counts = suite.counts()
    paths = [Path(p) for p in args.checkpoints] or [default_checkpoint_path()]
    columns = []
    for path in paths:
        checkpoint = Checkpoint.load(path)
        results = suite.evaluate(checkpoint.build_model(), torch.device("cpu"))
        columns.append((f"{path.parent.name}/{path.name} (step {checkpoint.metadata.get('step')})", results))

    print(f"validation sets of `{Path(args.config).name}`: n = {config.validation_samples} rows per dataset; "
          f"{args.metric.upper()} per family (datasets in brackets)\n")
    print("| kind | family | datasets | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|---|---:|" + "---:|" * len(columns))
    kinds = {"mean": "in-distribution", "ood-mean": "out-of-distribution", "real-mean": "real structures",
             "env-mean": "environments, unknown targets"}

    def cells(key):
        return " | ".join(f"{results[key]:.3f}" if key in results else "-" for _, results in columns)

    for group, families in suite.groups.items():
        for family in families + [group]:
            label = f"**{family}**" if family == group else family
            n = sum(counts[f] for f in families) if family == group else counts[family]
            print(f"| {kinds[group]} | {label} | {n} | {cells(f'{family}/{args.metric}')} |")
        if group == "env-mean":  # the same rows without labels, and the target head
            n = sum(counts[f] for f in families)
            print(f"| {kinds[group]} | {group}, pooled rows: AUPRC | {n} | {cells(f'{group}/pooled-auprc')} |")
            print(f"| {kinds[group]} | {group}, targets: AUROC | {n} | {cells(f'{group}/target-auroc')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
