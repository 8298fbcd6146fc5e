"""The examples in ``examples/`` run as scripts and print the numbers they promise.

Each runs as ``python examples/<name>.py`` in a subprocess, from an empty temporary
directory (so it depends on the installed package, not on the repository as cwd).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, cwd: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, str(EXAMPLES / name), *args], cwd=cwd,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def number_after(label: str, text: str) -> float:
    match = re.search(re.escape(label) + r"\s*([-+0-9.e]+)", text)
    assert match, f"{label!r} not in the output:\n{text}"
    return float(match.group(1))


def test_every_example_is_short_and_tested():
    names = sorted(p.name for p in EXAMPLES.glob("*.py"))
    assert names == ["en_vs_detuning.py", "full_quantum_point.py", "validity_map.py",
                     "your_own_system.py"]
    for p in EXAMPLES.glob("*.py"):
        assert len(p.read_text().splitlines()) <= 40, p.name


def test_en_vs_detuning_gives_the_fig2_maxima(tmp_path):
    """docs/conventions.md §6: max E_N 0.1476 at Δ_c = 0.297 (ccw) and 1.207 (cw)."""
    text = run_example("en_vs_detuning.py", tmp_path, "en.png")
    assert "ccw drive: max E_N = 0.1476 at Delta_c = 0.297" in text
    assert "cw drive: max E_N = 0.1476 at Delta_c = 1.207" in text
    assert (tmp_path / "en.png").stat().st_size > 0


def test_full_quantum_point_reports_both_errors(tmp_path):
    """The reference point (§5): Lyapunov E_N 0.099523; both errors well below 1e-3."""
    text = run_example("full_quantum_point.py", tmp_path)
    assert text.startswith("PointComparison(agree:")
    assert number_after("E_N Gaussian (Lyapunov)", text) == pytest.approx(0.099523, abs=1e-6)
    assert 1e-5 < number_after("approximation error", text) < 1e-3
    assert abs(number_after("truncation error", text)) < 1e-4
    assert "non-Gaussianity, linearized Fock: 0.00e+00" in text


def test_validity_map_holds_at_small_G0_and_breaks_at_large(tmp_path):
    text = run_example("validity_map.py", tmp_path, "m")
    assert "4 of 4 points: 2 valid, 2 breaks" in text
    assert (tmp_path / "m" / "map.png").is_file()  # the figure it mentions is kept
    assert "files: index.md, map.csv, map.png, metadata.json, points.jsonl" in text
    rows = [line.split() for line in text.splitlines() if line.strip().startswith(("0.02", "0.20"))]
    assert [(r[0], r[1], r[2]) for r in rows] == [("0.02", "0.9", "valid"), ("0.20", "0.9", "breaks"),
                                                  ("0.02", "1.1", "valid"), ("0.20", "1.1", "breaks")]
    assert float(rows[0][3]) == pytest.approx(0.099523, abs=1e-6)  # E_N linear, §5


def ladder_rows(text: str) -> dict[float, list[str]]:
    return {float(r[0]): r for r in (line.split() for line in text.splitlines())
            if len(r) == 7 and r[1] in ("valid", "breaks")}


def test_your_own_system_vitali2007(tmp_path):
    """README "Your own system": the Vitali preset holds at s = 100 and breaks at s = 5600
    (|ΔE_N|/E_N ≈ 3.9 %, the ladder of docs/models.md §8), both with converged cutoffs whose
    truncation control is far below the approximation error."""
    text = run_example("your_own_system.py", tmp_path, str(EXAMPLES / "models/vitali2007.toml"),
                       "v", "--s", "100", "5600")
    assert number_after("Gaussian E_N: a-b", text) == pytest.approx(0.1126, abs=1e-4)
    rows = ladder_rows(text)
    assert rows[100.0][1] == "valid" and rows[5600.0][1] == "breaks"
    assert float(rows[100.0][3]) == pytest.approx(0.112595, abs=1e-6)  # Lyapunov, any s
    rel = float(rows[5600.0][5])
    assert 0.02 < rel < 0.06 and float(rows[5600.0][6]) < 0.01 * rel * 0.1126
    assert (tmp_path / "v" / "map.csv").is_file()


def test_your_own_system_electro_optomechanics(tmp_path):
    """Three modes, three pairs judged; at s = 5600 the o-w pair breaks the 1 % criterion."""
    text = run_example("your_own_system.py", tmp_path,
                       str(EXAMPLES / "models/electro_optomechanics.toml"), "e",
                       "--s", "30", "5600", "--set", "modes.o.drive=1442.2205101855956")
    rows = ladder_rows(text)
    assert rows[30.0][1] == "valid" and rows[5600.0][1] == "breaks"
    assert rows[5600.0][2] == "o-w"
    assert 0.010 < float(rows[5600.0][5]) < 0.012
