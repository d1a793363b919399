"""make_environments(): one simulated dataset from several environments with unknown targets."""

from __future__ import annotations

import numbers

import numpy as np

from skcausal._utils import standardize_columns
from skcausal.datasets._graphs import GRAPHS
from skcausal.datasets._interventions import INTERVENTIONS
from skcausal.datasets._make_scm import (
    _check_choice,
    _check_dag,
    _check_int,
    _sample_one,
    torch_generator,
)
from skcausal.datasets._mechanisms import MECHANISMS, NOISES
from skcausal.datasets._simulator import SCMBatchSampler, SimulationConfig


def make_environments(
    n_samples=1000,
    n_nodes=10,
    *,
    n_environments=5,
    max_targets=3,
    intervention="shift",
    reference=True,
    off_target_probability=0.0,
    graph="erdos_renyi",
    edges_per_node=2.0,
    mechanism="linear",
    noise="gaussian",
    standardize=True,
    random_state=None,
):
    """Draw a random SCM and sample it in several environments whose targets are not given.

    The rows are split into ``n_environments`` near-equal blocks, in order. Each environment except
    an observational first one (``reference=True``) intervenes on 1 to ``max_targets`` variables
    drawn at random, all with one kind of intervention. This is the data of
    ``fit(X, environments=labels)``: experimental conditions, drugs, batches.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows; at least 2 per environment.
    n_nodes : int, default=10
    n_environments : int, default=5
        Number of environments (>= 2).
    max_targets : int, default=3
        Each interventional environment has between 1 and this many targets (at most ``n_nodes``).
    intervention : {"hard", "far", "shift", "soft"}, default="shift"
        ``"hard"``: do() with values near the observational range; ``"far"``: do() with means 3-10
        sd away; ``"shift"``: the mechanism plus a constant; ``"soft"``: the mechanism with changed
        weights and noise scale.
    reference : bool, default=True
        Whether environment 0 is observational (no target).
    off_target_probability : float in [0, 1], default=0.0
        Probability that the dataset's interventions also hit 1-2 other variables per target
        ("fat hand"); ``targets`` includes those hits.
    graph, edges_per_node, mechanism, noise, standardize, random_state
        As in :func:`make_scm`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_nodes)
    environments : ndarray of int, shape (n_samples,)
        The environment (0 to n_environments - 1) of each row.
    targets : ndarray of bool, shape (n_environments, n_nodes)
        ``targets[e, j]``: environment e's interventions hit variable j.
    adjacency : ndarray of int, shape (n_nodes, n_nodes)
        ``adjacency[i, j] == 1`` means the edge i -> j.

    Examples
    --------
    >>> import numpy as np
    >>> from skcausal.datasets import make_environments
    >>> X, env, targets, A = make_environments(600, 6, n_environments=3, random_state=0)
    >>> X.shape, np.bincount(env).tolist(), targets.shape
    ((600, 6), [200, 200, 200], (3, 6))
    >>> bool(targets[0].any()), bool(targets[1:].any(axis=1).all())  # observational first
    (False, True)
    """
    _check_int("n_samples", n_samples, 2)
    _check_int("n_nodes", n_nodes, 1)
    _check_int("n_environments", n_environments, 2)
    _check_int("max_targets", max_targets, 1, n_nodes)
    if n_samples < 2 * n_environments:
        raise ValueError(
            f"n_samples={n_samples} gives fewer than 2 rows to each of the "
            f"{n_environments} environments."
        )
    _check_choice("intervention", intervention, INTERVENTIONS)
    order = None
    if isinstance(graph, str) or np.ndim(graph) == 0:
        _check_choice("graph", graph, GRAPHS)
    else:
        graph, order = _check_dag(graph, n_nodes)
    _check_choice("mechanism", mechanism, MECHANISMS)
    _check_choice("noise", noise, NOISES)
    for name, flag in (("reference", reference), ("standardize", standardize)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ValueError(f"{name} must be True or False; got {flag!r}.")
    if (
        isinstance(off_target_probability, bool)
        or not isinstance(off_target_probability, numbers.Real)
        or not 0 <= off_target_probability <= 1
    ):
        raise ValueError(
            f"off_target_probability must be in [0, 1]; got {off_target_probability!r}."
        )

    config = SimulationConfig(
        environment_probability=1.0,
        min_environments=n_environments,
        max_environments=n_environments,
        max_environment_targets=max_targets,
        reference_probability=float(bool(reference)),
        known_targets_probability=0.0,
        intervention_kinds=(intervention,),
        off_target_probability=float(off_target_probability),
    )
    sampler = SCMBatchSampler(config, generator=torch_generator(random_state))
    batch, back = _sample_one(
        sampler,
        graph,
        order,
        n_nodes,
        n_samples,
        edges_per_node=edges_per_node,
        mechanism=mechanism,
        noise=noise,
        heteroscedastic=False,
    )
    X = batch.X[0].double().numpy()[:, back]
    targets = batch.environment_targets[0].numpy()[:, back]
    adjacency = batch.adjacency[0].numpy().astype(int) if order is None else graph.copy()
    if standardize:
        X = standardize_columns(X)
    return X, batch.environments[0].numpy().copy(), targets, adjacency
