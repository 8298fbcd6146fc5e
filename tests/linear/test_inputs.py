"""Inputs validated at the boundary: types, magnitude limits, and overflow named by input.

Every refusal must name the user's parameter (``match=``); an overflow must never surface as
a raw ``LinAlgError`` (a ValueError subclass, hence the explicit type checks), as an empty
branch list, or as a NaN result marked stable.
"""

import math

import numpy as np
import pytest

from omxval import linear
from omxval.errors import InputError
from omxval.linear import engine
from omxval.linear import PaperSetup, System, design_point
from omxval.linear.gaussian import log_negativity, smallest_pt_symplectic_eigenvalue
from omxval.linear.meanfield import real_roots
from omxval.linear.parameters import MAX_MAGNITUDE, check_system_arrays

GOOD = dict(kappa=0.2, J=0.1, Delta_c=1.0, Delta_F=0.1, gamma_m=1e-3, n_m=1.0, G0=1e-3, eps=10.0)
DESIGN = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
              coupling=0.25)
NOT_NUMBERS = {"True": True, "False": False, "np.True_": np.bool_(True), "str": "0.2",
               "None": None, "complex": 0.2 + 0j, "list": [0.2], "object": object()}


def assert_plain_value_error(excinfo):
    """A ValueError of our own, not numpy's LinAlgError (which subclasses ValueError)."""
    assert isinstance(excinfo.value, InputError), repr(excinfo.value)
    assert not isinstance(excinfo.value, np.linalg.LinAlgError)


# --- 1. real numbers only ------------------------------------------------------------------

@pytest.mark.parametrize("bad", NOT_NUMBERS.values(), ids=NOT_NUMBERS.keys())
def test_system_refuses_non_numbers_naming_kappa(bad):
    with pytest.raises(TypeError, match="kappa must be a real number"):
        System(**{**GOOD, "kappa": bad})


@pytest.mark.parametrize("name", list(GOOD))
def test_every_system_field_refuses_bool_and_str(name):
    for bad in (True, "1.0"):
        with pytest.raises(TypeError, match=name):
            System(**{**GOOD, name: bad})


def test_message_for_bool_is_the_documented_one():
    with pytest.raises(TypeError) as err:
        System(**{**GOOD, "kappa": True})
    assert str(err.value) == "kappa must be a real number, got True"


def test_numpy_scalars_and_ints_are_accepted_and_stored_as_float():
    s = System(**{**GOOD, "kappa": np.float64(0.2), "n_m": np.int64(1), "eps": 10,
                  "G0": np.float32(1e-3)})
    assert s.kappa == 0.2 and s.n_m == 1.0 and s.eps == 10.0
    assert all(type(getattr(s, k)) is float for k in GOOD)
    ref = linear.analyze(System(**GOOD), "ccw")
    got = linear.analyze(System(**{**GOOD, "kappa": np.float64(0.2), "n_m": np.int64(1)}), "ccw")
    assert got.log_negativity_gaussian == ref.log_negativity_gaussian


@pytest.mark.parametrize("name,bad", [("Q", "3.2e7"), ("mass", None), ("n", True),
                                      ("temperature", 0.13 + 0j), ("dn_dlambda", "0")])
def test_paper_setup_float_fields_must_be_numbers(name, bad):
    with pytest.raises(TypeError, match=name):
        PaperSetup(**{name: bad})


@pytest.mark.parametrize("name", ["mechanical_in_hz", "rotation_in_hz"])
@pytest.mark.parametrize("bad", [1, 0, "yes", None, 1.0])
def test_paper_setup_switches_must_be_bools(name, bad):
    with pytest.raises(TypeError, match=name):
        PaperSetup(**{name: bad})


def test_paper_setup_switches_accept_numpy_bools():
    assert PaperSetup(mechanical_in_hz=np.bool_(True)).omega_m_si == pytest.approx(
        2 * math.pi * 6.3e7)


