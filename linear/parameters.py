"""Physical parameters: the SI device description and the dimensionless system.

Conventions (``docs/conventions.md`` §1–2, stated once here and used everywhere):

* Every rate inside omxval is divided by the mechanical frequency ω_m, so ω_m = 1 and time
  is measured in units of 1/ω_m.
* κ is the *amplitude* decay rate of each optical mode (Lindblad rate 2κ).
* The CCW mode sits at Δ_ccw = Δ_c + Δ_F and the CW mode at Δ_cw = Δ_c − Δ_F, whatever is
  driven; Δ_c = ω_c − ω_l (positive = red detuned).
* Drive "ccw" pumps the CCW mode, "cw" the CW mode; ε is real and positive.

All validation of inputs lives in this module:

* a value that is not a real number (bool, str, None, complex, ...) raises
  :class:`TypeError` naming the parameter;
* a real number outside its range raises :class:`ValueError` naming the parameter and the
  range (the ranges of :class:`System` include the magnitude limit :data:`MAX_MAGNITUDE`);
* a derived quantity that would leave float64 (``design_point``'s ε and Δ_c, the System
  fields computed by :class:`PaperSetup`) raises :class:`ValueError` naming the *user's*
  inputs that enter it, most unusual first (:func:`blame`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from scipy import constants

from ..errors import InputError, InputTypeError

Bath = Literal["brownian", "lindblad"]
Direction = Literal["ccw", "cw"]

BATHS: tuple[str, ...] = ("brownian", "lindblad")
DIRECTIONS: tuple[str, ...] = ("ccw", "cw")

#: Largest |value| accepted for any numeric field of :class:`System` (units of ω_m; n_m in
#: phonons). Why 1e30: every intermediate of the Gaussian model that *grows* with the inputs
#: is a fixed low power of them, so at the limit the largest are the quintic's constant
#: coefficient c·G0²ε²(κ² + J² + Δ_u²) ≲ 6e180, its roots |x| ≲ 2e40 (Fujiwara bound), the
#: Horner terms |c_k x^k| ≲ 1e202, the drift entries |G|² = 2x/c ≲ 1e100 and the diffusion
#: γ_m(2n_m + 1) ≲ 2e60 — all far below the float64 maximum 1.8e308. Physical inputs sit
#: 20+ decades inside it (paper set: ε ≈ 5.5e4, n_m ≈ 270, rates ≲ 1e8).
MAX_MAGNITUDE: float = 1e30


def _fmt(value: Any, width: int = 40) -> str:
    """repr of ``value`` cut to ``width`` characters (a 400-digit int stays readable)."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _is_real_scalar(value: Any) -> bool:
    """True for int, float, NumPy integer/floating scalars and 0-d real arrays; not bool."""
    if isinstance(value, (bool, np.bool_)):
        return False  # bool is an int subclass, but True as a rate is a bug, not a number
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, numbers.Real)


def _valid_range(low: float | None, low_inclusive: bool, high: float | None,
                 limit: float | None) -> str:
    """Text of the valid interval, e.g. ``(0, 1e+30]``."""
    lo = low if low is not None else (-limit if limit is not None else None)
    lo_txt = "-inf" if lo is None else f"{lo:g}"
    bracket = "[" if (lo is not None and (low is None or low_inclusive)) else "("
    if limit is not None and (high is None or limit < high):
        return f"{bracket}{lo_txt}, {limit:g}]"
    return f"{bracket}{lo_txt}, {'inf' if high is None else f'{high:g}'})"


