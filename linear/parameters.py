"""Physical parameters: the SI device description and the dimensionless system.

Conventions (``shared/CONVENTIONS.md`` §1–2, stated once here and used everywhere):

* Every rate inside omxval is divided by the mechanical frequency ω_m, so ω_m = 1 and time
  is measured in units of 1/ω_m.
* κ is the *amplitude* decay rate of each optical mode (Lindblad rate 2κ).
* The CCW mode sits at Δ_ccw = Δ_c + Δ_F and the CW mode at Δ_cw = Δ_c − Δ_F, whatever is
  driven; Δ_c = ω_c − ω_l (positive = red detuned).
* Drive "ccw" pumps the CCW mode, "cw" the CW mode; ε is real and positive.

All validation lives in this module: a bad value raises :class:`ValueError` naming the
parameter and its allowed range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from scipy import constants

Bath = Literal["brownian", "lindblad"]
Direction = Literal["ccw", "cw"]

BATHS: tuple[str, ...] = ("brownian", "lindblad")
DIRECTIONS: tuple[str, ...] = ("ccw", "cw")


def _check_real(name: str, value: float, *, low: float | None = None,
                low_inclusive: bool = True, high: float | None = None) -> float:
    """Return ``value`` as float or raise a ValueError naming ``name`` and the valid range."""
    lo_txt = "-inf" if low is None else f"{low:g}"
    hi_txt = "inf" if high is None else f"{high:g}"
    bracket = "[" if (low is not None and low_inclusive) else "("
    valid = f"{bracket}{lo_txt}, {hi_txt})"
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number in {valid}, got {value!r}") from None
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, in {valid}; got {value!r}")
    if low is not None and (x < low or (x == low and not low_inclusive)):
        raise ValueError(f"{name} must lie in {valid}; got {x:g}")
    if high is not None and x >= high:
        raise ValueError(f"{name} must lie in {valid}; got {x:g}")
    return x


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """Raise a ValueError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"got {value!r}")
    return value


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
        Mechanical bath model (CONVENTIONS.md §3–5).
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
        return self.Delta_c + self.Delta_F, self.Delta_c - self.Delta_F


# Valid ranges of the System fields; the single source for validation and for sweeps.
_SYSTEM_RANGES: dict[str, dict] = {
    "kappa": {"low": 0.0, "low_inclusive": False},
    "J": {"low": 0.0},
    "Delta_c": {},
    "Delta_F": {},
    "gamma_m": {"low": 0.0, "low_inclusive": False},
    "n_m": {"low": 0.0},
    "G0": {"low": 0.0},
    "eps": {"low": 0.0},
}
SYSTEM_FIELDS: tuple[str, ...] = tuple(_SYSTEM_RANGES)


def _check_array(name: str, values, **kw) -> np.ndarray:
    """Array version of :func:`_check_real`: the first offending element raises."""
    a = np.asarray(values, dtype=float)
    low = kw.get("low", -np.inf)
    bad = ~np.isfinite(a) | (a < low) | ((a == low) & (not kw.get("low_inclusive", True)))
    if np.any(bad):
        _check_real(name, float(a[bad].flat[0]), **kw)
    return a


def check_system_arrays(values: dict[str, np.ndarray]) -> None:
    """Validate arrays of System fields (used by vectorised sweeps) with the same ranges."""
    for name, arr in values.items():
        _check_array(name, arr, **_SYSTEM_RANGES[name])


@dataclass(frozen=True)
class PaperSetup:
    """SI description of the device; the defaults are the paper's set (CONVENTIONS.md §1).

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

    # --- derived SI quantities (CONVENTIONS.md §1) ---------------------------------------
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
        return 1.0 / math.expm1(constants.hbar * self.omega_m_si / (constants.k * self.temperature))

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

        Validation matches :meth:`system`: Omega any real [rad/s], J ≥ 0 [1/s], power ≥ 0 [W].
        """
        Delta_c = _check_array("Delta_c", Delta_c)
        Omega = _check_array("Omega", Omega)
        J = _check_array("J", J, low=0.0)
        power = _check_array("power", power, low=0.0)
        w = self.omega_m_si
        return {
            "kappa": np.asarray(self.kappa_si / w),
            "J": J / w,
            "Delta_c": Delta_c,
            "Delta_F": np.asarray(self.Delta_F_si(Omega)) / w,
            "gamma_m": np.asarray(self.gamma_m_si / w),
            "n_m": np.asarray(self.n_m),
            "G0": np.asarray(self.G0_si / w),
            "eps": np.asarray(self.eps_si(power)) / w,
        }

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
        """
        d = self.dimensionless(Delta_c=Delta_c, Omega=Omega, J=J, power=power)
        return System(**{k: float(v) for k, v in d.items()}, bath=self.bath)


def design_point(kappa: float, J: float, Delta_F: float, gamma_m: float, n_m: float,
                 G0: float, detuning: float, coupling: float,
                 direction: Direction = "ccw", bath: Bath = "brownian") -> System:
    """Reduced-scale system specified by its effective detuning and coupling (CONVENTIONS §5).

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
    System
        With the bare ``Delta_c`` and the ``eps`` that realise the requested point.
    """
    from .meanfield import amplitudes, mechanical_shift_factor

    check_choice("direction", direction, DIRECTIONS)
    G0 = _check_real("G0", G0, low=0.0, low_inclusive=False)
    coupling = _check_real("coupling", coupling, low=0.0)
    detuning = _check_real("detuning", detuning)
    Delta_F = _check_real("Delta_F", Delta_F)
    kappa = _check_real("kappa", kappa, low=0.0, low_inclusive=False)
    J = _check_real("J", J, low=0.0)
    gamma_m = _check_real("gamma_m", gamma_m, low=0.0, low_inclusive=False)
    sign = 1.0 if direction == "ccw" else -1.0
    Dt_d, Dt_u = detuning + sign * Delta_F, detuning - sign * Delta_F
    # Amplitudes for ε = 1 (Eq. 7), then scale ε so that |α_d| = |G_d|/(√2 G0).
    a_d1, a_u1 = amplitudes(kappa, J, Dt_d, Dt_u, 1.0)
    eps = coupling / (math.sqrt(2.0) * G0) / abs(a_d1)
    N = eps**2 * (abs(a_d1) ** 2 + abs(a_u1) ** 2)
    x = G0**2 * mechanical_shift_factor(gamma_m, bath) * N  # G0·q_s (§3)
    return System(kappa=kappa, J=J, Delta_c=detuning + x, Delta_F=Delta_F, gamma_m=gamma_m,
                  n_m=n_m, G0=G0, eps=eps, bath=bath)


__all__ = ["System", "PaperSetup", "design_point", "SYSTEM_FIELDS", "BATHS", "DIRECTIONS",
           "check_choice", "check_system_arrays"]
