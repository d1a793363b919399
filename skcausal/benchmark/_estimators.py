"""make_estimators: the package's methods by name, with default parameters."""

from __future__ import annotations

# The zero-shot model reads the intervention mask; so does GIES. PC, GES and NOTEARS ignore it.
METHODS = ("zeroshot", "pc", "ges", "notears", "gies")


def make_estimators(methods, *, checkpoint=None):
    """Estimators with default parameters for method names.

    Parameters
    ----------
    methods : str or list of str
        Names among ``zeroshot``, ``pc``, ``ges``, ``notears``, ``gies``; a string is split at
        commas.
    checkpoint : str or path, default=None
        Weights for ``zeroshot`` (e.g. a checkpoint written by :func:`skcausal.pretrain`); None
        uses the shipped ones.

    Returns
    -------
    estimators : dict of str -> estimator
        In the order given.

    Raises
    ------
    ValueError
        For an unknown or repeated name, or an empty list.

    Examples
    --------
    >>> from skcausal.benchmark import make_estimators
    >>> make_estimators("pc,ges")
    {'pc': PC(), 'ges': GES()}
    """
    if isinstance(methods, str):
        methods = [name.strip() for name in methods.split(",") if name.strip()]
    methods = list(methods)
    unknown = [name for name in methods if name not in METHODS]
    if unknown or not methods:
        raise ValueError(
            f"unknown method(s) {unknown}; choose among {', '.join(METHODS)} (comma-separated)."
            if unknown
            else f"no method given; choose among {', '.join(METHODS)}."
        )
    if len(set(methods)) != len(methods):
        raise ValueError(f"a method is listed twice: {methods}.")

    from skcausal import ZeroShotCausalDiscovery
    from skcausal.baselines import GES, GIES, NOTEARS, PC

    factories = {
        "zeroshot": ZeroShotCausalDiscovery,
        "pc": PC,
        "ges": GES,
        "notears": NOTEARS,
        "gies": GIES,
    }
    estimators = {name: factories[name]() for name in methods}
    if checkpoint is not None:
        if "zeroshot" not in estimators:
            raise ValueError(
                "a checkpoint was given but the zeroshot method is not among the methods."
            )
        estimators["zeroshot"].set_params(checkpoint=str(checkpoint))
    return estimators