def _check_real(name: str, value: Any, *, low: float | None = None,
                low_inclusive: bool = True, high: float | None = None,
                limit: float | None = None) -> float:
    """Return ``value`` as a float after checking its type and range.

    Parameters
    ----------
    name : str
        Parameter name used in the messages.
    value : Any
        Must be a real number (see :func:`_is_real_scalar`).
    low, low_inclusive : float or None, bool
        Lower bound and whether it is allowed.
    high : float or None
        Exclusive upper bound.
    limit : float or None
        Magnitude limit, |value| ≤ limit (inclusive).

    Raises
    ------
    TypeError
        ``value`` is not a real number (bool, str, None, complex, arrays, ...).
    ValueError
        Not finite or outside the range; the message names ``name`` and the range.
    """
    valid = _valid_range(low, low_inclusive, high, limit)
    if not _is_real_scalar(value):
        raise InputTypeError(f"{name} must be a real number, got {_fmt(value)}")
    try:
        x = float(value)
    except OverflowError:  # a Python int beyond float64
        raise InputError(f"{name} must lie in {valid}; got {_fmt(value)}") from None
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite, in {valid}; got {_fmt(value)}")
    if low is not None and (x < low or (x == low and not low_inclusive)):
        raise InputError(f"{name} must lie in {valid}; got {x:g}")
    if high is not None and x >= high:
        raise InputError(f"{name} must lie in {valid}; got {x:g}")
    if limit is not None and abs(x) > limit:
        raise InputError(f"{name} must lie in {valid}; got {x:g} (|{name}| <= {limit:g} keeps "
                         "every derived quantity finite in float64; see System)")
    return x


def _check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool (Python or NumPy), else raise TypeError naming it."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be a bool (True or False), got {_fmt(value)}")
    return bool(value)


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """Raise a ValueError unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"got {_fmt(value)}")
    return value


def _decades(value: float, reference: float = 1.0) -> float:
    """How unusual ``value`` is: |log10(|value|/reference)| (0 for zero or non-positive refs)."""
    v = abs(float(value))
    if v == 0.0 or reference <= 0.0:
        return 0.0
    if not math.isfinite(v):
        return math.inf
    return abs(math.log10(v / reference))


def blame(values: Mapping[str, Any], names: Iterable[str] | None = None,
          references: Mapping[str, float] | None = None) -> str:
    """Format the inputs entering a quantity, most unusual first: ``"eps=1e+100, G0=0.05"``.

    Used by every overflow message so that it names the user's parameters, with the likely
    culprit first.

    Parameters
    ----------
    values : mapping
        Input name → value (scalars).
    names : iterable of str, optional
        The inputs that enter the quantity (default: all of ``values``).
    references : mapping, optional
        Typical value of each input; an input is ranked by how many decades it lies from
        its reference (default 1, the scale of ω_m for the dimensionless fields).
    """
    names = list(values if names is None else names)
    refs = references or {}
    ranked = sorted(names, key=lambda n: -_decades(values[n], refs.get(n, 1.0)))
    return ", ".join(f"{n}={float(values[n]):g}" for n in ranked)


@dataclass(frozen=True)
class System:
    """Dimensionless description of the spinning resonator (rates in units of ω_m).

    Parameters
    ----------
    kappa : float
        Optical amplitude decay rate κ/ω_m, > 0.
    J : float
        Backscattering coupling J/ω_m between the CCW and CW modes, ≥ 0.
    Delta_c : float
        Bare cavity–laser detuning Δ_c/ω_m = (ω_c − ω_l)/ω_m (any real).
    Delta_F : float
        Sagnac–Fizeau shift Δ_F/ω_m (paper Eq. 1); CCW at Δ_c + Δ_F, CW at Δ_c − Δ_F.
    gamma_m : float
        Mechanical damping γ_m/ω_m, > 0.
    n_m : float
        Thermal phonon number of the mechanical bath, ≥ 0.
    G0 : float
        Single-photon optomechanical coupling G0/ω_m, ≥ 0.
    eps : float
        Drive amplitude ε/ω_m, ≥ 0 (paper: ε = √(2κP/ħω_l)).
    bath : {"brownian", "lindblad"}
        Mechanical bath model (docs/conventions.md §3–5).

    Raises
    ------
    TypeError
        A numeric field is not a real number: bool, str, None, complex and other objects are
        refused (int, float and NumPy integer/floating scalars are accepted and stored as
        float), so that ``kappa=True`` or ``kappa="0.2"`` cannot pass silently.
    ValueError
        A field is not finite, outside its range, or larger in magnitude than
        :data:`MAX_MAGNITUDE` = 1e30; or ``bath`` is unknown. The message names the field
        and its valid range.

    Notes
    -----
    Why a magnitude limit: the model's intermediates are fixed low powers of the inputs
    (the mean-field quintic's coefficients are of degree ≤ 6 in the fields, e.g.
    c·G0²ε²(κ² + J² + Δ_u²); Horner evaluation raises its roots to the 5th power; the 4×4
    determinants of the entanglement formula are quartic in V). Unbounded inputs overflow
    them and used to surface as a wrong message (``Delta_c must be finite ... nan``), a raw
    ``LinAlgError`` or an empty branch list. At |field| ≤ 1e30 the largest of them stays
    below ~1e202, far inside float64 (1.8e308), while any physical value (rates up to 1e8
    ω_m, n_m up to 1e8 and beyond) keeps more than 20 decades of headroom. What a ceiling
    cannot bound — quantities that grow as *inverse* powers of small rates, e.g. photon
    numbers ∝ ε²/κ², or V near an instability — is checked where it is computed
    (:func:`linear.steady_states`, :func:`linear.analyze`), which raise ValueError naming
    the inputs, most extreme first.
    """

    kappa: float
    J: float
    Delta_c: float
    Delta_F: float
    gamma_m: float
    n_m: float
    G0: float
    eps: float
    bath: Bath = "brownian"

    def __post_init__(self) -> None:
        for name, kw in _SYSTEM_RANGES.items():
            object.__setattr__(self, name, _check_real(name, getattr(self, name), **kw))
        check_choice("bath", self.bath, BATHS)

    def replace(self, **changes) -> "System":
        """Return a copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)

    def detunings(self) -> tuple[float, float]:
        """Bare detunings (Δ_ccw, Δ_cw) = (Δ_c + Δ_F, Δ_c − Δ_F) in units of ω_m (§2)."""
        return mode_detunings(self.Delta_c, self.Delta_F)


