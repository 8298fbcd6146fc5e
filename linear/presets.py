"""Preset models (docs/models.md §5) and the design helper for single-drive models.

* :func:`spinning_resonator` — the system of Jiao et al., PRL 125, 143605 (2020), the seed
  system of omxval, as a :class:`Model` (modes ``ccw``, ``cw``, ``m``).
* :func:`vitali2007` — one cavity and one mirror, Vitali et al., PRL 98, 030405 (2007).
* :func:`electro_optomechanics` — an optical and a microwave cavity sharing one mechanical
  mode, in the range of Barzanjeh et al., PRA 84, 042342 (2011).
* :func:`design_model` — a single-drive model set to a chosen effective detuning and |G|
  (the generalisation of :func:`linear.design_point`, docs/conventions.md §5).

Rates are in units of the (first) mechanical frequency.
"""

from __future__ import annotations

import math
from types import MappingProxyType
import numpy as np
from scipy import constants

from ..errors import InputError
from .checks import check_real, short_repr
from .conventions import DIRECTIONS, Direction, mode_detunings
from .device import drive_amplitude, single_photon_coupling, thermal_occupation
from .model import Cavity, Hopping, Mechanical, Model, RadiationPressure
from .modelfield import cavity_matrix, model_arrays, static_response
from .modelgauss import ModelMeanField, ModelPoint, steady_states_of
from .point import OperatingPoint
from .system import System



def spinning_resonator(system: System | OperatingPoint, direction: Direction | None = None
                       ) -> Model:
    """The spinning resonator (paper Eq. 2; docs/conventions.md §3) as a Model.

    Modes ``ccw``, ``cw`` (cavities, detunings Δ_c ± Δ_F, one laser frame) and ``m``
    (mechanical, ω = 1, the system's γ_m, n_m and bath); couplings 0, 1: radiation pressure
    of ccw and cw on m with g0 = G0; coupling 2: hopping J between ccw and cw. The drive ε
    goes to the ``direction`` mode.

    Parameters
    ----------
    system : System or OperatingPoint
        Rates in units of ω_m; an operating point also gives the direction.
    direction : {"ccw", "cw"}, optional
        Driven mode (required with a System, must match an OperatingPoint's).

    Returns
    -------
    Model
        Its Gaussian V and E_N equal :func:`linear.analyze` of the same system and branch
        (tests/linear/test_model.py, to 1e-10).
    """
    if isinstance(system, OperatingPoint):
        if direction is not None and direction != system.direction:
            raise InputError(f"direction {direction!r} contradicts the operating point's "
                             f"{system.direction!r}")
        system, direction = system.system, system.direction
    if not isinstance(system, System):
        raise InputError(f"system must be a System or OperatingPoint; got {short_repr(system)}")
    if direction not in DIRECTIONS:
        raise InputError(f"direction must be one of 'ccw', 'cw'; got {short_repr(direction)}")
    d_ccw, d_cw = mode_detunings(system.Delta_c, system.Delta_F)
    drive = {"ccw": 0.0, "cw": 0.0}
    drive[direction] = system.eps
    modes = (Cavity("ccw", float(d_ccw), system.kappa, drive["ccw"]),
             Cavity("cw", float(d_cw), system.kappa, drive["cw"]),
             Mechanical("m", 1.0, system.gamma_m, system.n_m, system.bath))
    couplings = (RadiationPressure("ccw", "m", system.G0), RadiationPressure("cw", "m", system.G0),
                 Hopping(("ccw", "cw"), system.J))
    return Model(modes, couplings, name=f"spinning resonator, {direction} drive",
                 unit="mechanical frequency")


