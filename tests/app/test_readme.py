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


def test_readme_your_own_system_runs_and_its_toml_is_the_shipped_file(monkeypatch, tmp_path):
    """The section's Python block runs as printed, and its TOML (shortened numbers) reads
    as a model equal to the Python one."""
    import tomllib

    from omxval import Model

    section = (ROOT / "README.md").read_text().split("## Your own system", 1)[1]
    section = section.split("\n## ", 1)[0]
    toml_text = section.split("```toml\n", 1)[1].split("```", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md (Your own system)", "exec"), namespace)
    assert Model.from_dict(tomllib.loads(toml_text)) == namespace["model"]
    assert namespace["r"].stable and namespace["r"].log_negativity("a", "b") > 0.1


def test_readme_your_own_system_commands_parse_and_name_shipped_files():
    """Every ``omxval`` line of the section parses with the command's own parser, and every
    file it names is shipped (the worked examples are run by tests/app/test_examples.py)."""
    import shlex

    from omxval.compare.app.cli import build_parser

    section = (ROOT / "README.md").read_text().split("## Your own system", 1)[1]
    section = section.split("\n## ", 1)[0]
    lines = [line for b in bash_blocks(section) for line in b.splitlines()]
    variables = dict(line.split("=", 1) for line in lines if "=" in line.split()[0])
    commands = [line for line in lines if line.startswith(".venv/bin/omxval ")]
    assert len(commands) >= 2 and any(" device " in c for c in commands)
    for c in commands:
        for k, v in variables.items():
            c = c.replace(f"${k}", v)
        args = build_parser().parse_args(shlex.split(c)[1:])
        for name in ("model", "config"):
            if getattr(args, name, None):
                assert (ROOT / getattr(args, name)).is_file(), c
