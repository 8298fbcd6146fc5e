"""The comparison layer: agreement, convergence verdicts, linearization exponent, CLI, config."""

import json

import pandas as pd
import pytest

from omxval.compare.app import report as report_module
from omxval.compare.app.markdown import point_markdown
from omxval.compare.studies.agreement import Tolerances, compare_point
from omxval.compare.app.cli import main
from omxval.compare.app.config import ReportConfig, config_from_dict, load_config
from omxval.compare.studies.convergence import convergence_study
from omxval.compare.studies.linearization import linearization_study
from tests.conftest import REFERENCE, REFERENCE_EN, reference_point, reference_system

TINY = """
[point]
cutoffs = [3, 3, 5]
[converge]
start_cutoffs = [2, 2, 3]
max_cutoffs = [3, 3, 5]
[linearization]
cutoffs = [3, 2, 4]
G0 = [0.2, 0.1, 0.05]
[nonreciprocity]
Delta_c = [0.7, 1.3]
[solver]
engine = "serial"
"""


@pytest.fixture
def tiny_toml(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def test_linearized_model_agrees_at_the_reference_point():
    c = compare_point(reference_system(), "ccw", hamiltonian="linearized", cutoffs=(4, 3, 6))
    assert c.verdict == "agree" and c.control is c.steady
    assert c.elements["abs error"].max() < 2e-5  # docs/conventions.md §5: ~1e-5 at these sizes
    s = c.summary.set_index("quantity")
    assert s.loc["E_N Gaussian (ln)", "linear"] == pytest.approx(REFERENCE_EN["brownian"], abs=2e-6)
    assert abs(s.loc["E_N exact (ln)", "difference"]) < 1e-4
    assert abs(s.loc["N_ccw (lab)", "difference"]) < 1e-5  # lab-frame photons, both sides
    assert len(c.elements) == 21 and "Verdict: agree" in point_markdown(c)


def test_disagreement_and_unstable_verdicts():
    strict = compare_point(reference_system(), "ccw", hamiltonian="linearized", cutoffs=(4, 3, 6),
                           tolerances=Tolerances(V=1e-7, log_negativity=1e-3))
    assert strict.verdict == "disagree"
    unstable = reference_system().replace(Delta_c=-0.9)  # blue detuned: parametric instability
    c = compare_point(unstable, "ccw")
    assert c.verdict == "unstable" and c.steady is None
    with pytest.raises(ValueError, match="tolerance"):
        Tolerances(V=0.0)


def test_under_truncated_study_is_not_converged():
    st = convergence_study(reference_system(), "ccw", start=(2, 2, 3), maximum=(3, 2, 4))
    assert st.verdict == "not converged"
    assert st.chosen == (3, 2, 4)
    assert st.steps["max abs dV"].max() > 1e-4


def test_converged_verdict_on_a_generous_ladder():
    st = convergence_study(reference_system(), "ccw", start=(3, 3, 5), maximum=(5, 4, 7),
                           V_tolerance=5e-4, log_negativity_tolerance=1e-3)
    assert st.verdict in ("converged", "marginal")
    assert st.verdict != "not converged"
    assert all(c <= m for c, m in zip(st.chosen, (5, 4, 7)))


def test_linearization_exponent_is_two():
    design = {k: v for k, v in REFERENCE.items() if k != "G0"}
    st = linearization_study(design, (0.2, 0.1, 0.05, 0.025), cutoffs=(3, 3, 5))
    assert st.V_fit.exponent == pytest.approx(2.0, abs=0.1)
    assert st.dq_fit.exponent == pytest.approx(1.0, abs=0.1)
    for c0, err, target in st.E_N_extrapolated.values():
        assert abs(c0 - target) < 3 * err + 1e-5


def test_config_overrides_and_errors(tmp_path):
    cfg = config_from_dict({"design": {"coupling": 0.2}, "converge": {"max_cutoffs": [6, 5, 12]}})
    assert cfg.design.coupling == 0.2 and cfg.converge.max_cutoffs == (6, 5, 12)
    assert cfg.point == ReportConfig().point
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['bogus'\] in \[point\]; valid keys"):
        config_from_dict({"point": {"bogus": 1}})
    with pytest.raises(ValueError, match="unknown key.*top level"):
        config_from_dict({"pointt": {}})
    with pytest.raises(ValueError, match="kappa"):
        config_from_dict({"design": {"kappa": -1.0}})
    with pytest.raises(ValueError, match="converge.start_cutoffs"):
        config_from_dict({"converge": {"start_cutoffs": [9, 2, 2]}})
    with pytest.raises(ValueError, match="solver.method"):
        config_from_dict({"solver": {"method": "magic"}})
    bad = tmp_path / "bad.toml"
    bad.write_text("x = [")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_config(bad)


def test_cli_bad_toml_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[point]\ncutoffs = [3, 2]\n")
    assert main(["point", "--config", str(bad), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "point.cutoffs must be three integers" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["point", "converge", "linearization", "nonreciprocity"])
def test_cli_runs_each_study(command, tiny_toml, tmp_path):
    out = tmp_path / command
    assert main([command, "--config", str(tiny_toml), "--out", str(out), "--quiet",
                 "--fail-on", "none"]) == 0
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert len(verdicts) == 1
    assert (out / "index.md").read_text().startswith("# omxval validation report")
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["configuration"]["point"]["cutoffs"] == [3, 3, 5]
    assert {"qutip", "numpy", "scipy"} <= set(meta["packages"]) and meta["blas"]
    assert len(list(out.glob("*.png"))) == 1


def test_full_report_and_interrupted_rerun(tiny_toml, tmp_path, monkeypatch):
    out = tmp_path / "validation"
    assert main(["report", "--config", str(tiny_toml), "--out", str(out), "--quiet",
                 "--fail-on", "none"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"index.md", "metadata.json", "verdicts.csv", "convergence.csv", "linearization.csv",
            "nonreciprocity_points.csv", "point_elements.csv"} <= set(before)
    text = before["index.md"].decode()
    assert "../paper/index.md" in text and "## Verdicts" in text

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report_module.plots, "plot_linearization", interrupted)
    assert main(["report", "--config", str(tiny_toml), "--out", str(out), "--quiet"]) == 130
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unstable_design_is_reported_not_crashed(tmp_path):
    cfg = tmp_path / "blue.toml"
    cfg.write_text("[design]\ndetuning = -0.9\n[nonreciprocity]\nDelta_c = [-0.9, -0.8]\n")
    out = tmp_path / "o"
    for study in ("point", "nonreciprocity"):
        assert main([study, "--config", str(cfg), "--out", str(out), "--quiet"]) == 0
        assert pd.read_csv(out / "verdicts.csv")["verdict"].tolist() == ["unstable"]


def test_memory_refusal_is_one_line_before_any_study(tmp_path, capsys):
    """Cutoffs (400, 400, 400): refused from the configuration alone, exit 3, nothing written."""
    cfg = tmp_path / "huge.toml"
    cfg.write_text("[point]\ncutoffs = [400, 400, 400]\n")
    out = tmp_path / "o"
    assert main(["report", "--config", str(cfg), "--out", str(out), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "omxval report: error:" in err and "Traceback" not in err
    assert "budget" in err and list(tmp_path.iterdir()) == [cfg]


def test_design_beyond_the_fold_is_reported_unstable(tmp_path):
    """coupling = 2.0 lies beyond the fold of the designed branch: the point study must say
    unstable (it used to report E_N = 0.0585 of another branch, |G_d| = 0.729)."""
    cfg = tmp_path / "fold.toml"
    cfg.write_text("[design]\ncoupling = 2.0\n")
    out = tmp_path / "o"
    assert main(["point", "--config", str(cfg), "--out", str(out), "--quiet"]) == 0
    assert pd.read_csv(out / "verdicts.csv")["verdict"].tolist() == ["unstable"]
    assert load_config(cfg).design.point().system.eps > 0


def test_memory_budget_is_a_configuration_key(tmp_path):
    cfg = tmp_path / "budget.toml"
    cfg.write_text("[solver]\nmemory_budget_bytes = 1000\n")
    c = load_config(cfg)
    assert c.solver.options()["memory_budget_bytes"] == 1000
    with pytest.raises(ValueError, match="solver.memory_budget_bytes"):
        config_from_dict({"solver": {"memory_budget_bytes": -1}})


def test_convergence_failure_is_one_line_exit_3(tmp_path, monkeypatch, capsys):
    from omxval import fullquantum

    def diverging(*args, **kwargs):
        raise fullquantum.SteadyStateConvergenceError("GMRES stalled at 1e-6 after 400 "
                                                      "iterations", 400, 1e-6)

    monkeypatch.setattr(fullquantum, "solve", diverging)
    out = tmp_path / "o"
    assert main(["point", "--out", str(out), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("omxval point: error: the steady-state solver did not converge")
    assert "Traceback" not in err and not out.exists()


def test_gaussian_cutoffs_follow_the_thermal_tail_and_favour_the_driven_mode():
    from omxval.compare.studies.convergence import gaussian_cutoffs

    # Uncoupled mechanics (|G| = 0): n̄ = n_m = 0.2, tail (1/6)^N ≤ 1e-3 first at N = 4.
    assert gaussian_cutoffs(reference_point(coupling=0.0))[2] == 4
    for direction in ("ccw", "cw"):
        c = gaussian_cutoffs(reference_point(direction=direction), tol=1e-6)
        driven, undriven = (c[0], c[1]) if direction == "ccw" else (c[1], c[0])
        assert driven >= undriven and min(c) >= 2
    loose, tight = (gaussian_cutoffs(reference_point(), tol=t) for t in (1e-2, 1e-8))
    assert all(a <= b for a, b in zip(loose, tight)) and loose != tight


def test_convergence_stops_at_the_memory_budget_and_says_so():
    study = convergence_study(reference_point(), start=(2, 2, 3), maximum=(6, 5, 12),
                              V_tolerance=1e-9, log_negativity_tolerance=1e-9,
                              memory_budget_bytes=3 * 1024**2)
    assert study.verdict == "not converged"
    assert any("memory budget" in r for r in study.reasons)
    assert study.state.cutoffs == study.chosen
