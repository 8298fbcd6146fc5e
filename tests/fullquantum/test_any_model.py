"""The full-quantum models of any omxval.Model (issue "Your own system, part 2").

Independent truths: the spinning resonator's own path (goldens), a Liouvillian built by hand
from ``qutip.destroy`` for a 4-mode model, the Lyapunov solution as cutoffs grow, Gaussian
identities of the log-negativity, tracemalloc peaks against the memory estimate.
"""

import math
import tracemalloc
import warnings

import numpy as np
import pytest
import qutip

from omxval import fullquantum as fq
from omxval import linear
from omxval.errors import InputError
from omxval.linear import Cavity, Hopping, Mechanical, Model, ModelPoint, RadiationPressure
from omxval.linear.presets import design_model, spinning_resonator, spinning_resonator_point
from omxval.fullquantum import memory

REFERENCE = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
                 coupling=0.25)


def four_modes(g0=0.08) -> ModelPoint:
    """Two cavities (one warm), two mechanical modes with the two baths, hopping in both."""
    model = Model((Cavity("a", 0.7, 0.35, 0.6, thermal=0.1),
                   Cavity("c", 1.1, 0.3, 0.0),
                   Mechanical("m1", 1.0, 0.05, 0.2, "brownian"),
                   Mechanical("m2", 1.3, 0.04, 0.1, "lindblad")),
                  (RadiationPressure("a", "m1", g0), RadiationPressure("c", "m2", 0.6 * g0),
                   Hopping(("a", "c"), 0.15), Hopping(("m1", "m2"), 0.05)))
    return ModelPoint(model)


def hand_liouvillian(point: ModelPoint, cutoffs) -> qutip.Qobj:
    """The nonlinear displaced model of four_modes, written out with qutip.destroy."""
    model, mf = point.model, point.mean_field
    ops = []
    for k in range(4):
        f = [qutip.qeye(n) for n in cutoffs]
        f[k] = qutip.destroy(cutoffs[k])
        ops.append(qutip.tensor(*f))
    a, c, b1, b2 = ops
    q1, p1 = (b1 + b1.dag()) / math.sqrt(2), 1j * (b1.dag() - b1) / math.sqrt(2)
    q2 = (b2 + b2.dag()) / math.sqrt(2)
    A, C, M1, M2 = model.modes
    g_a, g_c = model.couplings[0].g0, model.couplings[1].g0
    al, ac = mf.amplitudes["a"], mf.amplitudes["c"]
    H = ((A.detuning - mf.shifts["a"]) * a.dag() * a + (C.detuning - mf.shifts["c"]) * c.dag() * c
         + M1.frequency * b1.dag() * b1 + M2.frequency * b2.dag() * b2
         + 0.15 * (a.dag() * c + c.dag() * a) + 0.05 * (b1.dag() * b2 + b2.dag() * b1)
         - g_a * (np.conj(al) * a + al * a.dag()) * q1 - g_c * (np.conj(ac) * c + ac * c.dag()) * q2
         - g_a * a.dag() * a * q1 - g_c * c.dag() * c * q2)
    c_ops = [math.sqrt(2 * A.kappa * (A.thermal + 1)) * a, math.sqrt(2 * A.kappa * A.thermal) * a.dag(),
             math.sqrt(2 * C.kappa) * c,
             math.sqrt(M2.gamma * (M2.thermal + 1)) * b2, math.sqrt(M2.gamma * M2.thermal) * b2.dag()]
    L = qutip.liouvillian(H, c_ops)
    g, s = M1.gamma, M1.gamma * (2 * M1.thermal + 1) / 2
    # Brownian bath: −(iγ/2)[q, {p, ρ}] − (γ(2n+1)/2)[q, [q, ρ]]
    L += -0.5j * g * (qutip.spre(q1 * p1) + qutip.sprepost(q1, p1) - qutip.sprepost(p1, q1)
                      - qutip.spost(p1 * q1))
    L += -s * (qutip.spre(q1 * q1) - 2 * qutip.sprepost(q1, q1) + qutip.spost(q1 * q1))
    return L


