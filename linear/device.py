"""The SI device of the paper: :class:`PaperSetup`, and its conversion to a :class:`System`.

The only place in omxval with SI units (docs/conventions.md §1); everything it produces is
dimensionless, rates in units of ω_m.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

from ..errors import InputError
from .checks import blame, check_array, check_bool, check_choice, check_real, or_nan, \
    out_of_range, valid_range
from .conventions import BATHS, Bath
from .system import SYSTEM_RANGES, System


def thermal_occupation(omega: float, temperature: float) -> float:
    """Bose occupation 1/(exp(ħω/k_B T) − 1) of a mode at angular frequency ω [rad/s] and
    temperature T [K]; 0 at T = 0 or where ħω/k_B T leaves float64."""
    if temperature == 0.0:
        return 0.0
    try:
        return 1.0 / math.expm1(constants.hbar * omega / (constants.k * temperature))
    except (OverflowError, ZeroDivisionError):  # ħω/k_BT beyond float64: n → 0
        return 0.0


def single_photon_coupling(omega_c: float, length: float, mass: float, omega_m: float) -> float:
    """G0 = (ω_c/L)·√(ħ/(m ω_m)) [1/s] for a cavity of length (or radius) L (paper below
    Eq. 2; Vitali et al. 2007)."""
    return omega_c / length * math.sqrt(constants.hbar / (mass * omega_m))


def drive_amplitude(kappa: float, power, omega_l: float):
    """ε = √(2κP/(ħω_l)) [1/s] for amplitude decay rate κ [1/s] and power P [W]."""
    return np.sqrt(2 * kappa * np.asarray(power, dtype=float) / (constants.hbar * omega_l))


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
    InputTypeError
        A float field is not a real number (bool, str, None, complex, ...), or a switch
        (``mechanical_in_hz``, ``rotation_in_hz``) is not a bool: ``1`` or ``"yes"`` would
        otherwise silently pick a unit reading.
    InputError
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
        check_real("n", self.n, low=1.0)
        for name in ("mass", "radius", "wavelength", "Q", "omega_m", "gamma_m"):
            check_real(name, getattr(self, name), low=0.0, low_inclusive=False)
        check_real("temperature", self.temperature, low=0.0)
        check_real("dn_dlambda", self.dn_dlambda)
        check_choice("bath", self.bath, BATHS)
        check_bool("mechanical_in_hz", self.mechanical_in_hz)
        check_bool("rotation_in_hz", self.rotation_in_hz)

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
        return single_photon_coupling(self.omega_c, self.radius, self.mass, self.omega_m_si)

    @property
    def n_m(self) -> float:
        """Thermal phonon number n_m = 1/(exp(ħω_m/k_B T) − 1) (below paper Eq. 4)."""
        return thermal_occupation(self.omega_m_si, self.temperature)

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
        return drive_amplitude(self.kappa_si, power, self.omega_c)

    def dimensionless(self, *, Delta_c: ArrayLike, Omega: ArrayLike = 0.0, J: ArrayLike = 0.0,
                      power: ArrayLike = 0.02) -> dict[str, np.ndarray]:
        """System fields (units of ω_m) as broadcastable arrays; for vectorised sweeps.

        Validation matches :meth:`system`: Delta_c as in :class:`System` [ω_m], Omega any
        real [rad/s], J ≥ 0 [1/s], power ≥ 0 [W].

        Raises
        ------
        InputTypeError
            An argument is not numeric (bool, str, object or complex arrays), naming it.
        InputError
            An argument is out of range, or a derived System field (e.g. ``eps`` from a huge
            ``power``, ``n_m`` from a huge ``temperature``) leaves the range of
            :class:`System`; the message names the SI inputs it is computed from, the most
            unusual (furthest from the paper's set) first.
        """
        Delta_c = check_array("Delta_c", Delta_c, **SYSTEM_RANGES["Delta_c"])
        Omega = check_array("Omega", Omega)
        J = check_array("J", J, low=0.0)
        power = check_array("power", power, low=0.0)
        # Overflow to inf / underflow to 0 is allowed here and reported below, naming inputs;
        # Python float arithmetic raises instead (n**2, x/0), so those become NaN too.
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            w = self.omega_m_si
            fields = {
                "kappa": np.asarray(or_nan(lambda: self.kappa_si / w)),
                "J": J / w,
                "Delta_c": Delta_c,
                "Delta_F": np.broadcast_to(or_nan(lambda: self.Delta_F_si(Omega)),
                                           Omega.shape) / w,
                "gamma_m": np.asarray(or_nan(lambda: self.gamma_m_si / w)),
                "n_m": np.asarray(or_nan(lambda: self.n_m)),
                "G0": np.asarray(or_nan(lambda: self.G0_si / w)),
                "eps": np.broadcast_to(or_nan(lambda: self.eps_si(power)), power.shape) / w,
            }
        self._check_derived(fields, {"Delta_c": Delta_c, "Omega": Omega, "J": J,
                                     "power": power})
        return fields

    def _check_derived(self, fields: Mapping[str, np.ndarray],
                       operating: Mapping[str, np.ndarray]) -> None:
        """Raise InputError naming the SI inputs of the first System field out of its range."""
        for name, value in fields.items():
            kw = SYSTEM_RANGES[name]
            bad = out_of_range(value, **kw)
            if not np.any(bad):
                continue
            idx = tuple(np.argwhere(bad)[0])
            inputs = {src: np.broadcast_to(operating[src] if src in operating
                                           else getattr(self, src), bad.shape)[idx]
                      for src in _SI_SOURCES[name]}
            valid = valid_range(kw.get("low"), kw.get("low_inclusive", True), kw.get("high"),
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
        InputTypeError, InputError
            As :meth:`dimensionless`; each argument must be a real scalar.
        """
        # Scalars only (a list would fail later with a message that names nothing).
        Delta_c = check_real("Delta_c", Delta_c, **SYSTEM_RANGES["Delta_c"])
        Omega = check_real("Omega", Omega)
        J = check_real("J", J, low=0.0)
        power = check_real("power", power, low=0.0)
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


__all__ = ["PaperSetup"]
