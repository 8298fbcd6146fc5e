"""The memory guard: refused from the cutoffs and the method alone, one error class, advice
that fits the method, and an estimate that stays an upper bound.

Issue: cutoffs (150,150,150) peaked at 3.8 GiB before the refusal and (400,400,400) ended in
an uncontrolled MemoryError, because the estimate needed the built d×d operators; the
structured solver raised its own, unexported memory error; the advice spoke of sparse-LU
fill for every method. Timings are measured elsewhere (project rule: tests never assert
them); here the traced allocation is asserted instead.
"""

import gc
import importlib
import math
import tracemalloc
import warnings

import numpy as np
import pytest

from omxval import fullquantum as fq
from omxval.fullquantum import memory
from omxval.fullquantum.structured import StructuredOptions
from tests.conftest import reference_system

BATHS = ("brownian", "lindblad")
MODELS = ("linearized", "nonlinear", "lab")
HUGE = [(400, 400, 400), (150, 150, 150)]
# A refusal decided from the cutoffs allocates next to nothing (the estimate is arithmetic
# on a few integers); building even one d×d operator at these cutoffs takes GiBs.
REFUSAL_PEAK_BYTES = 50 * 2**20


def system(bath: str = "brownian"):
    return reference_system(bath)


def traced_peak(call):
    """Run ``call()``; return (its result or the exception it raised, traced peak bytes)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        try:
            out = call()
        except Exception as exc:  # noqa: BLE001 - returned for the caller to check
            out = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def forbid_building(monkeypatch):
    """Make any call that builds d×d operators fail the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("operators were built before the memory refusal")
    for name in ("omxval.fullquantum.steadystate", "omxval.fullquantum.models"):
        module = importlib.import_module(name)
        for attr in ("generator_for", "operators"):
            if hasattr(module, attr):
                monkeypatch.setattr(module, attr, refuse)


# --------------------------------------------------------------------------------------
# Refusal before anything is built
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("cutoffs", HUGE)
@pytest.mark.parametrize("method", [None, "direct"])  # None: the default, "structured"
def test_huge_cutoffs_are_refused_before_anything_is_built(monkeypatch, cutoffs, method):
    forbid_building(monkeypatch)
    kwargs = {} if method is None else {"method": method}
    err, peak = traced_peak(lambda: fq.solve(system(), "ccw", cutoffs, **kwargs))
    assert isinstance(err, fq.MemoryBudgetError), err
    assert err.budget_bytes == fq.DEFAULT_MEMORY_BUDGET_BYTES < err.estimate_bytes
    assert peak < REFUSAL_PEAK_BYTES


@pytest.mark.parametrize("cutoffs", HUGE)
def test_huge_liouvillian_is_refused_before_anything_is_built(monkeypatch, cutoffs):
    forbid_building(monkeypatch)
    err, peak = traced_peak(lambda: fq.liouvillian(system(), "ccw", cutoffs))
    assert isinstance(err, fq.MemoryBudgetError), err
    assert peak < REFUSAL_PEAK_BYTES


def test_the_estimate_needs_no_operator():
    est = fq.estimate_memory((400, 400, 400), "direct")
    assert est.hilbert_dim == 400**3 and est.method == "direct"
    # the d×d operators alone are GiBs there: counted, not built
    assert est.operator_bytes > 2**30
    assert memory.operator_bytes((400, 400, 400)) == est.operator_bytes


# --------------------------------------------------------------------------------------
# One error class, advice that fits the method
# --------------------------------------------------------------------------------------

def test_one_memory_error_class_exported_and_documented():
    from omxval.fullquantum import errors, structured
    assert not hasattr(structured, "SteadyStateMemoryError")
    assert fq.MemoryBudgetError is errors.MemoryBudgetError
    assert issubclass(fq.MemoryBudgetError, MemoryError)
    for name in errors.__all__:
        assert name in fq.__all__ and getattr(fq, name) is getattr(errors, name)
        assert f":class:`{name}`" in fq.__doc__
    assert "SteadyStateConvergenceError" in fq.__all__


def refusal(cutoffs=(10, 8, 14), **kwargs) -> str:
    with pytest.raises(fq.MemoryBudgetError) as info:
        fq.solve(system(), "ccw", cutoffs, memory_budget_bytes=10**6, **kwargs)
    return str(info.value)


def test_structured_advice_names_restart_not_fill():
    msg = refusal()
    assert "restart" in msg and "StructuredOptions.restart" in msg
    assert "sparse-LU" not in msg and "fill" not in msg
    assert "8·d² bytes" in msg  # what one Krylov vector costs
    assert "N_m=14" in msg  # the cutoff that dominates d
    assert "memory_budget_bytes" in msg


