import pytest

from omxval import linear

# Reference point of docs/conventions.md §5 (independently computed values there).
REFERENCE = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
                 coupling=0.25)
REFERENCE_EN = {"brownian": 0.099523, "lindblad": 0.099783}


@pytest.fixture
def paper_setup() -> linear.PaperSetup:
    return linear.PaperSetup()


def reference_point(bath: str = "brownian", direction: str = "ccw", **changes
                    ) -> linear.OperatingPoint:
    return linear.design_point(**{**REFERENCE, **changes}, direction=direction, bath=bath)


def reference_system(bath: str = "brownian", direction: str = "ccw", **changes) -> linear.System:
    return reference_point(bath, direction, **changes).system
