"""The paper-device study (compare.paper_device, docs/paper_device.md).

Independent truths: the numbers of the issue and of docs/conventions.md §1, §6 for the
paper's Fig. 2 optimum; the G0 independence of the Gaussian model at a fixed design (§5);
synthetic data of known exponent for the fits; the reference point of §5 at small cutoffs
for the estimator; the cache format of compare.maps for resumability.
"""

import json
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

from omxval import fullquantum, linear
from omxval.compare.app import paper_device_report as pdr
from omxval.compare.app.runs import run_rows
from omxval.compare.studies import paper_device as pdv
from omxval.compare.app.runs import read_cache
from omxval.errors import InputError
from tests.conftest import REFERENCE

# Loose criteria: the estimator's bookkeeping at cutoffs of a few levels (solves ≈ 0.1 s).
LOOSE = pdv.DeviceCriteria(V_tolerance=1e-2, log_negativity_tolerance=1e-2, start_tail=1e-2,
                           estimator_tolerance=1.0)
REFERENCE_DESIGN = {k: v for k, v in REFERENCE.items() if k != "G0"}


@contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        yield


@pytest.fixture(scope="module")
def points():
    return {p.name: p for p in pdv.paper_points()}


def test_fig2_ccw_design_reproduces_the_issue(points):
    """The issue's numbers for the ccw Fig. 2 optimum, computed from the SI parameters."""
    p = points["fig2-ccw"]
    d = p.design
    assert p.direction == "ccw" and p.Omega == 8e3 and d["J"] == 0.0
    assert p.Delta_c == pytest.approx(0.2965, abs=5e-4)
    assert p.log_negativity == pytest.approx(0.1476, abs=1e-4)
    assert d["kappa"] == pytest.approx(0.6028, abs=1e-4)
    assert d["Delta_F"] == pytest.approx(0.4554, abs=1e-4)
    assert d["gamma_m"] == pytest.approx(8.25e-5, rel=1e-3)
    assert d["n_m"] == pytest.approx(269.65, abs=0.01)
    assert d["detuning"] == pytest.approx(0.0468, abs=2e-4)
    assert d["coupling"] == pytest.approx(0.7067, abs=2e-4)
    # The Lyapunov state holds few quanta: it fits a Fock space (issue: 0.25 and 0.55).
    q = p.fluctuation_quanta
    assert q["ccw"] == pytest.approx(0.25, abs=0.01) and q["mechanics"] == pytest.approx(0.55, abs=0.01)
    # The paper's G0 (docs/conventions.md §1: 452.0 s⁻¹ at ω_m = 6.3e7 s⁻¹).
    assert p.G0 == pytest.approx(452.0 / 6.3e7, rel=1e-4)
    assert p.G0 == pytest.approx(7.2e-6, rel=0.01)


@pytest.mark.parametrize("name", pdv.POINT_NAMES)
def test_design_reconstructs_the_paper_state_at_any_G0(points, name):
    """design_point(..., G0) gives the paper point's Gaussian state for every G0 (§5), and
    at the paper's G0 the paper's bare detuning and drive."""
    p = points[name]
    setup = linear.PaperSetup()
    system = setup.system(Delta_c=p.Delta_c, Omega=p.Omega, J=p.J_over_kappa * setup.kappa_si)
    ref = linear.analyze(system, p.direction)
    assert ref.log_negativity_gaussian == pytest.approx(p.log_negativity, rel=1e-12)
    for G0 in (p.G0, 0.01, 0.1):
        r = linear.analyze(p.operating_point(G0))
        assert r.stable
        assert r.log_negativity_gaussian == pytest.approx(ref.log_negativity_gaussian, rel=1e-9)
        np.testing.assert_allclose(r.V, ref.V, rtol=1e-8, atol=1e-10)
    at_paper = p.operating_point(p.G0).system
    assert at_paper.Delta_c == pytest.approx(system.Delta_c, abs=1e-9)
    assert at_paper.eps == pytest.approx(system.eps, rel=1e-9)


def test_fig2_optima_share_the_driven_mode_state(points):
    """At J = 0 the three Fig. 2 maxima are one driven-mode state, shifted by ∓Δ_F (§6)."""
    dd = []
    for name in ("fig2-ccw", "fig2-rest", "fig2-cw"):
        d = points[name].design
        sign = 1 if points[name].direction == "ccw" else -1
        dd.append(d["detuning"] + sign * d["Delta_F"])  # Δ̃ of the driven mode (§2)
        assert points[name].log_negativity == pytest.approx(0.14762, abs=1e-5)
    assert max(dd) - min(dd) < 1e-4