def spinning_resonator_point(point: OperatingPoint) -> ModelPoint:
    """The operating point as a point of the :func:`spinning_resonator` model, same branch.

    The mean field is the operating point's own (converted, not solved again), so the
    full-quantum models of both descriptions are built around the same displacement.

    Parameters
    ----------
    point : OperatingPoint

    Returns
    -------
    ModelPoint
        Modes ``ccw``, ``cw``, ``m``; ``mean_field`` carries α_ccw, α_cw, (q_s, p_s) and the
        shift G0·q_s of both cavities.
    """
    if not isinstance(point, OperatingPoint):
        raise InputError(f"point must be an OperatingPoint; got {short_repr(point)}")
    mf = point.mean_field
    state = ModelMeanField(
        branch=point.branch, n_branches=mf.n_branches, complete=True,
        amplitudes=MappingProxyType({"ccw": complex(mf.alpha_ccw), "cw": complex(mf.alpha_cw)}),
        positions=MappingProxyType({"m": (float(mf.q_s), float(mf.p_s))}),
        shifts=MappingProxyType({"ccw": float(mf.shift), "cw": float(mf.shift)}))
    states = [None] * mf.n_branches  # only the point's branch is known (and used)
    states[point.branch] = state
    return ModelPoint._from_states(spinning_resonator(point), point.branch, states)


def vitali2007(*, detuning: float = 2.5, power: float = 50e-3, temperature: float = 0.4,
               frequency_hz: float = 10e6, quality: float = 1e5, mass: float = 5e-12,
               length: float = 1e-3, finesse: float = 1.07e4, wavelength: float = 810e-9
               ) -> Model:
    """One cavity (``a``) and one mirror (``b``): Vitali et al., PRL 98, 030405 (2007).

    SI parameters of the paper's Fig. 1 (defaults): ω_m/2π = 10 MHz, Q = 10⁵ (γ_m = ω_m/Q),
    m = 5 ng, L = 1 mm, finesse 1.07·10⁴, λ = 810 nm, P = 50 mW, T = 0.4 K. Their
    definitions: κ = πc/(2FL) (amplitude decay), G0 = (ω_c/L)·√(ħ/(mω_m)),
    ε = √(2Pκ/(ħω_L)), n = thermal occupation at ω_m and T, Brownian bath; rates in
    units of ω_m.

    Parameters
    ----------
    detuning : float
        The bare cavity–laser detuning Δ0/ω_m (the paper's Δ0). Each mean-field branch has
        its own effective Δ = Δ0 − G0 q_s (the paper's x-axis); at 50 mW three branches
        coexist for 2.3 ≲ Δ0 ≲ 4.3 and the default 2.5 lies on the stable one, E_N ≈ 0.3
        (to set an effective Δ instead, use :func:`design_model`).
    power, temperature, frequency_hz, quality, mass, length, finesse, wavelength : float
        W, K, Hz, –, kg, m, –, m.
    """
    for name, v in (("power", power), ("frequency_hz", frequency_hz), ("quality", quality),
                    ("mass", mass), ("length", length), ("finesse", finesse),
                    ("wavelength", wavelength)):
        check_real(name, v, low=0.0, low_inclusive=False)
    check_real("temperature", temperature, low=0.0)
    check_real("detuning", detuning)
    wm = 2 * math.pi * frequency_hz
    kappa = math.pi * constants.c / (2 * finesse * length) / wm
    omega_c = 2 * math.pi * constants.c / wavelength
    g0 = single_photon_coupling(omega_c, length, mass, wm) / wm
    eps = float(drive_amplitude(kappa * wm, power, omega_c)) / wm
    return Model((Cavity("a", detuning, kappa, eps),
                  Mechanical("b", 1.0, 1.0 / quality, thermal_occupation(wm, temperature))),
                 (RadiationPressure("a", "b", g0),),
                 name="Vitali et al. 2007 (PRL 98, 030405), Fig. 1",
                 unit="mechanical frequency (2π·10 MHz)")


