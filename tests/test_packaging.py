"""The package list in pyproject.toml and the shipped checkpoint's place in it.

The full check (build, install the wheel in a fresh venv, fit outside the checkout) is
scripts/check_packaging.sh, which .ci/run runs after the tests.
"""

from pathlib import Path

import tomllib

from skcausal.zeroshot._checkpoint import DEFAULT_NAME, Checkpoint, default_checkpoint_path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def _source_dir(package):
    mapped = CONFIG.get("package-dir", {})
    if package in mapped:
        return ROOT / mapped[package]
    return ROOT / package.replace(".", "/")


def test_every_package_under_skcausal_is_listed():
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "skcausal").rglob("__init__.py")
    }
    missing = found - set(CONFIG["packages"])
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"


def test_every_listed_package_exists():
    for package in CONFIG["packages"]:
        assert _source_dir(package).is_dir(), package


def test_package_data_covers_the_checkpoint_and_model_card():
    patterns = CONFIG["package-data"]["skcausal.pretrained"]
    folder = _source_dir("skcausal.pretrained")
    shipped = {p.name for pattern in patterns for p in folder.glob(pattern)}
    for name in (
        f"{DEFAULT_NAME}.safetensors",
        f"{DEFAULT_NAME}.json",
        "README.md",
        "skcausal-zeroshot-v1.safetensors",
        "skcausal-zeroshot-v1.json",
        "skcausal-zeroshot-v2.safetensors",
        "skcausal-zeroshot-v2.json",
    ):
        assert name in shipped
    assert not any(name.endswith(".pt") for name in shipped)


def test_default_checkpoint_is_found_through_the_installed_package():
    path = default_checkpoint_path()
    assert path.exists()
    assert path.parent.samefile(_source_dir("skcausal.pretrained"))
    assert Checkpoint.load().metadata["weights_file"] == path.name
