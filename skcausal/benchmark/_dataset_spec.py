"""A benchmark dataset as data (:class:`DatasetSpec`), and the seeds that draw it.

Each spec knows how to produce ``(X, intervention_mask, true_adjacency)`` from a seed, through
:func:`skcausal.datasets.make_scm` or :func:`skcausal.datasets.load_sachs`, so every method of a
run is scored on the very same arrays. A spec with ``environments=True`` (the ``*-env`` Sachs
datasets) also gives each row's environment label, for interventions with unknown targets (see
:meth:`DatasetSpec.load`).

Seeds and the pretraining data
------------------------------
The seed of a synthetic dataset is derived from ``(random_state, repeat, dataset name)`` with
:class:`numpy.random.SeedSequence` (see :func:`dataset_seed`). ``make_scm(random_state=seed)`` then
seeds a fresh ``torch.Generator`` with ``numpy.random.default_rng(seed).integers(2**63 - 1)``, a
pseudo-random 63-bit number. The pretraining stream seeds its torch generators directly with small
integers: ``random_state * 1_000_003 + rank`` for training in the training process and
``2_000_003`` for the validation sets; data workers and re-seeded resumes use
``skcausal.pretraining._stream.stream_seed``, which lies in [2**32, 2**48). :func:`dataset_seed`
rejects (and re-draws) any seed whose torch seed is below ``2**48``, so a benchmark dataset can
never be drawn from the same torch stream as the pretraining or validation data (for any
pretraining ``random_state`` below about 2.8e8).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from skcausal.datasets import load_bnlearn_structure, load_sachs, make_scm
from skcausal.datasets._make_scm import torch_seed

# Pretraining seeds are small integers (see the module docstring); benchmark torch seeds stay above.
_MIN_TORCH_SEED = 2**48


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of a suite: how to draw it, and the labels it carries in the results.

    Parameters
    ----------
    name : str
        A readable identifier, unique within its suite, e.g. ``"linear-gaussian-er-d10-obs"``.
    family : str
        The mechanism family the results are grouped by: ``"linear-gaussian"``,
        ``"linear-nongaussian"``, ``"mlp"``, ``"rff"`` or ``"sachs"``.
    graph : str
        The graph model (``"erdos_renyi"``, ``"scale_free"``) or ``"sachs-consensus"``.
    n_nodes, n_samples : int
    interventional : bool
        Whether some values were set by interventions: the intervention mask has a True entry,
        or (with ``environments=True``) some environments are interventional, their targets
        unknown to the methods.
    source : {"scm", "sachs", "structure"}, default="scm"
        ``"scm"`` calls ``make_scm(**params)``; ``"sachs"`` calls ``load_sachs(**params)``;
        ``"structure"`` simulates with ``make_scm`` on the real graph ``params["network"]`` (see
        :func:`skcausal.datasets.load_bnlearn_structure`; needs pgmpy 1.0).
    params : dict, default={}
        Keyword arguments of that function, apart from ``random_state``.
    environments : bool, default=False
        Whether the data come with per-row environment labels and no intervention mask
        (interventions with unknown targets): the experimental conditions of Sachs. Only for
        ``source="sachs"``. :func:`~skcausal.benchmark.run_benchmark` then fits the methods that
        use environments with ``fit(X, intervention_mask=M, environments=E)`` (M all False) and
        the others on the pooled rows.
    reference_environment : label or None, default=None
        With ``environments=True``: the label of the observational environment, set as the
        ``reference_environment`` parameter of the methods that use environments. None: no
        environment is taken as observational.

    Examples
    --------
    >>> from skcausal.benchmark import DatasetSpec
    >>> spec = DatasetSpec("tiny", "linear-gaussian", "erdos_renyi", n_nodes=4, n_samples=50,
    ...                    interventional=False)
    >>> X, mask, adjacency = spec.load(seed=0)
    >>> X.shape, mask.shape, adjacency.shape
    ((50, 4), (50, 4), (4, 4))
    """

    name: str
    family: str
    graph: str
    n_nodes: int
    n_samples: int
    interventional: bool
    source: str = "scm"
    params: dict = field(default_factory=dict, hash=False)
    environments: bool = False
    reference_environment: object = None

    def __post_init__(self):
        if self.environments and self.source != "sachs":
            raise ValueError(
                f"environments=True needs source='sachs' (the data with condition labels); got "
                f"source={self.source!r}."
            )

    @property
    def seeded(self) -> bool:
        """True when the data depend on the seed (synthetic data); Sachs data are fixed."""
        return self.source in ("scm", "structure")

    def load(self, seed=None, *, return_environments=False):
        """Return ``(X, intervention_mask, true_adjacency)`` as numpy arrays.

        Parameters
        ----------
        seed : int or None
            Passed to ``make_scm(random_state=seed)``; ignored by fixed data (Sachs).
        return_environments : bool, default=False
            If True, also return the environment label of each row as a fourth element: an
            array of shape (n_samples,) for a spec with ``environments=True``, None for every
            other spec.

        Returns
        -------
        X : ndarray of shape (n_samples, n_nodes)
        intervention_mask : ndarray of shape (n_samples, n_nodes), bool
            All False for a spec with ``environments=True``: the targets are not given.
        true_adjacency : ndarray of shape (n_nodes, n_nodes)
        environments : ndarray of shape (n_samples,) or None
            Only when ``return_environments=True``.
        """
        environments = None
        if self.source == "scm":
            X, mask, adjacency = make_scm(
                self.n_samples,
                self.n_nodes,
                graph=self.graph,
                random_state=seed,
                **self.params,
            )
        elif self.source == "sachs":
            if self.environments:
                X, mask, adjacency, environments = load_sachs(**self.params, return_conditions=True)
                mask = np.zeros_like(mask)  # unknown targets: the conditions only
            else:
                X, mask, adjacency = load_sachs(**self.params)
        elif self.source == "structure":
            params = dict(self.params)
            graph, _ = load_bnlearn_structure(params.pop("network"))
            X, mask, adjacency = make_scm(
                self.n_samples, self.n_nodes, graph=graph, random_state=seed, **params
            )
        else:
            raise ValueError(
                f"unknown dataset source {self.source!r}; expected 'scm', 'sachs' or 'structure'."
            )
        if return_environments:
            return X, mask, adjacency, environments
        return X, mask, adjacency


