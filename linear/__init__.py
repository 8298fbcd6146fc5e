"""omxval.linear — the Gaussian (linearised) model: the spinning resonator, and any model.

Jiao et al., PRL 125, 143605 (2020), with the conventions of ``docs/conventions.md``.
Rates are in units of the mechanical frequency ω_m; SI only in :class:`PaperSetup`.
Physics only: no plotting, no files.

The unit of work is an :class:`OperatingPoint` (system, drive direction, mean-field
branch); :func:`design_point` (or :meth:`Design.point`) builds one from its effective
detuning and coupling, and :func:`analyze` gives its Gaussian steady state. Every function here that
analyses a system (:func:`steady_states`, :func:`drift_matrix`, :func:`diffusion_matrix`,
:func:`analyze`, :func:`sweep`, :func:`resolve_point`) takes an OperatingPoint as well as the
first API's ``(system, direction, ...)`` form.

Modules, one concept each (imports only go down this list): :mod:`.checks` (shared input
checks) → :mod:`.conventions` (directions, baths, mode order) → :mod:`.modes` (Photons,
PerMode: per-mode numbers of every result) / :mod:`.table` (Table: the DataFrame of every
result table, which still reads former column names) → :mod:`.system` (System and
its ranges) → :mod:`.device` (PaperSetup, SI) / :mod:`.meanfield` → :mod:`.point`
(OperatingPoint, resolving call forms, steady_states) → :mod:`.design` (Design,
design_point) / :mod:`.drift` → :mod:`.engine` → :mod:`.sweep` → :mod:`.analysis`,
:mod:`.paper`. :mod:`.parameters` only re-exports the names it held before the split.

Any optomechanical model (docs/models.md): :class:`Model` (:mod:`.model`, named modes and
couplings, TOML files) → :mod:`.modelfield` (every mean-field branch, batched) →
:mod:`.modelgauss` (drift, diffusion, V, the E_N of every pair: :class:`ModelPoint`,
:class:`ModelResult`) → :mod:`.presets` (the spinning resonator, Vitali 2007,
electro-optomechanics; :func:`design_model`). :func:`analyze`, :func:`steady_states` and
:func:`sweep` accept a Model.
"""

from importlib import import_module

from .analysis import PointResult, analyze, steady_states
from .conventions import BATHS, DIRECTIONS, cut, driven_first, mode_detunings
from .design import DESIGN_KEYS, Design, design_point
from .device import PaperSetup
from .drift import diffusion_matrix, drift_matrix, growth_rate, is_stable
from .gaussian import (bipartite_log_negativity, gaussian_entropy, gaussian_purity,
                       is_physical, log_negativity,
                       mode_occupation, symplectic_eigenvalues, symplectic_form,
                       thermal_tail_cutoff)
from .lyapunov import solve_lyapunov
from .meanfield import MeanField
from .modes import PerMode, Photons
from .point import OperatingPoint, resolve_point
from .model import Cavity, Hopping, Mechanical, Model, RadiationPressure
from .modelgauss import ModelMeanField, ModelPoint, ModelResult, analyze_branches
from .presets import design_model
from .sweep import design_sweep, evaluate, max_over_detuning, paper_sweep, sweep
from .system import System
from .table import Table

# The compatibility module stays an attribute of the package (code reads
# ``linear.parameters.SYSTEM_FIELDS``) although no module here imports it any more.
import_module(f"{__name__}.parameters")

__all__ = [
    "System", "PaperSetup", "OperatingPoint", "Design", "design_point", "resolve_point",
    "MeanField", "steady_states", "PointResult", "analyze", "cut", "mode_detunings",
    "driven_first", "drift_matrix", "diffusion_matrix", "growth_rate", "is_stable",
    "solve_lyapunov", "log_negativity", "symplectic_eigenvalues", "symplectic_form",
    "is_physical", "gaussian_entropy", "gaussian_purity", "mode_occupation", "thermal_tail_cutoff", "sweep",
    "design_sweep", "paper_sweep", "evaluate", "max_over_detuning", "DESIGN_KEYS", "BATHS",
    "DIRECTIONS", "Photons", "PerMode", "Table", "Model", "Cavity", "Mechanical",
    "RadiationPressure", "Hopping", "ModelPoint", "ModelMeanField", "ModelResult",
    "design_model", "analyze_branches", "bipartite_log_negativity",
]
