"""Is the Gaussian E_N right here? One design point, both errors kept apart.

For a design point (docs/conventions.md §5) this runs the full-quantum model at cutoffs
chosen **for that point** (:func:`adaptive_cutoffs`) and reports two different errors:

* **truncation error** — the ``linearized`` Fock model against the Lyapunov solution. Both
  describe the same quadratic Hamiltonian, so their difference is a numerical control: it
  says how well the cutoffs resolve the state, nothing about physics;
* **approximation error** — the ``nonlinear`` model (exact up to truncation) against the
  Gaussian model: what the linearization of the radiation-pressure coupling costs.

A full-quantum number is only meaningful at cutoffs shown converged for that point, so a
point whose cutoffs do not converge within the budget is ``unconverged``, never a number.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ... import fullquantum, linear
from ...errors import InputError
from ...fullquantum.options import resolve_hamiltonian
from .deviation import max_abs_difference
from .modelvalidity import ModelPointValidity, judge_model_point
from .search import (MODES, AdaptiveSolve, ValidityCriteria, adaptive_cutoffs,
                     linearized_control, search_advice, state_change)
from .leading import LeadingCheck, leading_check
from .series import SeriesCheck, series_check
from .status import FAILED, Status
from .tables import clip



@dataclass(frozen=True)
class PointValidity:
    """Both errors of the Gaussian model at one operating point (:func:`judge_point`).

    Attributes
    ----------
    point : linear.OperatingPoint
    gaussian : linear.PointResult
        The Lyapunov solution.
    status : {"valid", "breaks", "unconverged", "unstable", "failed"}
    message : str
        Why, for every status but "valid"/"breaks" ("" otherwise).
    state : fullquantum.SteadyState or None
        The judged model at the converged cutoffs (None unless valid/breaks).
    control : fullquantum.SteadyState or None
        The ``linearized`` model at the same cutoffs: the truncation control.
    fit : AdaptiveSolve or None
        The cutoff search (None at an unstable point).
    criteria : ValidityCriteria
    seconds : float
    series : SeriesCheck or None
        The moment expansion of V at the point (the third framework,
        :func:`~.series.series_check`), against ``state`` − ``control`` where both are the
        ``nonlinear`` and ``linearized`` models; None at an unstable or failed point.
    leading : LeadingCheck or None
        c2·G0² of perturbation theory at the converged cutoffs against the Fock-space
        ΔE_N (:func:`~.leading.leading_check`); None unless the judged model is
        ``nonlinear`` and the point is valid or breaks.
    """

    point: linear.OperatingPoint
    gaussian: linear.PointResult
    status: Status
    message: str
    state: fullquantum.SteadyState | None
    control: fullquantum.SteadyState | None
    fit: AdaptiveSolve | None
    criteria: ValidityCriteria
    seconds: float
    series: SeriesCheck | None = None
    leading: LeadingCheck | None = None

    @property
    def approximation_error(self) -> float:
        """E_N exact of the judged model − Lyapunov E_N (ln); NaN without a state."""
        if self.state is None:
            return np.nan
        return self.state.log_negativity_exact - self.gaussian.log_negativity_gaussian

    @property
    def truncation_error(self) -> float:
        """E_N exact of the linearized Fock model − Lyapunov E_N (ln): the numerical control."""
        if self.control is None:
            return np.nan
        return self.control.log_negativity_exact - self.gaussian.log_negativity_gaussian

    def __repr__(self) -> str:
        en = self.gaussian.log_negativity_gaussian
        if self.state is None:
            why = f"{clip(self.message, 180)}; " if self.message else ""
            return f"PointValidity({self.status}: {why}E_N Gaussian {en:.5g})"
        rel = abs(self.approximation_error) / en if en > 0 else np.nan
        return (f"PointValidity({self.status}: E_N exact {self.state.log_negativity_exact:.5g} "
                f"vs Gaussian {en:.5g} (rel {rel:.2%}), truncation |ΔE_N| "
                f"{abs(self.truncation_error):.1e}, cutoffs {self.state.cutoffs}, "
                f"{self.seconds:.1f} s)")

    def to_dataframe(self) -> pd.DataFrame:
        """:meth:`row` as a one-row table."""
        return pd.DataFrame([self.row()])

    def row(self) -> dict:
        """One table row (the columns of ``map.csv``).

        ``non-Gaussianity`` is clipped at 0; ``non-Gaussianity below floor`` flags a raw δ
        that came out negative (truncation error, see
        :attr:`fullquantum.SteadyState.non_gaussianity`).
        """
        p, lin = self.point, self.gaussian
        row = {"status": self.status, "message": self.message,
               "n_branches": p.n_branches, "multistable": p.multistable,
               "E_N linear": lin.log_negativity_gaussian}
        if self.fit is not None:
            row.update({"N_ccw": self.fit.cutoffs[0], "N_cw": self.fit.cutoffs[1],
                        "N_m": self.fit.cutoffs[2], "solves": self.fit.solves})
            if self.fit.limit:  # what stopped the search: the map's advice reads it
                row.update({"search limit": self.fit.limit,
                            "refused cutoffs": " ".join(map(str, self.fit.refused))})
        if self.state is not None:
            s, d_en = self.state, self.approximation_error
            en = lin.log_negativity_gaussian
            rel = abs(d_en) / en if en > 0 else np.nan
            row.update({
                "E_N exact": s.log_negativity_exact, "E_N gaussian": s.log_negativity_gaussian,
                "abs dE_N": abs(d_en), "rel dE_N": rel,
                "max abs dV": max_abs_difference(s.V, lin.V),
                "truncation dE_N": abs(self.truncation_error),
                "truncation max abs dV": max_abs_difference(self.control.V, lin.V),
                "non-Gaussianity": s.non_gaussianity,
                "non-Gaussianity below floor": s.non_gaussianity_below_floor,
                "photons driven": getattr(s.photons, p.direction),
                "phonons": s.phonons, "max top population": max(s.top_populations)})
        if self.series is not None:
            row.update(self.series.row())
        if self.leading is not None:
            row.update(self.leading.row())
        row["seconds"] = self.seconds
        return row


def judge_point(point: linear.OperatingPoint | linear.ModelPoint,
                hamiltonian: str | None = None, *,
                criteria: ValidityCriteria | None = None, max_dimension: int | None = None,
                errors: Literal["status", "raise"] = "status", model: str | None = None,
                **solve_options) -> PointValidity:
    """Both errors of the Gaussian model at one operating point, at cutoffs converged there.

    The judged ``hamiltonian`` is solved at cutoffs raised until converged (:func:`adaptive_cutoffs`
    with the criteria's tolerances); the ``linearized`` model at the same cutoffs is the
    truncation control. ``valid``: |E_N exact − E_N Gaussian| ≤ ``relative_error``·E_N or
    ≤ ``absolute_floor``; ``breaks`` otherwise; ``unconverged`` when the cutoffs do not
    converge within the memory budget or ``max_dimension`` (no number is given);
    ``unstable`` when the linearised dynamics has no steady state; ``failed`` (with the
    message) on any error — a failure is a result, never an exception.

    Parameters
    ----------
    point : linear.OperatingPoint or linear.ModelPoint
        The spinning resonator's point, or any model's: then the result is
        :func:`~.modelvalidity.judge_model_point`'s :class:`ModelPointValidity` (every
        judged pair of modes; ``pairs=`` chooses them).
    hamiltonian : {"nonlinear", "linearized", "lab"}
        The full-quantum form judged (default "nonlinear", which measures the approximation
        error). ``model=`` is its former name (DeprecationWarning).
    criteria : ValidityCriteria
    max_dimension : int, optional
        Cost limit of the cutoff search (see :func:`adaptive_cutoffs`).
    errors : {"status", "raise"}
        "status": an error becomes the status "failed" with its message (for maps);
        "raise": it propagates (for a single point asked for directly).
    **solve_options
        Passed to :func:`fullquantum.solve`.
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    if isinstance(point, linear.ModelPoint):
        return judge_model_point(point, hamiltonian, criteria=criteria,
                                 max_dimension=max_dimension, errors=errors, **solve_options)
    crit = criteria or ValidityCriteria()
    t0 = time.perf_counter()
    lin = linear.analyze(point)

    def done(status, message="", state=None, control=None, fit=None):
        series = leading = None
        if status not in ("unstable", FAILED):  # the third framework: milliseconds
            nonlinear = hamiltonian == "nonlinear" and state is not None
            series = series_check(point, state if nonlinear else None,
                                  control if nonlinear else None)
            if nonlinear:  # three linear solves at the converged cutoffs (≈ 10 % more)
                leading = leading_check(point, state, control)
        return PointValidity(point, lin, status, message, state, control, fit, crit,
                             time.perf_counter() - t0, series, leading)

    if not lin.stable:
        return done("unstable", f"max Re λ(A) = {lin.max_growth_rate:.3g}")
    try:
        fit = adaptive_cutoffs(point, hamiltonian, V_tolerance=crit.V_tolerance,
                               log_negativity_tolerance=crit.log_negativity_tolerance,
                               max_dimension=max_dimension, **solve_options)
        if not fit.converged:  # no number; the message says how far it got
            last = (f"; at the last cutoffs {fit.state.cutoffs} E_N exact was "
                    f"{fit.state.log_negativity_exact:.4g} "
                    f"(Gaussian {lin.log_negativity_gaussian:.4g})"
                    if fit.state is not None else "")
            return done("unconverged", fit.reason + last, fit=fit)
        state = fit.state
        control = linearized_control(point, fit, **solve_options)
    except Exception as exc:  # a failed point is a result with its error, never a crash
        if errors == "raise":
            raise
        return done(FAILED, f"{type(exc).__name__}: {exc}")
    en = lin.log_negativity_gaussian
    d_en = state.log_negativity_exact - en
    valid = (abs(d_en) <= crit.absolute_floor
             or (en > 0 and abs(d_en) <= crit.relative_error * en))
    return done("valid" if valid else "breaks", "", state, control, fit)


