"""Phase 15 (#23): the features' ridge rule, ``"fixed"`` against ``"ledoit-wolf"``, on data the
rule was not chosen on.

The rule was chosen among six on ``configs/v3.json``'s validation sets (research/v3.md, phase
15). This scores the same weights under every rule of ``RIDGE_RULES`` (since phase 22 also
``"fixed-then-ledoit-wolf"``, which is ``"fixed"`` up to 32 columns; the checkpoint's
``model_config.ridge`` rewritten in a temporary copy) with the estimator as it ships
(``marginals="both"``, ``adjacency_``), on fresh draws:

- the real network structures of the real-structure validation (bnlearn's development
  networks, d = 20-223) with linear SEMs in raw units, standardised linear and MLP SEMs, n = 1,000,
  a few interventional rows with their mask, drawn from a seed the validation never used
  (``--seeds`` datasets per network and family): AUPRC, kept and expected edges, SHD;
- ``make_scm`` ER2 linear SEMs, Gaussian and Laplace noise, in raw units and standardised,
  d = 20 and 60, n = 50, 1,000 and 10,000, ``--synthetic-seeds`` seeds (default ``--seeds``):
  AUPRC, kept and expected edges; then the mean AUPRC over the raw-unit and over the
  standardised sets.

    python research/experiments/ridge_rule.py [CHECKPOINT ...] [--as-saved CKPT ...] [--seeds 2] \
        [--synthetic-seeds 6]

Each positional checkpoint is read under both rules; ``--as-saved`` ones with their own rule
(a run trained with one rule).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_scm
from skcausal.datasets._simulator import SCMBatchSampler, SimulationConfig
from skcausal.metrics import edge_auprc, structural_hamming_distance
from skcausal.pretraining._holdout import REAL_FAMILIES, _real_structures, _shuffled
from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
from skcausal.zeroshot._ridge import RIDGE_RULES

FRESH_SEED = 20261206  # not one of _holdout's seeds


def with_rule(weights, rule, folder):
    """A copy of the checkpoint ``weights`` whose model config names ``rule``."""
    checkpoint = Checkpoint.load(weights)
    config = dataclasses.replace(checkpoint.model_config, ridge=rule)
    target = Path(folder) / rule / Path(weights).name
    target.parent.mkdir(parents=True)
    return dataclasses.replace(checkpoint, model_config=config).save(target)


def score(estimator, X, A, mask=None):
    fit = estimator.fit(X, intervention_mask=mask)
    p, kept = fit.edge_probabilities_, fit.adjacency_
    return edge_auprc(A, p), kept.sum(), p.sum(), structural_hamming_distance(A, kept)


def real_structures(seeds):
    """{family: [(X, mask, A), ...]}: fresh draws on the real network structures."""
    config = SimulationConfig(max_nodes=200)  # as the validation of configs/v3.json
    g = torch.Generator().manual_seed(FRESH_SEED)
    sampler = SCMBatchSampler(config, generator=g)
    out = {}
    for name, mechanism, raw in REAL_FAMILIES:
        for dag in _real_structures(config.max_nodes).values():
            batch = _shuffled(
                sampler.sample(
                    seeds, dag.shape[0], 1000, mechanism=mechanism, dag=dag, raw_units=raw
                ),
                g,
            )
            out.setdefault(f"real-{name}", []).extend(
                zip(batch.X.numpy(), batch.intervention_mask.numpy(), batch.adjacency.numpy())
            )
    return out


def synthetic(seeds):
    """{setting: [(X, mask, A), ...]}: make_scm draws."""
    out = {}
    for noise in ("gaussian", "laplace"):
        for raw in (True, False):
            for d in (20, 60):
                for n in (50, 1000, 10000):
                    key = f"{noise}, {'raw units' if raw else 'standardised'}, d = {d}, n = {n}"
                    out[key] = [
                        make_scm(
                            n_samples=n, n_nodes=d, noise=noise, raw_units=raw, random_state=seed
                        )
                        for seed in range(seeds)
                    ]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "checkpoints", nargs="*", help="read with both rules (default: the shipped weights)"
    )
    parser.add_argument(
        "--as-saved", nargs="*", default=[], help="checkpoints read with their own rule only"
    )
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--synthetic-seeds", type=int, help="make_scm seeds (default: --seeds)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        estimators = {}
        both = args.checkpoints or ([] if args.as_saved else [str(default_checkpoint_path())])
        for k, path in enumerate(both):
            for rule in RIDGE_RULES:
                copy = with_rule(path, rule, Path(folder) / str(k))
                estimators[f"{Path(path).parent.name}, {rule}"] = ZeroShotCausalDiscovery(
                    checkpoint=str(copy)
                )
        for path in args.as_saved:
            estimators[f"{Path(path).parent.name}, as saved"] = ZeroShotCausalDiscovery(
                checkpoint=path
            )
        names = list(estimators)
        print("columns: " + "; ".join(f"{k + 1} = {name}" for k, name in enumerate(names)))
        print("\n| set | datasets | AUPRC | kept / expected | SHD |")
        print("|---|---:|---|---|---|")
        sets = real_structures(args.seeds) | synthetic(args.synthetic_seeds or args.seeds)
        groups = {"raw units": [], "standardised": []}
        for key, datasets in sets.items():
            means = [
                np.mean([score(est, X, A.astype(bool), M) for X, M, A in datasets], axis=0)
                for est in estimators.values()
            ]
            auprc = " / ".join(f"{m[0]:.3f}" for m in means)
            kept = " / ".join(f"{m[1]:.1f} of {m[2]:.1f}" for m in means)
            shd = " / ".join(f"{m[3]:.1f}" for m in means)
            print(f"| {key} | {len(datasets)} | {auprc} | {kept} | {shd} |", flush=True)
            for group, members in groups.items():
                if group in key:
                    members.append([m[0] for m in means])
        for group, members in groups.items():
            mean = " / ".join(f"{v:.3f}" for v in np.mean(members, axis=0))
            print(f"| **mean of the make_scm sets, {group}** | {len(members)} sets | {mean} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
