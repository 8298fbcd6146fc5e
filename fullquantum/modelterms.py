"""The full-quantum models of any :class:`~omxval.linear.Model`, as symbolic generators.

One function writes the master equation of every model (docs/models.md §7, Eqs. M8–M9),
for any number of modes, in the three forms ``hamiltonian=``:

* ``lab`` — Eq. M1 as written, undisplaced, drives kept:
  H = Σ_c Δ_c a_c†a_c + Σ_m ω_m b_m†b_m − Σ_(c,m) g0 a_c†a_c q_m + Σ J(o_i†o_j + h.c.)
  + Σ_c iε_c(a_c† − a_c);
* ``linearized`` — the frame displaced by the mean-field branch of the point, a_c = α_c + δa_c,
  b_m = β_m + δb_m, quadratic part only (M8):
  H = Σ_c Δ̃_c δa_c†δa_c + Σ_m ω_m δb_m†δb_m + Σ J(δo_i†δo_j + h.c.)
  − Σ_(c,m) g0 (α_c*δa_c + α_c δa_c†) δq_m;
* ``nonlinear`` — the same plus every −g0·δa_c†δa_c·δq_m: an exact (unitary) rewrite of the
  lab model, approximate only through the cutoffs.

Baths (M9): Σ_c 2κ_c[(n_c + 1) D[a_c] + n_c D[a_c†]] (the thermal term only where n_c > 0)
and, per mechanical mode, the Brownian (Caldeira–Leggett) generator of docs/conventions.md
§5 or γ(n + 1)D[b] + γn D[b†]. Displacing a bath adds only terms linear in the
fluctuations, and at the exact mean field every linear term cancels
(:func:`model_linear_terms` measures what is left), so the displaced models keep the bath
generators in their undisplaced form, as :mod:`fullquantum.models` does for the spinning
resonator — which is now this function applied to the ``spinning_resonator`` preset.

The result is a :class:`~fullquantum.generator.Generator` of :class:`~fullquantum.symbolic.OpSum`
operators: :func:`~fullquantum.symbolic.realize` builds the matrices at any cutoffs, and the
memory estimate reads the sparsity pattern from the same terms before anything is built.
"""

from __future__ import annotations

import math

import numpy as np

from ..linear import ModelPoint
from ..linear.parameters import check_choice
from .generator import Generator, caldeira_leggett, dissipator
from .generator import hamiltonian as unitary_part
from .options import DISPLACED_MODELS, HAMILTONIANS
from .symbolic import OpSum


def mode_operators(n_modes: int) -> tuple[OpSum, ...]:
    """The annihilation operator of each mode, symbolically."""
    return tuple(OpSum.ladder(n_modes, k) for k in range(n_modes))


def quadratures(o: OpSum) -> tuple[OpSum, OpSum]:
    """(x, p) = ((o + o†)/√2, i(o† − o)/√2), docs/conventions.md §2."""
    return (o + o.dag()) / math.sqrt(2.0), (o.dag() - o) * (1j / math.sqrt(2.0))


def model_hamiltonian_terms(point: ModelPoint, hamiltonian: str = "linearized") -> OpSum:
    """H/ħ of the model at ``point`` (model rate unit), symbolically (Eqs. M1, M8).

    Parameters
    ----------
    point : linear.ModelPoint
        The model and the mean-field branch of the displaced frame.
    hamiltonian : {"linearized", "nonlinear", "lab"}

    Returns
    -------
    OpSum
        For the displaced forms, the Hamiltonian of the fluctuations.
    """
    check_choice("hamiltonian", hamiltonian, HAMILTONIANS)
    model, mf = point.model, point.mean_field
    n = len(model.modes)
    o = mode_operators(n)
    idx = {name: k for k, name in enumerate(model.mode_names)}
    displaced = hamiltonian in DISPLACED_MODELS
    H = OpSum(n)
    for k, mode in enumerate(model.modes):
        if mode.kind == "cavity":
            detuning = mode.detuning - mf.shifts[mode.name] if displaced else mode.detuning
            H = H + detuning * (o[k].dag() * o[k])
        else:
            H = H + mode.frequency * (o[k].dag() * o[k])  # ω(b†b + ½), constant dropped
    for c in model.couplings:
        if c.kind == "hopping":
            i, j = idx[c.modes[0]], idx[c.modes[1]]
            H = H + c.J * (o[i].dag() * o[j] + o[j].dag() * o[i])
    for c in model.couplings:
        if c.kind != "radiation-pressure":
            continue
        a, q = o[idx[c.cavity]], quadratures(o[idx[c.mechanical]])[0]
        if displaced:
            alpha = mf.amplitudes[c.cavity]
            H = H - c.g0 * ((np.conj(alpha) * a + alpha * a.dag()) * q)
        if hamiltonian != "linearized":  # lab: the full −g0 a†a q; nonlinear: its cubic part
            H = H - c.g0 * (a.dag() * a * q)
    if not displaced:
        for k, mode in enumerate(model.modes):
            if mode.kind == "cavity" and mode.drive:
                H = H + 1j * mode.drive * (o[k].dag() - o[k])
    return H


