"""The memory budget: the estimate record every method returns, and the one check against it.

A leaf (of :mod:`fullquantum` it imports only the errors and the leaf
:mod:`fullquantum.checks`), so that each method's estimator — the QuTiP Liouvillian's in
:mod:`fullquantum.memory`, the structured solver's in :mod:`fullquantum.structured.memory` —
and every caller of :func:`check_budget` can use it without an import circle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .checks import check_instance, check_int
from .errors import MemoryBudgetError

DEFAULT_MEMORY_BUDGET_BYTES: int = 4 * 1024**3  # 4 GiB: a laptop-safe default
MODE_LABELS: tuple[str, str, str] = ("N_ccw", "N_cw", "N_m")


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak memory of building and solving one steady state.

    Attributes
    ----------
    cutoffs : tuple of int
        The Fock dimensions the estimate is for.
    hilbert_dim : int
        d = N_ccw·N_cw·N_m.
    method, solver : str or None
        What the estimate is for (``method=None``: building the Liouvillian only).
    operator_bytes : int
        Building the d×d operators of the generator (and ``BASE_BYTES``).
    liouvillian_bytes : int
        The Liouvillian's copies: ``BUILD_COPIES`` (building it) or ``SOLVE_COPIES``
        (solving with QuTiP) × its sparse storage; 0 for "structured".
    solver_bytes : int
        Extra memory of the solve (factorisation fill, dense copies, Krylov basis, or the
        structured solver's arrays).
    nnz_bound : int
        Upper bound on the stored entries of the d²×d² Liouvillian (0 for "structured").
    bandwidth : int
        Upper bound on its half-bandwidth in QuTiP's column-stacked ordering.
    details : str
        The numbers behind the estimate, in words (by the method's estimator).
    advice : str
        How to lower it, for this method (by the method's estimator).
    """

    cutoffs: tuple[int, ...]
    hilbert_dim: int
    method: str | None
    solver: str | None
    operator_bytes: int
    liouvillian_bytes: int
    solver_bytes: int
    nnz_bound: int
    bandwidth: int
    details: str
    advice: str

    @property
    def total_bytes(self) -> int:
        """operator_bytes + liouvillian_bytes + solver_bytes (counted as if held together)."""
        return self.operator_bytes + self.liouvillian_bytes + self.solver_bytes

    def describe(self) -> str:
        """One line with the numbers behind the estimate."""
        return self.details


def format_bytes(nbytes: float) -> str:
    """Bytes in binary units (EiB … KiB), two decimals above KiB."""
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30),
                       ("MiB", 2**20)):
        if nbytes >= size:
            value = nbytes / size
            return f"{value:.3g} {unit}" if value >= 1e4 else f"{value:.2f} {unit}"
    return f"{nbytes / 2**10:.1f} KiB"


def format_count(n: int) -> str:
    """An integer, exactly below 10⁷, else to three digits (sizes at huge cutoffs)."""
    return str(n) if n < 10**7 else f"{n:.3g}"


def cutoff_advice(dims: Sequence[int], growth: str) -> str:
    """'lower the Fock cutoffs (d = … ; the largest … dominate d; memory grows as …)'.

    Parameters
    ----------
    dims : sequence of int
        Fock dimensions; named N_ccw, N_cw, N_m when there are three.
    growth : str
        How the memory grows, e.g. "d²".
    """
    dims = [int(n) for n in dims]
    labels = MODE_LABELS if len(dims) == 3 else tuple(f"N_{k}" for k in range(len(dims)))
    top = max(dims)
    largest = ", ".join(f"{lab}={n}" for lab, n in zip(labels, dims) if n == top)
    return (f"lower the Fock cutoffs, foremost the largest ({largest}): d = "
            f"{'·'.join(labels)} = {'·'.join(map(str, dims))} = {format_count(math.prod(dims))} "
            f"and the memory grows as {growth}")


def check_budget(estimate: MemoryEstimate, budget_bytes: int) -> None:
    """Raise :class:`MemoryBudgetError` if ``estimate.total_bytes`` exceeds ``budget_bytes``.

    The single memory refusal of every method; the message states the estimate, its
    breakdown and the method's own advice.

    Parameters
    ----------
    estimate : MemoryEstimate
        From the method's estimator (:func:`fullquantum.estimate_memory`).
    budget_bytes : int
        The budget, > 0.

    Raises
    ------
    MemoryBudgetError
        The estimate exceeds the budget.
    InputTypeError, InputError
        ``estimate`` is not a MemoryEstimate, or ``budget_bytes`` not a positive integer.
    """
    check_instance("estimate", estimate, MemoryEstimate, "a MemoryEstimate")
    check_int("budget_bytes", budget_bytes, minimum=1)
    if estimate.total_bytes > budget_bytes:
        raise MemoryBudgetError(
            f"refusing: estimated peak memory {format_bytes(estimate.total_bytes)} exceeds the "
            f"budget {format_bytes(budget_bytes)}; {estimate.describe()}. To lower it: "
            f"{estimate.advice}.", estimate_bytes=estimate.total_bytes,
            budget_bytes=budget_bytes)


__all__ = ["DEFAULT_MEMORY_BUDGET_BYTES", "MODE_LABELS", "MemoryEstimate", "check_budget",
           "format_bytes", "format_count", "cutoff_advice"]