def test_qutip_advice_fits_the_solver():
    direct = refusal((3, 2, 4), method="direct")
    assert "sparse-LU fill" in direct and "restart" not in direct
    dense = refusal((3, 2, 4), method="direct", solver="solve")
    assert "dense" in dense and "fill" not in dense
    krylov = refusal((3, 2, 4), method="iterative-gmres",
                     qutip_kwargs={"use_precond": True})
    assert "Krylov" in krylov and "use_precond=False" in krylov and "fill" not in krylov


def test_restart_reaches_the_estimate_through_solve():
    cutoffs = (3, 2, 4)
    opts = StructuredOptions(restart=400)
    est = fq.estimate_memory(cutoffs, "structured", structured=opts)
    assert est.total_bytes > fq.estimate_memory(cutoffs, "structured").total_bytes
    with pytest.raises(fq.MemoryBudgetError) as info:
        fq.solve(system(), "ccw", cutoffs, structured=opts,
                 memory_budget_bytes=est.total_bytes - 1)
    assert "restart=400" in str(info.value) and "now 400" in str(info.value)
    assert info.value.estimate_bytes == est.total_bytes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)  # small on purpose
        r = fq.solve(system(), "ccw", cutoffs, structured=opts,
                     memory_budget_bytes=est.total_bytes + 1)
    assert r.memory.total_bytes == est.total_bytes and r.solver_info["iterations"] > 0


def test_structured_solver_refuses_with_the_same_class():
    from omxval.fullquantum.structured import steadystate_structured
    g = fq.generator_for(system(), "ccw", (3, 2, 4))
    with pytest.raises(fq.MemoryBudgetError, match="StructuredOptions.memory_budget"):
        steadystate_structured(g, options=StructuredOptions(memory_budget=10**4))


# --------------------------------------------------------------------------------------
# The closed form stays an upper bound
# --------------------------------------------------------------------------------------

SMALL = [(2, 2, 3), (3, 2, 4), (2, 3, 2), (4, 3, 5)]


def shifts_of(op, cutoffs) -> set:
    """The Fock-index shifts (row − column per mode) of an operator's nonzero entries."""
    m = op.to("csr").data.as_scipy().tocoo()
    keep = m.data != 0
    rows = np.array(np.unravel_index(m.row[keep], cutoffs)).T
    cols = np.array(np.unravel_index(m.col[keep], cutoffs)).T
    return {tuple(int(x) for x in r) for r in rows - cols}


def csr_nnz(op) -> int:
    return int(op.to("csr").data.as_scipy().nnz)


def max_offset(op) -> int:
    m = op.to("csr").data.as_scipy().tocoo()
    return int(np.abs(m.row - m.col).max()) if m.nnz else 0


