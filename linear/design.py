"""Design points: an operating point given by its effective detuning and coupling (§5).

A :class:`Design` is the frozen, validated description (the arguments of
:func:`design_point`); :meth:`Design.point` solves the mean field backwards and gives the
:class:`~linear.OperatingPoint` on the designed branch. :data:`DESIGN_KEYS` and
:data:`DESIGN_RANGES` are the single source of the design keys and their ranges, for
:func:`design_point`, :class:`Design` and :func:`linear.design_sweep`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from .checks import MAX_MAGNITUDE, blame, check_choice, check_real, out_of_range, valid_range
from .conventions import BATHS, DIRECTIONS, Bath, Direction
from .meanfield import (branch_index, designed_mean_field, effective_coupling,
                        solve_steady_states)
from .point import OperatingPoint, check_agrees
from .system import SYSTEM_RANGES, System

#: Keys of a design point (docs/conventions.md §5), in the order of design_point's arguments.
DESIGN_KEYS: tuple[str, ...] = ("kappa", "J", "Delta_F", "gamma_m", "n_m", "G0", "detuning",
                                "coupling")
#: Every field of a :class:`Design`: the numeric keys, then the two choices.
DESIGN_FIELDS: tuple[str, ...] = DESIGN_KEYS + ("direction", "bath")

#: Valid range of each design key (keyword arguments of :func:`linear.checks.check_real`):
#: the System ranges of the fields they become; G0 > 0 (α_d = |G_d|/(√2 G0)); the detuning
#: as Δ_c, the coupling ≥ 0, both with the magnitude limit.
DESIGN_RANGES: dict[str, dict] = {
    **{k: SYSTEM_RANGES[k] for k in ("kappa", "J", "Delta_F", "gamma_m", "n_m")},
    "G0": {**SYSTEM_RANGES["G0"], "low_inclusive": False},
    "detuning": SYSTEM_RANGES["Delta_c"],
    "coupling": {"low": 0.0, "limit": MAX_MAGNITUDE},
}

# The order in which design_point has always checked its numbers (so that, with several bad
# inputs, the same one is named as before).
_CHECK_ORDER: tuple[str, ...] = ("G0", "coupling", "detuning", "Delta_F", "kappa", "J",
                                 "gamma_m", "n_m")


@dataclass(frozen=True)
class Design:
    """A reduced-scale operating point by its effective detuning and coupling (§5).

    Frozen and validated at construction: a Design that exists is a valid input of
    :func:`design_point` (its mean field may still overflow float64, which only
    :meth:`point` can tell). Numbers are stored as float.

    Parameters
    ----------
    kappa, J, Delta_F, gamma_m, n_m : float
        As in :class:`~linear.System` (units of ω_m; n_m in phonons).
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

    Raises
    ------
    InputTypeError
        A numeric field is not a real number (bool, str, None, complex, ...); names it.
    InputError
        A field outside its range (:data:`DESIGN_RANGES`), or an unknown direction or
        bath; names it and the valid range.

    Examples
    --------
    >>> d = Design(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05,
    ...            detuning=0.9, coupling=0.25)
    >>> p = d.point()                      # the OperatingPoint, on the designed branch
    >>> d2 = d.replace(direction="cw")     # validated again
    >>> Design.from_dict(d.to_dict()) == d
    True
    """

    kappa: float
    J: float
    Delta_F: float
    gamma_m: float
    n_m: float
    G0: float
    detuning: float
    coupling: float
    direction: Direction = "ccw"
    bath: Bath = "brownian"

    def __post_init__(self) -> None:
        check_choice("direction", self.direction, DIRECTIONS)
        check_choice("bath", self.bath, BATHS)
        for name in _CHECK_ORDER:
            object.__setattr__(self, name, check_real(name, getattr(self, name),
                                                      **DESIGN_RANGES[name]))

    def point(self) -> OperatingPoint:
        """The operating point of this design, on its designed branch.

        Returns
        -------
        OperatingPoint
            The System with the bare ``Delta_c`` and the ``eps`` that realise the design,
            the direction, and the index of the designed mean-field branch (see
            :func:`design_point`).

        Raises
        ------
        InputError
            The derived ``eps`` or ``Delta_c`` leaves the System range (naming the inputs
            it is computed from, most extreme first), or the designed state lies at a fold.
        """
        return _designed_point(self)

    @classmethod
    def of(cls, point: OperatingPoint) -> "Design":
        """The design of an operating point: its system's rates and G0, its branch's
        effective detuning Δ̃_c = Δ_c − G0·q_s and driven-mode coupling |G_d| = √2·G0·|α_d|
        (docs/conventions.md §5; below paper Eq. 6).

        ``Design.of(design.point())`` gives back ``design`` to round-off.

        Raises
        ------
        InputTypeError
            ``point`` is not an OperatingPoint.
        """
        if not isinstance(point, OperatingPoint):
            raise InputTypeError(f"point must be a linear.OperatingPoint; got "
                                 f"{type(point).__name__}")
        s, mf = point.system, point.mean_field
        alpha = mf.alpha_ccw if point.direction == "ccw" else mf.alpha_cw
        return cls(kappa=s.kappa, J=s.J, Delta_F=s.Delta_F, gamma_m=s.gamma_m, n_m=s.n_m,
                   G0=s.G0, detuning=s.Delta_c - mf.shift,
                   coupling=float(abs(effective_coupling(s.G0, alpha))),
                   direction=point.direction, bath=s.bath)

    def replace(self, **changes: Any) -> "Design":
        """A copy with ``changes`` applied, validated again.

        Raises
        ------
        InputError
            An unknown field (the message lists the valid ones), or a value out of range.
        InputTypeError
            A numeric value that is not a real number.
        """
        _check_keys(changes)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Every field by name (numbers as float): the keyword arguments of
        :func:`design_point` and of :meth:`from_dict`."""
        return {name: getattr(self, name) for name in DESIGN_FIELDS}

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> "Design":
        """The Design of a mapping of field → value (e.g. a configuration section).

        Parameters
        ----------
        mapping : Mapping
            Every key of :data:`DESIGN_KEYS`; ``direction`` and ``bath`` optional.

        Raises
        ------
        InputTypeError
            ``mapping`` is not a mapping, or a numeric value not a real number.
        InputError
            An unknown or missing key (the message lists the valid ones), or a value out of
            range.
        """
        if not isinstance(mapping, Mapping):
            raise InputTypeError(f"a design must be a mapping of {list(DESIGN_FIELDS)}; "
                                 f"got {type(mapping).__name__}")
        _check_keys(mapping)
        missing = [k for k in DESIGN_KEYS if k not in mapping]
        if missing:
            raise InputError(f"design is missing {missing}; a design has {list(DESIGN_KEYS)} "
                             f"(and optionally direction, bath)")
        return cls(**mapping)


