"""perturbative.leading_coefficient — the exact E_N's c2 by perturbation theory in a Fock
space (docs/perturbative.md §11, Eqs. P12–P14), against independent truths:

* finite differences of the exact E_N of the ``nonlinear`` and ``linearized`` models of
  :func:`fullquantum.solve` at the same cutoffs, along the ladder ``model.scaled(s)``;
* the nonlinear steady state itself (ρ0 + sρ1 + s²ρ2 to O(s³));
* a hand-built QuTiP Liouvillian (qutip.destroy, qutip.liouvillian) solved densely with
  numpy, and E_N(s) of its exact null vectors (Richardson extrapolation).
"""

import math
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
import qutip

from omxval import fullquantum, linear, perturbative
from omxval.errors import InputError, InputTypeError
from omxval.fullquantum.modelterms import model_generator_terms
from omxval.fullquantum.symbolic import realize
from omxval.linear import Model, ModelPoint
from omxval.perturbative.leading import (perturbation_orders, reduced_partial_transpose,
                                         start_cutoffs, trace_norm_series)

from .conftest import REFERENCE, one_cavity_one_mirror
from .test_series import unstable_point

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "models"
# Small cutoffs: the truncated X0 = ρ0^T keeps every eigenvalue well away from zero
# (min |λ| ≈ 1e-6), so E_N(s) at these cutoffs is analytic over the s used here. At large
# cutoffs the top levels give eigenvalues ~1e-14 whose crossings put a floor under a
# finite-difference check (not under c2, the exact s → 0 coefficient).
SMALL = (3, 4)


@pytest.fixture(scope="module")
def cavity():
    return one_cavity_one_mirror("brownian", g0=0.2)


@pytest.fixture(scope="module")
def coefficient(cavity):
    return perturbative.leading_coefficient(cavity, cutoffs=SMALL)


def exact_en(point, hamiltonian, cutoffs=SMALL) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        out = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian=hamiltonian,
                                structured=fullquantum.StructuredOptions(tol=1e-13))
    return out.log_negativities_exact[("a", "b")]


def scaled(point: ModelPoint, s: float) -> ModelPoint:
    return ModelPoint(point.model.scaled(s), point.branch)


# (a) --------------------------------------------------------------------------------------
def test_c2_is_the_finite_difference_of_the_full_quantum_models(cavity, coefficient):
    """[E_N(nonlinear, s) − E_N(linearized)]/s² → c2 with an error falling as s²."""
    assert coefficient.status == "fixed" and coefficient.cutoffs == SMALL
    assert coefficient.variable == "s" and coefficient.scale == 1.0
    e0 = exact_en(cavity, "linearized")
    assert coefficient.coefficient().E_N0 == pytest.approx(e0, abs=1e-10)
    errors = [(exact_en(scaled(cavity, s), "nonlinear") - e0) / s**2 - coefficient.c2
              for s in (0.5, 0.25)]
    assert abs(errors[1]) < 2e-3 * abs(coefficient.c2)  # c2 ≈ 1.78e-3, error ≈ 1.1e-6
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=0.1)  # the c4·s² term


# (b) --------------------------------------------------------------------------------------
def test_the_three_solves_and_the_nonlinear_steady_state(cavity):
    cut = (4, 5)
    orders = perturbation_orders(cavity, cut,
                                 options=fullquantum.StructuredOptions(tol=1e-13))
    rho0, rho1, rho2 = orders.rho
    L0 = realize(model_generator_terms(cavity, "linearized"), cut)
    L1 = realize(model_generator_terms(cavity, "nonlinear"), cut)
    scale = np.linalg.norm(rho0)
    assert np.trace(rho0) == pytest.approx(1.0, abs=1e-14)
    assert abs(np.trace(rho1)) < 1e-12 * np.linalg.norm(rho1)
    assert abs(np.trace(rho2)) < 1e-12 * np.linalg.norm(rho2)
    assert np.linalg.norm(L0.apply(rho0)) < 1e-11 * scale

    def cubic(X):
        return L1.apply(X) - L0.apply(X)

    for k in (1, 2):
        residual = L0.apply(orders.rho[k]) + cubic(orders.rho[k - 1])
        assert np.linalg.norm(residual) < 1e-11 * np.linalg.norm(cubic(orders.rho[k - 1]))
    errors = []
    for s in (0.5, 0.25):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fullquantum.TruncationWarning)
            exact = fullquantum.solve(scaled(cavity, s), cutoffs=cut, hamiltonian="nonlinear",
                                      structured=fullquantum.StructuredOptions(tol=1e-13))
        errors.append(np.abs(exact.rho.full() - (rho0 + s * rho1 + s * s * rho2)).max())
    assert errors[1] < 0.01 * 0.25 * np.abs(rho1).max()  # far below the s·ρ1 it corrects
    assert errors[0] / errors[1] == pytest.approx(8.0, rel=0.15)  # O(s³)


