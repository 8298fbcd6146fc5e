"""omxval.fullquantum — the spinning resonator as a QuTiP master equation (reduced scale).

Two counter-propagating optical modes and one mechanical mode on a truncated Fock space,
Fock dims (ccw, cw, mechanics), rates in units of ω_m, with the conventions of
``docs/conventions.md`` §2 and §5. Three models (``linearized``, ``nonlinear``, ``lab``),
two mechanical baths (``system.bath``: ``brownian``, ``lindblad``); every generator is a
:class:`Generator`, from which the QuTiP Liouvillian is built. The unit of work is an
:class:`~omxval.linear.OperatingPoint`; :mod:`omxval.linear` supplies the parameters and the
mean field. Comparing results with the Gaussian model is :mod:`omxval.compare`'s job.

Public API: :func:`solve` → :class:`SteadyState`; :func:`liouvillian` (QuTiP
super-operator); :func:`generator_for` (the :class:`Generator`, for other solvers);
:func:`model_hamiltonian`, :func:`operators`; :func:`estimate_memory` (from the cutoffs and
the method, nothing built) → :class:`MemoryEstimate`, :func:`check_budget`;
:class:`SolveOptions`; the steady-state methods as objects that own their settings and
memory estimates, :class:`Structured` (= :class:`StructuredOptions`) and
:class:`QutipMethod` (:mod:`fullquantum.methods`).

Every function that takes a system (:func:`solve`, :func:`liouvillian`,
:func:`generator_for`, :func:`model_hamiltonian`, :func:`mechanical_bath`,
:func:`linear_terms`) takes an :class:`~omxval.linear.OperatingPoint`, or a System with its
direction (:mod:`fullquantum.points`). The options objects check every field when built, and
every model, method, solver, bath or preconditioner name is checked against its choices.

Modules import one way, from the leaves up: :mod:`~fullquantum.errors`,
:mod:`~fullquantum.checks`, :mod:`~fullquantum.budget` (the memory budget),
:mod:`~fullquantum.operators`, :mod:`~fullquantum.generator`, :mod:`~fullquantum.points`;
then :mod:`~fullquantum.structured` (the structured solver, a package),
:mod:`~fullquantum.options`, :mod:`~fullquantum.memory` (the estimates),
:mod:`~fullquantum.methods`, :mod:`~fullquantum.models`, :mod:`~fullquantum.result`,
:mod:`~fullquantum.steadystate`.

Warnings and errors (all in :mod:`fullquantum.errors`; the errors derive from
:class:`omxval.OmxvalError`, the warnings from :class:`omxval.errors.OmxvalWarning`):

* :class:`TruncationWarning` — a mode's top Fock level holds more than the tolerance.
* :class:`InstabilityWarning` — the linearized model at an unstable mean field.
* :class:`MemoryBudgetError` — the single memory refusal of every method (:func:`solve`,
  :func:`liouvillian`, the structured solver); a ``MemoryError`` with ``estimate_bytes``
  and ``budget_bytes``, raised before anything large is allocated.
* :class:`SteadyStateConvergenceError` — ``method="structured"`` missed its tolerance.
"""

from .budget import DEFAULT_MEMORY_BUDGET_BYTES, MemoryEstimate, check_budget
from .errors import (InstabilityWarning, MemoryBudgetError, SteadyStateConvergenceError,
                     TruncationWarning)
from .generator import Generator
from .memory import estimate_memory
from .methods import MethodObject, QutipMethod, Structured
from .memory import GeneratorPattern, model_pattern
from .modelresult import ModelSteadyState
from .models import (LinearTerms, generator_for, linear_terms, liouvillian, mechanical_bath,
                     model_hamiltonian)
from .modelterms import model_generator_terms, model_hamiltonian_terms, model_linear_terms
from .observables import (bipartite_exact_log_negativity, exact_log_negativity, moments,
                          top_populations)
from .operators import (FockModes, ModeOperators, check_cutoffs, check_mode_cutoffs,
                        fock_modes, operators)
from .options import (DEFAULT_TRUNCATION_TOL, HAMILTONIANS, METHODS, SOLVERS, Hamiltonian,
                      Method, SolveOptions, device_options)
from .result import PerMode, Photons, SteadyState, Timings
from .steadystate import solve
from .structured import StructuredOptions
from .symbolic import OpSum, realize

# Former names: ``model`` now names the user's system description (omxval.Model).
_RENAMED = {"MODELS": "HAMILTONIANS", "Model": "Hamiltonian"}


def __getattr__(name: str):
    if name in _RENAMED:
        import warnings
        warnings.warn(f"fullquantum.{name} is now fullquantum.{_RENAMED[name]}",
                      DeprecationWarning, stacklevel=2)
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "solve", "device_options", "liouvillian", "generator_for", "model_hamiltonian", "mechanical_bath",
    "linear_terms", "LinearTerms", "operators", "ModeOperators",
    "check_cutoffs", "Generator", "SteadyState", "Timings", "Photons", "PerMode", "SolveOptions",
    "StructuredOptions", "Structured", "QutipMethod", "MethodObject", "Hamiltonian", "Method",
    "HAMILTONIANS", "METHODS", "SOLVERS", "ModelSteadyState", "model_generator_terms",
    "model_hamiltonian_terms", "model_linear_terms", "model_pattern", "GeneratorPattern",
    "OpSum", "realize", "FockModes", "fock_modes", "check_mode_cutoffs",
    "bipartite_exact_log_negativity",
    "DEFAULT_TRUNCATION_TOL", "DEFAULT_MEMORY_BUDGET_BYTES", "MemoryEstimate",
    "estimate_memory", "check_budget", "moments", "top_populations", "exact_log_negativity",
    "TruncationWarning", "InstabilityWarning", "MemoryBudgetError",
    "SteadyStateConvergenceError",
]
