"""Structured steady-state solver (fullquantum/structured.py) against QuTiP's direct solver.

The test systems are the project's own generators (fullquantum.generator_for) at the
reference point of docs/conventions.md §5: every model level and both mechanical baths.
"""

import tracemalloc

import numpy as np
import pytest
import qutip
from threadpoolctl import threadpool_limits

from omxval import fullquantum
from omxval.fullquantum.generator import Generator, dissipator, hamiltonian
from omxval.fullquantum.structured import (SteadyStateConvergenceError, StructuredOptions,
                                           default_threads, estimate_memory,
                                           steadystate_structured)
from tests.conftest import reference_system


def model(cutoffs, bath="lindblad", variant="nonlinear") -> Generator:
    """The project's model levels (docs/conventions.md §5) at the reference point.

    "lab" uses G0 = 0.25 at the same effective detuning and coupling (≈ 0.5 photons), which a
    small Fock space can hold.
    """
    system = reference_system(bath, G0=0.25 if variant == "lab" else 0.05)
    return fullquantum.generator_for(system, "ccw", tuple(cutoffs), hamiltonian=variant)


def qutip_direct(g: Generator) -> np.ndarray:
    with threadpool_limits(1):  # multithreaded BLAS slows small sparse LU (issue 4)
        return qutip.steadystate(g.superoperator(), method="direct").full()


def trace_distance(r1: np.ndarray, r2: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(r1 - r2)).sum())


@pytest.fixture(scope="module")
def references():
    """QuTiP direct steady states of the small test systems (computed once)."""
    cuts = {"nonlinear": (3, 2, 8), "linearized": (3, 3, 5), "lab": (4, 2, 6)}
    return {(bath, variant): (g, qutip_direct(g))
            for bath in ("lindblad", "brownian") for variant, cut in cuts.items()
            for g in [model(cut, bath, variant)]}


@pytest.mark.parametrize("bath", ["lindblad", "brownian"])
@pytest.mark.parametrize("variant", ["nonlinear", "linearized", "lab"])
def test_agrees_with_qutip_direct(references, bath, variant):
    g, ref = references[bath, variant]
    res = steadystate_structured(g)
    rho = res.rho
    assert res.converged and res.hermitian
    assert res.parity_sectors == (variant == "linearized")  # test_parity.py: why
    assert trace_distance(rho, ref) <= 1e-10
    assert abs(np.trace(rho) - 1.0) <= 1e-14
    assert np.array_equal(rho, rho.conj().T)
    assert res.relative_residual <= StructuredOptions().tol
    # the reported residual is ‖L(ρ)‖_F of the returned state
    assert res.residual == pytest.approx(np.linalg.norm(g.apply(rho)), rel=1e-2, abs=1e-15)
    assert res.residual <= 1e-11
    evals = np.linalg.eigvalsh(rho)
    if bath == "lindblad":
        assert evals.min() >= -1e-12  # completely positive: ρ ≥ 0 up to round-off
    else:
        # Caldeira–Leggett is not completely positive (docs/conventions.md §5): small negative
        # eigenvalues are physics, and must be those of the exact steady state
        assert evals.min() >= -1e-8
        assert evals.min() == pytest.approx(np.linalg.eigvalsh(ref).min(), abs=1e-10)
    assert 0 < res.iterations < 100


@pytest.mark.parametrize("kind", ["schur-mixed", "schur-double", "eig-mixed", "eig-double"])
def test_every_preconditioner_agrees(references, kind):
    g, ref = references["brownian", "nonlinear"]
    res = steadystate_structured(g, options=StructuredOptions(preconditioner=kind))
    assert res.preconditioner == kind
    assert trace_distance(res.rho, ref) <= 1e-10


def test_iteration_cap_raises_instead_of_returning(references):
    g, _ = references["lindblad", "nonlinear"]
    with pytest.raises(SteadyStateConvergenceError) as info:
        steadystate_structured(g, options=StructuredOptions(maxiter=1))
    assert info.value.iterations == 1
    assert info.value.relative_residual > StructuredOptions().tol
    assert "did not converge" in str(info.value)


def test_restarted_gmres_still_converges(references):
    g, ref = references["lindblad", "nonlinear"]
    res = steadystate_structured(g, options=StructuredOptions(restart=5, maxiter=2000))
    assert trace_distance(res.rho, ref) <= 1e-10


