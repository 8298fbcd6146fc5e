"""Parameters: derived SI values of docs/conventions.md §1, unit switches, every validation path."""

import math

import numpy as np
import pytest

from omxval import linear
from omxval.linear import PaperSetup, System, design_point

GOOD = dict(kappa=0.2, J=0.1, Delta_c=1.0, Delta_F=0.1, gamma_m=1e-3, n_m=1.0, G0=1e-3, eps=10.0)


def test_derived_values_of_the_paper_set(paper_setup):
    p = paper_setup
    assert p.kappa_si / p.omega_m_si == pytest.approx(0.6028, abs=1e-4)
    assert p.G0_si == pytest.approx(452.0, abs=0.05)
    assert p.sagnac_per_omega() == pytest.approx(3586.5, abs=0.05)
    assert p.Delta_F_si(8e3) / p.omega_m_si == pytest.approx(0.4554, abs=1e-4)
    assert p.Delta_F_si(2.3e4) / p.omega_m_si == pytest.approx(1.309, abs=1e-3)
    assert p.n_m == pytest.approx(269.65, abs=0.01)
    assert p.eps_si(0.02) == pytest.approx(3.443e12, rel=1e-4)


def test_system_from_setup_is_dimensionless(paper_setup):
    s = paper_setup.system(Delta_c=0.3, Omega=8e3, J=1e6, power=0.02)
    w = paper_setup.omega_m_si
    assert s.kappa == pytest.approx(paper_setup.kappa_si / w)
    assert s.J == pytest.approx(1e6 / w)
    assert s.eps == pytest.approx(paper_setup.eps_si(0.02) / w)
    assert s.Delta_c == 0.3 and s.bath == "brownian"


def test_two_pi_readings_are_explicit_switches():
    plain, hz = PaperSetup(), PaperSetup(mechanical_in_hz=True, rotation_in_hz=True)
    assert hz.omega_m_si == pytest.approx(2 * math.pi * plain.omega_m_si)
    assert hz.gamma_m_si == pytest.approx(2 * math.pi * plain.gamma_m_si)
    assert hz.Delta_F_si(1.0) == pytest.approx(2 * math.pi * plain.Delta_F_si(1.0))
    assert hz.n_m < plain.n_m  # higher ω_m at the same T: fewer phonons
    assert hz.G0_si == pytest.approx(plain.G0_si / math.sqrt(2 * math.pi))


@pytest.mark.parametrize("name,bad", [
    ("kappa", 0.0), ("kappa", -1.0), ("J", -0.1), ("gamma_m", 0.0), ("n_m", -1.0),
    ("G0", -1e-3), ("eps", -1.0), ("Delta_c", float("nan")), ("Delta_F", float("inf")),
])
def test_system_rejects_bad_values_naming_the_parameter(name, bad):
    with pytest.raises(ValueError, match=name):
        System(**{**GOOD, name: bad})


def test_system_rejects_non_numbers_with_a_type_error():
    # A string is not a number, whatever it spells (was a ValueError before types were checked).
    with pytest.raises(TypeError, match="kappa"):
        System(**{**GOOD, "kappa": "abc"})


def test_system_rejects_unknown_bath():
    with pytest.raises(ValueError, match="bath"):
        System(**GOOD, bath="ohmic")


def test_system_is_immutable_and_replace_validates():
    s = System(**GOOD)
    with pytest.raises(AttributeError):
        s.kappa = 1.0
    with pytest.raises(ValueError, match="kappa"):
        s.replace(kappa=-1.0)
    assert s.replace(J=0.0).J == 0.0


@pytest.mark.parametrize("name,bad", [("n", 0.5), ("mass", 0.0), ("radius", -1.0),
                                      ("wavelength", 0.0), ("Q", -3.0), ("omega_m", 0.0),
                                      ("gamma_m", float("nan")), ("temperature", -0.1),
                                      ("bath", "x")])
def test_paper_setup_validation(name, bad):
    with pytest.raises(ValueError, match=name):
        PaperSetup(**{name: bad})


@pytest.mark.parametrize("name,bad", [("J", -1.0), ("power", -0.01), ("Omega", float("nan")),
                                      ("Delta_c", float("inf"))])
def test_operating_point_validation(paper_setup, name, bad):
    kw = {"Delta_c": 0.3, name: bad}
    with pytest.raises(ValueError, match=name):
        paper_setup.system(**kw)
    with pytest.raises(ValueError, match=name):  # the vectorised path validates the same way
        linear.paper_sweep(paper_setup, **{**kw, name: [0.0, bad] if name != "Delta_c" else [bad]})


@pytest.mark.parametrize("name,bad", [("G0", 0.0), ("coupling", -0.1), ("kappa", 0.0),
                                      ("direction", "up"), ("bath", "x"), ("detuning", np.nan)])
def test_design_point_validation(name, bad):
    kw = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
              coupling=0.25)
    kw[name] = bad
    with pytest.raises(ValueError, match=name):
        design_point(**kw)
