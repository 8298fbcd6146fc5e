"""omxval.linear — the Gaussian (linearised) model of the spinning optomechanical resonator.

Jiao et al., PRL 125, 143605 (2020), with the conventions of ``docs/conventions.md``.
Rates are in units of the mechanical frequency ω_m; SI only in :class:`PaperSetup`.
Physics only: no plotting, no files.

The unit of work is an :class:`OperatingPoint` (system, drive direction, mean-field
branch); :func:`design_point` builds one from its effective detuning and coupling, and
:func:`analyze` gives its Gaussian steady state.
"""

from .analysis import PointResult, analyze
from .drift import diffusion_matrix, drift_matrix, growth_rate, is_stable
from .gaussian import (gaussian_entropy, gaussian_purity, is_physical, log_negativity,
                       mode_occupation, symplectic_eigenvalues, symplectic_form)
from .lyapunov import solve_lyapunov
from .meanfield import MeanField, steady_states
from .parameters import (BATHS, DIRECTIONS, PaperSetup, System, cut, driven_first,
                         mode_detunings)
from .point import OperatingPoint, design_point, resolve_point
from .sweep import DESIGN_KEYS, design_sweep, evaluate, max_over_detuning, paper_sweep, sweep

__all__ = [
    "System", "PaperSetup", "OperatingPoint", "design_point", "resolve_point", "MeanField",
    "steady_states", "PointResult", "analyze", "cut", "mode_detunings", "driven_first",
    "drift_matrix", "diffusion_matrix", "growth_rate", "is_stable", "solve_lyapunov",
    "log_negativity", "symplectic_eigenvalues", "symplectic_form", "is_physical",
    "gaussian_entropy", "gaussian_purity", "mode_occupation", "sweep", "design_sweep",
    "paper_sweep", "evaluate", "max_over_detuning", "DESIGN_KEYS", "BATHS", "DIRECTIONS",
]
