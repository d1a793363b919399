#!/usr/bin/env bash
# Packaging check: what `pip install` delivers must run the main estimator.
#
#   bash scripts/check_packaging.sh [WHEEL]
#
# 1. Builds the sdist and the wheel from this checkout and fails on any warning the build prints.
# 2. Checks that both carry the default checkpoint and its model card (and no resume files).
# 3. Installs the wheel (not editable) into a fresh virtual environment with the pinned CPU torch.
# 4. From a folder outside the checkout, fits ZeroShotCausalDiscovery on the reference data of
#    tests/data/reference_probabilities.json and checks its probabilities against the stored ones.
# 5. Runs `python -m skcausal discover` once on a small CSV.
#
# With WHEEL given, steps 1-2 are skipped and that wheel is installed instead: this is how the
# check is run against a wheel built from an older commit.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
TORCH="${TORCH:-torch==2.13.0}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
step() { printf '\n== packaging check: %s\n' "$*"; }
# pip names every extra index of this machine's pip config that is absent; only that line is dropped.
pip_install() { "$1" -m pip install --quiet "${@:2}" 2> >(grep -v "^WARNING: Location 'file:" >&2); }

WHEEL="${1:-}"
if [ -z "$WHEEL" ]; then
    step "build the sdist and the wheel"
    "$PYTHON" -m venv "$WORK/build-env"
    pip_install "$WORK/build-env/bin/python" build
    # This machine sets PYTHONDONTWRITEBYTECODE, which makes setuptools warn that it skips
    # byte-compiling; that warning is about the environment, not the project, so it is unset here.
    (cd "$ROOT" && env -u PYTHONDONTWRITEBYTECODE "$WORK/build-env/bin/python" -m build \
        --outdir "$WORK/dist" . ) > "$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
    if grep -n -i -E "warning|deprecat" "$WORK/build.log"; then
        echo "FAIL: the build printed the warnings above (full log follows)"; cat "$WORK/build.log"; exit 1
    fi
    echo "build printed no warnings"
    rm -rf "$ROOT/build" "$ROOT"/*.egg-info
    WHEEL="$(ls "$WORK"/dist/*.whl)"
    SDIST="$(ls "$WORK"/dist/*.tar.gz)"

    step "the wheel and the sdist carry the checkpoint and its model card"
    "$PYTHON" - "$WHEEL" "$SDIST" <<'EOF'
import sys, tarfile, zipfile
wheel, sdist = sys.argv[1:]
needed = ["skcausal-zeroshot.safetensors", "skcausal-zeroshot.json", "README.md",
          "skcausal-zeroshot-v1.safetensors", "skcausal-zeroshot-v1.json"]
in_wheel = zipfile.ZipFile(wheel).namelist()
in_sdist = [n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n]
problems = [f"wheel lacks skcausal/pretrained/{n}" for n in needed
            if f"skcausal/pretrained/{n}" not in in_wheel]
problems += [f"sdist lacks pretrained/{n}" for n in needed if f"pretrained/{n}" not in in_sdist]
problems += [f"resume file shipped: {n}" for n in in_wheel + in_sdist if "/runs/" in n or n.endswith(".pt")]
if problems:
    sys.exit("FAIL: " + "; ".join(problems))
print(f"ok: {len(in_wheel)} files in the wheel, {len(in_sdist)} in the sdist")
EOF
fi

step "install $(basename "$WHEEL") into a fresh virtual environment"
"$PYTHON" -m venv "$WORK/env"
pip_install "$WORK/env/bin/python" "$TORCH"
pip_install "$WORK/env/bin/python" "$WHEEL"

step "fit outside the checkout and compare with the in-repository reference"
mkdir -p "$WORK/elsewhere"
cd "$WORK/elsewhere"
"$WORK/env/bin/python" - "$ROOT/tests/data/reference_probabilities.json" <<'EOF'
import json, sys
import numpy as np
import skcausal
from skcausal import ZeroShotCausalDiscovery

root = sys.argv[1].rsplit("/tests/", 1)[0]
if skcausal.__file__.startswith(root):
    sys.exit(f"FAIL: skcausal was imported from the checkout ({skcausal.__file__}), not the wheel")
ref = json.loads(open(sys.argv[1]).read())
est = ZeroShotCausalDiscovery(device="cpu").fit(
    np.array(ref["X"]), intervention_mask=np.array(ref["intervention_mask"], dtype=bool))
if est.checkpoint_info_["weights_sha256"] != ref["weights_sha256"]:
    sys.exit("FAIL: the installed weights are not the ones the reference was made with")
err = np.abs(est.edge_probabilities_ - np.array(ref["edge_probabilities"])).max()
if err > 1e-5:
    sys.exit(f"FAIL: probabilities differ from the reference by up to {err:.2e}")
print(f"ok: skcausal {skcausal.__version__} from {skcausal.__file__}")
print(f"ok: weights from {est.checkpoint_info_['path']}")
print(f"ok: probabilities match the reference (max difference {err:.1e})")
from skcausal.datasets import make_environments
X, env, _, _ = make_environments(600, 5, n_environments=3, random_state=0)
est = ZeroShotCausalDiscovery(device="cpu").fit(X, environments=env)
if not est.checkpoint_info_["path"].endswith("skcausal-zeroshot.safetensors") \
        or est.checkpoint_info_["path"].startswith(root):
    sys.exit(f"FAIL: environments used {est.checkpoint_info_['path']}, not the wheel's model")
print(f"ok: environments fit with {est.checkpoint_info_['path']}; targets {est.intervention_targets_.shape}")
EOF

step "python -m skcausal discover"
"$WORK/env/bin/python" - <<'EOF'
import pandas as pd
from skcausal.datasets import make_scm
X, _, _ = make_scm(n_samples=500, n_nodes=6, random_state=0)
pd.DataFrame(X, columns=[f"x{j}" for j in range(6)]).to_csv("data.csv", index=False)
EOF
"$WORK/env/bin/python" -m skcausal discover --data data.csv --methods zeroshot
step "passed"