def mode_detunings(Delta_c, Delta_F):
    """(Δ_ccw, Δ_cw) = (Δ_c + Δ_F, Δ_c − Δ_F) whatever is driven (docs/conventions.md §2).

    Works for bare and effective detunings (Δ̃_j = Δ_j − G0 q_s) and broadcasts over arrays.
    """
    return np.add(Delta_c, Delta_F), np.subtract(Delta_c, Delta_F)


# Mode index of each optical mode in u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p); mechanics is 2.
OPTICAL_MODE: dict[str, int] = {"ccw": 0, "cw": 1}
MECHANICAL_MODE: int = 2


def cut(direction: str) -> tuple[int, int]:
    """The (driven optical, mechanical) mode pair whose entanglement omxval reports (§2)."""
    return OPTICAL_MODE[direction], MECHANICAL_MODE


def driven_first(ccw, cw, direction: str):
    """Reorder a (ccw, cw) pair as (driven, undriven) for drive ``direction``; its own inverse
    (``driven_first(d, u, direction)`` gives back (ccw, cw))."""
    return (ccw, cw) if direction == "ccw" else (cw, ccw)


# Valid ranges of the System fields; the single source for validation and for sweeps.
_LIM = {"limit": MAX_MAGNITUDE}
_SYSTEM_RANGES: dict[str, dict] = {
    "kappa": {"low": 0.0, "low_inclusive": False, **_LIM},
    "J": {"low": 0.0, **_LIM},
    "Delta_c": {**_LIM},
    "Delta_F": {**_LIM},
    "gamma_m": {"low": 0.0, "low_inclusive": False, **_LIM},
    "n_m": {"low": 0.0, **_LIM},
    "G0": {"low": 0.0, **_LIM},
    "eps": {"low": 0.0, **_LIM},
}
SYSTEM_FIELDS: tuple[str, ...] = tuple(_SYSTEM_RANGES)


def _check_array(name: str, values: Any, **kw) -> np.ndarray:
    """Array version of :func:`_check_real`: returns a float array; the first bad element raises.

    Raises
    ------
    TypeError
        ``values`` is not numeric: bool, string, object (e.g. holding None) or complex
        arrays are refused rather than converted (``np.asarray([True], float)`` would
        silently give 1.0).
    ValueError
        An element is not finite or outside the range of :func:`_check_real`.
    """
    a = np.asarray(values)
    if a.dtype.kind == "b":
        raise InputTypeError(f"{name} must be real numbers, got a bool array {_fmt(a)}")
    if a.dtype.kind not in "iuf":
        raise InputTypeError(f"{name} must be real numbers, got an array of dtype {a.dtype}: "
                        f"{_fmt(a)}")
    a = a.astype(float, copy=False)
    bad = _out_of_range(a, **kw)
    if np.any(bad):
        _check_real(name, float(a[bad].flat[0]), **kw)
    return a


