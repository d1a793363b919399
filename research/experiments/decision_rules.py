"""How ``adjacency_`` is read from the edge probabilities: three decision rules compared on
pretraining's validation sets (in-distribution, out-of-distribution, real structures).

A DAG allows at most one of i -> j and j -> i, so each pair has three states with probabilities
``p[i, j]``, ``p[j, i]`` and ``1 - p[i, j] - p[j, i]``. The rules, each followed by the same
acyclic step (:func:`skcausal.graph.greedy_dag`):

- ``p>0.5`` (the estimator's): keep i -> j when ``p[i, j] > 0.5``;
- ``argmax``: keep the pair's most probable state, i.e. i -> j when it is the more probable
  direction and ``2 p[i, j] + p[j, i] > 1``; this minimises each pair's expected SHD (a reversed
  edge counts 1);
- ``adjacent>0.5``: keep the pair when ``p[i, j] + p[j, i] > 0.5``, in its more probable direction.

Prints, per family, the true and the expected (sum of p) number of edges, and per rule the kept
number, SHD, precision and recall (means over the family's datasets).

    python research/experiments/decision_rules.py pretrained/skcausal-zeroshot.safetensors \\
        runs/v3/skcausal-zeroshot.safetensors --config configs/v3.json
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import torch

from skcausal.graph import greedy_dag
from skcausal.metrics import structural_hamming_distance
from skcausal.pretraining import TrainConfig
from skcausal.pretraining._holdout import ValidationSuite
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._features import pair_features

GROUPS = ("mean", "ood-mean", "real-mean")


def _argmax(p):
    return greedy_dag(np.where((p >= p.T) & (2 * p + p.T > 1), p, 0.0), 0.0)


def _adjacent(p):
    q = p + p.T
    return greedy_dag(np.where((p >= p.T) & (q > 0.5), q, 0.0), 0.0)


RULES = {"p>0.5": lambda p: greedy_dag(p, 0.5), "argmax": _argmax, "adjacent>0.5": _adjacent}


def _probabilities(model, batches):
    with torch.no_grad():
        for batch in batches:
            kinds = getattr(batch, "column_kinds", None)
            tokens = pair_features(batch.X, batch.intervention_mask, kinds=kinds)
            probs = torch.sigmoid(model(tokens)).double().numpy()
            for p, truth in zip(probs, batch.adjacency.numpy()):
                np.fill_diagonal(p, 0.0)
                yield p, truth.astype(bool)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoints", nargs="+")
    parser.add_argument("--config", required=True, help="the training config whose sets are used")
    args = parser.parse_args(argv)
    config = TrainConfig.from_json(args.config)
    suite = ValidationSuite.from_config(config, ood=True, structures=True, v3=False)
    header = " | ".join(f"{r} kept | {r} SHD | {r} precision | {r} recall" for r in RULES)
    for path in args.checkpoints:
        model = Checkpoint.load(path).build_model("cpu")
        print(f"\n{path}\n\n| family | true | sum of p | {header} |")
        print("|---" * (3 + 4 * len(RULES)) + "|")
        for family in [f for group in GROUPS for f in suite.groups.get(group, [])]:
            scores = {rule: [] for rule in RULES}
            true, expected = [], []
            for p, truth in _probabilities(model, suite.families[family]):
                true.append(truth.sum())
                expected.append(p.sum())
                for rule, decide in RULES.items():
                    kept = decide(p).astype(bool)
                    hits = (kept & truth).sum()
                    scores[rule].append(
                        (
                            kept.sum(),
                            structural_hamming_distance(truth, kept),
                            hits / max(kept.sum(), 1),
                            hits / max(truth.sum(), 1),
                        )
                    )
            cells = " | ".join(
                " | ".join(f"{v:.2f}" for v in np.mean(scores[r], axis=0)) for r in RULES
            )
            print(f"| {family} | {np.mean(true):.1f} | {np.mean(expected):.1f} | {cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
