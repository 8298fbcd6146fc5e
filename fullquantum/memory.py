"""Memory estimate of a Liouvillian and its steady-state solve, made before building it.

Everything is computed from the d×d operators of a :class:`~fullquantum.generator.Generator`
(cheap), never from the d²×d² super-operator (n = d² unknowns):

* nnz(L) ≤ d·(nnz(A) + nnz(B)) + Σ_k nnz(C_k)·nnz(D_k)   (spre/spost/sprepost of the terms);
* half-bandwidth of L in QuTiP's column-stacked order, w ≤ max(w_A, d·w_B, w_C + d·w_D)
  (spre(A) = I⊗A keeps A's offsets, spost(B) = Bᵀ⊗I multiplies them by d);
* each stored sparse entry costs ``BYTES_PER_ENTRY`` (complex128 value + index, ≤ 8 bytes);
* building L (and QuTiP's copy with the trace row) peaks at ``BUILD_COPIES`` × its size;
* sparse LU (direct/power with spsolve, splu, mkl_spsolve): fill ≈ 2·n·w entries, the
  band-LU size. Measured against SuperLU after QuTiP's reverse Cuthill–McKee ordering at the
  reference point (cutoffs (2,2,4) … (5,4,8), linearized and nonlinear) the actual L+U fill
  is 0.26–0.96× this (0.44× linearized, 0.96× nonlinear at (4,3,8));
* dense solvers ("solve", "lstsq") and ``svd`` hold dense n×n complex matrices;
* ``eigen`` forms L†L (nnz ≈ nnz(L)²/n) and a Lanczos basis; iterative solvers hold a Krylov
  basis and, with ``use_precond``, an incomplete LU of ``ILU_FILL`` × nnz(L).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import qutip

from .errors import MemoryBudgetError
from .generator import Generator

DEFAULT_MEMORY_BUDGET_BYTES: int = 4 * 1024**3  # 4 GiB: a laptop-safe default
BYTES_PER_ENTRY = 24      # complex128 value + a 64-bit index (QuTiP may use 32-bit: bound)
BYTES_PER_DENSE = 16      # complex128
BUILD_COPIES = 3          # accumulated sum + new term + result; QuTiP's weighted copy
KRYLOV_VECTORS = 30       # scipy's gmres/lgmres restart (20) plus workspace
ILU_FILL = 10             # scipy spilu's default fill_factor, used by QuTiP's use_precond
LANCZOS_VECTORS = 20      # scipy eigsh's default ncv for one eigenvalue
DENSE_COPIES = {"solve": 2, "lstsq": 3, "svd": 4}  # input copy + LU; + SVD factors/workspace
SPARSE_LU_SOLVERS = ("spsolve", "splu", "mkl_spsolve")


def _csr(op: qutip.Qobj):
    return op.to("csr").data.as_scipy()


def _nnz(op: qutip.Qobj) -> int:
    return int(_csr(op).nnz)


def _max_offset(op: qutip.Qobj) -> int:
    coo = _csr(op).tocoo()
    return int(np.max(np.abs(coo.row - coo.col))) if coo.nnz else 0


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak memory of building and solving one Liouvillian.

    Attributes
    ----------
    hilbert_dim : int
        d = N_ccw·N_cw·N_m.
    nnz_bound : int
        Upper bound on the stored entries of the d²×d² Liouvillian.
    bandwidth : int
        Upper bound on its half-bandwidth in QuTiP's column-stacked ordering.
    liouvillian_bytes : int
        Peak while building L (``BUILD_COPIES`` × its sparse storage).
    solver_bytes : int
        Extra memory of the solve (factorisation fill, dense copies or Krylov basis).
    method, solver : str or None
        What the estimate is for (``None``: building L only).
    """

    hilbert_dim: int
    nnz_bound: int
    bandwidth: int
    liouvillian_bytes: int
    solver_bytes: int
    method: str | None
    solver: str | None

    @property
    def total_bytes(self) -> int:
        """liouvillian_bytes + solver_bytes (the two are counted as if held together)."""
        return self.liouvillian_bytes + self.solver_bytes

    def describe(self) -> str:
        """One line with the numbers behind the estimate."""
        n = self.hilbert_dim**2
        if self.method == "structured":
            return (f"d = {self.hilbert_dim} (structured solver, no {n}×{n} Liouvillian): "
                    f"Krylov basis and d×d work arrays {_gib(self.solver_bytes)}")
        return (f"d = {self.hilbert_dim} (Liouvillian {n}×{n}, nnz ≤ {self.nnz_bound}, "
                f"half-bandwidth ≤ {self.bandwidth}): building L {_gib(self.liouvillian_bytes)}"
                f" + solve ({self.method}/{self.solver}) {_gib(self.solver_bytes)} "
                f"= {_gib(self.total_bytes)}")


