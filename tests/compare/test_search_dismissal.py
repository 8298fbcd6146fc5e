"""Early dismissal of cutoff searches that cannot converge within max_dimension, and the
cost predicted for a point before any solve (docs/validity.md §"Early dismissal",
§"Cost prediction").

predicted_final_cutoffs is a geometric extrapolation: its numbers are checked by hand
against the series last·rᵐ; the search's dismissal is checked against the same search
climbing to the limit (both unconverged, the dismissal with fewer solves) and against a
converged search that it must leave untouched.
"""

import numpy as np
import pytest

from omxval import linear

from omxval.compare.studies.convergence import (MAP_COST_EXPONENT, predicted_cutoffs,
                                                predicted_point_cost)
from omxval.compare.studies.search import adaptive_cutoffs, predicted_final_cutoffs
from tests.conftest import reference_point


def test_a_geometric_decay_predicts_where_the_mode_stops():
    # changes 32, 16, 8, 4, 2, 1 (× tolerance) at levels 5, 6, ...: the level 10 → 11 change
    # is the first at the tolerance, so the mode stops at 10 (d = 10·4·5 = 200).
    steps = {0: {4: 64.0, 5: 32.0}}
    assert predicted_final_cutoffs((6, 4, 5), steps, 199) == (10, 4, 5)
    assert predicted_final_cutoffs((6, 4, 5), steps, 200) is None
    # r = 0.1: the next change (1.0) is already at the tolerance, so the mode stops at 6.
    assert predicted_final_cutoffs((6, 4, 5), {0: {4: 100.0, 5: 10.0}}, 119) == (6, 4, 5)
    assert predicted_final_cutoffs((6, 4, 5), {0: {4: 100.0, 5: 10.0}}, 120) is None


def test_a_change_that_does_not_fall_is_raised_past_the_limit():
    assert predicted_final_cutoffs((4, 4, 5), {2: {3: 5.0, 4: 6.0}}, 100) == (4, 4, 7)
    assert predicted_final_cutoffs((4, 4, 5), {2: {3: 5.0, 4: 5.0}}, 100) == (4, 4, 7)


@pytest.mark.parametrize("steps", [
    {0: {5: 6.0}},                 # one step: no ratio
    {0: {3: 5.0, 5: 6.0}},         # the steps are not consecutive levels
    {0: {4: 5.0, 5: 0.5}},         # the last step passed
])
def test_no_prediction_without_two_consecutive_failing_steps(steps):
    assert predicted_final_cutoffs((6, 4, 5), steps, 10) is None


def test_the_search_stops_where_the_climb_would_end_unconverged():
    """A strongly nonlinear point (G0 = 2κ, |G_d| = 0.317; the built-in map's corner) with
    max_dimension = 400: the climb ends unconverged at the limit; the dismissal says so
    from two refinement steps, with fewer solves, naming cutoffs over the limit and the
    steps it rests on; below the refused cutoffs both searches saw the same states."""
    p = linear.design_point(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.4,
                            detuning=0.9, coupling=0.317)
    climb = adaptive_cutoffs(p, max_dimension=400, dismiss_early=False)
    early = adaptive_cutoffs(p, max_dimension=400)
    assert not climb.converged and not early.converged
    assert early.limit == climb.limit == "max_dimension"
    assert early.solves < climb.solves
    assert int(np.prod(early.refused)) > 400
    assert "extrapolated geometrically" in early.reason and "mechanics" in early.reason
    assert all(a["cutoffs"] == b["cutoffs"] and abs(a["E_N exact"] - b["E_N exact"]) < 1e-9
               for a, b in zip(early.history, climb.history))


def test_a_converging_search_is_not_touched():
    p = reference_point(G0=0.05)
    plain = adaptive_cutoffs(p, max_dimension=2000, dismiss_early=False)
    early = adaptive_cutoffs(p, max_dimension=2000)
    assert plain.converged and early.converged
    assert early.cutoffs == plain.cutoffs and early.solves == plain.solves


def test_the_predicted_cost_grows_with_the_nonlinearity_and_stops_at_the_limit():
    """At a fixed design the Gaussian state does not depend on G0: the linearized model's
    cost does not either, the nonlinear model's grows with G0 (its covariance correction
    V2 ∝ G0²) and is capped at max_dimension^MAP_COST_EXPONENT."""
    small, large = reference_point(G0=0.01), reference_point(G0=0.3)
    assert predicted_cutoffs(small) == predicted_cutoffs(large)
    lin = [predicted_point_cost(p, "linearized") for p in (small, large)]
    assert lin[0] == pytest.approx(lin[1], rel=1e-12)
    d_start = 2.0 * np.prod(predicted_cutoffs(small))
    assert lin[0] == pytest.approx(d_start ** MAP_COST_EXPONENT, rel=1e-12)
    nl = [predicted_point_cost(p) for p in (small, large)]
    assert lin[0] < nl[0] < nl[1]
    assert predicted_point_cost(large, max_dimension=50) == pytest.approx(50 ** MAP_COST_EXPONENT)
