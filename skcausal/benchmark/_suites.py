"""Named benchmark suites: lists of dataset specifications (:class:`DatasetSpec`).

A suite is data, not code: the families of simulated datasets, the real structures and the Sachs
setups, each a :class:`DatasetSpec` that draws its arrays from a seed
(``benchmark/_dataset_spec.py``, which also says how the seeds stay apart from the pretraining
data).
"""

from __future__ import annotations

from skcausal.benchmark._dataset_spec import DatasetSpec
from skcausal.datasets._bnlearn import NETWORK_SIZES

_GRAPH_SHORT = {"erdos_renyi": "er", "scale_free": "sf", "scale_free_transposed": "sft"}


def _scm(family, graph, d, n, *, interventional, mechanism="linear", noise="gaussian"):
    """A synthetic spec; interventional data: do() on d // 2 variables in half of the rows."""
    params = {"edges_per_node": 2.0, "mechanism": mechanism, "noise": noise}
    if interventional:
        params.update(n_intervention_targets=max(1, d // 2), intervention_fraction=0.5)
    label = family if family != "linear-nongaussian" else f"linear-{noise}"
    name = f"{label}-{_GRAPH_SHORT[graph]}-d{d}-{'int' if interventional else 'obs'}"
    return DatasetSpec(name, family, graph, d, n, interventional, "scm", params)


# family -> make_scm mechanism; the non-Gaussian family cycles through these noises.
_FAMILIES = {
    "linear-gaussian": "linear",
    "linear-nongaussian": "linear",
    "mlp": "mlp",
    "rff": "rff",
}
_NONGAUSSIAN_NOISES = ("laplace", "uniform", "student_t")


def _grid(sizes, n_samples, families=tuple(_FAMILIES), graphs=("erdos_renyi", "scale_free")):
    """Every combination of size, family, graph and observational/interventional."""
    specs = []
    for i, d in enumerate(sizes):
        for family in families:
            for g, graph in enumerate(graphs):
                for k, interventional in enumerate((False, True)):
                    noise = "gaussian"
                    if family == "linear-nongaussian":
                        # A Latin-square rotation: each noise meets every size, graph and regime
                        # without tripling the number of datasets.
                        noise = _NONGAUSSIAN_NOISES[(i + g + k) % len(_NONGAUSSIAN_NOISES)]
                    specs.append(
                        _scm(
                            family,
                            graph,
                            d,
                            n_samples,
                            interventional=interventional,
                            mechanism=_FAMILIES[family],
                            noise=noise,
                        )
                    )
    return specs


def _structure_specs(n_samples=1000):
    """Simulated data on bnlearn's real network structures (the development networks only)."""
    specs = []
    for network, d in NETWORK_SIZES.items():
        for family, mechanism, noise in (
            ("linear-gaussian", "linear", "gaussian"),
            ("linear-nongaussian", "linear", "laplace"),
            ("mlp", "mlp", "gaussian"),
            ("linear-raw", "linear", "gaussian"),
        ):
            for interventional in (False, True):
                params = {
                    "network": network,
                    "mechanism": mechanism,
                    "noise": noise,
                    "raw_units": family == "linear-raw",
                }
                if interventional:
                    params.update(n_intervention_targets=max(1, d // 2), intervention_fraction=0.5)
                label = family if family != "linear-nongaussian" else f"linear-{noise}"
                name = f"{label}-{network}-{'int' if interventional else 'obs'}"
                specs.append(
                    DatasetSpec(
                        name,
                        family,
                        f"bnlearn-{network}",
                        d,
                        n_samples,
                        interventional,
                        "structure",
                        params,
                    )
                )
    return specs


# The reference of the environment datasets: the baseline stimulation. The five inhibitors of Sachs
# et al. were added to CD3/CD28-stimulated cells (see skcausal/datasets/data/README.md), so CD3/CD28
# alone is their observational counterpart; the bnlearn setup takes its observational rows from it.
SACHS_REFERENCE = "CD3/CD28"


def _sachs_specs():
    # The consensus graph has one directed cycle (PIP2 -> PIP3 -> plcg -> PIP2); it is kept as
    # distributed, so methods that return DAGs cannot reach SHD 0 on it (see load_sachs).
    #
    # sachs-env: the same 7,466 cells as sachs-int, but the methods get the nine conditions as
    # environments and no intervention mask (unknown targets). The reference is CD3/CD28, and the
    # second observational condition, CD3/CD28+ICAM-2, stays an environment of its own (9 labels)
    # rather than being merged with it into one "observational" label: ICAM-2 is an additional
    # co-stimulus, so the two are different conditions, and whether ICAM-2 shifts any protein is
    # for a method to find out, not for the benchmark to assume. (sachs-obs and sachs-int, with
    # known targets, treat both as observational, as is customary.)
    return [
        DatasetSpec(
            "sachs-obs",
            "sachs",
            "sachs-consensus",
            11,
            1755,
            False,
            "sachs",
            {"interventional": False},
        ),
        DatasetSpec(
            "sachs-int",
            "sachs",
            "sachs-consensus",
            11,
            7466,
            True,
            "sachs",
            {"interventional": True},
        ),
        DatasetSpec(
            "sachs-env",
            "sachs",
            "sachs-consensus",
            11,
            7466,
            True,
            "sachs",
            {"interventional": True},
            environments=True,
            reference_environment=SACHS_REFERENCE,
        ),
    ]


def _sachs_bnlearn_specs():
    # The other common setup: the 853 cells of the first condition (plus, with interventions, the
    # seven interventional conditions) against bnlearn's 17-edge DAG. Needs pgmpy 1.0.
    # sachs853-env: the rows of sachs853-int with their eight conditions as environments (no
    # mask); the reference is the one observational condition there, CD3/CD28.
    params = {"observational": "first", "graph": "bnlearn"}
    return [
        DatasetSpec(
            "sachs853-obs",
            "sachs",
            "sachs-bnlearn",
            11,
            853,
            False,
            "sachs",
            {"interventional": False, **params},
        ),
        DatasetSpec(
            "sachs853-int",
            "sachs",
            "sachs-bnlearn",
            11,
            853 + 5711,
            True,
            "sachs",
            {"interventional": True, **params},
        ),
        DatasetSpec(
            "sachs853-env",
            "sachs",
            "sachs-bnlearn",
            11,
            853 + 5711,
            True,
            "sachs",
            {"interventional": True, **params},
            environments=True,
            reference_environment=SACHS_REFERENCE,
        ),
    ]


SUITES = {
    # Seconds in total: for tests and for checking that a method runs at all.
    "smoke": [
        _scm("linear-gaussian", "erdos_renyi", 5, 200, interventional=False),
        _scm("linear-nongaussian", "scale_free", 5, 200, interventional=True, noise="laplace"),
        _scm("mlp", "erdos_renyi", 5, 200, interventional=True, mechanism="mlp"),
    ],
    # 48 datasets: d in {10, 20, 50} x 4 families x 2 graphs x {observational, interventional}.
    "standard": _grid((10, 20, 50), 1000),
    # Wide and long data, where the cost of a method shows.
    "large": [
        _scm("linear-gaussian", "erdos_renyi", 100, 10_000, interventional=False),
        _scm("linear-nongaussian", "scale_free", 100, 10_000, interventional=True, noise="laplace"),
        _scm("mlp", "erdos_renyi", 100, 10_000, interventional=True, mechanism="mlp"),
        _scm("rff", "scale_free", 100, 10_000, interventional=False, mechanism="rff"),
    ],
    "sachs": _sachs_specs(),
    "sachs-bnlearn": _sachs_bnlearn_specs(),
    # 72 datasets on real graphs (bnlearn's discrete networks, d = 20-223), with simulated data:
    # 9 networks x 4 families x {observational, interventional}. linear-raw is linear-Gaussian in
    # raw units (variance accumulates down the graph, as in real SEMs). Needs pgmpy 1.0.
    "structures": _structure_specs(),
}


def get_suite(name):
    """The dataset specifications of a named suite.

    Parameters
    ----------
    name : {"smoke", "standard", "large", "sachs", "sachs-bnlearn", "structures"}

    Returns
    -------
    specs : list of DatasetSpec
        A new list; changing it does not change the suite.

    Raises
    ------
    ValueError
        If ``name`` is not a known suite.

    Examples
    --------
    >>> from skcausal.benchmark import get_suite
    >>> [spec.name for spec in get_suite("smoke")]
    ['linear-gaussian-er-d5-obs', 'linear-laplace-sf-d5-int', 'mlp-er-d5-int']
    >>> len(get_suite("standard"))
    48
    """
    if not isinstance(name, str) or name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; choose one of {sorted(SUITES)}.")
    return list(SUITES[name])
