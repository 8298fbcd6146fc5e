"""The dimensionless system: :class:`System`, its fields and their valid ranges.

Rates in units of the mechanical frequency ω_m (docs/conventions.md §1–2, restated in
:mod:`linear.conventions`). :data:`SYSTEM_RANGES` is the single source of the ranges, used by
:class:`System`, by the vectorised sweeps (:func:`check_system_arrays`) and by the checks
of derived fields (:func:`linear.design_point`, :class:`linear.PaperSetup`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .checks import MAX_MAGNITUDE, check_array, check_choice, check_real
from .conventions import BATHS, Bath, mode_detunings

# Valid ranges of the System fields (keyword arguments of check_real).
_LIM = {"limit": MAX_MAGNITUDE}
SYSTEM_RANGES: dict[str, dict] = {
    "kappa": {"low": 0.0, "low_inclusive": False, **_LIM},
    "J": {"low": 0.0, **_LIM},
    "Delta_c": {**_LIM},
    "Delta_F": {**_LIM},
    "gamma_m": {"low": 0.0, "low_inclusive": False, **_LIM},
    "n_m": {"low": 0.0, **_LIM},
    "G0": {"low": 0.0, **_LIM},
    "eps": {"low": 0.0, **_LIM},
}
#: The numeric fields of :class:`System`, in order.
SYSTEM_FIELDS: tuple[str, ...] = tuple(SYSTEM_RANGES)


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
    InputTypeError
        A numeric field is not a real number: bool, str, None, complex and other objects are
        refused (int, float and NumPy integer/floating scalars are accepted and stored as
        float), so that ``kappa=True`` or ``kappa="0.2"`` cannot pass silently.
    InputError
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
    (:func:`linear.steady_states`, :func:`linear.analyze`), which raise InputError naming
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
        for name, kw in SYSTEM_RANGES.items():
            object.__setattr__(self, name, check_real(name, getattr(self, name), **kw))
        check_choice("bath", self.bath, BATHS)

    def replace(self, **changes) -> "System":
        """Return a copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)

    def detunings(self) -> tuple[float, float]:
        """Bare detunings (Δ_ccw, Δ_cw) = (Δ_c + Δ_F, Δ_c − Δ_F) in units of ω_m (§2)."""
        return mode_detunings(self.Delta_c, self.Delta_F)


def check_system_arrays(values: Mapping[str, Any]) -> None:
    """Validate arrays of System fields (used by vectorised sweeps) with the same ranges.

    Parameters
    ----------
    values : mapping
        Field name (of :data:`SYSTEM_FIELDS`) → array_like.

    Raises
    ------
    InputTypeError
        A non-numeric array (bool, str, object, complex), naming the field.
    InputError
        An element that is not finite, out of range or beyond :data:`MAX_MAGNITUDE`,
        naming the field.
    """
    for name, arr in values.items():
        check_array(name, arr, **SYSTEM_RANGES[name])


__all__ = ["System", "SYSTEM_FIELDS", "SYSTEM_RANGES", "check_system_arrays"]
