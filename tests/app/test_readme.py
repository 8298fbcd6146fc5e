"""README's commands are the ones CI runs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bash_blocks(text: str) -> list[str]:
    parts = text.split("```bash\n")[1:]
    return [p.split("```")[0].strip() for p in parts]


def test_ci_runs_exactly_the_readme_test_command():
    blocks = bash_blocks((ROOT / "README.md").read_text())
    test_cmd = next(b for b in blocks if "pytest" in b)
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_cmd in ci


def test_readme_main_command_runs_the_report():
    blocks = bash_blocks((ROOT / "README.md").read_text())
    main = next(b for b in blocks if "omxval" in b)
    assert main.startswith("python3 -m venv .venv") and main.endswith(".venv/bin/omxval report")
    assert 'omxval = "omxval.compare.app.cli:main"' in (ROOT / "pyproject.toml").read_text()
