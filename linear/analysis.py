"""Analysis of one operating point: mean field, stability, covariance and entanglement."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .engine import gaussian_batch
from .gaussian import Base, log_negativity, mode_occupation
from .checks import blame
from .conventions import MECHANICAL_MODE, OPTICAL_MODE, Direction, cut
from .modes import PerMode, Photons
from .system import SYSTEM_FIELDS, System
from .model import Model
from .modelgauss import (ModelMeanField, ModelPoint, ModelResult, analyze_model,
                         steady_states_of)
from .point import OnPoint, OperatingPoint, resolve_point
from .point import steady_states as _system_steady_states
from .meanfield import MeanField
from .sweep import COLUMNS, UNITS
from .table import Table


@dataclass(frozen=True)
class PointResult(OnPoint):
    """Gaussian steady state of one operating point (units of ω_m).

    Attributes
    ----------
    point : OperatingPoint
        What was analysed: system, drive direction and mean-field branch (also read as
        ``system``, ``direction``, ``branch``, ``mean_field``).
    stable : bool
        Every eigenvalue of A has a negative real part (docs/conventions.md §4).
    max_growth_rate : float
        max Re λ(A); ≥ 0 means unstable.
    A, D : ndarray (6, 6)
        Drift (Eq. 6) and diffusion matrices.
    V : ndarray (6, 6)
        Steady-state covariance (Eq. 11) in the order u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p);
        all NaN when unstable (there is no steady state).
    log_negativity_gaussian : float
        The Gaussian E_N of V between the driven mode and the mechanics (Eq. 12, natural
        log); NaN when unstable. The name :class:`fullquantum.SteadyState` uses for the
        same quantity of its V (formerly ``log_negativity``, still readable, deprecated).
    """

    point: OperatingPoint
    stable: bool
    max_growth_rate: float
    A: np.ndarray
    D: np.ndarray
    V: np.ndarray
    log_negativity_gaussian: float

    @property
    def log_negativity(self) -> float:
        """Deprecated name of :attr:`log_negativity_gaussian`."""
        warnings.warn("PointResult.log_negativity is deprecated; use log_negativity_gaussian "
                      "(the name every result uses)", DeprecationWarning, stacklevel=2)
        return self.log_negativity_gaussian

    @property
    def photons(self) -> Photons:
        """Intracavity photon numbers of the mean field, ``Photons(ccw=N_ccw, cw=N_cw)``: a
        named tuple also indexed by name (``photons["ccw"]``), as ``SteadyState.photons``."""
        return self.mean_field.photons

    @property
    def coupling(self) -> float:
        """|G_d| = √2 G0 |α_d| of the driven mode, units of ω_m."""
        G = self.mean_field.couplings(self.system.G0)
        return float(abs(G[OPTICAL_MODE[self.direction]]))

    @property
    def fluctuation_quanta(self) -> PerMode:
        """⟨δc†δc⟩ of V per mode, ``PerMode(ccw, cw, mechanics)`` (NaN when unstable); a
        named tuple also indexed by name (``fluctuation_quanta["mechanics"]``)."""
        return PerMode(*(float(mode_occupation(self.V, k)) for k in (
            OPTICAL_MODE["ccw"], OPTICAL_MODE["cw"], MECHANICAL_MODE)))

    def log_negativity_in(self, base: Base = "e") -> float:
        """E_N in natural log (``"e"``) or log2 (``"2"``, QuTiP's logarithmic negativity)."""
        return float(log_negativity(self.V, cut(self.direction), base=base))

    def to_dataframe(self) -> Table:
        """One row with the columns of :func:`linear.sweep` (so that rows concatenate).

        Returns
        -------
        Table
            A DataFrame (:class:`linear.table.Table`): every System field (``"<name>
            [omega_m]"``, ``"n_m [phonons]"``), ``direction``, ``bath``, ``branch``,
            ``n_branches``, ``stable``, ``"E_N gaussian"`` (natural log, NaN when unstable),
            ``"photons ccw"``, ``"photons cw"`` (the names of ``SteadyState.to_dataframe``),
            ``"|G_d| [omega_m]"``, ``"G0 q_s [omega_m]"`` and ``"max Re eig(A) [omega_m]"``.
            The former names ``"E_N [ln]"``, ``"N_ccw [photons]"``, ``"N_cw [photons]"``
            still read, with a DeprecationWarning.
        """
        row = {UNITS[name]: getattr(self.system, name) for name in SYSTEM_FIELDS}
        row.update({"direction": self.direction, "bath": self.system.bath,
                    "branch": self.branch, "n_branches": self.point.n_branches,
                    "stable": self.stable, COLUMNS["E_N"]: self.log_negativity_gaussian,
                    COLUMNS["N_ccw"]: self.photons.ccw, COLUMNS["N_cw"]: self.photons.cw,
                    COLUMNS["G_d"]: self.coupling, COLUMNS["shift"]: self.mean_field.shift,
                    COLUMNS["growth"]: self.max_growth_rate})
        return Table([row])

    def __repr__(self) -> str:
        en = f"{self.log_negativity_gaussian:.6g}" if self.stable else "nan (unstable)"
        return (f"PointResult({self.direction} drive, branch {self.branch} of "
                f"{self.point.n_branches}, stable={self.stable}, E_N={en}, "
                f"|G_d|={self.coupling:.4g}, max Re λ={self.max_growth_rate:.3g})")


def analyze(point: OperatingPoint | System | Model | ModelPoint,
            direction: Direction | None = None, branch: int | None = None
            ) -> PointResult | ModelResult:
    """Gaussian steady state of an operating point (paper Eqs. 6, 7, 11, 12).

    Call forms: ``analyze(point)`` with an :class:`OperatingPoint` (e.g. from
    :func:`linear.design_point`), or ``analyze(system, direction, branch=0)``. A direction
    or branch passed with an operating point must match it. For any model,
    ``analyze(model, branch=0)`` or ``analyze(ModelPoint(model, k))`` returns a
    :class:`ModelResult` (``.V``, ``.stable``, ``.log_negativities`` of every pair;
    docs/models.md §3).

    Parameters
    ----------
    point : OperatingPoint or System
        What to analyse (units of ω_m).
    direction : {"ccw", "cw"}, optional
        Driven mode (required with a System); E_N is between it and the mechanics.
    branch : int, optional
        Index into :func:`linear.steady_states` (sorted by G0 q_s); default 0 with a System.

    Returns
    -------
    PointResult
        ``stable`` False comes with NaN ``V`` and ``log_negativity_gaussian``; ``stable`` True
        always comes with a finite ``V`` and ``log_negativity_gaussian``.

    Raises
    ------
    InputTypeError
        ``branch`` is not an int.
    InputError
        Unknown ``direction``, ``branch`` out of range, a direction or branch that
        contradicts ``point``; or a quantity that overflows float64 at this point (mean
        field, drift or diffusion matrix, or — at a stable point — V or E_N). Such a point is
        never returned as a number: the message names the System fields involved.

    Examples
    --------
    The reference point of docs/conventions.md §5 (units of ω_m):

    >>> from omxval import linear
    >>> p = linear.design_point(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2,
    ...                         G0=0.05, detuning=0.9, coupling=0.25, direction="ccw")
    >>> r = linear.analyze(p)
    >>> r.stable, round(float(r.log_negativity_gaussian), 6)
    (True, 0.099523)
    """
    if isinstance(point, (Model, ModelPoint)):
        if direction is not None:
            raise InputError("direction: a model carries its drives (set each cavity's "
                             "drive); analyze(model, branch=k) takes no direction")
        return analyze_model(point, branch)
    op = resolve_point(point, direction, branch)
    s, mf = op.system, op.mean_field
    # The batched engine on one entry: the same kernel as every sweep.
    r = gaussian_batch(*(np.atleast_1d(v) for v in (
        s.kappa, s.J, s.gamma_m, s.n_m, s.G0, mf.Delta_eff_ccw, mf.Delta_eff_cw,
        mf.alpha_ccw, mf.alpha_cw)), bath=s.bath, direction=op.direction)
    if not r["finite"][0]:
        values = {name: getattr(s, name) for name in SYSTEM_FIELDS}
        raise InputError("the drift, diffusion or covariance matrix is not finite in float64 "
                         f"at this point; it is computed from {blame(values)} "
                         "(most extreme first)")
    return PointResult(point=op, stable=bool(r["stable"][0]),
                       max_growth_rate=float(r["growth"][0]), A=r["A"][0], D=r["D"][0],
                       V=r["V"][0], log_negativity_gaussian=float(r["E_N"][0]))


def steady_states(point: OperatingPoint | System | Model, direction: Direction | None = None
                  ) -> list[MeanField] | list[ModelMeanField]:
    """Every mean-field branch (paper Eq. 7; for a model, docs/models.md Eqs. M3–M5).

    Call forms: ``steady_states(point)``, ``steady_states(system, direction)`` (the
    spinning resonator's quintic, :func:`linear.point.steady_states`), or
    ``steady_states(model)`` (every branch of any model; ``complete`` on each says whether
    the branch list is provably complete).

    Returns
    -------
    list of MeanField or ModelMeanField
        Sorted by increasing shift; never empty.

    Raises
    ------
    InputError
        As :func:`linear.point.steady_states`; for a model, no branch resolvable in float64.
    """
    if isinstance(point, Model):
        if direction is not None:
            raise InputError("direction: a model carries its drives; steady_states(model) "
                             "takes no direction")
        return steady_states_of(point)
    return _system_steady_states(point, direction)


__all__ = ["PointResult", "analyze", "steady_states"]
