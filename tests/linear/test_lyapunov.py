"""Batched Lyapunov solver: residual, SciPy, and the time integral of dV/dt."""

import numpy as np
import pytest
import scipy.linalg
from scipy.integrate import solve_ivp

from omxval import linear
from omxval.linear import solve_lyapunov
from tests.conftest import reference_system


def model_drift_matrices(n: int, seed: int = 0):
    """Stable (A, D) of this model at random paper-scale operating points."""
    setup = linear.PaperSetup()
    rng = np.random.default_rng(seed)
    fields = setup.dimensionless(Delta_c=rng.uniform(0, 3, n), Omega=rng.uniform(0, 3e4, n),
                                 J=rng.uniform(0, 2, n) * setup.kappa_si,
                                 power=rng.uniform(1e-3, 3e-2, n))
    res = linear.evaluate(fields, "ccw", "brownian", covariance=True)
    ok = res["stable"][:, 0]
    return res, ok


def test_agrees_with_scipy_on_model_systems():
    setup = linear.PaperSetup()
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(60):
        s = setup.system(Delta_c=rng.uniform(0, 3), Omega=rng.uniform(0, 3e4),
                         J=rng.uniform(0, 2) * setup.kappa_si, power=rng.uniform(1e-3, 3e-2))
        for d in ("ccw", "cw"):
            r = linear.analyze(s, d)
            if not r.stable:
                continue
            ref = scipy.linalg.solve_continuous_lyapunov(r.A, -r.D)
            assert np.abs(r.V - ref).max() <= 1e-10 * np.abs(ref).max()
            checked += 1
    assert checked > 40


def test_batched_equals_single_and_residual_is_roundoff():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(200, 6, 6)) - 3 * np.eye(6)
    B = rng.normal(size=(200, 6, 6))
    D = B @ np.swapaxes(B, 1, 2)
    V = solve_lyapunov(A, D)
    assert np.allclose(V, np.swapaxes(V, 1, 2), atol=0)
    R = A @ V + V @ np.swapaxes(A, 1, 2) + D
    assert np.abs(R).max() < 1e-12 * np.abs(D).max() * 10
    assert np.allclose(solve_lyapunov(A[7], D[7]), V[7], rtol=1e-13, atol=1e-13)
    assert np.allclose(solve_lyapunov(A, D, refine=2), V, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_lyapunov_is_the_long_time_limit_of_dV_dt(bath):
    """V(t) from dV/dt = AV + VAᵀ + D (paper Eq. 10) tends to the Lyapunov solution."""
    s = reference_system(bath, gamma_m=0.1)  # faster mechanical relaxation keeps this short
    r = linear.analyze(s, "ccw")
    A, D = r.A, r.D

    def rhs(t, v):
        V = v.reshape(6, 6)
        return (A @ V + V @ A.T + D).ravel()

    sol = solve_ivp(rhs, (0, 400.0), np.zeros(36), method="LSODA", rtol=1e-10, atol=1e-12)
    assert np.abs(sol.y[:, -1].reshape(6, 6) - r.V).max() < 1e-6


def test_threaded_split_is_identical():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(2000, 6, 6)) - 3 * np.eye(6)
    D = np.broadcast_to(np.eye(6), A.shape)
    np.testing.assert_array_equal(solve_lyapunov(A, D, workers=2), solve_lyapunov(A, D))
