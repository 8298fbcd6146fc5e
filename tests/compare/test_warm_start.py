"""Warm starts of the structured solver: fullquantum.solve(initial_state=...) and the
adaptive cutoff ladder (compare.validity.adaptive_cutoffs).

A warm start may change the GMRES iterations only: the state must be the cold one to the
solver's tolerance (tol 1e-11 on the relative residual; trace distances of 0.1–2× tol were
measured, so 1e-9 leaves a wide margin).
"""

import numpy as np
import pytest
import qutip

from omxval import fullquantum
from omxval.compare.studies import validity
from omxval.compare.studies.validity import adaptive_cutoffs
from omxval.fullquantum.steadystate import _embed_fock
from tests.conftest import reference_point


def trace_distance(a, b) -> float:
    return 0.5 * float(np.abs(np.linalg.eigvalsh(a.full() - b.full())).sum())


@pytest.fixture(scope="module")
def neighbours():
    """Reference point, nonlinear model: states at (5,3,5) and (6,4,6); cold solve at (5,3,6)."""
    p = reference_point()
    return p, {c: fullquantum.solve(p, cutoffs=c, hamiltonian="nonlinear")
               for c in [(5, 3, 5), (6, 4, 6), (5, 3, 6)]}


@pytest.mark.parametrize("near", [(5, 3, 5), (6, 4, 6)])
def test_warm_start_from_other_cutoffs_gives_the_cold_state(neighbours, near):
    """Zero-padded from smaller cutoffs, or cut from larger ones: same state, fewer iterations."""
    p, states = neighbours
    cold = states[5, 3, 6]
    warm = fullquantum.solve(p, cutoffs=(5, 3, 6), hamiltonian="nonlinear",
                             initial_state=states[near])
    assert warm.solver_info["warm_start"] and not cold.solver_info["warm_start"]
    assert warm.solver_info["iterations"] < cold.solver_info["iterations"]
    assert trace_distance(warm.rho, cold.rho) < 1e-9
    assert np.abs(warm.V - cold.V).max() < 1e-9
    assert abs(warm.log_negativity_exact - cold.log_negativity_exact) < 1e-9


def test_initial_state_as_qobj_or_array(neighbours):
    p, states = neighbours
    cold = states[5, 3, 6]
    for guess in (cold.rho, cold.rho.full()):  # already the answer: one iteration or none
        warm = fullquantum.solve(p, cutoffs=(5, 3, 6), hamiltonian="nonlinear", initial_state=guess)
        assert warm.solver_info["iterations"] <= 1
        assert trace_distance(warm.rho, cold.rho) < 1e-9


def test_embedding_acts_on_each_mode():
    """A product operator embeds into the product of its factors, each padded or cut."""
    rng = np.random.default_rng(7)
    old, new = (3, 2, 4), (4, 2, 3)
    factors = [rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n)) for n in old]

    def resized(f, n):
        out = np.zeros((n, n), dtype=complex)
        k = min(n, f.shape[0])
        out[:k, :k] = f[:k, :k]
        return out

    rho = qutip.tensor(*[qutip.Qobj(f) for f in factors]).full()
    expected = qutip.tensor(*[qutip.Qobj(resized(f, n)) for f, n in zip(factors, new)]).full()
    assert np.array_equal(_embed_fock(rho, old, new), expected)
    assert np.array_equal(_embed_fock(rho, old, old), rho)


def test_initial_state_errors_name_the_parameter(neighbours):
    p, states = neighbours
    s = states[5, 3, 5]
    with pytest.raises(ValueError, match="initial_state applies to method 'structured'"):
        fullquantum.solve(p, cutoffs=(2, 2, 2), hamiltonian="nonlinear", method="direct",
                          initial_state=s)
    with pytest.raises(ValueError, match=r"initial_state as an array must be 8×8"):
        fullquantum.solve(p, cutoffs=(2, 2, 2), hamiltonian="nonlinear", initial_state=np.eye(4))
    with pytest.raises(ValueError, match="Fock dims"):
        fullquantum.solve(p, cutoffs=(2, 2, 2), hamiltonian="nonlinear",
                          initial_state=qutip.qeye(8))
    with pytest.raises(TypeError, match="initial_state must be"):
        fullquantum.solve(p, cutoffs=(2, 2, 2), hamiltonian="nonlinear", initial_state=[[1.0]])
    with pytest.raises(ValueError, match="trace"):
        fullquantum.solve(p, cutoffs=(2, 2, 2), hamiltonian="nonlinear",
                          initial_state=np.zeros((8, 8)))