def validity_point(design: dict | linear.Design | linear.OperatingPoint,
                   direction: str | None = None,
                   bath: str | None = None, *, hamiltonian: str | None = None,
                   criteria: ValidityCriteria | None = None, max_dimension: int | None = None,
                   model: str | None = None, **solve_options) -> dict:
    """:func:`judge_point` at a design point (or an operating point), as one table row.

    Parameters
    ----------
    design : dict, linear.Design or linear.OperatingPoint
        Keyword arguments of :func:`linear.design_point` except direction and bath, a
        Design, or the operating point itself.
    direction, bath : str, optional
        Drive and mechanical bath of a dict (default "ccw", "brownian"); with a Design or an
        operating point they must agree with it (InputError otherwise).
    hamiltonian, criteria, max_dimension, **solve_options
        As for :func:`judge_point` (``model=``: former name of ``hamiltonian``).

    Returns
    -------
    dict
        ``status`` ("valid", "breaks", "unconverged", "unstable", "failed"), ``message``,
        ``E_N linear``, ``E_N exact``, ``abs dE_N``, ``rel dE_N``, ``max abs dV``,
        ``truncation dE_N`` and ``truncation max abs dV`` (linearized Fock model against
        Lyapunov at the same cutoffs), ``non-Gaussianity`` (clipped at 0) and ``non-Gaussianity
        below floor``, photon and phonon numbers, ``n_branches``, ``multistable``, the
        cutoffs, ``solves`` and ``seconds``. A failure (also of the design itself) becomes a
        row, not an exception.
    """
    hamiltonian = resolve_hamiltonian(hamiltonian, model, "nonlinear")
    t0 = time.perf_counter()
    if isinstance(design, linear.Design):
        design = _agreeing(design, direction, bath).point()
        direction = bath = None
    if isinstance(design, linear.OperatingPoint):
        for name, given, own in (("direction", direction, design.direction),
                                 ("bath", bath, design.system.bath)):
            if given is not None and given != own:
                raise InputError(f"{name}={given!r} contradicts the operating point's "
                                 f"{name} {own!r}; leave it out")
        return judge_point(design, hamiltonian, criteria=criteria,
                           max_dimension=max_dimension, **solve_options).row()
    try:
        point = linear.design_point(**design, direction=direction or "ccw",
                                    bath=bath or "brownian")
    except Exception as exc:
        return {"status": FAILED, "message": f"{type(exc).__name__}: {exc}",
                "seconds": time.perf_counter() - t0}
    return judge_point(point, hamiltonian, criteria=criteria, max_dimension=max_dimension,
                       **solve_options).row()


def _agreeing(design: linear.Design, direction: str | None, bath: str | None
              ) -> linear.Design:
    """``design``, once ``direction`` and ``bath`` (where given) agree with it."""
    for name, given in (("direction", direction), ("bath", bath)):
        if given is not None and given != getattr(design, name):
            raise InputError(f"{name}={given!r} contradicts the design's {name} "
                             f"{getattr(design, name)!r}; leave it out")
    return design


# The search (adaptive_cutoffs, its criteria and advice) lives in .search and the verdict of
# any model in .modelvalidity; their names stay importable from here.
__all__ = ["adaptive_cutoffs", "AdaptiveSolve", "judge_point", "PointValidity",
           "validity_point", "ValidityCriteria", "Status", "ModelPointValidity",
           "judge_model_point", "search_advice", "state_change", "MODES"]