def model_generator_terms(point: ModelPoint, hamiltonian: str = "linearized") -> Generator:
    """The whole generator L(ρ) = −i[H, ρ] + baths (Eqs. M8–M9), with OpSum operators.

    Parameters
    ----------
    point : linear.ModelPoint
    hamiltonian : {"linearized", "nonlinear", "lab"}

    Returns
    -------
    Generator
        Symbolic: :func:`fullquantum.symbolic.realize` builds it at given cutoffs.
    """
    model = point.model
    o = mode_operators(len(model.modes))
    g = unitary_part(model_hamiltonian_terms(point, hamiltonian))
    for k, mode in enumerate(model.modes):
        if mode.kind == "cavity":
            g = g + dissipator(o[k], 2.0 * mode.kappa * (mode.thermal + 1.0))  # κ: amplitude rate
            if mode.thermal > 0:
                g = g + dissipator(o[k].dag(), 2.0 * mode.kappa * mode.thermal)
    for k, mode in enumerate(model.modes):
        if mode.kind != "mechanical":
            continue
        q, p = quadratures(o[k])
        if mode.bath == "brownian":
            g = g + caldeira_leggett(q, p, mode.gamma, mode.thermal)
        else:
            g = (g + dissipator(o[k], mode.gamma * (mode.thermal + 1.0))
                 + dissipator(o[k].dag(), mode.gamma * mode.thermal))
    return g


def model_linear_terms(point: ModelPoint) -> float:
    """Largest coefficient of the terms linear in the fluctuations that the displaced models
    drop (model rate unit): round-off at an exact mean field.

    An independent check of the branch (not the mean-field solution, which is
    :mod:`linear.modelfield`'s). Collecting the linear terms of M1 with a = α + δa,
    b = β + δb, and of the displaced baths:

    * cavity c: f_c = (Δ̃_c − iκ_c)α_c + Σ J α_c' + iε_c (the coefficient of δa_c†);
    * mechanics m: f_q = ω q_m + Σ J q_m' − Σ_c g0 |α_c|², f_p = ω p_m + Σ J p_m', plus
      γ p_m on f_q (Brownian) or (γ/2)(p_m, −q_m) on (f_q, f_p) (Lindblad).

    Parameters
    ----------
    point : linear.ModelPoint

    Returns
    -------
    float
    """
    model, mf = point.model, point.mean_field
    f: dict[str, complex] = {}
    for mode in model.cavities:
        a = mf.amplitudes[mode.name]
        f[mode.name] = ((mode.detuning - mf.shifts[mode.name] - 1j * mode.kappa) * a
                        + 1j * mode.drive)
    fq = {m.name: m.frequency * mf.positions[m.name][0] for m in model.mechanical_modes}
    fp = {m.name: m.frequency * mf.positions[m.name][1] for m in model.mechanical_modes}
    for c in model.couplings:
        if c.kind == "hopping":
            i, j = c.modes
            if i in f:
                f[i] += c.J * mf.amplitudes[j]
                f[j] += c.J * mf.amplitudes[i]
            else:
                for x, y in ((i, j), (j, i)):
                    fq[x] += c.J * mf.positions[y][0]
                    fp[x] += c.J * mf.positions[y][1]
        else:
            fq[c.mechanical] -= c.g0 * abs(mf.amplitudes[c.cavity]) ** 2
    for m in model.mechanical_modes:
        q, p = mf.positions[m.name]
        if m.bath == "brownian":
            fq[m.name] += m.gamma * p
        else:
            fq[m.name] += m.gamma * p / 2.0
            fp[m.name] -= m.gamma * q / 2.0
    return float(max([abs(v) for v in f.values()] + [abs(v) for v in fq.values()]
                     + [abs(v) for v in fp.values()]))


__all__ = ["model_hamiltonian_terms", "model_generator_terms", "model_linear_terms",
           "mode_operators", "quadratures"]
