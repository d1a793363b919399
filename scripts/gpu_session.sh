#!/usr/bin/env bash
# One lent-GPU session for model v3, as a single prepared command (issue #23: "test the GPU
# recipe first"). Tested on the CPU with a tiny run:
#     OUT=/tmp/gpu DEVICE=cpu MINUTES=0.5 WORKERS=1 SMOKE=1 bash scripts/gpu_session.sh
# On the device machine (python3 there has torch, scipy and scikit-learn; pgmpy is missing, so
# the in-run validation skips the real-structure sets: validate the checkpoint here afterwards):
#     bash scripts/gpu_session.sh      # OUT is set by the device tool; about MINUTES + 3 minutes
# It writes under $OUT (at most 8 files come back, two folders down):
#   bench.md       pretraining throughput of the recipe with 0 and $WORKERS data workers;
#   run/           the run from the shipped weights for $MINUTES minutes: checkpoint, its JSON,
#                  log.csv, training.png and resume.pt (continue it with --resume);
#   validate.md    the shipped model against the run's end on the validation sets found there.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?set OUT to a folder for the results}"
DEVICE=${DEVICE:-cuda}
MINUTES=${MINUTES:-6}
WORKERS=${WORKERS:-12}
CONFIG=${CONFIG:-configs/v3-gpu.json}
INIT=${INIT:-pretrained/skcausal-zeroshot.safetensors}
PY=${PY:-python3}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
mkdir -p "$OUT"
if [ -n "${SMOKE:-}" ]; then  # the CPU rehearsal: the same steps on a small batch
    SMOKE_CONFIG=${TMPDIR:-/tmp}/gpu_session_config.json
    "$PY" - "$CONFIG" "$SMOKE_CONFIG" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
config["simulation"]["sizes"] = {"tokens_per_batch": 400, "max_batch_size": 4, "max_nodes": 8,
                                 "max_samples": 200}
config.update(validate_every=20, checkpoint_every=10, validation_samples=100,
              validation_datasets=1, validation_structures=False, validation_v3=False)
json.dump(config, open(sys.argv[2], "w"))
EOF
    CONFIG=$SMOKE_CONFIG
fi
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
      torch.cuda.get_device_name() if torch.cuda.is_available() else '')"
"$PY" benchmarks/bench_pretrain.py --config "$CONFIG" --device "$DEVICE" --workers 0 "$WORKERS" \
    --threads 2 --rounds 1 --warmup 2 --steps 10 | tee "$OUT/bench.md"
"$PY" -m skcausal pretrain --config "$CONFIG" --init-from "$INIT" --out "$OUT/run" \
    --device "$DEVICE" --workers "$WORKERS" --threads 2 \
    --hours "$("$PY" -c "print($MINUTES / 60)")"
rm -f "$OUT/run/checkpoints.log"  # at most 8 files come back: bench, validate, the run's five
"$PY" research/experiments/validate_checkpoint.py "$INIT" "$OUT/run/skcausal-zeroshot.safetensors" \
    --config "$CONFIG" | tee "$OUT/validate.md"
