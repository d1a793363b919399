# Two commands: `make demo` runs the main job, `make test` runs the whole test suite.
# `make docs` builds the documentation into docs/_build/html (warnings are errors).
# All three create (or reuse) the virtual environment .venv and install what they need into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Without a GPU, install the CPU build of torch first; an unpinned torch would pull a CUDA build.
TORCH ?= torch==2.13.0

.PHONY: demo test install lint docs

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	if command -v nvidia-smi >/dev/null 2>&1; then $(PY) -m pip install --quiet torch; \
	else $(PY) -m pip install --quiet "$(TORCH)"; fi
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

demo: install
	$(PY) -m skcausal discover --data sachs --out demo-output

test: install
	$(PY) -m pytest -q -p no:cacheprovider

# ruff's linter and formatter, as configured in pyproject.toml; CI fails on any finding.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

$(VENV)/.docs-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

# From a clean build, so that a warning of an unchanged page is not hidden by Sphinx's cache.
docs: $(VENV)/.docs-installed
	rm -rf docs/_build docs/generated
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html
