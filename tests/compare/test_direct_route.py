"""The paper-device verdict by the direct route: c2 from perturbation theory beside the
ladder's fit, and the verdict's bound without extrapolation where the two agree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from omxval import linear
from omxval.compare.app.device_answer import shipped_rows
from omxval.compare.studies.paper_device import (PRINTED_PRECISION, DirectCoefficient,
                                                 analyse_point, device_verdicts, direct_key,
                                                 direct_table, fits_table, paper_points,
                                                 row_key, rows_table)
from omxval.errors import InputError


@pytest.fixture(scope="module")
def ladder():
    """The shipped ladder rows of fig2-ccw and its point (fits: c2 ≈ 0.0625)."""
    shipped = shipped_rows()
    pts = {p.name: p for p in paper_points(linear.PaperSetup(), names=("fig2-ccw",))}
    rows = rows_table(list(pts.values()), shipped.ladder, shipped.rows, shipped.criteria,
                      shipped.version)
    return pts["fig2-ccw"], rows


def direct(c2, unc=5e-4, status="converged", point="fig2-ccw"):
    return DirectCoefficient(point, c2, unc, (14, 4, 19), status, 800.0, 9)


def test_direct_coefficient_is_validated_and_round_trips():
    d = direct(-0.0628)
    assert DirectCoefficient.from_dict(d.to_dict()) == d
    assert d.usable and not direct(-0.06, status="unconverged").usable
    p = d.prediction(7.2e-6)
    # |ΔE_N| = |c2|·G0², the band ± uncertainty·G0² (Eq. P14).
    assert p.value == pytest.approx(0.0628 * 7.2e-6 ** 2, rel=1e-12)
    assert p.high - p.value == pytest.approx(5e-4 * 7.2e-6 ** 2, rel=1e-12)
    with pytest.raises(InputError, match="uncertainty"):
        direct(-0.06, unc=-1.0)
    with pytest.raises(InputError, match="status"):
        direct(-0.06, status="maybe")


def test_agreeing_direct_c2_replaces_the_extrapolation(ladder):
    point, rows = ladder
    plain = analyse_point(point, rows)
    fit = plain.leading.c2
    assert 0.062 < fit < 0.063  # the shipped ladder (docs/paper_device.md §7)
    a = analyse_point(point, rows, direct(-fit * 1.002))
    assert a.direct_agrees is True
    # The bound is c2·G0² with its uncertainty: no fit is extrapolated.
    assert a.upper == pytest.approx((fit * 1.002 + 5e-4) * point.G0 ** 2, rel=1e-12)
    assert a.word == "agree" == plain.word
    assert "needs no extrapolation" in a.verdict
    v = device_verdicts([a], (0.01,)).iloc[0]
    assert "agrees with the ladder" in v["evidence"] and v["direct c2"] == -fit * 1.002
    f = fits_table([a]).iloc[0]
    assert f["c2 direct cutoffs"] == "14×4×19" and f["direct agrees with ladder"]


def test_disagreeing_direct_c2_keeps_the_larger_bound(ladder):
    point, rows = ladder
    plain = analyse_point(point, rows)
    a = analyse_point(point, rows, direct(-2 * plain.leading.c2))
    assert a.direct_agrees is False
    assert a.upper == pytest.approx(max(plain.upper, a.direct.prediction(point.G0).high))
    assert "does NOT agree" in a.verdict


def test_direct_c2_alone_gives_a_verdict_and_unconverged_does_not(ladder):
    point, rows = ladder
    empty = rows.iloc[0:0]
    a = analyse_point(point, empty, direct(-0.0628))
    assert a.fit is None and a.direct_agrees is None
    assert a.word == "agree" and a.upper < PRINTED_PRECISION
    big = analyse_point(point, empty, direct(-1e6))  # |ΔE_N| = 5e-5: above half a unit
    assert big.word == "disagree"
    b = analyse_point(point, empty, direct(-0.0628, status="unconverged"))
    assert b.word == "incomplete" and math.isnan(b.upper)
    assert "does not use it" in b.verdict
    with pytest.raises(InputError, match="given for point"):
        analyse_point(point, empty, direct(-0.06, point="fig3-ccw"))


def test_direct_results_have_their_own_journal_keys(ladder):
    point, _ = ladder
    key = direct_key(point)
    assert key != direct_key(point, rtol=0.01) != direct_key(point, max_steps=3)
    assert key not in {row_key(point, g, shipped_rows().criteria) for g in (0.01, 0.1)}
    d = direct(-0.0628)
    rows = {key: {"point": point.name, "route": "direct", "status": "converged",
                  "direct": d.to_dict()},
            "other": {"point": point.name, "status": "failed", "message": "x"}}
    assert direct_table([point], rows) == {point.name: d}
    assert direct_table([point], {}) == {}


@pytest.mark.filterwarnings("ignore:Fock truncation")  # small cutoffs on purpose: same at both
def test_direct_coefficient_is_the_finite_difference_of_the_nonlinear_model():
    """At fixed cutoffs c2 is [E_N(nonlinear, G0) − E_N(linearized)]/G0² as G0 → 0, the two
    full-quantum models solved by fullquantum.solve at the same cutoffs (no perturbation
    theory): an independent truth of the three bordered solves."""
    from omxval import fullquantum
    from omxval.compare.studies.paper_device import DIRECT_G0, direct_coefficient

    (point,) = paper_points(linear.PaperSetup(), names=("fig2-ccw",))
    cut = (5, 3, 7)
    d = direct_coefficient(point, cutoffs=cut)
    assert d.status == "fixed" and d.cutoffs == cut and d.solves == 6
    assert d.uncertainty > 0 and np.isfinite(d.c2)
    base = fullquantum.solve(point.operating_point(DIRECT_G0), cutoffs=cut,
                             hamiltonian="linearized").log_negativity_exact
    estimates = []
    for g in (0.01, 0.005):
        en = fullquantum.solve(point.operating_point(g), cutoffs=cut,
                               hamiltonian="nonlinear").log_negativity_exact
        estimates.append((en - base) / g**2)
    # The finite difference converges to c2 as G0² (the next order is c4·G0²).
    err = [abs(e - d.c2) for e in estimates]
    assert err[1] < 0.3 * err[0] + 1e-6
    assert err[1] < 1e-2 * abs(d.c2)
    with pytest.raises(InputError, match="cutoffs must each be >= 3"):
        direct_coefficient(point, cutoffs=(2, 3, 7))


@pytest.mark.slow  # one c2 evaluation at d = 468 (≈ 1 min on one core)
def test_c2_meets_the_ladder_row_at_the_same_cutoffs_at_the_fig2_optimum(ladder):
    """The shipped ladder row at G0 = 0.01 (a nonlinear and a linearized full-quantum solve
    at its converged cutoffs), less the fit's c4·G0², is c2·G0² at those cutoffs: the direct
    route and the ladder are the same number where they share the Fock space."""
    from omxval import perturbative
    from omxval.compare.studies.paper_device import DIRECT_G0

    point, rows = ladder
    fit = analyse_point(point, rows).leading
    row = rows[rows["G0"] == 0.01].iloc[0]
    cut = (int(row["N_ccw"]), int(row["N_cw"]), int(row["N_m"]))
    ladder_c2 = row["approximation error"] / 0.01**2 + fit.c4 * 0.01**2  # error < 0
    c2 = perturbative.leading_coefficient(point.operating_point(DIRECT_G0), cutoffs=cut).c2
    assert c2 == pytest.approx(ladder_c2, rel=2e-3)