@pytest.mark.parametrize("bath", BATHS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("direction", ["ccw", "cw"])
def test_closed_form_patterns_hold_the_built_operators(bath, model, direction):
    pattern = memory.generator_pattern(model, bath)
    s = reference_system(bath, direction=direction)
    for cutoffs in SMALL:
        g = fq.generator_for(s, direction, cutoffs, model)
        built = [g.left, g.right] + [op for pair in g.sandwich for op in pair]
        assert len(built) == len(pattern.operators())
        for op, shifts in zip(built, pattern.operators()):
            assert shifts_of(op, cutoffs) <= shifts
            assert csr_nnz(op) <= memory.nnz_bound(shifts, cutoffs)
        ops = fq.operators(cutoffs)
        for op, shifts in zip((ops.a_ccw, ops.a_cw, ops.b, ops.q, ops.p), pattern.modes):
            assert shifts_of(op, cutoffs) <= shifts


@pytest.mark.parametrize("bath", BATHS)
@pytest.mark.parametrize("model", MODELS)
def test_cutoff_estimate_bounds_the_generator_based_one(bath, model):
    """≥ the former estimate from the built operators, and ≥ the real Liouvillian."""
    s = system(bath)
    for cutoffs in SMALL:
        g = fq.generator_for(s, "ccw", cutoffs, model)
        d = g.hilbert_dim
        n = d * d
        est = fq.estimate_memory(cutoffs, "direct", "spsolve", hamiltonian=model, bath=bath)
        old_nnz = d * (csr_nnz(g.left) + csr_nnz(g.right)) + sum(
            csr_nnz(C) * csr_nnz(D) for C, D in g.sandwich)
        old_w = max([max_offset(g.left), d * max_offset(g.right)]
                    + [max_offset(C) + d * max_offset(D) for C, D in g.sandwich])
        assert est.nnz_bound >= old_nnz and est.bandwidth >= old_w
        # the former estimate: 3 copies of L's CSR storage + the band-LU fill 2·n·w
        old_total = 3 * (old_nnz * 24 + 8 * (n + 1)) + min(2 * n * old_w, n * n) * 24
        assert est.total_bytes >= old_total
        L = g.superoperator().to("csr").data.as_scipy()
        rows, cols = L.nonzero()
        assert L.nnz <= est.nnz_bound and np.abs(rows - cols).max() <= est.bandwidth


@pytest.mark.slow
@pytest.mark.parametrize("bath", BATHS)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.filterwarnings("ignore::omxval.fullquantum.TruncationWarning")
def test_estimate_bounds_the_traced_peak(bath, model):
    """tracemalloc peaks of building and solving stay below the estimates that allowed them.

    The tiny sizes are where the fixed overheads matter most; every method's own term (LU
    fill, Krylov basis) is checked where it is largest relative to the rest in the next test.
    """
    # lab at G0 = 0.25 (≈ 0.5 photons) fits small cutoffs, as in the other tests
    s = reference_system(bath, G0=0.25 if model == "lab" else 0.05)
    for cutoffs in [(2, 2, 3), (2, 3, 2), (3, 2, 4)]:
        _, peak = traced_peak(lambda: fq.generator_for(s, "ccw", cutoffs, model))
        assert peak <= memory.operator_bytes(cutoffs, model, bath)
        _, peak = traced_peak(lambda: fq.liouvillian(s, "ccw", cutoffs, model))
        assert peak <= fq.estimate_memory(cutoffs, None, hamiltonian=model, bath=bath).total_bytes
        # direct and GMRES take seconds on the lab model from (3, 2, 4) on
        methods = ("structured",) if cutoffs == (3, 2, 4) else (
            "structured", "direct", "iterative-gmres")
        for method in methods:
            r, peak = traced_peak(lambda: fq.solve(s, "ccw", cutoffs, model, method=method))
            assert isinstance(r, fq.SteadyState), r
            assert peak <= r.memory.total_bytes, (cutoffs, method)


@pytest.mark.slow
@pytest.mark.parametrize("bath", BATHS)
@pytest.mark.filterwarnings("ignore::omxval.fullquantum.TruncationWarning")
def test_estimate_bounds_the_traced_peak_at_a_larger_size(bath):
    """n = 3600: the Liouvillian's copies and the Krylov basis dominate the estimate.

    (The direct method's LU-fill term is ≥ 10× its peak here; it is tight only at the tiny
    sizes above.)
    """
    s = reference_system(bath)
    cutoffs = (4, 3, 5)
    _, peak = traced_peak(lambda: fq.liouvillian(s, "ccw", cutoffs, "nonlinear"))
    assert peak <= fq.estimate_memory(cutoffs, None, hamiltonian="nonlinear", bath=bath).total_bytes
    # GMRES takes ≈ 30 s under tracemalloc here; once (the Brownian bath, the larger) is enough
    methods = ("structured", "iterative-gmres") if bath == "brownian" else ("structured",)
    for method in methods:
        r, peak = traced_peak(lambda: fq.solve(s, "ccw", cutoffs, "nonlinear", method=method))
        assert isinstance(r, fq.SteadyState), r
        assert peak <= r.memory.total_bytes, method


def test_closed_form_counts():
    cutoffs = (5, 4, 6)
    assert memory.nnz_bound({(-1, 0, 0)}, cutoffs) == 4 * 4 * 6  # a_ccw: N−1 per mode
    assert memory.nnz_bound({(0, 0, 0), (0, 0, 2), (0, 0, -2)}, cutoffs) == 5 * 4 * (6 + 4 + 4)
    assert memory.max_offset({(1, -1, 0)}, cutoffs) == 4 * 6 - 6
    assert memory.max_offset({(0, 0, 2)}, (2, 2, 2)) == 0  # q² has no ±2 band at N_m = 2
    d = math.prod(cutoffs)
    est = fq.estimate_memory(cutoffs, "structured", structured=StructuredOptions(restart=10))
    # each Krylov step: 2 vectors of 8·d² bytes; the rest does not depend on restart
    more = fq.estimate_memory(cutoffs, "structured", structured=StructuredOptions(restart=11))
    assert more.total_bytes - est.total_bytes == 2 * 8 * d * d
