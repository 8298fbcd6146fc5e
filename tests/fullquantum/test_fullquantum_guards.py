"""The memory guard, the truncation guard and input validation."""

import warnings

import numpy as np
import pytest
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from omxval import fullquantum as fq
from omxval import linear
from tests.conftest import reference_system

SYSTEM = reference_system("brownian")


def test_memory_refusal_states_the_estimate_and_the_remedies():
    with pytest.raises(fq.MemoryBudgetError,
                       match=r"(KiB|MiB|GiB).*cutoffs.*memory_budget_bytes") as err:
        fq.solve(SYSTEM, "ccw", (2, 2, 3), memory_budget_bytes=10**5)
    assert err.value.estimate_bytes > err.value.budget_bytes == 10**5
    with pytest.raises(fq.MemoryBudgetError):
        fq.liouvillian(SYSTEM, "ccw", (2, 2, 3), memory_budget_bytes=10**4)


def test_default_budget_refuses_a_size_that_would_not_fit():
    # d = 2400: the sparse-LU fill of a 5.8e6-square Liouvillian is far beyond 4 GiB.
    with pytest.raises(fq.MemoryBudgetError):
        fq.solve(SYSTEM, "ccw", (12, 10, 20))
    # SVD (dense) is refused at (4, 3, 8), and accepted only with a raised budget.
    svd = fq.estimate_memory((4, 3, 8), "svd")
    assert svd.total_bytes > fq.DEFAULT_MEMORY_BUDGET_BYTES
    fq.check_budget(svd, svd.total_bytes)  # does not raise at exactly the estimate


@pytest.mark.parametrize("model", ["linearized", "nonlinear", "lab"])
def test_memory_estimate_bounds_the_real_liouvillian_and_lu(model):
    cutoffs = (3, 2, 4)
    est = fq.estimate_memory(cutoffs, "direct", "spsolve", hamiltonian=model, bath="brownian")
    L = fq.liouvillian(SYSTEM, "ccw", cutoffs, model).to("csr").data.as_scipy()
    rows, cols = L.nonzero()
    assert L.nnz <= est.nnz_bound <= 3 * L.nnz
    assert np.max(np.abs(rows - cols)) <= est.bandwidth
    # SuperLU after reverse Cuthill–McKee, as QuTiP's direct method with use_rcm does.
    perm = csgraph.reverse_cuthill_mckee(L)
    lu = spla.splu(L[perm][:, perm].tocsc())
    n = L.shape[0]
    assert lu.L.nnz + lu.U.nnz <= 2 * n * est.bandwidth


def test_truncation_flag_fires_on_small_cutoffs():
    with pytest.warns(fq.TruncationWarning, match="N_ccw=2"):
        r = fq.solve(SYSTEM, "ccw", (2, 2, 4))
    assert r.truncated and r.top_populations[0] > fq.DEFAULT_TRUNCATION_TOL


def test_truncation_flag_follows_the_tolerance():
    cutoffs = (3, 3, 4)  # top populations ≈ 1.3e-4 (ccw), 1e-4 … 1e-6 elsewhere
    with warnings.catch_warnings():
        warnings.simplefilter("error", fq.TruncationWarning)
        r = fq.solve(SYSTEM, "ccw", cutoffs)
    assert not r.truncated and max(r.top_populations) < fq.DEFAULT_TRUNCATION_TOL
    with pytest.warns(fq.TruncationWarning):
        strict = fq.solve(SYSTEM, "ccw", cutoffs, truncation_tol=1e-6)
    assert strict.truncated and strict.options.truncation_tol == 1e-6


@pytest.mark.parametrize("kwargs, name", [
    ({"cutoffs": (3, 3)}, "cutoffs"),
    ({"cutoffs": (1, 2, 4)}, "cutoffs"),
    ({"cutoffs": (2.5, 2, 4)}, "cutoffs"),
    ({"cutoffs": "348"}, "cutoffs"),
    ({"hamiltonian": "quadratic"}, "hamiltonian"),
    ({"method": "lu"}, "method"),
    ({"solver": "umfpack"}, "solver"),
    ({"method": "eigen", "solver": "spsolve"}, "solver"),
    ({"branch": 3}, "branch"),
    ({"truncation_tol": 0.0}, "truncation_tol"),
    ({"memory_budget_bytes": -1}, "memory_budget_bytes"),
])
def test_bad_input_raises_value_error_naming_the_parameter(kwargs, name):
    args = {"cutoffs": (2, 2, 3), **kwargs}
    with pytest.raises(ValueError, match=name):
        fq.solve(SYSTEM, "ccw", **args)


def test_bad_direction_and_unknown_option():
    with pytest.raises(ValueError, match="direction"):
        fq.solve(SYSTEM, "left", (2, 2, 3))
    with pytest.raises(ValueError, match="direction"):
        fq.liouvillian(SYSTEM, "left", (2, 2, 3), hamiltonian="lab")
    with pytest.raises(TypeError, match="truncation_tol"):
        fq.solve(SYSTEM, "ccw", (2, 2, 3), truncation_tolerance=1e-3)


def test_linearized_at_an_unstable_point_warns():
    unstable = reference_system("brownian", detuning=-0.9)  # blue detuned: parametric gain
    with pytest.warns(fq.InstabilityWarning):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fq.TruncationWarning)
            r = fq.solve(unstable, "ccw", (2, 2, 3))
    assert not linear.analyze(unstable, "ccw").stable and np.isfinite(r.V).all()
