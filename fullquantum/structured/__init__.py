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

One concept per module; this package only gathers them (every name of the former single
module ``structured.py`` stays importable from here, the private ones included):

* :mod:`.options` — :class:`StructuredOptions` (checked when built), :func:`default_threads`;
* :mod:`.memory` — the memory formula: :func:`estimate_memory`, :func:`structured_memory`;
* :mod:`.terms` — the generator's d×d terms as SciPy operators and L(X) applied with them;
* :mod:`.packing` — d×d matrices as the real vectors of GMRES;
* :mod:`.sylvester` — the blocked triangular Sylvester/Lyapunov solvers;
* :mod:`.preconditioners` — S⁻¹ by Schur forms or eigenvectors, and the "auto" choice;
* :mod:`.krylov` — the FGMRES loop;
* :mod:`.driver` — the solve: :func:`steadystate_structured` → :class:`StructuredResult`.

Imports run one way: options → memory → driver, and terms → preconditioners → driver; none
of these modules imports :mod:`fullquantum.memory` (which uses :mod:`.memory`), so the two
memory estimates form no circle.
"""

from ...errors import InputError
from ..budget import (DEFAULT_MEMORY_BUDGET_BYTES, MemoryEstimate, check_budget, cutoff_advice,
                      format_bytes, format_count)
from ..errors import SteadyStateConvergenceError
from ..generator import Generator
from .driver import StructuredResult, steadystate_structured
from .krylov import _REORTH, _fgmres
from .memory import (_DENSE_BYTES_PER_D2, _SOLVER_BUDGET_NAME, _memory_parts, estimate_memory,
                     structured_memory)
from .options import (_DEFAULT_THREADS, _KINDS, PRECONDITIONERS, StructuredOptions,
                      _available_cores, default_threads)
from .packing import _ComplexPacking, _HermitianPacking
from .preconditioners import (_AUTO_ORDER, _PRECONDITIONER_CHECK, _SWITCH_FACTOR,
                              _build_preconditioner, _check_preconditioner, _dark_shift,
                              _EigPreconditioner, _SchurPreconditioner)
from .sylvester import _LEAF, _leaf_trsyl, _tri_lyapunov, _tri_sylvester
from .terms import (_DENSE_FRACTION, Operator, _GeneralLiouvillian, _group_sandwich,
                    _herm, _HermitianLiouvillian, _is_hermiticity_preserving, _proportional,
                    _rel_diff, _rmul, _to_operator)

__all__ = [
    "StructuredOptions",
    "StructuredResult",
    "SteadyStateConvergenceError",
    "steadystate_structured",
    "estimate_memory",
    "structured_memory",
]

# The private names above are re-exported on purpose (tests and callers of the former
# module import them from here); listing them keeps linters from calling them unused.
_REEXPORTED = (InputError, DEFAULT_MEMORY_BUDGET_BYTES, MemoryEstimate, check_budget,
               cutoff_advice, format_bytes, format_count, Generator, _REORTH, _fgmres,
               _DENSE_BYTES_PER_D2, _SOLVER_BUDGET_NAME, _memory_parts, _DEFAULT_THREADS,
               _KINDS, PRECONDITIONERS, _available_cores, default_threads, _ComplexPacking,
               _HermitianPacking, _AUTO_ORDER, _PRECONDITIONER_CHECK, _SWITCH_FACTOR,
               _build_preconditioner, _check_preconditioner, _dark_shift, _EigPreconditioner,
               _SchurPreconditioner, _LEAF, _leaf_trsyl, _tri_lyapunov, _tri_sylvester,
               _DENSE_FRACTION, Operator, _GeneralLiouvillian, _group_sandwich, _herm,
               _HermitianLiouvillian, _is_hermiticity_preserving, _proportional, _rel_diff,
               _rmul, _to_operator)
