"""The exact log-negativity's leading coefficient in the nonlinearity, in a Fock space.

docs/perturbative.md §11 (Eqs. P12–P14). With L(s) = L0 + s·L1 (Eq. P1) on a truncated
Fock space, the steady state is ρ(s) = ρ0 + sρ1 + s²ρ2 + … with (P12)

    L0 ρ0 = 0 (tr ρ0 = 1),   L0 ρ1 = −L1 ρ0,   L0 ρ2 = −L1 ρ1   (tr ρ1 = tr ρ2 = 0),

three solves of the bordered system of :mod:`omxval.fullquantum.structured` with the
linearized generator. The partial transpose X(s) = X0 + sX1 + s²X2 of the pair's reduced
state is Hermitian; second-order perturbation of its trace norm (P13) and E_N = ln‖X‖₁
give E_N(s) = E_N(ρ0) + c2·s² + O(s⁴) (P14; odd orders vanish by parity, P7).

This module imports :mod:`omxval.fullquantum` (hence QuTiP) only inside the functions
that need it, so ``import omxval.perturbative`` stays free of QuTiP.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..errors import InputError, InputTypeError
from ..linear import ModelPoint, OperatingPoint, analyze
from ..linear.cutoffs import gaussian_start_cutoffs
from ..linear.checks import short_repr
from .series import PointLike, as_model_point, stable_result

Pair = tuple[str, str]


@dataclass(frozen=True)
class PairCoefficient:
    """The leading coefficient of one pair's exact E_N (docs/perturbative.md Eq. P14).

    Attributes
    ----------
    pair : (str, str)
        The two modes (the second is partially transposed; the others traced out).
    c2 : float
        E_N(x) = E_N0 + c2·x² + O(x⁴), nats per unit of the series variable squared
        (``LeadingCoefficient.variable``), at the last cutoffs.
    uncertainty : float
        Truncation uncertainty |c2(last cutoffs) − c2(previous cutoffs)|; NaN with fixed
        cutoffs (one evaluation).
    E_N0 : float
        ln‖ρ0^T‖₁, the exact E_N of the linearized model's Fock steady state (nats).
    N1 : float
        First-order coefficient of ‖ρ^T‖₁ (Eq. P13); zero by parity up to the solver's
        tolerance (a check).
    """

    pair: Pair
    c2: float
    uncertainty: float
    E_N0: float
    N1: float

    def __repr__(self) -> str:
        unc = "" if not np.isfinite(self.uncertainty) else f" ± {self.uncertainty:.2g}"
        return (f"PairCoefficient({self.pair[0]}-{self.pair[1]}: c2 = {self.c2:.6g}{unc}, "
                f"E_N0 = {self.E_N0:.6g}, N1 = {self.N1:.1e})")


@dataclass(frozen=True)
class Evaluation:
    """One set of cutoffs of the search: c2 of every pair and the solves' cost.

    Attributes
    ----------
    cutoffs : tuple of int
        Fock cutoffs in mode order.
    c2 : mapping
        Pair → c2 (units of ``LeadingCoefficient.variable``⁻²).
    iterations : tuple of int
        FGMRES iterations of the solves for ρ0, ρ1, ρ2.
    seconds : float
        Wall time of this evaluation (build, three solves, Eq. P13).
    """

    cutoffs: tuple[int, ...]
    c2: Mapping[Pair, float]
    iterations: tuple[int, int, int]
    seconds: float


@dataclass(frozen=True)
class Prediction:
    """c2·s² at one value s of the series variable, with its truncation band.

    Attributes
    ----------
    s : float
        Value of the series variable (``LeadingCoefficient.variable``).
    value : float
        c2·s², the change of E_N from E_N0 (nats).
    low, high : float
        value ∓ uncertainty·s² (NaN where the uncertainty is unknown).
    """

    s: float
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class LeadingCoefficient:
    """Result of :func:`leading_coefficient`.

    Attributes
    ----------
    pairs : tuple of (str, str)
        The pairs computed, in order.
    coefficients : mapping
        Pair → :class:`PairCoefficient`.
    variable : str
        The series variable x of E_N = E_N0 + c2·x²: ``"s"`` (the ladder of
        ``model.scaled(s)``, docs/models.md M7, s = 1 the given model) for a Model or
        ModelPoint, ``"G0"`` (units of ω_m, at fixed design) for the spinning resonator's
        OperatingPoint.
    scale : float
        The point's own value of the variable: 1 for ``"s"``, the point's G0 for ``"G0"``
        (x = scale·s).
    cutoffs : tuple of int
        Cutoffs of the reported c2 (the last evaluation).
    evaluations : tuple of Evaluation
        Every cutoff set tried, in order.
    solves : int
        Linear solves done (three per evaluation).
    status : {"fixed", "converged", "unconverged"}
        Fixed cutoffs given; c2 changed by less than ``rtol`` (relative) at the last step; or
        not within ``max_steps``.
    steps : int
        Cutoff raises done (0 with fixed cutoffs).
    seconds : float
        Wall time of the whole call.
    """

    pairs: tuple[Pair, ...]
    coefficients: Mapping[Pair, PairCoefficient]
    variable: str
    scale: float
    cutoffs: tuple[int, ...]
    evaluations: tuple[Evaluation, ...]
    solves: int
    status: str
    steps: int
    seconds: float

    def _pair(self, pair: Sequence[str] | None) -> PairCoefficient:
        if pair is None:
            return self.coefficients[self.pairs[0]]
        key = tuple(pair)
        if key in self.coefficients:
            return self.coefficients[key]
        if key[::-1] in self.coefficients:
            return self.coefficients[key[::-1]]
        raise InputError(f"pair {pair!r} was not computed; pairs: {list(self.pairs)}")

    @property
    def c2(self) -> float:
        """c2 of the first (or only) pair."""
        return self._pair(None).c2

    @property
    def uncertainty(self) -> float:
        """Truncation uncertainty of the first (or only) pair's c2."""
        return self._pair(None).uncertainty

    def coefficient(self, pair: Sequence[str] | None = None) -> PairCoefficient:
        """The :class:`PairCoefficient` of ``pair`` (default the first)."""
        return self._pair(pair)

    def prediction(self, s: float, pair: Sequence[str] | None = None) -> Prediction:
        """E_N(s) − E_N0 ≈ c2·s² at ``s`` (a value of :attr:`variable`), with its band.

        For the spinning resonator's OperatingPoint ``s`` is G0/ω_m, e.g. the paper's
        7.2e-6; for a model, the ladder variable of ``model.scaled(s)``. No fit is
        involved: the band is the truncation uncertainty of c2 times s².
        """
        if isinstance(s, bool) or not isinstance(s, numbers.Real) or not math.isfinite(s):
            raise InputError(f"s must be a finite real number; got {short_repr(s)}")
        pc = self._pair(pair)
        value = pc.c2 * s * s
        band = pc.uncertainty * s * s
        return Prediction(float(s), float(value), float(value - band), float(value + band))

    def __repr__(self) -> str:
        lines = [f"LeadingCoefficient({self.status}, E_N = E_N0 + c2·{self.variable}², "
                 f"cutoffs {self.cutoffs}, {len(self.evaluations)} evaluation(s), "
                 f"{self.solves} solves, {self.seconds:.1f} s"]
        for p in self.pairs:
            lines.append(f"  {self.coefficients[p]!r}")
        for e in self.evaluations:
            c2 = ", ".join(f"{v:.6g}" for v in e.c2.values())
            lines.append(f"  {e.cutoffs}: c2 = {c2} ({e.seconds:.1f} s)")
        return "\n".join(lines) + ")"


