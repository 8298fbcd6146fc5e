"""Sphinx configuration of the omxval documentation site.

Build (offline, warnings as errors; README.md "Documentation"):

    python -m sphinx -W -b html docs docs/_build/html

Everything the site needs comes from the ``docs`` extra (``pip install -e ".[docs]"``):
no network is used. MathJax is served from the ``sphinx-mathjax-offline`` package, there is
no intersphinx (names of QuTiP, NumPy and pandas stay plain literals), and the tutorials
(MyST notebooks in ``tutorials/``) are executed by myst-nb with a jupyter-cache under
``_build/`` so an unchanged notebook is not run again.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# The tutorials run in a kernel that inherits this environment: one BLAS thread each.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OMXVAL_WORKERS", "1")

import omxval  # noqa: E402  (installed: pip install -e ".[docs]")

project = "omxval"
author = "the omxval authors"
copyright = "the omxval authors, BSD-3-Clause"
release = omxval.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_nb",                  # Markdown pages and MyST text notebooks (executed)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",   # MathJax from the package, no CDN
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build", "**/.jupyter_cache", "**.ipynb_checkpoints", "Thumbs.db",
                    ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
language = "en"

# -- MyST and myst-nb --------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 3
# The physics notes (docs/*.md) are read on GitHub too: their links between one another
# are plain relative Markdown links, which MyST resolves to pages.
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}

# -- autodoc, numpydoc -------------------------------------------------------------------
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": False}
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()
numpydoc_attributes_as_param_list = False

# No intersphinx: the site builds offline. References to QuTiP, NumPy and pandas objects
# (qutip.Qobj, numpy.ndarray, pandas.DataFrame) stay plain literals; with nitpicky off an
# unresolved type in a signature is rendered as text, not an error.
nitpicky = False

# -- HTML ---------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"omxval {release}"
html_static_path = ["_static"]
html_css_files = ["omxval.css"]
html_theme_options = {
    "source_repository": "",
    "navigation_with_keys": True,
}
html_show_sourcelink = False
html_last_updated_fmt = None
# Figures of executed notebooks are written as PNG.
nb_mime_priority_overrides = [("html", "image/svg+xml", 100)]

suppress_warnings = [
    "mystnb.unknown_mime_type",
    "myst.header",          # the physics notes start at §1 under one title, as on GitHub
    "config.cache",         # callables in the configuration (the hooks below)
]

# -- The API pages, one per subpackage, generated from each ``__all__`` ------------------
API = {
    "omxval": "The root namespace: the version, the error base class and ``omxval.Model``.",
    "omxval.linear": "The Gaussian (linearised) model.",
    "omxval.fullquantum": "The full-quantum model: QuTiP master equations on a truncated Fock "
                          "space.",
    "omxval.perturbative": "Steady-state moments as exact series in the nonlinearity.",
    "omxval.compare": "The two models side by side: studies, verdicts, maps and reports.",
    "omxval.presets": "Preset models.",
    "omxval.errors": "The exception and warning classes omxval raises on purpose.",
}
SKIP = {"__version__"}
SUBPACKAGES = set(API)


def _kind(module, name: str) -> str:
    obj = getattr(module, name)
    if inspect.ismodule(obj):
        return "module"
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if callable(obj):
        return "function"
    return "data"


def write_api_pages(app) -> None:
    """docs/api/<package>.rst from the package's ``__all__`` (build output, git-ignored)."""
    out = HERE / "api" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    documented: set[int] = set()  # a name exported twice is indexed at its first page
    for package, blurb in API.items():
        module = importlib.import_module(package)
        names = [n for n in module.__all__ if n not in SKIP]
        lines = [package, "=" * len(package), "",
                 f".. automodule:: {package}", "   :no-members:", "",
                 ".. currentmodule:: " + package, ""]
        kinds = {n: _kind(module, n) for n in names}
        modules = [n for n in names if kinds[n] == "module"]
        if modules:
            lines += ["Subpackages: " + ", ".join(
                f":doc:`{package}.{m} <{package}.{m}>`" if f"{package}.{m}" in SUBPACKAGES
                else f"``{package}.{m}``" for m in modules), ""]
        objects = [n for n in names if kinds[n] not in ("module", "data")]
        constants = [n for n in names if kinds[n] == "data"]
        if objects:
            lines += [".. autosummary::", "   :nosignatures:", ""]
            lines += [f"   {n}" for n in objects] + [""]
        for n in objects:
            directive = {"class": "autoclass", "exception": "autoexception",
                         "function": "autofunction"}[kinds[n]]
            lines += [f".. {directive}:: {n}"]
            if id(getattr(module, n)) in documented:
                lines += ["   :no-index:"]
            documented.add(id(getattr(module, n)))
            if kinds[n] in ("class", "exception"):
                lines += ["   :members:", "   :show-inheritance:"]
            lines += [""]
        if constants:  # plain values: their repr (an int's docstring is not theirs)
            lines += [".. rubric:: Constants", ""]
            for n in constants:
                value = repr(getattr(module, n)).replace("\n", " ")
                lines += [f".. py:data:: {n}", f"   :value: {value}", ""]
        text = "\n".join(lines)
        path = out / f"{package}.rst"
        if not path.exists() or path.read_text() != text:  # unchanged: no rebuild
            path.write_text(text)


# Docstrings are written to be read as text too: |G_d| means a modulus, not a reST
# substitution, and a "*" in a product is not emphasis. Escape them outside literals.
_LITERAL = re.compile(r"(``.+?``|`[^`]+`_?|:[a-z:]+:`[^`]+`)")


def _escape(line: str) -> str:
    stripped = line.strip()
    if stripped.startswith(("+-", "+=", "..")) or (  # a grid table or a directive
            stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 4):
        return line
    parts = _LITERAL.split(line)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("|", r"\|")
    return "".join(parts)


def escape_docstring(app, what, name, obj, options, lines) -> None:
    block_indent = None  # inside a literal block ("::") nothing is touched
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if stripped.startswith((">>>", "...")):
            continue
        lines[i] = _escape(line)
        if stripped.endswith("::"):
            block_indent = indent


# autosummary's one-line summaries end at the first ". ": not after "Eq.", "Eqs.", "Fig.",
# "et al." or "e.g." of the physics docstrings.
from sphinx.ext import autosummary as _autosummary  # noqa: E402

_autosummary.periods_re = re.compile(
    r"(?<!\bEq)(?<!Eqs)(?<!Fig)(?<! al)(?<!e\.g)(?<!i\.e)(?<!cf)\.(?:\s+)")


def setup(app):
    app.connect("builder-inited", write_api_pages)
    app.connect("autodoc-process-docstring", escape_docstring, priority=100)
