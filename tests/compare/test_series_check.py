"""The third framework beside the two: the moment expansion against the Fock-space models.

Truths used: the series' s-scaling (V4/V2 ∝ s² at fixed design, exactly), the Fock-space
difference V_nonlinear − V_linearized computed here by ``fullquantum.solve``, and the
instability of the linearized model (no series).
"""

import warnings

import numpy as np
import pytest

from omxval import fullquantum, linear
from omxval.compare.studies.agreement import compare_point
from omxval.compare.studies.reference import REFERENCE_DESIGN
from omxval.compare.studies.series import (DISAGREES, FAILS, HOLDS, SKIPPED, SeriesCriteria,
                                           series_check)
from omxval.compare.studies.validity import judge_point
from omxval.errors import InputError
from omxval.perturbative import covariance_series


def point(G0: float, **changes) -> linear.OperatingPoint:
    return linear.design_point(**{**REFERENCE_DESIGN, "G0": G0, **changes}, direction="ccw",
                               bath="brownian")


def fock_pair(p, cutoffs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        return (fullquantum.solve(p, cutoffs=cutoffs, hamiltonian="nonlinear"),
                fullquantum.solve(p, cutoffs=cutoffs, hamiltonian="linearized"))


def test_the_series_ratio_grows_as_s_squared_and_fails_where_the_s4_term_is_large():
    small, double = series_check(point(0.05)), series_check(point(0.1))
    assert small.status == HOLDS and double.status == HOLDS
    # V4/V2 at fixed design: (s⁴V4)/(s²V2) ∝ s², so doubling G0 multiplies it by 4
    assert double.ratio / small.ratio == pytest.approx(4.0, rel=1e-9)
    large = series_check(point(0.6))
    assert large.status == FAILS and large.ratio > 0.1 and "no number" in large.message
    assert series_check(point(0.1), criteria=SeriesCriteria(max_ratio=0.01)).status == FAILS


def test_the_series_detects_cutoffs_too_short_for_the_nonlinear_correction():
    p = point(0.1)
    short = series_check(p, *fock_pair(p, (3, 2, 5)))
    enough = series_check(p, *fock_pair(p, (5, 3, 8)))
    assert short.status == DISAGREES and short.residual > short.tolerance
    assert enough.status == HOLDS and enough.residual < 0.1 * short.residual
    # the residual is the Fock-space difference against V2 + V4, element by element
    series = covariance_series(p, order=4)
    nl, lin = fock_pair(p, (5, 3, 8))
    assert enough.residual == pytest.approx(
        np.max(np.abs(nl.V - lin.V - series[2] - series[4])), rel=1e-9)
    # at converged cutoffs the Fock difference meets the series to its next term, s⁶V6 ~
    # ratio²·|V2| (4e-7 here), far below the difference itself (5e-4)
    assert enough.residual < 2 * enough.ratio ** 2 * np.max(np.abs(series[2]))


def test_an_unstable_point_is_skipped_with_the_reason():
    unstable = point(0.05, detuning=-0.9)
    assert not linear.analyze(unstable).stable
    check = series_check(unstable)
    assert check.status == SKIPPED and "unstable" in check.message and np.isnan(check.ratio)
    assert judge_point(unstable).series is None


def test_judged_points_and_comparisons_carry_the_series_column():
    p = point(0.1)
    comparison = compare_point(p, cutoffs=(5, 3, 8))
    assert comparison.series.status == HOLDS
    assert any(r.startswith("moment expansion") for r in comparison.reasons)
    row = judge_point(p, max_dimension=120).row()
    assert {"series", "series ratio", "series dV", "series residual dV"} <= set(row)
    assert row["series ratio"] == pytest.approx(series_check(p).ratio)


def test_criteria_are_validated():
    with pytest.raises(InputError, match="max_ratio"):
        SeriesCriteria(max_ratio=0)
    with pytest.raises(InputError, match="relative_residual"):
        SeriesCriteria(relative_residual=-1)
