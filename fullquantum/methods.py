"""Steady-state methods as objects that own their settings and their memory estimate.

In the manner of dynamiqs' solver classes: the algorithm (``method=``) is an object, kept
apart from QuTiP's linear backend (``solver=``, a setting of the QuTiP methods that take
one). Strings remain shorthands: ``method="structured"`` is ``Structured()`` and
``method="direct"`` is ``QutipMethod("direct")``. A setting given for a method it does not
apply to is an error, never silently ignored.

* :class:`Structured` (= :class:`~omxval.fullquantum.structured.StructuredOptions`):
  omxval's preconditioned GMRES on the d×d generator terms (the default).
* :class:`QutipMethod`: ``qutip.steadystate(method=name, solver=..., use_rcm=..., **kwargs)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from ..errors import InputError
from ..linear.parameters import check_choice
from .budget import MemoryEstimate
from .checks import check_flag, check_instance, check_mapping
from .memory import GeneratorPattern, estimate_memory
from .options import (DENSE_SOLVERS, METHODS, QUTIP_METHODS, SolveOptions, check_method_solver,
                      resolve_hamiltonian)
from .structured.options import StructuredOptions

Structured = StructuredOptions

# QuTiP applies its RCM reordering only where it solves a sparse linear system in L.
_NO_RCM_METHODS = ("eigen", "svd")


@dataclass(frozen=True)
class QutipMethod:
    """A QuTiP 5 ``steadystate`` method with its settings.

    Parameters
    ----------
    name : {"direct", "eigen", "svd", "power", "iterative-gmres", "iterative-lgmres", \
"iterative-bicgstab"}
        QuTiP's method ("iterative-X" is its "iterative" method with the Krylov solver X).
    solver : str, optional
        QuTiP's ``solver=`` for "direct"/"power" ("spsolve", "splu", "mkl_spsolve", "solve",
        "lstsq", "gmres", "lgmres", "bicgstab"); default sparse LU (PARDISO for "direct"
        when QuTiP has MKL). An error for the other methods.
    use_rcm : bool
        QuTiP's reverse Cuthill–McKee reordering, for the methods that solve a sparse system
        in L (measured at cutoffs (4,3,8), brownian: direct 17 s → 11 s, same ρ). Setting it
        False for "eigen", "svd" or a dense solver, where it does not apply, is an error.
    qutip_kwargs : mapping
        Further keywords passed unchanged to ``qutip.steadystate`` (``weight``,
        ``use_precond``, ``atol``, ``maxiter``, ``power_tol``, …).
    """

    name: str
    solver: str | None = None
    use_rcm: bool = True
    qutip_kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_choice("QutipMethod.name", self.name, QUTIP_METHODS)
        object.__setattr__(self, "solver", check_method_solver(self.name, self.solver))
        object.__setattr__(self, "use_rcm", check_flag("use_rcm", self.use_rcm))
        if not self.use_rcm and not self.rcm_applies:
            raise InputError(f"use_rcm does not apply to method {self.name!r}"
                             f"{f' with solver {self.solver!r}' if self.solver else ''}: "
                             "QuTiP reorders only sparse linear solves")
        kwargs = check_mapping("qutip_kwargs", self.qutip_kwargs, ("method", "solver", "use_rcm"),
                               "they are QutipMethod's own fields")
        object.__setattr__(self, "qutip_kwargs", MappingProxyType(kwargs))

    @property
    def rcm_applies(self) -> bool:
        """Whether QuTiP's RCM reordering takes part in this method's solve."""
        return self.name not in _NO_RCM_METHODS and self.solver not in DENSE_SOLVERS

    def estimate_memory(self, cutoffs: Sequence[int], hamiltonian: str | None = None,
                        bath: str = "brownian", *, pattern: GeneratorPattern | None = None,
                        model: str | None = None) -> MemoryEstimate:
        """Peak memory of building the Liouvillian and solving, from the cutoffs alone.

        Parameters
        ----------
        cutoffs : sequence of int
            Fock cutoffs in mode order ((N_ccw, N_cw, N_m) for the spinning resonator).
        hamiltonian : {"linearized", "nonlinear", "lab"}
        bath : {"brownian", "lindblad"}
        pattern : GeneratorPattern, optional
            Any model's pattern (then ``hamiltonian`` and ``bath`` are not used).
        model : str, optional
            Former name of ``hamiltonian`` (DeprecationWarning).

        Returns
        -------
        MemoryEstimate
            :func:`fullquantum.estimate_memory` for this method, solver and ``use_precond``
            (which refuses unknown names).
        """
        h = resolve_hamiltonian(hamiltonian, model, "linearized")
        return estimate_memory(cutoffs, self.name, self.solver, hamiltonian=h, bath=bath,
                               pattern=pattern,
                               use_precond=bool(self.qutip_kwargs.get("use_precond", False)))


MethodObject = Structured | QutipMethod


def method_estimate(method: MethodObject, cutoffs: Sequence[int],
                    hamiltonian: str | None = None, bath: str = "brownian", *,
                    pattern: GeneratorPattern | None = None,
                    model: str | None = None) -> MemoryEstimate:
    """The memory estimate of ``method`` (each method owns its formula).

    Parameters
    ----------
    method : Structured or QutipMethod
        A method object (:func:`as_method` turns a name into one).
    cutoffs : sequence of int
        Fock cutoffs in mode order.
    hamiltonian, bath, pattern : optional
        As in :func:`fullquantum.estimate_memory`, which checks them.
    model : str, optional
        Former name of ``hamiltonian`` (DeprecationWarning).

    Returns
    -------
    MemoryEstimate
    """
    h = resolve_hamiltonian(hamiltonian, model, "linearized")
    if isinstance(method, QutipMethod):
        return method.estimate_memory(cutoffs, h, bath, pattern=pattern)
    return estimate_memory(cutoffs, "structured", hamiltonian=h, bath=bath, structured=method,
                           pattern=pattern)


def as_method(method: str | MethodObject, solver: str | None = None,
              options: SolveOptions | None = None) -> MethodObject:
    """The method object meant by ``solve(method=..., solver=..., options=...)``.

    Settings in ``options`` (``structured``, ``use_rcm``, ``qutip_kwargs``; the first API)
    and ``solver`` are folded into the method they belong to; given to another method they
    are an :class:`~omxval.errors.InputError`.

    Parameters
    ----------
    method : str or Structured or QutipMethod
        A name of :data:`~fullquantum.METHODS`, or a method object (returned as is).
    solver : str, optional
        QuTiP's ``solver=`` for "direct"/"power".
    options : SolveOptions, optional
        The first API's method settings.

    Returns
    -------
    Structured or QutipMethod

    Raises
    ------
    InputError
        Unknown method (the message lists the valid ones), or a setting given to a method
        it does not apply to.
    InputTypeError
        ``options`` is not a SolveOptions.
    """
    opts = SolveOptions() if options is None else check_instance(
        "options", options, SolveOptions, "a SolveOptions or None")
    structured_set = opts.structured != StructuredOptions()
    qutip_set = (not opts.use_rcm) or bool(opts.qutip_kwargs)
    if isinstance(method, (StructuredOptions, QutipMethod)):
        if solver is not None or structured_set or qutip_set:
            raise InputError("with a method object, give its settings in the object (solver=, "
                             "use_rcm=, qutip_kwargs=, structured= do not apply)")
        return method
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(map(repr, METHODS))} or a method "
                         f"object (Structured, QutipMethod); got {method!r}")
    if method == "structured":
        if solver is not None:
            raise InputError(f"solver={solver!r} does not apply to method 'structured' (it is "
                             "a QuTiP backend); use method='direct' or 'power'")
        if qutip_set:
            raise InputError("use_rcm and qutip_kwargs apply to QuTiP's methods, not to "
                             "'structured'")
        return opts.structured
    if structured_set:
        raise InputError(f"options.structured applies to method 'structured', not {method!r}")
    return QutipMethod(method, solver, opts.use_rcm, opts.qutip_kwargs)


__all__ = ["Structured", "QutipMethod", "MethodObject", "as_method", "method_estimate"]
