"""Can the paper's Gaussian E_N be trusted at the paper's own parameters?

The study of docs/paper_device.md. At the paper's operating points (Fig. 2 optima for CCW
drive, CW drive and Ω = 0; a Fig. 3 optimum with backscattering) the Lyapunov state holds
well under one fluctuation quantum per mode, so the ``nonlinear`` full-quantum model (exact
up to truncation, docs/conventions.md §5) fits a Fock space at the paper's *exact*
dimensionless point — κ, J, Δ_F, γ_m, n_m, the effective detuning Δ̃_c and the driven-mode
coupling |G_d| — with only G0 raised from the paper's 7.2e-6 ω_m to 0.01–0.1 ω_m. At fixed
(Δ̃_c, |G_d|) the Gaussian model does not depend on G0 (§5), so a G0 ladder measures the
approximation error alone; a fit against G0 predicts it at the paper's G0.

Pipeline (SI at the edge, units of ω_m inside):

1. :func:`paper_points` — each operating point's design derived from the linear model at
   the paper's SI parameters (:class:`~omxval.linear.PaperSetup`, the maxima of
   :func:`omxval.linear.paper.max_entanglement`).
2. :func:`approximation_row` — one (point, G0) row: cutoffs converged for that row
   (:func:`~omxval.compare.studies.validity.adaptive_cutoffs`), the truncation error (linearized
   Fock model vs Lyapunov) and the approximation error (nonlinear vs linearized Fock model
   at the same cutoffs), each also at every cutoff raised by one.
3. :func:`device_rows` — the ladder on the map engines; each finished row goes to a
   callback (the application journals it: :func:`omxval.compare.app.runs.run_rows`).
4. :func:`analyse_point` — the fits of :mod:`omxval.compare.studies.fits` (free power law
   and leading order) and the prediction at the paper's G0 with its band.
5. :func:`direct_coefficient` — the third framework's route (docs/perturbative.md §11):
   c2 of the exact E_N by perturbation theory in G0 at converged cutoffs, no ladder and no
   fit; where it agrees with the ladder's c2 the verdict rests on c2·G0² alone
   (:attr:`PointAnalysis.upper`).

The report (``omxval paper-device``) is written by
:mod:`omxval.compare.app.paper_device_report`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import time
import warnings
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import fullquantum, linear, perturbative
from ...errors import InputError
from ...linear.checks import check_real
from ...linear import paper
from .convergence import gaussian_cutoffs
from .deviation import max_abs_difference
from .fits import (BAND_LEVEL, LeadingOrderFit, PowerLawFit, Prediction, fit_leading_order,
                   fit_power_law)
from ... import __version__
from .maps import FAILED, check_engine, map_points
from .progress import Counter, sink
from .validity import adaptive_cutoffs

#: G0/ω_m ladder of the study (docs/paper_device.md §3).
DEFAULT_G0: tuple[float, ...] = (0.01, 0.02, 0.035, 0.05, 0.07, 0.1)
#: J/κ of the Fig. 3 point: the J that ``omxval paper`` draws (docs/conventions.md §6).
FIG3_J_OVER_KAPPA = 1.8
#: The paper's E_N is quoted to four decimals (0.1476, docs/conventions.md §6): half a unit
#: of the last digit is the error that would change what the paper prints.
PRINTED_PRECISION = 5e-5
DESIGN_DIGITS = 12  # significant digits of a derived design: exact cache keys across runs
STUDY = "paper_device"

# (name, label, drive direction, Ω [rad/s], J/κ or None for the Fig. 3 J) — docs §2.
POINT_SPECS: tuple[tuple[str, str, str, float, float | None], ...] = (
    ("fig2-ccw", "Fig. 2 optimum, CCW drive, Ω = 8e3 rad/s", "ccw", paper.OMEGA_FIG2, 0.0),
    ("fig2-rest", "Fig. 2 optimum, Ω = 0", "ccw", 0.0, 0.0),
    ("fig2-cw", "Fig. 2 optimum, CW drive, Ω = 8e3 rad/s", "cw", paper.OMEGA_FIG2, 0.0),
    ("fig3-ccw", "Fig. 3 optimum, CCW drive, Ω = 2.3e4 rad/s, J",
     "ccw", paper.OMEGA_FIG3, None),
)
POINT_NAMES: tuple[str, ...] = tuple(s[0] for s in POINT_SPECS)
DESIGN_FIELDS = ("kappa", "J", "Delta_F", "gamma_m", "n_m", "detuning", "coupling")


def _round(value: float) -> float:
    return float(f"{value:.{DESIGN_DIGITS}g}")


# --- 1. operating points from the paper's SI parameters -----------------------------------
@dataclass(frozen=True)
class PaperPoint:
    """One of the paper's operating points and the design that reproduces it.

    Attributes
    ----------
    name, label : str
        Short key (``fig2-ccw``, …) and a description.
    direction : {"ccw", "cw"}
        Driven mode.
    Omega : float
        Rotation speed Ω [rad/s].
    J_over_kappa : float
        Backscattering J/κ.
    Delta_c : float
        Bare detuning Δ_c/ω_m at the maximum of E_N over Δ_c (docs/conventions.md §6).
    G0 : float
        The paper's single-photon coupling G0/ω_m (docs/conventions.md §1).
    log_negativity : float
        Lyapunov E_N (ln) at the paper's point (paper Eqs. 11–13).
    design : dict
        ``kappa``, ``J``, ``Delta_F``, ``gamma_m``, ``n_m``, ``detuning`` (Δ̃_c) and
        ``coupling`` (|G_d|), units of ω_m, rounded to 12 significant digits: the keyword
        arguments of :func:`omxval.linear.design_point` except G0, direction and bath.
    bath : {"brownian", "lindblad"}
    fluctuation_quanta : dict
        ⟨δc†δc⟩ of the Lyapunov state per mode ("ccw", "cw", "mechanics"): what a Fock
        space must hold.
    photons : float
        Mean-field photon number of the driven mode, N_d = |α_d|² (at the paper's G0).
    """

    name: str
    label: str
    direction: str
    Omega: float
    J_over_kappa: float
    Delta_c: float
    G0: float
    log_negativity: float
    design: dict
    bath: str
    fluctuation_quanta: dict
    photons: float

    def operating_point(self, G0: float) -> linear.OperatingPoint:
        """The design at single-photon coupling ``G0`` (units of ω_m), §5 of the conventions."""
        return linear.design_point(**self.design, G0=G0, direction=self.direction,
                                   bath=self.bath)


def paper_point(setup: linear.PaperSetup, name: str, label: str, direction: str,
                Omega: float, J_over_kappa: float, power: float = paper.POWER) -> PaperPoint:
    """The maximum of E_N over Δ_c at (Ω, J) and its design (docs/paper_device.md §2).

    Parameters
    ----------
    setup : PaperSetup
        The device in SI units (default set: the paper's, docs/conventions.md §1).
    name, label : str
        Key and description of the point.
    direction : {"ccw", "cw"}
        Driven mode.
    Omega : float
        Rotation speed [rad/s].
    J_over_kappa : float
        Backscattering J/κ, ≥ 0.
    power : float
        Input power [W] (the paper's 20 mW by default).

    Raises
    ------
    InputError
        No stable detuning exists at (Ω, J), or the maximum is multistable (the design of
        one branch would be ambiguous).
    """
    J_si = float(J_over_kappa) * setup.kappa_si
    e_max, delta = paper.max_entanglement(setup, direction, J_si, Omega)
    if not np.isfinite(e_max):
        raise InputError(f"{name}: no stable detuning at Omega={Omega:g} rad/s, "
                         f"J/kappa={J_over_kappa:g}")
    system = setup.system(Delta_c=float(delta), Omega=Omega, J=J_si, power=power)
    op = linear.OperatingPoint(system, direction, 0)
    if op.multistable:
        raise InputError(f"{name}: the maximum at Delta_c={float(delta):g} is multistable "
                         f"({op.n_branches} branches); choose a power with one branch")
    res = linear.analyze(op)
    mf = op.mean_field
    # Δ̃_c = Δ̃_ccw − Δ_F (docs/conventions.md §3, §5); |G_d| = √2 G0 |α_d| (paper Eq. 6).
    design = {"kappa": system.kappa, "J": system.J, "Delta_F": system.Delta_F,
              "gamma_m": system.gamma_m, "n_m": system.n_m,
              "detuning": mf.Delta_eff_ccw - system.Delta_F, "coupling": res.coupling}
    return PaperPoint(name=name, label=label, direction=direction, Omega=float(Omega),
                      J_over_kappa=float(J_over_kappa), Delta_c=float(delta), G0=system.G0,
                      log_negativity=res.log_negativity_gaussian,
                      design={k: _round(v) for k, v in design.items()}, bath=system.bath,
                      fluctuation_quanta=res.fluctuation_quanta._asdict(),
                      photons=float(res.photons[direction]))


def paper_points(setup: linear.PaperSetup | None = None, *,
                 J_over_kappa: float = FIG3_J_OVER_KAPPA,
                 names: Sequence[str] = POINT_NAMES) -> tuple[PaperPoint, ...]:
    """The study's operating points (docs/paper_device.md §2).

    Parameters
    ----------
    setup : PaperSetup, optional
        Default: the paper's set.
    J_over_kappa : float
        J/κ of the Fig. 3 point (default 1.8, the J of ``omxval paper``).
    names : sequence of str
        Any of :data:`POINT_NAMES`, in the order wanted.
    """
    if isinstance(names, str):
        names = (names,)
    unknown = [n for n in names if n not in POINT_NAMES]
    if unknown or not names:
        raise InputError(f"points must name at least one of {list(POINT_NAMES)}; "
                         f"got {list(names)!r}")
    setup = setup or linear.PaperSetup()
    specs = {s[0]: s for s in POINT_SPECS}
    return tuple(paper_point(setup, name, label if j is not None else
                             f"{label} = {J_over_kappa:g} κ", d, Omega,
                             J_over_kappa if j is None else j)
                 for name, label, d, Omega, j in (specs[n] for n in dict.fromkeys(names)))


# --- 2. one (point, G0) row ------------------------------------------------------------------
@dataclass(frozen=True)
class DeviceCriteria:
    """Convergence settings of every row (docs/paper_device.md §3).

    Attributes
    ----------
    V_tolerance, log_negativity_tolerance : float
        Tolerances of :func:`~omxval.compare.studies.validity.adaptive_cutoffs` on the nonlinear
        state: one more Fock level may change max|ΔV| (quadrature units) and E_N (ln) by no
        more than these.
    start_tail : float
        Thermal-tail tolerance of the first cutoffs
        (:func:`~omxval.compare.studies.convergence.gaussian_cutoffs`); a small value starts near
        the converged cutoffs and saves passes.
    estimator_tolerance : float
        Largest relative change of the approximation error when every cutoff is raised by
        one; beyond it the row is ``unconverged``.
    max_passes : int
        Passes of the adaptive refinement.
    method : str
        Steady-state method of every solve.
    memory_budget_bytes : int
        Budget of every solve; a row that needs more is ``unconverged``. The default 8 GiB
        holds the Fig. 3 point's check at cutoffs + 1 (≈ (15, 7, 19): 4.6 GiB estimated by
        :func:`omxval.fullquantum.estimate_memory`).
    """

    V_tolerance: float = 1e-5
    log_negativity_tolerance: float = 1e-5
    start_tail: float = 1e-8
    estimator_tolerance: float = 0.05
    max_passes: int = 12
    method: str = "structured"
    memory_budget_bytes: int = 8 * 1024**3

    def __post_init__(self) -> None:
        for name in ("V_tolerance", "log_negativity_tolerance", "start_tail",
                     "estimator_tolerance"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), low=0,
                                                      low_inclusive=False))
        for name in ("max_passes", "memory_budget_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be an int >= 1; got {value!r}")


def _solve(point: linear.OperatingPoint, cutoffs: tuple[int, int, int], hamiltonian: str,
           criteria: DeviceCriteria, near: fullquantum.SteadyState | None = None
           ) -> fullquantum.SteadyState:
    """One solve of a row; ``near``: a state of the same model at other cutoffs, GMRES's
    start (the same state to the solver's tolerance in fewer iterations)."""
    with warnings.catch_warnings():  # truncation is judged by the refinement, not the warning
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        return fullquantum.solve(point, cutoffs=cutoffs, hamiltonian=hamiltonian, method=criteria.method,
                                 memory_budget_bytes=criteria.memory_budget_bytes,
                                 initial_state=near if criteria.method == "structured" else None)


def approximation_row(design: dict, G0: float, direction: str = "ccw",
                      bath: str = "brownian", criteria: DeviceCriteria | None = None,
                      progress: Callable[[str], None] | None = None) -> dict:
    """Truncation and approximation error of the Gaussian E_N at one design and G0.

    The nonlinear model's cutoffs c are converged for this row
    (:func:`~omxval.compare.studies.validity.adaptive_cutoffs`). Then, at c and at c + 1 (every
    cutoff raised by one), with E_N the exact log-negativity (ln) of the Fock states:

    * truncation error = E_N(linearized Fock, c) − E_N(Lyapunov): the two describe the same
      quadratic Hamiltonian (docs/conventions.md §5), so this is numerics only;
    * approximation error = E_N(nonlinear, c) − E_N(linearized Fock, c): the cost of the
      linearization, with the truncation of both models largely cancelling.

    The row is ``converged`` when the adaptive refinement converged and the approximation
    error changes by at most ``criteria.estimator_tolerance`` (relative) from c to c + 1;
    otherwise ``unconverged`` and its errors are NaN, never numbers (docs/paper_device.md §3).

    Parameters
    ----------
    design : dict
        Keyword arguments of :func:`omxval.linear.design_point` except G0, direction and
        bath (units of ω_m).
    G0 : float
        Single-photon coupling G0/ω_m, > 0.
    direction, bath
        Drive and mechanical bath.
    criteria : DeviceCriteria
    progress : callable, optional
        One line per solve inside the row (the cutoff search, then the four solves at c and
        c + 1): a row at d ≈ 1500 takes most of an hour on one core.

    Returns
    -------
    dict
        ``status`` ("converged", "unconverged", "unstable", "failed"), ``message``, ``G0``,
        cutoffs ``N_ccw``, ``N_cw``, ``N_m``, dimension ``d``, ``solves``, ``E_N Lyapunov``,
        ``E_N linearized Fock``, ``E_N nonlinear``, ``truncation error``,
        ``approximation error``, ``relative approximation error``, the same five with
        suffix `` (c+1)``, ``estimator change`` (relative), ``<dq>`` (fluctuation mean of
        q in the nonlinear state), ``non-Gaussianity``, ``max top population`` and
        ``seconds``. A failure is a row with its message, not an exception.
    """
    crit = criteria or DeviceCriteria()
    t0 = time.perf_counter()
    row: dict = {"status": "failed", "message": "", "G0": float(G0)}
    say = sink(progress)
    try:
        point = linear.design_point(**design, G0=G0, direction=direction, bath=bath)
        lyap = linear.analyze(point)
        row["E_N Lyapunov"] = lyap.log_negativity_gaussian
        if not lyap.stable:
            row.update(status="unstable", message=f"max Re λ(A) = {lyap.max_growth_rate:.3g}")
            return _finish(row, t0)
        fit = adaptive_cutoffs(point, "nonlinear",
                               start=gaussian_cutoffs(point, tol=crit.start_tail),
                               V_tolerance=crit.V_tolerance,
                               log_negativity_tolerance=crit.log_negativity_tolerance,
                               max_passes=crit.max_passes, method=crit.method,
                               memory_budget_bytes=crit.memory_budget_bytes, progress=say)
        c = fit.cutoffs
        row.update({"N_ccw": c[0], "N_cw": c[1], "N_m": c[2], "d": int(np.prod(c)),
                    "solves": fit.solves})
        if not fit.converged:
            row.update(status="unconverged", message=fit.reason)
            return _finish(row, t0)
        raised = tuple(n + 1 for n in c)
        try:
            states = {("nonlinear", ""): fit.state}
            if fit.linearized_state is not None:  # the search's climb solved it already
                states["linearized", ""] = fit.linearized_state
            # Each solve at c + 1 starts from its model's state at c.
            for model, cut, suffix in (("linearized", c, ""), ("nonlinear", raised, " (c+1)"),
                                       ("linearized", raised, " (c+1)")):
                if (model, suffix) in states:
                    say(f"estimator: {model} model at cutoffs {cut} (d = {np.prod(cut)}): "
                        "the cutoff search's state")
                    continue
                near = states.get((model, "")) if suffix else None
                states[model, suffix] = _solve(point, cut, model, crit, near)
                say(f"estimator: {model} model at cutoffs {cut} (d = {np.prod(cut)}), "
                    f"{states[model, suffix].timings.total_s:.0f} s")
        except fullquantum.MemoryBudgetError:
            row.update(status="unconverged", message=f"the check at cutoffs {raised} "
                       "exceeds the memory budget")
            return _finish(row, t0)
        values = {}
        for suffix in ("", " (c+1)"):
            nl = states["nonlinear", suffix].log_negativity_exact
            lin = states["linearized", suffix].log_negativity_exact
            values.update({f"E_N linearized Fock{suffix}": lin, f"E_N nonlinear{suffix}": nl,
                           f"truncation error{suffix}": lin - lyap.log_negativity_gaussian,
                           f"approximation error{suffix}": nl - lin,
                           f"relative approximation error{suffix}":
                               (nl - lin) / lyap.log_negativity_gaussian})
        approx, approx_up = values["approximation error"], values["approximation error (c+1)"]
        change = abs(approx_up - approx) / abs(approx_up) if approx_up != 0 else np.inf
        s = fit.state
        row.update({"estimator change": change, "<dq>": float(s.means[4]),
                    "max abs dV": max_abs_difference(s.V, states["linearized", ""].V),
                    "non-Gaussianity": s.non_gaussianity,
                    "max top population": max(s.top_populations)})
        if change > crit.estimator_tolerance:
            row.update(status="unconverged",
                       message=f"the approximation error changes by {change:.1%} when every "
                               f"cutoff is raised by one ({approx:.3e} at {c}, "
                               f"{approx_up:.3e} at {raised})")
            return _finish(row, t0)
        row.update(status="converged", **values)
    except Exception as exc:  # a failed row is a row with its error, never a crash
        row.update(status="failed", message=f"{type(exc).__name__}: {exc}")
    return _finish(row, t0)


def _finish(row: dict, t0: float) -> dict:
    row["seconds"] = time.perf_counter() - t0
    return row


# --- 3. the ladder, resumable ------------------------------------------------------------------
def row_key(point: PaperPoint, G0: float, criteria: DeviceCriteria,
            version: str = __version__) -> str:
    """Cache key of one row: everything that determines it, and the omxval version that
    computed it (the hash-keyed format of :mod:`omxval.compare.studies.maps`; ``version``
    other than this one: the key of rows that an earlier release shipped)."""
    payload = {"study": STUDY, "design": point.design, "G0": float(G0),
               "direction": point.direction, "bath": point.bath,
               "criteria": dataclasses.asdict(criteria), "omxval": version}
    text = json.dumps(payload, sort_keys=True, default=float)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _row_task(task: tuple[str, str, dict, float, str, str], criteria: DeviceCriteria,
              progress: Callable[[str], None] | None = None) -> tuple[str, dict]:
    """One row in a worker (:func:`~omxval.compare.studies.maps.map_points` gives it one BLAS
    thread: parallelism belongs to rows); ``progress`` receives its solves, prefixed with
    the row."""
    key, name, design, G0, direction, bath = task
    say = None if progress is None else (lambda m: progress(f"{name}, G0 = {G0:g}: {m}"))
    return key, {"point": name,
                 **approximation_row(design, G0, direction, bath, criteria, say)}


def device_rows(points: Sequence[PaperPoint], G0: Sequence[float], *,
                on_row: Callable[[str, dict], None], skip: Collection[str] = (),
                criteria: DeviceCriteria | None = None, engine: str = "serial",
                num_cpus: int | None = None,
                progress: Callable[[str], None] | None = None) -> None:
    """Compute the (point, G0) rows whose key is not in ``skip``; each goes to ``on_row``.

    Parameters
    ----------
    points : sequence of PaperPoint
    G0 : sequence of float
        The ladder (units of ω_m).
    on_row : callable
        ``on_row(key, row)`` in this process as each row finishes (:func:`row_key`). A row
        whose worker process died is a ``failed`` row with the reason.
    skip : collection of str
        Keys of rows already known (not computed).
    criteria : DeviceCriteria
    engine : {"serial", "parallel", "loky", "mpi"}
        The map engine (:func:`omxval.compare.studies.maps.map_points`).
    num_cpus : int, optional
        Workers of the parallel engines.
    progress : callable, optional
        One line per finished row, with an ETA weighted by each row's predicted cost
        (:func:`row_cost`), and one line per solve inside a row. Parallel engines pass it
        to their workers when it can be pickled (a module-level function); otherwise the
        workers stay silent.
    """
    check_engine(engine)
    crit = criteria or DeviceCriteria()
    todo = [t for t in row_tasks(points, G0, crit) if t[0] not in skip]
    costs = {p.name: row_cost(p, crit) for p in points}
    count = Counter(len(todo), progress, weights=[costs[t[1]] for t in todo])
    inner = progress if engine == "serial" or _picklable(progress) else None

    def record(result: tuple[str, dict]) -> None:
        key, row = result
        on_row(key, row)
        approx = row.get("approximation error", np.nan)
        count.step(f"{row['point']}, G0 = {row['G0']:g}: {row['status']}"
                   + (f", approximation error {approx:.3e}" if np.isfinite(approx) else "")
                   + (f" ({row['seconds']:.0f} s)" if "seconds" in row else "")
                   + (f": {row['message']}" if row["status"] == FAILED else ""))

    if todo:
        map_points(_row_task, todo, task_args=(crit, inner), engine=engine,
                   num_cpus=num_cpus, reduce_func=record, on_lost=_lost_row)


def _picklable(obj) -> bool:
    try:
        pickle.dumps(obj)
    except Exception:  # lambdas, closures, bound methods of unpicklable objects
        return False
    return True


def row_cost(point: PaperPoint, criteria: DeviceCriteria | None = None) -> float:
    """Predicted relative cost of a row of ``point``: d² at the first cutoffs of its search
    (:func:`~omxval.compare.studies.convergence.gaussian_cutoffs` of the Lyapunov state,
    which does not depend on G0 at a fixed design), the growth of a structured solve
    (docs/paper_device.md §7: d = 468–646 took 3.6–19 min, d = 1296–1512 took 29–50 min).
    It weights the ETA; it is not a time."""
    crit = criteria or DeviceCriteria()
    start = gaussian_cutoffs(linear.design_point(**point.design, G0=DEFAULT_G0[0],
                                                 direction=point.direction, bath=point.bath),
                             tol=crit.start_tail)
    return float(np.prod(start)) ** 2


def row_tasks(points: Sequence[PaperPoint], G0: Sequence[float], criteria: DeviceCriteria,
              version: str = __version__) -> list[tuple[str, str, dict, float, str, str]]:
    """Every (key, name, design, G0, direction, bath) of the ladder: points in the given
    order, G0 increasing (keys of ``version``, :func:`row_key`)."""
    ladder = sorted({float(g) for g in G0})
    return [(row_key(p, g, criteria, version), p.name, p.design, g, p.direction, p.bath)
            for p in points for g in ladder]


def _lost_row(task: tuple, reason: str) -> tuple[str, dict]:
    """The ``failed`` row of a row whose worker died (computed again by the next run)."""
    key, name, _, G0, _, _ = task
    return key, {"point": name, "G0": G0, "status": FAILED, "message": reason}


def rows_table(points: Sequence[PaperPoint], G0: Sequence[float], rows: dict[str, dict],
               criteria: DeviceCriteria | None = None,
               version: str = __version__) -> pd.DataFrame:
    """The ladder's rows found in ``rows`` (by key of ``version``), points in order, G0
    increasing."""
    found = [rows[t[0]] for t in row_tasks(points, G0, criteria or DeviceCriteria(), version)
             if t[0] in rows]
    table = pd.DataFrame(found)
    # Every column of a converged row, also when no row (or no converged row) is there yet.
    for col in ROW_COLUMNS:
        if col not in table:
            table[col] = pd.Series(dtype=object if col in ("point", "status", "message")
                                   else float)
    return table


#: Columns of a ladder row (:func:`approximation_row`, with the point's name).
ROW_COLUMNS: tuple[str, ...] = (
    "point", "status", "message", "G0", "E_N Lyapunov", "N_ccw", "N_cw", "N_m", "d", "solves",
    *(f"{name}{suffix}" for suffix in ("", " (c+1)")
      for name in ("E_N linearized Fock", "E_N nonlinear", "truncation error",
                   "approximation error", "relative approximation error")),
    "estimator change", "<dq>", "max abs dV", "non-Gaussianity", "max top population",
    "seconds")


def check_ladder(G0: Sequence[float]) -> tuple[float, ...]:
    """The G0 ladder sorted, or an InputError: at least 3 distinct values in (0, 1] (units
    of ω_m), enough for a fit with an uncertainty."""
    try:
        ladder = tuple(sorted({float(g) for g in G0}))
    except (TypeError, ValueError):
        raise InputError(f"G0 must be a sequence of numbers; got {G0!r}") from None
    if len(ladder) < 3 or not all(np.isfinite(g) and 0 < g <= 1 for g in ladder):
        raise InputError(f"G0 must list at least 3 distinct values in (0, 1] (units of "
                         f"omega_m) for a fit with an uncertainty; got {G0!r}")
    return ladder


# --- 4. fits and the prediction at the paper's G0 ----------------------------------------------
@dataclass(frozen=True)
class PointAnalysis:
    """The fits and the prediction at the paper's G0 for one operating point.

    Attributes
    ----------
    point : PaperPoint
    rows : DataFrame
        The point's rows (every status), G0 increasing.
    fit, fit_raised : PowerLawFit or None
        Power law of |approximation error| against G0 on the converged rows, at the
        converged cutoffs c and at c + 1 (None with fewer than 3 converged rows).
    leading, leading_raised : LeadingOrderFit or None
        The leading-order fit, at c and at c + 1.
    verdict : str
        One sentence generated from the numbers.
    direct : DirectCoefficient or None
        c2 computed directly by perturbation theory (:func:`direct_coefficient`), if known.
    """

    point: PaperPoint
    rows: pd.DataFrame
    fit: PowerLawFit | None
    fit_raised: PowerLawFit | None
    leading: LeadingOrderFit | None
    leading_raised: LeadingOrderFit | None
    verdict: str
    direct: DirectCoefficient | None = None

    @property
    def converged(self) -> pd.DataFrame:
        """The converged rows."""
        return self.rows[self.rows["status"] == "converged"]

    @property
    def power_law(self) -> Prediction | None:
        """|approximation error| at the paper's G0 from the power law (cutoffs c)."""
        return None if self.fit is None else self.fit.predict(self.point.G0)

    @property
    def leading_order(self) -> Prediction | None:
        """|approximation error| at the paper's G0 from the leading order (cutoffs c)."""
        return None if self.leading is None else self.leading.predict(self.point.G0)

    @property
    def direct_agrees(self) -> bool | None:
        """Whether the direct c2 and the ladder's leading-order c2 agree: |c2 direct| and
        the fit's c2 differ by at most twice their combined uncertainties (the direct
        route's truncation uncertainty, the fit's standard error) plus the fit's own change
        at cutoffs c + 1. None when either is missing or the direct c2 is unconverged."""
        if self.direct is None or self.leading is None or not self.direct.usable:
            return None
        ladder = self.leading.c2
        spread = (2 * float(np.hypot(self.direct.uncertainty, self.leading.c2_stderr))
                  + abs(ladder - self.leading_raised.c2))
        return bool(abs(abs(self.direct.c2) - ladder) <= spread)

    @property
    def word(self) -> str:
        """The verdict word (:data:`~omxval.compare.studies.verdicts.VERDICTS`): ``agree``
        when the bound :attr:`upper` lies below half a unit of the paper's printed fourth
        decimal (:data:`PRINTED_PRECISION`, docs/paper_device.md §5), ``disagree`` above it;
        without a fit or a usable direct c2 ``unconverged`` or ``failed`` when such rows are
        why, else ``incomplete`` (rows not computed yet)."""
        if self.fit is not None or (self.direct is not None and self.direct.usable):
            return "agree" if self.upper < PRINTED_PRECISION else "disagree"
        statuses = set(self.rows["status"]) if len(self.rows) else set()
        return next((w for w in ("unconverged", FAILED) if w in statuses), "incomplete")

    @property
    def upper(self) -> float:
        """The bound the verdict uses (docs/paper_device.md §5): where the direct c2 agrees
        with the ladder (or there is no ladder), the upper end of c2·G0² at the paper's G0
        with its truncation uncertainty — no extrapolation; otherwise the largest upper
        band end of the four ladder predictions (both fits, at c and c + 1), and of the
        direct one if it disagrees. NaN without either."""
        direct = (self.direct.prediction(self.point.G0).high
                  if self.direct is not None and self.direct.usable else None)
        if self.fit is None:
            return float("nan") if direct is None else direct
        if self.direct_agrees:
            return direct
        ladder = max(f.predict(self.point.G0).high for f in
                     (self.fit, self.fit_raised, self.leading, self.leading_raised))
        return ladder if direct is None else max(ladder, direct)


def analyse_point(point: PaperPoint, rows: pd.DataFrame,
                  direct: DirectCoefficient | None = None) -> PointAnalysis:
    """Fit the converged rows of ``point`` and predict the error at the paper's G0.

    Parameters
    ----------
    point : PaperPoint
    rows : DataFrame
        The point's ladder rows (:func:`rows_table`), any status; may be empty.
    direct : DirectCoefficient, optional
        c2 computed directly (:func:`direct_coefficient`): shown beside the fit, and the
        verdict's bound where the two agree (:attr:`PointAnalysis.upper`).
    """
    if direct is not None and direct.point != point.name:
        raise InputError(f"direct coefficient of {direct.point!r} given for point "
                         f"{point.name!r}")
    rows = rows.sort_values("G0").reset_index(drop=True) if len(rows) else rows
    ok = rows[rows["status"] == "converged"] if len(rows) else rows
    if len(ok) < 3:
        a = PointAnalysis(point, rows, None, None, None, None, "", direct)
        verdict = (f"{point.label}: only {len(ok)} converged row(s); a fit with an uncertainty "
                   "needs at least 3, so the ladder predicts nothing.")
        if direct is not None:
            verdict += " " + _direct_sentence(a)
        return dataclasses.replace(a, verdict=verdict)
    errors = ok["approximation error"], ok["approximation error (c+1)"]
    a = PointAnalysis(point, rows, *(fit_power_law(ok["G0"], np.abs(e)) for e in errors),
                      *(fit_leading_order(ok["G0"], np.abs(e)) for e in errors), verdict="",
                      direct=direct)
    return dataclasses.replace(a, verdict=_verdict(a))


def device_verdicts(analyses: Sequence[PointAnalysis], ladder: Sequence[float]
                    ) -> pd.DataFrame:
    """One verdict row per operating point: the answer to "can the paper's Gaussian E_N be
    trusted at its own device?" (docs/paper_device.md §5).

    Returns
    -------
    DataFrame
        ``point``, ``question``, ``verdict`` (:attr:`PointAnalysis.word`), ``evidence`` (the
        prediction at the paper's G0 with its band, or what is missing), ``abs error at
        paper G0`` (leading order), ``upper bound`` (the verdict's bound,
        :attr:`PointAnalysis.upper`) and ``relative upper bound`` (NaN without a fit).
    """
    rows = []
    for a in analyses:
        missing = [g for g in ladder if not len(a.rows) or g not in set(a.rows["G0"])]
        d = a.direct if a.direct is not None and a.direct.usable else None
        if a.fit is not None:
            lo = a.leading_order
            evidence = (f"|ΔE_N| at the paper's G0 = {a.point.G0:.3g} ω_m: {lo.value:.3g} "
                        f"(leading order, {BAND_LEVEL:.0%} band [{lo.low:.3g}, {lo.high:.3g}]), "
                        f"at most {a.upper:.3g} against {PRINTED_PRECISION:g}, half a unit of "
                        f"the printed E_N = {a.point.log_negativity:.4f}; "
                        f"{len(a.converged)} converged rows")
        else:
            evidence = f"{len(a.converged)} converged row(s); a fit needs 3"
        if d is not None:
            agree = {True: "agrees with the ladder: no extrapolation needed",
                     False: "disagrees with the ladder", None: "no ladder to check"}
            evidence += (f"; direct c2 = {d.c2:.5f} ± {d.uncertainty:.5f} at cutoffs "
                         f"{d.cutoffs} ({agree[a.direct_agrees]}), |ΔE_N| = "
                         f"{d.prediction(a.point.G0).value:.3g}")
        if missing:
            evidence += f"; not computed: G0 = {', '.join(f'{g:g}' for g in missing)}"
        rows.append({"point": a.point.name,
                     "question": f"paper's device, {a.point.label}: Gaussian E_N to the "
                                 f"printed precision",
                     "verdict": a.word, "evidence": evidence,
                     "abs error at paper G0": (a.leading_order.value if a.fit is not None
                                               else d.prediction(a.point.G0).value
                                               if d is not None else np.nan),
                     "upper bound": a.upper,
                     "relative upper bound": a.upper / a.point.log_negativity,
                     "direct c2": np.nan if d is None else d.c2})
    return pd.DataFrame(rows)


def curvature(a: PointAnalysis) -> float:
    """c4·G0²/c2 at the top of the ladder: how far the ladder is from the pure G0² regime
    (why a free power law returns p > 2 there, docs/paper_device.md §4)."""
    return a.leading.c4 * float(a.converged["G0"].max()) ** 2 / a.leading.c2


def _verdict(a: PointAnalysis) -> str:
    """The verdict sentence: the largest upper band end of the predictions against half a
    unit of the paper's printed fourth decimal (docs/paper_device.md §5)."""
    point, ok, upper = a.point, a.converged, a.upper
    rel = upper / point.log_negativity
    sign = "lowers" if (ok["approximation error"] < 0).all() else (
        "raises" if (ok["approximation error"] > 0).all() else "changes")
    decades = np.log10(PRINTED_PRECISION / upper)
    judged = (f"{decades:.0f} orders of magnitude below half a unit of the paper's fourth "
              f"decimal ({PRINTED_PRECISION:g}): the linearization does not limit the paper's "
              f"E_N = {point.log_negativity:.4f} at its own parameters"
              if upper < PRINTED_PRECISION else
              f"above half a unit of the paper's fourth decimal ({PRINTED_PRECISION:g}): the "
              f"linearization may change the printed E_N = {point.log_negativity:.4f}")
    text = (f"{point.label}: the nonlinear model {sign} E_N at every G0 of the ladder "
            f"(|error| = {a.leading.c2:.4f}·G0² + {a.leading.c4:.2g}·G0⁴; free power law "
            f"G0^{a.fit.exponent:.2f}±{a.fit.exponent_stderr:.2f}); at the paper's "
            f"G0 = {point.G0:.3g} ω_m the predicted |error| is "
            f"{a.leading_order.value:.3g} (leading order) and at most {upper:.3g} "
            f"(relative {rel:.1e}; upper end of the {BAND_LEVEL:.0%} bands of both fits at "
            f"cutoffs c and c + 1), {judged}.")
    return text if a.direct is None else f"{text} {_direct_sentence(a)}"


def _direct_sentence(a: PointAnalysis) -> str:
    """What the direct c2 says, and whether the verdict needs the ladder's extrapolation."""
    d = a.direct
    pred = d.prediction(a.point.G0)
    text = (f"Perturbation theory in G0 (docs/perturbative.md §11) gives c2 = {d.c2:.5f} ± "
            f"{d.uncertainty:.5f} directly ({d.status} at cutoffs {d.cutoffs}, {d.solves} "
            f"linear solves), |ΔE_N| = {pred.value:.3g} at the paper's G0")
    if not d.usable:
        return text + "; its cutoffs did not converge, so the verdict does not use it."
    agrees = a.direct_agrees
    if agrees is None:
        return (text + f": with no ladder fit to check it against, the verdict's bound is "
                f"{pred.high:.3g}.")
    if agrees:
        return (text + f", agreeing with the ladder's c2 = {a.leading.c2:.5f} ± "
                f"{a.leading.c2_stderr:.5f}: the verdict's bound {pred.high:.3g} needs no "
                f"extrapolation.")
    return (text + f", which does NOT agree with the ladder's c2 = {a.leading.c2:.5f} ± "
            f"{a.leading.c2_stderr:.5f}: the verdict takes the larger bound of the two.")


def points_table(pts: Sequence[PaperPoint]) -> pd.DataFrame:
    """One row per operating point: where it is, its design and its Lyapunov state."""
    return pd.DataFrame([{
        "point": p.name, "direction": p.direction, "Omega [rad/s]": p.Omega,
        "J/kappa": p.J_over_kappa, "Delta_c [omega_m]": p.Delta_c,
        "E_N Lyapunov": p.log_negativity, "G0 paper [omega_m]": p.G0,
        "N_d (mean field)": p.photons,
        **{f"{k} [omega_m]" if k != "n_m" else k: v for k, v in p.design.items()},
        **{f"fluctuation quanta {k}": v for k, v in p.fluctuation_quanta.items()}}
        for p in pts])


def fits_table(analyses: Sequence[PointAnalysis]) -> pd.DataFrame:
    """One row per operating point: fits (at cutoffs c and c + 1) and predictions at the
    paper's G0 with their band ends."""
    rows = []
    for a in analyses:
        r = {"point": a.point.name, "converged rows": len(a.converged),
             "E_N paper": a.point.log_negativity, "G0 paper": a.point.G0}
        if a.fit is not None:
            r.update({"exponent p": a.fit.exponent, "p s.e.": a.fit.exponent_stderr,
                      "prefactor a": a.fit.prefactor, "a s.e.": a.fit.prefactor_stderr,
                      "p at cutoffs+1": a.fit_raised.exponent,
                      "p s.e. at cutoffs+1": a.fit_raised.exponent_stderr,
                      "c2": a.leading.c2, "c2 s.e.": a.leading.c2_stderr, "c4": a.leading.c4,
                      "c2 at cutoffs+1": a.leading_raised.c2,
                      "c4 G0max^2 / c2": curvature(a)})
            for name, pred in (("power law", a.power_law), ("leading order", a.leading_order)):
                r.update({f"|error| {name}": pred.value, f"{name} low": pred.low,
                          f"{name} high": pred.high})
            r.update({"|error| upper bound": a.upper,
                      "relative leading order": a.leading_order.value / a.point.log_negativity,
                      "relative upper bound": a.upper / a.point.log_negativity})
        if a.direct is not None:
            d = a.direct
            r.update({"c2 direct": d.c2, "c2 direct uncertainty": d.uncertainty,
                      "c2 direct cutoffs": "×".join(map(str, d.cutoffs)),
                      "c2 direct status": d.status, "c2 direct seconds": d.seconds,
                      "direct agrees with ladder": a.direct_agrees,
                      "|error| direct": d.prediction(a.point.G0).value})
        rows.append(r)
    return pd.DataFrame(rows)


# --- 5. the direct route: c2 by perturbation theory (docs/perturbative.md §11) ----------------
#: Statuses of a direct c2 that the verdict may use ("unconverged": cutoffs still moving).
DIRECT_USABLE: tuple[str, ...] = ("converged", "fixed")


@dataclass(frozen=True)
class DirectCoefficient:
    """c2 of the exact E_N at one operating point, computed directly (no ladder, no fit).

    E_N(G0) = E_N(ρ0) + c2·G0² + O(G0⁴) at fixed (Δ̃_c, |G_d|) (docs/perturbative.md
    Eqs. P12–P14; even in G0, docs/paper_device.md §4), from three linear solves with the
    linearized generator at converged cutoffs
    (:func:`omxval.perturbative.leading_coefficient`).

    Attributes
    ----------
    point : str
        The operating point's name (``fig2-ccw``, …).
    c2 : float
        Per (G0/ω_m)²; negative where the nonlinearity lowers E_N (the ladder reports
        |ΔE_N|, so its fitted c2 is −c2).
    uncertainty : float
        Truncation uncertainty of c2: its change at the last cutoff step (≥ 0).
    cutoffs : tuple of int
        The cutoffs of c2 (N_ccw, N_cw, N_m).
    status : {"converged", "fixed", "unconverged"}
        From the cutoff convergence of c2 ("fixed": cutoffs given, the uncertainty then
        comes from one step below them).
    seconds : float
        Wall time of the computation (one core).
    solves : int
        Linear solves with the linearized generator.
    """

    point: str
    c2: float
    uncertainty: float
    cutoffs: tuple[int, ...]
    status: str
    seconds: float = float("nan")
    solves: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "c2", check_real("c2", self.c2))
        object.__setattr__(self, "uncertainty", check_real("uncertainty", self.uncertainty,
                                                           low=0.0))
        object.__setattr__(self, "cutoffs", tuple(int(c) for c in self.cutoffs))
        if self.status not in DIRECT_USABLE + ("unconverged",):
            raise InputError(f"direct coefficient status must be one of "
                             f"{DIRECT_USABLE + ('unconverged',)}; got {self.status!r}")

    @property
    def usable(self) -> bool:
        """Whether the verdict may use it (its cutoffs converged, or were given)."""
        return self.status in DIRECT_USABLE

    def prediction(self, G0: float) -> Prediction:
        """|ΔE_N| = |c2|·G0² at ``G0`` (units of ω_m), band ± uncertainty·G0² (Eq. P14;
        the O(G0⁴) rest is below 1e-20 at the paper's G0)."""
        g2 = float(G0) ** 2
        value = abs(self.c2) * g2
        return Prediction(value, max(value - self.uncertainty * g2, 0.0),
                          value + self.uncertainty * g2, float("nan"))

    def to_dict(self) -> dict:
        """Plain dict (JSON): :meth:`from_dict` restores an equal object."""
        out = dataclasses.asdict(self)
        out["cutoffs"] = list(self.cutoffs)
        return out

    @classmethod
    def from_dict(cls, values: dict) -> "DirectCoefficient":
        """The object :meth:`to_dict` wrote."""
        return cls(**values)


#: G0 (units of ω_m) at which the direct route builds the point: any value gives the same
#: Gaussian model at fixed (Δ̃_c, |G_d|) (§5 of the conventions); c2 is per G0².
DIRECT_G0 = 0.05


def direct_coefficient(point: PaperPoint, *, cutoffs: Sequence[int] | None = None,
                       rtol: float = 0.02, max_steps: int = 6,
                       options: fullquantum.StructuredOptions | None = None
                       ) -> DirectCoefficient:
    """c2 of the exact E_N at ``point`` by perturbation theory in G0 (docs/perturbative.md
    §11, Eqs. P12–P14), with its truncation uncertainty.

    Parameters
    ----------
    point : PaperPoint
        An operating point of :func:`paper_points` with a nonzero Gaussian E_N.
    cutoffs : (int, int, int), optional
        Fixed cutoffs (N_ccw, N_cw, N_m), each ≥ 3: c2 there, its uncertainty from one step
        below them (status "fixed"). Default: from the ladder's first cutoffs (the Gaussian
        state's Fock tails at :attr:`DeviceCriteria.start_tail`), every cutoff raised by one
        until c2 changes by less than ``rtol`` (status "converged" or "unconverged").
    rtol : float
        Relative change of c2 at which the cutoffs count as converged, in (0, 1).
    max_steps : int
        Most cutoff steps of the search, ≥ 1.
    options : fullquantum.StructuredOptions, optional
        Settings of the linear solves.

    Returns
    -------
    DirectCoefficient
        c2 per (G0/ω_m)² of the (driven mode, mechanics) pair.
    """
    t0 = time.perf_counter()
    op = point.operating_point(DIRECT_G0)
    if cutoffs is not None:
        fixed = fullquantum.check_cutoffs(cutoffs, "cutoffs")
        if min(fixed) < 3:
            raise InputError(f"cutoffs must each be >= 3 (one step below them gives the "
                             f"uncertainty); got {fixed}")
        res = perturbative.leading_coefficient(op, start=tuple(c - 1 for c in fixed),
                                               rtol=rtol, max_steps=1, options=options)
        status = "fixed"
    else:  # the ladder's first cutoffs (Gaussian tails at start_tail), then one up a step
        start = gaussian_cutoffs(op, tol=DeviceCriteria().start_tail)
        res = perturbative.leading_coefficient(op, start=start, rtol=rtol,
                                               max_steps=max_steps, options=options)
        status = res.status
    if res.variable != "G0":  # an OperatingPoint's series variable is G0/ω_m (Eq. P14)
        raise RuntimeError(f"expected the series variable G0, got {res.variable!r}")
    return DirectCoefficient(point.name, res.c2, res.uncertainty, res.cutoffs, status,
                             time.perf_counter() - t0, res.solves)


def direct_key(point: PaperPoint, rtol: float = 0.02, max_steps: int = 6,
               version: str = __version__) -> str:
    """Cache key of a point's direct c2 (the journal of the ladder's rows holds both)."""
    payload = {"study": STUDY, "route": "direct", "design": point.design,
               "direction": point.direction, "bath": point.bath, "rtol": float(rtol),
               "max_steps": int(max_steps), "omxval": version}
    text = json.dumps(payload, sort_keys=True, default=float)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _direct_task(task: tuple[str, PaperPoint], rtol: float, max_steps: int
                 ) -> tuple[str, dict]:
    """One point's direct c2 in a worker (one BLAS thread: parallelism belongs to points);
    a failure is a row with its message, never an exception."""
    key, point = task
    try:
        d = direct_coefficient(point, rtol=rtol, max_steps=max_steps)
        return key, {"point": point.name, "route": "direct", "status": d.status,
                     "direct": d.to_dict()}
    except Exception as exc:  # noqa: BLE001 - one point's failure is that point's row
        return key, {"point": point.name, "route": "direct", "status": FAILED,
                     "message": f"{type(exc).__name__}: {exc}"}


def _lost_direct(task: tuple[str, PaperPoint], reason: str) -> tuple[str, dict]:
    return task[0], {"point": task[1].name, "route": "direct", "status": FAILED,
                     "message": reason}


def direct_coefficients(points: Sequence[PaperPoint], *,
                        on_result: Callable[[str, dict], None], skip: Collection[str] = (),
                        rtol: float = 0.02, max_steps: int = 6, engine: str = "serial",
                        num_cpus: int | None = None,
                        progress: Callable[[str], None] | None = None) -> None:
    """Compute the direct c2 of every point with a nonzero Gaussian E_N whose key
    (:func:`direct_key`) is not in ``skip``; each result row goes to ``on_result(key, row)``
    as it finishes (``row["direct"]`` is :meth:`DirectCoefficient.to_dict`).

    Parameters
    ----------
    points : sequence of PaperPoint
        Points with E_N = 0 are left out (ln‖ρ^T‖₁ has no expansion at its kink).
    on_result : callable
        Called in this process as each point finishes; a point whose worker died is a
        ``failed`` row with the reason.
    skip : collection of str
        Keys already known.
    rtol, max_steps
        As for :func:`direct_coefficient`.
    engine, num_cpus
        The map engine and its workers (:func:`omxval.compare.studies.maps.map_points`).
    progress : callable, optional
        One line per finished point, with an ETA weighted by each point's predicted cost.
    """
    check_engine(engine)
    todo = [(direct_key(p, rtol, max_steps), p) for p in points
            if p.log_negativity > 0 and direct_key(p, rtol, max_steps) not in skip]
    count = Counter(len(todo), progress, weights=[row_cost(p) for _, p in todo])

    def record(result: tuple[str, dict]) -> None:
        key, row = result
        on_result(key, row)
        d = row.get("direct")
        count.step(f"{row['point']}: direct c2 " + (
            f"= {d['c2']:.5f} ± {d['uncertainty']:.5f} at cutoffs {tuple(d['cutoffs'])} "
            f"({d['status']}, {d['seconds']:.0f} s)" if d else f"failed: {row['message']}"))

    if todo:
        map_points(_direct_task, todo, task_args=(rtol, max_steps), engine=engine,
                   num_cpus=num_cpus, reduce_func=record, on_lost=_lost_direct)


def direct_table(points: Sequence[PaperPoint], rows: dict[str, dict], rtol: float = 0.02,
                 max_steps: int = 6, version: str = __version__
                 ) -> dict[str, DirectCoefficient]:
    """The direct c2 of each point found among journal ``rows`` (by :func:`direct_key`)."""
    out = {}
    for p in points:
        row = rows.get(direct_key(p, rtol, max_steps, version))
        if row is not None and "direct" in row:
            out[p.name] = DirectCoefficient.from_dict(row["direct"])
    return out