# --- input checks (before any work) ------------------------------------------------------
def _check_positive_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{name} must be an int >= {minimum}; got {short_repr(value)}")
    return int(value)


def _check_real(name: str, value: object, low: float, high: float) -> float:
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not low < float(value) < high):
        raise InputError(f"{name} must be a real number in ({low:g}, {high:g}); "
                         f"got {short_repr(value)}")
    return float(value)


def _check_pair(pair: object, names: tuple[str, ...]) -> Pair:
    if (isinstance(pair, str) or not isinstance(pair, (tuple, list)) or len(pair) != 2
            or pair[0] == pair[1] or any(m not in names for m in pair)):
        raise InputError(f"pair must be two different mode names of the model "
                         f"({', '.join(names)}); got {short_repr(pair)}")
    return (str(pair[0]), str(pair[1]))


def _variable(point: object, mp: ModelPoint) -> tuple[str, float]:
    if isinstance(point, OperatingPoint):
        return "G0", float(point.system.G0)
    return "s", 1.0


def start_cutoffs(point: PointLike, tail: float = 1e-6) -> tuple[int, ...]:
    """First cutoffs of the search, from the Gaussian (Lyapunov) state of ``point``.

    The rule of :func:`omxval.linear.cutoffs.gaussian_start_cutoffs` (also the start of the
    studies' cutoff searches): each mode's fluctuation quanta n̄ give the smallest N whose
    thermal tail (n̄/(n̄ + 1))^N is below ``tail``, at least 2; every driven cavity gets the
    largest cavity estimate.

    Parameters
    ----------
    point : linear.ModelPoint, linear.Model or linear.OperatingPoint
    tail : float
        Thermal-tail tolerance in (0, 1).

    Returns
    -------
    tuple of int
        Cutoffs in mode order (for an OperatingPoint: ccw, cw, mechanics).
    """
    tail = _check_real("tail", tail, 0.0, 1.0)
    mp = as_model_point(point)
    stable_result(mp)  # UnstablePointError, the package's word for it
    return gaussian_start_cutoffs(mp, tail)  # each ≥ 2, fullquantum's MIN_CUTOFF


