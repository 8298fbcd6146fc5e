"""The documentation site builds offline with warnings as errors, and its tutorials run and
print the numbers the project promises (README, docs/conventions.md §5–§6).

One cold build into a temporary folder, its own notebook cache included: about a minute
(README "Documentation"). The build command is the documented one, with the output and the
cache moved out of the source tree.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TUTORIALS = ["fig2", "fig3", "full_quantum_point", "validity_map", "own_model"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("site")
    html = tmp / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-D", f"nb_execution_cache_path={tmp / 'jupyter_cache'}", "docs", str(html)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**__import__("os").environ, "OMP_NUM_THREADS": "1", "OMXVAL_WORKERS": "1"})
    assert proc.returncode == 0, (proc.stdout[-3000:] + proc.stderr[-6000:])
    return html


def text(page: Path) -> str:
    """The page's visible text (tags dropped, entities of the numbers kept)."""
    return re.sub(r"<[^>]+>", " ", page.read_text())


@pytest.mark.slow
def test_every_page_is_built(site):
    pages = ["index", "getting_started", "changelog", "citing", "conventions", "models",
             "verdicts", "validity", "paper_device", "perturbative", "tutorials/index",
             "guide/index", "guide/gaussian", "guide/fullquantum", "guide/errors",
             "guide/studies", "guide/maps", "guide/paper_device", "guide/own_system",
             "guide/cluster", "guide/output", "guide/development", "api/index",
             *(f"tutorials/{t}" for t in TUTORIALS),
             *(f"api/generated/omxval.{p}" for p in
               ("linear", "fullquantum", "perturbative", "compare", "presets", "errors"))]
    missing = [p for p in pages if not (site / f"{p}.html").is_file()]
    assert not missing


@pytest.mark.slow
def test_offline_no_cdn_and_math_rendered_from_the_package(site):
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for page in site.rglob("*.html"):
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:[^"]+)"',
                            page.read_text())
        assert not remote, (page, remote)
    conventions = (site / "conventions.html").read_text()
    assert conventions.count('class="math') >= 5 and "\\begin{pmatrix}" in conventions


@pytest.mark.slow
def test_tutorials_ran_and_show_the_promised_numbers(site):
    fig2 = text(site / "tutorials" / "fig2.html")
    assert "ccw: max E_N = 0.1476 at Delta_c/omega_m = 0.2965" in fig2   # 0.297 (README)
    assert "cw: max E_N = 0.1476 at Delta_c/omega_m = 1.2073" in fig2    # 1.207
    point = text(site / "tutorials" / "full_quantum_point.html")
    assert "E_N Gaussian (Lyapunov)     0.099523" in point and "PointComparison(agree" in point
    assert "4 of 4 points: 2 valid, 2 breaks" in text(site / "tutorials" / "validity_map.html")
    assert "E_N(a, b) = 0.1126" in text(site / "tutorials" / "own_model.html")
    assert "agree" in text(site / "getting_started.html")
    for name in TUTORIALS:  # every tutorial shows a figure the code drew
        page = (site / "tutorials" / f"{name}.html").read_text()
        assert re.search(r'<img[^>]+src="[^"]+\.png"', page), name
        assert "Traceback" not in page and "Error" not in text(site / "tutorials" /
                                                                f"{name}.html"), name


@pytest.mark.slow
def test_the_gallery_shows_each_tutorials_figure(site):
    gallery = (site / "tutorials" / "index.html").read_text()
    assert len(re.findall(r'<img[^>]+src="[^"]+\.png"', gallery)) == len(TUTORIALS)
    for name in TUTORIALS:
        assert f'href="{name}.html"' in gallery, name


@pytest.mark.slow
def test_api_pages_render_the_docstrings(site):
    linear = (site / "api" / "generated" / "omxval.linear.html").read_text()
    for name in ("log_negativity", "design_point", "analyze", "PaperSetup", "sweep"):
        assert f'id="omxval.linear.{name}"' in linear, name
    assert "Examples" in linear and "Parameters" in linear
    compare = (site / "api" / "generated" / "omxval.compare.html").read_text()
    assert 'id="omxval.compare.compare_point"' in compare
