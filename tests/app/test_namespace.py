"""One installed import name, ``omxval``; light imports; the command's entry points."""

import subprocess
import sys
from importlib import metadata

import omxval


def run(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_only_omxval_is_installed_at_top_level():
    assert metadata.distribution("omxval").read_text("top_level.txt").split() == ["omxval"]


def test_generic_names_are_not_importable_outside_the_repository(tmp_path):
    out = run("import importlib.util as u; print([n for n in ('linear', 'fullquantum', "
              "'compare') if u.find_spec(n)])", tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


def test_subpackages_import_through_the_namespace(tmp_path):
    out = run("from omxval import linear, fullquantum, compare; import omxval.linear as L; "
              "print(L is linear, linear.__name__, fullquantum.__name__, compare.__name__)",
              tmp_path)
    assert out.stdout.split() == ["True", "omxval.linear", "omxval.fullquantum",
                                  "omxval.compare"], out.stderr


def test_the_physics_layer_imports_no_plotting_and_no_qutip(tmp_path):
    out = run("import sys, omxval.linear; print(sorted(m for m in ('matplotlib', 'qutip') "
              "if m in sys.modules))", tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


def test_version_everywhere(tmp_path):
    assert omxval.__version__ == metadata.version("omxval")
    out = subprocess.run([sys.executable, "-m", "omxval", "--version"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == f"omxval {omxval.__version__}"
