"""ZeroShotCausalDiscovery: validation, device choice and coordination; the model does the work."""

from __future__ import annotations

import os
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skcausal._base import SHARED_PARAMETER_CONSTRAINTS, BaseCausalDiscovery, Discovery
from skcausal._utils import check_random_state
from skcausal.exceptions import NoDependenceWarning, OutsideTrainingWarning
from skcausal.graph import greedy_dag, readout_scores
from skcausal.zeroshot._checkpoint import cached_checkpoint as _cached_checkpoint
from skcausal.zeroshot._checkpoint import cached_model as _cached_model
from skcausal.zeroshot._checkpoint import file_key as _file_key
from skcausal.zeroshot._checkpoint import torch_device
from skcausal.zeroshot._evidence import any_dependence, no_dependence_message
from skcausal.zeroshot._inference import (
    check_finite,
    environment_codes,
    kind_codes,
    outside_the_box,
    read_views,
    trained_rows,
)
from skcausal.zeroshot._memory import check_memory, chunk_sizes, datasets_per_pass
from skcausal.zeroshot._windows import column_windows, dependence_scores, window_width


class ZeroShotCausalDiscovery(BaseCausalDiscovery):
    """Causal discovery in one forward pass of a pretrained transformer.

    The network was pretrained on simulated structural causal models (the v3 prior of
    ``pretrained/README.md``): 2 to 200 variables and 10 to 10,000 rows; Erdos-Renyi,
    scale-free, layered, hub and tree DAGs, and empty graphs; ten mechanism families (linear,
    neural, periodic, saturating, quadratic, step, random-feature, Hill, piecewise and
    interaction terms), mixed per node in 30% of datasets; varied noise and root laws, raw or
    standardised units, monotone re-expressions, rounding, clipping, measurement noise and
    outliers; binary, ordinal and unordered discrete columns and missing cells (MCAR, MAR, MNAR)
    in some datasets; half the datasets interventional (hard, far, shift and soft interventions,
    some with off-target effects the mask does not show), and some as environments with unknown
    targets. Given data, it computes statistics of every pair of variables (and of each pair
    given each third variable), attends over the grid of pairs, and returns a probability for
    each directed edge. No optimisation runs at fit.

    **Its training box, and what happens outside it.** The shipped checkpoint (v3.1) was trained on
    n from 10 to 10,000 rows and d up to 200; continuous and discrete columns, with or without
    missing cells; the intervention kinds above; every common cause observed (**no hidden
    confounders**) and no cycles. Outside the box, and at its edges (measured with
    ``research/experiments/outside_the_box.py`` and the scripts of ``docs/choosing.md``):

    - *More rows* than the checkpoint was trained on are read as the mean over disjoint subsets
      of a trained size (``max_rows``): d = 20, AUPRC 0.970 at 2,000 rows, 0.973 at 10,000,
      0.979 at 50,000, 0.982 at 100,000 (linear and MLP, 2 seeds each).
    - *Monotone re-expressions* (exp, cube, log, a sensor's curve): the default,
      ``marginals="both"``, averages the values' answer with the ranks', so it moves half as far:
      exp of every column lowers AUROC from 0.989 to 0.985 (values alone: 0.963) and moves no
      probability by more than 0.46 (d = 20, n = 2,000); ``marginals="ranks"`` is invariant.
    - *Linear non-Gaussian SEMs* (d <= 256, >= 2 columns non-normal, all continuous, complete):
      the values' view also reads DirectLiNGAM's causal order (above 64 columns a faster, partial
      one), the slowest part of such a fit; ``linear_non_gaussian=True`` weighs it further.
    - *Wide data* (over 32 columns) get a ridge from the data in the features: raw-unit linear
      SEMs on real structures, AUPRC 0.655 -> 0.843 at d = 109; windows of columns
      (``max_columns="auto"``) read d = 223 best (0.348 -> 0.534; ``docs/choosing.md``).
    - *Missing cells* (NaN) are read over the rows where each statistic's values are observed,
      *discrete columns* (``feature_kinds_``) by their kind, an unordered category by its levels'
      frequencies, never its codes' order (beside PC's and GES's: ``docs/inputs.md``).
    - *Pure noise* (20 independent columns, seeds 0-19): an edge in 1 of 20 datasets at 10 rows,
      none at 20, 50, 200 or 100,000 (v2: 17, 20, 19 and 2 up to 200); see ``alpha``.
    - *A hidden common cause* (never simulated) often shows up as an edge between its effects.

    :doc:`/choosing` compares it with the baselines and says when to prefer one of them.

    Parameters
    ----------
    checkpoint : str or path, default=None
        A ``.safetensors`` checkpoint (with its ``.json`` beside it) or a folder holding one; None
        loads the weights that ship with the package, ``skcausal-zeroshot`` (v3.1, with a target
        head for ``environments``; ``pretrained/README.md``). ``skcausal-zeroshot-v2`` and
        ``-v1`` (no environments) ship beside it for comparison: pass e.g.
        ``default_checkpoint_path().with_name("skcausal-zeroshot-v2.safetensors")``.
    threshold : float in [0, 1] or "f1", default=0.5
        A pair's more probable direction i -> j is a candidate for ``adjacency_`` when its
        probability given that the pair is not joined the other way round,
        ``p[i, j] / (1 - p[j, i])``, is above it (:func:`~skcausal.graph.edge_given_pair`). At 0.5
        each pair gets its most probable state (no edge, i -> j or j -> i), which minimises the
        expected structural Hamming distance; an edge whose reverse has probability 0 needs only
        its own probability above the threshold, while a pair whose two directions the data
        cannot tell apart (0.45 each way) is kept. Where many pairs are unsure, this keeps far
        fewer edges than the probabilities expect (their sum); "f1" keeps the graph of largest
        expected F1 (:func:`~skcausal.graph.readout_scores`), nearer it (``docs/choosing.md``).
    alpha : float in (0, 1) or None, default=0.01
        Unless the rows show some pair of columns to be dependent, at a false discovery rate of
        ``alpha`` over all pairs (a rank correlation and a binned chi-square test per pair),
        ``adjacency_`` has no edge but the required ones; ``edge_probabilities_`` stay the
        model's. A DAG with an edge makes some pair dependent, so on pure noise this bounds the
        chance of any edge by ``alpha`` at every n (``docs/choosing.md``). A
        ``NoDependenceWarning`` says when it empties a graph. None skips the check.
    acyclic : bool, default=True
        Make ``adjacency_`` a DAG: candidates are kept highest score first, skipping any edge that
        would close a cycle. With False, every candidate is kept.
    device : {"auto", "cpu", "cuda", "cuda:N", "mps"}, default="auto"
        Where the forward pass runs; "auto" uses CUDA when available, else the CPU. It is checked
        at the start of ``fit``, before the data: "cuda" (or "cuda:N") without a usable CUDA GPU
        (a CPU-only build of torch, or no GPU), "mps" where Apple's MPS backend is not available,
        and any other name raise a ValueError that says how to proceed.
    marginals : {"raw", "ranks", "both"}, default="both"
        What the model reads of each column. "raw": the values themselves (standardised), so the
        shape of a marginal can add evidence (a cause's marginal is informative under the
        independence of cause and mechanism; real cause-effect pairs are oriented largely by it).
        "ranks": only the normal scores of each column's ranks, so ``edge_probabilities_`` are
        exactly unchanged by any strictly increasing transform of any column (log, exp, cube,
        a sensor's calibration curve). "both" (the default): the mean of the two answers (two
        forward passes, twice the time), so the ranks' half cannot move and a misleading
        marginal moves the answer at most half as far. Use "ranks" when the units or the
        measurement scale of the columns are arbitrary, "raw" when values are measured on a
        meaningful scale and speed matters; the three are compared in ``docs/choosing.md``.
    linear_non_gaussian : bool, default=False
        Assume LiNGAM's model (linear, non-Gaussian noise, columns on their own scales): where
        DirectLiNGAM's causal order agrees with the model's graph (over 3 in 4 of its edges,
        beyond chance), the probabilities also weigh that order (the checkpoint's order map).
        Sharper on such data (raw-unit SEMs, real structures: SHD 59.8 -> 48.6), but a cube of
        every column can then cost 0.14 AUROC (0.03 without): ``pretrained/README.md``.
    max_rows : "auto", int or None, default="auto"
        Rows per forward pass. Beyond it the rows are split into disjoint random subsets of equal
        size (at most 16, so time and memory stay bounded whatever n is) and their probabilities
        are averaged: a model reads data best within the range of n it was trained on. "auto"
        is the checkpoint's trained range (the largest n of its training prior); None reads all
        rows at once. The subsets are drawn from a fixed seed, so fits repeat.
    max_columns : "auto", int or None, default=None
        Columns per forward pass; None reads all at once. Wider data are read as one window of
        this many columns around each column (the column, those most partially correlated with
        it, then their strongest partners; unchanged by increasing maps), each pair's
        probability the mean over the windows centred on its ends; time grows linearly in
        n_features. It reads sparse, wide real networks more sharply and denser simulated graphs
        less (``docs/choosing.md``, "Wide data"). "auto": windows of 45 above 64 columns.
    n_bootstrap : int, default=0
        When > 0, also run the model on this many bootstrap resamples of the rows, in one batched
        forward pass after the full data's own (split only when the memory limit requires it), to
        report uncertainty: ``edge_frequencies_`` is the share of resamples whose own graph has
        each edge, and ``bootstrap_edge_probabilities_`` the resamples' mean probability.
        The fitted graph, probabilities and targets stay the full data's (as with 0).
    memory_limit : "auto", float or None, default="auto"
        Refuse (with :class:`~skcausal.zeroshot.InsufficientMemoryError`, a ``MemoryError``) a
        forward pass whose estimated memory exceeds this many GB, before allocating it. "auto" is
        90% of the memory available on the device; None skips the check. Memory grows with
        ``n_features ** 2``, and in ``n_samples`` only with the size of X (chunked features).
    reference_environment : label or None, default=0
        Only for a fit with ``environments``: the label of the observational environment, against
        which the others are compared. None: no environment is assumed observational (they are
        compared with the pool of all rows).
    knowledge : BackgroundKnowledge or None, default=None
        Required and forbidden edges and tiers (see :class:`~skcausal.BackgroundKnowledge`),
        applied before the acyclic step: forbidden edges get probability 0, and required edges
        are kept first (whatever their probability), then the others by probability while they
        close no cycle. The required edges keep the model's probability in
        ``edge_probabilities_``.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the bootstrap resamples; the forward pass itself is deterministic.
    categorical_features : "from_dtype", None or array-like of bool, int or str, \
default="from_dtype"
        The numeric columns to read as discrete (unordered, coded by their sorted distinct
        values): a boolean mask of shape (n_features,), integer indices, or column names when X
        is a DataFrame. "from_dtype" and None: the dtypes alone decide (pandas ``category``,
        ``bool`` and text columns are discrete, other numeric columns continuous). See
        ``docs/inputs.md`` and ``feature_kinds_``.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar on stderr over the datasets of the forward passes
        (the full data, then the ``n_bootstrap`` resamples).

    Notes
    -----
    Input handling beyond the checks every estimator makes (see
    :meth:`~skcausal.BaseCausalDiscovery.fit`): columns are standardised without overflow whatever
    their magnitude (1e-300 to 1e300, mixed across columns), so the units of X do not matter.
    Duplicated or collinear columns are accepted: the features use a ridge-regularised precision
    matrix, and the result is finite (two exact copies get identical probabilities: the model
    cannot tell them apart). Any n_samples >= 2 is accepted, but below 10 rows (the fewest it was
    trained on) treat a fit as a guess; an ``OutsideTrainingWarning`` says so, and says when one
    pass reads more columns than the checkpoint saw (not in windows of at most 200).
    A variable intervened in every sample is accepted and gives a finite result. A non-finite
    probability would raise FloatingPointError (a bug to report), never be returned.

    Attributes
    ----------
    edge_probabilities_ : ndarray of shape (n_features, n_features)
        ``edge_probabilities_[i, j]``: the model's probability of the edge i -> j, after the
        checkpoint's calibration (``pretrained/README.md``); 0 on the diagonal.
    adjacency_ : ndarray of shape (n_features, n_features)
        The learned graph, 0/1; ``adjacency_[i, j] == 1`` means i -> j.
    checkpoint_info_ : dict
        Which checkpoint made the prediction: path, SHA-256, training steps, package version,
        calibration.
    environments_ : ndarray of shape (n_environments,)
        Only after a fit with ``environments``: the sorted labels.
    intervention_targets_ : ndarray of shape (n_environments, n_features)
        Only after a fit with ``environments``: the model's probability that each variable was
        intervened on in each environment (row k for ``environments_[k]``); the reference
        environment's row is 0. Needs a checkpoint trained with a target head
        (``checkpoint_info_`` names the checkpoint; the v1 weights have none and refuse).
    cpdag_, coef_, intercept_, noise_std_, edge_frequencies_, bootstrap_edge_probabilities_
        The equivalence class, the linear-Gaussian SEM on the graph and (after a bootstrap) the
        edge frequencies and the resamples' mean probabilities, as for every estimator: see
        :class:`~skcausal.BaseCausalDiscovery`.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.

    Examples
    --------
    >>> from skcausal import ZeroShotCausalDiscovery
    >>> from skcausal.datasets import make_scm
    >>> X, mask, true_graph = make_scm(n_samples=1000, n_nodes=8, random_state=0)
    >>> est = ZeroShotCausalDiscovery().fit(X)
    >>> est.adjacency_.shape, est.edge_probabilities_.shape
    ((8, 8), (8, 8))
    >>> X, mask, true_graph = make_scm(1000, 8, n_intervention_targets=4,
    ...                                intervention_fraction=0.5, random_state=0)
    >>> est = ZeroShotCausalDiscovery().fit(X, intervention_mask=mask)
    >>> bool((est.edge_probabilities_ >= 0).all() and (est.edge_probabilities_ <= 1).all())
    True
    >>> X, _, _ = make_scm(100, 10, mechanism="mlp", random_state=0)  # diffuse: 19 expected
    >>> [int(ZeroShotCausalDiscovery(threshold=t).fit(X).adjacency_.sum()) for t in (0.5, "f1")]
    [14, 19]
    >>> import numpy as np
    >>> noise = np.random.default_rng(3).standard_normal((20, 20))  # 20 independent columns
    >>> [int(ZeroShotCausalDiscovery(alpha=a).fit(noise).adjacency_.sum()) for a in (0.01, None)]
    [0, 2]
    """

    _parameter_constraints = {
        "checkpoint": [str, os.PathLike, None],
        "threshold": [Interval(Real, 0, 1, closed="both"), StrOptions({"f1"})],
        "alpha": [Interval(Real, 0, 1, closed="neither"), None],
        "acyclic": ["boolean"],
        "device": [str],
        "memory_limit": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither"), None],
        "marginals": [StrOptions({"raw", "ranks", "both"})],
        "linear_non_gaussian": ["boolean"],
        "max_rows": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left"), None],
        "max_columns": [StrOptions({"auto"}), Interval(Integral, 3, None, closed="left"), None],
        "reference_environment": "no_validation",  # any label; checked against the labels at fit
        **SHARED_PARAMETER_CONSTRAINTS,
    }
    _supports_environments = True
    # Missing cells and discrete codes go to the model as they are (NaN, codes 0..k-1).
    _missing_values = "native"
    _discrete_columns = "native"
    edge_score_name = "edge probability"

    def __init__(
        self,
        checkpoint=None,
        *,
        threshold=0.5,
        alpha=0.01,
        acyclic=True,
        device="auto",
        marginals="both",
        linear_non_gaussian=False,
        max_rows="auto",
        max_columns=None,
        n_bootstrap=0,
        memory_limit="auto",
        reference_environment=0,
        knowledge=None,
        random_state=None,
        verbose=0,
        categorical_features="from_dtype",
    ):
        self.checkpoint = checkpoint
        self.threshold = threshold
        self.alpha = alpha
        self.acyclic = acyclic
        self.device = device
        self.marginals = marginals
        self.linear_non_gaussian = linear_non_gaussian
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.n_bootstrap = n_bootstrap
        self.memory_limit = memory_limit
        self.reference_environment = reference_environment
        self.knowledge = knowledge
        self.random_state = random_state
        self.verbose = verbose
        self.categorical_features = categorical_features

    def _max_rows(self, checkpoint):
        """Rows per forward pass: the checkpoint's trained range for "auto"."""
        if self.max_rows == "auto":
            return trained_rows(checkpoint)
        return self.max_rows

    def _check_runtime(self):
        # The device first: a GPU that is not there should say so before the data are validated,
        # the checkpoint loaded or any memory estimated.
        torch_device(self.device)

    def _graph_from_probabilities(self, probabilities, knowledge, X, *, warn=False):
        """Score each pair's more probable direction, threshold (and make acyclic) the scores,
        knowledge first; no edge but the required ones where the rows X show no dependence."""
        priority = probabilities.copy()
        if knowledge is not None:
            required, forbidden = knowledge
            priority[forbidden | required.T] = 0.0  # a required edge is directed
        score, cutoff = readout_scores(priority, self.threshold)
        if self.alpha is not None and not any_dependence(X, self.alpha):
            if warn and (score > cutoff).any():
                message = no_dependence_message(self.alpha, priority)
                warnings.warn(NoDependenceWarning(message), stacklevel=6)  # at the caller's fit
            score[:] = 0.0
        if knowledge is not None:
            score[required] = 2.0  # above any threshold and any score: kept first
        if self.acyclic:
            return greedy_dag(score, cutoff)
        return (score > cutoff).astype(int)

    def _load(self):
        key = _file_key(self.checkpoint)
        checkpoint = _cached_checkpoint(*key)
        device = torch_device(self.device)
        return checkpoint, _cached_model(*key, str(device)), device, key[0]

    def _discover(self, X, intervention_mask, *, knowledge=None, environments=None):
        checkpoint, model, device, path = self._load()
        env = None
        if environments is not None:
            env_codes, order = environment_codes(environments, checkpoint, path)
            has_reference = environments.reference is not None
            env = {"codes": env_codes, "n_environments": len(order), "has_reference": has_reference}
        n, d = X.shape
        max_rows = self._max_rows(checkpoint)
        rows_per_pass = n if max_rows is None else min(n, max_rows)
        dim = checkpoint.model_config.dim
        kinds = kind_codes(getattr(self, "feature_kinds_", None), d)
        width = window_width(self.max_columns, d)  # columns per forward pass
        check_memory(rows_per_pass, d, dim, device, self.memory_limit, width)  # before warning
        if message := outside_the_box(checkpoint, n, width, max_rows):
            warnings.warn(OutsideTrainingWarning(message), stacklevel=5)  # at the caller's fit
        windows = column_windows(dependence_scores(X, kinds), width) if width < d else None
        grid_chunk, row_chunk = chunk_sizes(rows_per_pass, width, dim)
        datasets = [None]
        if self.n_bootstrap:
            rng = check_random_state(self.random_state)
            datasets += [rng.integers(0, n, n) for _ in range(self.n_bootstrap)]
        # The views the answer averages: the values (False) and the ranks (True).
        views = {"raw": [False], "ranks": [True], "both": [False, True]}[self.marginals]
        per_pass = datasets_per_pass(
            rows_per_pass, width, dim, device, self.memory_limit, len(datasets)
        )
        calibration = checkpoint.calibration.with_map(self.linear_non_gaussian)
        title = f"{type(self).__name__} forward passes" if self._show_progress() else None
        probabilities, targets = read_views(
            model,
            X,
            intervention_mask,
            datasets,
            kinds=kinds,
            views=views,
            windows=windows,
            progress=title,
            device=device,
            per_pass=per_pass,
            max_rows=max_rows,
            grid_chunk=grid_chunk,
            row_chunk=row_chunk,
            environments=env,
            calibration=calibration,
        )
        # The bootstrap resamples (uncertainty: edge_frequencies_ and the resamples' mean) went
        # through the model with the full data; the fitted graph is the full data's alone.
        resamples = None
        if self.n_bootstrap:
            resamples = []
            for p, rows in zip(probabilities[1:], datasets[1:]):
                p = p.copy()
                np.fill_diagonal(p, 0.0)
                graph = self._graph_from_probabilities(p, knowledge, X[rows])
                resamples.append(Discovery(p, graph))
        probabilities = probabilities[0].copy()
        check_finite(probabilities, X, intervention_mask, path)
        np.fill_diagonal(probabilities, 0.0)
        found_targets = None
        if env is not None:
            internal_targets = targets[0].copy()  # the full data's, (n_env, d), reference first
            if has_reference:
                internal_targets[0] = 0.0
            found_targets = np.empty_like(internal_targets)
            found_targets[order] = internal_targets
        adjacency = self._graph_from_probabilities(probabilities, knowledge, X, warn=True)
        return Discovery(
            probabilities,
            adjacency,
            targets=found_targets,
            resamples=resamples,
            info={"checkpoint_info_": checkpoint.info(path, str(device), calibration)},
        )
