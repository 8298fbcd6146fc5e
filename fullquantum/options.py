"""The named choices of a solve (models, methods, linear solvers) and :class:`SolveOptions`.

The choices live here, below :mod:`fullquantum.models` and :mod:`fullquantum.memory`, so
that both check names against the same tuples without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal, Mapping

import qutip
import warnings

from ..errors import InputError
from .budget import DEFAULT_MEMORY_BUDGET_BYTES
from ..linear.checks import check_real
from ..linear.parameters import check_choice
from .checks import check_flag, check_instance, check_int, check_mapping
from .structured.accelerator import DEVICES, array_module
from .structured.options import StructuredOptions

# Which Hamiltonian a full-quantum model keeps (fullquantum.modelterms): the keyword
# ``hamiltonian=`` everywhere. "Model" names the user's system description (omxval.Model).
Hamiltonian = Literal["linearized", "nonlinear", "lab"]
HAMILTONIANS: tuple[str, ...] = ("linearized", "nonlinear", "lab")
# The forms written in the frame displaced by the mean field.
DISPLACED_MODELS: tuple[str, ...] = ("linearized", "nonlinear")
# Former names (fullquantum.MODELS and fullquantum.Model warn; kept for outside code).
MODELS = HAMILTONIANS
Model = Hamiltonian

Method = Literal["structured", "direct", "eigen", "svd", "power", "iterative-gmres",
                 "iterative-lgmres", "iterative-bicgstab"]
# "structured": omxval's solver on the d×d generator terms (fullquantum.structured), no
# d²×d² Liouvillian. The rest are QuTiP 5 ``steadystate(method=...)`` names; "iterative-X"
# is QuTiP's spelling of the "iterative" method with the Krylov solver X.
QUTIP_METHODS: tuple[str, ...] = ("direct", "eigen", "svd", "power", "iterative-gmres",
                                  "iterative-lgmres", "iterative-bicgstab")
METHODS: tuple[str, ...] = ("structured",) + QUTIP_METHODS
# QuTiP's ``solver=`` choices for "direct" and "power" (qutip.core.data.solve).
SOLVERS: tuple[str, ...] = ("spsolve", "splu", "mkl_spsolve", "solve", "lstsq", "gmres",
                            "lgmres", "bicgstab")
METHODS_WITH_SOLVER: tuple[str, ...] = ("direct", "power")
DENSE_SOLVERS: tuple[str, ...] = ("solve", "lstsq")  # QuTiP densifies L for these
# The structured solver wins at every size measured (benchmarks/bench_steadystate.py).
DEFAULT_METHOD = "structured"

# Top-level Fock population above which a result is flagged. The error of V tracks the
# worst top-level population (docs/conventions.md §5; measured at the reference point: cutoffs
# (3,2,6) top 1.3e-3, max|ΔV| 1.4e-3; (3,3,6) 1.3e-4, 4.5e-4; (4,3,8) 2e-6, 1.2e-5), so 1e-3
# flags states whose moments are off at the 1e-3 level (≈ 1% of E_N ≈ 0.1 there).
DEFAULT_TRUNCATION_TOL = 1e-3


def resolve_hamiltonian(hamiltonian: str | None, model: str | None, default: str,
                        where: str = "hamiltonian", stacklevel: int = 3) -> str:
    """The ``hamiltonian=`` value of a call that may still use the former ``model=`` keyword.

    ``model=`` (linearized | nonlinear | lab) works with a :class:`DeprecationWarning`: the
    word *model* now names the user's system description (:class:`omxval.Model`).

    Parameters
    ----------
    hamiltonian : str or None
        The value given as ``hamiltonian`` (None: not given).
    model : str or None
        The value given as the former keyword ``model`` (None: not given).
    default : str
        Used when neither is given.
    where : str
        How errors name the parameter.
    stacklevel : int
        Of the warning (3: the caller of the function that calls this).

    Raises
    ------
    InputError
        Both given with different values, or the value is not one of :data:`HAMILTONIANS`.
    """
    if model is not None:
        warnings.warn(f"the keyword model= ({' | '.join(HAMILTONIANS)}) is now "
                      f"hamiltonian=; 'model' names the system description (omxval.Model)",
                      DeprecationWarning, stacklevel=stacklevel)
        if hamiltonian is not None and hamiltonian != model:
            raise InputError(f"give {where} once: hamiltonian={hamiltonian!r} and the former "
                             f"keyword model={model!r} disagree")
        hamiltonian = model
    value = default if hamiltonian is None else hamiltonian
    check_choice(where, value, HAMILTONIANS)
    return value


def default_solver(method: str) -> str | None:
    """QuTiP ``solver=`` used when none is given: sparse LU; MKL's PARDISO for "direct" if
    QuTiP has it. "power" keeps SuperLU: PARDISO stops with "zero pivot" on its shifted,
    nearly singular system for this model (seen with mkl 2024.2)."""
    if method == "direct":
        return "mkl_spsolve" if qutip.settings.has_mkl else "spsolve"
    if method == "power":
        return "spsolve"
    return None


def check_method_solver(method: str, solver: str | None) -> str | None:
    """Validate ``method`` and ``solver``; return the solver to use.

    Raises
    ------
    ValueError
        Unknown method or solver, a solver given to a method that takes none, or
        "mkl_spsolve" without MKL.
    """
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(map(repr, METHODS))}; "
                         f"got {method!r}")
    if solver is None:
        return default_solver(method)
    if method not in METHODS_WITH_SOLVER:
        raise InputError(f"solver applies only to method 'direct' or 'power' (an iterative "
                         f"method names its solver, e.g. 'iterative-gmres'); got "
                         f"solver={solver!r} with method={method!r}")
    if solver not in SOLVERS:
        raise InputError(f"solver must be one of {', '.join(map(repr, SOLVERS))}; "
                         f"got {solver!r}")
    if solver == "mkl_spsolve" and not qutip.settings.has_mkl:
        raise InputError("solver='mkl_spsolve' needs MKL, which QuTiP did not find; "
                         "use solver='spsolve'")
    return solver


@dataclass(frozen=True)
class SolveOptions:
    """Options of :func:`fullquantum.solve` (all but the physics and the method).

    Each field is checked when built: a wrong type raises
    :class:`~omxval.errors.InputTypeError`, a value outside its range
    :class:`~omxval.errors.InputError`, both naming the field and its valid range.

    Parameters
    ----------
    truncation_tol : float
        Top-level Fock population above which the result is flagged ``truncated`` and a
        :class:`~fullquantum.TruncationWarning` is issued; in (0, 1]. Default 1e-3 (see
        ``DEFAULT_TRUNCATION_TOL``).
    memory_budget_bytes : int
        Refuse (:class:`~fullquantum.MemoryBudgetError`) when the estimate of
        :func:`~fullquantum.estimate_memory` for the method (from the cutoffs, before
        anything is built) exceeds this; > 0. Default 4 GiB. Also the budget of the
        structured solver (it replaces ``structured.memory_budget``).
    use_rcm : bool
        True or False. QuTiP's reverse Cuthill–McKee reordering for the sparse solvers of
        "direct", "power" and "iterative-…" (measured at cutoffs (4,3,8), brownian: direct
        solve 17 s → 11 s, same ρ).
    qutip_kwargs : mapping
        Further keywords passed unchanged to ``qutip.steadystate`` (e.g. ``weight``,
        ``use_precond``, ``atol``, ``maxiter``, ``power_tol``); str keys, none of
        ``method``, ``solver``, ``use_rcm``.
    structured : StructuredOptions
        Tolerance, iteration limits, restart, threads and preconditioner of
        ``method="structured"``; ``restart`` and ``preconditioner`` enter its memory
        estimate (its memory budget is ``memory_budget_bytes``).
    """

    truncation_tol: float = DEFAULT_TRUNCATION_TOL
    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES
    use_rcm: bool = True
    qutip_kwargs: Mapping[str, Any] = field(default_factory=dict)
    structured: StructuredOptions = field(default_factory=StructuredOptions)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "truncation_tol", check_real("truncation_tol", self.truncation_tol, low=0.0,
                                                low_inclusive=False, high=1.0,
                                                high_inclusive=True))
        set_(self, "memory_budget_bytes", check_int("memory_budget_bytes",
                                                    self.memory_budget_bytes, minimum=1))
        set_(self, "use_rcm", check_flag("use_rcm", self.use_rcm))
        kwargs = check_mapping("qutip_kwargs", self.qutip_kwargs, ("method", "solver", "use_rcm"),
                               "pass them as solve(method=..., solver=...) or "
                               "SolveOptions(use_rcm=...)")
        set_(self, "qutip_kwargs", MappingProxyType(kwargs))
        check_instance("structured", self.structured, StructuredOptions, "a StructuredOptions")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names accepted as keyword overrides by :func:`fullquantum.solve`."""
        return tuple(f.name for f in fields(cls))


