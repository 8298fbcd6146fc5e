"""The spinning resonator's three full-quantum forms, at an OperatingPoint (docs/conventions.md §5).

Units: every rate is in units of ω_m (ω_m = 1), as in :mod:`linear`. The forms
(``hamiltonian=``) are those of any model (:mod:`fullquantum.modelterms`, the one home of
the physics), applied to the ``spinning_resonator`` preset around the point's own mean field
(:func:`linear.presets.spinning_resonator_point`):

* ``linearized`` — displaced frame a_j = α_j + δa_j, b = β + δb with the exact mean field of
  :func:`linear.steady_states`; quadratic fluctuation Hamiltonian only.
* ``nonlinear`` — the same plus the cubic term −G0(δa_ccw†δa_ccw + δa_cw†δa_cw)δq: an exact
  (unitary) rewrite of the full model, approximate only through the cutoffs.
* ``lab`` — no displacement; bare detunings, the drive iε(a_d† − a_d) and the full radiation
  pressure −G0(Σ_j a_j†a_j)q. Only sensible for ≲ 1–2 photons.

In the displaced frames the operators δa_j, δb act on the same truncated Fock space as a_j, b
in the lab frame, so one :class:`~fullquantum.operators.ModeOperators` serves all forms.
Displacing a Lindblad operator, D[c + β] = D[c] − i[i(β*c − βc†)/2, ·], and the Brownian
bath, {p_s + δp, ρ} = 2p_sρ + {δp, ρ}, only add terms linear in the fluctuations; with the
exact mean field all linear terms cancel (:func:`linear_terms` checks this), so the displaced
forms keep the bath generators in their undisplaced form.
"""

from __future__ import annotations

from dataclasses import dataclass

import qutip

from ..linear import MeanField, OperatingPoint, System
from ..linear.parameters import Direction
from ..linear.presets import spinning_resonator_point

from .budget import DEFAULT_MEMORY_BUDGET_BYTES, check_budget
from .checks import check_instance
from .generator import Generator, caldeira_leggett, dissipator
from .memory import estimate_memory
from .modelterms import model_generator_terms, model_hamiltonian_terms
from .operators import ModeOperators, check_cutoffs
from .options import DISPLACED_MODELS, HAMILTONIANS, Hamiltonian, resolve_hamiltonian
from .symbolic import realize
from .points import resolve_point, system_of


def model_hamiltonian(point: OperatingPoint | System, direction: Direction | None = None,
                      cutoffs=(4, 3, 8), hamiltonian: Hamiltonian | None = None,
                      branch: int | None = None, *, model: str | None = None) -> qutip.Qobj:
    """The Hamiltonian H/ħ (units of ω_m) of the spinning resonator as a QuTiP operator.

    Built by :func:`fullquantum.modelterms.model_hamiltonian_terms` from the
    ``spinning_resonator`` preset around the point's own mean field (the one home of the
    full-quantum models, any model).

    Parameters
    ----------
    point : OperatingPoint or System
        The operating point (system, drive direction, mean-field branch of the
        displacement); or a System with ``direction`` (and ``branch``, default 0).
    direction : {"ccw", "cw"}, optional
        Must match ``point``'s if it is an OperatingPoint.
    cutoffs : (int, int, int)
        Fock cutoffs (N_ccw, N_cw, N_m), each ≥ 2.
    hamiltonian : {"linearized", "nonlinear", "lab"}
        See the module docstring (default "linearized").
    branch : int, optional
        As ``direction``.
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).

    Returns
    -------
    Qobj
        For the displaced forms, the Hamiltonian of the fluctuations δa_j, δb.
    """
    h = resolve_hamiltonian(hamiltonian, model, "linearized")
    cutoffs = check_cutoffs(cutoffs)
    mp = spinning_resonator_point(resolve_point(point, direction, branch))
    return model_hamiltonian_terms(mp, h).build(cutoffs)


def mechanical_bath(point: OperatingPoint | System, ops: ModeOperators) -> Generator:
    """Mechanical bath generator of ``system.bath`` (docs/conventions.md §5).

    ``brownian``: −(iγ_m/2)[q, {p, ρ}] − (γ_m(2n_m+1)/2)[q, [q, ρ]] (Caldeira–Leggett, not of
    Lindblad form); ``lindblad``: γ_m(n_m+1)D[b] + γ_m n_m D[b†].

    Parameters
    ----------
    point : OperatingPoint or System
        Whose ``bath``, ``gamma_m`` and ``n_m`` are used (a System needs no direction: the
        bath does not depend on the drive).
    ops : ModeOperators
        The mode operators (:func:`operators`) on which the generator is built.

    Returns
    -------
    Generator
    """
    s = system_of(point)
    check_instance("ops", ops, ModeOperators, "a ModeOperators (fullquantum.operators(cutoffs))")
    if s.bath == "brownian":
        return caldeira_leggett(ops.q, ops.p, s.gamma_m, s.n_m)
    return dissipator(ops.b, s.gamma_m * (s.n_m + 1.0)) + dissipator(ops.b.dag(), s.gamma_m * s.n_m)


