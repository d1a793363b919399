"""Sphinx configuration: the user pages (Markdown, through MyST) and the API reference, generated
from the numpydoc docstrings. Build with ``make docs`` (warnings are errors)."""

import os
import sys
import warnings

from sphinx.util import logging

sys.path.insert(0, os.path.abspath(".."))

# numpydoc reports a docstring it cannot parse (an unknown section, whose text it then drops) as
# a Python warning, which sphinx-build -W does not see; hand those to Sphinx's logger instead.
_logger = logging.getLogger("numpydoc")
_showwarning = warnings.showwarning


def _numpydoc_warnings_to_sphinx(message, category, filename, lineno, file=None, line=None):
    if "numpydoc" in filename:
        _logger.warning(str(message))
    else:
        _showwarning(message, category, filename, lineno, file, line)


warnings.showwarning = _numpydoc_warnings_to_sphinx

import skcausal  # noqa: E402

project = "skcausal"
author = "the skcausal developers"
copyright = "the skcausal developers"
version = release = skcausal.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
# The benchmark results pages are generated tables that benchmarks.md points to; not site pages.
exclude_patterns = ["_build", "benchmarks/**"]

# One page per public name (written into docs/generated/ at build time, not committed).
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
# The class pages list their own methods (templates in _templates/autosummary); numpydoc's own
# member tables would repeat them.
numpydoc_show_class_members = False
numpydoc_validation_checks = set()

myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"skcausal {release}"