def test_four_mode_solve_equals_qutip_steadystate_on_a_hand_built_liouvillian():
    point = four_modes()
    cutoffs = (3, 2, 3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)
        r = fq.solve(point, cutoffs=cutoffs, hamiltonian="nonlinear")
    ref = qutip.steadystate(hand_liouvillian(point, cutoffs))
    ref = ref / ref.tr()
    assert 0.5 * np.abs(np.linalg.eigvalsh((r.rho - ref).full())).sum() < 1e-9
    assert r.cutoffs == cutoffs and r.pairs == point.model.pairs and len(r.pairs) == 6
    # The exact E_N of every pair against QuTiP's own negativity of the reduced state.
    for (x, y), en in r.log_negativities_exact.items():
        i, j = point.model.index(x), point.model.index(y)
        red = ref.ptrace([i, j])
        mask = [0, 1] if i < j else [1, 0]
        expected = math.log(qutip.partial_transpose(red, mask).norm("tr"))
        assert en == pytest.approx(expected, abs=1e-8)
    assert r.mean_field_residual < 1e-9


def test_spinning_resonator_preset_through_the_new_path_equals_the_operating_point_path():
    p = linear.design_point(**REFERENCE, direction="cw")
    for h in fq.HAMILTONIANS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fq.TruncationWarning)
            old = fq.solve(p, cutoffs=(4, 3, 6), hamiltonian=h)
            new = fq.solve(spinning_resonator_point(p), cutoffs=(4, 3, 6), hamiltonian=h)
        assert isinstance(new, fq.ModelSteadyState) and isinstance(old, fq.SteadyState)
        np.testing.assert_allclose(new.V, old.V, atol=1e-10)
        assert new.log_negativities_exact[("cw", "m")] == pytest.approx(
            old.log_negativity_exact, abs=1e-10)
        assert new.quanta["cw"] == pytest.approx(old.photons.cw, rel=1e-10)
        assert new.quanta["m"] == pytest.approx(old.phonons, rel=1e-9, abs=1e-9)
    # The model's own mean field (solved by linear.modelfield, not converted) agrees too.
    solved = ModelPoint(spinning_resonator(p), p.branch)
    r = fq.solve(solved, cutoffs=(4, 3, 6), hamiltonian="nonlinear")
    old = fq.solve(p, cutoffs=(4, 3, 6), hamiltonian="nonlinear")
    assert r.log_negativities_exact[("cw", "m")] == pytest.approx(old.log_negativity_exact,
                                                                   abs=1e-8)


def test_one_cavity_linearized_fock_model_meets_lyapunov_as_cutoffs_grow():
    model = Model((Cavity("a", 1.0, 0.3), Mechanical("b", 1.0, 0.02, 0.1)),
                  (RadiationPressure("a", "b", 0.05),))
    point = design_model(model, coupling=0.2)
    V = linear.analyze(point).V
    errors = []
    for cut in ((2, 3), (3, 5), (4, 7), (5, 9)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fq.TruncationWarning)
            r = fq.solve(point, cutoffs=cut, hamiltonian="linearized")
        errors.append(np.abs(r.V - V).max())
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[-1] < 2e-4 < errors[0]
    assert r.log_negativities_exact[("a", "b")] == pytest.approx(
        linear.analyze(point).log_negativity("a", "b"), abs=2e-4)


def test_bipartitions_by_mode_names():
    point = four_modes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)
        r = fq.solve(point, cutoffs=(3, 2, 3, 2), pairs=[("a", "m1")])
    assert r.pairs == (("a", "m1"),)
    # A pair read as a cut, and the partial transpose taken on either side.
    assert r.exact_log_negativity("a", "m1") == pytest.approx(r.exact_log_negativity("m1", "a"),
                                                              abs=1e-10)
    assert r.exact_log_negativity(["a"], ["m1"]) == pytest.approx(
        r.log_negativities_exact[("a", "m1")], abs=1e-12)
    # Grouping modes can only keep or raise E_N (monotone under local operations).
    assert r.exact_log_negativity(["a", "c"], ["m1", "m2"]) >= \
        r.exact_log_negativity("a", "m1") - 1e-12
    # Gaussian side: a pair's cut equals paper Eq. 12.
    assert r.gaussian_log_negativity("a", "m1") == pytest.approx(
        float(linear.log_negativity(r.V, (0, 2))), abs=1e-12)
    with pytest.raises(InputError, match="must name modes of the model"):
        r.exact_log_negativity("a", "x")
    with pytest.raises(InputError, match="pairs must be pairs of two different mode names"):
        fq.solve(point, cutoffs=(2, 2, 2, 2), pairs=[("a", "a")])


