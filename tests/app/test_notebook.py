"""Notebook use: short reprs with the verdict, HTML tables, labelled fields, DataFrames,
the package-level API of ``compare``, and a non-Gaussianity that is never negative unflagged.

Every result comes from a cheap run at the reference point of docs/conventions.md §5
(Lyapunov E_N 0.099523), with loose convergence tolerances where a search runs.
"""

import dataclasses
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from omxval import compare, fullquantum, linear
from tests.conftest import REFERENCE, REFERENCE_EN, reference_point

LOOSE = compare.ValidityCriteria(V_tolerance=1e-4, log_negativity_tolerance=1e-3)
CUTOFFS = (4, 3, 6)


@pytest.fixture(scope="module")
def point() -> linear.OperatingPoint:
    return reference_point()


@pytest.fixture(scope="module")
def states(point) -> dict[str, fullquantum.SteadyState]:
    return {m: fullquantum.solve(point, cutoffs=CUTOFFS, hamiltonian=m)
            for m in ("linearized", "nonlinear")}


@pytest.fixture(scope="module")
def results(point, states) -> dict[str, tuple[object, str]]:
    """Every result type, each with the status word its repr must show."""
    design = {k: v for k, v in REFERENCE.items() if k != "G0"}
    spec = compare.MapSpec(x="G0", x_values=[0.02], y="detuning", y_values=[-0.9, 0.9],
                           criteria=LOOSE)
    validity = compare.validity_study(spec)
    unstable = reference_point(detuning=-0.9)
    out = {
        "PointResult": linear.analyze(point),
        "PointResult unstable": linear.analyze(unstable),
        "SteadyState": states["nonlinear"],
        "PointComparison": compare.compare_point(point, cutoffs=CUTOFFS),
        "PointComparison unstable": compare.compare_point(unstable),
        "PointValidity": compare.judge_point(point, criteria=LOOSE),
        "PointValidity unstable": compare.judge_point(unstable),
        "ConvergenceStudy": compare.convergence_study(point, start=(3, 2, 4),
                                                      maximum=(5, 4, 7), V_tolerance=1e-4,
                                                      log_negativity_tolerance=1e-3),
        "LinearizationStudy": compare.linearization_study(design, (0.1, 0.05, 0.025),
                                                          cutoffs=CUTOFFS),
        "NonreciprocityStudy": compare.nonreciprocity_study(
            point.system, [point.system.Delta_c], directions=("ccw",), baths=("brownian",),
            curve=np.linspace(0.5, 1.5, 11), criteria=LOOSE),
        "ValidityStudy": validity,
        "MapReport": compare.MapReport(Path("/tmp/omxval-map"), spec,
                                       validity.table),
    }
    out["AdaptiveSolve"] = out["PointValidity"].fit
    status = {"PointResult": "stable=True", "PointResult unstable": "stable=False",
              "SteadyState": "not truncated", "PointComparison unstable": "unstable",
              "PointValidity": "valid", "PointValidity unstable": "unstable",
              "AdaptiveSolve": "converged", "MapReport": "1 unstable, 1 valid"}
    return {name: (obj, status.get(name, getattr(obj, "verdict", None)))
            for name, obj in out.items()}


def test_results_have_the_expected_verdicts(results):
    verdicts = {name: getattr(obj, "verdict", None) for name, (obj, _) in results.items()}
    assert verdicts["PointComparison"] == "agree"
    assert verdicts["PointComparison unstable"] == "unstable"
    assert verdicts["ConvergenceStudy"] == "converged"
    assert verdicts["LinearizationStudy"] == "consistent"
    assert verdicts["NonreciprocityStudy"] == "agree"
    assert verdicts["ValidityStudy"] == "holds"


def test_every_repr_is_short_and_shows_the_status(results):
    for name, (obj, status) in results.items():
        text = repr(obj)
        assert len(text) < 300, (name, text)
        assert "\n" not in text, name
        assert status in text, (name, text)
        assert text.startswith(type(obj).__name__ + "("), name


def test_repr_shows_the_key_numbers(results):
    assert "E_N=0.099523" in repr(results["PointResult"][0])
    assert "E_N=nan (unstable)" in repr(results["PointResult unstable"][0])
    assert "Gaussian 0.099523" in repr(results["PointComparison"][0])
    assert "Gaussian 0.099523" in repr(results["PointValidity"][0])
    assert "max Re λ(A) = 0.035" in repr(results["PointValidity unstable"][0])


