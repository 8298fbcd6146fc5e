"""The operating point: a system, its drive direction and one mean-field branch.

This is omxval's unit of work. Everything that analyses a point — :func:`linear.analyze`,
:func:`omxval.fullquantum.solve`, the comparison and the studies — takes an
:class:`OperatingPoint` whole and uses exactly its branch, so a multistable system is never
silently analysed on another branch than the one meant (the designed one, for
:func:`design_point`).

The first API's call forms (``analyze(system, direction, branch=0)``) are resolved by
:func:`resolve_point`: a System needs a direction; an OperatingPoint may be passed with a
matching direction and branch, or none, and a contradicting one is an error.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError, InputTypeError
from .meanfield import MeanField, branch_index, designed_mean_field, steady_states
from .parameters import (_SYSTEM_RANGES, BATHS, DIRECTIONS, MAX_MAGNITUDE, Bath, Direction,
                         System, _check_real, _out_of_range, _valid_range, blame, check_choice)


@dataclass(frozen=True)
class OperatingPoint:
    """A :class:`System` driven from ``direction``, on mean-field branch ``branch``.

    Parameters
    ----------
    system : System
        Dimensionless parameters (units of ω_m).
    direction : {"ccw", "cw"}
        Driven mode; E_N is between it and the mechanics (docs/conventions.md §2).
    branch : int
        Index into :func:`linear.steady_states` (real roots sorted by increasing G0·q_s).

    Attributes
    ----------
    mean_field : MeanField
        The branch's mean field (paper Eq. 7), computed once at construction.

    Raises
    ------
    InputError
        Unknown direction, or ``branch`` not an index of an existing branch.
    InputTypeError
        ``system`` is not a System or ``branch`` not an int.
    """

    system: System
    direction: Direction
    branch: int = 0
    mean_field: MeanField = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.system, System):
            raise InputTypeError(f"system must be a linear.System, got {type(self.system).__name__}")
        check_choice("direction", self.direction, DIRECTIONS)
        branch = self.branch
        if isinstance(branch, (bool, np.bool_)) or not isinstance(branch, numbers.Integral):
            raise InputTypeError(f"branch must be an int (an index into the mean-field "
                                 f"branches), got {branch!r}")
        states = self._states if hasattr(self, "_states") else steady_states(self.system,
                                                                            self.direction)
        if not 0 <= branch < len(states):
            raise InputError(f"branch must be in [0, {len(states) - 1}] ({len(states)} "
                             f"mean-field branch(es) here); got {branch!r}")
        object.__setattr__(self, "branch", int(branch))
        object.__setattr__(self, "mean_field", states[int(branch)])

    @classmethod
    def _from_states(cls, system: System, direction: Direction, branch: int,
                     states: list[MeanField]) -> "OperatingPoint":
        """The point on ``branch`` of already solved ``states`` (no second mean-field solve)."""
        point = cls.__new__(cls)
        object.__setattr__(point, "_states", states)
        cls.__init__(point, system, direction, branch)
        object.__delattr__(point, "_states")
        return point

    @property
    def n_branches(self) -> int:
        """Number of real mean-field branches of the system (> 1: multistable)."""
        return self.mean_field.n_branches

    @property
    def multistable(self) -> bool:
        """True when the mean field has more than one real branch here."""
        return self.n_branches > 1

    def __repr__(self) -> str:
        s = self.system
        return (f"OperatingPoint({self.direction} drive, branch {self.branch} of "
                f"{self.n_branches}; kappa={s.kappa:g}, J={s.J:g}, Delta_c={s.Delta_c:g}, "
                f"Delta_F={s.Delta_F:g}, gamma_m={s.gamma_m:g}, n_m={s.n_m:g}, G0={s.G0:g}, "
                f"eps={s.eps:g}, bath={s.bath!r})")


class OnPoint:
    """Mixin for results that carry the :class:`OperatingPoint` they were computed at (as
    ``self.point``): its system, direction, branch and mean field as attributes."""

    point: OperatingPoint

    @property
    def system(self) -> System:
        """The system of the operating point."""
        return self.point.system

    @property
    def direction(self) -> str:
        """The driven mode."""
        return self.point.direction

    @property
    def branch(self) -> int:
        """The mean-field branch (sorted by increasing G0 q_s)."""
        return self.point.branch

    @property
    def mean_field(self) -> MeanField:
        """The branch's mean field."""
        return self.point.mean_field


def resolve_point(point: OperatingPoint | System, direction: Direction | None = None,
                  branch: int | None = None) -> OperatingPoint:
    """The operating point meant by a call ``f(point_or_system, direction, branch)``.

    Parameters
    ----------
    point : OperatingPoint or System
        An operating point, or a system (then ``direction`` is required).
    direction : {"ccw", "cw"}, optional
        Must match the operating point's if both are given.
    branch : int, optional
        Must match the operating point's if both are given; default 0 with a System.

    Raises
    ------
    InputError
        A direction or branch that contradicts the operating point, or a System without a
        direction.
    """
    if isinstance(point, OperatingPoint):
        if direction is not None and direction != point.direction:
            raise InputError(f"direction {direction!r} contradicts the operating point, which "
                             f"is driven from {point.direction!r}; pass the point alone")
        if branch is not None and branch != point.branch:
            raise InputError(f"branch {branch!r} contradicts the operating point's branch "
                             f"{point.branch}; pass the point alone")
        return point
    if isinstance(point, System):
        if direction is None:
            raise InputError("direction is required with a System ('ccw' or 'cw'); or pass "
                             "an OperatingPoint")
        return OperatingPoint(point, direction, 0 if branch is None else branch)
    raise InputTypeError(f"expected an OperatingPoint or a System, got {type(point).__name__}")


