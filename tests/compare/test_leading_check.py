"""The leading-order check at a judged point: c2·x² of perturbation theory (three linear
solves) against the Fock-space approximation error (two nonlinear-model solves) at the same
cutoffs. The two are independent computations; their ratio tends to 1 as x² → 0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from omxval import fullquantum, linear
from omxval.compare.studies.agreement import compare_point
from omxval.compare.studies.leading import (BEYOND, HOLDS, SKIPPED, LeadingCriteria,
                                            leading_check)
from omxval.compare.studies.maps import COLUMNS
from omxval.compare.studies.reference import REFERENCE_DESIGN
from omxval.errors import InputError

# Small cutoffs on purpose: both computations share them, so truncation cancels in the ratio.
pytestmark = pytest.mark.filterwarnings("ignore:Fock truncation")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "models"
CUT = (5, 3, 5)


def point(G0):
    return linear.design_point(**{**REFERENCE_DESIGN, "G0": G0})


def deviation(G0):
    p = point(G0)
    fq = fullquantum.solve(p, cutoffs=CUT, hamiltonian="nonlinear")
    ctl = fullquantum.solve(p, cutoffs=CUT, hamiltonian="linearized")
    return leading_check(p, fq, ctl)


def test_the_fock_error_meets_c2_x2_with_a_rest_of_order_x4():
    small, large = deviation(0.025), deviation(0.1)
    pair = ("ccw", "m")
    assert small.variable == "G0" and small.x == 0.025 and small.cutoffs == CUT
    # c2 is per G0² at fixed design: the same at both points.
    assert small.c2[pair] == pytest.approx(large.c2[pair], rel=1e-8)
    assert small.predicted[pair] == pytest.approx(small.c2[pair] * 0.025**2, rel=1e-12)
    d_small, d_large = abs(small.ratio(pair) - 1), abs(large.ratio(pair) - 1)
    assert d_small < 2e-3
    # The rest of the ratio is O(G0²): ×16 for G0 ×4 (loosely: the solver floor is below).
    assert 8 < d_large / d_small < 32
    assert small.status == HOLDS and "leading order" in small.message
    assert large.row(pair)["c2 ratio"] == pytest.approx(large.ratio(pair))


def test_a_tight_criterion_calls_a_point_beyond_the_leading_order():
    p = point(0.1)
    fq = fullquantum.solve(p, cutoffs=CUT, hamiltonian="nonlinear")
    ctl = fullquantum.solve(p, cutoffs=CUT, hamiltonian="linearized")
    tight = leading_check(p, fq, ctl, criteria=LeadingCriteria(max_deviation=1e-6))
    assert tight.status == BEYOND and "beyond the leading order" in tight.message
    with pytest.raises(InputError, match="max_deviation"):
        LeadingCriteria(max_deviation=0)


def test_an_unentangled_point_is_skipped_with_the_reason():
    p = linear.design_point(**{**REFERENCE_DESIGN, "G0": 0.05, "coupling": 0.01,
                               "n_m": 5.0})
    assert not linear.analyze(p).log_negativity_gaussian > 0
    fq = fullquantum.solve(p, cutoffs=(3, 2, 3), hamiltonian="nonlinear")
    ctl = fullquantum.solve(p, cutoffs=(3, 2, 3), hamiltonian="linearized")
    out = leading_check(p, fq, ctl)
    assert out.status == SKIPPED and "E_N = 0" in out.message
    assert np.isnan(out.row()["c2 ratio"])


def test_a_model_point_is_checked_per_pair():
    model = linear.Model.from_toml(EXAMPLES / "vitali2007.toml").scaled(3000.0)
    mp = linear.ModelPoint(model)
    fq = fullquantum.solve(mp, cutoffs=(3, 5), hamiltonian="nonlinear")
    ctl = fullquantum.solve(mp, cutoffs=(3, 5), hamiltonian="linearized")
    out = leading_check(mp, fq, ctl)
    pair = ("a", "b")
    assert out.variable == "s" and out.x == 1.0 and set(out.c2) == {pair}
    fock = fq.log_negativities_exact[pair] - ctl.log_negativities_exact[pair]
    assert out.fock[pair] == pytest.approx(fock, rel=1e-12)
    assert np.isfinite(out.ratio(pair))


def test_point_comparison_and_map_rows_carry_the_check():
    cmp = compare_point(point(0.05), cutoffs=CUT)
    assert cmp.leading is not None and cmp.leading.status == HOLDS
    assert any(r.startswith("leading order (perturbation theory") for r in cmp.reasons)
    assert {"leading order", "c2", "c2 dE_N", "c2 ratio"} <= set(COLUMNS)
    lin_only = compare_point(point(0.05), cutoffs=CUT, hamiltonian="linearized")
    assert lin_only.leading is None
