"""The shape of omxval.fullquantum's API: no import circles, options checked when built, one
way in for an operating point, every name checked against its valid choices."""

import dataclasses
import inspect
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from omxval import fullquantum as fq
from omxval import linear
from omxval.errors import InputError, InputTypeError
from omxval.fullquantum import structured
from tests.conftest import reference_point

from tests.import_graph import find_cycle
from tests.import_graph import import_graph as read_import_graph

FULLQUANTUM = Path(fq.__file__).resolve().parent


# --------------------------------------------------------------------------------------
# No import circle among fullquantum's modules
# --------------------------------------------------------------------------------------

def import_graph() -> dict[str, set[str]]:
    return read_import_graph(FULLQUANTUM)


def test_the_import_graph_is_read_correctly():
    graph = import_graph()
    assert "fullquantum.structured.driver" in graph and "fullquantum.budget" in graph
    # memory uses the structured solver's formula (and so runs the structured package) ...
    assert {"fullquantum.structured.memory", "fullquantum.structured",
            "fullquantum.budget"} <= graph["fullquantum.memory"]
    # ... while neither memory nor any structured module imports the other way
    assert not any("fullquantum.memory" in graph[m] for m in graph
                   if m.startswith("fullquantum.structured"))
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circle_in_fullquantum():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " → ".join(cycle)


def test_budget_and_checks_are_leaves():
    graph = import_graph()
    assert graph["fullquantum.checks"] == set()
    assert graph["fullquantum.budget"] <= {"fullquantum.errors", "fullquantum.checks"}
    assert graph["fullquantum.points"] == set()


# --------------------------------------------------------------------------------------
# The structured package keeps every name of the former module
# --------------------------------------------------------------------------------------

# Every top-level name of fullquantum/structured.py before it became a package.
FORMER_NAMES = [
    "_DENSE_FRACTION", "_PRECONDITIONER_CHECK", "_DEFAULT_THREADS", "_DENSE_BYTES_PER_D2",
    "_KINDS", "_AUTO_ORDER", "_SWITCH_FACTOR", "_REORTH", "_SOLVER_BUDGET_NAME",
    "StructuredOptions", "StructuredResult", "Operator", "_to_operator", "_herm", "_rel_diff",
    "_proportional", "_group_sandwich", "_rmul", "_GeneralLiouvillian", "_HermitianLiouvillian",
    "_HermitianPacking", "_ComplexPacking", "_EigPreconditioner", "_LEAF", "_leaf_trsyl",
    "_tri_sylvester", "_tri_lyapunov", "_SchurPreconditioner", "_dark_shift",
    "_check_preconditioner", "_fgmres", "_available_cores", "default_threads", "_memory_parts",
    "estimate_memory", "structured_memory", "_is_hermiticity_preserving",
    "steadystate_structured", "_build_preconditioner",
    # imported there from omxval and reachable through it
    "InputError", "SteadyStateConvergenceError", "Generator", "DEFAULT_MEMORY_BUDGET_BYTES",
    "MemoryEstimate", "check_budget", "cutoff_advice", "format_bytes", "format_count",
]


def test_structured_package_exports_the_former_names():
    missing = [n for n in FORMER_NAMES if not hasattr(structured, n)]
    assert not missing
    assert structured.__all__ == ["StructuredOptions", "StructuredResult",
                                  "SteadyStateConvergenceError", "steadystate_structured",
                                  "estimate_memory", "structured_memory"]
    assert structured.StructuredOptions is fq.StructuredOptions is fq.Structured
    assert structured.check_budget is fq.check_budget
    assert (structured.DEFAULT_MEMORY_BUDGET_BYTES == fq.DEFAULT_MEMORY_BUDGET_BYTES
            == 4 * 1024**3)


def test_structured_package_has_one_concept_per_module():
    from omxval.fullquantum.structured import (driver, krylov, memory, options, packing,
                                               preconditioners, sylvester, terms)
    assert options.StructuredOptions is structured.StructuredOptions
    assert memory.structured_memory is structured.structured_memory
    assert krylov._fgmres is structured._fgmres
    assert driver.steadystate_structured is structured.steadystate_structured
    assert preconditioners._SchurPreconditioner is structured._SchurPreconditioner
    assert sylvester._tri_lyapunov is structured._tri_lyapunov
    assert packing._HermitianPacking is structured._HermitianPacking
    assert terms._HermitianLiouvillian is structured._HermitianLiouvillian


