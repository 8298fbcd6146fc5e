"""Memory estimate of a steady-state solve, decided from the cutoffs before anything is built.

The guard of :func:`fullquantum.solve` and :func:`fullquantum.liouvillian` must refuse a size
that does not fit *before* allocating it: at cutoffs (400, 400, 400), d = 6.4e7, even the
d×d operators of the :class:`~fullquantum.generator.Generator` take many GiB. So nothing here
builds an operator; every count is in closed form from the cutoffs, the model and the bath.

**Operator patterns.** Every operator of a model is a polynomial in the ladder operators, so
its sparsity pattern is a set of Fock-index *shifts* Δ = (Δn_1, …, Δn_n) (row − column in
each mode; a has Δ = −1 in its mode, a†a and the identity 0, q² = {0, ±2}). They are read
from the model's symbolic generator (:func:`pattern_of`, :func:`model_pattern`;
:mod:`fullquantum.symbolic`), the same terms the matrices are built from: one formula for
every model, no table per model. :func:`generator_pattern` is the spinning resonator's. An operator with shift set S has at most

    nnz ≤ Σ_{Δ∈S} Π_k max(N_k − |Δ_k|, 0)

stored entries, and a largest diagonal offset max_{Δ∈S} |lin Δ|, lin Δ = Σ_k Δ_k Π_{j>k} N_j
(QuTiP's tensor order, the last mode fastest).

**QuTiP methods** (n = d² unknowns):

* nnz(L) ≤ d·(nnz(A) + nnz(B)) + Σ_k nnz(C_k)·nnz(D_k)   (spre/spost/sprepost of the terms);
* half-bandwidth of L in QuTiP's column-stacked order, w ≤ max(w_A, d·w_B, w_C + d·w_D)
  (spre(A) = I⊗A keeps A's offsets, spost(B) = Bᵀ⊗I multiplies them by d);
* each stored sparse entry costs ``BYTES_PER_ENTRY`` (complex128 value + index, ≤ 8 bytes)
  in CSR, and each diagonal n complex numbers in QuTiP's Dia format; the larger counts
  (:func:`sparse_bytes`);
* building L peaks at ``BUILD_COPIES`` × its size; solving with QuTiP (the CSR conversion,
  QuTiP's copy with the trace row and its RCM-permuted copy) at ``SOLVE_COPIES`` × it;
* sparse LU (direct/power with spsolve, splu, mkl_spsolve): fill ≈ 2·n·w entries, the
  band-LU size, ∝ d³·N_cw·N_m. Measured against SuperLU after QuTiP's reverse Cuthill–McKee
  ordering at the reference point (cutoffs (2,2,4) … (5,4,8), linearized and nonlinear) the
  actual L+U fill is 0.26–0.96× this (0.44× linearized, 0.96× nonlinear at (4,3,8));
* dense solvers ("solve", "lstsq") and ``svd`` hold dense n×n complex matrices;
* ``eigen`` forms L†L (nnz ≈ nnz(L)²/n) and a Lanczos basis; iterative solvers hold a Krylov
  basis and, with ``use_precond``, an incomplete LU of ``ILU_FILL`` × nnz(L).

**Structured method**: its estimate (Krylov basis and d×d work arrays, which depend only on
d and its :class:`~fullquantum.StructuredOptions`) lives with the solver,
:func:`fullquantum.structured.structured_memory` (:mod:`fullquantum.structured.memory`);
:func:`estimate_memory` hands it the operator cost computed here.

**The budget** — :class:`MemoryEstimate`, :func:`check_budget`, the default — is the leaf
module :mod:`fullquantum.budget`, which both estimators use; the structured solver never
imports this module, so there is no import circle between the two.

**Every method** adds :func:`operator_bytes`, the peak of building the d×d operators (the
generator's terms, the mode operators and the temporaries of the sums), plus a fixed
``BASE_BYTES`` for the small objects of a solve.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import InputError
from ..linear import BATHS, ModelPoint
from ..linear.model import Cavity, Hopping, Mechanical, Model, RadiationPressure
from ..linear.parameters import check_choice
from .budget import (DEFAULT_MEMORY_BUDGET_BYTES, MODE_LABELS, MemoryEstimate, check_budget,
                     cutoff_advice, format_bytes, format_count)
from .checks import check_flag, check_instance
from .generator import Generator
from .modelterms import model_generator_terms
from .operators import Cutoffs, check_cutoffs, check_mode_cutoffs
from .options import METHODS, check_method_solver, resolve_hamiltonian
from .structured.memory import structured_memory
from .structured.options import StructuredOptions

BYTES_PER_ENTRY = 24      # complex128 value + a 64-bit index (QuTiP may use 32-bit: bound)
BYTES_PER_DENSE = 16      # complex128
BYTES_PER_INDEX = 8       # one CSR row pointer
BUILD_COPIES = 3          # building L: accumulated sum + new term + result
# Solving with QuTiP: L is converted from QuTiP's Dia format to CSR through COO arrays
# (≈ 3.5 copies of it at once), then qutip.steadystate adds a weighted copy and, with
# use_rcm, a permuted one. Measured with tracemalloc at cutoffs (4,3,8): the QuTiP part of an
# iterative-gmres solve peaks at 3.5× the CSR Liouvillian beyond it; five copies bound both.
SOLVE_COPIES = 5
KRYLOV_VECTORS = 30       # scipy's gmres/lgmres restart (20) plus workspace
ILU_FILL = 10             # scipy spilu's default fill_factor, used by QuTiP's use_precond
LANCZOS_VECTORS = 20      # scipy eigsh's default ncv for one eigenvalue
DENSE_COPIES = {"solve": 2, "lstsq": 3, "svd": 4}  # input copy + LU; + SVD factors/workspace
SPARSE_LU_SOLVERS = ("spsolve", "splu", "mkl_spsolve")
# Building a generator holds its own operators and the five mode operators, and QuTiP's
# sums allocate for the sum of their operands (add_csr and add_dia do not shrink), with
# operands and result alive together. Measured with tracemalloc at the reference point (every
# model and bath, d = 96 … 36000, cutoffs from (4,3,8) to (2,2,2000) and (100,100,2)) the
# peak of generator_for is 0.9–1.6× the storage of those operators; twice it is the bound.
OPERATOR_BUILD_FACTOR = 2
# Python objects, QuTiP bookkeeping, the Gaussian analysis and the observables of a solve
# at any size (tracemalloc of a whole solve at cutoffs (2,2,3): 0.2–0.8 MiB above the sum).
BASE_BYTES = 1 * 1024**2

Shift = tuple[int, ...]
Shifts = frozenset[Shift]


@dataclass(frozen=True)
class GeneratorPattern:
    """Sparsity pattern of a model's generator L(ρ) = Aρ + ρB + Σ_k C_k ρ D_k, as shifts.

    Attributes
    ----------
    left, right : frozenset of (int, int, int)
        Shifts (row − column of the Fock index in each mode) of A and B.
    sandwich : tuple of (frozenset, frozenset)
        Shifts of each (C_k, D_k).
    modes : tuple of frozenset
        Shifts of the mode operators a_ccw, a_cw, b, q, p built on the way.
    """

    left: Shifts
    right: Shifts
    sandwich: tuple[tuple[Shifts, Shifts], ...]
    modes: tuple[Shifts, ...]

    def operators(self) -> tuple[Shifts, ...]:
        """Shift sets of every operator the generator stores (A, B, then each C_k, D_k)."""
        return (self.left, self.right) + tuple(s for pair in self.sandwich for s in pair)


def generator_pattern(hamiltonian: str | None = None, bath: str = "brownian", *,
                      model: str | None = None) -> GeneratorPattern:
    """The shifts of every operator of the spinning resonator's generator (none built).

    Read from the symbolic generator (:func:`pattern_of`) of the ``spinning_resonator``
    preset with every term present: both cavities driven and hopping on, so the pattern
    holds for either drive direction and any point.

    Parameters
    ----------
    hamiltonian : {"linearized", "nonlinear", "lab"}
        Default "linearized".
    bath : {"brownian", "lindblad"}
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).

    Returns
    -------
    GeneratorPattern

    Raises
    ------
    InputError
        Unknown hamiltonian or bath (the message lists the valid ones).
    """
    h = resolve_hamiltonian(hamiltonian, model, "linearized")
    check_choice("bath", bath, BATHS)
    return _template(h, bath)


def pattern_of(gen: Generator, n_modes: int, mechanical: Sequence[int] = ()
               ) -> GeneratorPattern:
    """The pattern of a symbolic generator (:class:`~fullquantum.symbolic.OpSum` terms).

    One formula for every model: the shifts are read from the generator's own terms
    (:meth:`~fullquantum.symbolic.OpSum.shifts`), so nothing is tabulated per model and
    nothing is built.

    Parameters
    ----------
    gen : Generator
        With OpSum operators (:func:`fullquantum.modelterms.model_generator_terms`).
    n_modes : int
        Number of modes.
    mechanical : sequence of int
        Indices of the mechanical modes, whose q and p are built on the way.

    Returns
    -------
    GeneratorPattern
    """
    ladders = [frozenset({tuple(-int(i == k) for i in range(n_modes))})
               for k in range(n_modes)]
    qp = [frozenset({tuple(s * int(i == k) for i in range(n_modes)) for s in (1, -1)})
          for k in mechanical]
    return GeneratorPattern(left=gen.left.shifts(), right=gen.right.shifts(),
                            sandwich=tuple((C.shifts(), D.shifts()) for C, D in gen.sandwich),
                            modes=tuple(ladders) + tuple(x for k in qp for x in (k, k)))


def model_pattern(point: ModelPoint, hamiltonian: str) -> GeneratorPattern:
    """The pattern of the full-quantum model of a :class:`~omxval.linear.ModelPoint`.

    Parameters
    ----------
    point : linear.ModelPoint
    hamiltonian : {"linearized", "nonlinear", "lab"}

    Returns
    -------
    GeneratorPattern
    """
    model = point.model
    mech = [k for k, m in enumerate(model.modes) if m.kind == "mechanical"]
    return pattern_of(model_generator_terms(point, hamiltonian), len(model.modes), mech)


@functools.lru_cache(maxsize=None)
def _template(hamiltonian: str, bath: str) -> GeneratorPattern:
    """The spinning resonator's pattern with every term present (both cavities driven,
    J ≠ 0, G0 ≠ 0): what :func:`generator_pattern` promises for any of its points."""
    model = Model((Cavity("ccw", 0.3, 0.2, 1.0), Cavity("cw", 0.1, 0.2, 1.0),
                   Mechanical("m", 1.0, 0.005, 0.2, bath)),
                  (RadiationPressure("ccw", "m", 0.05), RadiationPressure("cw", "m", 0.05),
                   Hopping(("ccw", "cw"), 0.1)))
    return model_pattern(ModelPoint(model), hamiltonian)


def shift_count(shift: Shift, cutoffs: Sequence[int]) -> int:
    """Number of basis states n with n − Δ also in the truncated space: Π_k max(N_k − |Δ_k|, 0)."""
    return math.prod(max(n - abs(s), 0) for n, s in zip(cutoffs, shift))


def nnz_bound(shifts: Iterable[Shift], cutoffs: Sequence[int]) -> int:
    """Upper bound on the stored entries of an operator with these shifts."""
    return sum(shift_count(s, cutoffs) for s in shifts)


def max_offset(shifts: Iterable[Shift], cutoffs: Sequence[int]) -> int:
    """Largest |row − column| of an operator with these shifts (realised ones only)."""
    strides = [math.prod(cutoffs[k + 1:]) for k in range(len(cutoffs))]  # last mode fastest
    return max((abs(sum(a * b for a, b in zip(s, strides))) for s in shifts
                if shift_count(s, cutoffs) > 0), default=0)


def sparse_bytes(nnz: int, rows: int, diagonals: int) -> int:
    """Bytes of a square sparse matrix in whichever of QuTiP's formats is larger.

    CSR: ``BYTES_PER_ENTRY`` per entry plus row pointers. Dia (QuTiP 5 builds ladder
    operators, their products and the super-operators in it): a full-length complex row per
    stored diagonal, so it exceeds CSR when a mode's cutoff is small (a shift of one level in
    a mode with N = 2 fills half of its diagonal).
    """
    csr = nnz * BYTES_PER_ENTRY + BYTES_PER_INDEX * (rows + 1)
    dia = diagonals * (BYTES_PER_DENSE * rows + BYTES_PER_INDEX)
    return max(csr, dia)


def realized(shifts: Iterable[Shift], cutoffs: Sequence[int]) -> int:
    """Number of the shifts that fit in the truncated space (the operator's diagonals)."""
    return sum(1 for s in shifts if shift_count(s, cutoffs) > 0)


def _operator_sizes(pattern: GeneratorPattern, cutoffs: Sequence[int]) -> list[int]:
    d = math.prod(cutoffs)
    return [sparse_bytes(nnz_bound(s, cutoffs), d, realized(s, cutoffs))
            for s in pattern.operators() + pattern.modes]


def operator_bytes(cutoffs: Sequence[int], hamiltonian: str | None = None,
                   bath: str = "brownian", *, pattern: GeneratorPattern | None = None,
                   model: str | None = None) -> int:
    """Peak bytes of building a model's d×d operators (e.g. :func:`fullquantum.generator_for`).

    ``OPERATOR_BUILD_FACTOR`` × the storage of the generator's operators and the mode
    operators (each :func:`sparse_bytes` of its :func:`nnz_bound` and shifts), plus
    ``BASE_BYTES``.

    Parameters
    ----------
    cutoffs : sequence of int
        Fock cutoffs in mode order ((N_ccw, N_cw, N_m) for the spinning resonator).
    hamiltonian, bath : str
        The spinning resonator's pattern (:func:`generator_pattern`), unless ``pattern``.
    pattern : GeneratorPattern, optional
        Any model's pattern (:func:`model_pattern`).
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).

    Returns
    -------
    int
    """
    cutoffs, pattern = _resolve(cutoffs, hamiltonian, bath, pattern, model)
    return OPERATOR_BUILD_FACTOR * sum(_operator_sizes(pattern, cutoffs)) + BASE_BYTES


def _resolve(cutoffs, hamiltonian, bath, pattern, model) -> tuple[tuple[int, ...],
                                                                  GeneratorPattern]:
    """Checked cutoffs and the pattern: a given one (any model) or the spinning resonator's."""
    if pattern is None:
        h = resolve_hamiltonian(hamiltonian, model, "linearized", stacklevel=4)
        check_choice("bath", bath, BATHS)
        return check_cutoffs(cutoffs), generator_pattern(h, bath)
    check_instance("pattern", pattern, GeneratorPattern, "a GeneratorPattern")
    n = len(next(iter(pattern.modes[0] if pattern.modes else pattern.left)))
    return check_mode_cutoffs(cutoffs, n), pattern


def estimate_memory(cutoffs: Sequence[int], method: str | None = None,
                    solver: str | None = None, *, hamiltonian: str | None = None,
                    bath: str = "brownian", use_precond: bool = False,
                    structured: StructuredOptions | None = None,
                    pattern: GeneratorPattern | None = None,
                    model: str | None = None) -> MemoryEstimate:
    """Estimate the peak memory of a steady-state solve from the cutoffs alone.

    Nothing is allocated: the counts are in closed form (module docstring), so a size that
    does not fit is refused in microseconds at any cutoffs.

    Parameters
    ----------
    cutoffs : sequence of int
        Fock cutoffs in mode order, each ≥ 2: (N_ccw, N_cw, N_m) for the spinning
        resonator, one per mode of ``pattern``'s model otherwise.
    method : str or None
        "structured", or a QuTiP steady-state method ("direct", "power", "eigen", "svd",
        "iterative-…"); ``None`` for building the Liouvillian only.
    solver : str or None
        Linear solver of "direct"/"power" (QuTiP's ``solver=``); ``None`` means sparse LU.
    hamiltonian : {"linearized", "nonlinear", "lab"}
        The spinning resonator's full-quantum form (default "linearized"), which fixes the
        operators' patterns; ignored with ``pattern``.
    bath : {"brownian", "lindblad"}
        The mechanical bath (``system.bath``); "brownian" is the larger. Ignored with
        ``pattern``.
    use_precond : bool
        Whether an iterative method builds QuTiP's incomplete-LU preconditioner.
    structured : StructuredOptions, optional
        Options of ``method="structured"`` (restart, preconditioner); default options if
        None. Ignored by the other methods.
    pattern : GeneratorPattern, optional
        Any model's sparsity pattern (:func:`model_pattern` of a ``ModelPoint``, read from
        the symbolic generator: no operator built).
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).

    Returns
    -------
    MemoryEstimate
        For "structured", from :func:`fullquantum.structured.structured_memory`.

    Raises
    ------
    InputError
        Bad cutoffs; an unknown method, solver, model or bath (the message lists the valid
        choices), or a solver the method does not take.
    InputTypeError
        ``use_precond`` not a bool, ``structured`` not a StructuredOptions.
    """
    # Names first: an unknown method would otherwise fall through to the Krylov formula.
    if method is None:
        if solver is not None:
            raise InputError(f"solver={solver!r} needs a method ('direct' or 'power'); "
                             "method=None estimates building the Liouvillian only")
    else:
        check_choice("method", method, METHODS)
        if solver is not None:
            check_method_solver(method, solver)  # the pair only; the estimate keeps solver
    cutoffs, pattern = _resolve(cutoffs, hamiltonian, bath, pattern, model)
    use_precond = check_flag("use_precond", use_precond)
    if structured is not None:
        check_instance("structured", structured, StructuredOptions, "a StructuredOptions or None")
    ops = operator_bytes(cutoffs, pattern=pattern)
    if method == "structured":
        # The structured solver owns its settings and so its formula.
        return structured_memory(cutoffs, structured or StructuredOptions(),
                                 operator_bytes=ops, budget_name="memory_budget_bytes")
    return _qutip_estimate(cutoffs, method, solver, pattern, use_precond, ops)


def _qutip_estimate(cutoffs: Cutoffs, method: str | None, solver: str | None,
                    pattern: GeneratorPattern, use_precond: bool, ops: int) -> MemoryEstimate:
    """The estimate of building QuTiP's d²×d² Liouvillian and solving with ``method``."""
    d = math.prod(cutoffs)
    n = d * d
    nnz_left = nnz_bound(pattern.left, cutoffs)
    nnz_right = nnz_bound(pattern.right, cutoffs)
    nnz = d * (nnz_left + nnz_right) + sum(
        nnz_bound(C, cutoffs) * nnz_bound(D, cutoffs) for C, D in pattern.sandwich)
    nnz = min(nnz, n * n)
    w = max([max_offset(pattern.left, cutoffs), d * max_offset(pattern.right, cutoffs)]
            + [max_offset(C, cutoffs) + d * max_offset(D, cutoffs)
               for C, D in pattern.sandwich])
    w = min(w, n - 1)
    # Diagonals QuTiP's Dia sum allocates: every term's own (spre/spost keep A's and B's,
    # sprepost(C, D) has |C|·|D|), not their union.
    diagonals = realized(pattern.left, cutoffs) + realized(pattern.right, cutoffs) + sum(
        realized(C, cutoffs) * realized(D, cutoffs) for C, D in pattern.sandwich)
    copies = BUILD_COPIES if method is None else SOLVE_COPIES
    build = copies * sparse_bytes(nnz, n, diagonals)
    if method is None:
        extra, what = 0, "building L only"
        advice = cutoff_advice(cutoffs, "d² (nnz of the Liouvillian)")
    elif method in ("direct", "power") and solver in DENSE_COPIES:
        extra = DENSE_COPIES[solver] * n * n * BYTES_PER_DENSE
        what = f"{DENSE_COPIES[solver]} dense {n}×{n} complex matrices"
        advice = (f"{cutoff_advice(cutoffs, 'd⁴ (dense n×n matrices, n = d²)')}; use a "
                  f"sparse solver (solver='spsolve') or method='structured' (memory ∝ d²)")
    elif method in ("direct", "power"):
        extra = min(2 * n * w, n * n) * BYTES_PER_ENTRY
        what = f"sparse-LU fill ≤ 2·n·w = {format_count(min(2 * n * w, n * n))} entries"
        advice = (f"{cutoff_advice(cutoffs, 'd³·N_cw·N_m (the sparse-LU fill 2·n·w)')}; use "
                  f"method='structured' (no d²×d² Liouvillian, memory ∝ d²) or an iterative "
                  f"method ('iterative-lgmres')")
    elif method == "svd":
        extra = DENSE_COPIES["svd"] * n * n * BYTES_PER_DENSE
        what = f"dense SVD of the {n}×{n} Liouvillian"
        advice = (f"{cutoff_advice(cutoffs, 'd⁴ (a dense SVD of n×n, n = d²)')}; use a sparse "
                  f"method (method='structured', memory ∝ d²)")
    elif method == "eigen":
        extra = (min(nnz * nnz // n, n * n) * BYTES_PER_ENTRY
                 + LANCZOS_VECTORS * n * BYTES_PER_DENSE)
        what = f"L†L fill and {LANCZOS_VECTORS} Lanczos vectors"
        advice = (f"{cutoff_advice(cutoffs, 'd² (the L†L fill and Lanczos vectors)')}; use "
                  f"method='structured'")
    else:  # iterative-*
        extra = KRYLOV_VECTORS * n * BYTES_PER_DENSE
        what = f"{KRYLOV_VECTORS} Krylov vectors of n = {format_count(n)}"
        if use_precond:
            extra += ILU_FILL * nnz * BYTES_PER_ENTRY
            what += f" + incomplete LU ({ILU_FILL}× nnz(L))"
        growth = "d² (the Krylov basis" + (" and the ILU ∝ nnz(L))" if use_precond else ")")
        advice = (f"{cutoff_advice(cutoffs, growth)}; "
                  + ("drop the incomplete-LU preconditioner (use_precond=False) or use "
                     if use_precond else "use ") + "method='structured'")
    advice += ", or raise memory_budget_bytes if the machine has the memory"
    label = ("Liouvillian" if method is None else method if solver is None
             else f"{method}/{solver}")
    details = (f"{label} at d = {format_count(d)} (Liouvillian {format_count(n)}×"
               f"{format_count(n)}, nnz ≤ {format_count(nnz)}, half-bandwidth ≤ "
               f"{format_count(w)}): "
               f"d×d operators {format_bytes(ops)} + building L {format_bytes(build)}"
               + (f" + solve, {what}, {format_bytes(extra)}" if method is not None else ""))
    return MemoryEstimate(cutoffs=cutoffs, hilbert_dim=d, method=method, solver=solver,
                          operator_bytes=ops, liouvillian_bytes=int(build),
                          solver_bytes=int(extra), nnz_bound=int(nnz), bandwidth=int(w),
                          details=details, advice=advice)


# MemoryEstimate, check_budget, the default budget and the formatting helpers live in the
# leaf module budget.py; they are re-exported here for the callers of the former layout.
__all__ = ["MemoryEstimate", "GeneratorPattern", "estimate_memory", "check_budget",
           "generator_pattern", "pattern_of", "model_pattern", "operator_bytes", "nnz_bound", "max_offset", "sparse_bytes",
           "format_bytes", "format_count", "cutoff_advice", "MODE_LABELS",
           "DEFAULT_MEMORY_BUDGET_BYTES"]
