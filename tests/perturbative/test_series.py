"""omxval.perturbative without a Fock space: order 0 against Lyapunov, parity, symmetry, the
zero-coupling limit, the ladder's scaling, E_N against finite differences, the API's guards.

The full-quantum truths (the generator term by term, V2, V4 and the means against the
nonlinear model) are in test_against_fullquantum.py.
"""

import subprocess
import sys

import numpy as np
import pytest

from omxval import linear, perturbative, presets
from omxval.errors import InputError, InputTypeError
from omxval.linear import Cavity, Mechanical, Model, ModelPoint, RadiationPressure
from omxval.linear.presets import spinning_resonator_point
from omxval.perturbative.generator import linearized_terms
from omxval.perturbative.monomials import basis, count, gaussian_moments
from omxval.perturbative.series import expand

from .conftest import REFERENCE, four_modes, one_cavity_one_mirror

PRESETS = {
    "spinning resonator": lambda: spinning_resonator_point(
        linear.design_point(**REFERENCE, direction="ccw")),
    "vitali2007": lambda: ModelPoint(presets.vitali2007()),
    "electro-optomechanics": lambda: ModelPoint(presets.electro_optomechanics()),
    "four modes": four_modes,
}


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_order_zero_is_the_lyapunov_covariance(name):
    point = PRESETS[name]()
    series = perturbative.covariance_series(point)
    V = linear.analyze(point).V
    assert sorted(series) == [0, 2, 4]
    np.testing.assert_allclose(series[0], V, rtol=0, atol=1e-12 * max(1.0, np.abs(V).max()))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_coefficient_is_symmetric_finite_and_read_only(name):
    series = perturbative.covariance_series(PRESETS[name]())
    for V in series.values():
        assert np.isfinite(V).all() and np.array_equal(V, V.T)
        with pytest.raises(ValueError):
            V[0, 0] = 1.0
    with pytest.raises(TypeError):
        series[6] = series[4]


@pytest.mark.parametrize("make", [one_cavity_one_mirror, four_modes])
def test_odd_orders_vanish_by_parity(make):
    # Solved without assuming Eq. P7, every block of every order: the odd orders of V and
    # the even orders of the means vanish (exactly, since 𝓛1 only changes the degree by odd
    # amounts). That V has no s³ term physically is the slope 4 of V_nonlinear − V_lin −
    # s²V2 in test_against_fullquantum.py.
    point = make()
    m = expand(point, 4, 2, parity=False)
    scale = {k: np.abs(m.second(k)).max() for k in (2, 4)}
    assert min(scale.values()) > 1e-8
    for k in (1, 3):
        assert np.abs(m.second(k)).max() < 1e-12 * scale[2]
    for k in (2, 4):
        assert np.abs(m.first(k)).max() < 1e-12 * np.abs(m.first(1)).max()
    # and the blocks kept by parity are the same numbers either way
    kept = expand(point, 4, 2)
    for k in range(5):
        np.testing.assert_allclose(kept.second(k), m.second(k), rtol=1e-10, atol=1e-15)


def test_odd_orders_requested_are_the_even_series_before_them():
    point = one_cavity_one_mirror()
    three, two = (perturbative.covariance_series(point, order=k) for k in (3, 2))
    five = perturbative.covariance_series(point, order=5)
    assert sorted(three) == [0, 2] and sorted(five) == [0, 2, 4]
    for k in (0, 2):
        np.testing.assert_array_equal(three[k], two[k])
    assert sorted(perturbative.mean_series(point, order=4)) == [1, 3]
    assert dict(perturbative.mean_series(point, order=0)) == {}


def test_a_model_without_radiation_pressure_has_no_corrections():
    model = Model((Cavity("a", 1.0, 0.3, 2.0), Mechanical("b", 1.0, 0.05, 0.1)),
                  (RadiationPressure("a", "b", 0.0),))
    series = perturbative.covariance_series(model)
    assert not series[2].any() and not series[4].any()
    assert not any(m.any() for m in perturbative.mean_series(model).values())


