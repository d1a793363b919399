"""simulate(): the structural equations of a batch of SCMs, node by node.

Nodes are simulated in topological order for a whole batch of datasets at once. Each node is
standardised right after it is drawn (an "internally standardised" SCM), so that variance does not
grow along causal chains and cannot reveal the causal order; the signal-to-noise ratio of each node
is set explicitly instead, by a random noise scale.
"""

from __future__ import annotations

import torch

from skcausal.datasets._discrete import discretize
from skcausal.datasets._interventions import INTERVENTION_KINDS, INTERVENTIONS, Node
from skcausal.datasets._mechanisms import MECHANISMS, NOISES, ROOT_LAWS


def _row_moments(x, keep):
    """Mean and standard deviation of each row of x (b, n) over the entries where keep is True
    (all, if none is), each of shape (b, 1)."""
    keep = keep | ~keep.any(dim=1, keepdim=True)
    weight = keep.float()
    count = weight.sum(1, keepdim=True)
    mean = (x * weight).sum(1, keepdim=True) / count
    var = (((x - mean) ** 2) * weight).sum(1, keepdim=True) / count
    return mean, torch.sqrt(var + 1e-8)


def _standardize_rows(x, keep):
    """Standardise each row of x (b, n) over the entries where keep is True (all, if none is)."""
    mean, sd = _row_moments(x, keep)
    return (x - mean) / sd


def _groups(names):
    """Indices of the datasets of the batch for each distinct name."""
    out = {}
    for k, name in enumerate(names):
        out.setdefault(name, []).append(k)
    return {name: torch.tensor(idx) for name, idx in out.items()}


