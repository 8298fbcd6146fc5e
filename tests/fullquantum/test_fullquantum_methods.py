"""solve(method="structured") (the default) against QuTiP's direct solver, every model and bath."""

import warnings

import numpy as np
import pytest

from omxval import fullquantum
from tests.conftest import reference_system


def trace_distance(a, b) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a.full() - b.full())).sum())


@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
@pytest.mark.parametrize("model,cutoffs,G0", [("linearized", (3, 2, 4), 0.05),
                                              ("nonlinear", (3, 2, 4), 0.05),
                                              ("lab", (4, 2, 4), 0.25)])  # ~0.5 photons
def test_structured_equals_qutip_direct(bath, model, cutoffs, G0):
    s = reference_system(bath, G0=G0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)  # small on purpose
        fast = fullquantum.solve(s, "ccw", cutoffs, hamiltonian=model)
        ref = fullquantum.solve(s, "ccw", cutoffs, hamiltonian=model, method="direct")
    assert fast.method == "structured" and fast.solver_info["iterations"] > 0
    assert trace_distance(fast.rho, ref.rho) <= 1e-10
    assert np.abs(fast.V - ref.V).max() <= 1e-10
    assert fast.residual <= 1e-10 and abs(fast.rho.tr() - 1) < 1e-14
    assert fast.rho.isherm


def test_structured_non_convergence_raises_through_solve():
    opts = fullquantum.SolveOptions(structured=fullquantum.StructuredOptions(maxiter=1))
    with pytest.raises(fullquantum.SteadyStateConvergenceError):
        fullquantum.solve(reference_system(), "ccw", (3, 2, 4), options=opts)


def test_structured_memory_refusal_names_the_estimate():
    with pytest.raises(fullquantum.MemoryBudgetError, match="structured solver") as exc:
        fullquantum.solve(reference_system(), "ccw", (10, 8, 14), memory_budget_bytes=10**6)
    assert exc.value.estimate_bytes > 10**6