def test_fig3_point_has_backscattering_and_a_feasible_fock_space(points):
    p = points["fig3-ccw"]
    setup = linear.PaperSetup()
    assert p.J_over_kappa == pdv.FIG3_J_OVER_KAPPA and p.Omega == 2.3e4
    assert p.design["J"] == pytest.approx(1.8 * setup.kappa_si / setup.omega_m_si, rel=1e-9)
    assert 0.01 < p.fluctuation_quanta["cw"] < 0.1  # the undriven mode is fed through J
    assert p.fluctuation_quanta["ccw"] < 0.3 and p.fluctuation_quanta["mechanics"] < 0.6


def test_points_validation_and_order():
    assert [p.name for p in pdv.paper_points(names=["fig3-ccw", "fig2-ccw"])] == \
        ["fig3-ccw", "fig2-ccw"]
    with pytest.raises(InputError, match="fig2-ccw"):
        pdv.paper_points(names=["fig9"])
    with pytest.raises(InputError, match="G0"):
        pdr.write_paper_device_report("unused", G0=(0.05, 0.1))
    with pytest.raises(InputError, match="estimator_tolerance"):
        pdv.DeviceCriteria(estimator_tolerance=0)


# --- the estimator on one cheap point ------------------------------------------------------
@pytest.fixture(scope="module")
def cheap_row():
    return pdv.approximation_row(REFERENCE_DESIGN, 0.1, "ccw", "brownian", LOOSE)


def test_estimator_keeps_truncation_and_approximation_apart(cheap_row):
    r = cheap_row
    assert r["status"] == "converged", r["message"]
    assert r["E_N Lyapunov"] == pytest.approx(0.099523, abs=1e-6)  # conventions §5
    for suffix in ("", " (c+1)"):
        assert r[f"truncation error{suffix}"] == pytest.approx(
            r[f"E_N linearized Fock{suffix}"] - r["E_N Lyapunov"], abs=1e-15)
        assert r[f"approximation error{suffix}"] == pytest.approx(
            r[f"E_N nonlinear{suffix}"] - r[f"E_N linearized Fock{suffix}"], abs=1e-15)
    assert r["relative approximation error"] == pytest.approx(
        r["approximation error"] / r["E_N Lyapunov"])
    assert r["estimator change"] == pytest.approx(
        abs(r["approximation error (c+1)"] - r["approximation error"])
        / abs(r["approximation error (c+1)"]))
    assert r["d"] == r["N_ccw"] * r["N_cw"] * r["N_m"]
    # The numbers are those of the models at the reported cutoffs, c and c + 1.
    point = linear.design_point(**REFERENCE_DESIGN, G0=0.1)
    c = (r["N_ccw"], r["N_cw"], r["N_m"])
    for cutoffs, suffix in ((c, ""), (tuple(n + 1 for n in c), " (c+1)")):
        for model, column in (("nonlinear", "E_N nonlinear"),
                              ("linearized", "E_N linearized Fock")):
            with _quiet():
                s = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian=model)
            assert s.log_negativity_exact == pytest.approx(r[column + suffix], abs=1e-9)


def test_rows_that_cannot_converge_have_no_numbers():
    tight = pdv.approximation_row(REFERENCE_DESIGN, 0.1, criteria=pdv.DeviceCriteria(
        memory_budget_bytes=3 * 1024**2))
    assert tight["status"] == "unconverged" and "memory budget" in tight["message"]
    assert "approximation error" not in tight
    strict = pdv.approximation_row(REFERENCE_DESIGN, 0.1, criteria=pdv.DeviceCriteria(
        V_tolerance=1e-2, log_negativity_tolerance=1e-2, start_tail=1e-2,
        estimator_tolerance=1e-9))
    assert strict["status"] == "unconverged" and "raised by one" in strict["message"]
    assert "approximation error" not in strict
    assert pdv.approximation_row({**REFERENCE_DESIGN, "detuning": -0.9}, 0.05)["status"] \
        == "unstable"
    bad = pdv.approximation_row({**REFERENCE_DESIGN, "kappa": -1.0}, 0.05)
    assert bad["status"] == "failed" and "kappa" in bad["message"]