def _or_nan(compute: Callable[[], Any]) -> Any:
    """``compute()``, or NaN where Python float arithmetic overflows or divides by zero.

    The NaN is then refused by the range check that names the inputs (PaperSetup).
    """
    try:
        return compute()
    except (OverflowError, ZeroDivisionError):
        return math.nan


def _out_of_range(values: Any, *, low: float | None = None, low_inclusive: bool = True,
                  high: float | None = None, limit: float | None = None) -> np.ndarray:
    """Boolean mask of the elements that :func:`_check_real` would refuse (non-finite too)."""
    a = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(a)
        if low is not None:
            bad |= (a < low) | ((a == low) & (not low_inclusive))
        if high is not None:
            bad |= a >= high
        if limit is not None:
            bad |= np.abs(a) > limit
    return bad


def check_system_arrays(values: Mapping[str, Any]) -> None:
    """Validate arrays of System fields (used by vectorised sweeps) with the same ranges.

    Same rules as :class:`System`: TypeError naming the field for non-numeric arrays
    (bool, str, object, complex), ValueError naming it for an element that is not finite,
    out of range or beyond :data:`MAX_MAGNITUDE`.
    """
    for name, arr in values.items():
        _check_array(name, arr, **_SYSTEM_RANGES[name])


@dataclass(frozen=True)
class PaperSetup:
    """SI description of the device; the defaults are the paper's set (docs/conventions.md §1).

    Parameters
    ----------
    n : float
        Refractive index, ≥ 1.
    mass : float
        Effective mass m [kg], > 0.
    radius : float
        Resonator radius R [m], > 0.
    wavelength : float
        Vacuum wavelength λ [m], > 0.
    Q : float
        Optical quality factor Q = ω_c/κ, > 0.
    omega_m : float
        Mechanical frequency ω_m. Read as an angular rate [s⁻¹] unless
        ``mechanical_in_hz`` is set (then [Hz], multiplied by 2π).
    gamma_m : float
        Mechanical damping γ_m, same reading as ``omega_m``.
    temperature : float
        Bath temperature T [K], ≥ 0.
    dn_dlambda : float
        Material dispersion dn/dλ [1/m] in Eq. 1 (0 by default).
    bath : {"brownian", "lindblad"}
        Mechanical bath model.
    mechanical_in_hz : bool
        The paper prints "ω_m = 63 MHz, γ_m = 5.2 kHz". Off (default): these are angular
        rates in s⁻¹ (the only reading that reproduces the paper's figures). On: they are
        frequencies in Hz and are multiplied by 2π.
    rotation_in_hz : bool
        Same switch for the rotation speed Ω passed to :meth:`system` (off: rad/s).

    Raises
    ------
    TypeError
        A float field is not a real number (bool, str, None, complex, ...), or a switch
        (``mechanical_in_hz``, ``rotation_in_hz``) is not a bool: ``1`` or ``"yes"`` would
        otherwise silently pick a unit reading.
    ValueError
        A value outside its range, naming the field. SI values are not capped here; the
        System fields they produce are checked by :meth:`dimensionless`, which names the SI
        inputs behind a field that leaves its range.
    """

    n: float = 1.48
    mass: float = 10e-12
    radius: float = 1.1e-3
    wavelength: float = 1.55e-6
    Q: float = 3.2e7
    omega_m: float = 6.3e7
    gamma_m: float = 5.2e3
    temperature: float = 0.130
    dn_dlambda: float = 0.0
    bath: Bath = "brownian"
    mechanical_in_hz: bool = False
    rotation_in_hz: bool = False

    def __post_init__(self) -> None:
        _check_real("n", self.n, low=1.0)
        for name in ("mass", "radius", "wavelength", "Q", "omega_m", "gamma_m"):
            _check_real(name, getattr(self, name), low=0.0, low_inclusive=False)
        _check_real("temperature", self.temperature, low=0.0)
        _check_real("dn_dlambda", self.dn_dlambda)
        check_choice("bath", self.bath, BATHS)
        _check_bool("mechanical_in_hz", self.mechanical_in_hz)
        _check_bool("rotation_in_hz", self.rotation_in_hz)

    # --- derived SI quantities (docs/conventions.md §1) ---------------------------------------
    @property
    def omega_m_si(self) -> float:
        """Mechanical angular frequency [rad/s] after the unit reading."""
        return self.omega_m * (2 * math.pi if self.mechanical_in_hz else 1.0)

    @property
    def gamma_m_si(self) -> float:
        """Mechanical damping [1/s] after the unit reading."""
        return self.gamma_m * (2 * math.pi if self.mechanical_in_hz else 1.0)

    @property
    def omega_c(self) -> float:
        """Optical angular frequency ω_c = 2πc/λ [rad/s]."""
        return 2 * math.pi * constants.c / self.wavelength

    @property
    def kappa_si(self) -> float:
        """Amplitude decay rate κ = ω_c/Q [1/s]."""
        return self.omega_c / self.Q

    @property
    def G0_si(self) -> float:
        """Single-photon coupling G0 = (ω_c/R)·√(ħ/(m ω_m)) [1/s] (below paper Eq. 2)."""
        return self.omega_c / self.radius * math.sqrt(constants.hbar / (self.mass * self.omega_m_si))

    @property
    def n_m(self) -> float:
        """Thermal phonon number n_m = 1/(exp(ħω_m/k_B T) − 1) (below paper Eq. 4)."""
        if self.temperature == 0.0:
            return 0.0
        try:
            return 1.0 / math.expm1(constants.hbar * self.omega_m_si
                                    / (constants.k * self.temperature))
        except (OverflowError, ZeroDivisionError):  # ħω_m/k_BT beyond float64: n_m → 0
            return 0.0

    def sagnac_per_omega(self) -> float:
        """Δ_F/Ω = n R ω_c/c · (1 − 1/n² − (λ/n) dn/dλ) (paper Eq. 1), dimensionless."""
        n = self.n
        return n * self.radius * self.omega_c / constants.c * (
            1 - 1 / n**2 - self.wavelength / n * self.dn_dlambda)

    def Delta_F_si(self, Omega: float | np.ndarray) -> float | np.ndarray:
        """Sagnac–Fizeau shift Δ_F [1/s] for rotation speed Ω (paper Eq. 1)."""
        scale = 2 * math.pi if self.rotation_in_hz else 1.0
        return self.sagnac_per_omega() * np.asarray(Omega, dtype=float) * scale

    def eps_si(self, power: float | np.ndarray) -> float | np.ndarray:
        """Drive amplitude ε = √(2κP/(ħω_l)) [1/s], with ω_l ≈ ω_c (below paper Eq. 2)."""
        return np.sqrt(2 * self.kappa_si * np.asarray(power, dtype=float)
                       / (constants.hbar * self.omega_c))

    def dimensionless(self, *, Delta_c, Omega=0.0, J=0.0, power=0.02) -> dict[str, np.ndarray]:
        """System fields (units of ω_m) as broadcastable arrays; for vectorised sweeps.

        Validation matches :meth:`system`: Delta_c as in :class:`System` [ω_m], Omega any
        real [rad/s], J ≥ 0 [1/s], power ≥ 0 [W].

        Raises
        ------
        TypeError
            An argument is not numeric (bool, str, object or complex arrays), naming it.
        ValueError
            An argument is out of range, or a derived System field (e.g. ``eps`` from a huge
            ``power``, ``n_m`` from a huge ``temperature``) leaves the range of
            :class:`System`; the message names the SI inputs it is computed from, the most
            unusual (furthest from the paper's set) first.
        """
        Delta_c = _check_array("Delta_c", Delta_c, **_SYSTEM_RANGES["Delta_c"])
        Omega = _check_array("Omega", Omega)
        J = _check_array("J", J, low=0.0)
        power = _check_array("power", power, low=0.0)
        # Overflow to inf / underflow to 0 is allowed here and reported below, naming inputs;
        # Python float arithmetic raises instead (n**2, x/0), so those become NaN too.
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            w = self.omega_m_si
            fields = {
                "kappa": np.asarray(_or_nan(lambda: self.kappa_si / w)),
                "J": J / w,
                "Delta_c": Delta_c,
                "Delta_F": np.broadcast_to(_or_nan(lambda: self.Delta_F_si(Omega)),
                                           Omega.shape) / w,
                "gamma_m": np.asarray(_or_nan(lambda: self.gamma_m_si / w)),
                "n_m": np.asarray(_or_nan(lambda: self.n_m)),
                "G0": np.asarray(_or_nan(lambda: self.G0_si / w)),
                "eps": np.broadcast_to(_or_nan(lambda: self.eps_si(power)), power.shape) / w,
            }
        self._check_derived(fields, {"Delta_c": Delta_c, "Omega": Omega, "J": J,
                                     "power": power})
        return fields

    def _check_derived(self, fields: Mapping[str, np.ndarray],
                       operating: Mapping[str, np.ndarray]) -> None:
        """Raise ValueError naming the SI inputs of the first System field out of its range."""
        for name, value in fields.items():
            kw = _SYSTEM_RANGES[name]
            bad = _out_of_range(value, **kw)
            if not np.any(bad):
                continue
            idx = tuple(np.argwhere(bad)[0])
            inputs = {src: np.broadcast_to(operating[src] if src in operating
                                           else getattr(self, src), bad.shape)[idx]
                      for src in _SI_SOURCES[name]}
            valid = _valid_range(kw.get("low"), kw.get("low_inclusive", True), kw.get("high"),
                                 kw.get("limit"))
            raise InputError(
                f"PaperSetup gives the System field {name} = {float(value[idx]):g} "
                f"(units of omega_m), outside its range {valid}; it is computed from "
                f"{blame(inputs, references=_SI_REFERENCES)} (most unusual first)")

    def system(self, Delta_c: float, Omega: float = 0.0, J: float = 0.0,
               power: float = 0.02) -> System:
        """The dimensionless :class:`System` at one operating point.

        Parameters
        ----------
        Delta_c : float
            Bare detuning Δ_c in units of ω_m.
        Omega : float
            Rotation speed Ω [rad/s] (or [Hz] with ``rotation_in_hz``); CW spin for Ω > 0.
        J : float
            Backscattering coupling [1/s], ≥ 0.
        power : float
            Input power P [W], ≥ 0.

        Raises
        ------
        TypeError, ValueError
            As :meth:`dimensionless`; each argument must be a real scalar.
        """
        # Scalars only (a list would fail later with a message that names nothing).
        Delta_c = _check_real("Delta_c", Delta_c, **_SYSTEM_RANGES["Delta_c"])
        Omega = _check_real("Omega", Omega)
        J = _check_real("J", J, low=0.0)
        power = _check_real("power", power, low=0.0)
        d = self.dimensionless(Delta_c=Delta_c, Omega=Omega, J=J, power=power)
        return System(**{k: float(v) for k, v in d.items()}, bath=self.bath)


