"""The package's own warning and error classes (one place, so callers can filter on them).

* :class:`TruncationWarning` — a Fock cutoff is too small for the state.
* :class:`InstabilityWarning` — the linearized model at an unstable mean field.
* :class:`MemoryBudgetError` — the one memory refusal of every method (a ``MemoryError``).
* :class:`SteadyStateConvergenceError` — the structured solver missed its tolerance.
"""

from __future__ import annotations

from ..errors import OmxvalError, OmxvalWarning


class TruncationWarning(OmxvalWarning):
    """A Fock cutoff is too small: the top level of a mode holds more than the tolerance.

    Issued by :func:`fullquantum.solve` together with ``result.truncated = True``; the
    moments of a truncated state are biased by roughly the top-level population
    (docs/conventions.md §5), so the numbers should not be trusted at that accuracy.
    """


class InstabilityWarning(OmxvalWarning):
    """The linearized model was solved at a mean field whose drift matrix is unstable.

    The Gaussian model then has no steady state (docs/conventions.md §4); the linearized
    full-quantum model still has one on the truncated space, but it is an artefact of the
    cutoffs. Issued by :func:`fullquantum.solve`; ``result.gaussian.stable`` is False.
    """


class MemoryBudgetError(OmxvalError, MemoryError):
    """Refusal of a solve whose estimated peak memory exceeds the budget; nothing was built.

    Raised by :func:`fullquantum.solve` and :func:`fullquantum.liouvillian` (decided from
    the cutoffs and the method before any operator is built) and by
    :func:`fullquantum.structured.steadystate_structured`. The message states the estimate,
    its breakdown and how to lower it for the method at hand.

    Attributes
    ----------
    estimate_bytes : int
        The estimated peak memory (:attr:`fullquantum.MemoryEstimate.total_bytes`).
    budget_bytes : int
        The budget it was checked against.
    """

    def __init__(self, message: str, estimate_bytes: int, budget_bytes: int) -> None:
        super().__init__(message)
        self.estimate_bytes = estimate_bytes
        self.budget_bytes = budget_bytes


class SteadyStateConvergenceError(OmxvalError, RuntimeError):
    """The structured solver did not reach its tolerance; no state is returned.

    Raised by :func:`fullquantum.solve` with ``method="structured"`` and by
    :func:`fullquantum.structured.steadystate_structured`.

    Attributes
    ----------
    iterations : int
        GMRES iterations done.
    relative_residual : float
        ‖W − M(ρ)‖_F / ‖W‖_F of the last iterate (M: the bordered operator).
    """

    def __init__(self, message: str, iterations: int, relative_residual: float) -> None:
        super().__init__(message)
        self.iterations = iterations
        self.relative_residual = relative_residual


__all__ = ["TruncationWarning", "InstabilityWarning", "MemoryBudgetError",
           "SteadyStateConvergenceError"]
