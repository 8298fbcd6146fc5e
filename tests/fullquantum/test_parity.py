"""Parity sectors of the structured solver (fullquantum/structured/parity.py).

Independent truths: the total Fock parity counted by hand; QuTiP's direct steady state (which
knows nothing of sectors) is parity-even for linearized models; the full d×d solve
(``parity="off"``) of the same bordered system for even, odd and mixed right-hand sides.
"""

import warnings

import numpy as np
import pytest
import qutip
from threadpoolctl import threadpool_limits

from omxval import fullquantum as fq
from omxval.fullquantum.generator import dissipator, hamiltonian
from omxval.fullquantum.modelterms import model_generator_terms
from omxval.fullquantum.structured import StructuredOptions, steadystate_structured
from omxval.fullquantum.structured.driver import _BorderedSystem, _solve_bordered
from omxval.fullquantum.structured.parity import parity_order
from omxval.fullquantum.symbolic import realize
from tests.conftest import reference_system
from tests.fullquantum.test_any_model import four_modes


def generator(variant: str, bath: str, cutoffs=(3, 3, 5)):
    system = reference_system(bath, G0=0.25 if variant == "lab" else 0.05)
    return fq.generator_for(system, "ccw", cutoffs, hamiltonian=variant)


def parity_operator(dims) -> np.ndarray:
    """Π = (−1)^(n₁+…) built from QuTiP's number operators, not from parity_order."""
    ops = []
    for k, n in enumerate(dims):
        f = [qutip.qeye(m) for m in dims]
        f[k] = qutip.num(n)
        ops.append(qutip.tensor(*f))
    total = sum(ops[1:], ops[0]).full().diagonal().real
    return np.diag((-1.0) ** np.rint(total))


def trace_distance(a: np.ndarray, b: np.ndarray) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a - b)).sum())


def test_parity_order_lists_the_even_fock_states_first():
    dims = (3, 2, 4)
    perm, h = parity_order(dims)
    P = parity_operator(dims).diagonal()
    assert sorted(perm) == list(range(24))
    assert h == int((P > 0).sum()) == 12
    assert np.all(P[perm[:h]] == 1) and np.all(P[perm[h:]] == -1)
    # The Fock index order is QuTiP's: the first mode most significant.
    assert list(perm[:4]) == [0, 2, 5, 7]


@pytest.mark.parametrize("bath", ["lindblad", "brownian"])
def test_linearized_steady_state_is_parity_even_and_solved_in_its_sector(bath):
    g = generator("linearized", bath)
    with threadpool_limits(1):
        ref = qutip.steadystate(g.superoperator(), method="direct").full()
    P = parity_operator(g.dims[0])
    # The claim the sectors rest on, checked on QuTiP's state: ΠρΠ = ρ.
    assert np.abs(P @ ref @ P - ref).max() <= 1e-12
    on = steadystate_structured(g)
    off = steadystate_structured(g, options=StructuredOptions(parity="off"))
    assert on.parity_sectors and not off.parity_sectors
    assert trace_distance(on.rho, ref) <= 1e-10
    assert trace_distance(on.rho, off.rho) <= 1e-10
    assert abs(on.iterations - off.iterations) <= 3  # the same Krylov problem, half the size


@pytest.mark.parametrize("variant", ["nonlinear", "lab"])
def test_generators_that_break_parity_use_the_full_solve(variant):
    res = steadystate_structured(generator(variant, "brownian", (3, 2, 6)))
    assert not res.parity_sectors


def test_a_term_of_mixed_parity_breaks_the_symmetry():
    a = qutip.tensor(qutip.destroy(5), qutip.qeye(4))
    b = qutip.tensor(qutip.qeye(5), qutip.destroy(4))
    H = a.dag() * a + 0.8 * b.dag() * b + 0.2 * (a.dag() * b.dag() + a * b)
    even = hamiltonian(H) + dissipator(a, 0.5) + dissipator(b, 0.3)
    driven = hamiltonian(H + 0.1 * (a + a.dag())) + dissipator(a, 0.5) + dissipator(b, 0.3)
    assert steadystate_structured(even).parity_sectors
    res = steadystate_structured(driven)
    assert not res.parity_sectors
    with threadpool_limits(1):
        ref = qutip.steadystate(driven.superoperator(), method="direct").full()
    assert trace_distance(res.rho, ref) <= 1e-10


def random_hermitian(d: int, rng) -> np.ndarray:
    X = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    return X + X.conj().T