def design_point(kappa: float, J: float, Delta_F: float, gamma_m: float, n_m: float,
                 G0: float, detuning: float, coupling: float,
                 direction: Direction = "ccw", bath: Bath = "brownian") -> OperatingPoint:
    """Reduced-scale operating point specified by its effective detuning and coupling (§5).

    Solves the mean field (paper Eq. 7) backwards: α_d = |G_d|/(√2 G0) with the phase that
    makes ε real and positive, α_u = −iJα_d/(iΔ̃_u + κ), then q_s from the bath's
    self-consistency and the bare Δ_c = Δ̃_c + G0 q_s. At fixed (detuning, coupling) the
    linear model does not depend on G0, so a G0 ladder isolates nonlinear corrections.

    Parameters
    ----------
    kappa, J, Delta_F, gamma_m, n_m : float
        As in :class:`System` (units of ω_m).
    G0 : float
        Single-photon coupling G0/ω_m, > 0.
    detuning : float
        Effective detuning Δ̃_c/ω_m: Δ̃_ccw = Δ̃_c + Δ_F, Δ̃_cw = Δ̃_c − Δ_F.
    coupling : float
        |G_d|/ω_m of the driven mode, ≥ 0.
    direction : {"ccw", "cw"}
        Driven mode.
    bath : {"brownian", "lindblad"}
        Mechanical bath.

    Returns
    -------
    OperatingPoint
        The System with the bare ``Delta_c`` and the ``eps`` that realise the requested
        state, the direction, and the index of the designed mean-field branch. Where the
        bare detuning is multistable this is the designed branch, not branch 0; beyond the
        fold of its branch the designed state exists but is unstable, and
        :func:`linear.analyze` reports it as such.

    Raises
    ------
    TypeError
        A numeric argument is not a real number (bool, str, None, complex, ...).
    ValueError
        An argument is out of range (the :class:`System` ranges, including
        :data:`MAX_MAGNITUDE`; ``coupling`` ≥ 0 and ``detuning`` get the same limit), or the
        derived ``eps`` or ``Delta_c`` would leave the System range (e.g. a tiny ``G0``
        needs an enormous drive); that message names the inputs it is computed from, most
        extreme first.
    """
    check_choice("direction", direction, DIRECTIONS)
    check_choice("bath", bath, BATHS)
    # The user's numbers: same types and ranges as the System fields they become (G0 > 0
    # here, since α_d = |G_d|/(√2 G0)); detuning and coupling get the same magnitude limit.
    r = _SYSTEM_RANGES
    G0 = _check_real("G0", G0, **{**r["G0"], "low_inclusive": False})
    coupling = _check_real("coupling", coupling, low=0.0, limit=MAX_MAGNITUDE)
    detuning = _check_real("detuning", detuning, **r["Delta_c"])
    Delta_F = _check_real("Delta_F", Delta_F, **r["Delta_F"])
    kappa = _check_real("kappa", kappa, **r["kappa"])
    J = _check_real("J", J, **r["J"])
    gamma_m = _check_real("gamma_m", gamma_m, **r["gamma_m"])
    n_m = _check_real("n_m", n_m, **r["n_m"])
    user = {"kappa": kappa, "J": J, "Delta_F": Delta_F, "gamma_m": gamma_m, "G0": G0,
            "detuning": detuning, "coupling": coupling}
    # Overflow is reported below, naming the inputs, rather than warned about here.
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        d = designed_mean_field(kappa, J, Delta_F, gamma_m, G0, detuning, coupling, bath,
                                direction)
    eps, Delta_c = d["eps"], d["Delta_c"]
    # The two derived fields must be valid System fields; name the user's inputs if not.
    for name, value, inputs in (
            ("eps", eps, ("coupling", "G0", "kappa", "J", "detuning", "Delta_F")),
            ("Delta_c", Delta_c, ("coupling", "detuning", "kappa", "J", "Delta_F", "gamma_m"))):
        if np.any(_out_of_range(value, **r[name])):
            kw = r[name]
            valid = _valid_range(kw.get("low"), kw.get("low_inclusive", True), None,
                                 kw.get("limit"))
            raise InputError(
                f"design_point: the derived {name} = {float(value):g} (units of omega_m) is "
                f"outside the System range {valid}; it is computed from "
                f"{blame(user, inputs)} (most extreme first)")
    system = System(kappa=kappa, J=J, Delta_c=float(Delta_c), Delta_F=Delta_F,
                    gamma_m=gamma_m, n_m=n_m, G0=G0, eps=float(eps), bath=bath)
    states = steady_states(system, direction)
    k = int(branch_index(np.array([mf.shift for mf in states]), d["x"]))
    if k < 0:  # at a fold the designed root is double and may not resolve as real
        raise InputError(f"design_point: the designed state (detuning={detuning:g}, "
                         f"coupling={coupling:g}) lies at a fold of the mean field, where it "
                         f"cannot be resolved as a branch; move it slightly")
    return OperatingPoint._from_states(system, direction, k, states)


__all__ = ["OperatingPoint", "OnPoint", "resolve_point", "design_point"]
