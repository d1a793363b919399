"""What the estimator's final probabilities become before the user sees them: a checkpoint's
calibration, fitted after training on the out-of-distribution and real-structure validation sets
(``scripts/calibrate_checkpoint.py``; never Sachs). It applies to the final probabilities (the
mean over views, windows and row subsets, which the fit that chose it saw).

- A temperature T: ``sigmoid(logit(p) / T)``, one number that keeps every ranking.
- Only with the estimator's ``linear_non_gaussian=True``, where the data carry a causal order,
  a logistic map that reads the order block
  (``_order_features``: DirectLiNGAM's order and the pair's partial correlation given the
  columns before the later one) beside the pair's two logits (``CALIBRATION_TERMS``). The
  network reads that block among its features but, trained a few thousand steps on the CPU,
  gives it little weight: on raw-unit linear SEMs the block alone ranks edges better than the
  network (research/v3.md, phases 9 and 24). The map weighs the two after the fact. It applies
  only where the block is on (continuous, complete, non-Gaussian data of at most 256 columns,
  not the exactly invariant mode) and where the order agrees with the network's own graph on
  more than ``ORDER_AGREEMENT`` of its edges, more than chance explains (a one-sided binomial
  test at ``ORDER_AGREEMENT_LEVEL``: one edge that agrees says nothing). Where they disagree
  (non-linear mechanisms, under which DirectLiNGAM's order means little: 0.57 on MLP SEMs
  against 0.93 on linear ones) or the graph is too small to tell, the temperature applies. So
  the invariant mode stays exactly invariant. The map is not the default because it reads the
  order from the marginals' non-Gaussianity: monotone re-expressions of every column can cost it
  0.14 AUROC on non-Gaussian SEMs, where the default is held to 0.03 (phase 24).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from scipy.special import expit, logit
from scipy.stats import binomtest

from skcausal.graph import edge_given_pair
from skcausal.zeroshot._order_features import SCALE, order_features

# Per ordered pair (i, j); z = logit(p[i, j]). "first": the order puts i before j.
CALIBRATION_TERMS = (
    "logit",  # z
    "reversed_logit",  # logit(p[j, i])
    "before",  # +1 when i comes first, -1 after
    "partial",  # |partial correlation| given the columns before the later one
    "partial_if_first",  # the same where i comes first, else 0
    "logit_times_partial_if_first",
)
# The share of the network's edges (its graph at 0.5) that the order must put the right way round
# for the map to apply (phase 24: MLP SEMs 0.57, linear ones 0.87-0.93, on average), and the level
# at which that many must be more than chance (without it, a sine SEM's one edge let the map in).
ORDER_AGREEMENT = 0.75
ORDER_AGREEMENT_LEVEL = 0.01


def _logits(p):
    return logit(np.clip(p, 1e-12, 1 - 1e-12))


def calibration_terms(probabilities, block):
    """(d, d, len(CALIBRATION_TERMS)) of edge probabilities and their unscaled order block
    (d, d, 5)."""
    z = _logits(np.asarray(probabilities, dtype=float))
    before, partial = block[..., 3], np.abs(block[..., 4])
    first = partial * (before > 0)
    return np.stack([z, z.T, before, partial, first, z * first], axis=-1)


def order_agreement(probabilities, block):
    """(agreeing, edges): the edges of the network's graph (each pair's likelier state at 0.5),
    and how many of them the block's order puts the right way round."""
    kept = edge_given_pair(probabilities) > 0.5
    return int((block[..., 3][kept] > 0).sum()), int(kept.sum())


def order_agrees(
    probabilities, block, agreement=ORDER_AGREEMENT, level=ORDER_AGREEMENT_LEVEL
) -> bool:
    """Whether the order block is on (not None) and agrees with the network on more than
    ``agreement`` of its edges, and on more than chance explains at ``level``: where a map of
    the block applies."""
    if block is None:
        return False
    agreeing, edges = order_agreement(probabilities, block)
    if edges == 0 or agreeing / edges <= agreement:
        return False
    return binomtest(agreeing, edges, 0.5, alternative="greater").pvalue < level