def _check_keys(keys: Mapping[str, Any]) -> None:
    """InputError listing the valid fields if ``keys`` has one that is not a Design field."""
    unknown = sorted(set(keys) - set(DESIGN_FIELDS))
    if unknown:
        raise InputError(f"unknown design field(s) {unknown}; valid: {list(DESIGN_FIELDS)}")


def _designed_point(design: Design) -> OperatingPoint:
    """The operating point of a validated design (docs/conventions.md §5)."""
    d = design
    user = {"kappa": d.kappa, "J": d.J, "Delta_F": d.Delta_F, "gamma_m": d.gamma_m,
            "G0": d.G0, "detuning": d.detuning, "coupling": d.coupling}
    # Overflow is reported below, naming the inputs, rather than warned about here.
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        m = designed_mean_field(d.kappa, d.J, d.Delta_F, d.gamma_m, d.G0, d.detuning,
                                d.coupling, d.bath, d.direction)
    eps, Delta_c = m["eps"], m["Delta_c"]
    # The two derived fields must be valid System fields; name the user's inputs if not.
    r = SYSTEM_RANGES
    for name, value, inputs in (
            ("eps", eps, ("coupling", "G0", "kappa", "J", "detuning", "Delta_F")),
            ("Delta_c", Delta_c, ("coupling", "detuning", "kappa", "J", "Delta_F", "gamma_m"))):
        if np.any(out_of_range(value, **r[name])):
            kw = r[name]
            valid = valid_range(kw.get("low"), kw.get("low_inclusive", True), None,
                                kw.get("limit"))
            raise InputError(
                f"design_point: the derived {name} = {float(value):g} (units of omega_m) is "
                f"outside the System range {valid}; it is computed from "
                f"{blame(user, inputs)} (most extreme first)")
    system = System(kappa=d.kappa, J=d.J, Delta_c=float(Delta_c), Delta_F=d.Delta_F,
                    gamma_m=d.gamma_m, n_m=d.n_m, G0=d.G0, eps=float(eps), bath=d.bath)
    states = solve_steady_states(system, d.direction)
    k = int(branch_index(np.array([mf.shift for mf in states]), m["x"]))
    if k < 0:  # at a fold the designed root is double and may not resolve as real
        raise InputError(f"design_point: the designed state (detuning={d.detuning:g}, "
                         f"coupling={d.coupling:g}) lies at a fold of the mean field, where it "
                         f"cannot be resolved as a branch; move it slightly")
    return OperatingPoint._from_states(system, d.direction, k, states)