# --------------------------------------------------------------------------------------
# Options are checked when built; the message names the field and its valid range
# --------------------------------------------------------------------------------------

def test_structured_tol_of_the_wrong_type():
    with pytest.raises(InputTypeError, match=r"tol must be a real number, got .x."):
        fq.StructuredOptions(tol="x")
    assert issubclass(InputTypeError, TypeError)


def test_structured_threads_not_an_integer():
    with pytest.raises((InputError, InputTypeError), match=r"threads must be None .* or an "
                                                           r"integer >= 1; got 1\.5"):
        fq.StructuredOptions(threads=1.5)


# (class, field, bad value, error class, text the message must contain: field and range)
BAD_FIELDS = [
    (fq.StructuredOptions, "tol", "x", InputTypeError, "tol must be a real number"),
    (fq.StructuredOptions, "tol", 0.0, InputError, "tol must lie in (0, 1)"),
    (fq.StructuredOptions, "tol", 1.0, InputError, "tol must lie in (0, 1)"),
    (fq.StructuredOptions, "tol", math.nan, InputError, "tol must be finite, in (0, 1)"),
    (fq.StructuredOptions, "tol", True, InputTypeError, "tol must be a real number"),
    (fq.StructuredOptions, "maxiter", 10.0, InputTypeError, "maxiter must be an integer >= 1"),
    (fq.StructuredOptions, "maxiter", 0, InputError, "maxiter must be an integer >= 1"),
    (fq.StructuredOptions, "restart", "60", InputTypeError, "restart must be an integer >= 1"),
    (fq.StructuredOptions, "restart", 0, InputError, "restart must be an integer >= 1"),
    (fq.StructuredOptions, "threads", 1.5, InputTypeError, "threads must be None"),
    (fq.StructuredOptions, "threads", 0, InputError, "or an integer >= 1"),
    (fq.StructuredOptions, "memory_budget", 1e9, InputTypeError,
     "memory_budget must be an integer >= 1"),
    (fq.StructuredOptions, "memory_budget", -5, InputError,
     "memory_budget must be an integer >= 1"),
    (fq.StructuredOptions, "preconditioner", "lu", InputError,
     "preconditioner must be one of 'auto', 'schur-mixed', 'schur-double', 'eig-mixed', "
     "'eig-double'"),
    (fq.StructuredOptions, "device", "tpu", InputError, "device must be one of 'cpu', 'gpu'"),
    (fq.StructuredOptions, "parity", "on", InputError,
     "parity must be one of 'auto', 'off', 'even-part'"),
    (fq.SolveOptions, "truncation_tol", "x", InputTypeError,
     "truncation_tol must be a real number"),
    (fq.SolveOptions, "truncation_tol", 1.5, InputError, "truncation_tol must lie in (0, 1]"),
    (fq.SolveOptions, "memory_budget_bytes", 2.5e9, InputTypeError,
     "memory_budget_bytes must be an integer >= 1"),
    (fq.SolveOptions, "memory_budget_bytes", 0, InputError,
     "memory_budget_bytes must be an integer >= 1"),
    (fq.SolveOptions, "use_rcm", 1, InputTypeError, "use_rcm must be True or False"),
    (fq.SolveOptions, "qutip_kwargs", ["weight"], InputTypeError,
     "qutip_kwargs must be a mapping"),
    (fq.SolveOptions, "qutip_kwargs", {"solver": "splu"}, InputError,
     "qutip_kwargs must not contain ['solver']"),
    (fq.SolveOptions, "structured", {"tol": 1e-9}, InputTypeError,
     "structured must be a StructuredOptions"),
    (fq.QutipMethod, "name", "lu", InputError, "QutipMethod.name must be one of 'direct'"),
    (fq.QutipMethod, "solver", "umfpack", InputError, "solver must be one of 'spsolve'"),
    (fq.QutipMethod, "use_rcm", "no", InputTypeError, "use_rcm must be True or False"),
    (fq.QutipMethod, "qutip_kwargs", 3, InputTypeError, "qutip_kwargs must be a mapping"),
]


@pytest.mark.parametrize("cls, name, value, error, text", BAD_FIELDS,
                         ids=[f"{c.__name__}.{n}={v!r}" for c, n, v, _, _ in BAD_FIELDS])
def test_a_bad_field_is_refused_when_built(cls, name, value, error, text):
    kwargs = {"name": "direct"} if cls is fq.QutipMethod and name != "name" else {}
    with pytest.raises(error) as info:
        cls(**kwargs, **{name: value})
    assert text in str(info.value)
    assert name.split(".")[-1] in str(info.value)


