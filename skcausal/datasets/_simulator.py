"""The batched SCM simulator: the one data source of make_scm() and of pretraining.

Nodes are simulated in topological order for a whole batch of datasets at once. Each node is
standardised right after it is drawn (an "internally standardised" SCM), so that variance does not
grow along causal chains and cannot reveal the causal order; the signal-to-noise ratio of each node
is set explicitly instead, by a random noise scale.
"""

from __future__ import annotations

import math

from dataclasses import asdict, dataclass, field

import torch

from skcausal.datasets._graphs import DEFAULT_GRAPHS, GRAPHS
from skcausal.datasets._interventions import INTERVENTIONS, _environments, _intervention_mask, _off_target
from skcausal.datasets._measurement import observe
from skcausal.datasets._mechanisms import DEFAULT_MECHANISMS, MECHANISMS, NOISES, ROOT_LAWS


@dataclass
class SimulationConfig:
    """The distribution of SCMs that :class:`SCMBatchSampler` draws from (ranges are inclusive).

    Ranges of size, graph families, mechanisms, noises, interventions and the batch size in pair
    tokens. The defaults are the v1 prior: with every default the stream is bit-identical to the
    one v1 was trained on (``tests/test_prior.py``). Each widening is a probability or a list that
    defaults to that prior: ``raw_units_probability`` (nodes in raw units, capped at 100 sd),
    ``root_law_probability`` (bimodal, log-normal, exponential or discrete roots), measurement
    (``distortion_probability``: monotone maps; ``measurement_noise_probability``,
    ``rounding_probability``, ``clipping_probability``, ``outlier_probability``), interventions
    (``intervention_kinds``: hard, far, shift, soft; ``off_target_probability``: "fat hand"
    effects the mask does not show; ``max_intervention_fraction`` up to 1), graphs (``layered``,
    ``hubs`` and ``tree`` beside the three defaults), mechanisms (``hill``, ``piecewise`` and
    ``interaction`` beside the seven defaults; ``mixed_mechanism_probability`` gives each node its
    own), ``samples_distribution="log_uniform"``, environments with unknown targets
    (``environment_probability``, ``min_environments``, ``max_environments``,
    ``max_environment_targets``, ``reference_probability``, ``known_targets_probability``: the
    batch then carries ``environments``, ``environment_targets`` and ``has_reference``) and
    ``clean_batch_probability`` (a share of whole batches from the default prior with this
    config's sizes; ``clean_intervention_kinds`` sets their intervention kinds). The comments on
    the fields say more; ``configs/v2.json`` switches them all on.
    """

    min_nodes: int = 2
    max_nodes: int = 50
    min_samples: int = 200
    max_samples: int = 1000
    graphs: tuple = DEFAULT_GRAPHS
    min_edges_per_node: float = 1.0
    max_edges_per_node: float = 4.0
    mechanisms: tuple = DEFAULT_MECHANISMS
    mixed_mechanism_probability: float = 0.0  # per dataset: each node draws its own mechanism
    noises: tuple = tuple(NOISES)
    heteroscedastic_probability: float = 0.25
    raw_units_probability: float = 0.0  # share of SCMs simulated in raw units (see simulate)
    # Marginals and measurement (datasets/_measurement.py); all 0: today's prior, stream unchanged.
    root_law_probability: float = 0.0  # a root draws from ROOT_LAWS instead of its noise law
    distortion_probability: float = 0.0  # per column: a monotone map (exp, log, power, sigmoid)
    measurement_noise_probability: float = 0.0  # per dataset: noise of 0.05-0.5 sd on every value
    rounding_probability: float = 0.0  # per column: read on a grid of 4-50 steps
    clipping_probability: float = 0.0  # per column: saturates at its 85-99% quantile
    outlier_probability: float = 0.0  # per dataset: 0.5-2% of each column's values at 5-10 sd
    # Interventions: each interventional dataset draws one kind of INTERVENTIONS (see simulate);
    # with off_target_probability a dataset's interventions also hit 1-2 other variables in the same
    # rows ("fat hand"), which the returned mask does not show.
    intervention_kinds: tuple = ("hard",)
    off_target_probability: float = 0.0
    # Environments with unknown targets: a share of the datasets comes as 2-20 environments (blocks
    # of rows), each with 1-3 intervention targets; with reference_probability the first is
    # observational. The batch then carries the labels and each environment's targets.
    environment_probability: float = 0.0
    min_environments: int = 2
    max_environments: int = 20
    max_environment_targets: int = 3
    reference_probability: float = 0.5
    # Of the datasets with environments, the share whose intervention mask is also given; the others
    # come with the labels only (unknown targets: their returned mask is all False).
    known_targets_probability: float = 1.0
    # A share of whole batches drawn from the default (v1) prior with this config's sizes, so that a
    # wide prior keeps its clean corner (standardised nodes, no distortions) in view.
    clean_batch_probability: float = 0.0
    # The intervention kinds of those clean batches. v1's prior knows only "hard"; a model that
    # sees many clean batches with hard-only masks learns that a mask means "hard", so soft
    # targets then cost it accuracy.
    clean_intervention_kinds: tuple = ("hard",)
    interventional_probability: float = 0.5
    min_intervention_fraction: float = 0.1
    max_intervention_fraction: float = 0.7
    min_noise_scale: float = 0.2
    max_noise_scale: float = 1.0
    tokens_per_batch: int = 6400
    max_batch_size: int = 64  # tiny graphs would otherwise come in batches of thousands
    node_distribution: str = "uniform"  # or "log_uniform": small graphs more often, every size seen
    samples_distribution: str = "uniform"  # or "log_uniform": n from 50 to 10,000 without most near 10,000

    def sample_nodes(self, generator) -> int:
        u = float(torch.rand(1, generator=generator))
        if self.node_distribution == "log_uniform":
            low, high = math.log(self.min_nodes), math.log(self.max_nodes + 1)
            return max(self.min_nodes, min(self.max_nodes, int(math.exp(low + u * (high - low)))))
        return self.min_nodes + int(u * (self.max_nodes - self.min_nodes + 1))

    def __post_init__(self):
        for name, allowed in (("graphs", GRAPHS), ("mechanisms", MECHANISMS), ("noises", NOISES)):
            values = tuple(getattr(self, name))
            setattr(self, name, values)
            unknown = [v for v in values if v not in allowed]
            if unknown or not values:
                raise ValueError(f"{name} must be a non-empty subset of {sorted(allowed)}; got {values}.")
        if not 2 <= self.min_nodes <= self.max_nodes:
            raise ValueError("need 2 <= min_nodes <= max_nodes.")
        if self.samples_distribution not in ("uniform", "log_uniform"):
            raise ValueError(f"samples_distribution must be 'uniform' or 'log_uniform'; got {self.samples_distribution!r}.")
        if self.node_distribution not in ("uniform", "log_uniform"):
            raise ValueError(f"node_distribution must be 'uniform' or 'log_uniform'; got {self.node_distribution!r}.")
        if not 2 <= self.min_samples <= self.max_samples:
            raise ValueError("need 2 <= min_samples <= max_samples.")
        for low, high in (("min_edges_per_node", "max_edges_per_node"),
                          ("min_intervention_fraction", "max_intervention_fraction"),
                          ("min_noise_scale", "max_noise_scale")):
            if not 0 <= getattr(self, low) <= getattr(self, high):
                raise ValueError(f"need 0 <= {low} <= {high}.")
        for name in ("intervention_kinds", "clean_intervention_kinds"):
            kinds = tuple(getattr(self, name))
            setattr(self, name, kinds)
            if not kinds or any(k not in INTERVENTIONS for k in kinds):
                raise ValueError(f"{name} must be a non-empty subset of {list(INTERVENTIONS)}; got {kinds}.")
        for name in ("raw_units_probability", "root_law_probability", "distortion_probability",
                     "measurement_noise_probability", "rounding_probability", "clipping_probability",
                     "outlier_probability", "off_target_probability", "mixed_mechanism_probability",
                     "environment_probability", "reference_probability", "known_targets_probability",
                     "clean_batch_probability"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1]; got {getattr(self, name)!r}.")
        if not 2 <= self.min_environments <= self.max_environments or self.max_environment_targets < 1:
            raise ValueError("need 2 <= min_environments <= max_environments and max_environment_targets >= 1.")
        if self.max_intervention_fraction > 1:
            raise ValueError("max_intervention_fraction must be <= 1.")
        if self.max_batch_size < 1 or self.tokens_per_batch < 1:
            raise ValueError("max_batch_size and tokens_per_batch must be >= 1.")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SCMBatch:
    """Datasets of one batch: same number of nodes d and samples n."""

    X: torch.Tensor  # (b, n, d) float32
    intervention_mask: torch.Tensor  # (b, n, d) bool
    adjacency: torch.Tensor  # (b, d, d) float32, A[i, j] = 1 means i -> j
    graphs: list = field(default_factory=list)
    mechanisms: list = field(default_factory=list)
    noises: list = field(default_factory=list)
    # Only for batches with environments (SimulationConfig.environment_probability > 0):
    environments: torch.Tensor | None = None  # (b, n) int64 label of each row; 0 for single-regime data
    # (b, max_environments, d) bool: what each label's interventions hit, off-target effects included
    environment_targets: torch.Tensor | None = None
    has_reference: torch.Tensor | None = None  # (b,) bool: label 0 is observational (and labels vary)


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


