"""The site's sources, checked without building it (fast): the getting-started page shows the
README's two commands verbatim, every page is reachable, and nothing needs the network."""

import re
from pathlib import Path

from tests.app.test_readme import bash_blocks

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_getting_started_shows_the_readme_commands_verbatim():
    readme = bash_blocks((ROOT / "README.md").read_text())[:2]
    page = bash_blocks((DOCS / "getting_started.md").read_text())
    assert readme == page[:2]


def test_readme_names_the_build_command_and_links_every_section():
    readme = (ROOT / "README.md").read_text()
    assert "python -m sphinx -W -b html docs docs/_build/html" in readme
    for link in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (ROOT / link).is_file(), link


def toctree_entries(page: Path) -> list[str]:
    blocks = re.findall(r"```\{toctree\}\n(.*?)```", page.read_text(), flags=re.S)
    return [line.strip() for b in blocks for line in b.splitlines()
            if line.strip() and not line.strip().startswith(":")]


def test_every_page_is_in_a_toctree():
    listed = set()
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        base = page.parent.relative_to(DOCS)
        listed |= {str(base / e) for e in toctree_entries(page)}
    pages = {str(p.relative_to(DOCS).with_suffix("")) for p in DOCS.rglob("*.md")
             if "_build" not in p.parts} - {"index"}
    assert pages <= {p.removeprefix("./") for p in listed}, pages - listed


def test_the_configuration_needs_no_network():
    conf = (DOCS / "conf.py").read_text()
    assert "sphinx.ext.intersphinx" not in conf and "sphinx-mathjax-offline" in conf
    assert not re.search(r"https?://", re.sub(r"#.*", "", conf))
