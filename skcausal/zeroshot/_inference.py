"""The forward passes of a fit: the columns as the model reads them, row subsets beyond the trained
range, the batching of the bootstrap resamples, and the environment codes the target head reads.
No sklearn in here.

More rows than the checkpoint was trained on do not go through the network at once: a model
trained on n <= N reads a dataset of 10 N rows out of its range (v2 lost AUPRC 0.91 -> 0.62 from
1,000 to 10,000 rows), while the mean of its probabilities over disjoint N-row subsets of the same
data does not lose (DESIGN.md: five 2,000-row subsets of 50,000 rows beat all rows at once). So a
dataset of n > N rows is split into ceil(n / N) disjoint random subsets of equal size, at most
``max_subsets`` of them (time and memory stay bounded however large n is), and the probabilities
are averaged.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.special import ndtri
from scipy.stats import rankdata

from skcausal._progress import progress_bar
from skcausal._utils import safe_column_scales, standardize_columns
from skcausal.datasets._prior import SimulationConfig
from skcausal.zeroshot._column_features import KIND_CODES
from skcausal.zeroshot._output_calibration import order_block
from skcausal.zeroshot._windows import centred_mean, centred_targets

MAX_SUBSETS = 16
_SUBSET_SEED = 0  # the subsets are part of the estimator, not of random_state: fits repeat


def uniform_ranks(X):
    """Each column's mid-ranks over its observed rows as (rank - 0.5) / n_observed, in (0, 1);
    NaN where missing. Ranked in float64 (ranked after the float32 conversion, values that
    differ only beyond float32's precision would tie)."""
    X = np.asarray(X, dtype=float)
    observed = ~np.isnan(X)
    if observed.all():
        return (rankdata(X, axis=0) - 0.5) / len(X)
    ranks = np.full(X.shape, np.nan)
    for j in range(X.shape[1]):
        rows = observed[:, j]
        ranks[rows, j] = (rankdata(X[rows, j]) - 0.5) / rows.sum()
    return ranks


def _normal_scores(column):
    """Normal quantiles of the mid-ranks of the observed values (NaN where missing)."""
    return ndtri(uniform_ranks(column[:, None])[:, 0])


def standardize_continuous(X, kinds, *, ranks=False):
    """Continuous columns standardised over their observed cells, without overflow (with
    ``ranks``, replaced by the normal scores of their ranks); discrete codes and NaN left as they
    are (the features read codes by value)."""
    Z = np.array(X, dtype=float, copy=True)
    continuous = np.flatnonzero(kinds == KIND_CODES["continuous"])
    if ranks:
        for j in continuous:
            Z[:, j] = _normal_scores(Z[:, j])
    elif continuous.size:
        block = Z[:, continuous]
        if not np.isnan(block).any():
            scaled = standardize_columns(block)  # bit for bit as before missing cells existed
        else:
            scaled = block / safe_column_scales(np.nan_to_num(block))
            scaled = scaled - np.nanmean(scaled, axis=0)
            scaled = scaled / np.nanstd(scaled, axis=0)
        Z[:, continuous] = scaled
    return Z


def kind_codes(feature_kinds, d):
    """The kinds' integer codes (``_column_features``) of fitted ``feature_kinds_`` (or all
    continuous when the fit template set none)."""
    if feature_kinds is None:
        return np.zeros(d, dtype=np.int64)
    return np.array([KIND_CODES[str(kind)] for kind in feature_kinds], dtype=np.int64)


def training_sizes(checkpoint):
    """The sizes part of the checkpoint's last training prior (None if unrecorded)."""
    training = checkpoint.metadata.get("training_config") or {}
    simulation = training.get("simulation")
    if not simulation:
        return None
    try:
        return SimulationConfig.from_dict(simulation).sizes
    except (TypeError, ValueError):
        return None


def trained_rows(checkpoint) -> int | None:
    """The largest number of rows the checkpoint's training prior drew (None if unrecorded)."""
    sizes = training_sizes(checkpoint)
    return None if sizes is None else int(sizes.max_samples)


def outside_the_box(checkpoint, n, d, max_rows):
    """What about data of n rows and d columns lies outside the checkpoint's training box, read
    with ``max_rows`` rows per pass: a sentence for a warning, or None."""
    sizes = training_sizes(checkpoint)
    if sizes is None:
        return None
    said = []
    if d > sizes.max_nodes:
        said.append(
            f"{d} columns, more than the {sizes.max_nodes} it was trained on at most (its "
            "accuracy there is unmeasured)"
        )
    if n < sizes.min_samples:
        said.append(
            f"{n} rows, fewer than the {sizes.min_samples} it was trained on at least (treat "
            "the graph as a guess)"
        )
    if max_rows is None and n > sizes.max_samples:
        said.append(
            f"{n} rows read at once (max_rows=None), more than the {sizes.max_samples} it was "
            'trained on (max_rows="auto" reads them as trained-size subsets)'
        )
    return (
        "the data lie outside the checkpoint's training box: " + "; ".join(said) if said else None
    )


def row_subsets(n_rows, max_rows, max_subsets=MAX_SUBSETS):
    """Index arrays of disjoint equal-sized random subsets of ``range(n_rows)``, or ``[None]``
    (all rows) when ``n_rows <= max_rows``."""
    if max_rows is None or n_rows <= max_rows:
        return [None]
    count = math.ceil(n_rows / max_rows)
    size = n_rows // count
    count = min(count, max_subsets)
    order = np.random.default_rng(_SUBSET_SEED).permutation(n_rows)
    return [np.sort(order[k * size : (k + 1) * size]) for k in range(count)]


def n_passes(n_datasets, n_rows, max_rows) -> int:
    """How many datasets go through the network: every subset of every dataset."""
    return n_datasets * len(row_subsets(n_rows, max_rows))


def _units(datasets, n_rows, max_rows):
    """(dataset index, rows) for every subset of every dataset (the full data first)."""
    units = []
    for k, rows in enumerate(datasets):
        all_rows = np.arange(n_rows) if rows is None else rows
        for subset in row_subsets(n_rows, max_rows):
            units.append((k, all_rows if subset is None else all_rows[subset]))
    return units


def forward(
    model,
    Z,
    mask,
    datasets,
    *,
    kinds,
    invariant,
    device,
    per_pass,
    max_rows,
    grid_chunk,
    row_chunk,
    bar,
    environments=None,
):
    """Edge probabilities (and target probabilities with ``environments``) of each dataset.

    ``datasets``: row index arrays, None for the full data (first). ``environments``: a dict with
    the rows' ``codes``, ``n_environments`` and ``has_reference``. Returns two lists, one entry
    per dataset, each the mean over its row subsets.
    """
    units = _units(datasets, Z.shape[0], max_rows)
    # The full data's subsets in passes of their own, then the resamples' batched: batching
    # changes how matrix products round, and edge_probabilities_ must not depend on n_bootstrap.
    full = [u for u in units if u[0] == 0]
    rest = [u for u in units if u[0] != 0]
    passes = [[u] for u in full] + [
        rest[start : start + per_pass] for start in range(0, len(rest), per_pass)
    ]
    probabilities = [[] for _ in datasets]
    targets = [[] for _ in datasets]
    kinds_tensor = torch.as_tensor(kinds, device=device)
    for group in passes:
        data = torch.as_tensor(
            np.stack([Z[rows] for _, rows in group]), dtype=torch.float32, device=device
        )
        # A copy: the validated mask may be a read-only view of the caller's array.
        batch_mask = torch.tensor(np.stack([mask[rows] for _, rows in group]), device=device)
        columns = {"kinds": kinds_tensor.expand(len(group), -1), "invariant": invariant}
        if environments is None:
            logits = model.edge_logits(
                data, batch_mask, chunk=grid_chunk, row_chunk=row_chunk, **columns
            )
        else:
            codes = torch.as_tensor(
                np.stack([environments["codes"][rows] for _, rows in group]), device=device
            )
            reference = torch.full((len(group),), environments["has_reference"], device=device)
            logits, target_logits = model.edge_logits(
                data,
                batch_mask,
                environments=codes,
                has_reference=reference,
                n_environments=environments["n_environments"],
                chunk=grid_chunk,
                row_chunk=row_chunk,
                **columns,
            )
            for (k, _), t in zip(group, torch.sigmoid(target_logits).double().cpu().numpy()):
                targets[k].append(t)
        for (k, _), p in zip(group, torch.sigmoid(logits).double().cpu().numpy()):
            probabilities[k].append(p)
        bar.update(len(group))
    mean = [np.mean(p, axis=0) for p in probabilities]
    return mean, [np.mean(t, axis=0) if t else None for t in targets]


def read_views(model, X, mask, datasets, *, kinds, views, windows, progress, calibration, **passes):
    """The mean over the views of X (False: the values, True: their ranks) of :func:`forward`'s
    outputs, each view read window by window, and each pair from the windows centred on its
    ends, when ``windows`` (``_windows``) is not None; the edge probabilities then calibrated
    (``calibration``, a ``_output_calibration.Calibration``; with the order block of each dataset's
    values where it reads one). ``progress``: the progress bar's title, or None for no bar.
    ``passes``: forward's other keywords."""
    d = X.shape[1]
    read_as = [np.arange(d)] if windows is None else windows  # all columns: one window
    n_units = n_passes(len(datasets), len(X), passes["max_rows"])
    total = len(views) * len(read_as) * n_units
    bar = progress_bar(progress is not None, total=total, desc=progress, unit="dataset")
    outputs = []
    with torch.inference_mode(), bar:
        for ranks in views:
            Z = standardize_continuous(X, kinds, ranks=ranks)
            parts = [
                forward(
                    model,
                    Z[:, w],
                    mask[:, w],
                    datasets,
                    kinds=kinds[w],
                    invariant=ranks,
                    bar=bar,
                    **passes,
                )
                for w in read_as
            ]
            if windows is None:
                outputs.append(parts[0])
                continue
            probabilities = [
                centred_mean([part[0][k] for part in parts], windows, d)
                for k in range(len(datasets))
            ]
            targets = [
                None
                if parts[0][1][k] is None
                else centred_targets([part[1][k] for part in parts], windows)
                for k in range(len(datasets))
            ]
            outputs.append((probabilities, targets))
    probabilities, targets = mean_of_views(outputs)
    blocks = [None] * len(datasets)
    if calibration.reads_order and False in views:  # not the exactly invariant mode
        Z = standardize_continuous(X, kinds)
        blocks = [order_block(Z if rows is None else Z[rows], kinds) for rows in datasets]
    return [calibration.apply(p, b) for p, b in zip(probabilities, blocks)], targets


def mean_of_views(outputs):
    """The mean, per dataset, of ``forward``'s outputs (probabilities, targets) over views of the
    same data (the values and their ranks)."""
    if len(outputs) == 1:
        return outputs[0]
    probabilities = [np.mean(p, axis=0) for p in zip(*(o[0] for o in outputs))]
    targets = [None if t[0] is None else np.mean(t, axis=0) for t in zip(*(o[1] for o in outputs))]
    return probabilities, targets


def environment_codes(environments, checkpoint, path):
    """The rows' environment codes with the reference moved to code 0, and the permutation
    back to the sorted labels' order."""
    if not checkpoint.model_config.target_head:
        raise ValueError(
            f"the checkpoint {path} was not trained on environments with unknown targets (it "
            "has no target head), so it cannot use environments=. Pass a checkpoint trained "
            "with ModelConfig.target_head=True (checkpoint=None uses the shipped one), or give "
            "the targets as intervention_mask."
        )
    order = np.arange(len(environments.labels))
    if environments.reference is not None:
        order = np.concatenate([[environments.reference], np.delete(order, environments.reference)])
    internal = np.empty_like(order)
    internal[order] = np.arange(len(order))
    return internal[environments.codes], order


def check_finite(probabilities, X, intervention_mask, path):
    """Raise FloatingPointError, with what a bug report needs, if a probability is not finite.

    FloatingPointError, not ValueError: X passed validation, so this is a numerical failure of
    the model or its features, not a fault the caller can fix in the input (and code that treats
    ValueError as "refused input" should not swallow it)."""
    if np.all(np.isfinite(probabilities)):
        return
    magnitude = np.abs(X[~np.isnan(X)])
    n_bad = int(np.sum(~np.isfinite(probabilities)))
    raise FloatingPointError(
        f"the model produced non-finite edge probabilities ({n_bad} of "
        f"{probabilities.size}) for data of shape {X.shape} with absolute values in "
        f"[{magnitude.min():.3g}, {magnitude.max():.3g}] and "
        f"{int(intervention_mask.sum())} intervened values (checkpoint {path}). This is "
        "a bug in skcausal, not in your data; please report it with these details."
    )