def test_initial_guess_is_used(references):
    g, ref = references["brownian", "nonlinear"]
    cold = steadystate_structured(g)
    warm = steadystate_structured(g, rho0=ref)
    assert warm.iterations < cold.iterations // 3
    assert trace_distance(warm.rho, ref) <= 1e-10


def test_memory_refusal_states_estimate_and_remedy():
    g = model((3, 2, 8))
    d = g.hilbert_dim
    est = estimate_memory(d, 60)
    with pytest.raises(fullquantum.MemoryBudgetError) as info:  # the package's one class
        steadystate_structured(g, options=StructuredOptions(memory_budget=est // 2))
    msg = str(info.value)
    assert info.value.estimate_bytes == est and info.value.budget_bytes == est // 2
    assert f"d = {d}" in msg and "restart=60" in msg and "fill" not in msg
    assert f"{est / 2**20:.2f} MiB" in msg  # states the estimate
    # the remedy it names works: fewer Krylov vectors fit the same budget
    res = steadystate_structured(g, options=StructuredOptions(memory_budget=est // 2,
                                                              restart=20))
    assert res.memory_estimate <= est // 2


def test_memory_estimate_bounds_traced_peak():
    g = model((5, 4, 6), "brownian")
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        res = steadystate_structured(g)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak <= res.memory_estimate
    assert res.memory_estimate <= 1.5 * peak  # an estimate, not a loose bound
    # the 4 GB goal at d = 1120 (cutoffs 10, 8, 14) with the default restart
    assert estimate_memory(1120, StructuredOptions().restart) < 2 * 2**30


def test_dark_state_of_no_jump_evolution():
    """Vacuum is dark (no drive, zero temperature): S is singular, M is not."""
    a = qutip.tensor(qutip.destroy(6), qutip.qeye(5))
    b = qutip.tensor(qutip.qeye(6), qutip.destroy(5))
    H = a.dag() * a + 0.7 * b.dag() * b + 0.3 * (a.dag() * b + b.dag() * a)
    g = hamiltonian(H) + dissipator(a, 0.4)
    res = steadystate_structured(g)
    assert trace_distance(res.rho, qutip_direct(g)) <= 1e-10
    assert abs(res.rho[0, 0] - 1.0) <= 1e-10


def test_left_right_split_need_not_be_adjoint(references):
    """L is unchanged by A → A + icI, B → B − icI; Hermitian mode must still apply."""
    g, ref = references["brownian", "nonlinear"]
    eye = qutip.qeye(g.dims[0])
    shifted = Generator(g.left + 0.3j * eye, g.right - 0.3j * eye, g.sandwich)
    res = steadystate_structured(shifted)
    assert res.hermitian
    assert trace_distance(res.rho, ref) <= 1e-10


def test_non_hermiticity_preserving_generator():
    """General complex mode: compare with the null vector of the dense Liouvillian."""
    a = qutip.tensor(qutip.destroy(5), qutip.qeye(4))
    b = qutip.tensor(qutip.qeye(5), qutip.destroy(4))
    H = a.dag() * a + 0.7 * b.dag() * b + 0.3 * (a.dag() * b + b.dag() * a) + 0.5 * (a + a.dag())
    K = 0.3 * a * b.dag() + 0.2 * a.dag()  # non-Hermitian: −i[K, ρ] is trace-free only
    g = (hamiltonian(H) + dissipator(a, 0.4) + dissipator(b, 0.1)
         + Generator(-0.1j * K, 0.1j * K))
    res = steadystate_structured(g)
    assert not res.hermitian
    _, s, vh = np.linalg.svd(g.superoperator().full())
    assert s[-1] < 1e-12 * s[0] < s[-2]
    n = g.hilbert_dim
    ref = vh[-1].conj().reshape(n, n, order="F")  # QuTiP vectorises column-major
    ref = ref / np.trace(ref)
    assert np.abs(ref - ref.conj().T).max() > 1e-3  # really not Hermitian
    assert np.abs(res.rho - ref).max() <= 1e-10
    assert np.linalg.norm(g.apply(res.rho)) <= 1e-11


def test_thread_option_and_default():
    g = model((3, 2, 8))
    assert steadystate_structured(g, options=StructuredOptions(threads=1)).threads == 1
    assert default_threads(100) == default_threads(1120) == 1


def test_invalid_options_rejected():
    with pytest.raises(ValueError):
        StructuredOptions(tol=0.0)
    with pytest.raises(ValueError):
        StructuredOptions(preconditioner="lu")
    with pytest.raises(ValueError):
        StructuredOptions(restart=0)
