"""Interpolate the weights of a checkpoint and one fine-tuned from it (WiSE-FT).

``alpha`` 0 is the base, 1 the fine-tune; see :func:`skcausal.pretraining.interpolate_checkpoints`.
The v2 runs are fine-tunes of v1 (v1 -> v2-finetune -> v2-env -> v2-mix -> v2-d200 -> v2-soft ...,
each started with ``--init-from``), so v1 can be the base of any of them.

    python scripts/interpolate_checkpoints.py pretrained/skcausal-zeroshot-v1.safetensors \\
        runs/v2-soft2/skcausal-zeroshot.safetensors --alpha 0.8 --out runs/wise-0.8
"""

from __future__ import annotations

import argparse
from pathlib import Path

from skcausal.pretraining import interpolate_checkpoints
from skcausal.zeroshot._checkpoint import DEFAULT_NAME


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the checkpoint the fine-tune started from (alpha 0)")
    parser.add_argument("finetuned", help="the fine-tuned checkpoint (alpha 1)")
    parser.add_argument(
        "--alpha", type=float, required=True, help="weight of the fine-tune, in [0, 1]"
    )
    parser.add_argument("--out", required=True, help="output folder, or a .safetensors path")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.suffix != ".safetensors":
        out.mkdir(parents=True, exist_ok=True)
        out = out / f"{DEFAULT_NAME}.safetensors"  # the name pretrain() gives its checkpoint
    print(interpolate_checkpoints(args.base, args.finetuned, args.alpha).save(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
