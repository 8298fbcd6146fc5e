"""Analysis of one operating point: mean field, stability, covariance and entanglement."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .drift import diffusion_matrix, drift_matrix
from .gaussian import log_negativity
from .lyapunov import solve_lyapunov
from .meanfield import MeanField, steady_states
from .parameters import DIRECTIONS, SYSTEM_FIELDS, Direction, System, blame, check_choice

# Mode index of each optical mode in u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p); mechanics is 2.
OPTICAL_MODE = {"ccw": 0, "cw": 1}
MECHANICAL_MODE = 2


@dataclass(frozen=True)
class PointResult:
    """Gaussian steady state of one branch (units of ω_m).

    Attributes
    ----------
    system, direction, mean_field
        The inputs and the mean-field branch analysed.
    stable : bool
        Every eigenvalue of A has a negative real part.
    max_growth_rate : float
        max Re λ(A); ≥ 0 means unstable.
    A, D : ndarray (6, 6)
        Drift (Eq. 6) and diffusion matrices.
    V : ndarray (6, 6)
        Steady-state covariance (Eq. 11) in the order of CONVENTIONS.md §2; all NaN when
        unstable (there is no steady state).
    log_negativity : float
        E_N between the driven mode and the mechanics (Eq. 12, natural log); NaN when
        unstable.
    """

    system: System
    direction: str
    mean_field: MeanField
    stable: bool
    max_growth_rate: float
    A: np.ndarray
    D: np.ndarray
    V: np.ndarray
    log_negativity: float

    @property
    def branch(self) -> int:
        """Index of the mean-field branch (sorted by increasing G0 q_s)."""
        return self.mean_field.branch

    @property
    def photons(self) -> tuple[float, float]:
        """Intracavity photon numbers (N_ccw, N_cw)."""
        return self.mean_field.photons

    @property
    def coupling(self) -> float:
        """|G_d| = √2 G0 |α_d| of the driven mode, units of ω_m."""
        G = self.mean_field.couplings(self.system.G0)
        return float(abs(G[OPTICAL_MODE[self.direction]]))

    def log_negativity_in(self, base: str = "e") -> float:
        """E_N in natural log (``"e"``) or log2 (``"2"``, QuTiP's logarithmic negativity)."""
        return float(log_negativity(self.V, cut(self.direction), base=base))


def cut(direction: str) -> tuple[int, int]:
    """The (optical, mechanical) mode pair whose entanglement omxval reports (§2)."""
    return OPTICAL_MODE[direction], MECHANICAL_MODE


def analyze(system: System, direction: Direction, branch: int = 0) -> PointResult:
    """Gaussian steady state of one mean-field branch (paper Eqs. 6, 7, 11, 12).

    Parameters
    ----------
    system : System
        Dimensionless parameters.
    direction : {"ccw", "cw"}
        Driven mode; E_N is between this mode and the mechanics.
    branch : int
        Index into :func:`linear.steady_states` (sorted by G0 q_s); 0 is the only branch
        unless the system is multistable.

    Returns
    -------
    PointResult
        ``stable`` False comes with NaN ``V`` and ``log_negativity``; ``stable`` True always
        comes with a finite ``V`` and ``log_negativity``.

    Raises
    ------
    TypeError
        ``branch`` is not an int (bool and float are refused; NumPy integers accepted).
    ValueError
        Unknown ``direction``; ``branch`` out of range (the message gives the valid range);
        or a quantity that overflows float64 at this point (mean field, drift or diffusion
        matrix, or — at a stable point — V or E_N). Such a point is never returned as a
        number: the message names the System fields involved, most extreme first.
    """
    check_choice("direction", direction, DIRECTIONS)
    if isinstance(branch, (bool, np.bool_)) or not isinstance(branch, numbers.Integral):
        raise TypeError(f"branch must be an int (an index into the mean-field branches), "
                        f"got {branch!r}")
    states = steady_states(system, direction)
    if not 0 <= branch < len(states):
        raise ValueError(f"branch must be in [0, {len(states) - 1}] "
                         f"({len(states)} mean-field branch(es) here); got {branch!r}")
    branch = int(branch)
    mf = states[branch]
    values = {name: getattr(system, name) for name in SYSTEM_FIELDS}
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below, by name
        A = drift_matrix(system, mf)
        D = diffusion_matrix(system)
    # Stability of a non-finite A is undecidable (eigvals would raise LinAlgError): refuse.
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(D))):
        raise ValueError("the drift or diffusion matrix overflows float64 at this point; it "
                         f"is computed from {blame(values)} (most extreme first)")
    try:
        growth = float(np.max(np.linalg.eigvals(A).real))
        stable = growth < 0.0
        if stable:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # see below
                V = solve_lyapunov(A, D)
                en = float(log_negativity(V, cut(direction)))
    except np.linalg.LinAlgError as err:  # e.g. a numerically singular Lyapunov operator
        raise ValueError(f"linear algebra failed at this point ({err}): the drift matrix is "
                         f"beyond float64 resolution; it is computed from {blame(values)} "
                         "(most extreme first)") from err
    if stable:
        # A stable point has a steady state: a NaN/inf V or E_N is a float64 failure, not
        # a result (never report stable=True with E_N = NaN).
        if not (np.all(np.isfinite(V)) and np.isfinite(en)):
            what = "covariance V" if not np.all(np.isfinite(V)) else "log-negativity E_N"
            raise ValueError(f"the steady-state {what} is not finite (float64 overflow or "
                             f"loss of precision) at this stable point; V scales with n_m, "
                             f"gamma_m, kappa and the drift: {blame(values)} "
                             "(most extreme first)")
    else:
        V, en = np.full((6, 6), np.nan), float("nan")
    return PointResult(system=system, direction=direction, mean_field=mf, stable=stable,
                       max_growth_rate=growth, A=A, D=D, V=V, log_negativity=en)
