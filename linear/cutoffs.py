"""First Fock cutoffs read off the Gaussian state (one rule for every search that starts).

A search for converged Fock cutoffs (the full-quantum studies' adaptive cutoffs, the
paper-device ladder, perturbation theory's c2) starts from each mode's fluctuation quanta
n̄ of the Lyapunov state: the smallest N whose thermal tail (n̄/(n̄ + 1))^N is below a
tolerance (:func:`~.gaussian.thermal_tail_cutoff`), with the driven cavities raised to the
largest cavity estimate (their fluctuations feed the others through the hopping).
"""

from __future__ import annotations

from ..errors import InputError
from .analysis import analyze
from .conventions import driven_first
from .gaussian import thermal_tail_cutoff
from .modelgauss import ModelPoint
from .point import OperatingPoint


def gaussian_start_cutoffs(point: OperatingPoint | ModelPoint, tail: float,
                           minimum: int = 2) -> tuple[int, ...]:
    """First Fock cutoffs of ``point`` from its Gaussian (Lyapunov) state.

    Parameters
    ----------
    point : OperatingPoint or ModelPoint
    tail : float
        Thermal-tail tolerance in (0, 1) (:func:`~.gaussian.thermal_tail_cutoff`).
    minimum : int
        The smallest cutoff of any mode.

    Returns
    -------
    tuple of int
        In mode order: (N_ccw, N_cw, N_m) for an OperatingPoint (the driven optical mode
        gets the larger optical estimate), the model's mode order for a ModelPoint (every
        driven cavity gets the largest cavity estimate).

    Raises
    ------
    InputError
        The point is unstable (no Gaussian state to estimate from).
    """
    lin = analyze(point)
    if not lin.stable:
        raise InputError("cutoffs cannot be estimated at an unstable point (no steady state)")
    q = lin.fluctuation_quanta
    items = q.items() if isinstance(point, ModelPoint) else q._asdict().items()
    out = {mode: thermal_tail_cutoff(n, tail, minimum) for mode, n in items}
    if isinstance(point, ModelPoint):
        cavities = point.model.cavities
        top = max((out[c.name] for c in cavities), default=minimum)
        for c in cavities:
            if c.drive > 0:
                out[c.name] = top
        return tuple(out[name] for name in point.model.mode_names)
    driven, undriven = driven_first("ccw", "cw", point.direction)
    out[driven] = max(out[driven], out[undriven])
    return out["ccw"], out["cw"], out["mechanics"]


__all__ = ["gaussian_start_cutoffs"]