# --- resumability and the report ------------------------------------------------------------
def reference_paper_point(name: str = "reference") -> pdv.PaperPoint:
    """The reference design of conventions §5 dressed as an operating point (cheap)."""
    return pdv.PaperPoint(name=name, label="reference point (conventions §5)", direction="ccw",
                          Omega=0.0, J_over_kappa=0.5, Delta_c=float("nan"), G0=1e-5,
                          log_negativity=0.099523, design=REFERENCE_DESIGN, bath="brownian",
                          fluctuation_quanta={}, photons=float("nan"))


def test_killed_and_resumed_ladder_equals_an_uninterrupted_one(tmp_path):
    point = reference_paper_point()
    full = run_rows([point], [0.05, 0.1], tmp_path / "full.jsonl", criteria=LOOSE)
    lines = (tmp_path / "full.jsonl").read_text().splitlines()
    killed = tmp_path / "killed.jsonl"  # one finished row, the second cut mid-write
    killed.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    messages = []
    resumed = run_rows([point], [0.1, 0.05], killed, criteria=LOOSE,
                           progress=messages.append)
    # The cut line is skipped and counted; only the missing row ran.
    assert messages[0].startswith("1 unreadable line(s)")
    # Only the missing row ran: its solves talk (prefixed with the row), then it finishes.
    finished = [m for m in messages[1:] if m.startswith("[")]
    assert len(finished) == 1 and finished[0].startswith("[1/1] reference, G0 = 0.1: ")
    inside = messages[1:-1]
    assert inside and all(m.startswith("reference, G0 = 0.1: ") for m in inside)
    assert any("cutoff search, solve 1 (" in m for m in inside)
    assert sum("estimator:" in m for m in inside) == 3  # linearized at c, both at c + 1
    # The linearized state at c is the cutoff search's own (its linearized-first climb).
    assert sum("the cutoff search's state" in m for m in inside) == 1
    cols = [c for c in full.columns if c != "seconds"]
    pd.testing.assert_frame_equal(full[cols], resumed[cols])
    assert len(read_cache(killed)) == 2
    assert list(full["G0"]) == [0.05, 0.1] and set(full["point"]) == {"reference"}
    before = killed.read_text()
    again = []
    run_rows([point], [0.05, 0.1], killed, criteria=LOOSE, progress=again.append)
    # A run with nothing to do computes nothing and leaves the file as it was.
    assert again == [messages[0]] and killed.read_text() == before


def test_cache_key_depends_on_what_determines_the_row():
    p = reference_paper_point()
    k = pdv.row_key(p, 0.05, LOOSE)
    assert k == pdv.row_key(p, 0.05, pdv.DeviceCriteria(**vars(LOOSE)))
    assert k != pdv.row_key(p, 0.1, LOOSE)
    assert k != pdv.row_key(p, 0.05, pdv.DeviceCriteria())
    other = pdv.PaperPoint(**{**vars(p), "design": {**p.design, "coupling": 0.2}})
    assert k != pdv.row_key(other, 0.05, LOOSE)


def synthetic_rows(point: pdv.PaperPoint, ladder, exponent: float) -> list[dict]:
    rows = []
    for g in ladder:
        err = -0.03 * g**exponent
        rows.append({"point": point.name, "status": "converged", "message": "", "G0": g,
                     "N_ccw": 12, "N_cw": 2, "N_m": 16, "d": 384, "solves": 12,
                     "E_N Lyapunov": point.log_negativity,
                     "E_N linearized Fock": point.log_negativity - 1e-6,
                     "E_N nonlinear": point.log_negativity - 1e-6 + err,
                     "truncation error": -1e-6, "approximation error": err,
                     "relative approximation error": err / point.log_negativity,
                     "approximation error (c+1)": err * 0.99, "estimator change": 0.01,
                     "seconds": 1.0})
    return rows


def test_report_from_a_filled_cache(tmp_path):
    """The writer computes nothing when the cache holds every row: tables, figure, verdict."""
    pts = pdv.paper_points(names=["fig2-ccw", "fig3-ccw"])
    ladder = (0.01, 0.02, 0.05, 0.1)
    crit = pdv.DeviceCriteria()
    cache = tmp_path / "rows.jsonl"
    with open(cache, "w") as fh:
        for p in pts:
            for row in synthetic_rows(p, ladder, 2.0):
                fh.write(json.dumps({"key": pdv.row_key(p, row["G0"], crit), "row": row}) + "\n")
    out = pdr.write_paper_device_report(tmp_path / "report", G0=ladder,
                                        points=["fig2-ccw", "fig3-ccw"], cache=cache)
    files = {f.name for f in out.iterdir()}
    assert {"index.md", "paper_device.csv", "paper_device_points.csv",
            "paper_device_fits.csv", "approximation_error.png", "metadata.json"} <= files
    fits = pd.read_csv(out / "paper_device_fits.csv")
    assert np.allclose(fits["exponent p"], 2.0) and np.allclose(fits["c2"], 0.03)
    expected = 0.03 * pts[0].G0**2
    assert fits["|error| leading order"].iloc[0] == pytest.approx(expected, rel=1e-9)
    text = (out / "index.md").read_text()
    assert "lowers E_N at every G0" in text and "does not limit" in text
    assert len(pd.read_csv(out / "paper_device.csv")) == 8


