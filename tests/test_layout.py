"""The package's layout: no import cycle (imports inside functions included), small modules with
distinct names, and a root import that loads no torch."""

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

import skcausal

PACKAGE = Path(skcausal.__file__).parent
MODULES = {
    ".".join(("skcausal", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
        ".__init__"
    ): path
    for path in sorted(PACKAGE.rglob("*.py"))
}


def _imported_modules(name, path):
    """Every skcausal module that ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in MODULES else base)
    return {module for module in found if module in MODULES and module != name}


def import_graph():
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        graph.add_edges_from((name, target) for target in _imported_modules(name, path))
    return graph


def test_the_import_graph_sees_imports_inside_functions():
    # skcausal.cli imports its commands inside functions, so that `--help` stays fast.
    assert "skcausal.cli._discover" in set(import_graph().successors("skcausal.cli"))


def test_no_import_cycle():
    cycles = list(nx.simple_cycles(import_graph()))
    assert cycles == [], f"import cycles: {cycles[:5]}"


def test_no_module_over_400_lines():
    long = {
        name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


def test_no_two_modules_share_a_name():
    names = Counter(path.name for path in MODULES.values() if path.name not in ("__init__.py",))
    assert [name for name, count in names.items() if count > 1] == []


@pytest.mark.parametrize(
    "code",
    [
        "import skcausal",
        "from skcausal.baselines import PC; PC().fit(X)",
        "from skcausal.baselines import GES, NOTEARS; GES().fit(X); NOTEARS().fit(X)",
        "from skcausal import BackgroundKnowledge, save_graph, NonparametricSEM",
        "from skcausal.metrics import edge_auroc; from skcausal.graph import dag_to_cpdag",
    ],
)
def test_what_needs_no_torch_loads_no_torch(code):
    script = (
        "import sys\nimport numpy as np\n"
        "rng = np.random.default_rng(0)\nX = rng.normal(size=(300, 4))\nX[:, 1] += X[:, 0]\n"
        f"{code}\n"
        "assert 'torch' not in sys.modules, 'torch was loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_root_names_load_on_first_use():
    assert set(skcausal.__all__) <= set(dir(skcausal))
    for name in skcausal.__all__:
        assert getattr(skcausal, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        skcausal.nope  # noqa: B018