def electro_optomechanics(*, optical_detuning: float = -1.0, microwave_detuning: float = 1.0,
                          optical_coupling: float = 0.2, microwave_coupling: float = 0.4,
                          kappa_optical: float = 0.2, kappa_microwave: float = 0.2,
                          g0_optical: float = 1e-5, g0_microwave: float = 1e-6,
                          gamma: float = 1e-5, temperature: float = 0.015,
                          frequency_hz: float = 10e6, microwave_hz: float = 10e9) -> Model:
    """An optical (``o``) and a microwave (``w``) cavity on one mechanical mode (``m``).

    The converter of Barzanjeh et al., PRA 84, 042342 (2011), with parameters in the range
    they discuss (not their exact set): ω_m/2π = 10 MHz, γ_m = 10⁻⁵ ω_m, κ_o = κ_w = 0.2
    ω_m, T = 15 mK, the optical cavity driven on the blue sideband (Δ̃_o = −ω_m, two-mode
    squeezing with the mechanics) and the microwave one on the red sideband (Δ̃_w = +ω_m,
    state swap), which entangles the two cavities. Each cavity is driven by its own source
    (frames ``optical`` and ``microwave``; no hopping between them). The microwave bath is
    thermal: n_w = 1/(exp(ħω_w/k_B T) − 1); the optical one is at 0.

    Parameters
    ----------
    optical_detuning, microwave_detuning : float
        Effective detunings Δ̃ (units of ω_m); the bare ones follow from the mean field.
    optical_coupling, microwave_coupling : float
        |G| = √2 g0 |α| of each cavity (units of ω_m); the drives follow.
    kappa_optical, kappa_microwave, g0_optical, g0_microwave, gamma : float
        Units of ω_m.
    temperature : float
        K (mechanical and microwave baths).
    frequency_hz, microwave_hz : float
        ω_m/2π and ω_w/2π in Hz.
    """
    wm = 2 * math.pi * frequency_hz
    # Each cavity alone (no hopping): α = ε/(κ + iΔ̃), ε real: |α| = |G|/(√2 g0).
    alpha = {k: G / (math.sqrt(2) * g) for k, G, g in (
        ("o", optical_coupling, g0_optical), ("w", microwave_coupling, g0_microwave))}
    eps = {"o": alpha["o"] * math.hypot(kappa_optical, optical_detuning),
           "w": alpha["w"] * math.hypot(kappa_microwave, microwave_detuning)}
    q = g0_optical * alpha["o"] ** 2 + g0_microwave * alpha["w"] ** 2  # Brownian, ω = 1 (M4)
    return Model(
        (Cavity("o", optical_detuning + g0_optical * q, kappa_optical, eps["o"], 0.0, "optical"),
         Cavity("w", microwave_detuning + g0_microwave * q, kappa_microwave, eps["w"],
                thermal_occupation(2 * math.pi * microwave_hz, temperature), "microwave"),
         Mechanical("m", 1.0, gamma, thermal_occupation(wm, temperature))),
        (RadiationPressure("o", "m", g0_optical), RadiationPressure("w", "m", g0_microwave)),
        name="electro-optomechanics (after Barzanjeh et al. 2011)",
        unit="mechanical frequency (2π·10 MHz)")


