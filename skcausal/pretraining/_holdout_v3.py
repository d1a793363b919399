"""The validation families that model v3 is selected on, beside those of ``_holdout.py``.

Each comes from a generator of its own, so adding them moves no other set:

- **Perturbation screens** (``screen-mask``, ``screen-env``, ``screen-obs``): d = 12, an
  observational block and six single-target experiments of 1,000 rows each (six sevenths of the rows
  interventional), each a soft intervention that changes its target's mechanism and noise scale
  (its range, not only its mean). The same data with the mask, as unlabelled environments, and the
  observational block alone: interventions must never cost (``screen-mask`` and ``screen-env`` at
  least ``screen-obs``).
- **Pure noise** (``noise-n10``, ``noise-n50``, ``noise-n1000``): independent columns (d = 10); logs
  ``edges`` (the number of probabilities above 0.5, which should be 0) and ``max-probability``.
- **More rows** (``rows-linear-10k``, ``rows-mlp-10k``): d = 20 at n = 10,000.
- **Missing cells and discrete columns** (``miss-mcar``, ``miss-mar``, ``miss-mnar`` at 30% of the
  cells; ``discrete-binary``, ``discrete-mixed``): from the simulator's ``missing`` and ``columns``
  parts; in the v3 prior.
- **Discrete networks** (``bn-<network>``): bnlearn's development networks of at most 40 nodes
  sampled with their own probability tables (:func:`skcausal.datasets.sample_bnlearn`), as
  category codes: real discrete data, in no simulator's prior.
"""

from __future__ import annotations

import dataclasses
import warnings

import torch

from skcausal._columns import encode_columns
from skcausal.datasets._simulator import SCMBatch, SCMBatchSampler, SimulationConfig
from skcausal.zeroshot._column_features import KIND_CODES

SEED = 2_000_011
SCREEN_TARGETS, SCREEN_ROWS = 6, 1000
BN_NETWORKS = ("child", "insurance", "water", "alarm")


def _rows_of_environment(batch, environment):
    """The rows of each dataset in one environment (blocks are equal, so counts agree)."""
    keep = batch.environments == environment
    count = int(keep.sum(1).min())
    index = keep.float().argsort(dim=1, descending=True, stable=True)[:, :count].sort(1).values
    pick = index[:, :, None].expand(-1, -1, batch.X.shape[2])
    return SCMBatch(
        batch.X.gather(1, pick), batch.intervention_mask.gather(1, pick), batch.adjacency
    )