def simulate(
    upper_adjacency,
    n_samples,
    mechanisms,
    noises,
    heteroscedastic,
    intervention_mask,
    generator,
    noise_scale=(0.2, 1.0),
    raw_units=None,
    root_law_probability=0.0,
    intervention_kinds=None,
    mixed=None,
    mixed_choices=(),
    root_laws=None,
    discrete=None,
):
    """Simulate a batch of SCMs whose graphs are upper triangular in simulation order.

    Returns X (b, n, d) float32. ``intervention_mask`` (b, n, d) says which values are set by a
    hard intervention; those are drawn from N(mu, s^2) with mu ~ U(-2, 2), s ~ U(0.1, 1) per node,
    independently of everything else, in units of the node's observational standard deviation.

    ``raw_units`` (b,) bool marks the SCMs simulated in raw units: their nodes are not rescaled
    after they are drawn, so variance accumulates along the causal order as in a real linear SEM
    (and a node with strong parents is nearly deterministic); a node whose standard deviation would
    exceed 100 is scaled down to 100. The others are internally
    standardised: every mechanism's output and every node has variance 1 on observational rows.

    With ``root_law_probability`` > 0, each variable without parents draws, with that probability,
    from one of ``root_laws`` (names in ``ROOT_LAWS``, default all: bimodal, log-normal,
    exponential, discrete) instead of its noise law.

    ``mixed`` (b,) bool marks the datasets whose nodes each draw their own mechanism from
    ``mixed_choices`` instead of sharing the dataset's.

    ``intervention_kinds`` (b,) indexes ``INTERVENTION_KINDS`` per dataset (None: all "hard");
    each kind (``hard``, ``far``, ``shift``, ``soft``; see ``datasets/_interventions.py``) says
    what an intervened value is.

    ``discrete``, a :class:`~skcausal.datasets._discrete.DiscretePlan`, makes some nodes discrete:
    their value (read by their children, and returned) is the integer code of their latent value
    cut at random quantiles (``datasets/_discrete.py``); it draws nothing here.
    """
    batch, d, _ = upper_adjacency.shape
    X = torch.zeros(batch, n_samples, d)
    hard = INTERVENTION_KINDS["hard"].draw(batch, n_samples, d, generator)
    sigma = noise_scale[0] + (noise_scale[1] - noise_scale[0]) * torch.rand(
        batch, d, generator=generator
    )
    kinds, drawn = None, {}
    if intervention_kinds is not None:  # every kind's parameters, for batches that name kinds
        kinds = intervention_kinds[:, None]
        drawn = {
            name: kind.draw(batch, n_samples, d, generator)
            for name, kind in INTERVENTION_KINDS.items()
            if name != "hard"
        }
    root_laws = tuple(ROOT_LAWS) if root_laws is None else tuple(root_laws)
    mechanism_groups = _groups(mechanisms)
    noise_groups = _groups(noises)
    raw = torch.zeros(batch, 1, dtype=torch.bool) if raw_units is None else raw_units[:, None]
    for t in range(d):
        observed = ~intervention_mask[:, :, t]
        noise = torch.empty(batch, n_samples)
        for name, idx in noise_groups.items():
            noise[idx] = NOISES[name]((len(idx), n_samples), generator)
        if root_law_probability > 0:
            root = upper_adjacency[:, :t, t].sum(1) == 0
            law = torch.randint(len(root_laws), (batch,), generator=generator)
            use = root & (torch.rand(batch, generator=generator) < root_law_probability)
            for k, name in enumerate(root_laws):
                idx = (use & (law == k)).nonzero(as_tuple=True)[0]
                if len(idx):
                    noise[idx] = ROOT_LAWS[name]((len(idx), n_samples), generator)
        x = noise
        f = torch.zeros(batch, n_samples)
        if t > 0:
            parent_mask = upper_adjacency[:, :t, t].float()
            parents = X[:, :, :t]
            f = torch.zeros(batch, n_samples)
            groups = mechanism_groups
            if mixed is not None and mixed.any():
                picks = torch.randint(len(mixed_choices), (batch,), generator=generator).tolist()
                groups = _groups(
                    [
                        mixed_choices[p] if m else name
                        for name, m, p in zip(mechanisms, mixed.tolist(), picks)
                    ]
                )
            for name, idx in groups.items():
                f[idx] = MECHANISMS[name](parents[idx], parent_mask[idx], generator)
            has_parents = parent_mask.sum(1) > 0
            f = torch.where(
                has_parents[:, None], torch.where(raw, f, _standardize_rows(f, observed)), 0.0
            )
            v = torch.randn(batch, t, generator=generator) * parent_mask
            spread = torch.nn.functional.softplus(torch.einsum("bnt,bt->bn", parents, v))
            spread = spread / torch.sqrt((spread**2).mean(1, keepdim=True) + 1e-8)
            hetero = (heteroscedastic & has_parents)[:, None]
            x = f + sigma[:, t, None] * torch.where(hetero, spread * noise, noise)
        mean, sd = _row_moments(x, observed)
        standardized = (x - mean) / sd
        # Raw scales may grow along the order, but at most to 100 standard deviations: nonlinear
        # mechanisms of raw parents (quadratic, MLP) would otherwise overflow on deep graphs.
        # (On standardised SCMs cap is 1 and the division exact.)
        cap = torch.where(raw, (sd / 100).clamp(min=1), 1.0)
        x, f, mean, sd = x / cap, f / cap, mean / cap, sd / cap
        node = Node(
            t,
            x,
            f,
            mean,
            sd,
            raw,
            torch.where(raw, x, standardized),
            hard["values"][:, :, t],
            hard["mu"][:, :, t],
        )
        do = INTERVENTION_KINDS["hard"].value(node, hard)
        for name, params in drawn.items():
            value = INTERVENTION_KINDS[name].value(node, params)
            do = torch.where(kinds == INTERVENTIONS.index(name), value, do)
        X[:, :, t] = torch.where(observed, node.standardized, do)
        if discrete is not None:
            X[:, :, t] = discretize(X[:, :, t], observed, discrete, t)
    return X
