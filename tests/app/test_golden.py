"""Regression against the committed goldens of the canonical default report.

The goldens in ``tests/golden/validation/`` are the CSV tables and configuration of
``omxval report`` with the built-in configuration. These tests recompute a fast subset and
compare. To regenerate deliberately (after an intended change of physics or defaults)::

    OMXVAL_REGENERATE_GOLDENS=1 python -m pytest tests/app/test_golden.py

Tolerances: every full-quantum steady state is converged to a trace distance of ~1e-12
from the exact one, and V, E_N are O(1) functions of ρ, so different BLAS/LAPACK builds or
thread counts move them by ~1e-11. 1e-8 keeps a wide margin above that, yet lies far
below the smallest physical effect the report tracks (truncation errors of ~1e-5 at the
default cutoffs): any change of physics, convention or default fails. Gaussian-model
numbers (no iterative solver) are held to 1e-10.
"""

import dataclasses
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from omxval.compare.studies.agreement import compare_point
from omxval.compare.app.config import ReportConfig
from omxval.compare.app.report import run_converge, write_report
from omxval.compare.studies.linearization import linearization_study
from omxval.compare.studies.nonreciprocity import nonreciprocity_study

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "validation"
TABLES = ("verdicts", "point_summary", "point_elements", "convergence", "linearization",
          "nonreciprocity_points")
FQ_TOL, LIN_TOL = 1e-8, 1e-10
REGENERATE = os.environ.get("OMXVAL_REGENERATE_GOLDENS") == "1"


@pytest.fixture(scope="module")
def golden():
    if REGENERATE:
        tmp = GOLDEN.parent / ".regenerate"
        write_report(tmp, ReportConfig(), progress=None)
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            shutil.copy(tmp / f"{name}.csv", GOLDEN / f"{name}.csv")
        meta = json.loads((tmp / "metadata.json").read_text())
        (GOLDEN / "configuration.json").write_text(
            json.dumps(meta["configuration"], indent=2) + "\n")
        shutil.rmtree(tmp)
    tables = {name: pd.read_csv(GOLDEN / f"{name}.csv") for name in TABLES}
    tables["configuration"] = json.loads((GOLDEN / "configuration.json").read_text())
    return tables


def test_goldens_belong_to_the_current_defaults(golden):
    current = json.loads(json.dumps(ReportConfig().to_dict()))
    assert golden["configuration"] == current, (
        "the built-in configuration changed: regenerate the goldens deliberately "
        "(OMXVAL_REGENERATE_GOLDENS=1 python -m pytest tests/app/test_golden.py)")


def test_golden_verdicts_are_the_expected_ones(golden):
    v = golden["verdicts"].set_index("question")["verdict"]
    assert v["Gaussian model vs full quantum at the design point"] == "agree"
    assert v["approach to the linearised limit (G0 → 0)"] == "consistent"


def test_point_study_reproduces(golden):
    cfg = ReportConfig()
    c = compare_point(cfg.design.point(), hamiltonian=cfg.point.hamiltonian,
                      cutoffs=cfg.point.cutoffs or None, **cfg.solver.search())
    g = golden["point_elements"]
    np.testing.assert_allclose(c.elements["linear"], g["linear"], rtol=0, atol=LIN_TOL)
    np.testing.assert_allclose(c.elements["full quantum"], g["full quantum"], rtol=0, atol=FQ_TOL)
    s, gs = c.summary.set_index("quantity"), golden["point_summary"].set_index("quantity")
    for q in ("E_N Gaussian (ln)", "E_N exact (ln)", "N_ccw (lab)", "purity"):
        assert s.loc[q, "full quantum"] == pytest.approx(gs.loc[q, "full quantum"], abs=FQ_TOL)


def test_convergence_study_reproduces(golden):
    """The whole truncation ladder: every solve, its changes and the verdict."""
    study = run_converge(ReportConfig())
    g = golden["convergence"]
    assert list(study.steps["stage"]) == list(g["stage"])
    assert study.steps[["N_ccw", "N_cw", "N_m"]].values.tolist() == \
        g[["N_ccw", "N_cw", "N_m"]].values.tolist()
    for col in ("max abs dV", "dE_N gaussian", "dE_N exact", "E_N gaussian", "E_N exact",
                "V error vs linear"):
        np.testing.assert_allclose(study.steps[col], g[col], rtol=0, atol=FQ_TOL, err_msg=col)
    verdicts = golden["verdicts"].set_index("question")["verdict"]
    assert study.verdict == verdicts[study.question]


def test_linearization_rungs_reproduce(golden):
    cfg = ReportConfig()
    design = {k: v for k, v in dataclasses.asdict(cfg.design).items()
              if k not in ("G0", "direction")}
    ladder = sorted(cfg.linearization.G0, reverse=True)[:3]  # the fast (large-G0) rungs
    st = linearization_study(design, ladder, direction=cfg.design.direction,
                             cutoffs=cfg.linearization.cutoffs, **cfg.solver.options())
    g = golden["linearization"].set_index("G0")
    for G0, rec in st.table.set_index("G0").iterrows():
        for col in ("max abs dV", "dE_N gaussian", "dE_N exact", "<dq>", "E_N exact"):
            assert rec[col] == pytest.approx(g.loc[G0, col], abs=FQ_TOL), (G0, col)


@pytest.mark.slow
def test_nonreciprocity_points_reproduce(golden):
    cfg = ReportConfig()
    nr = cfg.nonreciprocity
    g = golden["nonreciprocity_points"]
    pick = list(nr.Delta_c[2::3])  # two or three detunings; every bath and direction
    points = nonreciprocity_study(cfg.design.point(Delta_F=nr.Delta_F).system, pick,
                                  hamiltonian=nr.hamiltonian, **cfg.solver.search()).points
    key = ["bath", "direction", "Delta_c [omega_m]"]
    merged = points.merge(g, on=key, suffixes=("", " golden"))
    assert len(merged) == len(points)
    assert (merged["stable"] == merged["stable golden"]).all()
    np.testing.assert_allclose(merged["E_N linear"], merged["E_N linear golden"], atol=LIN_TOL)
    ok = merged["stable"]
    np.testing.assert_allclose(merged.loc[ok, "E_N exact fq"], merged.loc[ok, "E_N exact fq golden"],
                               atol=FQ_TOL)
