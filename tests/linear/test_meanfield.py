"""Mean field (paper Eq. 7): roots against brute force, and the Langevin steady state."""

import numpy as np
import pytest
from scipy.optimize import brentq

from omxval import linear
from omxval.linear.meanfield import amplitudes, mechanical_shift_factor


def brute_force_roots(s: linear.System, direction: str) -> list[float]:
    """Sign changes of x − c G0² N(x) on a fine grid, refined by brentq (no polynomial)."""
    D_ccw, D_cw = s.detunings()
    D_d, D_u = (D_ccw, D_cw) if direction == "ccw" else (D_cw, D_ccw)
    c = float(mechanical_shift_factor(s.gamma_m, s.bath))

    def f(x):
        a_d, a_u = amplitudes(s.kappa, s.J, D_d - x, D_u - x, s.eps)
        return x - c * s.G0**2 * (abs(a_d) ** 2 + abs(a_u) ** 2)

    # x lies in [0, c G0² ε²/κ²] (N is at most ε²/κ² for J = 0 and smaller otherwise).
    grid = np.linspace(0.0, 1.01 * c * s.G0**2 * s.eps**2 / s.kappa**2, 200001)
    vals = f(grid)
    idx = np.nonzero(np.sign(vals[:-1]) != np.sign(vals[1:]))[0]
    return [brentq(f, grid[i], grid[i + 1], xtol=1e-14) for i in idx]


def bistable_point(setup: linear.PaperSetup, power: float) -> linear.System:
    for dc in np.linspace(0.0, 3.0, 301):
        s = setup.system(Delta_c=dc, Omega=8e3, J=0.5 * setup.kappa_si, power=power)
        if len(linear.steady_states(s, "ccw")) == 3:
            return s
    raise AssertionError("no tristable point found")


@pytest.mark.parametrize("power", [0.06, 0.07, 0.08])
def test_every_branch_found_in_a_multistable_case(paper_setup, power):
    s = bistable_point(paper_setup, power)
    roots = [b.shift for b in linear.steady_states(s, "ccw")]
    assert len(roots) == 3
    assert np.allclose(roots, brute_force_roots(s, "ccw"), rtol=1e-9, atol=1e-12)


def test_one_branch_at_20mW_three_between_40_and_60mW(paper_setup):
    counts = {}
    for p in (0.02, 0.04, 0.06):
        grid = paper_setup.dimensionless(Delta_c=np.linspace(-1, 3, 801), Omega=8e3,
                                         J=0.0, power=p)
        counts[p] = int(linear.evaluate(grid, "ccw", "brownian")["n_branches"].max())
    assert counts == {0.02: 1, 0.04: 1, 0.06: 3}


@pytest.mark.parametrize("direction", ["ccw", "cw"])
@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_branches_solve_the_langevin_steady_state(direction, bath):
    """Each branch makes the right-hand sides of paper Eq. 3 vanish (and the bath's means)."""
    s = linear.System(kappa=0.3, J=0.2, Delta_c=1.0, Delta_F=0.2, gamma_m=0.05, n_m=1.0,
                      G0=0.01, eps=80.0, bath=bath)
    for b in linear.steady_states(s, direction):
        a = {"ccw": b.alpha_ccw, "cw": b.alpha_cw}
        other = {"ccw": "cw", "cw": "ccw"}
        D = dict(zip(("ccw", "cw"), s.detunings()))
        for j in ("ccw", "cw"):
            drive = s.eps if j == direction else 0.0
            rhs = (-(1j * D[j] + s.kappa) * a[j] - 1j * s.J * a[other[j]]
                   + 1j * s.G0 * a[j] * b.q_s + drive)
            assert abs(rhs) < 1e-9 * s.eps
        N = sum(b.photons)
        if bath == "brownian":  # dq/dt = p, dp/dt = −q − γp + G0 N
            assert b.p_s == 0 and b.q_s == pytest.approx(s.G0 * N, rel=1e-12)
        else:  # db/dt = −(i + γ/2) b + i G0 N/√2 with b = (q + ip)/√2
            beta = (b.q_s + 1j * b.p_s) / np.sqrt(2)
            assert abs(-(1j + s.gamma_m / 2) * beta + 1j * s.G0 * N / np.sqrt(2)) < 1e-12 * N


def test_no_drive_gives_the_empty_cavity():
    s = linear.System(kappa=0.3, J=0.2, Delta_c=1.0, Delta_F=0.2, gamma_m=0.05, n_m=1.0,
                      G0=0.01, eps=0.0)
    (b,) = linear.steady_states(s, "ccw")
    assert b.photons == (0.0, 0.0) and b.q_s == 0.0