# --- the Fock-space pieces --------------------------------------------------------------
def reduced_partial_transpose(X: np.ndarray, dims: Sequence[int], pair: tuple[int, int]
                              ) -> np.ndarray:
    """tr_(others) X, partially transposed on the second mode of ``pair`` (a linear map).

    Parameters
    ----------
    X : ndarray (d, d)
        Operator on the tensor product of Fock spaces ``dims`` (d = Π dims).
    dims : sequence of int
    pair : (int, int)
        Mode indices (i, j), i ≠ j; the result acts on mode i ⊗ mode j (in that order),
        transposed on j.

    Returns
    -------
    ndarray (N_i·N_j, N_i·N_j)
    """
    dims = tuple(dims)
    n = len(dims)
    i, j = pair
    T = np.asarray(X).reshape(dims + dims)
    # einsum: keep row/column indices of i and j, contract the others' row with column.
    letters = "abcdefghijklmnopqrstuvwxyz"
    rows = list(letters[:n])
    cols = list(letters[n:2 * n])
    for k in range(n):
        if k not in (i, j):
            cols[k] = rows[k]
    # partial transpose on j: swap its row and column index in the output.
    out = rows[i] + cols[j] + cols[i] + rows[j]
    R = np.einsum("".join(rows) + "".join(cols) + "->" + out, T)
    m = dims[i] * dims[j]
    return R.reshape(m, m)


def trace_norm_series(X0: np.ndarray, X1: np.ndarray, X2: np.ndarray
                      ) -> tuple[float, float, float]:
    """N0, N1, N2 of ‖X0 + sX1 + s²X2‖₁ = N0 + sN1 + s²N2 + O(s³), Hermitian X_k (Eq. P13).

    With X0 = Σ λ_i |i⟩⟨i| (no zero eigenvalue):
    N0 = Σ|λ_i|, N1 = Σ sgn(λ_i)⟨i|X1|i⟩,
    N2 = Σ sgn(λ_i)⟨i|X2|i⟩ + Σ_(i: λ_i > 0, j: λ_j < 0) 2|⟨i|X1|j⟩|²/(λ_i − λ_j)
    (the pairs of one sign cancel exactly, so degeneracies within a sign do no harm).

    Raises
    ------
    InputError
        X0 has an eigenvalue exactly zero: the trace norm is not analytic there. (The tiny
        eigenvalues of a truncated state's tail, ~1e-20, are kept: a pair of them adds
        |⟨i|X1|j⟩|²/(λ_i − λ_j) of their own magnitude, below round-off of N2.)
    """
    lam, U = np.linalg.eigh(0.5 * (X0 + X0.conj().T))
    if np.any(lam == 0):
        raise InputError("the partial transpose of ρ0 has an eigenvalue at zero: its trace "
                         "norm is not analytic in s there (docs/perturbative.md Eq. P13)")
    Y1 = U.conj().T @ X1 @ U
    Y2 = U.conj().T @ X2 @ U
    sgn = np.sign(lam)
    N0 = float(np.sum(np.abs(lam)))
    N1 = float(np.sum(sgn * np.real(np.diag(Y1))))
    pos, neg = lam > 0, lam < 0
    block = np.abs(Y1[np.ix_(pos, neg)]) ** 2
    gaps = lam[pos][:, None] - lam[neg][None, :]
    N2 = float(np.sum(sgn * np.real(np.diag(Y2))) + 2.0 * np.sum(block / gaps))
    return N0, N1, N2


def log_negativity_coefficients(N0: float, N1: float, N2: float) -> tuple[float, float, float]:
    """(E_N0, E_N1, E_N2) of E_N = ln N = ln N0 + s·N1/N0 + s²(N2/N0 − N1²/(2N0²)) + …
    (Eq. P14): E_N2 is c2 per unit s²."""
    return math.log(N0), N1 / N0, N2 / N0 - N1 * N1 / (2.0 * N0 * N0)


@dataclass(frozen=True)
class _Orders:
    """ρ0, ρ1, ρ2 at one set of cutoffs (Eq. P12) and the solves' diagnostics."""

    cutoffs: tuple[int, ...]
    rho: tuple[np.ndarray, np.ndarray, np.ndarray]
    iterations: tuple[int, int, int]
    relative_residuals: tuple[float, float, float]


def perturbation_orders(point: PointLike, cutoffs: Sequence[int], *, options=None,
                        initial: Sequence[np.ndarray] | None = None) -> _Orders:
    """ρ0, ρ1, ρ2 of Eq. P12 at ``cutoffs``: three bordered solves with L0.

    M(X) = L0(X) + tr(X)·I/d with right-hand sides I/d, −L1ρ0, −L1ρ1 (the last two
    traceless, so ρ1, ρ2 are traceless and L0ρ_k = −L1ρ_(k−1) exactly as solved), on the
    bordered system of :mod:`omxval.fullquantum.structured` (one preconditioner set-up for
    the three). L1 = −i[H3, ·], H3 = H_nonlinear − H_linearized (the cubic terms at s = 1).

    Parameters
    ----------
    point : linear.ModelPoint, linear.Model or linear.OperatingPoint
    cutoffs : sequence of int
        In mode order.
    options : fullquantum.StructuredOptions, optional
        Solver tolerance, iterations, threads, memory budget.
    initial : three ndarrays, optional
        Warm starts for ρ0, ρ1, ρ2 (d×d at ``cutoffs``).
    """
    from ..fullquantum.modelterms import model_generator_terms, model_hamiltonian_terms
    from ..fullquantum.structured import StructuredOptions
    from ..fullquantum.structured.accelerator import array_module
    from ..fullquantum.structured.driver import _BorderedSystem, _solve_bordered
    from ..fullquantum.structured.memory import structured_memory
    from ..fullquantum.budget import check_budget
    from ..fullquantum.symbolic import realize

    mp = as_model_point(point)
    cutoffs = tuple(cutoffs)
    opts = StructuredOptions() if options is None else options
    xp = array_module(opts.device)
    check_budget(structured_memory(list(cutoffs), opts), opts.memory_budget)
    gen0 = realize(model_generator_terms(mp, "linearized"), cutoffs)
    H3 = (model_hamiltonian_terms(mp, "nonlinear")
          - model_hamiltonian_terms(mp, "linearized")).build(cutoffs)
    H3 = H3.to("csr").data.as_scipy()
    system = _BorderedSystem(gen0, opts, xp)

    def L1(X: np.ndarray) -> np.ndarray:
        HX = H3 @ X
        return -1j * (HX - (H3.T @ X.T).T)  # −i[H3, X]

    guesses = list(initial) if initial is not None else [None, None, None]
    rho, its, res = [], [], []
    rhs = system.W
    for k in range(3):
        X, n_it, relres = _solve_bordered(system, rhs, guesses[k])
        if k == 0:
            X = X / np.trace(X)
        if system.hermitian:
            X = 0.5 * (X + X.conj().T)
        rho.append(X)
        its.append(n_it)
        res.append(relres)
        rhs = -L1(X)
        rhs = 0.5 * (rhs + rhs.conj().T)
    return _Orders(cutoffs, tuple(rho), tuple(its), tuple(res))


def _embed(X: np.ndarray, dims: tuple[int, ...], cutoffs: tuple[int, ...]) -> np.ndarray:
    from ..fullquantum.steadystate import _embed_fock
    return _embed_fock(X, dims, cutoffs)


def _pair_series(orders: _Orders, index: tuple[int, int]) -> tuple[float, float, float]:
    """(E_N0, N1, c2 per unit s²) of one pair from ρ0, ρ1, ρ2 (Eqs. P13–P14)."""
    X = [reduced_partial_transpose(r, orders.cutoffs, index) for r in orders.rho]
    N0, N1, N2 = trace_norm_series(*X)
    E0, _, E2 = log_negativity_coefficients(N0, N1, N2)
    return E0, N1, E2


def _blas_threads(options, cutoffs: tuple[int, ...]):
    """A temporary limit of BLAS threads: ``options.threads``, else the structured solver's
    default (:func:`~omxval.fullquantum.structured.options.default_threads`)."""
    from threadpoolctl import threadpool_limits

    from ..fullquantum.structured.options import default_threads

    threads = options.threads if options is not None and options.threads else None
    return threadpool_limits(limits=threads or default_threads(int(np.prod(cutoffs))),
                             user_api="blas")


def _default_pairs(point: object, mp: ModelPoint) -> tuple[Pair, ...]:
    lin = analyze(mp)
    pairs = tuple(p for p, v in lin.log_negativities.items() if np.isfinite(v) and v > 0)
    if isinstance(point, OperatingPoint):  # the pair fullquantum's SteadyState reports
        pairs = tuple(p for p in pairs if p == (point.direction, "m"))
    if not pairs:
        raise InputError("no pair of modes is entangled in the Gaussian state at this point "
                         "(E_N = 0 near s = 0, where it is not analytic); name a pair")
    return pairs