# The dataclasses fq exports that hold results or records, not options.
NOT_OPTIONS = {"SteadyState", "Timings", "MemoryEstimate", "LinearTerms", "ModeOperators",
               "Generator", "ModelSteadyState", "OpSum", "GeneratorPattern", "FockModes"}


def test_every_field_of_every_options_object_is_checked():
    options = {getattr(fq, n) for n in fq.__all__
               if dataclasses.is_dataclass(getattr(fq, n)) and n not in NOT_OPTIONS}
    assert options == {fq.StructuredOptions, fq.SolveOptions, fq.QutipMethod}
    for cls in options:
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        tested = {n for c, n, *_ in BAD_FIELDS if c is cls}
        assert fields == tested, cls.__name__


def test_good_options_are_kept_with_equal_values():
    opts = fq.StructuredOptions(tol=np.float64(1e-9), maxiter=np.int64(50), threads=2)
    assert (opts.tol, opts.maxiter, opts.threads) == (1e-9, 50, 2)
    assert type(opts.tol) is float and type(opts.maxiter) is int
    assert fq.StructuredOptions(tol=1e-11) == fq.StructuredOptions()
    solve_opts = fq.SolveOptions(truncation_tol=1, qutip_kwargs={"weight": 1.0})
    assert solve_opts.truncation_tol == 1.0 and dict(solve_opts.qutip_kwargs) == {"weight": 1.0}


# --------------------------------------------------------------------------------------
# Names are checked against their valid choices, never turned into a number
# --------------------------------------------------------------------------------------

def test_estimate_memory_refuses_an_unknown_method():
    with pytest.raises(InputError, match="method must be one of 'structured', 'direct'") as info:
        fq.estimate_memory((4, 3, 8), "bogus")
    assert "'iterative-gmres'" in str(info.value) and "'bogus'" in str(info.value)


@pytest.mark.parametrize("kwargs, text", [
    ({"hamiltonian": "quadratic"}, "hamiltonian must be one of 'linearized', 'nonlinear', 'lab'"),
    ({"bath": "ohmic"}, "bath must be one of 'brownian', 'lindblad'"),
    ({"method": "direct", "solver": "umfpack"}, "solver must be one of"),
    ({"method": "eigen", "solver": "spsolve"}, "solver applies only to method"),
    ({"solver": "spsolve"}, "needs a method"),
])
def test_estimate_memory_refuses_unknown_names(kwargs, text):
    with pytest.raises(InputError, match=text):
        fq.estimate_memory((4, 3, 8), **kwargs)


def test_estimate_memory_refuses_wrong_types():
    with pytest.raises(InputTypeError, match="use_precond must be True or False"):
        fq.estimate_memory((4, 3, 8), "iterative-gmres", use_precond="yes")
    with pytest.raises(InputTypeError, match="structured must be a StructuredOptions"):
        fq.estimate_memory((4, 3, 8), "structured", structured={"restart": 20})


def test_every_estimator_refuses_unknown_names():
    from omxval.fullquantum import memory, methods
    with pytest.raises(InputError, match="hamiltonian must be one of"):
        fq.QutipMethod("direct").estimate_memory((4, 3, 8), hamiltonian="bogus")
    with pytest.raises(InputError, match="bath must be one of"):
        methods.method_estimate(fq.Structured(), (4, 3, 8), "linearized", "bogus")
    with pytest.raises(InputError, match="hamiltonian must be one of"):
        memory.operator_bytes((4, 3, 8), "bogus")
    with pytest.raises(InputError, match="bath must be one of"):
        memory.generator_pattern("linearized", "bogus")
    with pytest.raises(InputError, match="preconditioner must be one of 'auto'"):
        structured.estimate_memory(96, 60, preconditioner="lu")
    with pytest.raises(InputError, match="preconditioner must be one of 'auto'"):
        structured.structured_memory((4, 3, 8), preconditioner="lu")
    with pytest.raises(InputError, match="method must be one of"):
        methods.as_method("bogus")
    with pytest.raises(InputError, match="hamiltonian must be one of"):
        fq.generator_for(reference_point(), cutoffs=(2, 2, 3), hamiltonian="bogus")


