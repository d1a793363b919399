"""Weight-space interpolation of a checkpoint and one fine-tuned from it (WiSE-FT)."""

from __future__ import annotations

from numbers import Real

import torch

from skcausal.pretraining._run_state import load_widened
from skcausal.zeroshot._checkpoint import Checkpoint
from skcausal.zeroshot._model import PairGridTransformer


def interpolate_checkpoints(base, finetuned, alpha: float) -> Checkpoint:
    """The checkpoint whose weights are ``(1 - alpha) * base + alpha * finetuned``.

    Wortsman et al. (2022, "Robust fine-tuning of zero-shot models", WiSE-FT) found that averaging
    the weights of a model and of its fine-tuned descendant keeps most of the base's accuracy on
    the base's data and most of the fine-tune's robustness. It holds only for a fine-tune of the
    base (``pretrain(init_from=...)``): two independent runs do not share a loss basin. From the
    shell: ``python scripts/interpolate_checkpoints.py BASE FINETUNED --alpha A --out DIR``.

    Parameters
    ----------
    base, finetuned : Checkpoint or path
        ``finetuned`` was trained starting from ``base``. The base may read fewer token features
        and lack the target head, which is what ``init_from`` allows: its embedding is widened
        with zeros for the new features (as ``init_from`` does) and the target head is the
        fine-tune's.
    alpha : float in [0, 1]
        Weight of the fine-tune: 0 gives the base's predictions, 1 the fine-tune's weights.

    Returns
    -------
    Checkpoint
        With the fine-tune's model config and metadata (its training config, step and phases), and
        ``metadata["interpolation"]`` naming both parents by their SHA-256, ``alpha`` and the
        fine-tune's own validation numbers. Save it with ``.save(path)``.

    Examples
    --------
    >>> from skcausal.pretraining import interpolate_checkpoints
    >>> from skcausal.zeroshot._checkpoint import Checkpoint, default_checkpoint_path
    >>> shipped = Checkpoint.load(default_checkpoint_path())
    >>> same = interpolate_checkpoints(shipped, shipped, 0.3)
    >>> same.metadata["interpolation"]["alpha"]
    0.3
    """
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be a number in [0, 1]; got {alpha!r}.")
    base = base if isinstance(base, Checkpoint) else Checkpoint.load(base)
    finetuned = finetuned if isinstance(finetuned, Checkpoint) else Checkpoint.load(finetuned)
    # The widening rules (and their refusals) are init_from's.
    model = PairGridTransformer(finetuned.model_config)
    load_widened(model, base)
    widened = model.state_dict()
    state = {}
    with torch.no_grad():
        for key, value in finetuned.state_dict.items():
            if key in base.state_dict:
                mixed = (1.0 - alpha) * widened[key].double() + alpha * value.double()
                state[key] = mixed.to(value.dtype).contiguous()
            else:  # only the fine-tune has it: the target head
                state[key] = value.clone()
    # The fine-tune's validation numbers are not this model's: they move under "interpolation".
    dropped = ("weights_sha256", "weights_file", "validation")
    metadata = {k: v for k, v in finetuned.metadata.items() if k not in dropped}
    metadata["interpolation"] = {
        "method": "WiSE-FT weight interpolation (Wortsman et al. 2022)",
        "alpha": float(alpha),
        "base_sha256": base.metadata.get("weights_sha256"),
        "finetuned_sha256": finetuned.metadata.get("weights_sha256"),
        "finetuned_validation": finetuned.metadata.get("validation"),
    }
    return Checkpoint(finetuned.model_config, state, metadata)