def test_the_series_follows_the_ladder():
    # model.scaled(t) multiplies every g0 by t: the coefficients of s^k scale as t^k.
    point = one_cavity_one_mirror()
    scaled = ModelPoint(point.model.scaled(2.0), point.branch)
    a, b = (perturbative.covariance_series(p) for p in (point, scaled))
    np.testing.assert_allclose(b[0], a[0], rtol=1e-12)
    np.testing.assert_allclose(b[2], 4.0 * a[2], rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(b[4], 16.0 * a[4], rtol=1e-8, atol=1e-18)
    ma, mb = (perturbative.mean_series(p) for p in (point, scaled))
    np.testing.assert_allclose(mb[1], 2.0 * ma[1], rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(mb[3], 8.0 * ma[3], rtol=1e-8, atol=1e-18)


def test_spinning_resonator_in_powers_of_G0_at_fixed_design(reference):
    # The docstring's map: V2 / G0² does not depend on the G0 of the design point.
    other = linear.design_point(**{**REFERENCE, "G0": 0.1}, direction="ccw")
    a, b = (perturbative.covariance_series(p) for p in (reference, other))
    np.testing.assert_allclose(a[2] / 0.05**2, b[2] / 0.1**2, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(a[4] / 0.05**4, b[4] / 0.1**4, rtol=1e-8, atol=1e-15)


def test_the_three_call_forms_agree(reference):
    mp = spinning_resonator_point(reference)
    for k, V in perturbative.covariance_series(mp).items():
        np.testing.assert_array_equal(perturbative.covariance_series(reference)[k], V)
    point = one_cavity_one_mirror()
    np.testing.assert_array_equal(perturbative.covariance_series(point.model)[2],
                                  perturbative.covariance_series(ModelPoint(point.model))[2])


@pytest.mark.parametrize("degree", [4, 6])
def test_the_wick_moments_solve_the_gaussian_moment_equations(degree):
    # Eq. P9 against Eq. P8 at order 0: C0_d μ_d + C−2_d μ_(d−2) = 0 for the Wick moments.
    point = four_modes()
    L0 = linearized_terms(linear.analyze(point))
    V0 = perturbative.covariance_series(point, order=0)[0]
    mu, below = gaussian_moments(V0, degree), gaussian_moments(V0, degree - 2)
    residual = L0.matrix(degree, 0) @ mu + L0.matrix(degree, -2) @ below
    assert np.abs(residual).max() < 1e-12 * np.abs(L0.matrix(degree, 0) @ mu).max()


def test_monomial_counts_of_the_issue():
    # 3 modes: the moments up to degree 4 (V2) and 6 (V4) are 210 and 924 monomials.
    assert sum(count(6, d) for d in range(5)) == 210
    assert sum(count(6, d) for d in range(7)) == 924
    assert basis(6, 6).size == count(6, 6) == 462


@pytest.mark.parametrize("a, b", [("ccw", "m"), ("cw", "m"), ("ccw", "cw")])
def test_log_negativity_series_against_finite_differences(reference, a, b):
    point = spinning_resonator_point(reference)
    series = perturbative.gaussian_log_negativity_series(point, a, b)
    V = perturbative.covariance_series(point, order=2)
    i, j = point.model.index(a), point.model.index(b)
    assert series[0] == pytest.approx(float(linear.log_negativity(V[0], (i, j))), abs=1e-15)
    if a == "ccw" and b == "m":
        assert series[0] == pytest.approx(0.099523, abs=1e-6)  # docs/conventions.md §5
    h = 1e-5 / np.abs(V[2]).max()  # s²: V moves by 1e-5, first order to ~1e-9, above round-off
    en = [float(linear.log_negativity(V[0] + t * V[2], (i, j))) for t in (-h, h)]
    fd = (en[1] - en[0]) / (2 * h)
    assert series[2] == pytest.approx(fd, rel=1e-6, abs=1e-12)
    if series[0] == 0.0:
        assert series[2] == 0.0


def test_log_negativity_series_of_the_entangled_cavities_of_electro_optomechanics():
    model = presets.electro_optomechanics()
    series = perturbative.gaussian_log_negativity_series(model, "o", "w")
    V = perturbative.covariance_series(model, order=2)
    assert series[0] == pytest.approx(linear.analyze(model).log_negativity("o", "w"), abs=1e-12)
    h = 1e-5 / np.abs(V[2]).max()
    en = [float(linear.log_negativity(V[0] + t * V[2], (0, 1))) for t in (-h, h)]
    assert series[2] == pytest.approx((en[1] - en[0]) / (2 * h), rel=1e-6)


def unstable_point() -> ModelPoint:
    # Blue detuning with strong coupling: the parametric instability.
    model = Model((Cavity("a", -1.0, 0.1, 1.0), Mechanical("b", 1.0, 1e-3, 0.1)),
                  (RadiationPressure("a", "b", 0.05),))
    point = linear.design_model(model, coupling=0.5)
    assert not linear.analyze(point).stable
    return point


@pytest.mark.parametrize("call", [
    lambda p: perturbative.covariance_series(p),
    lambda p: perturbative.covariance_series(p, order=0),
    lambda p: perturbative.mean_series(p, order=0),
    lambda p: perturbative.gaussian_log_negativity_series(p, "a", "b")])
def test_an_unstable_point_is_refused_never_a_number(call):
    with pytest.raises(perturbative.UnstablePointError, match="unstable at mean-field branch"):
        call(unstable_point())


@pytest.mark.parametrize("order, error", [(-1, InputError), (7, InputError),
                                          (2.0, InputTypeError), (True, InputTypeError),
                                          ("4", InputTypeError)])
def test_order_is_checked_first(order, error):
    with pytest.raises(error, match=r"order .*\[0, 6\]"):
        perturbative.covariance_series(unstable_point(), order=order)
    with pytest.raises(error, match=r"order .*\[0, 6\]"):
        perturbative.mean_series(unstable_point(), order=order)


def test_bad_points_and_modes():
    with pytest.raises(InputTypeError, match="point must be"):
        perturbative.covariance_series("model.toml")
    point = one_cavity_one_mirror()
    with pytest.raises(InputError, match="no mode 'c'"):
        perturbative.gaussian_log_negativity_series(point, "a", "c")
    with pytest.raises(InputError, match="two different modes"):
        perturbative.gaussian_log_negativity_series(point, "a", "a")


def test_an_expansion_too_large_is_refused_before_work():
    modes = tuple(Cavity(f"a{k}", 1.0, 0.3, 0.0) for k in range(5)) + (
        Mechanical("b", 1.0, 0.05, 0.1),)
    model = Model(modes, tuple(RadiationPressure(f"a{k}", "b", 0.01) for k in range(5)))
    with pytest.raises(InputError, match="above the limit"):
        perturbative.covariance_series(model, order=6)


def test_the_package_imports_neither_qutip_nor_fullquantum(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from omxval import perturbative; print(sorted("
         "m for m in ('qutip', 'omxval.fullquantum', 'omxval.compare') if m in sys.modules))"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr
