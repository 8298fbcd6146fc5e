"""Steady state of a full-quantum model with QuTiP, guarded and fully diagnosed.

:func:`solve` checks the memory estimate of the method against the budget from the cutoffs
alone, *before* building any operator (:func:`fullquantum.estimate_memory`), then builds the
model's :class:`~fullquantum.generator.Generator`, solves with the structured solver or with
``qutip.steadystate`` (method and linear solver named explicitly), and returns a
:class:`SteadyState` with every observable of the issue (docs/conventions.md §5).
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np
import qutip

from typing import Sequence

from ..errors import InputError, InputTypeError
from ..linear import (Model, ModelPoint, OperatingPoint, System, cut, drift_matrix,
                      gaussian_entropy, growth_rate, log_negativity)
from ..linear.modelgauss import analyze_model
from ..linear.parameters import Direction

from .budget import check_budget
from .checks import check_instance
from .errors import InstabilityWarning, TruncationWarning
from .methods import QutipMethod, as_method, method_estimate
from .memory import pattern_of
from .modelresult import ModelSteadyState
from .models import generator_for, linear_terms
from .modelterms import model_generator_terms, model_linear_terms
from .observables import (exact_log_negativity, moments, occupations, top_populations,
                          von_neumann_entropy)
from .operators import check_cutoffs, check_mode_cutoffs, fock_modes, operators
from .options import (DEFAULT_METHOD, DISPLACED_MODELS, Hamiltonian, Method, SolveOptions,
                      resolve_hamiltonian)
from .points import resolve_point
from .result import SteadyState, Timings
from .symbolic import realize
from .structured import steadystate_structured


def _options(options: SolveOptions | None, overrides: dict) -> SolveOptions:
    opts = SolveOptions() if options is None else check_instance(
        "options", options, SolveOptions, "a SolveOptions or None")
    unknown = set(overrides) - set(SolveOptions.field_names())
    if unknown:
        raise InputTypeError(f"solve() got unknown option(s) {sorted(unknown)}; valid: "
                        f"{', '.join(SolveOptions.field_names())} (QuTiP keywords go in "
                        f"qutip_kwargs)")
    return dataclasses.replace(opts, **overrides) if overrides else opts


def solve(point: OperatingPoint | System | Model | ModelPoint,
          direction: Direction | None = None, cutoffs=None,
          hamiltonian: Hamiltonian | None = None, method: Method = DEFAULT_METHOD, *,
          solver: str | None = None, branch: int | None = None,
          options: SolveOptions | None = None,
          initial_state: SteadyState | ModelSteadyState | qutip.Qobj | np.ndarray | None = None,
          pairs: Sequence[tuple[str, str]] | None = None, model: str | None = None,
          **overrides) -> SteadyState | ModelSteadyState:
    """Steady state of a full-quantum model at an operating point, and its observables.

    The one entry point for every model. Call forms:

    * ``solve(model_point, cutoffs=(...), hamiltonian=...)`` with a
      :class:`~omxval.linear.ModelPoint` (or a :class:`~omxval.linear.Model`, branch
      ``branch`` or 0): any model (docs/models.md §7), cutoffs one per mode in mode order →
      :class:`~fullquantum.ModelSteadyState`;
    * ``solve(point, cutoffs=..., hamiltonian=...)`` with the spinning resonator's
      :class:`~omxval.linear.OperatingPoint` (e.g. from :func:`linear.design_point`), or
      ``solve(system, direction, cutoffs, hamiltonian, branch=0)`` → :class:`SteadyState`
      (built from the same generator, the ``spinning_resonator`` preset).

    Parameters
    ----------
    point : OperatingPoint, System, Model or ModelPoint
        What to solve (units of ω_m, or the model's unit); the mechanical bath is
        ``system.bath`` (each mechanical mode's ``bath`` for a model).
    direction : {"ccw", "cw"}, optional
        Driven mode (required with a System; must match an OperatingPoint's); entanglement
        is reported between it and the mechanics.
    cutoffs : sequence of int, or mapping of mode name → int
        Fock cutoffs in mode order, each ≥ 2: (N_ccw, N_cw, N_m) for the spinning resonator,
        default (4, 3, 8), which holds the reference point of docs/conventions.md §5 to
        max|ΔV| ≈ 1e-5 in the linearized model; required for a model.
    hamiltonian : {"linearized", "nonlinear", "lab"}
        Which full-quantum form (:mod:`fullquantum.modelterms`); default "linearized".
    method : {"structured", "direct", "eigen", "svd", "power", "iterative-gmres", \
"iterative-lgmres", "iterative-bicgstab"} or Structured or QutipMethod
        The algorithm, as a method object with its settings (:mod:`fullquantum.methods`) or
        a name for one with default settings. "structured" (default): omxval's
        preconditioned GMRES on the d×d generator terms (:mod:`fullquantum.structured`;
        0.2 s at cutoffs (4,3,8), d = 96). The others are QuTiP's
        ``steadystate(method=...)``, kept for cross-checks: "direct" (sparse LU) takes 6–11 s
        there and the nonlinear model fills more (≈ 30–60 s).
    solver : str, optional
        QuTiP's linear backend ``solver=`` for "direct"/"power": "spsolve" (default;
        "mkl_spsolve" when QuTiP has MKL), "splu", "mkl_spsolve", "solve", "lstsq", "gmres",
        "lgmres", "bicgstab". An error with any other method.
    branch : int, optional
        Mean-field branch (index into :func:`linear.steady_states`) of the displacement;
        default 0 with a System, must match an OperatingPoint's.
    options : SolveOptions, optional
        Truncation tolerance and memory budget (and, as in the first API, method settings
        ``structured``, ``use_rcm``, ``qutip_kwargs``, which must fit ``method``).
    initial_state : SteadyState, Qobj or ndarray, optional
        Warm start of ``method="structured"``: its GMRES starts from this state instead of
        zero, e.g. the steady state at neighbouring cutoffs (best in the same frame: a
        displaced model's state for a displaced model). A SteadyState, or a Qobj on Fock
        dims (N_ccw, N_cw, N_m), is embedded into ``cutoffs``: levels above a smaller cutoff
        are dropped, those above a larger one start empty. An ndarray must be d×d at
        ``cutoffs``. Only the iterations change (``solver_info["iterations"]``): the result
        meets the same tolerance. An error with QuTiP's methods.
    pairs : sequence of (str, str), optional
        A model's pairs of modes whose E_N is tabulated (default every pair); any cut is
        available afterwards through :meth:`ModelSteadyState.exact_log_negativity`.
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).
    **overrides
        Fields of :class:`SolveOptions` to override (e.g. ``truncation_tol=1e-4``).

    Returns
    -------
    SteadyState or ModelSteadyState

    Raises
    ------
    ValueError
        Unknown direction, model, method or solver; bad cutoffs or branch; an
        ``initial_state`` with a QuTiP method or of the wrong shape.
    TypeError
        An override that is not a field of :class:`SolveOptions`; an ``initial_state`` that
        is not a state.
    MemoryBudgetError
        The memory estimate of ``method`` (:func:`fullquantum.estimate_memory`, from the
        cutoffs alone: nothing has been built) exceeds ``options.memory_budget_bytes``.
    SteadyStateConvergenceError
        ``method="structured"`` did not reach its tolerance (no unconverged state is
        returned).

    Warns
    -----
    TruncationWarning
        Some mode's top Fock level holds more than ``options.truncation_tol``.
    InstabilityWarning
        ``model="linearized"`` at a mean field where the linear model is unstable.

    Examples
    --------
    The linearized Fock model at the reference point reproduces the Gaussian E_N once the
    cutoffs (N_ccw, N_cw, N_m) hold the state:

    >>> from omxval import fullquantum, linear
    >>> p = linear.design_point(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2,
    ...                         G0=0.05, detuning=0.9, coupling=0.25, direction="ccw")
    >>> ss = fullquantum.solve(p, cutoffs=(4, 3, 8), hamiltonian="linearized")
    >>> ss.truncated, round(ss.log_negativity_exact, 4)
    (False, 0.0995)
    """
    t0 = time.perf_counter()
    h = resolve_hamiltonian(hamiltonian, model, "linearized")
    if isinstance(point, (Model, ModelPoint)):
        if direction is not None:
            raise InputError("direction applies to the spinning resonator's OperatingPoint "
                             "or System; a model's drives are in the model")
        return _solve_model(point, branch, cutoffs, h, method, solver, options, initial_state,
                            pairs, overrides, t0)
    if pairs is not None:
        raise InputError("pairs applies to a Model or ModelPoint; the spinning resonator's "
                         "SteadyState reports the (driven, mechanics) pair")
    point = resolve_point(point, direction, branch)
    system = point.system
    cutoffs = check_cutoffs((4, 3, 8) if cutoffs is None else cutoffs)
    opts = _options(options, overrides)
    m = as_method(method, solver, opts)
    rho0 = _start(initial_state, m, cutoffs)
    # Refuse from the cutoffs and the method alone: at large cutoffs even the d×d operators
    # of the generator would exhaust the memory before a later check could run.
    estimate = method_estimate(m, cutoffs, hamiltonian=h, bath=system.bath)
    check_budget(estimate, opts.memory_budget_bytes)
    if h == "linearized":
        growth = float(growth_rate(drift_matrix(system, point.mean_field)))
        if growth >= 0:
            _warn_unstable(point.branch, growth)

    gen = generator_for(point, cutoffs=cutoffs, hamiltonian=h)
    rho, solver_info, t1, t2 = _steady(gen, m, opts, rho0)
    ops = operators(cutoffs)
    means, V = moments(rho, ops)
    occ = occupations(rho, ops)
    lab_means, quanta, lt_residual = _lab_frame(point, h, means, occ)
    lam = np.linalg.eigvalsh(rho.full())
    tops = top_populations(rho)
    truncated = max(tops) > opts.truncation_tol
    if truncated:
        _warn_truncation(tops, cutoffs, ("N_ccw", "N_cw", "N_m"), h, opts.truncation_tol)
    fields = dict(
        point=point, hamiltonian=h, cutoffs=cutoffs, method=getattr(m, "name", "structured"),
        solver=getattr(m, "solver", None), options=opts,
        rho=rho, residual=float(np.linalg.norm(gen.apply(rho.full()))),
        means=means, lab_means=lab_means, V=V,
        log_negativity_gaussian=float(log_negativity(V, cut(point.direction))),
        log_negativity_exact=exact_log_negativity(rho, cut(point.direction)),
        top_populations=tops, truncated=truncated, occupations=occ,
        photons=(quanta[0], quanta[1]), phonons=quanta[2], purity=float(np.sum(lam**2)),
        entropy=von_neumann_entropy(lam), gaussian_entropy=float(gaussian_entropy(V)),
        min_eigenvalue=float(lam[0]), mean_field_residual=lt_residual, memory=estimate,
        solver_info=solver_info)
    t3 = time.perf_counter()
    timings = Timings(build_s=t1 - t0, solve_s=t2 - t1, observables_s=t3 - t2, total_s=t3 - t0)
    return SteadyState(**fields, timings=timings)


def _warn_unstable(branch: int, growth: float, stacklevel: int = 3) -> None:
    # stacklevel 3: the warning points at the caller of solve().
    warnings.warn(f"the linear model is unstable at mean-field branch {branch} "
                  f"(max Re λ(A) = {growth:.3g}): the linearized steady state is an "
                  f"artefact of the cutoffs", InstabilityWarning, stacklevel=stacklevel)


def _start(initial_state, m, cutoffs: tuple[int, ...]) -> np.ndarray | None:
    """The warm start of a structured solve, or an error for QuTiP's methods."""
    if initial_state is None:
        return None
    if isinstance(m, QutipMethod):
        raise InputError(f"initial_state applies to method 'structured' only (QuTiP's "
                         f"steadystate takes no initial guess here); got method {m.name!r}")
    return _initial_guess(initial_state, cutoffs)


def _steady(gen, m, opts: SolveOptions, rho0: np.ndarray | None):
    """ρ (Hermitian, unit trace), solver diagnostics and the times around the solve."""
    if isinstance(m, QutipMethod):
        # CSR: QuTiP's RCM permutation (direct, power, iterative) works on CSR only.
        L = gen.superoperator().to("csr")
        t1 = time.perf_counter()
        qutip_kwargs = dict(m.qutip_kwargs)
        if m.rcm_applies:
            qutip_kwargs["use_rcm"] = m.use_rcm
        if m.solver == "splu":
            # QuTiP solves with warnings as errors; scipy's splu warns when handed CSR.
            qutip_kwargs.setdefault("csc", True)
        rho = qutip.steadystate(L, method=m.name, solver=m.solver, **qutip_kwargs)
        del L  # the observables below need only ρ and the d×d operators
        solver_info = {}
    else:
        t1 = time.perf_counter()
        out = steadystate_structured(
            gen, options=dataclasses.replace(m, memory_budget=opts.memory_budget_bytes),
            rho0=rho0)
        rho = qutip.Qobj(out.rho, dims=gen.dims)
        solver_info = {"iterations": out.iterations, "preconditioner": out.preconditioner,
                       "relative_residual": out.relative_residual, "threads": out.threads,
                       "warm_start": rho0 is not None, "device": out.device,
                       "parity_sectors": out.parity_sectors}
    t2 = time.perf_counter()
    # QuTiP's direct path is Hermitian with trace ≈ 1; eigen/svd/power are not always both.
    rho = 0.5 * (rho + rho.dag())
    return rho / rho.tr().real, solver_info, t1, t2


def _solve_model(point, branch, cutoffs, h: str, method, solver, options, initial_state,
                 pairs, overrides: dict, t0: float) -> ModelSteadyState:
    """:func:`solve` for any model (docs/models.md §7): checks, estimate, solve, observables."""
    if isinstance(point, Model):
        point = ModelPoint(point, 0 if branch is None else branch)
    elif branch is not None and branch != point.branch:
        raise InputError(f"branch={branch} contradicts the point's branch {point.branch}; "
                         f"leave it out")
    model = point.model
    names = model.mode_names
    if cutoffs is None:
        raise InputError(f"cutoffs are required for a model: {len(names)} integers "
                         f"({', '.join('N_' + n for n in names)}), each >= 2, in mode order")
    cutoffs = check_mode_cutoffs(cutoffs, names)
    pairs = _check_pairs(pairs, model)
    opts = _options(options, overrides)
    m = as_method(method, solver, opts)
    rho0 = _start(initial_state, m, cutoffs)
    terms = model_generator_terms(point, h)
    mech = [k for k, mode in enumerate(model.modes) if mode.kind == "mechanical"]
    estimate = method_estimate(m, cutoffs, pattern=pattern_of(terms, len(names), mech))
    check_budget(estimate, opts.memory_budget_bytes)
    if h == "linearized":
        gauss = analyze_model(point)
        if not gauss.stable:
            _warn_unstable(point.branch, gauss.max_growth_rate, stacklevel=4)
    gen = realize(terms, cutoffs)
    rho, solver_info, t1, t2 = _steady(gen, m, opts, rho0)
    ops = fock_modes(names, cutoffs)
    means, V = moments(rho, ops)
    occ = occupations(rho, ops)
    lab_means, quanta = means.copy(), dict(zip(names, map(float, occ)))
    residual_mf = float("nan")
    if h in DISPLACED_MODELS:
        mf = point.mean_field
        for k, mode in enumerate(model.modes):
            z = (mf.amplitudes[mode.name] if mode.kind == "cavity"
                 else complex(*mf.positions[mode.name]) / math.sqrt(2.0))
            fluct = complex(means[2 * k], means[2 * k + 1]) / math.sqrt(2.0)
            quanta[mode.name] = float(abs(z) ** 2 + 2.0 * np.real(np.conj(z) * fluct) + occ[k])
            lab_means[2 * k:2 * k + 2] += math.sqrt(2.0) * np.array([z.real, z.imag])
        residual_mf = model_linear_terms(point)
    lam = np.linalg.eigvalsh(rho.full())
    tops = top_populations(rho)
    truncated = max(tops) > opts.truncation_tol
    if truncated:
        _warn_truncation(tops, cutoffs, tuple(f"N_{n}" for n in names), h, opts.truncation_tol,
                         stacklevel=4)
    idx = {n: k for k, n in enumerate(names)}
    exact = {p: exact_log_negativity(rho, (idx[p[0]], idx[p[1]])) for p in pairs}
    gaussian = {p: float(log_negativity(V, (idx[p[0]], idx[p[1]]))) for p in pairs}
    fields = dict(
        point=point, hamiltonian=h, cutoffs=cutoffs, method=getattr(m, "name", "structured"),
        solver=getattr(m, "solver", None), options=opts, rho=rho,
        residual=float(np.linalg.norm(gen.apply(rho.full()))), means=means,
        lab_means=lab_means, V=V, pairs=pairs, log_negativities_exact=exact,
        log_negativities_gaussian=gaussian, top_populations=dict(zip(names, tops)),
        truncated=truncated, occupations=dict(zip(names, map(float, occ))), quanta=quanta,
        purity=float(np.sum(lam ** 2)), entropy=von_neumann_entropy(lam),
        min_eigenvalue=float(lam[0]), mean_field_residual=residual_mf, memory=estimate,
        solver_info=solver_info)
    t3 = time.perf_counter()
    timings = Timings(build_s=t1 - t0, solve_s=t2 - t1, observables_s=t3 - t2, total_s=t3 - t0)
    return ModelSteadyState(**fields, timings=timings)


def _check_pairs(pairs, model: Model) -> tuple[tuple[str, str], ...]:
    """The pairs of modes to tabulate: every pair by default; each checked by name."""
    if pairs is None:
        return tuple(model.pairs)
    out = []
    try:
        items = list(pairs)
    except TypeError:
        items = [pairs]
    for p in items:
        if (isinstance(p, str) or not isinstance(p, (tuple, list)) or len(p) != 2
                or p[0] == p[1] or any(m not in model.mode_names for m in p)):
            raise InputError(f"pairs must be pairs of two different mode names of the model "
                             f"({', '.join(model.mode_names)}); got {p!r}")
        out.append((p[0], p[1]))
    if not out:
        raise InputError("pairs must name at least one pair of modes")
    return tuple(out)


def _initial_guess(state: SteadyState | ModelSteadyState | qutip.Qobj | np.ndarray,
                   cutoffs: tuple[int, ...]) -> np.ndarray:
    """``initial_state`` of :func:`solve` as a d×d array at ``cutoffs``."""
    if isinstance(state, (SteadyState, ModelSteadyState)):
        state = state.rho
    d = math.prod(cutoffs)
    if isinstance(state, qutip.Qobj):
        dims = state.dims
        if not (state.isoper and len(dims[0]) == len(cutoffs) and dims[0] == dims[1]):
            raise InputError(f"initial_state must be a density matrix on Fock dims of "
                             f"{len(cutoffs)} modes; got a Qobj with dims {dims}")
        return _embed_fock(state.full(), tuple(dims[0]), cutoffs)
    if isinstance(state, np.ndarray):
        if state.shape != (d, d):
            raise InputError(f"initial_state as an array must be {d}×{d} (cutoffs {cutoffs}); "
                             f"got shape {state.shape} (a SteadyState or Qobj is embedded "
                             f"from other cutoffs)")
        return state
    raise InputTypeError(f"initial_state must be a SteadyState, ModelSteadyState, a qutip.Qobj "
                         f"or a numpy array; got {type(state).__name__}")


def _embed_fock(rho: np.ndarray, dims: tuple[int, ...], cutoffs: tuple[int, ...]
               ) -> np.ndarray:
    """A matrix on Fock dims ``dims`` carried over to ``cutoffs``.

    Parameters
    ----------
    rho : ndarray (prod(dims), prod(dims))
        Operator on the tensor product of Fock spaces with ``dims`` levels each.
    dims, cutoffs : tuple of int
        Levels kept per mode before and after (same number of modes).

    Returns
    -------
    ndarray (prod(cutoffs), prod(cutoffs))
        The elements of the common levels; those of levels above a smaller cutoff are
        dropped, those of levels above a larger one are zero.
    """
    dims, cutoffs = tuple(dims), tuple(cutoffs)
    if len(dims) != len(cutoffs):
        raise InputError(f"cannot embed {len(dims)} modes into cutoffs {cutoffs}")
    keep = tuple(slice(0, min(a, b)) for a, b in zip(dims, cutoffs))
    out = np.zeros(cutoffs + cutoffs, dtype=np.complex128)
    out[keep + keep] = np.asarray(rho).reshape(dims + dims)[keep + keep]
    d = math.prod(cutoffs)
    return out.reshape(d, d)


def _lab_frame(point: OperatingPoint, model: str, means: np.ndarray, occ: np.ndarray
               ) -> tuple[np.ndarray, tuple[float, float, float], float]:
    """Lab-frame means, quanta (N_ccw, N_cw, n_b) and the dropped linear terms' residual.

    Displaced models: a = α + δa, b = β + δb, so ⟨u⟩_lab = ⟨δu⟩ + ⟨u⟩_mean-field and
    ⟨c†c⟩ = |z|² + 2 Re(z*⟨δc⟩) + ⟨δc†δc⟩ for each shift z. The lab model is its own frame.
    """
    if model not in DISPLACED_MODELS:
        return means.copy(), tuple(float(n) for n in occ), float("nan")
    mf = point.mean_field
    shifts = (mf.alpha_ccw, mf.alpha_cw, mf.mechanical_amplitude)
    fluct = (means[0::2] + 1j * means[1::2]) / math.sqrt(2.0)  # ⟨δa_ccw⟩, ⟨δa_cw⟩, ⟨δb⟩
    quanta = tuple(float(abs(z) ** 2 + 2.0 * np.real(np.conj(z) * f) + n)
                   for z, f, n in zip(shifts, fluct, occ))
    return means + mf.quadrature_means, quanta, linear_terms(point).max_abs


def _warn_truncation(tops, cutoffs, names: tuple[str, ...], model: str, tol: float,
                     stacklevel: int = 3) -> None:
    worst = ", ".join(f"{n}={c}: {p:.2e}" for n, c, p in zip(names, cutoffs, tops) if p > tol)
    # stacklevel 3: the warning points at the caller of solve().
    warnings.warn(f"Fock truncation: top-level population above truncation_tol={tol:g} "
                  f"({worst}); raise those cutoffs ({model} hamiltonian, cutoffs={cutoffs})",
                  TruncationWarning, stacklevel=stacklevel)


__all__ = ["solve"]