class _Required:
    """Default of design_point's numeric arguments: tells "not passed" (allowed with a
    Design) from an explicit None (a bad value, named as such)."""

    def __repr__(self) -> str:
        return "<required>"


_REQUIRED: Any = _Required()


def design_point(kappa: float | Design = _REQUIRED, J: float = _REQUIRED,
                 Delta_F: float = _REQUIRED, gamma_m: float = _REQUIRED,
                 n_m: float = _REQUIRED, G0: float = _REQUIRED, detuning: float = _REQUIRED,
                 coupling: float = _REQUIRED, direction: Direction | None = None,
                 bath: Bath | None = None) -> OperatingPoint:
    """Reduced-scale operating point specified by its effective detuning and coupling (§5).

    Solves the mean field (paper Eq. 7) backwards: α_d = |G_d|/(√2 G0) with the phase that
    makes ε real and positive, α_u = −iJα_d/(iΔ̃_u + κ), then q_s from the bath's
    self-consistency and the bare Δ_c = Δ̃_c + G0 q_s. At fixed (detuning, coupling) the
    linear model does not depend on G0, so a G0 ladder isolates nonlinear corrections.

    Call forms: ``design_point(kappa, J, Delta_F, gamma_m, n_m, G0, detuning, coupling,
    direction="ccw", bath="brownian")`` (every number required), or ``design_point(design)``
    with a :class:`Design` (the same as ``design.point()``).

    Parameters
    ----------
    kappa, J, Delta_F, gamma_m, n_m : float
        As in :class:`System` (units of ω_m). ``kappa`` may instead be a :class:`Design`,
        passed alone.
    G0 : float
        Single-photon coupling G0/ω_m, > 0.
    detuning : float
        Effective detuning Δ̃_c/ω_m: Δ̃_ccw = Δ̃_c + Δ_F, Δ̃_cw = Δ̃_c − Δ_F.
    coupling : float
        |G_d|/ω_m of the driven mode, ≥ 0.
    direction : {"ccw", "cw"}, optional
        Driven mode; default "ccw" (with a Design: must match its own).
    bath : {"brownian", "lindblad"}, optional
        Mechanical bath; default "brownian" (with a Design: must match its own).

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
    InputTypeError
        A numeric argument is not a real number (bool, str, None, complex, ...), or is
        missing.
    InputError
        An argument is out of range (the :class:`System` ranges, including
        :data:`MAX_MAGNITUDE`; ``coupling`` ≥ 0 and ``detuning`` get the same limit), or the
        derived ``eps`` or ``Delta_c`` would leave the System range (e.g. a tiny ``G0``
        needs an enormous drive); that message names the inputs it is computed from, most
        extreme first. With a Design: a number passed too, or a direction or bath that
        contradicts it.

    Examples
    --------
    >>> from omxval import linear
    >>> p = linear.design_point(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2,
    ...                         G0=0.05, detuning=0.9, coupling=0.25, direction="ccw",
    ...                         bath="brownian")
    >>> p.direction, p.branch
    ('ccw', 0)
    >>> round(float(abs(linear.analyze(p).coupling)), 6)    # the designed |G_d|
    0.25
    """
    numbers = {"kappa": kappa, "J": J, "Delta_F": Delta_F, "gamma_m": gamma_m, "n_m": n_m,
               "G0": G0, "detuning": detuning, "coupling": coupling}
    if isinstance(kappa, Design):
        extra = [k for k, v in numbers.items() if k != "kappa" and v is not _REQUIRED]
        if extra:
            raise InputError(f"design_point: pass a Design alone, not with {extra} "
                             "(use design.replace(...) to change it)")
        check_agrees("direction", direction, kappa.direction, "design")
        check_agrees("bath", bath, kappa.bath, "design")
        return kappa.point()
    missing = [k for k, v in numbers.items() if v is _REQUIRED]
    if missing:  # what Python said before these arguments had a default, as an InputTypeError
        raise InputTypeError(f"design_point() missing required argument(s) {missing}")
    return Design(**numbers, direction="ccw" if direction is None else direction,
                  bath="brownian" if bath is None else bath).point()


__all__ = ["Design", "design_point", "DESIGN_KEYS", "DESIGN_FIELDS", "DESIGN_RANGES"]