def _relabel(perm, X, mask, adjacency, environment_targets=None):
    """Datasets with node k renamed perm[b, k] -> k: columns of X and mask, rows and columns of the
    adjacency, and the columns of the environments' targets (when given)."""
    b, n, d = X.shape
    cols = perm[:, None, :].expand(-1, n, -1)
    adjacency = adjacency.gather(1, perm[:, :, None].expand(-1, -1, d))
    adjacency = adjacency.gather(2, perm[:, None, :].expand(-1, d, -1))
    if environment_targets is not None:
        environment_targets = environment_targets.gather(2, perm[:, None, :].expand(-1, environment_targets.shape[1], -1))
    return X.gather(2, cols), mask.gather(2, cols), adjacency, environment_targets


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
    from one of ``ROOT_LAWS`` (bimodal, log-normal, exponential, discrete) instead of its noise law.

    ``mixed`` (b,) bool marks the datasets whose nodes each draw their own mechanism from
    ``mixed_choices`` instead of sharing the dataset's.

    ``intervention_kinds`` (b,) indexes ``INTERVENTIONS`` per dataset (None: all "hard"):

    - ``hard``: do(x = v), v ~ N(mu, s^2), mu ~ U(-2, 2), s ~ U(0.1, 1) node standard deviations;
    - ``far``: the same with |mu| ~ U(3, 10): values far outside the observational range;
    - ``shift``: x + delta, |delta| ~ U(0.5, 5) standard deviations, the mechanism kept;
    - ``soft``: the mechanism changed, x = a f(parents) + b noise, with a in [0, 0.6] or
      [1.4, 2.5] and log b ~ U(-1, 1).
    """
    batch, d, _ = upper_adjacency.shape
    X = torch.zeros(batch, n_samples, d)
    mu = 4 * torch.rand(batch, 1, d, generator=generator) - 2
    s = 0.1 + 0.9 * torch.rand(batch, 1, d, generator=generator)
    do_values = mu + s * torch.randn(batch, n_samples, d, generator=generator)
    sigma = noise_scale[0] + (noise_scale[1] - noise_scale[0]) * torch.rand(batch, d, generator=generator)
    kinds = None
    if intervention_kinds is not None:  # drawn only then, so that hard-only streams stay as they were
        kinds = intervention_kinds[:, None]
        sign = torch.where(torch.rand(batch, 1, d, generator=generator) < 0.5, -1.0, 1.0)
        far = sign * (3 + 7 * torch.rand(batch, 1, d, generator=generator))
        do_values = torch.where(kinds[:, :, None] == INTERVENTIONS.index("far"), do_values - mu + far, do_values)
        shift = torch.where(torch.rand(batch, 1, d, generator=generator) < 0.5, -1.0, 1.0) * (
            0.5 + 4.5 * torch.rand(batch, 1, d, generator=generator))
        weaker = torch.rand(batch, 1, d, generator=generator) < 0.5
        gain = torch.where(weaker, 0.6 * torch.rand(batch, 1, d, generator=generator),
                           1.4 + 1.1 * torch.rand(batch, 1, d, generator=generator))
        noise_gain = torch.exp(2 * torch.rand(batch, 1, d, generator=generator) - 1)
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
            law = torch.randint(len(ROOT_LAWS), (batch,), generator=generator)
            use = root & (torch.rand(batch, generator=generator) < root_law_probability)
            for k, draw in enumerate(ROOT_LAWS.values()):
                idx = (use & (law == k)).nonzero(as_tuple=True)[0]
                if len(idx):
                    noise[idx] = draw((len(idx), n_samples), generator)
        x = noise
        f = torch.zeros(batch, n_samples)
        if t > 0:
            parent_mask = upper_adjacency[:, :t, t].float()
            parents = X[:, :, :t]
            f = torch.zeros(batch, n_samples)
            groups = mechanism_groups
            if mixed is not None and mixed.any():
                picks = torch.randint(len(mixed_choices), (batch,), generator=generator).tolist()
                groups = _groups([mixed_choices[p] if m else name
                                  for name, m, p in zip(mechanisms, mixed.tolist(), picks)])
            for name, idx in groups.items():
                f[idx] = MECHANISMS[name](parents[idx], parent_mask[idx], generator)
            has_parents = parent_mask.sum(1) > 0
            f = torch.where(has_parents[:, None], torch.where(raw, f, _standardize_rows(f, observed)), 0.0)
            v = torch.randn(batch, t, generator=generator) * parent_mask
            spread = torch.nn.functional.softplus(torch.einsum("bnt,bt->bn", parents, v))
            spread = spread / torch.sqrt((spread**2).mean(1, keepdim=True) + 1e-8)
            hetero = (heteroscedastic & has_parents)[:, None]
            x = f + sigma[:, t, None] * torch.where(hetero, spread * noise, noise)
        mean, sd = _row_moments(x, observed)
        standardized = (x - mean) / sd
        do = do_values[:, :, t]
        if raw.any() or kinds is not None:
            # Interventions are drawn in standard deviations of the node around its mean; in raw
            # units they are mapped back to the node's own units.
            # Raw scales may grow along the order, but at most to 100 standard deviations: nonlinear
            # mechanisms of raw parents (quadratic, MLP) would otherwise overflow on deep graphs.
            cap = torch.where(raw, (sd / 100).clamp(min=1), 1.0)
            x, f, mean, sd = x / cap, f / cap, mean / cap, sd / cap
            do = torch.where(raw, mean + sd * do, do)
            standardized = torch.where(raw, x, standardized)
            if kinds is not None:
                shifted = standardized + torch.where(raw, sd, 1.0) * shift[:, :, t]
                soft = gain[:, :, t] * f + noise_gain[:, :, t] * (x - f)
                soft = torch.where(raw, soft, (soft - mean) / sd)
                do = torch.where(kinds == INTERVENTIONS.index("shift"), shifted,
                                 torch.where(kinds == INTERVENTIONS.index("soft"), soft, do))
        X[:, :, t] = torch.where(observed, standardized, do)
    return X


class SCMBatchSampler:
    """Draws batches of random SCM datasets, as torch tensors; iterating never ends.

    Parameters
    ----------
    config : SimulationConfig, optional
        The distribution of graphs, mechanisms, noise and interventions.
    generator : torch.Generator or int, optional
        The source of all randomness (an int seeds a new generator).

    Examples
    --------
    >>> from skcausal.datasets import SCMBatchSampler, SimulationConfig
    >>> sampler = SCMBatchSampler(SimulationConfig(max_nodes=10), generator=0)
    >>> batch = sampler.sample(batch_size=4, n_nodes=5, n_samples=100)
    >>> tuple(batch.X.shape), tuple(batch.adjacency.shape)
    ((4, 100, 5), (4, 5, 5))
    """

    def __init__(self, config: SimulationConfig | None = None, *, generator=None):
        self.config = config or SimulationConfig()
        if not isinstance(generator, torch.Generator):
            seed = generator
            generator = torch.Generator()
            generator.manual_seed(int(seed) if seed is not None else torch.seed())
        self.generator = generator

    def _choice(self, options, size):
        idx = torch.randint(len(options), (size,), generator=self.generator)
        return [options[i] for i in idx.tolist()]

    def _uniform(self, low, high, size):
        return low + (high - low) * torch.rand(size, generator=self.generator)

    def sample(self, batch_size: int, n_nodes: int, n_samples: int, *, graph=None, edges_per_node=None,
               mechanism=None, noise=None, heteroscedastic=None, n_targets=None, intervention_fraction=None,
               standardize: bool = True, dag=None, raw_units=None) -> SCMBatch:
        """One batch; keyword arguments fix a property for every dataset instead of drawing it.

        ``dag``, a (n_nodes, n_nodes) boolean tensor that is upper triangular (its nodes in a causal
        order), gives every dataset that graph instead of a random one; the nodes then keep their
        order instead of being shuffled.
        """
        cfg, g = self.config, self.generator
        if dag is not None:
            graphs = ["given"] * batch_size
            upper = dag.to(torch.bool).expand(batch_size, n_nodes, n_nodes).clone()
        else:
            graphs = [graph] * batch_size if graph else self._choice(cfg.graphs, batch_size)
            if edges_per_node is None:
                epn = self._uniform(cfg.min_edges_per_node, cfg.max_edges_per_node, batch_size)
            else:
                epn = torch.full((batch_size,), float(edges_per_node))
            upper = torch.zeros(batch_size, n_nodes, n_nodes, dtype=torch.bool)
            for name, idx in _groups(graphs).items():
                upper[idx] = GRAPHS[name](epn[idx]).sample(len(idx), n_nodes, g)
        mechanisms = [mechanism] * batch_size if mechanism else self._choice(cfg.mechanisms, batch_size)
        noises = [noise] * batch_size if noise else self._choice(cfg.noises, batch_size)
        if heteroscedastic is None:
            hetero = torch.rand(batch_size, generator=g) < cfg.heteroscedastic_probability
        else:
            hetero = torch.full((batch_size,), bool(heteroscedastic))
        if n_targets is None:
            interventional = torch.rand(batch_size, generator=g) < cfg.interventional_probability
            targets = torch.randint(1, n_nodes + 1, (batch_size,), generator=g) * interventional
            fractions = self._uniform(cfg.min_intervention_fraction, cfg.max_intervention_fraction, batch_size)
        else:
            targets = torch.full((batch_size,), int(n_targets))
            fractions = torch.full((batch_size,), float(intervention_fraction), dtype=torch.float64)
        mask = _intervention_mask(n_samples, n_nodes, targets, fractions, g)
        environments = environment_targets = None
        if cfg.environment_probability > 0 and n_targets is None:
            environments, environment_targets, env_mask = _environments(batch_size, n_samples, n_nodes, cfg, g)
            uses = (environments.max(1).values > 0)[:, None, None]
            mask = torch.where(uses, env_mask, mask)
        if raw_units is not None:
            raw = torch.full((batch_size,), bool(raw_units))
        elif cfg.raw_units_probability > 0:  # drawn only then, so older configs keep their stream
            raw = torch.rand(batch_size, generator=g) < cfg.raw_units_probability
        else:
            raw = None
        kinds, applied = None, mask
        if cfg.intervention_kinds != ("hard",):
            kinds = torch.tensor([INTERVENTIONS.index(k) for k in cfg.intervention_kinds])[
                torch.randint(len(cfg.intervention_kinds), (batch_size,), generator=g)]
        if cfg.off_target_probability > 0:
            applied = _off_target(mask, cfg.off_target_probability, g)
        mixed = None
        if cfg.mixed_mechanism_probability > 0 and mechanism is None:
            mixed = torch.rand(batch_size, generator=g) < cfg.mixed_mechanism_probability
        X = simulate(upper, n_samples, mechanisms, noises, hetero, applied, g,
                     noise_scale=(cfg.min_noise_scale, cfg.max_noise_scale), raw_units=raw,
                     root_law_probability=cfg.root_law_probability, intervention_kinds=kinds,
                     mixed=mixed, mixed_choices=cfg.mechanisms)
        if mixed is not None:
            mechanisms = ["mixed" if m else name for name, m in zip(mechanisms, mixed.tolist())]
        X = observe(X, cfg, g)
        has_reference = None
        if environments is not None:
            used = environments.amax(1) > 0
            rows = torch.nn.functional.one_hot(environments, cfg.max_environments).float()
            hit = (rows.transpose(1, 2) @ applied.float()) > 0  # (b, max_environments, d)
            environment_targets = torch.where(used[:, None, None], hit, environment_targets)
            has_reference = used & ~environment_targets[:, 0].any(-1)
            if cfg.known_targets_probability < 1:  # drawn only then: older configs keep their stream
                hidden = used & (torch.rand(batch_size, generator=g) >= cfg.known_targets_probability)
                mask = mask & ~hidden[:, None, None]
        # Hide the simulation order: relabel the nodes of each dataset at random.
        perm = torch.rand(batch_size, n_nodes, generator=g).argsort(dim=1)
        if dag is not None:
            perm = torch.arange(n_nodes).expand(batch_size, n_nodes)
        X, mask, adjacency, environment_targets = _relabel(perm, X, mask, upper.float(), environment_targets)
        if standardize:
            X = (X - X.mean(1, keepdim=True)) / (X.std(1, keepdim=True, correction=0) + 1e-8)
        return SCMBatch(X, mask, adjacency, graphs, mechanisms, noises, environments, environment_targets,
                        has_reference)

    def _clean_sampler(self):
        """A sampler of the default prior with this config's sizes and clean intervention kinds,
        sharing this generator."""
        cfg = self.config
        sizes = {name: getattr(cfg, name) for name in (
            "min_nodes", "max_nodes", "node_distribution", "min_samples", "max_samples",
            "samples_distribution", "tokens_per_batch", "max_batch_size")}
        return SCMBatchSampler(SimulationConfig(**sizes, intervention_kinds=cfg.clean_intervention_kinds),
                               generator=self.generator)

    def __iter__(self):
        cfg, g = self.config, self.generator
        clean = self._clean_sampler() if cfg.clean_batch_probability > 0 else None
        while True:
            d = cfg.sample_nodes(g)
            if cfg.samples_distribution == "log_uniform":
                low, high = math.log(cfg.min_samples), math.log(cfg.max_samples + 1)
                u = float(torch.rand(1, generator=g))
                n = max(cfg.min_samples, min(cfg.max_samples, int(math.exp(low + u * (high - low)))))
            else:
                n = int(torch.randint(cfg.min_samples, cfg.max_samples + 1, (1,), generator=g))
            batch_size = min(cfg.max_batch_size, max(1, cfg.tokens_per_batch // (d * d)))
            if clean is not None and float(torch.rand(1, generator=g)) < cfg.clean_batch_probability:
                yield clean.sample(batch_size, d, n)
            else:
                yield self.sample(batch_size, d, n)