@pytest.mark.parametrize("name,bad", [("Delta_c", True), ("Omega", None), ("J", "1e6"),
                                      ("power", "0.02"), ("power", 0.02j),
                                      ("Delta_c", np.array([0.1, 0.2]))])
def test_operating_point_arguments_must_be_real_scalars(paper_setup, name, bad):
    kw = {"Delta_c": 0.3, name: bad}
    with pytest.raises(TypeError, match=name):
        paper_setup.system(**kw)


@pytest.mark.parametrize("name,bad", [("Delta_c", np.array([True, False])), ("power", ["0.02"]),
                                      ("Omega", np.array([1.0, None], dtype=object)),
                                      ("J", np.array([1e6 + 0j]))])
def test_dimensionless_refuses_non_numeric_arrays(paper_setup, name, bad):
    kw = {"Delta_c": 0.3, name: bad}
    with pytest.raises(TypeError, match=name):
        paper_setup.dimensionless(**kw)


@pytest.mark.parametrize("name,bad", [("kappa", True), ("coupling", "0.25"), ("n_m", None),
                                      ("G0", 0.05 + 0j), ("detuning", np.bool_(False))])
def test_design_point_arguments_must_be_numbers(name, bad):
    with pytest.raises(TypeError, match=name):
        design_point(**{**DESIGN, name: bad})


@pytest.mark.parametrize("bad", [np.array([True, True]), np.array(["0.2", "0.3"]),
                                 np.array([0.2, None], dtype=object), np.array([0.2 + 0j])],
                         ids=["bool", "str", "object", "complex"])
def test_array_path_refuses_non_numeric_arrays_naming_the_field(bad):
    with pytest.raises(TypeError, match="kappa"):
        check_system_arrays({"kappa": bad})
    with pytest.raises(TypeError, match="kappa"):  # the batched engine behind every sweep
        linear.evaluate({**GOOD, "kappa": bad}, "ccw", "brownian")


@pytest.mark.parametrize("bad", [[True, False], ["0.2"]], ids=["bool", "str"])
def test_sweep_grids_refuse_bool_and_str(bad):
    with pytest.raises(TypeError, match="kappa"):
        linear.sweep(System(**GOOD), kappa=bad)


def test_sweep_still_accepts_numeric_grids_of_any_numeric_dtype():
    s = System(**GOOD)
    a = linear.sweep(s, n_m=np.array([1, 2], dtype=np.int64))
    b = linear.sweep(s, n_m=[1.0, 2.0])
    assert np.array_equal(a["E_N gaussian"].to_numpy(), b["E_N gaussian"].to_numpy())


# --- 2. out of range / overflowing inputs are refused by name ------------------------------

def test_design_point_with_huge_kappa_names_kappa():
    with pytest.raises(ValueError, match="kappa") as err:
        design_point(**{**DESIGN, "kappa": 1e300})
    assert_plain_value_error(err)
    assert "Delta_c" not in str(err.value)  # the old message blamed the derived Delta_c


@pytest.mark.parametrize("name,bad", [("kappa", 1e160), ("eps", 1e300), ("eps", 1e100),
                                      ("n_m", 1e200), ("Delta_c", -1e40), ("G0", 1e31),
                                      ("kappa", 10**400)],
                         ids=["kappa-1e160", "eps-1e300", "eps-1e100", "n_m-1e200",
                              "Delta_c--1e40", "G0-1e31", "kappa-int-1e400"])
def test_system_refuses_overflowing_values_naming_them(name, bad):
    with pytest.raises(ValueError, match=rf"{name} must lie in .*1e\+30\]") as err:
        System(**{**GOOD, name: bad})
    assert_plain_value_error(err)


def test_magnitude_limit_is_inclusive():
    assert System(**{**GOOD, "n_m": MAX_MAGNITUDE, "Delta_c": -MAX_MAGNITUDE}).n_m == 1e30
    with pytest.raises(ValueError, match="n_m"):
        System(**{**GOOD, "n_m": np.nextafter(MAX_MAGNITUDE, np.inf)})


