"""The package's own warning and error classes (one place, so callers can filter on them)."""

from __future__ import annotations


class TruncationWarning(UserWarning):
    """A Fock cutoff is too small: the top level of a mode holds more than the tolerance.

    Issued by :func:`fullquantum.solve` together with ``result.truncated = True``; the
    moments of a truncated state are biased by roughly the top-level population
    (CONVENTIONS.md §5), so the numbers should not be trusted at that accuracy.
    """


class InstabilityWarning(UserWarning):
    """The linearized model was solved at a mean field whose drift matrix is unstable.

    The Gaussian model then has no steady state (CONVENTIONS.md §4); the linearized
    full-quantum model still has one on the truncated space, but it is an artefact of the
    cutoffs. Issued by :func:`fullquantum.solve`; ``result.gaussian.stable`` is False.
    """


class MemoryBudgetError(MemoryError):
    """Refusal to build or solve a Liouvillian whose estimated memory exceeds the budget.

    Attributes
    ----------
    estimate_bytes : int
        The estimated peak memory (see :class:`fullquantum.MemoryEstimate`).
    budget_bytes : int
        The budget it was checked against.
    """

    def __init__(self, message: str, estimate_bytes: int, budget_bytes: int) -> None:
        super().__init__(message)
        self.estimate_bytes = estimate_bytes
        self.budget_bytes = budget_bytes
