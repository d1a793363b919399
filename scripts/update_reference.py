"""Store the shipped checkpoint's edge probabilities on a fixed dataset, for
tests/zeroshot/test_zeroshot.py.

Run after replacing the weights in pretrained/:  python scripts/update_reference.py
"""

import json
from pathlib import Path

from skcausal import ZeroShotCausalDiscovery
from skcausal.datasets import make_environments, make_scm

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "data" / "reference_probabilities.json"
ENVIRONMENTS_REFERENCE = REFERENCE.with_name("reference_environments.json")
ENVIRONMENTS_DATA = {
    "n_samples": 600,
    "n_nodes": 6,
    "n_environments": 4,
    "mechanism": "mlp",
    "random_state": 12345,
}
DATA = {
    "n_samples": 300,
    "n_nodes": 6,
    "mechanism": "mlp",
    "n_intervention_targets": 2,
    "intervention_fraction": 0.3,
    "random_state": 12345,
}


def main():
    X, mask, _ = make_scm(**DATA)
    X = X.round(8)  # stored as written, so the test fits exactly the same numbers
    est = ZeroShotCausalDiscovery(device="cpu").fit(X, intervention_mask=mask)
    REFERENCE.write_text(
        json.dumps(
            {
                "weights_sha256": est.checkpoint_info_["weights_sha256"],
                "made_with": {"make_scm": DATA},
                "X": X.round(8).tolist(),
                "intervention_mask": mask.astype(int).tolist(),
                "edge_probabilities": est.edge_probabilities_.tolist(),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {REFERENCE}")

    # The same checkpoint with environments (its target head).
    X, env, _, _ = make_environments(**ENVIRONMENTS_DATA)
    X = X.round(8)
    est = ZeroShotCausalDiscovery(device="cpu", reference_environment=0).fit(X, environments=env)
    ENVIRONMENTS_REFERENCE.write_text(
        json.dumps(
            {
                "weights_sha256": est.checkpoint_info_["weights_sha256"],
                "made_with": {"make_environments": ENVIRONMENTS_DATA},
                "X": X.tolist(),
                "environments": env.tolist(),
                "edge_probabilities": est.edge_probabilities_.tolist(),
                "intervention_targets": est.intervention_targets_.tolist(),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {ENVIRONMENTS_REFERENCE}")


if __name__ == "__main__":
    main()