def add_screens(suite, n_datasets):
    config = SimulationConfig.preset(
        "v2",
        intervention={"kinds": ("soft",), "off_target_probability": 0.0},
        environment={
            "probability": 1.0,
            "min_environments": SCREEN_TARGETS + 1,
            "max_environments": SCREEN_TARGETS + 1,
            "max_targets": 1,
            "reference_probability": 1.0,
            "known_targets_probability": 1.0,
        },
    )
    sampler = SCMBatchSampler(config, generator=torch.Generator().manual_seed(SEED))
    n = SCREEN_ROWS * (SCREEN_TARGETS + 1)
    batches = [
        sampler.sample(max(2, n_datasets // 2), 12, n, mechanism=m) for m in ("linear", "mlp")
    ]
    suite.families["screen-mask"] = [
        SCMBatch(b.X, b.intervention_mask, b.adjacency) for b in batches
    ]
    suite.families["screen-env"] = [
        dataclasses.replace(b, intervention_mask=torch.zeros_like(b.intervention_mask))
        for b in batches
    ]
    suite.families["screen-obs"] = [_rows_of_environment(b, 0) for b in batches]


def add_noise(suite, n_datasets):
    g = torch.Generator().manual_seed(SEED + 1)
    for n in (10, 50, 1000):
        X = torch.randn(n_datasets, n, 10, generator=g)
        suite.families[f"noise-n{n}"] = [
            SCMBatch(X, torch.zeros_like(X, dtype=torch.bool), torch.zeros(n_datasets, 10, 10))
        ]


def add_more_rows(suite, n_datasets):
    config = SimulationConfig.preset("v2", environment={"probability": 0.0})
    sampler = SCMBatchSampler(config, generator=torch.Generator().manual_seed(SEED + 2))
    for mechanism in ("linear", "mlp"):
        suite.families[f"rows-{mechanism}-10k"] = [
            sampler.sample(max(2, n_datasets // 4), 20, 10_000, mechanism=mechanism)
        ]


def add_columns(suite, n_samples, n_datasets):
    """Missing-cell and discrete families; skipped (with a warning) by a simulator without the
    ``missing`` and ``columns`` parts."""
    g = torch.Generator().manual_seed(SEED + 3)
    try:
        for mechanism in ("mcar", "mar", "mnar"):
            config = SimulationConfig.preset(
                "v2",
                missing={
                    "probability": 1.0,
                    "min_rate": 0.3,
                    "max_rate": 0.3,
                    "mechanisms": (mechanism,),
                },
            )
            sampler = SCMBatchSampler(config, generator=g)
            suite.families[f"miss-{mechanism}"] = [sampler.sample(n_datasets, 15, n_samples)]
        for name, share in (("binary", (1.0, 1.0)), ("mixed", (0.3, 0.7))):
            kinds = ("binary",) if name == "binary" else ("binary", "ordinal", "categorical")
            config = SimulationConfig.preset(
                "v2",
                columns={
                    "discrete_probability": 1.0,
                    "min_discrete_share": share[0],
                    "max_discrete_share": share[1],
                    "kinds": kinds,
                },
            )
            sampler = SCMBatchSampler(config, generator=g)
            suite.families[f"discrete-{name}"] = [sampler.sample(n_datasets, 15, n_samples)]
    except (TypeError, ValueError) as err:
        warnings.warn(f"missing/discrete validation skipped: {err}", stacklevel=2)


def add_discrete_networks(suite, n_samples):
    """bnlearn's small development networks with their own probability tables."""
    try:
        from skcausal.datasets import sample_bnlearn
    except ImportError as err:
        warnings.warn(f"discrete-network validation skipped: {err}", stacklevel=2)
        return
    for k, name in enumerate(BN_NETWORKS):
        try:
            frame, adjacency = sample_bnlearn(name, n_samples, random_state=SEED + 10 + k)
        except ModuleNotFoundError as err:
            warnings.warn(f"discrete-network validation skipped: {err}", stacklevel=2)
            return
        columns = encode_columns(frame)  # as every estimator reads the table
        codes = torch.as_tensor(columns.values, dtype=torch.float32)
        kinds = [KIND_CODES[kind] for kind in columns.kinds]
        suite.families[f"bn-{name}"] = [
            SCMBatch(
                codes[None],
                torch.zeros(1, *codes.shape, dtype=torch.bool),
                torch.as_tensor(adjacency, dtype=torch.float32)[None],
                column_kinds=torch.tensor(kinds, dtype=torch.int8)[None],
            )
        ]


def add_v3_families(suite, n_samples, n_datasets):
    """Every family above, with the groups (means) that v3 is selected on."""
    add_screens(suite, n_datasets)
    add_noise(suite, n_datasets)
    add_more_rows(suite, n_datasets)
    add_columns(suite, n_samples, n_datasets)
    add_discrete_networks(suite, n_samples)
    groups = {
        "screen-mean": ["screen-mask", "screen-env"],
        "columns-mean": [f for f in suite.families if f.startswith(("miss-", "discrete-"))],
        "bn-mean": [f for f in suite.families if f.startswith("bn-")],
        "rows-mean": [f for f in suite.families if f.startswith("rows-")],
    }
    suite.groups.update({name: fams for name, fams in groups.items() if fams})
