"""The features' ridge rules: how every precision matrix behind a partial correlation is
regularised. A checkpoint names its rule (``ModelConfig.ridge``), since the network reads what the
rule makes of the data."""

from __future__ import annotations

from skcausal.zeroshot._linalg import ledoit_wolf_ridge


def _fixed_ridge(z):
    _, n, d = z.shape
    return 1e-3 + d / (10.0 * n)


def _shrinkage_ridge(z):
    # A tenth of Ledoit-Wolf's: on near-deterministic (raw-unit) data the fixed ridge hides the
    # smallest eigenvalues the partial correlations live on (research/v3.md, phase 15).
    return (ledoit_wolf_ridge(z) / 10).clamp_min(1e-4)


# Up to this many columns the fixed ridge; above, the data's. The fixed rule's d / (10 n) grows
# past what the data need (0.012 at d = 109, n = 1,000, against eigenvalues of 1e-4 on raw-unit
# networks), and the same weights read raw units better with the data's ridge from about 32
# columns on (make_scm, n = 200-10,000: +0.01 to +0.12 AUPRC at d = 32-64, pathfinder 0.655 ->
# 0.843), standardised data within 0.01; at d = 20 the weights misread it (raw units, n = 1,000:
# -0.056, one seed -0.20), having never met its range of predictability (research/v3.md, phases
# 15 and 22).
FIXED_RIDGE_COLUMNS = 32


def _fixed_then_shrinkage(z):
    return _fixed_ridge(z) if z.shape[-1] <= FIXED_RIDGE_COLUMNS else _shrinkage_ridge(z)


RIDGE_RULES = {
    "fixed": _fixed_ridge,
    "ledoit-wolf": _shrinkage_ridge,
    "fixed-then-ledoit-wolf": _fixed_then_shrinkage,
}
