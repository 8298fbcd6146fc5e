"""Structured steady-state solver for generators L(ρ) = Aρ + ρB + Σ_k C_k ρ D_k.

QuTiP's steady-state solvers treat the Liouvillian as a generic d²×d² sparse matrix, so their
cost and memory grow far faster than d². Here the d×d structure of the generator is used
instead (issue 4):

* The trace is imposed by the bordered system  M(ρ) = L(ρ) + tr(ρ)·W = W  with W = I/d. It is
  nonsingular whenever L has a unique steady state, and its solution has tr ρ = 1, L(ρ) = 0.
* M is solved matrix-free by flexible GMRES (FGMRES), right-preconditioned by the exact
  inverse of the Sylvester part S(X) = ĀX + XĀᴴ (the no-jump evolution). Ā is brought to
  complex Schur form Ā = U T Uᴴ once; each application is then four d×d products with the
  unitary U and a triangular Lyapunov solve T X̃ + X̃ Tᴴ = Ỹ by a recursive blocked
  algorithm (BLAS-3; LAPACK's unblocked ``trsyl`` alone takes 15 s at d = 1120, this ≈0.2 s).
* These products dominate the run time. A preconditioner only has to be approximately right,
  and with the unitary U its single-precision version is backward stable (error ≈1e-6), so
  it runs in single precision (≈1.8× faster per step at d = 1120); FGMRES stores the
  preconditioned vectors, so the solution is still exact to double precision (the
  double-precision products are used only for tolerances near single-precision round-off).
* For Hermiticity-preserving generators (all of this project's), ρ is Hermitian and each
  Krylov vector is stored as d² real numbers (Re ρ + Im ρ), half the memory of a complex one;
  L(X) = K + Kᴴ needs half the sparse products, and the Caldeira–Leggett terms merge into one.
* L itself is applied with sparse operators (tensor products of ladder operators), costing
  O(nnz·d) per step, far below the O(d³) of the preconditioner.

The memory per Krylov vector is O(d²) and the total depends only on d and the options
(:func:`structured_memory`, the one formula, which :func:`fullquantum.solve` checks from the
cutoffs before any operator is built); above the budget the solver refuses with
:class:`~fullquantum.MemoryBudgetError`, the estimate and how to lower it.
An eigenvector-based preconditioner (S⁻¹ by elementwise division in the eigenbasis of Ā) is
kept as an option; it is faster per step in double precision but its single-precision
version fails at large d (the eigenvector basis has condition number ≈4e4 at d = 1120).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import Callable, Literal, Sequence

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from ..errors import InputError
from .errors import SteadyStateConvergenceError
from .generator import Generator
from .memory import (DEFAULT_MEMORY_BUDGET_BYTES, MemoryEstimate, check_budget, cutoff_advice,
                     format_bytes, format_count)

__all__ = [
    "StructuredOptions",
    "StructuredResult",
    "SteadyStateConvergenceError",
    "steadystate_structured",
    "estimate_memory",
    "structured_memory",
]

# Operators with more nonzeros than this fraction of d² are applied as dense matrices.
_DENSE_FRACTION = 0.2
# Accuracy a preconditioner must reach on a random test matrix (relative residual of S) for
# "auto" to accept it: far below what changes GMRES's iteration count.
_PRECONDITIONER_CHECK = 1e-3
# Default BLAS threads: 1. Measured on the shared 2-core machine (benchmarks/): with the other
# core idle, 2 threads made the d×d products ≈1.6× faster at d ≥ 576 and a d = 1120 solve
# 1.33× faster (29–33 s against 43 s); with other workers on the second core, 2 threads made
# the same d = 1120 solve take 62–239 s (OpenBLAS threads wait on a preempted partner) and a
# d = 300 solve 4× slower. One thread is never that bad, so it is the default; pass
# threads=2 on an otherwise idle machine.
_DEFAULT_THREADS = 1
# Bytes of dense d×d work arrays per d² (Schur factors or eigenvectors in both precisions,
# their conjugate transposes, operator and preconditioner temporaries, LAPACK workspace of
# the decomposition); calibrated against tracemalloc peaks (see tests).
_DENSE_BYTES_PER_D2 = {"schur-mixed": 272, "schur-double": 240, "eig-mixed": 296,
                       "eig-double": 256}
_KINDS = ("schur-mixed", "schur-double", "eig-mixed", "eig-double")
# "auto" takes the first of these that passes the accuracy check.
_AUTO_ORDER = ("schur-mixed", "schur-double", "eig-double")
# With a mixed-precision preconditioner, GMRES switches to double-precision products once
# the relative residual falls below this factor times the measured single-precision error of
# the preconditioner. Measured: the (backward-stable) Schur one in single precision, error
# ≈1e-6, converged to 1e-11 as fast as in double (d = 576, 1120), so it switches only for
# tighter tolerances; the eigenvector one's errors slowed convergence below ≈1e-3 × error.
_SWITCH_FACTOR = {"schur-mixed": 1e-5, "eig-mixed": 1e-3}
# Kahan–Parlett reorthogonalisation threshold of the Gram–Schmidt step.
_REORTH = 0.7071
# The budget a refusal of steadystate_structured tells the caller to raise.
_SOLVER_BUDGET_NAME = "StructuredOptions.memory_budget (memory_budget_bytes in fullquantum.solve)"


@dataclass(frozen=True)
class StructuredOptions:
    """Options of :func:`steadystate_structured`.

    Attributes
    ----------
    tol : float
        Tolerance on the relative residual ‖W − M(ρ)‖_F / ‖W‖_F of the bordered system
        M(ρ) = L(ρ) + tr(ρ)·I/d = I/d. Measured on this project's models up to d = 576, the
        trace distance to a 1e-14 solve was 0.1–2× tol, so the default 1e-11 leaves a wide
        margin to the 1e-10 agreement asked of it.
    maxiter : int
        Maximum total number of GMRES iterations (preconditioner applications).
    restart : int
        Krylov basis length before a restart. Each step stores two vectors of 8·d² bytes
        (basis vector and preconditioned image); solves here need 20–50 steps, so the
        default rarely restarts.
    threads : int or None
        BLAS threads for the d×d products (threadpoolctl). None: ``default_threads(d)``,
        1 (measured: 2 threads gain 1.33× at d = 1120 on an idle machine but lose 2–8× when
        other processes occupy the second core; see the module constants).
    memory_budget : int
        Refuse (:class:`~fullquantum.MemoryBudgetError`) if the estimated peak
        (:func:`structured_memory`) exceeds this many bytes. :func:`fullquantum.solve` sets
        it to its ``memory_budget_bytes``.
    preconditioner : {"auto", "schur-mixed", "schur-double", "eig-mixed", "eig-double"}
        Schur-form or eigenbasis inverse of the Sylvester part; "mixed" runs its products in
        single precision until the residual nears single-precision round-off. "auto" takes
        the first of schur-mixed, schur-double, eig-double that passes an accuracy check.
    """

    tol: float = 1e-11
    maxiter: int = 400
    restart: int = 60
    threads: int | None = None
    memory_budget: int = DEFAULT_MEMORY_BUDGET_BYTES
    preconditioner: Literal["auto", "schur-mixed", "schur-double", "eig-mixed",
                            "eig-double"] = "auto"

    def __post_init__(self) -> None:
        if not 0.0 < self.tol < 1.0:
            raise InputError(f"tol must lie in (0, 1), got {self.tol}")
        if self.maxiter < 1 or self.restart < 1:
            raise InputError("maxiter and restart must be at least 1")
        if self.threads is not None and self.threads < 1:
            raise InputError("threads must be None or at least 1")
        if self.preconditioner != "auto" and self.preconditioner not in _KINDS:
            raise InputError(f"unknown preconditioner {self.preconditioner!r}")


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
        The preconditioner used (one of ``StructuredOptions.preconditioner``'s kinds).
    hermitian : bool
        Whether the Hermitian (real d²-vector) formulation was used.
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


# --------------------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------------------

Operator = sp.csr_matrix | np.ndarray


def _to_operator(q, d: int) -> Operator:
    """A QuTiP operator as a SciPy CSR matrix, or a dense array if it is not sparse."""
    m = sp.csr_matrix(q.to("csr").data_as("csr_matrix"), dtype=np.complex128)
    m.sum_duplicates()
    m.eliminate_zeros()
    if m.nnz > _DENSE_FRACTION * d * d:
        return m.toarray()
    return m


def _herm(op: Operator) -> Operator:
    """Conjugate transpose, keeping CSR for sparse operators."""
    return op.conj().T.tocsr() if sp.issparse(op) else np.ascontiguousarray(op.conj().T)


def _rel_diff(a: Operator, b: Operator) -> float:
    """‖a − b‖_F / max(‖a‖_F, ‖b‖_F, tiny)."""
    def fro(x):
        return sp.linalg.norm(x) if sp.issparse(x) else np.linalg.norm(x)
    scale = max(fro(a), fro(b), 1e-300)
    return fro(a - b) / scale


def _proportional(a: Operator, b: Operator) -> complex | None:
    """c with b = c·a (both sparse with the same pattern, or dense), else None."""
    if sp.issparse(a) != sp.issparse(b):
        return None
    if sp.issparse(a):
        if a.nnz == 0 or a.nnz != b.nnz or not (np.array_equal(a.indptr, b.indptr)
                                                 and np.array_equal(a.indices, b.indices)):
            return None
        da, db = a.data, b.data
    else:
        da, db = a.ravel(), b.ravel()
    k = int(np.argmax(np.abs(da)))
    if da[k] == 0:
        return None
    c = db[k] / da[k]
    if np.linalg.norm(db - c * da) <= 1e-14 * np.linalg.norm(db):
        return complex(c)
    return None


def _group_sandwich(pairs: list[tuple[Operator, Operator]], hermitian: bool
                    ) -> list[tuple[Operator, Operator]]:
    """Merge terms C X D sharing their left factor up to a scalar: C X (D₁ + c D₂).

    With ``hermitian`` only the Hermitian part of Σ_k C_k X D_k is needed, so a term may be
    replaced by its adjoint (Dᴴ, Cᴴ) if that joins a group: the three Caldeira–Leggett terms
    (q, p), (p, q), (q, q) all become q X (·), one two-sided product instead of three.
    """
    groups: list[tuple[Operator, Operator]] = []
    for C, D in pairs:
        orientations = [(C, D)] + ([(_herm(D), _herm(C))] if hermitian else [])
        placed = False
        for Co, Do in orientations:
            for i, (Cg, Eg) in enumerate(groups):
                c = _proportional(Cg, Co)
                if c is not None:
                    E = Eg + c * Do
                    groups[i] = (Cg, E if sp.issparse(E) else np.asarray(E))
                    placed = True
                    break
            if placed:
                break
        if not placed:
            groups.append((C, D))
    return [(C, E.tocsr() if sp.issparse(E) else E) for C, E in groups]


def _rmul(X: np.ndarray, D: Operator) -> np.ndarray:
    """X @ D for a dense X and a sparse or dense D."""
    if sp.issparse(D):
        return np.asarray(D.T @ X.T).T  # SciPy's CSR kernels act from the left
    return X @ D


class _GeneralLiouvillian:
    """L(X) = A X + X B + Σ_k C_k X D_k with sparse operators, for any dense X."""

    def __init__(self, A: Operator, B: Operator, pairs):
        self.A = A
        self.B = B
        self.groups = _group_sandwich(list(pairs), hermitian=False)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        out = np.asarray(self.A @ X) + _rmul(X, self.B)
        for C, D in self.groups:
            out += _rmul(np.asarray(C @ X), D)
        return out


class _HermitianLiouvillian:
    """L(X) = K + Kᴴ, K = Ā X + ½ Σ_g C_g X E_g, for Hermitian X and Hermiticity-preserving L.

    For such L, L(X) equals its Hermitian part, so X B = (Bᴴ X)ᴴ folds into Ā = (A + Bᴴ)/2
    and sandwich terms may be grouped with their adjoints (``_group_sandwich``). SciPy's
    sparse kernels are fast only with the sparse factor on the left of a C-ordered array;
    the right factor is applied as Eᵀ (C X)ᵀ, accumulated transposed, so each two-sided term
    costs one transposed copy.
    """

    def __init__(self, Abar: Operator, pairs):
        self.Abar = Abar
        self.groups = [(C, (0.5 * E.T).tocsr() if sp.issparse(E) else 0.5 * E.T.copy())
                       for C, E in _group_sandwich(list(pairs), hermitian=True)]

    def __call__(self, X: np.ndarray) -> np.ndarray:
        K = np.asarray(self.Abar @ X)
        Kt = None
        for C, Et in self.groups:
            R = np.asarray(Et @ np.ascontiguousarray(np.asarray(C @ X).T))  # (C X E)ᵀ / 2
            if Kt is None:
                Kt = R
            else:
                Kt += R
        if Kt is not None:
            K += Kt.T
        K += K.conj().T  # conj() copies first, so the in-place sum is safe
        return K


# --------------------------------------------------------------------------------------
# Packing d×d matrices into real vectors
# --------------------------------------------------------------------------------------

class _HermitianPacking:
    """Hermitian X ↔ real R = Re X + Im X (d² reals).

    Re X is symmetric and Im X antisymmetric, so they are orthogonal: ‖R‖ = ‖X‖_F and the
    real inner product of packed vectors equals Re tr(X₁ᴴX₂). Unpacking takes the symmetric
    and antisymmetric parts; packing a non-Hermitian X keeps its Hermitian part.
    """

    def __init__(self, d: int):
        self.d = d
        self.n = d * d

    def pack(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        return np.add(X.real, X.imag, dtype=dtype).ravel()

    def unpack(self, v: np.ndarray, dtype=np.complex128) -> np.ndarray:
        R = v.reshape(self.d, self.d)
        X = np.empty((self.d, self.d), dtype=dtype)
        np.add(R, R.T, out=X.real)
        np.subtract(R, R.T, out=X.imag)
        X *= 0.5
        return X


class _ComplexPacking:
    """General complex X ↔ its 2d² real and imaginary parts (a real-linear isometry)."""

    def __init__(self, d: int):
        self.d = d
        self.n = 2 * d * d

    def pack(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        cdt = np.complex64 if dtype == np.float32 else np.complex128
        return np.ascontiguousarray(X, dtype=cdt).ravel().view(dtype).copy()

    def unpack(self, v: np.ndarray, dtype=np.complex128) -> np.ndarray:
        fdt = np.float32 if dtype == np.complex64 else np.float64
        return np.ascontiguousarray(v, dtype=fdt).view(dtype).reshape(self.d, self.d).copy()


# --------------------------------------------------------------------------------------
# Preconditioners: X = S⁻¹(Y) for S(X) = Ā X + X B̄
# --------------------------------------------------------------------------------------

class _EigPreconditioner:
    """S⁻¹(Y) = V_A [(V_A⁻¹ Y V_B) ⊘ (λ_A,i + λ_B,j)] V_B⁻¹ with B̄ = V_B Λ_B V_B⁻¹.

    In the Hermitian mode B̄ = Āᴴ, so V_B = V_A⁻ᴴ and V_B⁻¹ = V_Aᴴ: one eigendecomposition.
    With ``mixed`` the four products are done in single precision (half the time) until the
    caller asks for ``precise`` ones: single-precision round-off, amplified by the condition
    number of V_A, makes the preconditioner slightly nonlinear, which FGMRES tolerates but
    which slows convergence once the residual nears that round-off level.
    """

    def __init__(self, A: np.ndarray, B: np.ndarray | None, mixed: bool):
        lam_a, va = scipy.linalg.eig(A, check_finite=False)
        va_inv = scipy.linalg.inv(va, check_finite=False)
        if B is None:  # B̄ = Āᴴ
            lam_b = lam_a.conj()
            vb, vb_inv = va_inv.conj().T, va.conj().T
        else:
            lam_b, vb = scipy.linalg.eig(B, check_finite=False)
            vb_inv = scipy.linalg.inv(vb, check_finite=False)
        den = lam_a[:, None] + lam_b[None, :]
        self.shift = _dark_shift(den)  # see _dark_shift
        den = den + self.shift
        mats = (va_inv, vb, va, vb_inv, 1.0 / den)
        self.double = tuple(np.ascontiguousarray(m, dtype=np.complex128) for m in mats)
        self.single = (tuple(np.ascontiguousarray(m, dtype=np.complex64) for m in mats)
                       if mixed else None)
        self.mixed = mixed

    def __call__(self, Y: np.ndarray, precise: bool = True) -> np.ndarray:
        mats = self.double if (precise or not self.mixed) else self.single
        left_in, right_in, left_out, right_out, den_inv = mats
        Y = np.asarray(Y, dtype=left_in.dtype)
        buf = left_in @ Y
        Z = buf @ right_in
        Z *= den_inv
        np.matmul(left_out, Z, out=buf)
        return np.matmul(buf, right_out, out=Z)


_LEAF = 64  # block size below which LAPACK's (unblocked) trsyl solves directly; measured


def _leaf_trsyl(A: np.ndarray, B: np.ndarray, C: np.ndarray, tranb: str) -> None:
    """C ← X with A X + X op(B) = C (A, B small upper triangular), by LAPACK ?trsyl."""
    f = scipy.linalg.lapack.ctrsyl if C.dtype == np.complex64 else scipy.linalg.lapack.ztrsyl
    X, scale, info = f(A, B, C, tranb=tranb)
    if info < 0:
        raise RuntimeError(f"trsyl failed (info={info})")
    C[...] = X if scale == 1.0 else X / scale


def _tri_sylvester(A: np.ndarray, AH: np.ndarray, B: np.ndarray, BH: np.ndarray,
                   C: np.ndarray, tranb: str) -> None:
    """C ← X with A X + X op(B) = C for upper triangular A, B; op(B) = B ('N') or Bᴴ ('C').

    Recursive blocking (Jonsson & Kågström): halve the larger dimension, solve one half,
    update the other with a matrix product, solve it. Nearly all work is in BLAS-3 products,
    whereas LAPACK's ?trsyl is unblocked (15 s at d = 1120 against ≈0.2 s here). AH and BH are
    the conjugate transposes (their blocks give the off-diagonal blocks of op(·) directly).
    """
    m, n = C.shape
    if m <= _LEAF and n <= _LEAF:
        _leaf_trsyl(A, B, C, tranb)
    elif m >= n:
        h = m // 2
        _tri_sylvester(A[h:, h:], AH[h:, h:], B, BH, C[h:], tranb)
        C[:h] -= A[:h, h:] @ C[h:]
        _tri_sylvester(A[:h, :h], AH[:h, :h], B, BH, C[:h], tranb)
    else:
        h = n // 2
        if tranb == "N":  # op(B) upper: the first column block is independent
            _tri_sylvester(A, AH, B[:h, :h], BH[:h, :h], C[:, :h], tranb)
            C[:, h:] -= C[:, :h] @ B[:h, h:]
            _tri_sylvester(A, AH, B[h:, h:], BH[h:, h:], C[:, h:], tranb)
        else:  # op(B) = Bᴴ lower: the last column block is independent
            _tri_sylvester(A, AH, B[h:, h:], BH[h:, h:], C[:, h:], tranb)
            C[:, :h] -= C[:, h:] @ BH[h:, :h]
            _tri_sylvester(A, AH, B[:h, :h], BH[:h, :h], C[:, :h], tranb)


def _tri_lyapunov(T: np.ndarray, TH: np.ndarray, C: np.ndarray) -> None:
    """C ← X with T X + X Tᴴ = C for upper triangular T and Hermitian C (X is Hermitian).

    Splitting T = [[T11, T12], [0, T22]]: X22 from the (2,2) block, X21 from a triangular
    Sylvester equation, X12 = X21ᴴ for free, X11 last; half the work of a general solve.
    """
    n = C.shape[0]
    if n <= _LEAF:
        _leaf_trsyl(T, T, C, "C")
        return
    h = n // 2
    _tri_lyapunov(T[h:, h:], TH[h:, h:], C[h:, h:])
    # T22 X21 + X21 T11ᴴ = C21 − X22 T12ᴴ
    C[h:, :h] -= C[h:, h:] @ TH[h:, :h]
    _tri_sylvester(T[h:, h:], TH[h:, h:], T[:h, :h], TH[:h, :h], C[h:, :h], "C")
    C[:h, h:] = C[h:, :h].conj().T
    # T11 X11 + X11 T11ᴴ = C11 − T12 X21 − X12 T12ᴴ = C11 − (T12 X21) − (T12 X21)ᴴ
    M = T[:h, h:] @ C[h:, :h]
    C[:h, :h] -= M
    C[:h, :h] -= M.conj().T
    _tri_lyapunov(T[:h, :h], TH[:h, :h], C[:h, :h])


class _SchurPreconditioner:
    """S⁻¹ by complex Schur forms Ā = U T Uᴴ (and B̄ = U_B T_B U_Bᴴ) and a blocked solver.

    S(X) = Y becomes T X̃ + X̃ op(T_B) = Uᴴ Y U_B with X = U X̃ U_Bᴴ. U is unitary, so unlike
    the eigenvector basis it amplifies no round-off: in single precision the backward error
    stays ≈1e-6 at every d measured, which is what makes single precision usable at large d.
    In the Hermitian mode B̄ = Āᴴ, U_B = U and the Lyapunov solver halves the work.
    """

    def __init__(self, A: np.ndarray, B: np.ndarray | None, mixed: bool):
        T, U = scipy.linalg.schur(A, output="complex", check_finite=False)
        self.hermitian = B is None
        if self.hermitian:
            TB, UB = T, U
        else:
            TB, UB = scipy.linalg.schur(B, output="complex", check_finite=False)
        diag_b = np.diag(TB).conj() if self.hermitian else np.diag(TB)
        den = np.diag(T)[:, None] + diag_b[None, :]
        self.shift = shift = _dark_shift(den)
        if shift:
            T = T + 0.5 * shift * np.eye(T.shape[0])
            TB = T if self.hermitian else TB + 0.5 * shift * np.eye(TB.shape[0])
        self.double = self._factors(U, T, UB, TB, np.complex128)
        self.single = self._factors(U, T, UB, TB, np.complex64) if mixed else None
        self.mixed = mixed

    def _factors(self, U, T, UB, TB, dtype) -> tuple:
        """(U, Uᴴ, T, Tᴴ, U_B, U_Bᴴ, T_B, T_Bᴴ) as contiguous arrays, shared if B̄ = Āᴴ."""
        U, UH, T, TH = (np.ascontiguousarray(m, dtype=dtype)
                        for m in (U, U.conj().T, T, T.conj().T))
        if self.hermitian:
            return U, UH, T, TH, U, UH, T, TH
        UB, UBH, TB, TBH = (np.ascontiguousarray(m, dtype=dtype)
                            for m in (UB, UB.conj().T, TB, TB.conj().T))
        return U, UH, T, TH, UB, UBH, TB, TBH

    def __call__(self, Y: np.ndarray, precise: bool = True) -> np.ndarray:
        mats = self.double if (precise or not self.mixed) else self.single
        U, UH, T, TH, UB, UBH, TB, TBH = mats
        Y = np.asarray(Y, dtype=U.dtype)
        C = (UH @ Y) @ UB
        if self.hermitian:
            _tri_lyapunov(T, TH, C)
        else:
            _tri_sylvester(T, TH, TB, TBH, C, "N")
        return (U @ C) @ UBH


def _dark_shift(den: np.ndarray) -> float:
    """Shift σ ≤ 0 (S becomes S + σ·id) if some λ_i + λ̄_j vanishes, else 0.

    A dark state of the no-jump evolution (e.g. the vacuum when all jumps annihilate it)
    makes S singular while the bordered M is not; a small uniform damping keeps S⁻¹
    bounded, and GMRES absorbs the perturbation (it is part of M P − I either way).
    """
    mag = np.abs(den)
    if mag.min() >= 1e-10 * mag.max():
        return 0.0
    return -1e-3 * float(np.median(mag))


def _check_preconditioner(P, A: Operator, B: Operator, hermitian: bool, d: int,
                          precise: bool = True) -> float:
    """‖S_σ(P(Y)) − Y‖_F / ‖Y‖_F for a fixed random Y (Hermitian in the Hermitian mode).

    S_σ = S + σ·id with the dark-state shift σ of the preconditioner (usually 0).
    """
    rng = np.random.default_rng(12345)
    Y = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    if hermitian:
        Y = Y + Y.conj().T
    X = np.asarray(P(Y, precise), dtype=np.complex128)
    SX = np.asarray(A @ X) + _rmul(X, B) + P.shift * X  # P inverts the shifted S
    return float(np.linalg.norm(SX - Y) / np.linalg.norm(Y))


# --------------------------------------------------------------------------------------
# Flexible GMRES in real arithmetic
# --------------------------------------------------------------------------------------

def _fgmres(matvec: Callable[[np.ndarray], np.ndarray],
            precond: Callable[[np.ndarray, float], np.ndarray],
            b: np.ndarray, x0: np.ndarray | None, tol: float, restart: int,
            maxiter: int) -> tuple[np.ndarray, int, float, bool]:
    """Right-preconditioned flexible GMRES(restart) for a real linear system.

    Flexible, because the preconditioner may change between steps (single, then double
    precision; ``precond(v, r)`` gets the current relative residual estimate r) and is not
    exactly linear in single precision: storing the preconditioned vectors z_j keeps the
    Arnoldi relation M Z = V H exact, so the attainable accuracy is that of double precision.
    Orthogonalisation is classical Gram–Schmidt (BLAS-2), repeated when the norm drops by
    more than 1/√2 (the "twice is enough" criterion of Kahan and Parlett).

    Returns
    -------
    x, iterations, relative true residual, converged
    """
    n = b.size
    bnorm = float(np.linalg.norm(b))
    target = tol * bnorm
    V = np.empty((restart + 1, n))
    Z = np.empty((restart, n))
    H = np.zeros((restart + 1, restart))
    cs = np.zeros(restart)
    sn = np.zeros(restart)
    g = np.zeros(restart + 1)
    if x0 is None:
        x = np.zeros(n)
        r = b.copy()
    else:
        x = np.array(x0, dtype=np.float64)
        r = b - matvec(x)
    rnorm = float(np.linalg.norm(r))
    its = 0
    while rnorm > target and its < maxiter:
        V[0] = r / rnorm
        H[:] = 0.0
        g[:] = 0.0
        g[0] = rnorm
        k = 0
        for j in range(restart):
            Z[j] = precond(V[j], abs(g[j]) / bnorm)
            w = matvec(Z[j])
            wn = float(np.linalg.norm(w))
            h = V[: j + 1] @ w
            w -= h @ V[: j + 1]
            hn = float(np.linalg.norm(w))
            if hn < _REORTH * wn:  # cancellation: a second pass restores orthogonality
                h2 = V[: j + 1] @ w
                w -= h2 @ V[: j + 1]
                h += h2
                hn = float(np.linalg.norm(w))
            H[: j + 1, j] = h
            H[j + 1, j] = hn
            for i in range(j):  # previous Givens rotations
                t = cs[i] * H[i, j] + sn[i] * H[i + 1, j]
                H[i + 1, j] = -sn[i] * H[i, j] + cs[i] * H[i + 1, j]
                H[i, j] = t
            rho = math.hypot(H[j, j], H[j + 1, j])
            cs[j], sn[j] = (1.0, 0.0) if rho == 0.0 else (H[j, j] / rho, H[j + 1, j] / rho)
            H[j, j] = rho
            H[j + 1, j] = 0.0
            g[j + 1] = -sn[j] * g[j]
            g[j] = cs[j] * g[j]
            its += 1
            k = j + 1
            if abs(g[j + 1]) <= target or its >= maxiter or hn <= 1e-14 * np.linalg.norm(h):
                break
            V[j + 1] = w / hn
        y = scipy.linalg.solve_triangular(H[:k, :k], g[:k], check_finite=False)
        x += y @ Z[:k]
        r = b - matvec(x)  # the true residual decides convergence, not the estimate
        rnorm = float(np.linalg.norm(r))
    return x, its, rnorm / bnorm, rnorm <= target


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------

def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def default_threads(d: int) -> int:
    """BLAS threads used when ``StructuredOptions.threads`` is None (see _DEFAULT_THREADS)."""
    return max(1, min(_DEFAULT_THREADS, _available_cores()))


def _memory_parts(d: int, restart: int, hermitian: bool, preconditioner: str
                  ) -> tuple[int, int]:
    """(Krylov basis, dense d×d work arrays) in bytes: the one formula behind the estimates."""
    kind = "schur-mixed" if preconditioner == "auto" else preconditioner
    n = d * d * (1 if hermitian else 2)
    krylov = (2 * restart + 1) * n * 8
    # The general mode keeps separate factors of B̄ and complex temporaries.
    dense = _DENSE_BYTES_PER_D2[kind] * d * d * (1.0 if hermitian else 1.5)
    return int(krylov), int(dense)


def estimate_memory(d: int, restart: int, *, hermitian: bool = True,
                    preconditioner: str = "auto") -> int:
    """Estimated peak bytes of a structured solve at Hilbert dimension d.

    Krylov basis: 2·restart + 1 vectors (the orthonormal basis and the preconditioned
    vectors) of n doubles, n = d² (Hermitian) or 2d² (general); plus the dense d×d work arrays
    (``_DENSE_BYTES_PER_D2``: eigenvectors, inverse, conjugate transposes, divisors,
    temporaries of one step, LAPACK workspace of the set-up). The generator's own operators
    are not counted (the caller has built them; :func:`fullquantum.estimate_memory` adds them).

    Parameters
    ----------
    d : int
        Hilbert-space dimension.
    restart : int
        Krylov basis length.
    hermitian : bool
        Hermitian (real d²) or general (2d²) vectors.
    preconditioner : str
        A preconditioner kind; "auto" counts as "schur-mixed".

    Returns
    -------
    int
        Bytes.
    """
    return sum(_memory_parts(d, restart, hermitian, preconditioner))


def structured_memory(dims: Sequence[int], options: StructuredOptions | None = None, *,
                      hermitian: bool = True, preconditioner: str | None = None,
                      operator_bytes: int = 0,
                      budget_name: str = _SOLVER_BUDGET_NAME) -> MemoryEstimate:
    """The structured solver's memory estimate, with its breakdown and advice.

    Depends only on d and the solver's options (:func:`estimate_memory`); this is the
    estimate :func:`fullquantum.solve` checks for ``method="structured"``, before anything is
    built, and the one :func:`steadystate_structured` re-checks.

    Parameters
    ----------
    dims : sequence of int
        Fock dimensions (N_ccw, N_cw, N_m); d is their product.
    options : StructuredOptions, optional
        ``restart`` and ``preconditioner`` are used.
    hermitian : bool
        Hermitian (real d²) or general (2d²) Krylov vectors.
    preconditioner : str, optional
        The preconditioner kind, if known; else ``options.preconditioner``.
    operator_bytes : int
        Memory of the d×d operators still to be built (0 when the generator already exists).
    budget_name : str
        How the advice names the budget to raise.

    Returns
    -------
    MemoryEstimate
        ``solver_bytes`` = Krylov basis + work arrays; ``liouvillian_bytes`` = 0.
    """
    opts = options or StructuredOptions()
    dims = tuple(int(n) for n in dims)
    d = math.prod(dims)
    kind = preconditioner or opts.preconditioner
    if kind == "auto":
        kind = "schur-mixed"  # the costliest kind "auto" may take
    krylov, dense = _memory_parts(d, opts.restart, hermitian, kind)
    per_vector = 8 * (1 if hermitian else 2)  # bytes per d² of one stored Krylov vector
    n = format_count(d * d)
    details = (f"structured solver at d = {format_count(d)} (no {n}×{n} Liouvillian): Krylov "
               f"basis of restart={opts.restart} steps {format_bytes(krylov)} + d×d work arrays "
               f"({kind}) {format_bytes(dense)}"
               + (f" + d×d operators {format_bytes(operator_bytes)}" if operator_bytes else ""))
    advice = (f"{cutoff_advice(dims, 'd²')}; lower StructuredOptions.restart (now "
              f"{opts.restart}; each Krylov step stores 2 vectors of {per_vector}·d² bytes = "
              f"{format_bytes(2 * per_vector * d * d)}, and fewer steps only mean more "
              f"restarts), or raise {budget_name} if the machine has the memory")
    return MemoryEstimate(cutoffs=dims, hilbert_dim=d, method="structured", solver=None,
                          operator_bytes=int(operator_bytes), liouvillian_bytes=0,
                          solver_bytes=krylov + dense, nnz_bound=0, bandwidth=0,
                          details=details, advice=advice)


def _is_hermiticity_preserving(liou: _GeneralLiouvillian, d: int) -> bool:
    """L(X)ᴴ = L(X) for a random Hermitian X (a map failing this fails it generically)."""
    rng = np.random.default_rng(54321)
    X = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    X = X + X.conj().T
    LX = liou(X)
    return np.linalg.norm(LX - LX.conj().T) <= 1e-11 * max(np.linalg.norm(LX), 1e-300)


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
    MemoryBudgetError
        If the estimate of :func:`structured_memory` exceeds ``options.memory_budget``
        (checked before any d×d work array is allocated).
    SteadyStateConvergenceError
        If the relative residual does not reach ``options.tol`` within ``options.maxiter``.
    """
    opts = options or StructuredOptions()
    t_start = time.perf_counter()
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
                                                      B_pre_dense, A_pre, B_pre, hermitian, d)
        del A_pre_dense, B_pre_dense
        memory = structured_memory(dims, opts, hermitian=hermitian, preconditioner=kind)
        check_budget(memory, opts.memory_budget)
        estimate = memory.total_bytes

        packing = _HermitianPacking(d) if hermitian else _ComplexPacking(d)
        W = np.eye(d, dtype=np.complex128) / d

        def matvec(v: np.ndarray) -> np.ndarray:
            X = packing.unpack(v)
            out = liou(X)
            out += np.trace(X) * W
            return packing.pack(out)

        def apply_precond(v: np.ndarray, relres: float) -> np.ndarray:
            precise = relres <= switch
            dtype = np.complex128 if precise or not precond.mixed else np.complex64
            return packing.pack(precond(packing.unpack(v, dtype), precise))

        b = packing.pack(W)
        x0 = None if rho0 is None else packing.pack(rho0)
        t_setup = time.perf_counter()
        x, its, relres, converged = _fgmres(matvec, apply_precond, b, x0, opts.tol,
                                            opts.restart, opts.maxiter)
        if not converged:
            raise SteadyStateConvergenceError(
                f"structured steady state did not converge: relative residual {relres:.3e} > "
                f"tol {opts.tol:.1e} after {its} GMRES iterations (maxiter={opts.maxiter}, "
                f"restart={opts.restart}, preconditioner={kind}); raise maxiter, or check "
                "that the generator has a unique steady state", its, relres)
        rho = packing.unpack(x)
        rho /= np.trace(rho)
        if hermitian:
            rho = 0.5 * (rho + rho.conj().T)  # exact Hermiticity after the complex division
        residual = float(np.linalg.norm(liou(rho)))
    t_end = time.perf_counter()
    return StructuredResult(rho=rho, iterations=its, residual=residual, relative_residual=relres,
                            converged=True, setup_seconds=t_setup - t_start,
                            solve_seconds=t_end - t_setup, memory_estimate=estimate,
                            threads=threads, preconditioner=kind, hermitian=hermitian)


def _build_preconditioner(choice: str, A_dense: np.ndarray, B_dense: np.ndarray | None,
                          A_op: Operator, B_op: Operator, hermitian: bool, d: int):
    """The first preconditioner of the requested kind(s) that passes the accuracy check.

    Returns the preconditioner, its kind and the relative residual below which its
    double-precision products are used (1.0: always double).
    """
    kinds = list(_AUTO_ORDER) if choice == "auto" else [choice]
    errors = []
    for kind in kinds:
        mixed = kind.endswith("-mixed")
        try:
            if kind.startswith("schur"):
                P = _SchurPreconditioner(A_dense, B_dense, mixed)
            else:
                P = _EigPreconditioner(A_dense, B_dense, mixed)
        except (np.linalg.LinAlgError, ValueError) as exc:
            errors.append(f"{kind}: {exc}")
            continue
        err = _check_preconditioner(P, A_op, B_op, hermitian, d, precise=not mixed)
        if err <= _PRECONDITIONER_CHECK or choice != "auto":
            return P, kind, (_SWITCH_FACTOR[kind] * err if mixed else 1.0)
        errors.append(f"{kind}: relative error {err:.1e}")
    raise RuntimeError("no usable preconditioner: " + "; ".join(errors))
