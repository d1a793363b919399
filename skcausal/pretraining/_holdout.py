"""Fixed, seeded validation sets and the metrics logged during pretraining.

The sets are drawn from their own generator (seed below), never from the training stream, and are
the same in every run, so curves of different runs are comparable. Three kinds:

- **In-distribution** (``<mechanism>/…``, ``d50/…``, ``d100/…``; their mean is ``mean/…``): drawn
  from the training prior itself. They say how well the simulator is learned, not how far it is
  from real data.
- **Out-of-distribution** (``ood-<family>/…``, mean ``ood-mean/…``): data the training prior never
  draws, and must never draw, so that they keep measuring generalisation:

  - ``ood-normal-scores``: every column replaced by its normal scores (a monotone transform that
    makes every marginal Gaussian: the shape of a marginal then says nothing about causal
    position);
  - ``ood-quantized``: every column binned into 3-8 equal-frequency levels (coarse measurement);
  - ``ood-clustered``: graphs of 4 communities at d = 40 (a stochastic block model: an edge within
    a community with probability 0.25, between communities 0.01, oriented along a random order),
    a graph family that no prior draws (the wider prior has layered, hub and tree graphs).
- **Real structures** (``real-<family>/…``, mean ``real-mean/…``): linear and MLP data (internally
  standardised, like the training prior) and linear data in raw units (variance accumulates down
  the graph, as in real SEMs) simulated on the graphs of bnlearn's discrete networks
  (:func:`skcausal.datasets.load_bnlearn_structure`; needs pgmpy 1.0, skipped with a warning
  without it), those with at most three times the largest training graph's nodes.

- **Environments** (``env-<mechanism>/…``, mean ``env-mean/…``), only for a run whose prior draws
  environments (``environment.probability > 0``): linear and MLP data at d = 20 as 2-20
  environments with unknown targets (no mask). Besides AUROC, AUPRC and SHD with the environments,
  each family logs ``pooled-auprc`` (the same rows without labels) and ``target-auroc`` (the target
  head's scores against what each environment's interventions hit). In-distribution for such a run.

The out-of-distribution and real-structure sets are drawn from the default prior (the shipped
model's) whatever the run's prior, with only ``max_nodes`` taken from the run, so they compare runs
of different priors. Select checkpoints on their means, not on ``mean/…``.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from skcausal.datasets._bnlearn import NETWORK_SIZES
from skcausal.datasets._simulator import SCMBatch, SCMBatchSampler, SimulationConfig, _relabel
from skcausal.graph import topological_order
from skcausal.metrics import edge_auprc, edge_auroc, structural_hamming_distance
from skcausal.zeroshot._features import ENVIRONMENT_BLOCK, pair_features

VALIDATION_SEED = 2_000_003
OOD_FAMILIES = ("normal-scores", "quantized", "clustered")
# (name, mechanism, raw units): the raw-unit linear SEMs are the ones most like real data.
REAL_FAMILIES = (("linear", "linear", False), ("mlp", "mlp", False), ("raw-linear", "linear", True))


def normal_scores(X: torch.Tensor) -> torch.Tensor:
    """Each column of each dataset (b, n, d) replaced by the normal quantiles of its ranks."""
    n = X.shape[1]
    ranks = X.argsort(dim=1).argsort(dim=1).to(torch.float64)
    return torch.special.ndtri((ranks + 0.5) / n).to(X.dtype)


def quantize(X: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each column binned into 3-8 equal-frequency levels (the level's index is the value)."""
    b, n, d = X.shape
    levels = torch.randint(3, 9, (b, 1, d), generator=generator)
    ranks = X.argsort(dim=1).argsort(dim=1)
    return torch.div(ranks * levels, n, rounding_mode="floor").to(X.dtype)


def clustered_dag(n_nodes: int, generator: torch.Generator, n_blocks: int = 4) -> torch.Tensor:
    """A stochastic block model oriented along the node order: upper triangular."""
    block = torch.randint(n_blocks, (n_nodes,), generator=generator)
    same = block[:, None] == block[None, :]
    p = torch.where(same, 0.25, 0.01)
    return torch.triu(torch.rand(n_nodes, n_nodes, generator=generator) < p, diagonal=1)


def _shuffled(batch: SCMBatch, generator: torch.Generator) -> SCMBatch:
    """The same datasets with their nodes relabelled at random (a given DAG keeps its order)."""
    b, _, d = batch.X.shape
    perm = torch.rand(b, d, generator=generator).argsort(dim=1)
    X, mask, adjacency, *_ = _relabel(perm, batch.X, batch.intervention_mask, batch.adjacency)
    return SCMBatch(X, mask, adjacency, batch.graphs, batch.mechanisms, batch.noises)