def leading_coefficient(point: PointLike, pair: Sequence[str] | None = None, *,
                        cutoffs: Sequence[int] | Mapping[str, int] | None = None,
                        rtol: float = 0.02, tail: float = 1e-6, max_steps: int = 6,
                        options=None, start: Sequence[int] | None = None
                        ) -> LeadingCoefficient:
    """The exact E_N's leading coefficient c2 in the nonlinearity, by perturbation theory in
    a Fock space (docs/perturbative.md §11, Eqs. P12–P14).

    E_N(x) = E_N0 + c2·x² + O(x⁴) for the ``nonlinear`` full-quantum model along the ladder
    of docs/models.md M7, x = scale·s. Three linear solves with the linearized generator
    (P12: ρ0, ρ1, ρ2) and second-order perturbation of ‖ρ^T‖₁ (P13, P14) replace a ladder
    of nonlinear solves and its fit. At given ``cutoffs`` that is all (status "fixed");
    otherwise the cutoffs start from the Gaussian state's thermal tails (``tail``, or
    ``start``) and every cutoff is raised by one per step until c2 of every pair changes by
    less than ``rtol`` relative to its new value.

    Parameters
    ----------
    point : linear.ModelPoint, linear.Model or linear.OperatingPoint
        The model and mean-field branch (a Model: branch 0; the spinning resonator's
        OperatingPoint: its preset model, modes ``ccw``, ``cw``, ``m``). It must be stable.
    pair : (str, str), optional
        Two mode names (the second partially transposed, the others traced out). Default:
        every pair whose Gaussian E_N is nonzero; for an OperatingPoint the pair
        (driven mode, ``m``) that :func:`fullquantum.solve` reports. The search converges
        when every pair has.
    cutoffs : sequence of int or mapping of mode name → int, optional
        Fixed Fock cutoffs in mode order, each ≥ 2: no search, status "fixed", uncertainty
        NaN.
    rtol : float
        Relative change of c2 at one cutoff step that ends the search, in (0, 1).
    tail : float
        Thermal-tail tolerance of the first cutoffs (:func:`start_cutoffs`), in (0, 1).
    max_steps : int
        Most cutoff raises of the search, ≥ 1 (at most max_steps + 1 evaluations).
    options : fullquantum.StructuredOptions, optional
        Settings of the bordered solves (tolerance 1e-11 by default, threads, memory
        budget).
    start : sequence of int, optional
        First cutoffs of the search instead of :func:`start_cutoffs` (not with ``cutoffs``).

    Returns
    -------
    LeadingCoefficient
        ``.c2`` in nats per (unit of ``.variable``)²: per s² for a Model or ModelPoint, per
        (G0/ω_m)² for an OperatingPoint (at fixed design, so independent of the point's G0);
        ``.prediction(x)`` = c2·x² with its band.

    Raises
    ------
    InputTypeError
        ``point`` of the wrong type.
    InputError
        A bad ``pair``, ``cutoffs``, ``start``, ``rtol``, ``tail``, ``max_steps`` or
        ``options`` (checked before any work); no entangled pair by default.
    UnstablePointError
        The linearized model is unstable at the point's branch.
    MemoryBudgetError
        A solve would exceed ``options.memory_budget``.
    SteadyStateConvergenceError
        A bordered solve missed its tolerance.
    """
    t0 = time.perf_counter()
    mp = as_model_point(point)
    names = mp.model.mode_names
    pairs = None if pair is None else (_check_pair(pair, names),)
    rtol = _check_real("rtol", rtol, 0.0, 1.0)
    tail = _check_real("tail", tail, 0.0, 1.0)
    max_steps = _check_positive_int("max_steps", max_steps, 1)
    from ..fullquantum.operators import check_mode_cutoffs  # the one check of Fock cutoffs

    fixed = None if cutoffs is None else check_mode_cutoffs(cutoffs, names, "cutoffs")
    if start is not None:
        if fixed is not None:
            raise InputError("give either cutoffs (fixed, no search) or start (the first "
                             "cutoffs of the search), not both")
        start = check_mode_cutoffs(start, names, "start")
    if options is not None:
        from ..fullquantum.structured import StructuredOptions
        if not isinstance(options, StructuredOptions):
            raise InputTypeError(f"options must be a fullquantum.StructuredOptions or None; "
                                 f"got {short_repr(options)}")
    stable_result(mp)  # UnstablePointError before any Fock work
    if pairs is None:
        pairs = _default_pairs(point, mp)
    index = {p: (mp.model.index(p[0]), mp.model.index(p[1])) for p in pairs}
    variable, scale = _variable(point, mp)

    current = fixed if fixed is not None else (start or start_cutoffs(mp, tail))
    evaluations: list[Evaluation] = []
    results: list[dict[Pair, tuple[float, float, float]]] = []
    previous: _Orders | None = None
    status = "fixed" if fixed is not None else "unconverged"
    steps = 0
    while True:
        t_eval = time.perf_counter()
        initial = None
        if previous is not None:
            initial = [_embed(r, previous.cutoffs, current) for r in previous.rho]
        # The BLAS threads of the solves for all the dense work (L1, P13's eigenproblems), so
        # that c2 is the same bit for bit in a one-thread worker and in the caller.
        with _blas_threads(options, current):
            orders = perturbation_orders(mp, current, options=options, initial=initial)
            per_pair = {}
            for p in pairs:
                E0, N1, c2_s = _pair_series(orders, index[p])
                per_pair[p] = (E0, N1, c2_s / scale ** 2)
        results.append(per_pair)
        evaluations.append(Evaluation(current, MappingProxyType(
            {p: v[2] for p, v in per_pair.items()}), orders.iterations,
            time.perf_counter() - t_eval))
        previous = orders
        if fixed is not None:
            break
        if len(results) > 1:
            done = all(abs(results[-1][p][2] - results[-2][p][2])
                       < rtol * abs(results[-1][p][2]) for p in pairs)
            if done:
                status = "converged"
                break
        if steps >= max_steps:
            break
        current = tuple(n + 1 for n in current)
        steps += 1
    coefficients = {}
    for p in pairs:
        E0, N1, c2 = results[-1][p]
        unc = abs(c2 - results[-2][p][2]) if len(results) > 1 else float("nan")
        coefficients[p] = PairCoefficient(p, float(c2), float(unc), float(E0), float(N1))
    return LeadingCoefficient(
        pairs=tuple(pairs), coefficients=MappingProxyType(coefficients), variable=variable,
        scale=scale, cutoffs=tuple(current), evaluations=tuple(evaluations),
        solves=3 * len(evaluations), status=status, steps=steps,
        seconds=time.perf_counter() - t0)


__all__ = ["leading_coefficient", "LeadingCoefficient", "PairCoefficient", "Evaluation",
           "Prediction", "start_cutoffs", "perturbation_orders", "reduced_partial_transpose",
           "trace_norm_series", "log_negativity_coefficients"]