def test_html_reprs_are_tables_with_the_verdict(results):
    with_html = [n for n, (obj, _) in results.items() if hasattr(obj, "_repr_html_")]
    assert sorted(with_html) == sorted(
        ["PointComparison", "PointComparison unstable", "ConvergenceStudy",
         "LinearizationStudy", "NonreciprocityStudy", "ValidityStudy", "MapReport"])
    for name in with_html:
        obj, status = results[name]
        page = obj._repr_html_()
        assert "<table" in page and "</table>" in page, name
        assert status in page, name
    comparison = results["PointComparison"][0]._repr_html_()
    assert "<td>E_N exact (ln)</td>" in comparison and "<td>0.09952</td>" in comparison


def test_point_result_to_dataframe_matches_the_sweep_columns(results, point):
    r = results["PointResult"][0]
    row = r.to_dataframe()
    assert len(row) == 1
    sweep = linear.sweep(point.system, "ccw", Delta_c=[point.system.Delta_c])
    assert list(row.columns) == list(sweep.columns)
    pd.testing.assert_frame_equal(row, sweep, check_dtype=False)
    rec = row.iloc[0]
    assert rec["E_N gaussian"] == pytest.approx(REFERENCE_EN["brownian"], abs=1e-6)
    assert rec["|G_d| [omega_m]"] == pytest.approx(0.25, rel=1e-12)
    # |α_d|² = |G_d|²/(2 G0²) = 0.0625 / 0.005 (§5).
    assert rec["photons ccw"] == pytest.approx(12.5, rel=1e-12)


def test_steady_state_to_dataframe_is_one_row_of_its_scalars(states):
    s = states["linearized"]
    row = s.to_dataframe()
    assert len(row) == 1
    rec = row.iloc[0]
    assert (rec["hamiltonian"], rec["direction"], rec["bath"]) == ("linearized", "ccw", "brownian")
    assert (rec["N_ccw"], rec["N_cw"], rec["N_m"]) == CUTOFFS
    assert rec["E_N exact"] == s.log_negativity_exact
    # The linearized Fock model reproduces the Lyapunov E_N up to truncation (§5).
    assert rec["E_N gaussian"] == pytest.approx(REFERENCE_EN["brownian"], abs=1e-4)
    # Lab frame: the mean field's |α_ccw|² = 12.5 plus the Lyapunov fluctuation quanta 0.00998.
    assert rec["photons ccw"] == s.photons.ccw == pytest.approx(12.50998, abs=1e-4)
    assert rec["non-Gaussianity"] == 0.0 and rec["non-Gaussianity below floor"]
    assert rec["non-Gaussianity raw"] == s.non_gaussianity_raw < 0
    assert rec["top population mechanics"] == s.top_populations.mechanics
    assert not rec["truncated"]


def test_study_dataframes_are_copies_of_their_tables(results):
    c = results["PointComparison"][0]
    df = c.to_dataframe()
    pd.testing.assert_frame_equal(df, c.summary)
    df.loc[0, "linear"] = 99.0
    assert c.summary.loc[0, "linear"] == 0.0
    en = df.set_index("quantity").loc["E_N exact (ln)"]
    assert en["linear"] == pytest.approx(REFERENCE_EN["brownian"], abs=1e-6)
    assert en["full quantum"] == pytest.approx(0.09964, abs=2e-5)

    conv = results["ConvergenceStudy"][0]
    pd.testing.assert_frame_equal(conv.to_dataframe(), conv.steps)
    assert conv.to_dataframe()["E_N exact"].iloc[-1] == pytest.approx(0.0995, abs=5e-4)

    lin = results["LinearizationStudy"][0].to_dataframe()
    assert list(lin["G0"]) == [0.1, 0.05, 0.025]
    # The cubic term's correction to V is second order in G0 (§5): ΔV quarters as G0 halves.
    ratio = lin["max abs dV"].iloc[1] / lin["max abs dV"].iloc[2]
    assert ratio == pytest.approx(4.0, rel=0.05)

    nr = results["NonreciprocityStudy"][0].to_dataframe()
    assert list(nr["status"]) == ["valid"]
    assert nr["E_N linear"].iloc[0] == pytest.approx(REFERENCE_EN["brownian"], abs=1e-6)

    pv = results["PointValidity"][0]
    pd.testing.assert_frame_equal(pv.to_dataframe(), pd.DataFrame([pv.row()]))
    assert pv.to_dataframe()["E_N linear"].iloc[0] == pytest.approx(REFERENCE_EN["brownian"],
                                                                    abs=1e-6)

    for name in ("ValidityStudy", "MapReport"):
        table = results[name][0].to_dataframe()
        assert list(table["status"]) == ["unstable", "valid"], name
        assert table["E_N linear"].iloc[1] == pytest.approx(REFERENCE_EN["brownian"], abs=1e-6)
        assert np.isnan(table["E_N exact"].iloc[0])