def order_block(Z, kinds):
    """The order block (d, d, 5), unscaled, of a dataset's standardised values Z (n, d), as the
    network's features compute it (in float64, where float32's sums would depend on the number of
    threads); None where it is off (a missing cell, too few rows)."""
    if np.isnan(Z).any() or len(Z) < 2:
        return None
    z = torch.as_tensor(Z[None], dtype=torch.float64)
    z = (z - z.mean(1, keepdim=True)) / z.std(1, unbiased=False, keepdim=True).clamp_min(1e-12)
    corr = z.transpose(1, 2) @ z / z.shape[1]
    block = order_features(z, corr, torch.as_tensor(kinds)[None]) / SCALE
    block = block[0].double().numpy()
    return block if block[..., 0].any() else None


@dataclass(frozen=True)
class Calibration:
    """A checkpoint's calibration: ``temperature``, and optionally the ``weights`` (one per
    ``CALIBRATION_TERMS``) and ``intercept`` of the logistic map that reads the order block
    where the order agrees with the network on more than ``agreement`` of its edges, at
    ``level`` (:func:`order_agrees`)."""

    temperature: float = 1.0
    weights: tuple[float, ...] | None = None
    intercept: float = 0.0
    agreement: float = ORDER_AGREEMENT
    level: float = ORDER_AGREEMENT_LEVEL

    @classmethod
    def from_metadata(cls, metadata):
        """From a checkpoint's metadata (its ``"calibration"`` entry; none: no calibration)."""
        entry = metadata.get("calibration") or {}
        temperature = float(entry.get("temperature", 1.0))
        if not (temperature > 0 and math.isfinite(temperature)):
            raise ValueError(
                f"the checkpoint's calibration temperature must be > 0; got {temperature}."
            )
        if "weights" not in entry:
            return cls(temperature=temperature)
        weights = entry["weights"]
        if not isinstance(weights, dict) or set(weights) != set(CALIBRATION_TERMS):
            raise ValueError(
                f"the checkpoint's calibration weights must name {CALIBRATION_TERMS}; got "
                f"{sorted(weights) if isinstance(weights, dict) else weights!r}."
            )
        values = tuple(float(weights[name]) for name in CALIBRATION_TERMS)
        intercept = float(entry.get("intercept", 0.0))
        agreement = float(entry.get("order_agreement", ORDER_AGREEMENT))
        level = float(entry.get("order_agreement_level", ORDER_AGREEMENT_LEVEL))
        if not all(math.isfinite(v) for v in (*values, intercept, agreement, level)):
            raise ValueError("the checkpoint's calibration weights must be finite.")
        return cls(temperature, values, intercept, agreement, level)

    def to_metadata(self) -> dict:
        entry = {"temperature": self.temperature}
        if self.weights is not None:
            entry["weights"] = dict(zip(CALIBRATION_TERMS, self.weights))
            entry["intercept"] = self.intercept
            entry["order_agreement"] = self.agreement
            entry["order_agreement_level"] = self.level
        return entry

    def with_map(self, keep):
        """This calibration, without its order map unless ``keep``."""
        return self if keep else replace(self, weights=None)

    @property
    def reads_order(self) -> bool:
        """Whether :meth:`apply` may read the order block."""
        return self.weights is not None

    @property
    def kind(self) -> str:
        said = "none" if self.temperature == 1.0 else f"temperature {self.temperature:.4g}"
        return said + ("; a map of the order block where it applies" if self.reads_order else "")

    def maps(self, probabilities, block) -> bool:
        """Whether the map applies to these probabilities and their order block (None: off)."""
        return self.reads_order and order_agrees(probabilities, block, self.agreement, self.level)

    def apply(self, probabilities, block=None):
        """The calibrated probabilities (the diagonal left as it is)."""
        p = np.asarray(probabilities, dtype=float)
        if self.maps(p, block):
            out = expit(calibration_terms(p, block) @ np.asarray(self.weights) + self.intercept)
        elif self.temperature != 1.0:
            out = expit(_logits(p) / self.temperature)
        else:
            return probabilities
        np.fill_diagonal(out, np.diagonal(p))
        return out