@pytest.mark.parametrize("part", ["even", "odd", "mixed"])
def test_bordered_solve_of_any_parity_equals_the_full_solve(part):
    """M(X) = L(X) + tr(X)·I/d = R for R of either parity or both (the perturbation orders of
    docs/perturbative.md Eq. P12 alternate between the sectors)."""
    g = generator("linearized", "brownian", (4, 3, 5))
    d = g.hilbert_dim
    P = parity_operator(g.dims[0])
    R = random_hermitian(d, np.random.default_rng(7))
    R = {"even": 0.5 * (R + P @ R @ P), "odd": 0.5 * (R - P @ R @ P), "mixed": R}[part]
    opts = StructuredOptions()
    sectors = _BorderedSystem(g, opts, np)
    full = _BorderedSystem(g, StructuredOptions(parity="off"), np)
    assert sectors.parity is not None and full.parity is None
    X, its, relres = _solve_bordered(sectors, R)
    Y, _, _ = _solve_bordered(full, R)
    # The bordered equation checked with the generator's own L (not the sector code).
    MX = g.apply(X) + np.trace(X) * np.eye(d) / d
    assert np.linalg.norm(MX - R) <= 10 * opts.tol * np.linalg.norm(R)
    assert relres <= opts.tol and its > 0
    assert np.abs(X - Y).max() <= 1e-9 * np.abs(Y).max()
    if part == "odd":
        assert abs(np.trace(X)) <= 1e-14 and np.abs(P @ X @ P + X).max() <= 1e-14


def test_a_four_mode_linearized_model_is_solved_in_its_sectors():
    point = four_modes()
    cutoffs = (3, 2, 3, 2)
    g = realize(model_generator_terms(point, "linearized"), cutoffs)
    res = steadystate_structured(g)
    assert res.parity_sectors
    with threadpool_limits(1):
        ref = qutip.steadystate(g.superoperator(), method="direct").full()
    assert trace_distance(res.rho, ref) <= 1e-10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)
        state = fq.solve(point, cutoffs=cutoffs, hamiltonian="linearized")
    assert state.solver_info["parity_sectors"] is True


# The even-part preconditioner (parity="even-part"): generators without the symmetry solved
# whole, preconditioned in the sectors with the parity-even part of Ā.

@pytest.mark.parametrize("bath", ["lindblad", "brownian"])
@pytest.mark.parametrize("variant", ["nonlinear", "lab"])
def test_even_part_preconditioner_gives_the_direct_steady_state(variant, bath):
    g = generator(variant, bath)
    with threadpool_limits(1):
        ref = qutip.steadystate(g.superoperator(), method="direct").full()
    res = steadystate_structured(g, options=StructuredOptions(parity="even-part"))
    assert res.preconditioner == "schur-mixed (even part)" and not res.parity_sectors
    assert trace_distance(res.rho, ref) <= 1e-10
    assert res.residual <= 1e-9


def test_even_part_preconditioner_inverts_the_even_part_of_A_built_by_hand():
    """S_e(P(Y)) = Y for S_e(X) = Ā_e X + X Ā_eᴴ, Ā_e = (Ā + ΠĀΠ)/2 with Π from QuTiP's
    number operators; for the nonlinear model Ā_e ≠ Ā (the cubic term is odd)."""
    g = generator("nonlinear", "brownian", (4, 3, 5))
    d, dims = g.hilbert_dim, g.dims[0]
    A = g.left.full()
    P = parity_operator(dims)
    A_even = 0.5 * (A + P @ A @ P)
    assert np.abs(A - A_even).max() >= 1e-3 * np.abs(A).max()  # a real odd part dropped
    system = _BorderedSystem(g, StructuredOptions(parity="even-part",
                                                  preconditioner="schur-double"), np)
    pre = system._precond
    Y = random_hermitian(d, np.random.default_rng(3))
    X = pre(Y, True)
    SX = A_even @ X + X @ A_even.conj().T + pre.shift * X
    assert np.linalg.norm(SX - Y) <= 1e-10 * np.linalg.norm(Y)
    assert np.abs(X - X.conj().T).max() <= 1e-12 * np.abs(X).max()
    # In single precision (the "mixed" kind's first steps) the same map to ≈1e-6.
    mixed = _BorderedSystem(g, StructuredOptions(parity="even-part"), np)._precond
    assert mixed.mixed
    X32 = mixed(Y, False)
    assert np.linalg.norm(X32 - X) <= 1e-4 * np.linalg.norm(X)


def test_even_part_leaves_symmetric_generators_to_the_exact_sectors():
    g = generator("linearized", "brownian")
    res = steadystate_structured(g, options=StructuredOptions(parity="even-part"))
    exact = steadystate_structured(g)
    assert res.parity_sectors and res.preconditioner == exact.preconditioner
    assert trace_distance(res.rho, exact.rho) <= 1e-12


def test_even_part_preconditioner_for_a_four_mode_nonlinear_model():
    point = four_modes()
    g = realize(model_generator_terms(point, "nonlinear"), (3, 2, 3, 2))
    res = steadystate_structured(g, options=StructuredOptions(parity="even-part"))
    assert res.preconditioner.endswith("(even part)")
    with threadpool_limits(1):
        ref = qutip.steadystate(g.superoperator(), method="direct").full()
    assert trace_distance(res.rho, ref) <= 1e-10