def _gib(nbytes: int) -> str:
    return f"{nbytes / 1024**3:.3g} GiB"


def estimate_memory(generator: Generator, method: str | None, solver: str | None = None, *,
                    use_precond: bool = False) -> MemoryEstimate:
    """Estimate the memory of building ``generator``'s Liouvillian and solving for ρ_ss.

    Parameters
    ----------
    generator : Generator
        The model's generator (its d×d operators are all that is inspected).
    method : str or None
        Steady-state method ("direct", "power", "eigen", "svd", "iterative-…"); ``None`` for
        building the Liouvillian only.
    solver : str or None
        Linear solver of "direct"/"power" (QuTiP's ``solver=``); ``None`` means sparse LU.
    use_precond : bool
        Whether an iterative method builds QuTiP's incomplete-LU preconditioner.

    Returns
    -------
    MemoryEstimate
        The formulas are in the module docstring.
    """
    g = generator
    d = g.hilbert_dim
    n = d * d
    if method == "structured":  # no Liouvillian is built: only the solver's own arrays
        from .structured import StructuredOptions, estimate_memory as structured_bytes

        return MemoryEstimate(hilbert_dim=d, nnz_bound=0, bandwidth=0, liouvillian_bytes=0,
                              solver_bytes=structured_bytes(d, StructuredOptions().restart),
                              method=method, solver=None)
    nnz = d * (_nnz(g.left) + _nnz(g.right)) + sum(_nnz(C) * _nnz(D) for C, D in g.sandwich)
    nnz = min(nnz, n * n)
    w = max([_max_offset(g.left), d * _max_offset(g.right)]
            + [_max_offset(C) + d * _max_offset(D) for C, D in g.sandwich])
    w = min(w, n - 1)
    build = BUILD_COPIES * (nnz * BYTES_PER_ENTRY + 8 * (n + 1))
    if method is None:
        extra = 0
    elif method in ("direct", "power") and solver in DENSE_COPIES:
        extra = DENSE_COPIES[solver] * n * n * BYTES_PER_DENSE
    elif method in ("direct", "power"):
        extra = min(2 * n * w, n * n) * BYTES_PER_ENTRY
    elif method == "svd":
        extra = DENSE_COPIES["svd"] * n * n * BYTES_PER_DENSE
    elif method == "eigen":
        extra = min(nnz * nnz // n, n * n) * BYTES_PER_ENTRY + LANCZOS_VECTORS * n * BYTES_PER_DENSE
    else:  # iterative-*
        extra = KRYLOV_VECTORS * n * BYTES_PER_DENSE
        if use_precond:
            extra += ILU_FILL * nnz * BYTES_PER_ENTRY
    return MemoryEstimate(hilbert_dim=d, nnz_bound=int(nnz), bandwidth=int(w),
                          liouvillian_bytes=int(build), solver_bytes=int(extra),
                          method=method, solver=solver)


def check_budget(estimate: MemoryEstimate, budget_bytes: int) -> None:
    """Raise :class:`MemoryBudgetError` if ``estimate.total_bytes`` exceeds ``budget_bytes``."""
    if estimate.total_bytes > budget_bytes:
        raise MemoryBudgetError(
            f"refusing: estimated memory {_gib(estimate.total_bytes)} exceeds the budget "
            f"{_gib(budget_bytes)}; {estimate.describe()}. To lower it use smaller cutoffs "
            f"(the sparse-LU fill grows as d³·N_cw·N_m), another method (e.g. an iterative "
            f"one, 'iterative-lgmres'), or raise memory_budget_bytes if the machine has the "
            f"memory.", estimate_bytes=estimate.total_bytes, budget_bytes=budget_bytes)


__all__ = ["MemoryEstimate", "estimate_memory", "check_budget", "DEFAULT_MEMORY_BUDGET_BYTES"]
