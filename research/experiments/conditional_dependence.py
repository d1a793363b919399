"""Prototype of a feature for the next model: does an order-1 conditional dependence statistic
(for each pair i, j, the smallest over the other columns k of the standardised G-test of i and j
within k's levels, on the model's 6-level contingency tables) separate adjacent from non-adjacent
pairs where the model's current statistics (the pair's own G-test, the partial correlation of
the normal scores) do not?

Prints the statistics on the binary chain of #22 (n = 20,000), then each one's AUROC for the
skeleton (adjacent or not) on validation families of configs/v3.json with d <= 30. The last
column is the token block that phase 4 of v3 built from this prototype
(``skcausal/zeroshot/_conditional_features.py``: order-one conditioning by regression on six
transforms of the third column, from the moment block's correlations, no pass over the rows).

    python research/experiments/conditional_dependence.py
"""

import sys

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score

from skcausal.zeroshot._column_features import _BINS, _bins, _midranks, prepare_columns
from skcausal.zeroshot._features import V3_FEATURES, pair_features
from skcausal.zeroshot._linalg import partial_correlation, precision_matrix

torch.set_num_threads(1)


def stats(X, kinds):
    """X (n, d) float tensor with NaN, kinds (d,) long: the pair's standardised G-test, the
    |partial correlation| of the normal scores and the smallest conditional G-test, each (d, d)."""
    values, observed, levels = prepare_columns(X[None].float(), kinds[None], invariant=False)
    if observed is None:
        observed = torch.ones_like(values, dtype=torch.bool)
    ranks = _midranks(values, observed)
    bins = _bins(values, observed, kinds[None], levels, ranks)[0]  # (n, d)
    obs = observed[0].float()
    n, d = bins.shape
    onehot = torch.nn.functional.one_hot(bins, _BINS).float() * obs[:, :, None]  # (n, d, 6)
    flat = onehot.reshape(n, d * _BINS)

    def g_of(C):  # C (..., d, d, 6, 6) counts -> standardised G (..., d, d)
        tot = C.sum((-1, -2))
        p = C / tot.clamp_min(1)[..., None, None]
        pa, pb = p.sum(-1, keepdim=True), p.sum(-2, keepdim=True)
        ratio = torch.where(p > 0, p / (pa * pb).clamp_min(1e-12), torch.ones_like(p))
        mi = (p * torch.log(ratio)).sum((-1, -2)).clamp_min(0)
        ka = (pa.squeeze(-1) > 0).sum(-1)
        kb = (pb.squeeze(-2) > 0).sum(-1)
        df = ((ka - 1) * (kb - 1)).clamp_min(0).float()
        return 2 * tot * mi, df

    C = (flat.T @ flat).reshape(d, _BINS, d, _BINS).permute(0, 2, 1, 3)
    g, df = g_of(C)
    marginal = (g - df) / torch.sqrt(2 * df.clamp_min(1))
    cond = torch.full((d, d), float("inf"))
    for k in range(d):
        G = torch.zeros(d, d)
        DF = torch.zeros(d, d)
        for level in range(_BINS):
            w = onehot[:, k, level]
            if w.sum() < 2:
                continue
            Cl = ((flat * w[:, None]).T @ flat).reshape(d, _BINS, d, _BINS).permute(0, 2, 1, 3)
            gl, dfl = g_of(Cl)
            G += gl
            DF += dfl
        z = (G - DF) / torch.sqrt(2 * DF.clamp_min(1))
        z[k, :] = float("inf")
        z[:, k] = float("inf")
        cond = torch.minimum(cond, z)
    # partial correlation of the normal scores (the existing copula feature)
    Z = torch.where(observed[0], values[0], torch.nan)
    Zc = np.where(np.isnan(Z.numpy()), np.nan, Z.numpy())
    R = torch.tensor(pd.DataFrame(Zc).rank().corr().to_numpy()).float().nan_to_num(0)
    R = R * (1 - torch.eye(d)) + torch.eye(d)
    pc = partial_correlation(precision_matrix(R[None], 1e-3, psd=True))[0].abs()
    block = pair_features(X[None].float(), kinds=kinds[None])[0, ..., V3_FEATURES]
    return marginal.numpy(), pc.numpy(), cond.numpy(), block.numpy()


def skeleton_auroc(batches, limit_d=30):
    out = {"marginal G": [], "|partial corr|": [], "min conditional G": [], "block": []}
    for batch in batches:
        for k in range(batch.X.shape[0]):
            A = batch.adjacency[k].numpy().astype(bool)
            d = A.shape[0]
            if d > limit_d:
                continue
            S = A | A.T
            iu = np.triu_indices(d, 1)
            y = S[iu]
            if y.all() or not y.any():
                continue
            kinds = getattr(batch, "column_kinds", None)
            kk = torch.zeros(d, dtype=torch.long) if kinds is None else kinds[k].long()
            for name, s in zip(out, stats(batch.X[k], kk)):
                v = s[iu]
                v = np.nan_to_num(v, nan=0, posinf=1e6)
                out[name].append(roc_auc_score(y, v))
    return {k: round(float(np.mean(v)), 3) for k, v in out.items()}, len(out["marginal G"])


if __name__ == "__main__":
    sys.path.insert(0, "research/experiments")
    from binary_chain import binary_chain

    X = torch.tensor(binary_chain(20000, 0).to_numpy().astype(float))
    m, pc, c, block = stats(X, torch.full((4,), 1))
    np.set_printoptions(precision=1, suppress=True, linewidth=200)
    print(
        "binary chain: marginal G\n",
        m,
        "\n|partial|\n",
        pc.round(3),
        "\nmin conditional G\n",
        c,
        "\nblock\n",
        block.round(3),
    )
    from skcausal.pretraining import TrainConfig
    from skcausal.pretraining._holdout import ValidationSuite

    config = TrainConfig.from_json("configs/v3.json")
    suite = ValidationSuite.from_config(config, ood=True, structures=False, v3=True)
    for fam in [
        "discrete-binary",
        "discrete-mixed",
        "miss-mcar",
        "ood-quantized",
        "ood-normal-scores",
        "linear",
        "mlp",
        "quadratic",
        "sine",
    ]:
        if fam in suite.families:
            print(fam, *skeleton_auroc(suite.families[fam]), flush=True)