def test_bad_input_is_refused_before_any_work():
    point = four_modes()
    with pytest.raises(InputError, match=r"cutoffs are required for a model: 4 integers "
                                         r"\(N_a, N_c, N_m1, N_m2\)"):
        fq.solve(point)
    with pytest.raises(InputError, match=r"4 integers \(N_a, N_c, N_m1, N_m2\)"):
        fq.solve(point, cutoffs=(3, 3, 3))
    with pytest.raises(InputError, match="direction applies to the spinning resonator"):
        fq.solve(point, "ccw", cutoffs=(2, 2, 2, 2))
    with pytest.raises(InputError, match="hamiltonian must be one of"):
        fq.solve(point, cutoffs=(2, 2, 2, 2), hamiltonian="cubic")
    with pytest.raises(fq.MemoryBudgetError):
        fq.solve(point, cutoffs=(60, 60, 60, 60))
    # A mapping of cutoffs by mode name is read in mode order.
    assert fq.check_mode_cutoffs({"m2": 2, "a": 5, "c": 3, "m1": 4},
                                 point.model.mode_names) == (5, 3, 4, 2)


@pytest.mark.filterwarnings("ignore::omxval.fullquantum.TruncationWarning")
def test_the_former_model_keyword_warns_and_gives_the_same_state():
    p = linear.design_point(**REFERENCE)
    with pytest.warns(DeprecationWarning, match="is now hamiltonian="):
        old = fq.solve(p, cutoffs=(2, 2, 3), model="nonlinear")
    new = fq.solve(p, cutoffs=(2, 2, 3), hamiltonian="nonlinear")
    assert old.hamiltonian == "nonlinear" and np.array_equal(old.rho.full(), new.rho.full())
    with pytest.warns(DeprecationWarning, match="SteadyState.model is now"):
        assert new.model == "nonlinear"
    with pytest.warns(DeprecationWarning, match="HAMILTONIANS"):
        assert fq.MODELS == fq.HAMILTONIANS
    with pytest.warns(DeprecationWarning), pytest.raises(InputError, match="disagree"):
        fq.solve(p, cutoffs=(2, 2, 3), hamiltonian="lab", model="nonlinear")


def models_of(n: int) -> ModelPoint:
    if n == 2:
        return design_model(Model((Cavity("a", 1.0, 0.3), Mechanical("b", 1.0, 0.02, 0.1)),
                                  (RadiationPressure("a", "b", 0.05),)), coupling=0.2)
    if n == 3:
        return spinning_resonator_point(linear.design_point(**REFERENCE))
    return four_modes()


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("h", ["linearized", "nonlinear", "lab"])
def test_pattern_read_from_the_terms_holds_the_built_operators(n, h):
    point = models_of(n)
    pattern = memory.model_pattern(point, h)
    cutoffs = (3,) * n
    g = fq.realize(fq.model_generator_terms(point, h), cutoffs)
    built = [g.left, g.right] + [op for pair in g.sandwich for op in pair]
    for op, shifts in zip(built, pattern.operators()):
        m = op.to("csr").data.as_scipy().tocoo()
        rows = np.array(np.unravel_index(m.row, cutoffs)).T
        cols = np.array(np.unravel_index(m.col, cutoffs)).T
        assert {tuple(int(x) for x in r) for r in rows - cols} <= shifts
        assert m.nnz <= memory.nnz_bound(shifts, cutoffs)


@pytest.mark.parametrize("n, cutoffs", [(2, (6, 12)), (3, (5, 4, 8)), (4, (4, 3, 4, 3))])
def test_memory_estimate_bounds_the_traced_peak_for_2_3_4_modes(n, cutoffs):
    point = models_of(n)
    est = memory.estimate_memory(cutoffs, "structured",
                                 pattern=memory.model_pattern(point, "nonlinear"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)
        tracemalloc.start()
        try:
            r = fq.solve(point, cutoffs=cutoffs, hamiltonian="nonlinear")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert r.memory.total_bytes == est.total_bytes
    assert peak <= est.total_bytes
