"""The Examples sections of the docstrings run as doctests (short ones only: each module here
runs in about a second). A module whose docstrings gain ``>>>`` lines must be listed, so
every example shown on the API pages is checked."""

import doctest
import importlib
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"linear": "omxval.linear", "fullquantum": "omxval.fullquantum",
           "perturbative": "omxval.perturbative", "compare": "omxval.compare",
           "src/omxval": "omxval"}
MODULES = ["omxval.linear.gaussian", "omxval.linear.lyapunov", "omxval.linear.analysis",
           "omxval.linear.design", "omxval.linear.sweep", "omxval.fullquantum.steadystate",
           "omxval.perturbative.series"]


def modules_with_examples() -> set[str]:
    out = subprocess.run(["git", "grep", "-l", ">>> ", "--", *SOURCES], cwd=ROOT,
                         capture_output=True, text=True).stdout.split()
    names = set()
    for path in out:
        folder = next(f for f in SOURCES if path.startswith(f + "/"))
        rel = Path(path).relative_to(folder).with_suffix("")
        names.add(".".join([SOURCES[folder], *[p for p in rel.parts if p != "__init__"]]))
    return names


def test_every_module_with_examples_is_doctested():
    found = modules_with_examples()
    if not found:
        pytest.skip("not a git checkout")
    assert found == set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("OMXVAL_WORKERS", "1")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.attempted > 0, f"{name}: no examples found"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
