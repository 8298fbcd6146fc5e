"""The structured solve: :func:`steadystate_structured` and its :class:`StructuredResult`.

Builds the operators (:mod:`.terms`), checks the memory (:mod:`.memory`), builds the
preconditioner (:mod:`.preconditioners`) and runs FGMRES (:mod:`.krylov`) on the bordered
system M(ρ) = L(ρ) + tr(ρ)·W = W, W = I/d, in real vectors (:mod:`.packing`).

The bordered operator with its preconditioner is :class:`_BorderedSystem`, built once and
solved for any right-hand side by :func:`_solve_bordered`: W for the steady state, a
traceless R for the orders of a perturbation series (L(X) = R, tr X = 0;
:func:`omxval.perturbative.leading_coefficient`, docs/perturbative.md Eq. P12).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from ...errors import InputError
from ..budget import check_budget
from ..checks import check_instance
from ..errors import SteadyStateConvergenceError
from ..generator import Generator
from .accelerator import array_module, describe
from .krylov import _fgmres
from .memory import structured_memory
from .options import StructuredOptions, default_threads
from .packing import _ComplexPacking, _HermitianPacking
from .parity import even_part_preconditioner, parity_solver
from .preconditioners import _build_preconditioner
from .terms import (_GeneralLiouvillian, _HermitianLiouvillian, _herm, _is_hermiticity_preserving,
                    _rel_diff, _to_operator)


# parity="auto" preconditions a generator without the parity symmetry with Ā's even part
# (parity.py) from this dimension on, where the preconditioner's products dominate a step
# (below it the saving is small: 1.1–1.26× at d = 320), and when every step of the dropped
# odd part's weight (parity._EvenPartPreconditioner.odd_weight, a six-step heuristic) stays
# at most EVEN_PART_MAX_WEIGHT. Measured (benchmarks/bench_even_part.py,
# docs/guide/fullquantum.md): a step costs 0.6× the full one at d = 1120–1512, so it pays
# while the steps grow by less than ≈1.6×; weights 0.22–0.3 grew them 1.1–1.17× (Fig. 3,
# G0 = 0.05: 1.38× less CPU at d = 1512), the reference point's 0.57 (d = 480) by 1.5× and
# 0.75 (d = 1120) by 2× (1.19× more CPU there).
EVEN_PART_MIN_DIMENSION = 400
EVEN_PART_MAX_WEIGHT = 0.35


@dataclass(frozen=True)
class StructuredResult:
    """Outcome of :func:`steadystate_structured` (only converged solves are returned).

    Attributes
    ----------
    rho : numpy.ndarray
        The d×d steady state, unit trace; Hermitised when the generator preserves
        Hermiticity (``hermitian``).
    iterations : int
        GMRES iterations (each one preconditioner and one L application).
    residual : float
        ‖L(ρ)‖_F (Frobenius norm) of the returned ρ.
    relative_residual : float
        ‖W − M(ρ)‖_F / ‖W‖_F of the bordered system at the final iterate (≤ ``tol``).
    converged : bool
        Always True (an unconverged solve raises :class:`SteadyStateConvergenceError`).
    setup_seconds, solve_seconds : float
        Wall time of the set-up (operators, Schur form, checks) and of GMRES.
    memory_estimate : int
        Estimated peak bytes of the solve (the figure checked against the budget).
    threads : int
        BLAS threads used.
    preconditioner : str
        The preconditioner used: one of ``StructuredOptions.preconditioner``'s kinds,
        followed by " (even part)" for the even-part preconditioner
        (``StructuredOptions.parity``).
    hermitian : bool
        Whether the Hermitian (real d²-vector) formulation was used.
    device : str
        Where the preconditioner ran: "cpu" or "gpu: <device name>".
    parity_sectors : bool
        Whether the generator commuted with the total Fock parity and was solved in its
        even sector (``StructuredOptions.parity``).
    """

    rho: np.ndarray
    iterations: int
    residual: float
    relative_residual: float
    converged: bool
    setup_seconds: float
    solve_seconds: float
    memory_estimate: int
    threads: int
    preconditioner: str
    hermitian: bool
    device: str = "cpu"
    parity_sectors: bool = False


class _BorderedSystem:
    """The bordered operator M(X) = L(X) + tr(X)·W, W = I/d, of a generator, ready to solve.

    Built once (operators, Hermiticity test, preconditioner, memory check), then solved for
    any right-hand side R by :func:`_solve_bordered`: M(X) = R. Since tr L(X) = 0 for every
    X (L preserves the trace, also on a truncated Fock space: each term is a commutator or
    a Lindblad form, traceless by cyclicity), tr M(X) = tr X, so the solution has
    tr X = tr R and L(X) = R − tr(R)·W:

    * R = W: the steady state (tr ρ = 1, L(ρ) = 0), :func:`steadystate_structured`;
    * tr R = 0: X is traceless and L(X) = R, the solve of a perturbation order
      (:func:`omxval.perturbative.leading_coefficient`, docs/perturbative.md Eq. P12).

    Attributes
    ----------
    d : int
        Hilbert-space dimension.
    hermitian : bool
        Whether the Hermitian formulation is used (then R must be Hermitian).
    liou : callable
        X ↦ L(X) for d×d arrays.
    W : ndarray
        I/d.
    kind : str
        The preconditioner used.
    threads : int
        BLAS threads.
    estimate : int
        Estimated peak bytes (checked against the budget).
    """

    def __init__(self, generator: Generator, opts: StructuredOptions, xp) -> None:
        d = generator.hilbert_dim
        dims = generator.dims[0]
        A = _to_operator(generator.left, d)
        B = _to_operator(generator.right, d)
        pairs = [(_to_operator(C, d), _to_operator(D, d)) for C, D in generator.sandwich]
        b_is_a_herm = _rel_diff(B, _herm(A)) <= 1e-13
        general = _GeneralLiouvillian(A, B, pairs)
        hermitian = _is_hermiticity_preserving(general, d)
        if hermitian:
            # Ā = (A + Bᴴ)/2 (= A for every generator built from generator.py): L(X) = K + Kᴴ.
            A_bar = A if b_is_a_herm else 0.5 * (A + _herm(B))
            liou = _HermitianLiouvillian(A_bar, pairs)
        else:
            liou = general
        if not hermitian:
            check_budget(structured_memory(dims, opts, hermitian=False), opts.memory_budget)

        threads = opts.threads if opts.threads is not None else default_threads(d)
        self.parity = None
        precond = None
        sectors = (hermitian and opts.parity != "off" and xp is np
                   and opts.preconditioner in ("auto", "schur-mixed", "schur-double"))
        if sectors:
            with threadpool_limits(limits=threads, user_api="blas"):
                # None unless every term has a definite parity (every linearized model).
                self.parity = parity_solver(A_bar, pairs, dims, d, opts.preconditioner)
                if self.parity is None and (opts.parity == "even-part"
                                            or d >= EVEN_PART_MIN_DIMENSION):
                    try:
                        precond = even_part_preconditioner(A_bar, dims, d,
                                                           opts.preconditioner)
                    except RuntimeError:  # no Schur kind passed its accuracy check
                        if opts.parity == "even-part":
                            raise  # else "auto" goes on to the full kinds (eig-double too)
                    if (precond is not None and opts.parity == "auto"
                            and precond.odd_weight(A_bar, stop_above=EVEN_PART_MAX_WEIGHT)
                            > EVEN_PART_MAX_WEIGHT):
                        precond = None  # the dropped odd part would cost more steps
        label = ""
        if self.parity is not None:
            kind, switch = self.parity.kind, self.parity.switch
        elif precond is not None:
            kind, switch, label = precond.kind, precond.switch, " (even part)"
        else:
            precond, kind, switch = self._full_preconditioner(A, B, A_bar if hermitian
                                                              else None, hermitian, opts,
                                                              threads, d, xp)
        # The even-part preconditioner holds half the full Schur kind's factors (eight
        # (d/2)² arrays against four d² ones): counted as the full kind, an upper bound.
        memory = structured_memory(dims, opts, hermitian=hermitian, preconditioner=kind)
        check_budget(memory, opts.memory_budget)
        self.d, self.hermitian, self.liou, self.kind = d, hermitian, liou, kind + label
        self.threads, self.estimate, self.opts = threads, memory.total_bytes, opts
        self._precond, self._switch = precond, switch
        self.packing = _HermitianPacking(d) if hermitian else _ComplexPacking(d)
        self.W = np.eye(d, dtype=np.complex128) / d

    @staticmethod
    def _full_preconditioner(A, B, A_bar, hermitian: bool, opts: StructuredOptions,
                             threads: int, d: int, xp):
        """S⁻¹ on the whole d×d space, its kind and mixed-precision switch."""
        with threadpool_limits(limits=threads, user_api="blas"):
            # The preconditioner inverts S(X) = Ā X + X B̄. In the Hermitian mode B̄ = Āᴴ, so
            # that S⁻¹ maps Hermitian matrices to Hermitian ones and one Schur (or eigen-)
            # decomposition serves both sides.
            if hermitian:
                A_pre = A_bar
                B_pre, B_pre_dense = _herm(A_pre), None
            else:
                A_pre, B_pre = A, B
                B_pre_dense = B.toarray() if sp.issparse(B) else np.array(B)
            A_pre_dense = A_pre.toarray() if sp.issparse(A_pre) else np.array(A_pre)
            precond, kind, switch = _build_preconditioner(opts.preconditioner, A_pre_dense,
                                                          B_pre_dense, A_pre, B_pre, hermitian,
                                                          d, xp)
        return precond, kind, switch

    def matvec(self, v: np.ndarray) -> np.ndarray:
        """M applied to a packed vector."""
        X = self.packing.unpack(v)
        out = self.liou(X)
        out += np.trace(X) * self.W
        return self.packing.pack(out)

    def apply_precond(self, v: np.ndarray, relres: float) -> np.ndarray:
        """S⁻¹ on a packed vector (single precision while ``relres`` is above the switch)."""
        precise = relres <= self._switch
        dtype = np.complex128 if precise or not self._precond.mixed else np.complex64
        return self.packing.pack(self._precond(self.packing.unpack(v, dtype), precise))

    def residual(self, X: np.ndarray) -> float:
        """‖L(X)‖_F."""
        with threadpool_limits(limits=self.threads, user_api="blas"):
            return float(np.linalg.norm(self.liou(X)))


def _solve_bordered(system: _BorderedSystem, rhs: np.ndarray, x0: np.ndarray | None = None
                    ) -> tuple[np.ndarray, int, float]:
    """X with M(X) = L(X) + tr(X)·W = ``rhs``, by preconditioned FGMRES.

    Parameters
    ----------
    system : _BorderedSystem
    rhs : ndarray (d, d)
        Hermitian when ``system.hermitian`` (its anti-Hermitian part would be dropped).
    x0 : ndarray (d, d), optional
        Initial guess.

    Returns
    -------
    X, iterations, relative residual ‖rhs − M(X)‖_F / ‖rhs‖_F (≤ ``opts.tol``).

    Raises
    ------
    SteadyStateConvergenceError
        The relative residual did not reach ``opts.tol`` within ``opts.maxiter``.
    """
    opts = system.opts
    with threadpool_limits(limits=system.threads, user_api="blas"):
        if system.parity is not None:  # sector by sector: the same X
            X, its, relres, converged = system.parity.solve(rhs, x0, opts.tol, opts.restart,
                                                            opts.maxiter)
        else:
            b = system.packing.pack(np.asarray(rhs, dtype=np.complex128))
            x0v = None if x0 is None else system.packing.pack(
                np.asarray(x0, dtype=np.complex128))
            x, its, relres, converged = _fgmres(system.matvec, system.apply_precond, b, x0v,
                                                opts.tol, opts.restart, opts.maxiter)
            X = system.packing.unpack(x)
        if not converged:
            raise SteadyStateConvergenceError(
                f"structured steady state did not converge: relative residual {relres:.3e} > "
                f"tol {opts.tol:.1e} after {its} GMRES iterations (maxiter={opts.maxiter}, "
                f"restart={opts.restart}, preconditioner={system.kind}); raise maxiter, or "
                "check that the generator has a unique steady state", its, relres)
        return X, its, relres


def steadystate_structured(generator: Generator, *, options: StructuredOptions | None = None,
                           rho0: np.ndarray | None = None) -> StructuredResult:
    """Steady state ρ (L(ρ) = 0, tr ρ = 1) of a structured generator.

    Solves L(ρ) + tr(ρ)·W = W (W = I/d) by FGMRES preconditioned with the exact inverse of the
    Sylvester part Aρ + ρB (see the module docstring). Only products with d×d matrices are
    used; no d²×d² matrix is formed.

    Parameters
    ----------
    generator : Generator
        L(ρ) = left·ρ + ρ·right + Σ_k C_k ρ D_k; it must have a unique steady state.
    options : StructuredOptions, optional
        Tolerance, iteration limits, threads, memory budget, preconditioner.
    rho0 : numpy.ndarray, optional
        Initial guess (d×d, finite nonzero trace; normalised here), e.g. the steady state
        at neighbouring cutoffs (:func:`fullquantum.solve`'s ``initial_state``).

    Returns
    -------
    StructuredResult
        The steady state and diagnostics (iterations, ‖L(ρ)‖_F, timings, memory estimate).

    Raises
    ------
    InputTypeError
        ``generator`` is not a Generator or ``options`` not a StructuredOptions.
    InputError
        ``rho0`` of the wrong shape or without a finite nonzero trace.
    MemoryBudgetError
        If the estimate of :func:`~fullquantum.structured.structured_memory` exceeds
        ``options.memory_budget`` (checked before any d×d work array is allocated).
    SteadyStateConvergenceError
        If the relative residual does not reach ``options.tol`` within ``options.maxiter``.
    """
    check_instance("generator", generator, Generator, "a fullquantum Generator")
    opts = StructuredOptions() if options is None else check_instance(
        "options", options, StructuredOptions, "a StructuredOptions or None")
    t_start = time.perf_counter()
    xp = array_module(opts.device)  # a GPU asked for but absent: refused before any work
    d = generator.hilbert_dim
    dims = generator.dims[0]
    # Refuse before allocating anything d×d: assume the Hermitian mode ("auto" counts as the
    # costliest of its kinds); re-checked below once both are known.
    check_budget(structured_memory(dims, opts), opts.memory_budget)
    if rho0 is not None:  # a bad guess is refused before the set-up allocates d×d work
        rho0 = np.asarray(rho0, dtype=np.complex128)
        if rho0.shape != (d, d):
            raise InputError(f"rho0 must be {d}×{d}, got {rho0.shape}")
        trace = np.trace(rho0)
        if not (np.isfinite(trace) and abs(trace) > 0):
            raise InputError(f"rho0 must have a finite nonzero trace; got {trace}")
        rho0 = rho0 / trace  # the bordered system's solution has unit trace

    system = _BorderedSystem(generator, opts, xp)
    t_setup = time.perf_counter()
    rho, its, relres = _solve_bordered(system, system.W, rho0)
    rho /= np.trace(rho)
    if system.hermitian:
        rho = 0.5 * (rho + rho.conj().T)  # exact Hermiticity after the complex division
    residual = system.residual(rho)
    t_end = time.perf_counter()
    return StructuredResult(rho=rho, iterations=its, residual=residual, relative_residual=relres,
                            converged=True, setup_seconds=t_setup - t_start,
                            solve_seconds=t_end - t_setup, memory_estimate=system.estimate,
                            threads=system.threads, preconditioner=system.kind,
                            hermitian=system.hermitian, device=describe(opts.device),
                            parity_sectors=system.parity is not None)


__all__ = ["StructuredResult", "steadystate_structured"]
