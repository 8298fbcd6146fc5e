"""Memory estimate of the structured solver: Krylov basis and d×d work arrays.

Depends only on d and the solver's options, so :func:`fullquantum.estimate_memory` can
refuse from the cutoffs before anything is built; the solve
(:func:`~fullquantum.structured.steadystate_structured`) checks the same formula again once
the generator and the preconditioner are known.
"""

from __future__ import annotations

import math
from typing import Sequence

from ...linear.parameters import check_choice
from ..budget import MemoryEstimate, cutoff_advice, format_bytes, format_count
from ..checks import check_flag, check_instance, check_int
from .options import PRECONDITIONERS, StructuredOptions

# Bytes of dense d×d work arrays per d² (Schur factors or eigenvectors in both precisions,
# their conjugate transposes, operator and preconditioner temporaries, LAPACK workspace of
# the decomposition); calibrated against tracemalloc peaks (see tests).
_DENSE_BYTES_PER_D2 = {"schur-mixed": 272, "schur-double": 240, "eig-mixed": 296,
                       "eig-double": 256}
# The budget a refusal of steadystate_structured tells the caller to raise.
_SOLVER_BUDGET_NAME = "StructuredOptions.memory_budget (memory_budget_bytes in fullquantum.solve)"


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

    Raises
    ------
    InputTypeError, InputError
        ``d`` or ``restart`` not a positive integer, ``hermitian`` not a bool, or an unknown
        ``preconditioner`` (the message lists the kinds).
    """
    d = check_int("d", d, minimum=1)
    restart = check_int("restart", restart, minimum=1)
    hermitian = check_flag("hermitian", hermitian)
    check_choice("preconditioner", preconditioner, ("auto",) + PRECONDITIONERS)
    return sum(_memory_parts(d, restart, hermitian, preconditioner))


def structured_memory(dims: Sequence[int], options: StructuredOptions | None = None, *,
                      hermitian: bool = True, preconditioner: str | None = None,
                      operator_bytes: int = 0,
                      budget_name: str = _SOLVER_BUDGET_NAME) -> MemoryEstimate:
    """The structured solver's memory estimate, with its breakdown and advice.

    Depends only on d and the solver's options (:func:`estimate_memory`); this is the
    estimate :func:`fullquantum.solve` checks for ``method="structured"``, before anything is
    built, and the one :func:`~fullquantum.structured.steadystate_structured` re-checks.

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

    Raises
    ------
    InputTypeError, InputError
        ``options`` not a StructuredOptions, dims not positive integers, or an unknown
        ``preconditioner``.
    """
    opts = StructuredOptions() if options is None else check_instance(
        "options", options, StructuredOptions, "a StructuredOptions or None")
    dims = tuple(check_int("dims", n, minimum=1) for n in dims)
    d = math.prod(dims)
    kind = preconditioner or opts.preconditioner
    check_choice("preconditioner", kind, ("auto",) + PRECONDITIONERS)
    hermitian = check_flag("hermitian", hermitian)
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


__all__ = ["estimate_memory", "structured_memory"]