# (c) --------------------------------------------------------------------------------------
def test_a_hand_built_qutip_liouvillian_gives_the_same_c2():
    """L0, L1 from qutip.destroy and qutip.liouvillian (Lindblad mirror bath, cutoffs
    (3, 3)), steady states by dense null vectors of L0 + sL1, c2 by Richardson from E_N(s)."""
    point = one_cavity_one_mirror("lindblad", g0=0.2)
    cut = (3, 3)
    cav, mech = point.model.modes
    g0 = point.model.couplings[0].g0
    alpha = point.mean_field.amplitudes["a"]
    a = qutip.tensor(qutip.destroy(cut[0]), qutip.qeye(cut[1]))
    b = qutip.tensor(qutip.qeye(cut[0]), qutip.destroy(cut[1]))
    q = (b + b.dag()) / math.sqrt(2.0)
    H0 = ((cav.detuning - point.mean_field.shifts["a"]) * a.dag() * a
          + mech.frequency * b.dag() * b - g0 * (np.conj(alpha) * a + alpha * a.dag()) * q)
    H3 = -g0 * a.dag() * a * q
    c_ops = [math.sqrt(2 * cav.kappa) * a, math.sqrt(mech.gamma * (mech.thermal + 1)) * b,
             math.sqrt(mech.gamma * mech.thermal) * b.dag()]
    L0 = qutip.liouvillian(H0, c_ops).full()
    L1 = qutip.liouvillian(H3).full()
    d = cut[0] * cut[1]
    trace_row = np.eye(d).reshape(1, -1, order="F")  # column stacking, QuTiP's convention

    def steady(L):
        A = np.vstack([L, trace_row])
        rhs = np.zeros(d * d + 1, dtype=complex)
        rhs[-1] = 1.0
        vec = np.linalg.lstsq(A, rhs, rcond=None)[0]
        return vec.reshape(d, d, order="F")

    def en(rho):
        X = reduced_partial_transpose(rho, cut, (0, 1))
        return math.log(np.sum(np.abs(np.linalg.eigvalsh(0.5 * (X + X.conj().T)))))

    h = 0.05
    e0 = en(steady(L0))
    D = [(en(steady(L0 + s * L1)) - e0) / s**2 for s in (h, 2 * h)]
    c2_hand = (4 * D[0] - D[1]) / 3  # D(s) = c2 + c4 s² + O(s⁴)
    lib = perturbative.leading_coefficient(point, ("a", "b"), cutoffs=cut)
    assert lib.c2 == pytest.approx(c2_hand, rel=1e-6)
    assert lib.coefficient(("a", "b")).E_N0 == pytest.approx(e0, abs=1e-12)
    # ρ1 by the dense bordered solve equals the library's.
    rho0 = steady(L0)
    A = np.vstack([L0, trace_row])
    rhs = np.concatenate([-(L1 @ rho0.reshape(-1, order="F")), [0.0]])
    rho1 = np.linalg.lstsq(A, rhs, rcond=None)[0].reshape(d, d, order="F")
    lib_orders = perturbation_orders(point, cut)
    assert np.abs(lib_orders.rho[1] - rho1).max() < 1e-9 * np.abs(rho1).max()


def test_the_trace_norm_series_against_eigenvalues():
    rng = np.random.default_rng(3)
    X = []
    for _ in range(3):
        M = rng.normal(size=(6, 6)) + 1j * rng.normal(size=(6, 6))
        X.append(M + M.conj().T)
    N0, N1, N2 = trace_norm_series(*X)
    def norm(s):
        return np.sum(np.abs(np.linalg.eigvalsh(X[0] + s * X[1] + s * s * X[2])))

    h = 1e-4
    assert N0 == pytest.approx(norm(0.0), rel=1e-13)
    assert N1 == pytest.approx((norm(h) - norm(-h)) / (2 * h), rel=1e-6)
    assert N2 == pytest.approx((norm(h) - 2 * norm(0.0) + norm(-h)) / (2 * h * h), rel=1e-4)


# (d) --------------------------------------------------------------------------------------
def test_the_first_order_vanishes_by_parity(coefficient):
    pc = coefficient.coefficient()
    assert abs(pc.N1) < 1e-12 * math.exp(pc.E_N0)


