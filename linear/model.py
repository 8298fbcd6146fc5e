"""The user's optomechanical model: named modes and couplings, validated, frozen (docs/models.md).

A :class:`Model` is the one description every framework derives its equations from. It
holds modes in a fixed order (the order of V and of Fock cutoffs) and couplings between
them. The Hamiltonian, in the frame of each cavity's drive (docs/models.md §1, Eq. M1)::

    H = Σ_c Δ_c a_c†a_c + Σ_m (ω_m/2)(q_m² + p_m²) − Σ_(c,m) g0 a_c†a_c q_m
        + Σ_hop J (o_i†o_j + o_j†o_i) + Σ_c i ε_c (a_c† − a_c),

with a cavity damped at the amplitude rate κ (collapse operators √(2κ(n+1))·a and
√(2κ n)·a† for a bath of n thermal quanta) and a mechanical mode damped at γ by a
``brownian`` bath (noise on p only, the paper's) or a ``lindblad`` one (both quadratures).
Rates are in one unit of the user's choosing (the presets use the first mechanical
frequency); every rate of a model must be in that unit.

A model file is TOML with the keys of :meth:`Model.from_dict`::

    [modes.a]
    kind = "cavity"
    detuning = 1.0
    kappa = 0.2
    drive = 3.5
    [modes.b]
    kind = "mechanical"
    frequency = 1.0
    gamma = 5e-3
    thermal = 0.2
    [[couplings]]
    kind = "radiation-pressure"
    cavity = "a"
    mechanical = "b"
    g0 = 0.05

This module only describes; :mod:`linear.modelfield` and :mod:`linear.modelgauss` compute.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, ClassVar, Union

from ..errors import InputError, InputTypeError
from .checks import MAX_MAGNITUDE, check_choice, check_real, short_repr
from .conventions import BATHS

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LIM = {"limit": MAX_MAGNITUDE}
_POS = {"low": 0.0, "low_inclusive": False, **_LIM}
_NONNEG = {"low": 0.0, **_LIM}
#: Valid range of every numeric key of a model (keyword arguments of ``check_real``); the
#: one home of these ranges, used by the mode and coupling classes and by sweeps.
PARAMETER_RANGES: dict[str, dict] = {
    "detuning": dict(_LIM), "kappa": _POS, "drive": _NONNEG, "thermal": _NONNEG,
    "frequency": _POS, "gamma": _NONNEG, "g0": dict(_LIM), "J": dict(_LIM)}
#: The frame a cavity's detuning is measured from when the model file names none.
DEFAULT_FRAME = "laser"


def _check_keys(where: str, given: Iterable[str], required: tuple[str, ...],
                optional: tuple[str, ...]) -> None:
    """Unknown or missing keys of one table of a model file, named with ``where``."""
    given = set(given)
    unknown = sorted(given - set(required) - set(optional))
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (valid keys: "
                         f"{', '.join(required + optional)})")
    missing = [k for k in required if k not in given]
    if missing:
        raise InputError(f"{where}: missing key {missing[0]!r} (required: "
                         f"{', '.join(required)})")


def _kind_of(where: str, table: Any, kinds: Mapping[str, type]) -> tuple[type, dict]:
    """The class named by a table's ``kind`` and its other keys, checked (model files)."""
    if not isinstance(table, Mapping):
        raise InputError(f"{where}: expected a table of keys; got {short_repr(table)}")
    kind = table.get("kind")
    if kind not in kinds:
        raise InputError(f"{where}.kind must be one of {', '.join(map(repr, kinds))}; got "
                         f"{short_repr(kind)}")
    klass = kinds[kind]
    rest = {k: v for k, v in table.items() if k != "kind"}
    _check_keys(f"{where} ({kind})", rest, *klass.KEYS)
    return klass, rest


def _check_name(where: str, name: Any) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(f"{where}: a mode name must be a word of letters, digits and '_' "
                         f"not starting with a digit (it names parameters such as "
                         f"modes.NAME.detuning); got {short_repr(name)}")
    return name


def _check_numbers(mode: Any, keys: tuple[str, ...]) -> None:
    """Validate the numeric keys of a mode in place, each named ``modes.NAME.KEY``."""
    w = f"modes.{_check_name('modes', mode.name)}"
    for k in keys:
        object.__setattr__(mode, k, check_real(f"{w}.{k}", getattr(mode, k),
                                               **PARAMETER_RANGES[k]))