def test_check_budget_checks_its_arguments():
    est = fq.estimate_memory((2, 2, 3), "structured")
    fq.check_budget(est, est.total_bytes)  # at the budget: accepted
    with pytest.raises(fq.MemoryBudgetError):
        fq.check_budget(est, est.total_bytes - 1)
    with pytest.raises(InputTypeError, match="budget_bytes must be an integer >= 1"):
        fq.check_budget(est, 1e12)
    with pytest.raises(InputTypeError, match="estimate must be a MemoryEstimate"):
        fq.check_budget(est.total_bytes, 10**12)


# --------------------------------------------------------------------------------------
# One way in: an OperatingPoint wherever a system is taken, with identical results
# --------------------------------------------------------------------------------------

def test_every_public_function_taking_a_system_takes_a_point():
    takers, any_model = [], []
    for name in fq.__all__:
        obj = getattr(fq, name)
        if not inspect.isfunction(obj):
            continue
        params = list(inspect.signature(obj).parameters.values())
        if params and params[0].name in ("point", "system"):
            assert params[0].name == "point", name
            if "OperatingPoint" in str(params[0].annotation):
                takers.append(name)
                assert "System" in str(params[0].annotation), name
            else:  # the functions for any model take its operating point, a ModelPoint
                any_model.append(name)
                assert str(params[0].annotation) == "ModelPoint", name
    assert set(takers) == {"solve", "liouvillian", "generator_for", "model_hamiltonian",
                           "mechanical_bath", "linear_terms"}
    assert set(any_model) == {"model_generator_terms", "model_hamiltonian_terms",
                              "model_linear_terms", "model_pattern"}
    assert "ModelPoint" in str(inspect.signature(fq.solve).parameters["point"].annotation)


def test_mechanical_bath_takes_a_point_or_a_system():
    ops = fq.operators((2, 2, 4))
    for bath in ("brownian", "lindblad"):
        point = reference_point(bath)
        from_point = fq.mechanical_bath(point, ops)
        from_system = fq.mechanical_bath(point.system, ops)
        assert from_point.superoperator() == from_system.superoperator()
        assert np.array_equal(from_point.superoperator().full(),
                              from_system.superoperator().full())
    with pytest.raises(InputTypeError, match="OperatingPoint or a System"):
        fq.mechanical_bath("brownian", ops)
    with pytest.raises(InputTypeError, match="ops must be a ModeOperators"):
        fq.mechanical_bath(reference_point(), (2, 2, 4))


@pytest.mark.parametrize("direction", ["ccw", "cw"])
def test_linear_terms_takes_a_point_or_a_system(direction):
    point = reference_point("lindblad", direction)
    system = point.system
    assert fq.linear_terms(system, direction=direction) == fq.linear_terms(point)
    assert (fq.linear_terms(system, direction=direction, branch=0)
            == fq.linear_terms(linear.OperatingPoint(system, direction)))
    wrong = linear.steady_states(system, direction)[0]
    wrong = dataclasses.replace(wrong, alpha_ccw=wrong.alpha_ccw * 1.01)
    assert (fq.linear_terms(system, wrong, direction=direction)
            == fq.linear_terms(point, wrong))
    assert fq.linear_terms(point, wrong).max_abs > 1e-6  # the check is not trivially zero
    with pytest.raises(InputError, match="direction is required"):
        fq.linear_terms(system)
    other = "cw" if direction == "ccw" else "ccw"
    with pytest.raises(InputError, match="contradicts"):
        fq.linear_terms(point, direction=other)


def test_model_functions_give_identical_results_from_a_point_or_a_system():
    point = reference_point("brownian", "cw")
    system, cut = point.system, (2, 2, 3)
    for model in fq.HAMILTONIANS:
        assert (fq.model_hamiltonian(point, cutoffs=cut, hamiltonian=model)
                == fq.model_hamiltonian(system, "cw", cut, model))
        g_point = fq.generator_for(point, cutoffs=cut, hamiltonian=model)
        g_system = fq.generator_for(system, "cw", cut, model)
        assert np.array_equal(g_point.superoperator().full(), g_system.superoperator().full())
        assert np.array_equal(fq.liouvillian(point, cutoffs=cut, hamiltonian=model).full(),
                              fq.liouvillian(system, "cw", cut, model).full())


def test_solve_gives_identical_results_from_a_point_or_a_system():
    point = reference_point("lindblad")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)  # small cutoffs on purpose
        a = fq.solve(point, cutoffs=(2, 2, 3))
        b = fq.solve(point.system, "ccw", (2, 2, 3))
    assert np.array_equal(a.rho.full(), b.rho.full())
    assert np.array_equal(a.V, b.V) and a.log_negativity_exact == b.log_negativity_exact