def test_serial_equals_parallel(tmp_path):
    point = reference_paper_point()
    serial = run_rows([point], [0.05, 0.1], tmp_path / "s.jsonl", criteria=LOOSE)
    parallel = run_rows([point], [0.05, 0.1], tmp_path / "p.jsonl", criteria=LOOSE,
                            engine="parallel", num_cpus=2)
    cols = [c for c in serial.columns if c != "seconds"]
    pd.testing.assert_frame_equal(serial[cols], parallel[cols])


def test_report_without_computing_lists_the_missing_rows(tmp_path):
    """compute=False reports what the cache holds (a long run in progress) and computes
    nothing: a point without rows is reported as such, never as a number."""
    pts = pdv.paper_points(names=["fig2-ccw"])
    ladder = (0.01, 0.02, 0.05, 0.1)
    cache = tmp_path / "rows.jsonl"
    with open(cache, "w") as fh:
        for row in synthetic_rows(pts[0], ladder[:3], 2.0):
            key = pdv.row_key(pts[0], row["G0"], pdv.DeviceCriteria())
            fh.write(json.dumps({"key": key, "row": row}) + "\n")
    out = pdr.write_paper_device_report(tmp_path / "partial", G0=ladder, cache=cache,
                                        points=["fig2-ccw", "fig3-ccw"], compute=False)
    text = (out / "index.md").read_text()
    assert "not computed (not in the cache): G0 = 0.1" in text
    assert "only 0 converged row(s)" in text and "No rows yet." in text
    fits = pd.read_csv(out / "paper_device_fits.csv")
    assert list(fits["converged rows"]) == [3, 0] and np.isnan(fits["exponent p"].iloc[1])


def test_cli_cached_only_computes_nothing(tmp_path, capsys):
    """`omxval paper-device --cached-only` reports the rows of <out>.cache.jsonl and lists the
    missing ones without computing (the rows of fig3-ccw are absent, so a computing run would
    take minutes)."""
    from omxval.compare.app.cli import main

    pts = pdv.paper_points(names=["fig2-ccw"])
    ladder = (0.01, 0.02, 0.05)
    out = tmp_path / "pd"
    with open(pdr.default_cache(out), "w") as fh:
        for row in synthetic_rows(pts[0], ladder, 2.0):
            key = pdv.row_key(pts[0], row["G0"], pdv.DeviceCriteria())
            fh.write(json.dumps({"key": key, "row": row}) + "\n")
    code = main(["paper-device", "--out", str(out), "--points", "fig2-ccw,fig3-ccw",
                 "--G0", *map(str, ladder), "--cached-only", "--quiet"])
    # The path, then the verdict table: fig2-ccw's synthetic error ~ G0^2 extrapolates far
    # below the printed precision (agree); fig3-ccw has no rows (incomplete, not a failure).
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and lines[0] == f"{out}/index.md"
    assert [line.split()[-1] for line in lines[1:]] == ["agree", "incomplete"]
    assert lines[1].startswith("paper's device, Fig. 2 optimum, CCW drive")
    fits = pd.read_csv(out / "paper_device_fits.csv")
    assert list(fits["converged rows"]) == [3, 0]
    assert abs(fits["exponent p"].iloc[0] - 2.0) < 1e-6


def test_cached_only_on_an_empty_cache_is_nothing_to_report(tmp_path, capsys):
    from omxval.compare.app.cli import main

    out = tmp_path / "pd"
    assert main(["paper-device", "--out", str(out), "--cached-only", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "nothing to report: none of the 24 rows is in the cache" in err
    assert "error" not in err and list(tmp_path.iterdir()) == []  # nothing written
    # An empty ladder table still has every column of a row (the report's code relies on it).
    table = pdv.rows_table(pdv.paper_points(names=("fig2-ccw",)), pdv.DEFAULT_G0, {})
    assert len(table) == 0 and set(pdv.ROW_COLUMNS) <= set(table.columns)