@pytest.mark.parametrize("name,bad", [("kappa", 1e160), ("eps", 1e300), ("n_m", 1e200)])
def test_sweeps_refuse_overflowing_values_naming_them(name, bad):
    with pytest.raises(ValueError, match=name) as err:
        linear.sweep(System(**GOOD), **{name: [1.0, bad]})
    assert_plain_value_error(err)


def test_design_point_names_the_inputs_behind_an_overflowing_drive():
    # A tiny G0 needs an enormous ε for the requested coupling: blame G0, not "eps".
    with pytest.raises(ValueError, match=r"derived eps = inf .* computed from G0=") as err:
        design_point(**{**DESIGN, "G0": 1e-320})
    assert_plain_value_error(err)


def test_design_point_names_the_inputs_behind_an_overflowing_detuning():
    # G0 q_s = |G_d|²/2·(1 + |α_u/α_d|²) does not depend on G0: a huge coupling shifts Δ_c
    # beyond the limit even though the drive ε it needs is moderate.
    with pytest.raises(ValueError, match=r"derived Delta_c = 5.07353e\+31 .* computed from "
                                         r"coupling=1e\+16") as err:
        design_point(**{**DESIGN, "coupling": 1e16, "G0": 1e10})
    assert_plain_value_error(err)


@pytest.mark.parametrize("setup,op,culprit", [
    (dict(temperature=1e300), {}, "n_m = .* computed from temperature=1e\\+300"),
    (dict(radius=1e-320), {}, "G0 = inf .* computed from radius="),
    ({}, dict(power=1e300), "eps = inf .* computed from power=1e\\+300"),
    (dict(mass=1e-320, omega_m=1e-10), {}, "G0 = nan .* computed from mass=9.99989e-321"),
    (dict(n=1e300), dict(Omega=8e3), "Delta_F = nan .* computed from n=1e\\+300"),
])
def test_paper_setup_names_the_si_inputs_of_an_overflowing_field(setup, op, culprit):
    p = PaperSetup(**setup)
    with pytest.raises(ValueError, match=culprit):
        p.system(Delta_c=0.3, **op)
    with pytest.raises(ValueError, match=culprit):  # vectorised path, same check
        p.dimensionless(Delta_c=[0.3], **{k: [v] for k, v in op.items()})


def test_tiny_kappa_overflowing_the_amplitudes_is_named():
    # Within the limits, but α = ε/κ = 1e330: the ceiling cannot catch this one.
    s = System(kappa=1e-300, J=0.0, Delta_c=0.0, Delta_F=0.0, gamma_m=1e-3, n_m=1.0, G0=0.0,
               eps=1e30)
    with pytest.raises(ValueError, match=r"amplitudes .* computed from kappa=1e-300, eps=1e\+30"):
        linear.steady_states(s, "ccw")
    with pytest.raises(ValueError, match="kappa") as err:
        linear.analyze(s, "ccw")
    assert_plain_value_error(err)


def test_real_roots_of_a_non_finite_quintic_are_absent_not_an_error():
    good = np.array([-6.0, 11.0, -6.0, 0.0, 0.0, 0.0])  # only the monic x⁵ term on top
    good[5] = 1.0
    coeffs = np.stack([np.array([np.inf, 0, 0, 0, 0, 1.0]), good])
    roots = real_roots(coeffs)  # numpy's eigvals would raise LinAlgError for the batch
    assert np.isnan(roots[0]).all()
    assert np.isfinite(roots[1]).sum() >= 1
    assert np.array_equal(roots[1], real_roots(good[None])[0], equal_nan=True)


def test_a_stable_point_never_reports_a_non_finite_covariance(monkeypatch):
    s = System(**{**GOOD, "n_m": 1e30})
    assert linear.analyze(s, "ccw").stable  # the real point is fine ...
    monkeypatch.setattr(engine, "solve_lyapunov", lambda A, D: np.full(np.shape(A), np.inf))
    with pytest.raises(ValueError, match=r"covariance matrix is not finite.*n_m=1e\+30") as err:
        linear.analyze(s, "ccw")  # ... and a non-finite V is refused, not returned
    assert_plain_value_error(err)


