"""Batched Lyapunov solver: residual, SciPy, and the time integral of dV/dt; both of its
solvers (compiled kernel, NumPy batched LAPACK) and the fallback between them."""

import numpy as np
import pytest
import scipy.linalg
from scipy.integrate import solve_ivp

from omxval import linear
from omxval.linear import lyapunov, solve_lyapunov
from tests.conftest import reference_system


def model_drift_matrices(n: int, seed: int = 0):
    """Stable (A, D) of this model (paper Eq. 6) at random paper-scale operating points."""
    setup = linear.PaperSetup()
    rng = np.random.default_rng(seed)
    f = setup.dimensionless(Delta_c=rng.uniform(-1, 3, n), Omega=rng.uniform(0, 3e4, n),
                            J=rng.uniform(0, 2, n) * setup.kappa_si,
                            power=rng.uniform(1e-3, 3e-2, n))
    mf = linear.meanfield.branches(f["kappa"], f["J"], f["Delta_c"], f["Delta_F"],
                                   f["gamma_m"], f["G0"], f["eps"], "brownian", "ccw")
    G = np.sqrt(2) * f["G0"]
    A = linear.drift.drift_arrays(f["kappa"], f["J"], mf["Dt_ccw"][:, 0], mf["Dt_cw"][:, 0],
                                  G * mf["alpha_ccw"][:, 0], G * mf["alpha_cw"][:, 0],
                                  f["gamma_m"], "brownian")
    D = linear.drift.diffusion_arrays(f["kappa"], f["gamma_m"], f["n_m"], "brownian")
    ok = linear.is_stable(A)
    return A[ok], np.broadcast_to(D, A.shape)[ok]


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


def random_stable_systems(count: int, n: int, seed: int):
    """(A, D) with max Re λ(A) ≤ −0.2 (well posed: SciPy is accurate there) and D = B Bᵀ."""
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(count, n, n))
    shift = np.linalg.eigvals(G).real.max(axis=-1) + rng.uniform(0.2, 2.0, count)
    A = G - shift[:, None, None] * np.eye(n)
    B = rng.normal(size=(count, n, n))
    return A, B @ np.swapaxes(B, 1, 2)


def relative_difference(V, ref):
    return np.abs(V - ref).max(axis=(-2, -1)) / np.abs(ref).max(axis=(-2, -1))


def numpy_path(A, D, refine=0):
    A = np.asarray(A, dtype=float)
    return lyapunov._solve_numpy(A, np.broadcast_to(D, A.shape), refine)


needs_numba = pytest.mark.skipif(lyapunov._compiled_kernel() is None,
                                 reason="numba not installed: only the NumPy path exists")


@pytest.mark.parametrize("n", [4, 6, 8])  # 2-, 3- and 4-mode models
@pytest.mark.parametrize("solver", [solve_lyapunov, numpy_path], ids=["default", "numpy"])
def test_random_stable_systems_agree_with_scipy(n, solver):
    A, D = random_stable_systems(300, n, seed=n)  # 300: several lane blocks and a ragged end
    V = solver(A, D)
    ref = np.array([scipy.linalg.solve_continuous_lyapunov(a, -d) for a, d in zip(A, D)])
    assert relative_difference(V, ref).max() < 1e-12
    np.testing.assert_array_equal(V, np.swapaxes(V, 1, 2))


@needs_numba
@pytest.mark.parametrize("n", [4, 6, 8])
def test_compiled_kernel_agrees_with_numpy_path(n):
    A, D = random_stable_systems(100, n, seed=10 + n)
    assert relative_difference(solve_lyapunov(A, D), numpy_path(A, D)).max() < 1e-12
    assert relative_difference(solve_lyapunov(A, D, refine=1),
                               numpy_path(A, D, refine=1)).max() < 1e-12


def test_model_systems_both_solvers_agree():
    """The paper model's drift matrices (sparse A, 22 of 36 entries), SciPy and NumPy path."""
    A, D = model_drift_matrices(600, seed=1)
    assert len(A) > 100
    V = solve_lyapunov(A, D)
    ref = np.array([scipy.linalg.solve_continuous_lyapunov(a, -d) for a, d in zip(A, D)])
    assert relative_difference(V, ref).max() < 1e-10  # SciPy's own error near marginal points
    assert relative_difference(V, numpy_path(A, D)).max() < 1e-12


@pytest.mark.parametrize("n", [4, 6, 8])
def test_a_batch_of_one_and_leading_axes(n):
    A, D = random_stable_systems(6, n, seed=20 + n)
    V = solve_lyapunov(A, D)
    np.testing.assert_allclose(solve_lyapunov(A[:1], D[:1]), V[:1], rtol=1e-13, atol=0)
    np.testing.assert_allclose(solve_lyapunov(A[3], D[3]), V[3], rtol=1e-13, atol=0)
    grid = solve_lyapunov(A.reshape(2, 3, n, n), D.reshape(2, 3, n, n))
    assert grid.shape == (2, 3, n, n)
    np.testing.assert_allclose(grid.reshape(6, n, n), V, rtol=1e-13, atol=0)
    one_D = solve_lyapunov(A, D[0])  # D broadcast against A's batch
    ref = np.array([scipy.linalg.solve_continuous_lyapunov(a, -D[0]) for a in A])
    assert relative_difference(one_D, ref).max() < 1e-12
    assert solve_lyapunov(A[:0], D[:0]).shape == (0, n, n)


@pytest.mark.parametrize("solver", [solve_lyapunov, numpy_path], ids=["default", "numpy"])
def test_singular_and_non_finite_inputs(solver):
    A, D = random_stable_systems(40, 6, seed=3)
    # λ = 1 and −1: λ_i + λ_j = 0, so M is exactly singular; one such point fails the batch
    # (the engine then solves point by point), as NumPy's solve does.
    bad = A.copy()
    bad[33] = np.diag([1.0, -1.0, -2.0, -3.0, -4.0, -5.0])
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        solver(bad, D)
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        solver(np.zeros((6, 6)), np.eye(6))
    # A NaN or inf entry poisons that point only.
    for value in (np.nan, np.inf):
        poisoned = A.copy()
        poisoned[7, 1, 3] = value
        with np.errstate(invalid="ignore", over="ignore"):
            V = solver(poisoned, D)
        finite = np.isfinite(V).all(axis=(1, 2))
        assert not finite[7] and finite[np.arange(40) != 7].all()
        np.testing.assert_allclose(V[finite], solver(A, D)[finite], rtol=1e-13, atol=0)


def test_unstable_but_regular_input_solves_the_equation():
    """An unstable A has no steady state, but the equation still has its unique solution."""
    A, D = random_stable_systems(10, 6, seed=4)
    A = -A  # every eigenvalue in the right half-plane: λ_i + λ_j ≠ 0
    V = solve_lyapunov(A, D)
    R = A @ V + V @ np.swapaxes(A, 1, 2) + D
    assert np.abs(R).max() < 1e-12 * np.abs(D).max() * np.abs(V).max() * 10
    ref = np.array([scipy.linalg.solve_continuous_lyapunov(a, -d) for a, d in zip(A, D)])
    assert relative_difference(V, ref).max() < 1e-12


def test_without_numba_the_numpy_path_runs(monkeypatch):
    A, D = random_stable_systems(50, 6, seed=5)
    monkeypatch.setattr(lyapunov, "_compiled_kernel", lambda: None)
    np.testing.assert_array_equal(solve_lyapunov(A, D), numpy_path(A, D))
    np.testing.assert_array_equal(solve_lyapunov(A, D, refine=1), numpy_path(A, D, refine=1))
