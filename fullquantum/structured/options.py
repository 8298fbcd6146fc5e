"""Options of the structured solver, checked when built, and its BLAS-thread default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from ...linear.parameters import check_choice
from ..budget import DEFAULT_MEMORY_BUDGET_BYTES
from ...linear.checks import check_real
from ..checks import check_int
from ...errors import InputError
from .accelerator import DEVICES

# Default BLAS threads: 1. Measured on the shared 2-core machine (benchmarks/): with the other
# core idle, 2 threads made the d×d products ≈1.6× faster at d ≥ 576 and a d = 1120 solve
# 1.33× faster (29–33 s against 43 s); with other workers on the second core, 2 threads made
# the same d = 1120 solve take 62–239 s (OpenBLAS threads wait on a preempted partner) and a
# d = 300 solve 4× slower. One thread is never that bad, so it is the default; pass
# threads=2 on an otherwise idle machine.
_DEFAULT_THREADS = 1
# The preconditioner kinds (preconditioners.py builds them); "auto" chooses among them.
PRECONDITIONERS: tuple[str, ...] = ("schur-mixed", "schur-double", "eig-mixed", "eig-double")
_KINDS = PRECONDITIONERS  # the name before the split into a package
# Whether a parity-symmetric generator is solved in its sectors (parity.py).
PARITY: tuple[str, ...] = ("auto", "off", "even-part")


@dataclass(frozen=True)
class StructuredOptions:
    """Options of :func:`~fullquantum.structured.steadystate_structured`, checked when built.

    A field of the wrong type raises :class:`~omxval.errors.InputTypeError`, one outside its
    range :class:`~omxval.errors.InputError`; both name the field and its valid range.

    Attributes
    ----------
    tol : float
        In (0, 1). Tolerance on the relative residual ‖W − M(ρ)‖_F / ‖W‖_F of the bordered system
        M(ρ) = L(ρ) + tr(ρ)·I/d = I/d. Measured on this project's models up to d = 576, the
        trace distance to a 1e-14 solve was 0.1–2× tol, so the default 1e-11 leaves a wide
        margin to the 1e-10 agreement asked of it.
    maxiter : int
        ≥ 1. Maximum total number of GMRES iterations (preconditioner applications). Default
        1000: most solves need 20–50, but the Vitali 2007 preset at s ≥ 10⁴ (cutoffs ≈ (20, 24),
        nonlinear) needed more than 400, the former default (there they stopped at 1–2 × tol).
    restart : int
        ≥ 1. Krylov basis length before a restart. Each step stores two vectors of 8·d² bytes
        (basis vector and preconditioned image); solves here need 20–50 steps, so the
        default rarely restarts.
    threads : int or None
        None or ≥ 1. BLAS threads for the d×d products (threadpoolctl). None:
        ``default_threads(d)``, 1 (measured: 2 threads gain 1.33× at d = 1120 on an idle
        machine but lose 2–8× when other processes occupy the second core; see
        ``_DEFAULT_THREADS``).
    memory_budget : int
        > 0. Refuse (:class:`~fullquantum.MemoryBudgetError`) if the estimated peak
        (:func:`~fullquantum.structured.structured_memory`) exceeds this many bytes.
        :func:`fullquantum.solve` sets it to its ``memory_budget_bytes``.
    preconditioner : {"auto", "schur-mixed", "schur-double", "eig-mixed", "eig-double"}
        Schur-form or eigenbasis inverse of the Sylvester part; "mixed" runs its products in
        single precision until the residual nears single-precision round-off. "auto" takes
        the first of schur-mixed, schur-double, eig-double that passes an accuracy check.
    device : {"cpu", "gpu"}
        Where the preconditioner's dense products run. "gpu" (CuPy and a CUDA device, see
        :mod:`.accelerator`) applies the eigenbasis preconditioner there ("auto" then means
        "eig-double"; a Schur kind is refused); checked before any work.
    parity : {"auto", "off", "even-part"}
        "auto": a generator that commutes with the total Fock parity (every ``linearized``
        model) is solved in its parity sectors (:mod:`.parity`): blocks of d/2, the same
        state at about a quarter of the cost. One without the symmetry (``nonlinear``,
        ``lab``) is solved whole, and from d = 400 on preconditioned in the sectors with
        the parity-even part of Ā (for ``nonlinear``, Ā without the cubic term: a quarter of
        the set-up, about 0.6× the time a step) when a six-step power-iteration weight of the
        dropped part stays at most 0.35 (``driver.EVEN_PART_MAX_WEIGHT``; above it the
        GMRES steps grow faster than a step gets cheaper). Measured
        (``benchmarks/bench_even_part.py``): a nonlinear Fig. 3 solve at d = 1512 takes
        1.63× less CPU at G0 = 0.01 (170 → 171 steps) and 1.38× less at G0 = 0.05
        (171 → 200); the reference point (weight 0.75) keeps the full preconditioner. The
        sectors apply on the CPU with the Schur kinds ("auto", "schur-mixed",
        "schur-double"). "off" always solves the full d×d system with the full
        preconditioner (kept for cross-checks). "even-part": as "auto", but the even-part
        preconditioner for every generator without the symmetry, whatever d and weight
        (not for ``lab``: its drive is odd, 30 → 528 steps at d = 45). The same state
        every way; the result's ``preconditioner`` ends in "(even part)" when it was used.
    """

    tol: float = 1e-11
    maxiter: int = 1000
    restart: int = 60
    threads: int | None = None
    memory_budget: int = DEFAULT_MEMORY_BUDGET_BYTES
    preconditioner: Literal["auto", "schur-mixed", "schur-double", "eig-mixed",
                            "eig-double"] = "auto"
    device: Literal["cpu", "gpu"] = "cpu"
    parity: Literal["auto", "off", "even-part"] = "auto"

    def __post_init__(self) -> None:
        # Checked here, not at solve time: a bad field fails where it is written.
        set_ = object.__setattr__
        set_(self, "tol", check_real("tol", self.tol, low=0.0, low_inclusive=False,
                                       high=1.0))
        set_(self, "maxiter", check_int("maxiter", self.maxiter, minimum=1))
        set_(self, "restart", check_int("restart", self.restart, minimum=1))
        set_(self, "threads", check_int("threads", self.threads, minimum=1, optional=True,
                                        meaning="default_threads(d)"))
        set_(self, "memory_budget", check_int("memory_budget", self.memory_budget, minimum=1))
        check_choice("preconditioner", self.preconditioner, ("auto",) + PRECONDITIONERS)
        check_choice("device", self.device, DEVICES)
        check_choice("parity", self.parity, PARITY)
        if self.device == "gpu" and self.preconditioner.startswith("schur"):
            raise InputError(f"device='gpu' applies the eigenbasis preconditioner: use "
                             f"preconditioner 'auto', 'eig-double' or 'eig-mixed'; got "
                             f"{self.preconditioner!r}")


def _available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def default_threads(d: int) -> int:
    """BLAS threads used when ``StructuredOptions.threads`` is None (see _DEFAULT_THREADS).

    Parameters
    ----------
    d : int
        Hilbert-space dimension (the measured default does not depend on it).

    Returns
    -------
    int
        ``_DEFAULT_THREADS``, at most the available cores.
    """
    return max(1, min(_DEFAULT_THREADS, _available_cores()))


__all__ = ["StructuredOptions", "PRECONDITIONERS", "default_threads"]