def design_model(model: Model, *, coupling: float, detuning: float | None = None,
                 cavity: str | None = None, mechanical: str | None = None) -> ModelPoint:
    """A single-drive model set to a chosen effective detuning and |G| (docs/models.md §5).

    The model's cavity detunings are read as *effective* detunings Δ̃_c (the driven
    cavity's replaced by ``detuning`` if given); the drive of ``cavity`` is set so that
    |G| = √2·|g0|·|α| between it and ``mechanical`` equals ``coupling``; the bare
    detunings follow from the mechanics' static response, Δ_c = Δ̃_c + s_c (Eqs. M3, M4).
    For the spinning resonator this is :func:`linear.design_point` (Δ̃_ccw,cw = Δ̃_c ± Δ_F).

    Parameters
    ----------
    model : Model
        Exactly one cavity may be driven (or none: then ``cavity`` names the one to drive).
    coupling : float
        |G| > 0 (model rate unit).
    detuning : float, optional
        Effective detuning of the driven cavity.
    cavity, mechanical : str, optional
        The driven cavity and the mechanical mode of |G|; default: the only driven cavity
        (or the only cavity) and the only mechanical mode coupled to it.

    Returns
    -------
    ModelPoint
        The designed model at the branch that realises the design.

    Raises
    ------
    InputError
        More than one driven cavity, no coupling between the named modes, or the design
        is not realised by any branch (float64 trouble).
    """
    coupling = check_real("coupling", coupling, low=0.0, low_inclusive=False)
    driven = [c.name for c in model.cavities if c.drive > 0]
    if cavity is None:
        if len(driven) > 1:
            raise InputError(f"design_model needs a single-drive model; cavities {driven} are "
                             "all driven (name one with cavity=..., and set the others' drive "
                             "to 0)")
        names = driven or [c.name for c in model.cavities]
        if len(names) != 1:
            raise InputError("design_model: name the driven cavity (cavity=...); the model "
                             f"has cavities {[c.name for c in model.cavities]}")
        cavity = names[0]
    if model.mode(cavity).kind != "cavity":
        raise InputError(f"cavity: {cavity!r} is not a cavity")
    others = [c for c in driven if c != cavity]
    if others:
        raise InputError(f"design_model needs a single-drive model; {others} are driven too")
    rp = [(i, c) for i, c in enumerate(model.couplings)
          if c.kind == "radiation-pressure" and c.cavity == cavity and c.g0 != 0]
    if mechanical is None:
        mechs = sorted({c.mechanical for _, c in rp})
        if len(mechs) != 1:
            raise InputError(f"design_model: name the mechanical mode (mechanical=...); "
                             f"{cavity!r} couples to {mechs}")
        mechanical = mechs[0]
    g0 = sum(c.g0 for _, c in rp if c.mechanical == mechanical)
    if g0 == 0:
        raise InputError(f"design_model: no radiation-pressure coupling between {cavity!r} "
                         f"and {mechanical!r}, so |G| cannot be set")
    values = {f"modes.{cavity}.drive": 1.0}
    if detuning is not None:
        values[f"modes.{cavity}.detuning"] = check_real("detuning", detuning)
    effective = model.with_parameters(values)
    ar = model_arrays(effective)
    c_idx = [c.name for c in model.cavities].index(cavity)
    zero = np.zeros((1, len(model.cavities)))
    M = cavity_matrix(ar, zero)  # with Δ̃ in place of Δ: shifts are zero here (Eq. M3)
    a1 = np.linalg.solve(M[0], ar.drive[0].astype(complex))
    eps = coupling / (math.sqrt(2) * abs(g0) * abs(a1[c_idx]))
    alpha = eps * a1
    F = ar.g0[0].T @ np.abs(alpha) ** 2
    qp = static_response(ar)[0] @ F
    shifts = ar.g0[0] @ qp[0::2]
    if not np.all(np.isfinite(shifts)) or not math.isfinite(eps):
        raise InputError("design_model: the design is not representable in float64 (coupling "
                         f"{coupling:g} with g0 {g0:g})")
    bare = {f"modes.{c.name}.detuning": float(effective.mode(c.name).detuning + shifts[k])
            for k, c in enumerate(model.cavities)}
    designed = effective.with_parameters({**bare, f"modes.{cavity}.drive": float(eps)})
    states = steady_states_of(designed)
    dist = [max(abs(s.shifts[c.name] - shifts[k]) for k, c in enumerate(model.cavities))
            for s in states]
    k = int(np.argmin(dist))
    if dist[k] > 1e-6 * (1.0 + float(np.max(np.abs(shifts)))):
        raise InputError("design_model: no mean-field branch realises the design (root "
                         "finding lost it in float64)")
    return ModelPoint(designed, k)


__all__ = ["spinning_resonator", "spinning_resonator_point", "vitali2007", "electro_optomechanics", "design_model",
           "thermal_occupation"]
