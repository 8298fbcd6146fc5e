"""The result of one full-quantum steady-state solve."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import qutip

from ..linear import OperatingPoint
from ..linear.point import OnPoint
from ..linear.gaussian import in_base
# One type for per-mode numbers and one table type for every result (linear's too); the
# names stay importable from here.
from ..linear.modes import PerMode, Photons
from ..linear.table import Table

from .budget import MemoryEstimate
from .options import SolveOptions


@dataclass(frozen=True)
class Timings:
    """Wall-clock seconds of the stages of :func:`fullquantum.solve`.

    Attributes
    ----------
    build_s : float
        Generator, memory estimate and Liouvillian.
    solve_s : float
        ``qutip.steadystate``.
    observables_s : float
        Moments, negativities, spectrum of ρ.
    total_s : float
        The whole call.
    """

    build_s: float
    solve_s: float
    observables_s: float
    total_s: float


@dataclass(frozen=True)
class SteadyState(OnPoint):
    """Steady state of one model and its observables (rates in units of ω_m).

    Attributes
    ----------
    point : OperatingPoint
        What was solved: system, drive direction and the mean-field branch that defines the
        displaced frame (for ``lab`` only a reference); ``system``, ``direction``,
        ``branch``, ``bath`` and ``mean_field`` are read from it.
    hamiltonian, cutoffs, method, solver, options
        How it was solved (``hamiltonian``: linearized | nonlinear | lab; formerly
        ``model``, which still reads it with a DeprecationWarning): ``solver`` is the QuTiP linear solver actually requested
        (``None`` for methods that take none).
    rho : Qobj
        Hermitian, unit-trace steady state, in the model's frame (fluctuations for
        ``linearized``/``nonlinear``), Fock dims (ccw, cw, mechanics).
    residual : float
        ‖L(ρ)‖ (Frobenius norm of the generator applied to the returned ρ).
    means : ndarray (6,)
        ⟨u⟩ in ρ's frame, u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p): the fluctuation means in the
        displaced models (≈ 0 for ``linearized``).
    lab_means : ndarray (6,)
        ⟨u⟩ in the lab frame: ``means`` plus the mean field (√2 Re α_j, √2 Im α_j, q_s, p_s)
        for the displaced models; equal to ``means`` for ``lab``.
    V : ndarray (6, 6)
        Symmetrised covariance matrix (frame independent), docs/conventions.md §2.
    log_negativity_gaussian : float
        ``linear.log_negativity`` of ``V`` for the (driven, mechanics) cut, natural log.
    log_negativity_exact : float
        ln‖ρ_{d,m}^{T_m}‖₁ of the reduced driven-mode/mechanics state, natural log.
    top_populations : PerMode
        Population of the highest kept Fock level of each mode: a tuple (ccw, cw,
        mechanics) whose fields are also named (``top_populations.mechanics``,
        ``top_populations["mechanics"]``; :class:`linear.PerMode`).
    truncated : bool
        Some top population exceeds ``options.truncation_tol`` (a TruncationWarning was
        issued).
    occupations : ndarray (3,)
        ⟨c†c⟩ of each mode in ρ's frame (what the cutoffs must hold).
    photons : Photons
        Lab-frame intracavity photon numbers: a tuple (⟨a_ccw†a_ccw⟩, ⟨a_cw†a_cw⟩) whose
        fields are also named (``photons.ccw``, ``photons["ccw"]``): :class:`linear.Photons`,
        the type of ``linear.PointResult.photons``.
    phonons : float
        Lab-frame ⟨b†b⟩.
    purity : float
        Tr ρ².
    entropy : float
        von Neumann entropy S(ρ) in nats (positive eigenvalues only).
    gaussian_entropy : float
        S(ρ_G) of the Gaussian state with covariance ``V`` (``linear.gaussian_entropy``).
    min_eigenvalue : float
        Most negative (smallest) eigenvalue of ρ; down to about −1e-8 is expected for the
        Brownian bath, whose generator is not completely positive (§5).
    mean_field_residual : float
        Largest coefficient of the dropped terms linear in the fluctuations
        (:func:`fullquantum.linear_terms`); round-off for the displaced models, NaN for
        ``lab``.
    memory : MemoryEstimate
        The estimate the memory guard checked.
    solver_info : dict
        Method-specific diagnostics: for "structured" the GMRES ``iterations``, the
        ``preconditioner``, the final ``relative_residual`` and BLAS ``threads``.
    timings : Timings
    """

    point: OperatingPoint
    hamiltonian: str
    cutoffs: tuple[int, int, int]
    method: str
    solver: str | None
    options: SolveOptions
    rho: qutip.Qobj
    residual: float
    means: np.ndarray
    lab_means: np.ndarray
    V: np.ndarray
    log_negativity_gaussian: float
    log_negativity_exact: float
    top_populations: PerMode
    truncated: bool
    occupations: np.ndarray
    photons: Photons
    phonons: float
    purity: float
    entropy: float
    gaussian_entropy: float
    min_eigenvalue: float
    mean_field_residual: float
    memory: MemoryEstimate
    solver_info: dict
    timings: Timings

    def __post_init__(self) -> None:
        for name in ("means", "lab_means", "V", "occupations"):
            getattr(self, name).setflags(write=False)
        # Plain tuples are accepted and labelled by mode.
        object.__setattr__(self, "photons", Photons(*self.photons))
        object.__setattr__(self, "top_populations", PerMode(*self.top_populations))

    @property
    def bath(self) -> str:
        """The mechanical bath model, ``system.bath``."""
        return self.point.system.bath

    @property
    def model(self) -> str:
        """Former name of :attr:`hamiltonian` (DeprecationWarning)."""
        warnings.warn("SteadyState.model is now SteadyState.hamiltonian", DeprecationWarning,
                      stacklevel=2)
        return self.hamiltonian

    def __repr__(self) -> str:
        return (f"SteadyState({self.hamiltonian}, {self.direction} drive, branch {self.branch}, "
                f"bath {self.bath}, cutoffs {self.cutoffs}, method {self.method}: "
                f"E_N exact {self.log_negativity_exact:.6g}, Gaussian "
                f"{self.log_negativity_gaussian:.6g}, max top population "
                f"{max(self.top_populations):.1e} "
                f"({'TRUNCATED' if self.truncated else 'not truncated'}), "
                f"{self.timings.total_s:.2f} s)")

    @property
    def non_gaussianity_raw(self) -> float:
        """δ = S(ρ_G) − S(ρ) (nats) as computed on the truncated space, sign and all.

        ≥ 0 on the infinite space (docs/conventions.md §5); the truncated V and ρ make it
        slightly negative for nearly Gaussian states (−5e-5 for the linearized model at
        (4, 3, 6) at the reference point). A negative value is truncation error, and its
        size estimates the floor below which δ cannot be resolved at these cutoffs.
        """
        return self.gaussian_entropy - self.entropy

    @property
    def non_gaussianity(self) -> float:
        """δ = S(ρ_G) − S(ρ) (nats), clipped at 0; 0 for a Gaussian state.

        A negative raw value (:attr:`non_gaussianity_raw`) is reported as 0 with
        :attr:`non_gaussianity_below_floor` set: δ cannot be negative, so such a state is
        Gaussian within the truncation error.
        """
        raw = self.non_gaussianity_raw
        return 0.0 if raw < 0 else raw

    @property
    def non_gaussianity_below_floor(self) -> bool:
        """The raw δ came out negative: :attr:`non_gaussianity` is clipped to 0 and δ is
        below the truncation floor |:attr:`non_gaussianity_raw`| at these cutoffs."""
        return bool(self.non_gaussianity_raw < 0)

    @property
    def log_negativity_exact_log2(self) -> float:
        """Exact E_N in log2, comparable with QuTiP's ``negativity(..., logarithmic=True)``."""
        return float(in_base(self.log_negativity_exact, "2"))

    @property
    def log_negativity_gaussian_log2(self) -> float:
        """Gaussian E_N of ``V`` in log2."""
        return float(in_base(self.log_negativity_gaussian, "2"))

    def to_dataframe(self) -> Table:
        """One row of the scalars: how it was solved, E_N, quanta, δ and diagnostics.

        Returns
        -------
        Table
            A DataFrame (:class:`linear.table.Table`; E_N gaussian and the photon numbers
            are named as in ``linear.PointResult.to_dataframe``), columns ``hamiltonian``, ``direction``, ``branch``, ``bath``, ``method``, the cutoffs
            ``N_ccw``, ``N_cw``, ``N_m``, ``E_N exact``, ``E_N gaussian`` (natural log),
            ``photons ccw``, ``photons cw``, ``phonons`` (lab frame), ``purity``,
            ``entropy``, ``gaussian entropy``, ``non-Gaussianity`` (clipped at 0),
            ``non-Gaussianity raw``, ``non-Gaussianity below floor``, ``top population
            <mode>``, ``truncated``, ``residual``, ``min eigenvalue``, ``mean-field
            residual`` and ``seconds``.
        """
        row = {"hamiltonian": self.hamiltonian, "direction": self.direction, "branch": self.branch,
               "bath": self.bath, "method": self.method,
               **dict(zip(("N_ccw", "N_cw", "N_m"), self.cutoffs)),
               "E_N exact": self.log_negativity_exact,
               "E_N gaussian": self.log_negativity_gaussian,
               "photons ccw": self.photons.ccw, "photons cw": self.photons.cw,
               "phonons": self.phonons, "purity": self.purity, "entropy": self.entropy,
               "gaussian entropy": self.gaussian_entropy,
               "non-Gaussianity": self.non_gaussianity,
               "non-Gaussianity raw": self.non_gaussianity_raw,
               "non-Gaussianity below floor": self.non_gaussianity_below_floor,
               **{f"top population {m}": p for m, p in self.top_populations._asdict().items()},
               "truncated": self.truncated, "residual": self.residual,
               "min eigenvalue": self.min_eigenvalue,
               "mean-field residual": self.mean_field_residual,
               "seconds": self.timings.total_s}
        return Table([row])


__all__ = ["SteadyState", "Timings", "Photons", "PerMode"]