def dataset_seed(random_state, repeat, name):
    """The seed of dataset ``name`` in repeat ``repeat`` of a run seeded with ``random_state``.

    Derived with :class:`numpy.random.SeedSequence` from the run's ``random_state``, the repeat
    index and a CRC-32 of the dataset name (stable across Python sessions, unlike ``hash``), so
    datasets are independent of each other and of the order of the suite. A seed whose torch seed
    in ``make_scm`` would fall below ``2**48`` is skipped, which keeps benchmark data apart from the
    pretraining streams (see the module docstring).

    Parameters
    ----------
    random_state : int
        The run's seed (>= 0).
    repeat : int
        The repeat index (>= 0).
    name : str
        The dataset's name.

    Returns
    -------
    seed : int
        A 32-bit seed for ``make_scm(random_state=seed)``.

    Examples
    --------
    >>> from skcausal.benchmark import dataset_seed
    >>> dataset_seed(0, 0, "mlp-er-d5-int") == dataset_seed(0, 0, "mlp-er-d5-int")
    True
    >>> dataset_seed(0, 0, "mlp-er-d5-int") != dataset_seed(0, 1, "mlp-er-d5-int")
    True
    """
    key = zlib.crc32(name.encode("utf-8"))
    attempt = 0
    while True:
        sequence = np.random.SeedSequence(random_state, spawn_key=(repeat, key, attempt))
        seed = int(sequence.generate_state(1)[0])
        if torch_seed(seed) >= _MIN_TORCH_SEED:
            return seed
        attempt += 1  # probability 2**-15 per draw
