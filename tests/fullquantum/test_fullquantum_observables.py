"""Observables on states with known values, and the steady-state methods agreeing."""

import math
import warnings

import numpy as np
import pytest
import qutip

from omxval import fullquantum as fq
from tests.conftest import reference_system


def _two_mode_squeezed(r, N):
    """|ψ⟩ = Σ_n (−tanh r)^n / cosh r |n, n⟩ on N levels per mode, renormalised.

    The trace norm of ρ^T is (Σ_n |c_n|)², so truncation moves E_N by about 2 tanh(r)^N.
    """
    t = math.tanh(r)
    psi = sum((-t) ** n / math.cosh(r) * qutip.tensor(qutip.basis(N, n), qutip.basis(N, n))
              for n in range(N))
    return qutip.ket2dm(psi.unit())


@pytest.mark.parametrize("r, N", [(0.3, 20), (0.6, 30)])  # 2 tanh(r)^N ≤ 2e-8
def test_exact_log_negativity_of_two_mode_squeezed_vacuum_is_2r(r, N):
    rho = _two_mode_squeezed(r, N)
    assert fq.exact_log_negativity(rho, (0, 1)) == pytest.approx(2 * r, abs=1e-7)
    assert fq.exact_log_negativity(rho, (1, 0)) == pytest.approx(2 * r, abs=1e-7)
    log2 = fq.exact_log_negativity(rho, (0, 1), base="2")
    assert log2 == pytest.approx(2 * r / math.log(2), abs=1e-7)
    assert log2 == pytest.approx(qutip.negativity(rho, 1, method="eigenvalues",
                                                  logarithmic=True), abs=1e-10)


def test_exact_log_negativity_reduces_over_a_third_mode():
    # TMSV on modes (0, 2) with a thermal mode 1 in between: the cut (0, 2) keeps 2r.
    r, N = 0.5, 25
    tmsv = _two_mode_squeezed(r, N)
    rho = qutip.tensor(tmsv, qutip.thermal_dm(3, 0.4)).permute([0, 2, 1])
    assert fq.exact_log_negativity(rho, (0, 2)) == pytest.approx(2 * r, abs=1e-7)
    assert fq.exact_log_negativity(rho, (0, 1)) == pytest.approx(0.0, abs=1e-12)


def test_exact_log_negativity_of_a_product_state_is_zero():
    rho = qutip.tensor(qutip.coherent_dm(12, 0.7 - 0.2j), qutip.thermal_dm(4, 0.3),
                       qutip.thermal_dm(10, 0.8))
    for modes in [(0, 1), (0, 2), (2, 1)]:
        assert fq.exact_log_negativity(rho, modes) == pytest.approx(0.0, abs=1e-12)


def test_moments_of_a_squeezed_thermal_state():
    # Single-mode squeezing S(r) on mode ccw: V = diag(e^{-2r}, e^{2r})/2 (vacuum), exact
    # in a truncated space only if it holds the state; N = 30 holds r = 0.3 to 1e-12.
    r, cutoffs = 0.3, (30, 2, 2)
    ops = fq.operators(cutoffs)
    S = (0.5 * r * (ops.a_ccw * ops.a_ccw - ops.a_ccw.dag() * ops.a_ccw.dag())).expm()
    rho = qutip.ket2dm(S * qutip.basis(list(cutoffs), [0, 0, 0]))
    means, V = fq.moments(rho, ops)
    expected = np.diag([np.exp(-2 * r), np.exp(2 * r), 1, 1, 1, 1]) / 2
    assert np.allclose(means, 0, atol=1e-14)
    assert np.allclose(V, expected, atol=1e-10)


@pytest.mark.parametrize("method, solver", [
    ("direct", "splu"), ("direct", "solve"), ("eigen", None), ("svd", None), ("power", None),
    ("iterative-gmres", None),
])
def test_methods_agree_with_the_default(method, solver):
    system = reference_system("lindblad")
    cutoffs = (2, 2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)  # tiny cutoffs on purpose
        ref = fq.solve(system, "ccw", cutoffs)
        # scipy's gmres stops at rtol = 1e-5 by default; ask for a converged answer.
        kwargs = ({"qutip_kwargs": {"rtol": 1e-12, "atol": 0.0}}
                  if method.startswith("iterative") else {})
        r = fq.solve(system, "ccw", cutoffs, method=method, solver=solver, **kwargs)
    assert r.method == method
    assert r.rho.tr() == pytest.approx(1.0, abs=1e-13)
    assert r.residual < 1e-8
    assert np.max(np.abs(r.rho.full() - ref.rho.full())) < 1e-8