def test_solve_reports_the_even_part_preconditioner_and_the_same_state():
    system = reference_system("brownian", G0=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)
        even = fq.solve(system, "ccw", cutoffs=(3, 3, 5), hamiltonian="nonlinear",
                        method=fq.Structured(parity="even-part"))
        default = fq.solve(system, "ccw", cutoffs=(3, 3, 5), hamiltonian="nonlinear")
    assert even.solver_info["preconditioner"] == "schur-mixed (even part)"
    assert default.solver_info["preconditioner"] == "schur-mixed"
    assert trace_distance(even.rho.full(), default.rho.full()) <= 1e-10
    assert abs(even.log_negativity_exact - default.log_negativity_exact) <= 1e-9


def test_odd_weight_is_zero_for_a_symmetric_A_and_a_power_iteration_by_hand_otherwise():
    """The estimate against the same power iteration with S_e⁻¹ from SciPy's Sylvester
    solver and Π from QuTiP's number operators; it grows with the cubic term (G0)."""
    import scipy.linalg
    from omxval.fullquantum.structured.parity import even_part_preconditioner
    from omxval.fullquantum.structured.terms import _to_operator
    lin = generator("linearized", "brownian", (4, 3, 5))
    d, dims = lin.hilbert_dim, lin.dims[0]
    pre = even_part_preconditioner(_to_operator(lin.left, d), dims, d, "schur-double")
    assert pre.odd_weight(_to_operator(lin.left, d)) == 0.0
    P = parity_operator(dims)
    weights = []
    for G0 in (0.01, 0.05, 0.2):
        system = reference_system("brownian", G0=G0)
        g = fq.generator_for(system, "ccw", (4, 3, 5), hamiltonian="nonlinear")
        A = g.left.full()
        pre = even_part_preconditioner(_to_operator(g.left, d), dims, d, "schur-double")
        weight = pre.odd_weight(_to_operator(g.left, d))
        A_e, A_o = 0.5 * (A + P @ A @ P), 0.5 * (A - P @ A @ P)
        rng = np.random.default_rng(12345)
        Y = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
        Y += Y.conj().T
        Y /= np.linalg.norm(Y)
        for _ in range(6):
            Z = scipy.linalg.solve_sylvester(A_e + 0.5 * pre.shift * np.eye(d),
                                             A_e.conj().T + 0.5 * pre.shift * np.eye(d), Y)
            W = A_o @ Z + Z @ A_o.conj().T
            by_hand = np.linalg.norm(W)
            Y = W / by_hand
        assert weight == pytest.approx(by_hand, rel=1e-8)
        weights.append(weight)
    assert 0.0 < weights[0] < weights[1] < weights[2]


def test_auto_takes_the_even_part_only_where_the_dropped_part_is_light(monkeypatch):
    """parity="auto" from EVEN_PART_MIN_DIMENSION on (lowered here): the even part for a
    weak cubic term, the full preconditioner for a strong one; below it, always full."""
    from omxval.fullquantum.structured import driver
    weak = fq.generator_for(reference_system("brownian", G0=0.01), "ccw", (4, 3, 5),
                            hamiltonian="nonlinear")
    strong = fq.generator_for(reference_system("brownian", G0=0.3), "ccw", (4, 3, 5),
                              hamiltonian="nonlinear")
    assert weak.hilbert_dim < driver.EVEN_PART_MIN_DIMENSION
    assert steadystate_structured(weak).preconditioner == "schur-mixed"
    monkeypatch.setattr(driver, "EVEN_PART_MIN_DIMENSION", 1)
    chosen = {}
    for name, g in (("weak", weak), ("strong", strong)):
        with threadpool_limits(1):
            ref = qutip.steadystate(g.superoperator(), method="direct").full()
        res = steadystate_structured(g)
        pre = _BorderedSystem(g, StructuredOptions(parity="even-part"), np)
        chosen[name] = (res.preconditioner, pre._precond.odd_weight(pre.liou.Abar))
        assert trace_distance(res.rho, ref) <= 1e-10
    assert chosen["weak"][0] == "schur-mixed (even part)"
    assert chosen["weak"][1] <= driver.EVEN_PART_MAX_WEIGHT
    assert chosen["strong"][0] == "schur-mixed"
    assert chosen["strong"][1] > driver.EVEN_PART_MAX_WEIGHT


def test_auto_falls_back_to_the_full_kinds_when_the_sector_schur_fails(monkeypatch):
    """A sector Schur form that fails its accuracy check leaves "auto" to the full kinds (as
    before the even part existed); "even-part" asked for explicitly reports the failure."""
    from omxval.fullquantum.structured import driver

    def fail(*args, **kwargs):
        raise RuntimeError("no usable preconditioner: schur-mixed: relative error 1e+00")
    monkeypatch.setattr(driver, "EVEN_PART_MIN_DIMENSION", 1)
    monkeypatch.setattr(driver, "even_part_preconditioner", fail)
    g = generator("nonlinear", "brownian")
    res = steadystate_structured(g)
    assert res.preconditioner == "schur-mixed"
    with threadpool_limits(1):
        ref = qutip.steadystate(g.superoperator(), method="direct").full()
    assert trace_distance(res.rho, ref) <= 1e-10
    with pytest.raises(RuntimeError, match="no usable preconditioner"):
        steadystate_structured(g, options=StructuredOptions(parity="even-part"))