def test_warm_ladder_equals_the_cold_one_in_fewer_iterations():
    """Reference point ladder (conventions §5): same cutoffs and solves, the same state to
    the solver tolerance, fewer GMRES iterations (measured 230 → 217)."""
    p = reference_point()
    cold = adaptive_cutoffs(p, warm_start=False)
    warm = adaptive_cutoffs(p)
    assert warm.converged and cold.converged
    assert (warm.cutoffs, warm.solves) == (cold.cutoffs, cold.solves)
    assert 0 < warm.iterations < cold.iterations
    assert trace_distance(warm.state.rho, cold.state.rho) < 1e-9
    assert abs(warm.state.log_negativity_exact - cold.state.log_negativity_exact) < 1e-9
    with pytest.raises(ValueError, match="warm_start"):
        adaptive_cutoffs(p, initial_state=warm.state)


def test_the_ladder_never_solves_the_same_cutoffs_twice(monkeypatch):
    """Each solve is at new cutoffs (a pass that raises one mode reuses its trial); at
    G0 = 0.2 the ladder raises single modes."""
    solved = []
    real = fullquantum.solve

    def recording(point, **kwargs):
        solved.append((kwargs["hamiltonian"], kwargs["cutoffs"]))
        return real(point, **kwargs)

    monkeypatch.setattr(validity.fullquantum, "solve", recording)
    fit = adaptive_cutoffs(reference_point(G0=0.2))
    assert fit.converged and fit.solves == len(solved)
    assert len(set(solved)) == len(solved)


@pytest.mark.parametrize("G0", [0.05, 0.2])
def test_climbing_with_the_linearized_model_first_ends_with_the_nonlinear_final_pass(G0):
    """linearized_first changes which model climbs, not the answer: the same converged
    cutoffs and state as the nonlinear-only search, and the last solves are the nonlinear
    model's own pass at the final cutoffs (one trial per mode)."""
    p = reference_point(G0=G0)
    plain = adaptive_cutoffs(p, linearized_first=False)
    first = adaptive_cutoffs(p)
    assert plain.converged and first.converged
    assert first.cutoffs == plain.cutoffs
    assert first.state.hamiltonian == "nonlinear"
    assert trace_distance(first.state.rho, plain.state.rho) < 1e-9
    models = [h["hamiltonian"] for h in first.history]
    assert models[0] == "linearized" and set(models) == {"linearized", "nonlinear"}
    k = models.index("nonlinear")
    assert set(models[k:]) == {"nonlinear"}  # once the nonlinear model starts, it finishes
    final = [h["cutoffs"] for h in first.history[-3:]]
    assert sorted(final) == sorted(tuple(c + (i == m) for i, c in enumerate(first.cutoffs))
                                   for m in range(3))
    assert first.solves == len(first.history)
    assert {h["hamiltonian"] for h in plain.history} == {"nonlinear"}


def test_the_search_hands_over_the_linearized_state_it_solved(monkeypatch):
    """A nonlinear search that ends at its linearized climb's cutoffs returns the climb's
    state there (the truncation control of a judged point, not solved twice): the cold
    linearized state at those cutoffs to the solver's tolerance. A linearized search hands
    over its own state; a nonlinear-only search has none."""
    p = reference_point(G0=0.05)
    fit = adaptive_cutoffs(p)
    assert fit.converged
    lin = fit.linearized_state
    assert lin is not None and lin.hamiltonian == "linearized" and lin.cutoffs == fit.cutoffs
    cold = fullquantum.solve(p, cutoffs=fit.cutoffs, hamiltonian="linearized")
    assert trace_distance(lin.rho, cold.rho) < 1e-9
    assert adaptive_cutoffs(p, linearized_first=False).linearized_state is None
    own = adaptive_cutoffs(p, "linearized")
    assert own.linearized_state is own.state

    # judge_point takes it as its control: every solve of the point is one of the search's.
    real = fullquantum.solve
    solved = []

    def recording(point, **kwargs):
        solved.append((kwargs["hamiltonian"], kwargs["cutoffs"]))
        return real(point, **kwargs)

    monkeypatch.setattr(validity.fullquantum, "solve", recording)
    judged = validity.judge_point(p)
    assert judged.status in ("valid", "breaks")
    assert judged.control is judged.fit.linearized_state
    assert len(solved) == judged.fit.solves
