"""The house: physics → studies → application, one way; no import circles; no backend chosen.

Each check runs in a fresh interpreter, so what it sees in ``sys.modules`` is what the
imports themselves loaded.
"""

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"linear": "omxval.linear", "fullquantum": "omxval.fullquantum",
            "compare": "omxval.compare"}


def modules(folder: str) -> list[str]:
    """Every module name of a source folder (``compare/studies/maps.py`` →
    ``omxval.compare.studies.maps``)."""
    base = ROOT / folder
    out = []
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(base).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        out.append(".".join([PACKAGES[folder], *parts]))
    return out


def run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=ROOT.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


STUDIES = [m for m in modules("compare") if m.startswith("omxval.compare.studies")]
APP = [m for m in modules("compare") if m.startswith("omxval.compare.app")]


def test_the_layers_are_visible_in_the_layout():
    assert "omxval.compare.studies.maps" in STUDIES and "omxval.compare.app.cli" in APP
    assert {m.rsplit(".", 1)[1] for m in APP} >= {"cli", "config", "journal", "output",
                                                 "report", "map_report", "plots",
                                                 "markdown", "display", "runs"}


def test_importing_the_studies_loads_neither_matplotlib_nor_the_application():
    # QuTiP itself imports matplotlib (qutip/__init__.py), so the check is that the studies
    # add none of it, and nothing of the application.
    out = run("import sys, qutip\n"
              "before = set(sys.modules)\n"
              f"for m in {STUDIES!r}: __import__(m)\n"
              "print(sorted(m for m in set(sys.modules) - before if m.startswith('matplotlib')"
              " or m.startswith('omxval.compare.app')))")
    assert out.strip() == "[]"


def _relative_imports(path: Path, package: str) -> set[str]:
    """The omxval modules a file imports, resolved to absolute names (lazy imports too)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("omxval"):
                continue
            found.add(mod)
            for alias in node.names:  # `from . import journal` imports a module
                found.add(f"{mod}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("omxval")}
    return found


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_no_import_circles_not_even_through_lazy_imports(folder):
    names = set(modules(folder))
    graph = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT / folder).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        name = ".".join([PACKAGES[folder], *parts])
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        graph[name] = {m for m in _relative_imports(path, package) if m in names and m != name}
    # Packages' __init__ re-export their modules; the circles that matter are between modules.
    inits = {n for n in graph if (ROOT / folder).joinpath(
        *n.split(".")[2:], "__init__.py").exists()}
    graph = {n: deps - inits for n, deps in graph.items() if n not in inits}
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep):] + [dep] if dep in stack else [node, dep]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, stack + [dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_the_studies_never_import_the_application():
    for path in sorted((ROOT / "compare" / "studies").rglob("*.py")):
        imported = _relative_imports(path, "omxval.compare.studies")
        assert not {m for m in imported if m.startswith("omxval.compare.app")}, path


def test_no_library_module_changes_the_matplotlib_backend():
    every = modules("linear") + modules("fullquantum") + modules("compare")
    out = run("import warnings; warnings.simplefilter('ignore')\n"
              "import matplotlib; matplotlib.use('svg')\n"
              f"for m in {every!r}: __import__(m)\n"
              "import omxval.compare.app.plots, omxval.compare.app.paper_report\n"
              "print(matplotlib.get_backend())")
    assert out.strip() == "svg"


@pytest.mark.parametrize("old, name, new", [
    ("maps", "MapSpec", "omxval.compare.studies.maps"),
    ("maps", "run_map", "omxval.compare.app.runs"),
    ("map_report", "verdict", "omxval.compare.studies.maps"),
    ("agreement", "compare_point", "omxval.compare.studies.agreement"),
    ("cli", "main", "omxval.compare.app.cli"),
    ("paper_device", "write_paper_device_report", "omxval.compare.app.paper_device_report"),
    ("verdicts", "how_to_read", "omxval.compare.app.markdown")])
def test_the_old_module_paths_keep_working_with_a_deprecation_warning(old, name, new):
    import importlib

    module = importlib.import_module(f"omxval.compare.{old}")
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        value = getattr(module, name)
    assert value is getattr(importlib.import_module(new), name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from omxval import compare
        getattr(compare, "MapSpec")  # the package-level API does not warn