def device_options(device: str, method: str = DEFAULT_METHOD, name: str = "device"
                   ) -> dict[str, Any]:
    """Keyword arguments of :func:`~fullquantum.solve` that run its dense work on ``device``.

    The one translation of a configuration's or a map's ``device`` ("cpu" | "gpu") into
    solve options: {} for the CPU (the default, so that keys and results are unchanged),
    ``{"structured": StructuredOptions(device="gpu")}`` for a CUDA GPU. Checked before any
    work: the device is one of the two, "gpu" needs ``method="structured"`` and CuPy with a
    CUDA device (:func:`~fullquantum.structured.accelerator.array_module`).

    Parameters
    ----------
    device : {"cpu", "gpu"}
        Where the structured solver's preconditioner runs.
    method : str
        The steady-state method of the solves (only "structured" has a GPU path).
    name : str
        The parameter's name in error messages (e.g. ``"solver.device"``).

    Returns
    -------
    dict
        Solve options to merge into :func:`~fullquantum.solve`'s keywords.

    Raises
    ------
    InputError
        An unknown device, a GPU with another method, or a GPU that is not there.
    """
    check_choice(name, device, DEVICES)
    if device == "cpu":
        return {}
    if method != "structured":
        raise InputError(f"{name} = 'gpu' runs the structured solver's preconditioner on the "
                         f"GPU: it needs method 'structured'; got method {method!r}")
    try:
        array_module(device)
    except InputError as err:
        raise InputError(f"{name}: {err}") from None
    return {"structured": StructuredOptions(device="gpu")}


__all__ = ["device_options", "Hamiltonian", "HAMILTONIANS", "resolve_hamiltonian", "DISPLACED_MODELS", "Method", "METHODS", "SOLVERS",
           "DEFAULT_METHOD", "DEFAULT_TRUNCATION_TOL", "SolveOptions", "check_method_solver",
           "default_solver"]