# SI inputs behind each System field computed by PaperSetup.dimensionless (docs/conventions.md §1),
# and their typical values (the paper's set; operating points of Fig. 2-3) used to rank them.
_SI_SOURCES: dict[str, tuple[str, ...]] = {
    "kappa": ("wavelength", "Q", "omega_m"),
    "J": ("J", "omega_m"),
    "Delta_c": ("Delta_c",),
    "Delta_F": ("Omega", "n", "radius", "wavelength", "dn_dlambda", "omega_m"),
    "gamma_m": ("gamma_m", "omega_m"),
    "n_m": ("temperature", "omega_m"),
    "G0": ("wavelength", "radius", "mass", "omega_m"),
    "eps": ("power", "wavelength", "Q", "omega_m"),
}
_SI_REFERENCES: dict[str, float] = {
    "n": 1.48, "mass": 10e-12, "radius": 1.1e-3, "wavelength": 1.55e-6, "Q": 3.2e7,
    "omega_m": 6.3e7, "gamma_m": 5.2e3, "temperature": 0.130, "dn_dlambda": 1e4,
    "Delta_c": 1.0, "Omega": 8e3, "J": 1e7, "power": 0.02,
}


__all__ = ["System", "PaperSetup", "mode_detunings", "driven_first", "cut",
           "OPTICAL_MODE", "MECHANICAL_MODE", "SYSTEM_FIELDS", "BATHS", "DIRECTIONS",
           "MAX_MAGNITUDE", "blame", "check_choice", "check_system_arrays"]