def _real_structures(max_nodes: int):
    """{network: upper-triangular DAG in a causal order} for the networks in range; {} without
    pgmpy."""
    from skcausal.datasets import load_bnlearn_structure

    out = {}
    for network, d in NETWORK_SIZES.items():
        if d > 3 * max_nodes:
            continue
        try:
            adjacency, _ = load_bnlearn_structure(network)
        except ModuleNotFoundError as err:
            warnings.warn(f"real-structure validation skipped: {err}", stacklevel=2)
            return {}
        order = topological_order(adjacency)
        out[network] = torch.as_tensor(adjacency[np.ix_(order, order)], dtype=torch.bool)
    return out


class ValidationSuite:
    """In-distribution families (one per mechanism at d = 10 and 20, about half of them
    interventional, plus larger mixed graphs up to the training range), and optionally the
    out-of-distribution and real-structure families described in the module docstring."""

    def __init__(
        self,
        simulation_config,
        n_samples=500,
        n_datasets=8,
        sizes=(10, 20),
        large=(50, 100),
        ood=False,
        structures=False,
        v3=False,
    ):
        sampler = SCMBatchSampler(simulation_config, generator=VALIDATION_SEED)
        self.families = {}
        for mechanism in simulation_config.mechanism.kinds:
            self.families[mechanism] = [
                sampler.sample(n_datasets, d, n_samples, mechanism=mechanism) for d in sizes
            ]
        for d in large:
            if d <= simulation_config.sizes.max_nodes:
                self.families[f"d{d}"] = [sampler.sample(max(2, n_datasets // 4), d, n_samples)]
        self.groups = {"mean": list(self.families)}
        # The other kinds come from generators of their own, so adding them leaves the
        # in-distribution sets (and the curves logged before they existed) as they were.
        if ood:
            self._add_ood(simulation_config, n_samples, n_datasets)
        if structures:
            self._add_structures(simulation_config, n_samples, n_datasets)
        if simulation_config.environment.probability > 0:
            self._add_environments(simulation_config, n_samples, n_datasets)
        if v3:
            from skcausal.pretraining._holdout_v3 import add_v3_families

            add_v3_families(self, n_samples, n_datasets)
        self._tokens = {}

    @classmethod
    def from_config(cls, config, *, ood=None, structures=None, v3=None):
        """The sets a run of the ``TrainConfig`` ``config`` logs; ``ood``, ``structures`` and
        ``v3`` override its ``validation_*`` switches (None keeps them)."""
        return cls(
            config.simulation,
            config.validation_samples,
            config.validation_datasets,
            ood=config.validation_ood if ood is None else ood,
            structures=config.validation_structures if structures is None else structures,
            v3=config.validation_v3 if v3 is None else v3,
        )

    def _add_ood(self, config, n_samples, n_datasets):
        # The default prior underneath, whatever the run's: these sets compare runs of any prior.
        config = SimulationConfig(max_nodes=config.max_nodes)
        g = torch.Generator().manual_seed(VALIDATION_SEED + 1)
        sampler = SCMBatchSampler(config, generator=g)
        d = min(20, config.max_nodes)
        base = [sampler.sample(n_datasets, d, n_samples) for _ in range(2)]
        self.families["ood-normal-scores"] = [
            SCMBatch(normal_scores(b.X), b.intervention_mask, b.adjacency) for b in base
        ]
        base = [sampler.sample(n_datasets, d, n_samples) for _ in range(2)]
        self.families["ood-quantized"] = [
            SCMBatch(quantize(b.X, g), b.intervention_mask, b.adjacency) for b in base
        ]
        wide = min(40, config.max_nodes)
        self.families["ood-clustered"] = [
            _shuffled(
                sampler.sample(
                    max(1, n_datasets // 2), wide, n_samples, dag=clustered_dag(wide, g)
                ),
                g,
            )
            for _ in range(4)
        ]
        self.groups["ood-mean"] = [f"ood-{name}" for name in OOD_FAMILIES]

    def _add_structures(self, config, n_samples, n_datasets):
        config = SimulationConfig(max_nodes=config.max_nodes)  # as in _add_ood
        g = torch.Generator().manual_seed(VALIDATION_SEED + 2)
        sampler = SCMBatchSampler(config, generator=g)
        dags = _real_structures(config.max_nodes)
        if not dags:
            return
        per_network = max(1, n_datasets // 4)
        for name, mechanism, raw in REAL_FAMILIES:
            self.families[f"real-{name}"] = [
                _shuffled(
                    sampler.sample(
                        per_network,
                        dag.shape[0],
                        n_samples,
                        mechanism=mechanism,
                        dag=dag,
                        raw_units=raw,
                    ),
                    g,
                )
                for dag in dags.values()
            ]
        self.groups["real-mean"] = [f"real-{name}" for name, _, _ in REAL_FAMILIES]

    def _add_environments(self, config, n_samples, n_datasets):
        config = dataclasses.replace(
            config, environment_probability=1.0, known_targets_probability=0.0
        )
        sampler = SCMBatchSampler(
            config, generator=torch.Generator().manual_seed(VALIDATION_SEED + 3)
        )
        for mechanism in ("linear", "mlp"):
            self.families[f"env-{mechanism}"] = [
                sampler.sample(
                    n_datasets, min(20, config.max_nodes), n_samples, mechanism=mechanism
                )
            ]
        self.groups["env-mean"] = ["env-linear", "env-mlp"]

    def _environment_scores(self, model, device, key, batch, scores):
        """Pooled AUPRC and target AUROC of a batch with environments; returns its edge logits."""
        if key not in self._tokens:
            tokens, (variable, valid) = pair_features(
                batch.X,
                batch.intervention_mask,
                environments=batch.environments,
                has_reference=batch.has_reference,
                n_environments=batch.environment_targets.shape[1],
                return_environments=True,
                **model.config.feature_rules(),
            )
            self._tokens[key] = (tokens, variable, valid)
        tokens, variable, valid = self._tokens[key]
        # The pooled rows' tokens are these with the environment features at zero, as pair_features
        # writes them without labels: no second pass over the data.
        pooled = tokens.clone()
        pooled[..., ENVIRONMENT_BLOCK] = 0.0
        truth = batch.adjacency.numpy()
        pooled_probs = torch.sigmoid(model(pooled.to(device))).cpu().numpy()
        scores["pooled-auprc"] = [
            edge_auprc(a, p)
            for a, p in zip(truth, pooled_probs)
            if 0 < a.sum() < a.shape[0] * (a.shape[0] - 1)  # AUPRC needs both kinds of pair
        ]
        if model.targets is None:  # a model without a target head sees the pool only
            return model(pooled.to(device))
        logits, target_logits = model(tokens.to(device), environment=variable.to(device))
        targets = target_logits.cpu().numpy()
        hit = batch.environment_targets.numpy()
        scores["target-auroc"] = [
            roc_auc_score(h[v].ravel(), t[v].ravel())
            for h, t, v in zip(hit, targets, valid.numpy())
            if 0 < h[v].sum() < h[v].size
        ]
        return logits

    def counts(self) -> dict:
        """Number of datasets in each family."""
        return {
            family: sum(b.X.shape[0] for b in batches) for family, batches in self.families.items()
        }

    @torch.no_grad()
    def evaluate(self, model, device) -> dict:
        """Mean AUROC, AUPRC and SHD (at probability 0.5) per family, and their means per kind
        (``mean/…`` in-distribution, ``ood-mean/…``, ``real-mean/…``)."""
        was_training = model.training
        model.eval()
        results = {}
        for family, batches in self.families.items():
            scores = {"auroc": [], "auprc": [], "shd": []}
            for k, batch in enumerate(batches):
                rules = model.config.feature_rules()
                key = (family, k, *rules.values())  # tokens depend on the feature rules
                if batch.environments is not None:
                    logits = self._environment_scores(model, device, key, batch, scores)
                else:
                    if key not in self._tokens:
                        kinds = getattr(batch, "column_kinds", None)
                        self._tokens[key] = pair_features(
                            batch.X, batch.intervention_mask, kinds=kinds, **rules
                        )
                    logits = model(self._tokens[key].to(device))
                probs = torch.sigmoid(logits).cpu().numpy()
                truth = batch.adjacency.numpy()
                for p, a in zip(probs, truth):
                    if 0 < a.sum() < a.shape[0] * (a.shape[0] - 1):
                        scores["auroc"].append(edge_auroc(a, p))
                        scores["auprc"].append(edge_auprc(a, p))
                    elif a.sum() == 0:  # pure noise: every edge is a false one
                        off = p[~np.eye(len(p), dtype=bool)]
                        scores.setdefault("edges", []).append(float((off > 0.5).sum()))
                        scores.setdefault("max-probability", []).append(float(off.max()))
                    scores["shd"].append(structural_hamming_distance(a, p > 0.5))
            for metric, values in scores.items():
                if values:
                    results[f"{family}/{metric}"] = float(np.mean(values))
        for group, families in self.groups.items():
            for metric in ("auroc", "auprc", "shd", "pooled-auprc", "target-auroc"):
                if all(f"{f}/{metric}" in results for f in families):
                    results[f"{group}/{metric}"] = float(
                        np.mean([results[f"{f}/{metric}"] for f in families])
                    )
        model.train(was_training)
        return results
