"""The house: physics → studies → application, one way; no import circles; no backend chosen.

Each check runs in a fresh interpreter, so what it sees in ``sys.modules`` is what the
imports themselves loaded.
"""

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from tests.import_graph import find_cycle, import_graph

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"linear": "omxval.linear", "fullquantum": "omxval.fullquantum",
            "perturbative": "omxval.perturbative", "compare": "omxval.compare"}


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


@pytest.mark.parametrize("folder", sorted(PACKAGES))
def test_no_import_circles_not_even_through_lazy_imports(folder):
    cycle = find_cycle(import_graph(ROOT / folder))
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_the_studies_never_import_the_application():
    graph = import_graph(ROOT / "compare")
    for name, deps in graph.items():
        if name.startswith("compare.studies"):
            assert not {d for d in deps if d.startswith("compare.app")}, name


def test_no_library_module_changes_the_matplotlib_backend():
    every = (modules("linear") + modules("fullquantum") + modules("perturbative")
             + modules("compare"))
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
