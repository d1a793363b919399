"""Where the edge probabilities mean what they say, family by family (#23, item 3).

The pooled expected calibration error (``skcausal.metrics.edge_calibration_error``) is small on
every validation set because most ordered pairs sit near 0 and are right; the number of edges and
the graph are decided by the few pairs between 0.05 and 0.95. Per family of the real-structure
validation sets and of the training prior's own validation families (``f1_readout.py``'s sets, each
dataset as a user would pass it: its mask, its environments, discrete columns as categories), this
prints the means over datasets of the true edges, the expected number (sum of the probabilities) and
its ratio to the true number, the edges kept by the default and by ``threshold="f1"``; then, pooled
over the family's ordered pairs, the ECE, the mean probability against the share of true edges among
the pairs in [0.05, 0.5) and in [0.5, 0.95), and the temperature T that would minimise the log loss
(p -> sigmoid(logit(p) / T); T < 1: the probabilities are too diffuse, T > 1: too sharp).

With ``--sums``, a second table says where each family's expected count comes from: per family
and number of columns (on the real structures, one network each), the sum of the probabilities
against the true edges among the pairs in each band of ``SUM_BANDS``. On wide data the many pairs
near 0 can carry much of the sum (tens of thousands of pairs at 0.01 add hundreds of edges).

    python research/experiments/reliability.py [--checkpoint CKPT] [--structures-only] [--sums]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from scipy.special import logit

from skcausal import ZeroShotCausalDiscovery
from skcausal.metrics import edge_calibration_error

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "research" / "experiments"), str(ROOT / "scripts")]
from calibrate_checkpoint import fit_temperature  # noqa: E402  (scripts/)
from f1_readout import validation_sets  # noqa: E402  (this folder)

BANDS = ((0.05, 0.5), (0.5, 0.95))
SUM_BANDS = (0.0, 0.01, 0.05, 0.2, 0.5, 0.8, 1.0)


def band(p, y, lo, hi):
    inside = (p >= lo) & (p < hi)
    if not inside.any():
        return "-"
    return f"{p[inside].mean():.3f} / {y[inside].mean():.3f} ({inside.sum()})"


def band_sums(fits):
    """Per family and d, the mean over datasets of (sum of p, true edges) in each SUM_BANDS band."""
    edges = list(zip(SUM_BANDS[:-1], SUM_BANDS[1:]))
    names = " | ".join(f"[{lo}, {hi})" if hi < 1 else f"[{lo}, 1]" for lo, hi in edges)
    print(f"\n| family | d | datasets | {names} |")
    print("|---|---:|---:|" + "---|" * len(edges))
    for family, rows in fits.items():
        by_size = defaultdict(list)
        for A, p, *_ in rows:
            off = ~np.eye(len(A), dtype=bool)
            q, y = p[off], A[off]
            upper = np.searchsorted(SUM_BANDS[1:-1], q, side="right")  # 1.0 falls in the last
            by_size[len(A)].append(
                [(q[upper == k].sum(), y[upper == k].sum()) for k in range(len(edges))]
            )
        for d, sums in sorted(by_size.items()):
            mean = np.mean(sums, axis=0)
            cells = " | ".join(f"{s:.1f} / {t:.1f}" for s, t in mean)
            print(f"| {family} | {d} | {len(sums)} | {cells} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", help="default: the shipped model")
    parser.add_argument(
        "--structures-only", action="store_true", help="only the real-structure families"
    )
    parser.add_argument(
        "--sums", action="store_true", help="also the sum of p against true edges, band by band"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")  # OutsideTrainingWarning on the 223-column network
    default = ZeroShotCausalDiscovery(args.checkpoint)
    f1 = ZeroShotCausalDiscovery(args.checkpoint, threshold="f1")
    fits = defaultdict(list)
    # The real-structure sets first (their other families repeat the prior's), then the prior's.
    for structures in (True,) if args.structures_only else (True, False):
        for family, X, A, kwargs, params in validation_sets(structures):
            if structures != family.startswith("real-"):
                continue
            A = np.asarray(A) != 0
            try:
                fit = default.set_params(**params).fit(X, **kwargs)
            except ValueError:  # a simulated column that came out constant
                continue
            p = fit.edge_probabilities_.copy()
            kept_f1 = f1.set_params(**params).fit(X, **kwargs).adjacency_.sum()
            fits[family].append((A, p, fit.adjacency_.sum(), kept_f1))
    print(
        "| family | datasets | true | expected (ratio) | kept: 0.5 / f1 | ECE "
        "| p in [0.05, 0.5): mean p / edges (pairs) | p in [0.5, 0.95) | T |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|---:|")
    for family, rows in fits.items():
        truths, probs = [r[0] for r in rows], [r[1] for r in rows]
        off = [~np.eye(len(a), dtype=bool) for a in truths]
        y = np.concatenate([a[o] for a, o in zip(truths, off)]).astype(float)
        p = np.concatenate([q[o] for q, o in zip(probs, off)])
        true = np.mean([a.sum() for a in truths])
        expected = np.mean([q[o].sum() for q, o in zip(probs, off)])
        ratio = f"{expected / true:.2f}" if true else "-"
        kept0, kept1 = (np.mean([r[k] for r in rows]) for k in (2, 3))
        ece = edge_calibration_error(truths, probs)
        logits = [logit(np.clip(q, 1e-6, 1 - 1e-6)) for q in probs]
        temperature = f"{fit_temperature(truths, logits):.2f}" if y.any() else "-"
        print(
            f"| {family} | {len(rows)} | {true:.1f} | {expected:.1f} ({ratio}) "
            f"| {kept0:.1f} / {kept1:.1f} | {ece:.4f} | {band(p, y, *BANDS[0])} "
            f"| {band(p, y, *BANDS[1])} | {temperature} |",
            flush=True,
        )
    if args.sums:
        band_sums(fits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
