"""omxval.linear — the Gaussian (linearised) model of the spinning optomechanical resonator.

Jiao et al., PRL 125, 143605 (2020), with the conventions of ``shared/CONVENTIONS.md``.
Rates are in units of the mechanical frequency ω_m; SI only in :class:`PaperSetup`.
"""

from .analysis import PointResult, analyze, cut
from .drift import diffusion_matrix, drift_matrix, is_stable
from .gaussian import (gaussian_entropy, gaussian_purity, is_physical, log_negativity,
                       mode_occupation, symplectic_eigenvalues, symplectic_form)
from .lyapunov import solve_lyapunov
from .meanfield import MeanField, steady_states
from .parameters import PaperSetup, System, design_point
from .sweep import evaluate, max_over_detuning, paper_sweep, sweep

__all__ = [
    "System", "PaperSetup", "design_point", "MeanField", "steady_states", "PointResult",
    "analyze", "cut", "drift_matrix", "diffusion_matrix", "is_stable", "solve_lyapunov",
    "log_negativity", "symplectic_eigenvalues", "symplectic_form", "is_physical",
    "gaussian_entropy", "gaussian_purity", "mode_occupation", "sweep", "paper_sweep", "evaluate", "max_over_detuning",
]