def test_a_stable_point_never_reports_a_nan_log_negativity(monkeypatch):
    monkeypatch.setattr(engine, "log_negativity", lambda V, modes: np.nan)
    with pytest.raises(ValueError, match="not finite in float64"):
        linear.analyze(System(**GOOD), "ccw")


def test_linear_algebra_failure_becomes_a_named_value_error(monkeypatch):
    def singular(A, D):
        raise np.linalg.LinAlgError("Singular matrix")
    monkeypatch.setattr(engine, "solve_lyapunov", singular)
    with pytest.raises(ValueError, match="not finite in float64.*kappa=") as err:
        linear.analyze(System(**GOOD), "ccw")
    assert_plain_value_error(err)


def test_log_negativity_of_a_huge_but_finite_covariance_is_finite():
    # ν₋ is homogeneous of degree 1 in V, but det V' is quartic: 1e100-sized V used to give NaN.
    r = 0.4
    c, sh = math.cosh(2 * r) / 2, math.sinh(2 * r) / 2
    V = np.array([[c, 0, sh, 0], [0, c, 0, -sh], [sh, 0, c, 0], [0, -sh, 0, c]])
    nu = smallest_pt_symplectic_eigenvalue(V)
    big = 2.0**400  # power of two: the scaled value must match exactly
    assert smallest_pt_symplectic_eigenvalue(V * big) == nu * big
    thermal = np.eye(4) * (1e100 + 0.5)
    assert smallest_pt_symplectic_eigenvalue(thermal) == pytest.approx(1e100)
    assert log_negativity(thermal) == 0.0


# --- 3. branch index ------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [True, False, 1.0, "0"])
def test_branch_must_be_an_int(bad):
    with pytest.raises(TypeError, match="branch"):
        linear.analyze(System(**GOOD), "ccw", branch=bad)


def test_branch_out_of_range_names_the_valid_range_and_numpy_ints_work():
    s = System(**GOOD)
    with pytest.raises(ValueError, match=r"branch must be in \[0, 0\]"):
        linear.analyze(s, "ccw", branch=3)
    assert linear.analyze(s, "ccw", branch=np.int64(0)).branch == 0


# --- 4. physics unchanged, physical values keep their headroom ------------------------------

def test_the_papers_point_still_analyses(paper_setup):
    s = paper_setup.system(Delta_c=0.3, Omega=8e3, J=0, power=0.02)
    assert s.eps == pytest.approx(5.46e4, rel=1e-2) and s.n_m == pytest.approx(269.65, abs=0.01)
    r = linear.analyze(s, "ccw")
    assert r.stable and 0.14 < r.log_negativity_gaussian < 0.148
    assert r.photons["ccw"] > 1e9 and r.photons["cw"] == 0.0  # J = 0: the CW mode stays empty


@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_large_but_plausible_values_work(bath):
    s = System(kappa=1e8, J=1e7, Delta_c=1e8, Delta_F=1e7, gamma_m=1e8, n_m=1e8, G0=1e-2,
               eps=1e8, bath=bath)
    for direction in ("ccw", "cw"):
        r = linear.analyze(s, direction)
        assert r.stable and np.isfinite(r.log_negativity_gaussian) and np.isfinite(r.V).all()
    hot = linear.analyze(System(**{**GOOD, "n_m": 1e8, "G0": 0.0}, bath=bath), "ccw")
    assert hot.stable and hot.V[4, 4] == pytest.approx(1e8 + 0.5, rel=1e-12)  # thermal
    cooled = linear.analyze(System(**{**GOOD, "n_m": 1e8}, bath=bath), "ccw")
    assert cooled.stable and 1e7 < cooled.V[4, 4] < hot.V[4, 4]  # red detuned: cooling