def generator_for(point: OperatingPoint | System, direction: Direction | None = None,
                  cutoffs=(4, 3, 8), hamiltonian: Hamiltonian | None = None,
                  branch: int | None = None, *, model: str | None = None) -> Generator:
    """The full generator L(ρ) of the spinning resonator in the form Aρ + ρB + Σ_k C_k ρ D_k.

    :func:`fullquantum.modelterms.model_generator_terms` of the ``spinning_resonator``
    preset at the point's mean field, built at ``cutoffs``: the single source of the
    physics, from which :func:`liouvillian` and the steady-state solvers are built.

    Parameters
    ----------
    point, direction, cutoffs, hamiltonian, branch, model
        As in :func:`model_hamiltonian`; the mechanical bath is ``point.system.bath``.

    Returns
    -------
    Generator
        −i[H, ρ] + Σ_j 2κ D[a_j]ρ (optical loss, collapse operators √(2κ) a_j) + the bath.
    """
    h = resolve_hamiltonian(hamiltonian, model, "linearized")
    cutoffs = check_cutoffs(cutoffs)
    mp = spinning_resonator_point(resolve_point(point, direction, branch))
    return realize(model_generator_terms(mp, h), cutoffs)


def liouvillian(point: OperatingPoint | System, direction: Direction | None = None,
                cutoffs=(4, 3, 8), hamiltonian: Hamiltonian | None = None,
                branch: int | None = None, *,
                memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES,
                model: str | None = None) -> qutip.Qobj:
    """The model's Liouvillian as a QuTiP super-operator (d² × d², d = N_ccw·N_cw·N_m).

    Parameters
    ----------
    point, direction, cutoffs, hamiltonian, branch, model
        As in :func:`generator_for`.
    memory_budget_bytes : int
        Refuse (:class:`~fullquantum.MemoryBudgetError`) if the estimated memory of building
        the sparse super-operator exceeds this; decided from the cutoffs before any operator
        is built (:func:`fullquantum.estimate_memory` with ``method=None``).

    Returns
    -------
    Qobj
        Super-operator acting on column-stacked density matrices (QuTiP's convention).
    """
    h = resolve_hamiltonian(hamiltonian, model, "linearized")
    point = resolve_point(point, direction, branch)
    cutoffs = check_cutoffs(cutoffs)
    # Before generator_for: its d×d operators alone can exceed the budget at large cutoffs.
    check_budget(estimate_memory(cutoffs, None, hamiltonian=h, bath=point.system.bath),
                 memory_budget_bytes)
    return generator_for(point, cutoffs=cutoffs, hamiltonian=h).superoperator()


@dataclass(frozen=True)
class LinearTerms:
    """Coefficients of the displaced-frame terms linear in the fluctuations (units of ω_m).

    The displaced generator contains −i[H₁, ρ] with
    H₁ = Σ_j (f_j δa_j† + f_j* δa_j) + f_q δq + f_p δp; the displaced models drop H₁, which is
    exact only when every coefficient vanishes, i.e. at an exact mean field.

    Attributes
    ----------
    f_ccw, f_cw : complex
        Optical coefficients.
    f_q, f_p : float
        Mechanical coefficients.
    """

    f_ccw: complex
    f_cw: complex
    f_q: float
    f_p: float

    @property
    def max_abs(self) -> float:
        """Largest |coefficient|; at round-off for the exact mean field."""
        return float(max(abs(self.f_ccw), abs(self.f_cw), abs(self.f_q), abs(self.f_p)))


def linear_terms(point: OperatingPoint | System, mf: MeanField | None = None, *,
                 direction: Direction | None = None, branch: int | None = None) -> LinearTerms:
    """Residual linear terms of the displaced frame for a mean field (default: the point's).

    An independent check of the mean field used by the displaced models (it is not the
    mean-field solution, which lives in :mod:`linear`). Collecting the terms linear in δa_j,
    δb from H (§3) with a_j = α_j + δa_j, b = β + δb, and from the displaced dissipators:

    * f_j = (Δ̃_j − iκ)α_j + Jα_{j'} + iε·[j driven]   (loss: D[δa + α] adds iκ(α*δa − αδa†));
    * mechanics: ω_m(q_s δq + p_s δp) − G0 N δq, plus γ_m p_s δq (Brownian, from {p_s, ρ}) or
      −(γ_m/2)(q_s δp − p_s δq) (Lindblad, from γ_m(n+1)D[δb+β] + γ_m n D[δb†+β*]).

    Parameters
    ----------
    point : OperatingPoint or System
        The operating point; or a System with ``direction`` (and ``branch``, default 0).
    mf : MeanField, optional
        The mean field to test (default the point's; another one, e.g. perturbed, shows the
        check is not trivially zero).
    direction : {"ccw", "cw"}, optional
        Required with a System; must match an OperatingPoint's.
    branch : int, optional
        As ``direction`` (keyword-only, as ``direction``: ``mf`` keeps its place).

    Returns
    -------
    LinearTerms
    """
    point = resolve_point(point, direction, branch)
    s, direction = point.system, point.direction
    mf = point.mean_field if mf is None else mf
    a_ccw, a_cw = mf.alpha_ccw, mf.alpha_cw
    f_ccw = (mf.Delta_eff_ccw - 1j * s.kappa) * a_ccw + s.J * a_cw
    f_cw = (mf.Delta_eff_cw - 1j * s.kappa) * a_cw + s.J * a_ccw
    if direction == "ccw":
        f_ccw += 1j * s.eps
    else:
        f_cw += 1j * s.eps
    N = abs(a_ccw) ** 2 + abs(a_cw) ** 2
    f_q, f_p = mf.q_s - s.G0 * N, mf.p_s
    if s.bath == "brownian":
        f_q += s.gamma_m * mf.p_s
    else:
        f_q += s.gamma_m * mf.p_s / 2.0
        f_p -= s.gamma_m * mf.q_s / 2.0
    return LinearTerms(complex(f_ccw), complex(f_cw), float(f_q), float(f_p))


__all__ = ["Hamiltonian", "HAMILTONIANS", "DISPLACED_MODELS", "model_hamiltonian", "mechanical_bath",
           "generator_for", "liouvillian", "LinearTerms", "linear_terms"]