@dataclass(frozen=True)
class Cavity:
    """A driven, damped cavity mode (annihilation operator a).

    Parameters
    ----------
    name : str
        Mode name (letters, digits, '_').
    detuning : float
        Δ = ω_cavity − ω_drive in the model's rate unit, any real (its frame: ``frame``).
    kappa : float
        Amplitude decay rate κ > 0 (collapse operator √(2κ)·a; linewidth 2κ).
    drive : float
        Drive amplitude ε ≥ 0 (H term iε(a† − a)); 0 for an undriven cavity.
    thermal : float
        Bath occupation n ≥ 0 (0 for optical; microwave cavities are warm).
    frame : str
        The laser (drive) whose rotating frame ``detuning`` is measured in. Cavities coupled
        by hopping must share it: in one frame the coupling would rotate at the difference
        of the drive frequencies, a time-dependent model omxval does not treat.
    """

    name: str
    detuning: float
    kappa: float
    drive: float = 0.0
    thermal: float = 0.0
    frame: str = DEFAULT_FRAME
    kind: ClassVar[str] = "cavity"
    KEYS: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = (
        ("detuning", "kappa"), ("drive", "thermal", "frame"))

    def __post_init__(self) -> None:
        _check_numbers(self, ("detuning", "kappa", "drive", "thermal"))
        if not isinstance(self.frame, str) or not self.frame:
            raise InputTypeError(f"modes.{self.name}.frame must be a non-empty string naming the drive "
                                 f"laser; got {short_repr(self.frame)}")


@dataclass(frozen=True)
class Mechanical:
    """A mechanical mode with quadratures q, p (b = (q + ip)/√2).

    Parameters
    ----------
    name : str
        Mode name.
    frequency : float
        ω > 0 (H term (ω/2)(q² + p²)).
    gamma : float
        Damping rate γ ≥ 0.
    thermal : float
        Bath occupation n ≥ 0.
    bath : {"brownian", "lindblad"}
        Quantum Brownian motion (damping and noise on p, the paper's) or the Lindblad bath
        (√(γ(n+1))·b, √(γ n)·b†: damping γ/2 on both quadratures); docs/conventions.md §3–5.
    """

    name: str
    frequency: float
    gamma: float
    thermal: float = 0.0
    bath: str = "brownian"
    kind: ClassVar[str] = "mechanical"
    KEYS: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = (
        ("frequency", "gamma"), ("thermal", "bath"))

    def __post_init__(self) -> None:
        _check_numbers(self, ("frequency", "gamma", "thermal"))
        check_choice(f"modes.{self.name}.bath", self.bath, BATHS)


Mode = Union[Cavity, Mechanical]
MODE_KINDS: dict[str, type] = {"cavity": Cavity, "mechanical": Mechanical}


@dataclass(frozen=True)
class RadiationPressure:
    """−g0·a†a·q between a cavity and a mechanical mode (g0 any real, model rate unit)."""

    cavity: str
    mechanical: str
    g0: float
    kind: ClassVar[str] = "radiation-pressure"
    KEYS: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = (("cavity", "mechanical", "g0"), ())

    @property
    def modes(self) -> tuple[str, str]:
        return (self.cavity, self.mechanical)

    @property
    def strength(self) -> float:
        return self.g0


@dataclass(frozen=True)
class Hopping:
    """J·(o_i†o_j + h.c.) between two cavities or two mechanical modes (J any real)."""

    modes: tuple[str, str]
    J: float
    kind: ClassVar[str] = "hopping"
    KEYS: ClassVar[tuple[tuple[str, ...], tuple[str, ...]]] = (("modes", "J"), ())

    def __post_init__(self) -> None:
        m = self.modes
        if isinstance(m, str) or not isinstance(m, (tuple, list)) or len(m) != 2:
            raise InputError(f"hopping modes must be a list of two mode names; got "
                             f"{short_repr(m)}")
        object.__setattr__(self, "modes", (m[0], m[1]))

    @property
    def strength(self) -> float:
        return self.J


Coupling = Union[RadiationPressure, Hopping]
COUPLING_KINDS: dict[str, type] = {"radiation-pressure": RadiationPressure, "hopping": Hopping}
_STRENGTH = {"radiation-pressure": "g0", "hopping": "J"}


