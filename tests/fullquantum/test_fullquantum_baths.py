"""The mechanical baths: the Brownian generator's moments and relaxation without coupling."""

import numpy as np
import pytest
import qutip

from omxval import fullquantum as fq
from tests.conftest import reference_system
from omxval.linear import analyze

GAMMA, N_TH = 5e-3, 0.2


def _test_states(cutoffs):
    """Mechanical states with support on Fock levels ≤ 3 (optics in vacuum).

    Every moment below involves at most four ladder operators, so with N_m = 8 the truncated
    operators act exactly on these states and the identities hold to round-off.
    """
    N_m = cutoffs[2]
    vac = qutip.tensor(qutip.basis(cutoffs[0], 0), qutip.basis(cutoffs[1], 0))
    psi = (qutip.basis(N_m, 0) + (0.3 + 0.4j) * qutip.basis(N_m, 1)
           + 0.2 * qutip.basis(N_m, 2)).unit()
    phi = (0.5j * qutip.basis(N_m, 1) - 0.7 * qutip.basis(N_m, 3)).unit()
    mixed = 0.6 * qutip.ket2dm(psi) + 0.4 * qutip.ket2dm(phi)
    return [qutip.ket2dm(qutip.tensor(vac, psi)), qutip.tensor(qutip.ket2dm(vac), mixed)]


def test_brownian_generator_damps_momentum_and_diffuses_it():
    cutoffs = (2, 2, 8)
    system = reference_system("brownian", gamma_m=GAMMA, n_m=N_TH)
    ops = fq.operators(cutoffs)
    bath = fq.mechanical_bath(system, ops)
    q, p = ops.q.full(), ops.p.full()
    for rho in _test_states(cutoffs):
        r = rho.full()
        dr = bath.apply(r)  # the bath's contribution to dρ/dt
        rate = lambda X: np.trace(X @ dr)  # noqa: E731 - d⟨X⟩/dt from the bath
        mean = lambda X: np.trace(X @ r)  # noqa: E731
        assert abs(np.trace(dr)) < 1e-15
        assert rate(p) == pytest.approx(-GAMMA * mean(p), abs=1e-15)   # d⟨p⟩/dt = −γ⟨p⟩
        assert abs(rate(q)) < 1e-15                                     # no force on q
        assert rate(p @ p) == pytest.approx(-2 * GAMMA * mean(p @ p) + GAMMA * (2 * N_TH + 1),
                                            abs=1e-15)                  # p-diffusion γ(2n+1)
        assert abs(rate(q @ q)) < 1e-15                                 # no q-diffusion
        assert rate(q @ p + p @ q) == pytest.approx(-GAMMA * mean(q @ p + p @ q), abs=1e-15)


def test_lindblad_bath_damps_both_quadratures():
    cutoffs = (2, 2, 8)
    system = reference_system("lindblad", gamma_m=GAMMA, n_m=N_TH)
    ops = fq.operators(cutoffs)
    b = ops.b.full()
    n_op = b.conj().T @ b
    for rho in _test_states(cutoffs):
        r = rho.full()
        dr = fq.mechanical_bath(system, ops).apply(r)
        assert np.trace(b @ dr) == pytest.approx(-GAMMA / 2 * np.trace(b @ r), abs=1e-15)
        assert np.trace(n_op @ dr) == pytest.approx(
            -GAMMA * (np.trace(n_op @ r) - N_TH), abs=1e-15)


def test_uncoupled_lindblad_mechanics_relaxes_to_thermal_occupation():
    system = reference_system("lindblad", coupling=0.0)  # ε = 0: no photons, G = 0
    r = fq.solve(system, "ccw", (2, 2, 10))
    assert r.phonons == pytest.approx(system.n_m, abs=1e-5)
    mech = r.rho.ptrace(2).full()
    thermal = qutip.thermal_dm(10, system.n_m).full()  # truncated Bose–Einstein
    assert np.max(np.abs(mech - thermal)) < 1e-5
    # Exactly 0 in the model; the default (structured) solver stops at relative residual
    # 1e-12, which leaves photon numbers of order 1e-14.
    assert r.photons == pytest.approx((0.0, 0.0), abs=1e-12)


def test_uncoupled_brownian_mechanics_matches_lyapunov():
    system = reference_system("brownian", coupling=0.0)
    r = fq.solve(system, "ccw", (2, 2, 10))
    lyap = analyze(system, "ccw")
    assert lyap.V[4, 4] == pytest.approx(system.n_m + 0.5)  # the independent Gaussian truth
    assert np.max(np.abs(r.V - lyap.V)) < 1e-4
    # Not completely positive: tiny negative eigenvalues are allowed, nothing worse.
    assert r.min_eigenvalue > -1e-6
