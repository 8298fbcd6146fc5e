"""The operating point: a system, its drive direction and one mean-field branch.

This is omxval's unit of work. Everything that analyses a point — :func:`linear.analyze`,
:func:`omxval.fullquantum.solve`, the comparison and the studies — takes an
:class:`OperatingPoint` whole and uses exactly its branch, so a multistable system is never
silently analysed on another branch than the one meant (the designed one, for
:func:`design_point`).

The first API's call forms (``analyze(system, direction, branch=0)``) are resolved here,
once, for every function that takes a point: a System needs a direction; an OperatingPoint
may be passed with a matching direction and branch, or none, and a contradicting one is an
error naming both (:func:`check_agrees`, :func:`resolve_direction`, :func:`resolve_point`,
:func:`resolve_mean_field`).

:func:`steady_states` lives here rather than in :mod:`linear.meanfield` because it takes an
OperatingPoint, which is itself built on the mean field.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from .checks import check_choice
from .conventions import DIRECTIONS, Direction
from .meanfield import MeanField, solve_steady_states
from .system import System


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
        states = (self._states if hasattr(self, "_states")
                  else solve_steady_states(self.system, self.direction))
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


def check_agrees(name: str, given: Any, carried: Any, owner: str = "operating point") -> None:
    """Refuse an argument that contradicts the value an object passed with it carries.

    The one home of the rule "a direction (branch, bath, ...) passed with an operating point
    or a design must match it", so that every function words it the same way.

    Parameters
    ----------
    name : str
        Argument name, e.g. ``"direction"``.
    given : Any
        The value passed; None means "not passed" and always agrees.
    carried : Any
        The value the object carries.
    owner : str
        What carries it, for the message (``"operating point"``, ``"design"``).

    Raises
    ------
    InputError
        ``given`` is not None and differs from ``carried``; the message names both.
    """
    if given is not None and given != carried:
        raise InputError(f"{name} {given!r} contradicts the {owner}, whose {name} is "
                         f"{carried!r}; pass the {owner} alone")


def system_of(point: OperatingPoint | System) -> System:
    """The System of an operating point, or the System itself.

    Raises
    ------
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    if isinstance(point, OperatingPoint):
        return point.system
    if isinstance(point, System):
        return point
    raise InputTypeError(f"expected an OperatingPoint or a System, got {type(point).__name__}")


def resolve_direction(point: OperatingPoint | System, direction: Direction | None = None
                      ) -> tuple[System, Direction]:
    """The (system, direction) meant by a call ``f(point_or_system, direction)``.

    Parameters
    ----------
    point : OperatingPoint or System
        An operating point, or a system (then ``direction`` is required).
    direction : {"ccw", "cw"}, optional
        Must match the operating point's if both are given.

    Returns
    -------
    (System, str)
        The direction is not validated here for a System; the callee does (once).

    Raises
    ------
    InputError
        A direction that contradicts the operating point, or a System without a direction.
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    system = system_of(point)
    if isinstance(point, OperatingPoint):
        check_agrees("direction", direction, point.direction)
        return system, point.direction
    if direction is None:
        raise InputError("direction is required with a System ('ccw' or 'cw'); or pass "
                         "an OperatingPoint")
    return system, direction


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

    Returns
    -------
    OperatingPoint
        ``point`` itself if it is one.

    Raises
    ------
    InputError
        A direction or branch that contradicts the operating point, or a System without a
        direction.
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    system, direction = resolve_direction(point, direction)
    if isinstance(point, OperatingPoint):
        check_agrees("branch", branch, point.branch)
        return point
    return OperatingPoint(system, direction, 0 if branch is None else branch)


def resolve_mean_field(point: OperatingPoint | System, mean_field: MeanField | None = None
                       ) -> tuple[System, MeanField]:
    """The (system, mean field) meant by a call ``f(point_or_system, mean_field)``.

    Parameters
    ----------
    point : OperatingPoint or System
        An operating point, or a system (then ``mean_field`` is required).
    mean_field : MeanField, optional
        Must be the operating point's own if both are given.

    Raises
    ------
    InputError
        A mean field other than the operating point's, or a System without one.
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    system = system_of(point)
    if isinstance(point, OperatingPoint):
        if mean_field is not None and mean_field != point.mean_field:
            # Named by branch and shift: a MeanField's full repr would drown the message.
            raise InputError(f"mean_field (branch {mean_field.branch}, G0 q_s = "
                             f"{mean_field.shift:g}) contradicts the operating point, whose "
                             f"mean field is branch {point.branch} (G0 q_s = "
                             f"{point.mean_field.shift:g}); pass the operating point alone")
        return system, point.mean_field
    if mean_field is None:
        raise InputError("mean_field is required with a System (see linear.steady_states); "
                         "or pass an OperatingPoint")
    return system, mean_field


def steady_states(point: OperatingPoint | System, direction: Direction | None = None
                  ) -> list[MeanField]:
    """Every real mean-field branch of a system driven from one direction (paper Eq. 7).

    Call forms: ``steady_states(point)`` with an :class:`OperatingPoint` (all branches of its
    system and direction, not only its own), or ``steady_states(system, direction)``.

    Parameters
    ----------
    point : OperatingPoint or System
        What to solve (units of ω_m).
    direction : {"ccw", "cw"}, optional
        Driven mode; required with a System, must match an OperatingPoint's.

    Returns
    -------
    list of MeanField
        All real roots of the self-consistency, sorted by increasing G0·q_s (never empty:
        the quintic always has a real root). Stability is judged by :func:`linear.analyze`.

    Raises
    ------
    InputError
        Unknown direction, one that contradicts ``point``, or none with a System; or the
        mean field is not representable in float64 (the message names the inputs entering
        it, most extreme first).
    InputTypeError
        ``point`` is neither an OperatingPoint nor a System.
    """
    system, direction = resolve_direction(point, direction)
    return solve_steady_states(system, direction)


__all__ = ["OperatingPoint", "OnPoint", "check_agrees", "system_of", "resolve_direction",
           "resolve_point", "resolve_mean_field", "steady_states"]
