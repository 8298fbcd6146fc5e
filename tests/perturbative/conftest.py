"""Small models shared by the tests of omxval.perturbative."""

import pytest

from omxval import linear
from omxval.linear import Cavity, Hopping, Mechanical, Model, ModelPoint, RadiationPressure

# Reference point of docs/conventions.md §5 (the spinning resonator, ccw drive).
REFERENCE = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
                 coupling=0.25)


def one_cavity_one_mirror(bath: str = "brownian", cavity_thermal: float = 0.0,
                          g0: float = 0.05) -> ModelPoint:
    """A red-detuned cavity on a cold mirror: low occupations, so small Fock spaces hold the
    nonlinear model to ~1e-11 (cutoffs (9, 12))."""
    model = Model((Cavity("a", 1.0, 0.3, 1.0, thermal=cavity_thermal),
                   Mechanical("b", 1.0, 0.05, 0.1, bath)),
                  (RadiationPressure("a", "b", g0),))
    return linear.design_model(model, coupling=0.2)


def four_modes(g0: float = 0.08) -> ModelPoint:
    """Two cavities (one warm), two mechanical modes with the two baths, hopping in both."""
    model = Model((Cavity("a", 0.7, 0.35, 0.6, thermal=0.1), Cavity("c", 1.1, 0.3, 0.0),
                   Mechanical("m1", 1.0, 0.05, 0.2, "brownian"),
                   Mechanical("m2", 1.3, 0.04, 0.1, "lindblad")),
                  (RadiationPressure("a", "m1", g0), RadiationPressure("c", "m2", 0.6 * g0),
                   Hopping(("a", "c"), 0.15), Hopping(("m1", "m2"), 0.05)))
    return ModelPoint(model)


@pytest.fixture
def reference() -> linear.OperatingPoint:
    return linear.design_point(**REFERENCE, direction="ccw")
