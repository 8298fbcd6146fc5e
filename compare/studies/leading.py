"""The third framework's number at a judged point: c2·s² beside the full-quantum ΔE_N.

At a point judged in full quantum the ``nonlinear`` and ``linearized`` Fock models are
solved at the same converged cutoffs; their difference of exact E_N is the approximation
error without the truncation of the Gaussian comparison. Perturbation theory in the
nonlinearity (docs/perturbative.md §11, Eqs. P12–P14) gives its leading order at those
cutoffs from three linear solves with the linearized generator:

    E_N(nonlinear) − E_N(linearized Fock) = c2·x² + O(x⁴)      (x = G0/ω_m or s = 1).

The ratio of the two says how far the point is from the leading order: near 1 the
approximation error is its s² term and c2·x² extrapolates it to any smaller nonlinearity
(the paper's G0 included, docs/paper_device.md); far from 1 the higher orders matter
(status ``beyond``). A diagnostic beside the verdict: it never changes ``valid``/``breaks``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ... import fullquantum, linear, perturbative
from ...errors import OmxvalError
from ...linear.checks import check_real
from ...fullquantum.modelresult import pair_label

Pair = tuple[str, str]
HOLDS, BEYOND, SKIPPED = "holds", "beyond", "skipped"
#: The status words of the leading-order check (the ``leading order`` column of maps).
LEADING_STATUSES: tuple[str, ...] = (HOLDS, BEYOND, SKIPPED)


@dataclass(frozen=True)
class LeadingCriteria:
    """When the full-quantum approximation error counts as its leading order c2·x².

    Attributes
    ----------
    max_deviation : float
        Largest |ratio − 1|, ratio = (E_N nonlinear − E_N linearized Fock) / (c2·x²), for
        the status ``holds`` (default 0.1: the O(x⁴) rest within 10 % of the s² term).
    """

    max_deviation: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_deviation", check_real(
            "max_deviation", self.max_deviation, low=0, low_inclusive=False))


@dataclass(frozen=True)
class LeadingCheck:
    """c2·x² of perturbation theory against the Fock-space ΔE_N at one judged point.

    Attributes
    ----------
    status : {"holds", "beyond", "skipped"}
        ``holds``: every judged pair's ratio is within ``criteria.max_deviation`` of 1;
        ``beyond``: one is not (the point is past the leading order); ``skipped``: no
        number (no Fock pair, a pair with E_N = 0, an error; ``message`` says which).
    message : str
        Why, with numbers (one sentence).
    variable : {"G0", "s"}
        The series variable (G0/ω_m for the spinning resonator's point, s for a model's).
    x : float
        The point's own value of it (its G0, or s = 1).
    c2, predicted, fock : mapping
        Per judged pair: c2 (nats per variable²), c2·x², and E_N exact(nonlinear) − E_N
        exact(linearized Fock) at the same cutoffs (nats).
    cutoffs : tuple of int
        The cutoffs of both (the point's converged cutoffs).
    seconds : float
        Wall time of the three solves and the perturbation of ‖ρ^T‖₁.
    criteria : LeadingCriteria
    """

    status: str
    message: str
    variable: str = ""
    x: float = float("nan")
    c2: Mapping[Pair, float] = field(default_factory=dict)
    predicted: Mapping[Pair, float] = field(default_factory=dict)
    fock: Mapping[Pair, float] = field(default_factory=dict)
    cutoffs: tuple[int, ...] = ()
    seconds: float = 0.0
    criteria: LeadingCriteria = field(default_factory=LeadingCriteria)

    def ratio(self, pair: Pair) -> float:
        """Fock-space ΔE_N / (c2·x²) of ``pair`` (NaN without both)."""
        p, f = self.predicted.get(pair, np.nan), self.fock.get(pair, np.nan)
        return float(f / p) if np.isfinite(p) and p != 0 else np.nan

    def row(self, pair: Pair | None = None) -> dict:
        """The map columns of ``pair`` (default the first): ``leading order`` (the status),
        ``c2``, ``c2 dE_N`` (c2·x²), ``c2 ratio`` (Fock ΔE_N / c2·x²)."""
        pair = pair if pair is not None else next(iter(self.c2), None)
        return {"leading order": self.status,
                "c2": self.c2.get(pair, np.nan) if pair else np.nan,
                "c2 dE_N": self.predicted.get(pair, np.nan) if pair else np.nan,
                "c2 ratio": self.ratio(pair) if pair else np.nan}


def leading_check(point: linear.OperatingPoint | linear.ModelPoint, state, control, *,
                  pairs: tuple[Pair, ...] | None = None,
                  criteria: LeadingCriteria | None = None,
                  options: fullquantum.StructuredOptions | None = None) -> LeadingCheck:
    """c2·x² by perturbation theory at the cutoffs of ``state``, against state − control.

    Parameters
    ----------
    point : linear.OperatingPoint or linear.ModelPoint
        The judged point (x: its G0 in units of ω_m, or s = 1 for a model point).
    state, control : fullquantum.SteadyState or ModelSteadyState
        The ``nonlinear`` and ``linearized`` Fock models at the same cutoffs.
    pairs : tuple of (str, str), optional
        Model points: the judged pairs (default: those of ``state``). The spinning
        resonator's point has one pair, (driven mode, mechanics).
    criteria : LeadingCriteria, optional
    options : fullquantum.StructuredOptions, optional
        Settings of the three linear solves.

    Returns
    -------
    LeadingCheck
        Never raises for a point perturbation theory cannot treat: ``skipped`` with the
        reason instead (docs/perturbative.md §11).
    """
    crit = criteria or LeadingCriteria()
    t0 = time.perf_counter()
    cutoffs = tuple(state.cutoffs)
    model_point = isinstance(point, linear.ModelPoint)
    if model_point:
        judged = tuple(pairs) if pairs is not None else tuple(state.log_negativities_exact)
        fock = {p: state.log_negativities_exact[p] - control.log_negativities_exact[p]
                for p in judged}
    else:
        judged = ((point.direction, "m"),)
        fock = {judged[0]: state.log_negativity_exact - control.log_negativity_exact}
    try:  # one call: the three solves serve every entangled pair (Eq. P12)
        res = perturbative.leading_coefficient(point, cutoffs=cutoffs, options=options)
    except (OmxvalError, np.linalg.LinAlgError, ArithmeticError) as exc:
        return LeadingCheck(SKIPPED, f"perturbation theory gave no number: "
                            f"{type(exc).__name__}: {exc}", cutoffs=cutoffs,
                            seconds=time.perf_counter() - t0, criteria=crit)
    # Its pairs are those with a nonzero Gaussian E_N; a judged pair outside them has E_N = 0,
    # where ln‖ρ^T‖₁ has no expansion (Eq. P14).
    computed = {frozenset(p) for p in res.pairs}
    c2 = {p: res.coefficient(p).c2 for p in judged if frozenset(p) in computed}
    unentangled = [p for p in judged if frozenset(p) not in computed]
    if not c2:
        return LeadingCheck(SKIPPED, "no judged pair is entangled in the Gaussian state (E_N "
                            "= 0 has no expansion in s)", cutoffs=cutoffs,
                            seconds=time.perf_counter() - t0, criteria=crit)
    variable, x = res.variable, res.scale
    predicted = {p: c * x * x for p, c in c2.items()}
    fock = {p: fock[p] for p in c2}
    check = LeadingCheck(HOLDS, "", variable, x, c2, predicted, fock, cutoffs,
                         time.perf_counter() - t0, crit)
    ratios = {p: check.ratio(p) for p in c2}
    parts = "; ".join(f"{pair_label(p)}: c2·{variable}² = {predicted[p]:.3e}, Fock ΔE_N "
                      f"{fock[p]:.3e}, ratio {ratios[p]:.3f}" for p in c2)
    skipped = (f"; no expansion for {', '.join(map(pair_label, unentangled))} (E_N = 0)"
               if unentangled else "")
    off = [p for p, r in ratios.items() if not abs(r - 1) <= crit.max_deviation]
    status = BEYOND if off else HOLDS
    where = (f"beyond the leading order (|ratio − 1| > {crit.max_deviation:g})" if off else
             f"the approximation error is its leading order (|ratio − 1| ≤ "
             f"{crit.max_deviation:g})")
    return LeadingCheck(status, f"{parts} at cutoffs {cutoffs}: {where}{skipped}", variable,
                        x, c2, predicted, fock, cutoffs, check.seconds, crit)