@dataclass(frozen=True)
class Model:
    """An optomechanical model: modes in a fixed order and their couplings (docs/models.md).

    Build it from Python (``Model(modes=[Cavity(...), Mechanical(...)], couplings=[...])``),
    from a mapping (:meth:`from_dict`) or a TOML file (:meth:`from_toml`); it is frozen and
    validated when built, and every error names the mode or coupling and the key.

    Parameters
    ----------
    modes : sequence of Cavity or Mechanical
        The modes, in the order of V (x, p per mode) and of Fock cutoffs. Names unique.
    couplings : sequence of RadiationPressure or Hopping
        Radiation pressure between a cavity and a mechanical mode; hopping between two
        cavities sharing a frame, or between two mechanical modes.
    name : str
        A label for reports.
    unit : str
        The rate unit, stated for the reader (every rate of the model is in it).

    Raises
    ------
    InputError
        Duplicate or invalid names, a coupling naming an absent mode or the wrong kinds of
        mode, hopping across frames, a mode coupled to itself, a model without modes.
    """

    modes: tuple[Mode, ...]
    couplings: tuple[Coupling, ...] = ()
    name: str = ""
    unit: str = "first mechanical frequency"

    def __post_init__(self) -> None:
        modes, couplings = tuple(self.modes), tuple(self.couplings)
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "couplings", couplings)
        if not modes:
            raise InputError("model: no modes (give at least one [modes.NAME] table)")
        seen: dict[str, Mode] = {}
        for m in modes:
            if not isinstance(m, (Cavity, Mechanical)):
                raise InputTypeError(f"modes: expected Cavity or Mechanical, got "
                                     f"{short_repr(m)}")
            if m.name in seen:
                raise InputError(f"modes: the name {m.name!r} is used twice")
            seen[m.name] = m
        for i, c in enumerate(couplings):
            self._check_coupling(i, c, seen)
        for key in ("name", "unit"):
            if not isinstance(getattr(self, key), str):
                raise InputTypeError(f"{key} must be a string; got "
                                     f"{short_repr(getattr(self, key))}")

    @staticmethod
    def _check_coupling(i: int, c: Any, modes: Mapping[str, Mode]) -> None:
        w = f"couplings.{i}"
        if not isinstance(c, (RadiationPressure, Hopping)):
            raise InputTypeError(f"{w}: expected RadiationPressure or Hopping, got "
                                 f"{short_repr(c)}")
        key = _STRENGTH[c.kind]
        object.__setattr__(c, key, check_real(f"{w}.{key}", getattr(c, key),
                                              **PARAMETER_RANGES[key]))
        for role, name in zip(("cavity", "mechanical") if c.kind == "radiation-pressure"
                              else ("modes", "modes"), c.modes):
            if name not in modes:
                raise InputError(f"{w} ({c.kind}): {role} {short_repr(name)} is not a mode "
                                 f"of the model (modes: {', '.join(modes)})")
        a, b = (modes[n] for n in c.modes)
        if c.kind == "radiation-pressure":
            if a.kind != "cavity" or b.kind != "mechanical":
                raise InputError(f"{w} (radiation-pressure): needs cavity = a cavity mode and "
                                 f"mechanical = a mechanical mode; got {a.name!r} ({a.kind}) "
                                 f"and {b.name!r} ({b.kind})")
            return
        if a.name == b.name:
            raise InputError(f"{w} (hopping): couples {a.name!r} to itself")
        if a.kind != b.kind:
            raise InputError(f"{w} (hopping): couples a {a.kind} ({a.name!r}) to a {b.kind} "
                             f"({b.name!r}); hopping is between two cavities or two "
                             "mechanical modes")
        if a.kind == "cavity" and a.frame != b.frame:
            raise InputError(
                f"{w} (hopping): cavities {a.name!r} and {b.name!r} are in different drive "
                f"frames ({a.frame!r}, {b.frame!r}). A cavity's detuning is measured from its "
                "drive's laser; hopping between cavities referenced to different lasers "
                "rotates at the lasers' frequency difference, a time-dependent model omxval "
                "does not treat. If both detunings are measured from one laser, give both "
                "cavities the same `frame`.")

    # --- views --------------------------------------------------------------------------
    @property
    def mode_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.modes)

    @property
    def cavities(self) -> tuple[Cavity, ...]:
        return tuple(m for m in self.modes if m.kind == "cavity")

    @property
    def mechanical_modes(self) -> tuple[Mechanical, ...]:
        return tuple(m for m in self.modes if m.kind == "mechanical")

    def mode(self, name: str) -> Mode:
        """The mode called ``name``; InputError listing the modes if there is none."""
        for m in self.modes:
            if m.name == name:
                return m
        raise InputError(f"no mode {short_repr(name)} in the model (modes: "
                         f"{', '.join(self.mode_names)})")

    def index(self, name: str) -> int:
        """Position of mode ``name`` in the mode order (the order of V and of cutoffs)."""
        return self.mode_names.index(self.mode(name).name)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Every pair of modes, in mode order: the two-mode cuts of E_N."""
        n = self.mode_names
        return tuple((n[i], n[j]) for i in range(len(n)) for j in range(i + 1, len(n)))

    # --- parameters by name ---------------------------------------------------------------
    def parameter_names(self) -> tuple[str, ...]:
        """Every numeric parameter by path: ``modes.NAME.KEY`` and ``couplings.I.g0``/``.J``."""
        out = []
        for m in self.modes:
            out += [f"modes.{m.name}.{k}" for k in (*m.KEYS[0], *m.KEYS[1])
                    if k not in ("frame", "bath")]
        out += [f"couplings.{i}.{_STRENGTH[c.kind]}" for i, c in enumerate(self.couplings)]
        return tuple(out)

    def _locate(self, path: str) -> tuple[str, int, str]:
        parts = path.split(".") if isinstance(path, str) else []
        if len(parts) == 3 and parts[0] == "modes":
            return "modes", self.index(parts[1]), parts[2]
        if len(parts) == 3 and parts[0] == "couplings" and parts[1].isdigit():
            return "couplings", int(parts[1]), parts[2]
        raise InputError(f"parameter {short_repr(path)}: expected 'modes.NAME.KEY' or "
                         "'couplings.INDEX.KEY' (see Model.parameter_names())")

    def parameter(self, path: str) -> float:
        """The value of a numeric parameter by path, e.g. ``"modes.a.detuning"``."""
        self._check_parameter(path)
        table, i, key = self._locate(path)
        return getattr(getattr(self, table)[i], key)

    def _check_parameter(self, path: str) -> None:
        if path not in self.parameter_names():
            self._locate(path)  # a malformed path gets the format message
            raise InputError(f"parameter {path!r} is not a numeric parameter of this model; "
                             f"valid: {', '.join(self.parameter_names())}")

    def with_parameters(self, values: Mapping[str, float]) -> "Model":
        """A copy with parameters set by path (validated again), e.g.
        ``model.with_parameters({"modes.a.detuning": 0.3, "couplings.0.g0": 0.01})``."""
        modes, couplings = list(self.modes), list(self.couplings)
        for path, value in values.items():
            self._check_parameter(path)
            table, i, key = self._locate(path)
            target = modes if table == "modes" else couplings
            target[i] = replace(target[i], **{key: value})
        return Model(tuple(modes), tuple(couplings), self.name, self.unit)

    def scaled(self, s: float) -> "Model":
        """The nonlinearity ladder (docs/models.md §4): every g0 × s and every drive ÷ s.

        The Gaussian model is unchanged — the mean-field shifts g0·q and every coupling
        G = √2·g0·α are invariant, since α ∝ 1/s and q ∝ 1/s — while the terms the
        linearisation neglects, −g0·δa†δa·δq, grow as s. ``s = 1`` returns an equal model.

        Parameters
        ----------
        s : float
            Scale, > 0.
        """
        s = check_real("s", s, low=0.0, low_inclusive=False, **_LIM)
        modes = tuple(replace(m, drive=m.drive / s) if m.kind == "cavity" else m
                      for m in self.modes)
        couplings = tuple(replace(c, g0=c.g0 * s) if c.kind == "radiation-pressure" else c
                          for c in self.couplings)
        return Model(modes, couplings, self.name, self.unit)

    # --- file I/O ---------------------------------------------------------------------
    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> "Model":
        """Build a model from the keys of a model file (docs/models.md §2).

        Top level: ``modes`` (a table of tables, in order), ``couplings`` (a list), and
        optional ``name`` and ``unit``. Each mode has ``kind`` = "cavity" (``detuning``,
        ``kappa``; optional ``drive`` = 0, ``thermal`` = 0, ``frame`` = "laser") or
        "mechanical" (``frequency``, ``gamma``; optional ``thermal`` = 0, ``bath`` =
        "brownian"). A coupling has ``kind`` = "radiation-pressure" (``cavity``,
        ``mechanical``, ``g0``) or "hopping" (``modes`` = [two names], ``J``).

        Raises
        ------
        InputError
            Unknown or missing keys, bad values, inconsistent couplings; the message names
            the table (``modes.a``, ``couplings.0``) and the key.
        """
        if not isinstance(mapping, Mapping):
            raise InputTypeError(f"a model is a mapping of keys; got {short_repr(mapping)}")
        _check_keys("model", mapping, ("modes",), ("couplings", "name", "unit"))
        raw_modes = mapping["modes"]
        if not isinstance(raw_modes, Mapping):
            raise InputError("modes: expected tables [modes.NAME]; got "
                             f"{short_repr(raw_modes)}")
        modes = []
        for name, table in raw_modes.items():
            klass, rest = _kind_of(f"modes.{_check_name('modes', name)}", table, MODE_KINDS)
            modes.append(klass(name=name, **rest))
        raw = mapping.get("couplings", [])
        if not isinstance(raw, (list, tuple)):
            raise InputError("couplings: expected a list of tables [[couplings]]; got "
                             f"{short_repr(raw)}")
        couplings = []
        for i, table in enumerate(raw):
            w = f"couplings.{i}"
            klass, rest = _kind_of(w, table, COUPLING_KINDS)
            try:
                couplings.append(klass(**rest))
            except InputError as err:
                raise InputError(f"{w}: {err}") from None
        return cls(tuple(modes), tuple(couplings), mapping.get("name", ""),
                   mapping.get("unit", "first mechanical frequency"))

    @classmethod
    def from_toml(cls, path: str | Path) -> "Model":
        """Read a model file (TOML, keys of :meth:`from_dict`).

        Raises
        ------
        InputError
            The file cannot be read, is not TOML (with the parser's line), or holds a bad
            model; the message starts with the path.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise InputError(f"{path}: cannot read the model file ({err.strerror})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise InputError(f"{path}: not a TOML file ({err})") from None
        try:
            return cls.from_dict(data)
        except (InputError, InputTypeError) as err:
            raise type(err)(f"{path}: {err}") from None

    def to_dict(self) -> dict[str, Any]:
        """The keys of :meth:`from_dict` (``Model.from_dict(m.to_dict()) == m``)."""
        out: dict[str, Any] = {}
        if self.name:
            out["name"] = self.name
        out["unit"] = self.unit
        out["modes"] = {m.name: {"kind": m.kind, **{f.name: getattr(m, f.name)
                                                     for f in fields(m) if f.name != "name"}}
                        for m in self.modes}
        out["couplings"] = [{"kind": c.kind, **{f.name: (list(getattr(c, f.name))
                                                         if f.name == "modes"
                                                         else getattr(c, f.name))
                                                for f in fields(c)}}
                            for c in self.couplings]
        return out

    def to_toml(self) -> str:
        """The model as a TOML model file; ``Model.from_toml`` reads it back equal (floats
        are written with ``repr``, exact in float64)."""
        def val(v: Any) -> str:
            if isinstance(v, str):
                return json.dumps(v, ensure_ascii=False)
            if isinstance(v, list):
                return "[" + ", ".join(val(x) for x in v) + "]"
            return repr(float(v)) if math.isfinite(v) else str(v)

        d = self.to_dict()
        lines = [f"{k} = {val(d[k])}" for k in ("name", "unit") if k in d]
        for name, table in d["modes"].items():
            lines += ["", f"[modes.{name}]"] + [f"{k} = {val(v)}" for k, v in table.items()]
        for table in d["couplings"]:
            lines += ["", "[[couplings]]"] + [f"{k} = {val(v)}" for k, v in table.items()]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        rows = [f"model {self.name or '(unnamed)'}: {len(self.modes)} modes, "
                f"{len(self.couplings)} couplings; rates in units of the {self.unit}"]
        for m in self.modes:
            vals = ", ".join(f"{f.name} = {getattr(m, f.name)}" for f in fields(m)
                             if f.name != "name")
            rows.append(f"  mode {m.name} ({m.kind}): {vals}")
        for i, c in enumerate(self.couplings):
            key = _STRENGTH[c.kind]
            rows.append(f"  coupling {i} ({c.kind}) {' - '.join(c.modes)}: {key} = "
                        f"{getattr(c, key)}")
        return "\n".join(rows)


__all__ = ["Model", "Cavity", "Mechanical", "RadiationPressure", "Hopping", "Mode", "Coupling",
           "DEFAULT_FRAME", "PARAMETER_RANGES"]
