"""The third framework at a judged point: the moment expansion against the Fock-space models.

At a point judged in full quantum the ``nonlinear`` and the ``linearized`` Fock models are
solved at the same converged cutoffs. Their difference of covariance matrices is, up to
truncation, the nonlinear correction that the moment expansion in s computes with no Fock
space at all (docs/perturbative.md, Eqs. P8–P10):

    V_nonlinear − V_linearized = s²V2 + s⁴V4 + O(s⁶)      (s = 1 at the point itself).

Two numbers follow, and one status word (docs/perturbative.md §12):

* the **series ratio** max|V4| / max|V2|: the expansion is asymptotic, and where its s⁴ term
  is not small against its s² term it gives no number (status ``fails``);
* the **residual** max|(V_nonlinear − V_linearized) − (V2 + V4)|: a truncation test of the
  Fock-space difference that does not use the Fock space (status ``disagrees`` when it exceeds
  what the series' next term and the solver's floor allow; ``holds`` otherwise).

The check is a diagnostic beside the verdict: it never changes a point's ``valid`` or
``breaks`` (those compare the exact E_N, which the covariance alone does not give).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ... import linear
from ...errors import InputError
from ...linear.checks import check_real
from ...perturbative import UnstablePointError, covariance_series

HOLDS, FAILS, DISAGREES, SKIPPED = "holds", "fails", "disagrees", "skipped"
#: The status words of the series check (the ``series`` column of ``map.csv``).
SERIES_STATUSES: tuple[str, ...] = (HOLDS, FAILS, DISAGREES, SKIPPED)
#: Relative floor of the Fock-space solves on V (the structured solver's residual floor
#: ≈ 1e-11 on entries of order 1, docs/perturbative.md §9), with a margin.
SOLVER_FLOOR = 1e-9


@dataclass(frozen=True)
class SeriesCriteria:
    """When the moment expansion counts as holding at a point.

    Attributes
    ----------
    max_ratio : float
        Largest max|V4| / max|V2| (at the point, s = 1) for which the truncated series is
        trusted (default 0.1: the s⁴ term at most 10 % of the s² term).
    relative_residual : float
        Largest |(V_nonlinear − V_linearized) − (V2 + V4)| relative to max|V2 + V4| beyond
        the series' next-term estimate (default 2 %: the issue's Fig. 2 example of cutoffs
        1 % short shows at this level).
    """

    max_ratio: float = 0.1
    relative_residual: float = 0.02

    def __post_init__(self) -> None:
        for name in ("max_ratio", "relative_residual"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), low=0,
                                                      low_inclusive=False))


@dataclass(frozen=True)
class SeriesCheck:
    """The moment expansion at one point, against the Fock-space models where solved.

    Attributes
    ----------
    status : {"holds", "fails", "disagrees", "skipped"}
        ``fails``: the series ratio exceeds ``criteria.max_ratio`` (no number);
        ``disagrees``: the Fock-space difference misses the series by more than
        ``tolerance`` (the cutoffs are short for the nonlinear correction);
        ``holds``: neither; ``skipped``: the expansion could not be made (message).
    message : str
        Why, with numbers (one sentence).
    ratio : float
        max|V4| / max|V2| at the point (s = 1); NaN when skipped.
    predicted : ndarray (2n, 2n) or None
        V2 + V4, the series' V_nonlinear − V_linearized at the point.
    fock : ndarray (2n, 2n) or None
        V_nonlinear − V_linearized of the Fock-space models at equal cutoffs (None without).
    residual : float
        max|fock − predicted| (NaN without the Fock models).
    tolerance : float
        The residual allowed: ``relative_residual``·max|predicted| + max|V4|·ratio (the
        next term's estimate) + SOLVER_FLOOR·max(1, max|V0|).
    criteria : SeriesCriteria
    """

    status: str
    message: str
    ratio: float
    predicted: np.ndarray | None
    fock: np.ndarray | None
    residual: float
    tolerance: float
    criteria: SeriesCriteria

    def row(self) -> dict:
        """The map columns: ``series``, ``series ratio``, ``series dV`` (max|V2 + V4|),
        ``series residual dV`` (max|ΔV_Fock − (V2 + V4)|)."""
        scale = (float(np.max(np.abs(self.predicted))) if self.predicted is not None
                 else np.nan)
        return {"series": self.status, "series ratio": self.ratio, "series dV": scale,
                "series residual dV": self.residual}


def series_check(point: linear.OperatingPoint | linear.ModelPoint,
                 state=None, control=None, *,
                 criteria: SeriesCriteria | None = None) -> SeriesCheck:
    """The moment expansion of V at ``point``, checked against its Fock-space models.

    Parameters
    ----------
    point : linear.OperatingPoint or linear.ModelPoint
        The judged point (its own nonlinearity: s = 1).
    state, control : fullquantum.SteadyState or ModelSteadyState, optional
        The ``nonlinear`` and the ``linearized`` Fock models at the same cutoffs. Without
        both, only the series ratio is judged.
    criteria : SeriesCriteria, optional

    Returns
    -------
    SeriesCheck
        Never raises for a point the expansion cannot make (unstable, too large): the
        status is then ``skipped`` with the reason.
    """
    crit = criteria or SeriesCriteria()
    try:
        series = covariance_series(point, order=4)  # V0 + s²V2 + s⁴V4 (P10)
    except (UnstablePointError, InputError) as exc:
        return SeriesCheck(SKIPPED, str(exc), np.nan, None, None, np.nan, np.nan, crit)
    v0, v2, v4 = (np.asarray(series[k]) for k in (0, 2, 4))
    n2, n4 = float(np.max(np.abs(v2))), float(np.max(np.abs(v4)))
    ratio = n4 / n2 if n2 > 0 else (0.0 if n4 == 0 else np.inf)
    predicted = v2 + v4
    tolerance = (crit.relative_residual * float(np.max(np.abs(predicted))) + n4 * ratio
                 + SOLVER_FLOOR * max(1.0, float(np.max(np.abs(v0)))))
    fock = residual = None
    if state is not None and control is not None and state is not control:
        fock = np.asarray(state.V) - np.asarray(control.V)
        residual = float(np.max(np.abs(fock - predicted)))
    if ratio > crit.max_ratio:
        status, message = FAILS, (
            f"the series is asymptotic and here its s⁴ term is {ratio:.2g} of its s² term "
            f"(limit {crit.max_ratio:g}): it gives no number")
    elif residual is not None and residual > tolerance:
        status, message = DISAGREES, (
            f"V_nonlinear − V_linearized at cutoffs {tuple(state.cutoffs)} misses the series' "
            f"s²V2 + s⁴V4 by {residual:.2e} (allowed {tolerance:.2e}, of "
            f"{float(np.max(np.abs(predicted))):.2e}): the cutoffs are short for the "
            "nonlinear correction")
    else:
        checked = (f"; the Fock-space difference meets it to {residual:.1e} "
                   f"(allowed {tolerance:.1e})" if residual is not None else "")
        status, message = HOLDS, (f"s⁴ term {ratio:.2g} of the s² term{checked}")
    return SeriesCheck(status, message, ratio, predicted, fock,
                       np.nan if residual is None else residual, tolerance, crit)


__all__ = ["SeriesCheck", "SeriesCriteria", "series_check", "SERIES_STATUSES", "HOLDS",
           "FAILS", "DISAGREES", "SKIPPED"]