def test_the_spinning_resonator_in_powers_of_G0():
    """For an OperatingPoint c2 is per (G0/ω_m)², independent of the point's G0 at fixed
    design; N1 vanishes; the default pair is the (ccw, m) pair, the one entangled."""
    design = {k: v for k, v in REFERENCE.items() if k != "G0"}
    out = [perturbative.leading_coefficient(
        linear.design_point(**design, G0=G0, direction="ccw"), cutoffs=(3, 2, 4))
        for G0 in (0.05, 0.1)]
    assert out[0].variable == "G0" and out[0].scale == 0.05
    assert out[0].pairs == (("ccw", "m"),)
    assert out[0].c2 == pytest.approx(out[1].c2, rel=1e-8)
    assert abs(out[0].coefficient().N1) < 1e-12
    p = out[0].prediction(7.2e-6)
    assert p.value == pytest.approx(out[0].c2 * 7.2e-6**2, rel=1e-14)
    assert math.isnan(p.low) and math.isnan(out[0].uncertainty)  # fixed cutoffs


# (e) --------------------------------------------------------------------------------------
def test_one_more_cutoff_stays_within_the_uncertainty():
    point = one_cavity_one_mirror("brownian", g0=0.2)
    search = perturbative.leading_coefficient(point, start=(5, 6), max_steps=1, rtol=0.5)
    assert search.status == "converged" and search.steps == 1 and search.solves == 6
    assert [e.cutoffs for e in search.evaluations] == [(5, 6), (6, 7)]
    assert search.cutoffs == (6, 7)
    first, last = (e.c2[("a", "b")] for e in search.evaluations)
    assert search.uncertainty == pytest.approx(abs(last - first), rel=1e-14)
    assert search.uncertainty > 0
    more = perturbative.leading_coefficient(point, cutoffs=(7, 8))
    assert abs(more.c2 - search.c2) <= search.uncertainty
    tight = perturbative.leading_coefficient(point, start=(5, 6), max_steps=1, rtol=1e-9)
    assert tight.status == "unconverged" and tight.steps == 1
    assert "c2 =" in repr(search) and "converged" in repr(search)


def test_the_start_is_the_compare_studies_rule(cavity):
    from omxval.compare.studies.convergence import gaussian_cutoffs
    ref = linear.design_point(**REFERENCE, direction="ccw")
    for point in (cavity, ref):
        assert start_cutoffs(point, 1e-6) == gaussian_cutoffs(point, tol=1e-6)


# (f) --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    (dict(pair=("a", "x")), "pair must be"),
    (dict(pair=("a", "a")), "pair must be"),
    (dict(pair="ab"), "pair must be"),
    (dict(cutoffs=(3,)), "cutoffs must be 2 integers"),
    (dict(cutoffs=(3, 1)), "cutoffs must be"),
    (dict(cutoffs=(3, 4.0)), "cutoffs must be"),
    (dict(cutoffs=(3, 4), start=(3, 4)), "not both"),
    (dict(start=(3, 4, 5)), "start must be"),
    (dict(rtol=0.0), "rtol must be"),
    (dict(tail=1.5), "tail must be"),
    (dict(max_steps=0), "max_steps must be"),
    (dict(max_steps=True), "max_steps must be")])
def test_bad_input_is_refused(cavity, kwargs, match):
    with pytest.raises(InputError, match=match):
        perturbative.leading_coefficient(cavity, **kwargs)


def test_bad_types_and_unstable_points_are_refused(cavity):
    with pytest.raises(InputTypeError, match="options must be"):
        perturbative.leading_coefficient(cavity, cutoffs=SMALL, options={"tol": 1e-9})
    with pytest.raises(InputTypeError, match="point must be"):
        perturbative.leading_coefficient("fig2-ccw")
    with pytest.raises(perturbative.UnstablePointError, match="unstable"):
        perturbative.leading_coefficient(unstable_point(), cutoffs=(3, 3))
    with pytest.raises(InputError, match="was not computed"):
        perturbative.leading_coefficient(cavity, cutoffs=SMALL).prediction(1.0, ("a", "c"))


def test_importing_perturbative_does_not_import_qutip():
    code = "import sys, omxval.perturbative; assert 'qutip' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# (g) --------------------------------------------------------------------------------------
def test_a_model_from_examples_vitali2007():
    """Any model: Vitali et al.'s cavity and (cooled, 0.45 quanta) mirror from its file."""
    model = Model.from_toml(EXAMPLES / "vitali2007.toml")
    out = perturbative.leading_coefficient(model, cutoffs=(3, 5))
    assert out.pairs == (("a", "b"),) and out.variable == "s"
    assert out.coefficient().E_N0 > 0 and np.isfinite(out.c2)
    assert abs(out.coefficient().N1) < 1e-12
    # c2 grows as g0² along the ladder: per s², the model scaled by 2 has 4× the c2.
    twice = perturbative.leading_coefficient(ModelPoint(model.scaled(2.0)), cutoffs=(3, 5))
    assert twice.c2 == pytest.approx(4.0 * out.c2, rel=1e-6)