def test_photons_and_top_populations_are_labelled_tuples(states, point):
    s = states["nonlinear"]
    assert isinstance(s.photons, tuple) and s.photons._fields == ("ccw", "cw")
    n_ccw, n_cw = s.photons
    assert (s.photons.ccw, s.photons.cw) == (n_ccw, n_cw) == (s.photons[0], s.photons[1])
    assert s.photons._asdict() == {"ccw": n_ccw, "cw": n_cw}
    # Lab frame: the mean field's 12.5 and 0.1838 photons (§5) plus fluctuation quanta.
    assert n_ccw == pytest.approx(12.5, abs=0.1)
    assert n_cw == pytest.approx(linear.analyze(point).photons["cw"], abs=0.01)
    assert s.top_populations._fields == ("ccw", "cw", "mechanics")
    assert s.top_populations.mechanics == s.top_populations[2]
    # Built from plain tuples (dataclasses.replace, old pickles), the labels come back.
    other = dataclasses.replace(s, photons=(1.0, 2.0), top_populations=(0.1, 0.2, 0.3))
    assert other.photons.cw == 2.0 and other.top_populations.ccw == 0.1


def test_negative_raw_non_gaussianity_is_clipped_and_flagged(states):
    """δ ≥ 0 on the infinite space; at (4, 3, 6) the linearized (Gaussian) model gives a raw
    δ ≈ −4.9e-5 (truncation error), the nonlinear one a genuine +3.6e-5."""
    lin, nl = states["linearized"], states["nonlinear"]
    assert -1e-4 < lin.non_gaussianity_raw < -1e-5
    assert lin.non_gaussianity_raw == lin.gaussian_entropy - lin.entropy
    assert lin.non_gaussianity == 0.0 and lin.non_gaussianity_below_floor
    assert 1e-5 < nl.non_gaussianity_raw < 1e-4
    assert nl.non_gaussianity == nl.non_gaussianity_raw and not nl.non_gaussianity_below_floor


def test_no_table_prints_a_negative_non_gaussianity_unflagged(results):
    summary = results["PointComparison"][0].summary.set_index("quantity")
    clipped = summary.loc["non-Gaussianity δ (nats)"]
    raw = summary.loc["non-Gaussianity δ raw (nats; < 0: below the truncation floor)"]
    assert clipped["linearized Fock"] == 0.0 and raw["linearized Fock"] < 0
    assert clipped["full quantum"] == raw["full quantum"] > 0
    for name in ("LinearizationStudy", "PointValidity", "NonreciprocityStudy"):
        table = results[name][0].to_dataframe()
        assert (table["non-Gaussianity"] >= 0).all(), name
        assert table["non-Gaussianity below floor"].dtype == bool, name
    lin = results["LinearizationStudy"][0].table
    assert (lin.loc[lin["non-Gaussianity below floor"], "non-Gaussianity"] == 0).all()


PUBLIC = ("compare_point", "judge_point", "validity_point", "ValidityCriteria", "MapSpec",
          "run_map", "map_points", "write_map_report", "merge_maps", "MapReport",
          "ValidityStudy", "validity_study", "nonreciprocity_study", "convergence_study",
          "linearization_study", "write_report", "load_config", "ReportConfig",
          "OutputDirectory", "PointComparison", "PointValidity", "AdaptiveSolve",
          "ConvergenceStudy", "LinearizationStudy", "NonreciprocityStudy", "Tolerances")


def test_compare_exposes_its_public_api():
    assert set(PUBLIC) <= set(compare.__all__) <= set(dir(compare))
    for name in compare.__all__:
        assert getattr(compare, name).__module__.startswith("omxval.compare."), name
    from omxval.compare.app.runs import run_map

    assert compare.run_map is run_map
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        compare.nothing


def test_importing_compare_stays_light(tmp_path):
    """The names load on first use: importing the package (and the CLI) loads no QuTiP."""
    code = ("import sys, omxval.compare, omxval.compare.app.cli; print('qutip' in sys.modules); "
            "omxval.compare.compare_point; print('qutip' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_steady_state_repr_flags_truncation(point):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        s = fullquantum.solve(point, cutoffs=(2, 2, 2), hamiltonian="linearized")
    assert s.truncated and "(TRUNCATED)" in repr(s) and len(repr(s)) < 300
