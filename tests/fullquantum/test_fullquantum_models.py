"""fullquantum models against the Gaussian model of `linear` (docs/conventions.md §5).

Cutoffs are the smallest at which each claim holds, to keep the suite fast: QuTiP's direct
solve takes ≈ 6–11 s at (4,3,8) and well under a second at d ≤ 36.
"""

import dataclasses
import warnings

import numpy as np
import pytest

from omxval import fullquantum as fq
from omxval import linear
from tests.conftest import REFERENCE_EN, reference_system
from omxval.linear import analyze, steady_states

BATHS = ("brownian", "lindblad")


@pytest.fixture(scope="module")
def reference_ccw():
    """Linearized model at cutoffs (4,3,8), drive ccw, both baths (solved once)."""
    out = {}
    for bath in BATHS:
        with warnings.catch_warnings():
            warnings.simplefilter("error", fq.TruncationWarning)  # (4,3,8) must not warn
            out[bath] = fq.solve(reference_system(bath), "ccw", (4, 3, 8))
    return out


@pytest.mark.parametrize("bath", BATHS)
def test_linearized_matches_lyapunov_at_438(reference_ccw, bath):
    r = reference_ccw[bath]
    lyap = analyze(reference_system(bath), "ccw")
    assert lyap.log_negativity_gaussian == pytest.approx(REFERENCE_EN[bath], abs=1e-6)
    assert np.max(np.abs(r.V - lyap.V)) <= 2e-5  # measured 1.2e-5
    assert r.log_negativity_gaussian == pytest.approx(REFERENCE_EN[bath], abs=1e-5)
    # The exact E_N converges more slowly than V (§5) but is close at these cutoffs.
    assert abs(r.log_negativity_exact - lyap.log_negativity_gaussian) < 2e-4
    assert not r.truncated


@pytest.mark.parametrize("bath", BATHS)
def test_linearized_state_is_gaussian_and_centred(reference_ccw, bath):
    r = reference_ccw[bath]
    rho = r.rho.full()
    assert np.allclose(rho, rho.conj().T, atol=0) and r.rho.tr() == pytest.approx(1.0, abs=1e-13)
    assert r.residual < 1e-12
    assert np.max(np.abs(r.means)) < 1e-12  # the displacement removed the means exactly
    mf = steady_states(reference_system(bath), "ccw")[0]
    expected = np.sqrt(2.0) * np.array([mf.alpha_ccw.real, mf.alpha_ccw.imag,
                                        mf.alpha_cw.real, mf.alpha_cw.imag, 0, 0])
    expected[4:] = mf.q_s, mf.p_s
    assert np.allclose(r.lab_means, expected, atol=1e-12)
    assert r.photons[0] == pytest.approx(abs(mf.alpha_ccw) ** 2 + r.occupations[0], rel=1e-12)
    assert abs(r.non_gaussianity) < 1e-4  # Gaussian up to truncation
    assert 0 < r.purity <= 1 and r.min_eigenvalue > -1e-8


@pytest.mark.parametrize("bath", BATHS)
def test_linearized_cw_drive_at_mirrored_cutoffs(bath):
    # Driving cw puts the photons in the cw mode: the cutoffs (4,3,8) mirror to (3,4,·);
    # N_m = 6 holds the mechanics as well as 8 here (the ladder below shows it).
    system = reference_system(bath, "cw")
    r = fq.solve(system, "cw", (3, 4, 6))
    assert np.max(np.abs(r.V - analyze(system, "cw").V)) <= 2e-5  # measured 1.8e-5


@pytest.mark.parametrize("direction", ("ccw", "cw"))
@pytest.mark.parametrize("bath", BATHS)
def test_error_falls_as_each_cutoff_grows(bath, direction):
    system = reference_system(bath, direction)
    V_lyap = analyze(system, direction).V
    ladder = [(2, 2, 4), (3, 2, 4), (3, 3, 4), (3, 3, 6)]  # each cutoff grows in turn
    errors = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fq.TruncationWarning)  # the small rungs are truncated
        for cutoffs in ladder:
            errors.append(np.max(np.abs(fq.solve(system, direction, cutoffs).V - V_lyap)))
    for small, large in zip(errors, errors[1:]):
        assert large <= small * 1.01 + 1e-9  # monotone: a non-limiting mode changes nothing
    assert errors[-1] < errors[0] / 20  # measured ≥ 30× over the ladder


@pytest.mark.parametrize("direction", ("ccw", "cw"))
@pytest.mark.parametrize("bath", BATHS)
def test_displaced_linear_terms_vanish_at_the_exact_mean_field(bath, direction):
    system = reference_system(bath, direction)
    mf = steady_states(system, direction)[0]
    assert fq.linear_terms(linear.OperatingPoint(system, direction), mf).max_abs < 1e-12
    # The check is sensitive: the other bath's mechanical mean field leaves a force.
    if bath == "lindblad":
        wrong = dataclasses.replace(mf, p_s=0.0)
    else:
        wrong = dataclasses.replace(mf, q_s=mf.q_s / (1 + system.gamma_m**2 / 4),
                                    p_s=system.gamma_m * mf.q_s / 2)
    assert fq.linear_terms(linear.OperatingPoint(system, direction), wrong).max_abs > 1e-6


@pytest.mark.parametrize("bath", BATHS)
def test_nonlinear_tends_to_linearized_as_g0_squared(bath):
    # Fixed (Δ̃_c, |G|): the linear model does not depend on G0, the cubic term does.
    G0s = np.array([0.2, 0.1, 0.05, 0.025, 0.0125])
    deviation, mean_q = [], []
    for G0 in G0s:
        system = reference_system(bath, G0=G0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", fq.TruncationWarning)
            nl = fq.solve(system, "ccw", (3, 2, 4), hamiltonian="nonlinear")
            lin = fq.solve(system, "ccw", (3, 2, 4), hamiltonian="linearized")
        assert nl.mean_field_residual < 1e-12
        deviation.append(np.max(np.abs(nl.V - lin.V)))
        mean_q.append(abs(nl.means[4]))
    slope = np.polyfit(np.log(G0s), np.log(deviation), 1)[0]
    assert slope == pytest.approx(2.0, abs=0.1)  # measured 2.01
    assert np.polyfit(np.log(G0s), np.log(mean_q), 1)[0] == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("bath", BATHS)
def test_nonlinear_and_lab_frames_agree_near_one_photon(bath):
    # |α_ccw|² = 0.5 (G0 = 0.25 at the reference (Δ̃_c, |G|)); the lab frame must hold the
    # coherent amplitude itself, hence its larger optical cutoff. The Lindblad case also
    # checks the complex mechanical displacement β = (q_s + i p_s)/√2.
    system = reference_system(bath, G0=0.25)
    nl = fq.solve(system, "ccw", (4, 3, 4), hamiltonian="nonlinear")
    lab = fq.solve(system, "ccw", (7, 3, 4), hamiltonian="lab")
    lin = fq.solve(system, "ccw", (4, 3, 4), hamiltonian="linearized")
    assert not nl.truncated and not lab.truncated
    assert lab.photons[0] == pytest.approx(0.53, abs=0.01)
    assert np.max(np.abs(lab.V - nl.V)) < 1.5e-3          # measured 6e-4
    assert np.max(np.abs(lab.lab_means - nl.lab_means)) < 1e-3  # measured 4e-4
    assert lab.photons == pytest.approx(nl.photons, abs=1e-3)
    assert lab.phonons == pytest.approx(nl.phonons, abs=1e-3)
    assert lab.log_negativity_exact == pytest.approx(nl.log_negativity_exact, abs=1.5e-3)
    # ... while the nonlinear physics itself is resolved: nl differs from linearized by more.
    assert np.max(np.abs(nl.V - lin.V)) > 2e-3
    assert np.max(np.abs(nl.lab_means - lin.lab_means)) > 1e-2


@pytest.mark.parametrize("model", fq.HAMILTONIANS)
@pytest.mark.parametrize("bath", BATHS)
def test_hamiltonian_is_hermitian_and_liouvillian_trace_preserving(bath, model):
    system = reference_system(bath, "cw")
    H = fq.model_hamiltonian(system, "cw", (2, 3, 3), model)
    assert H.isherm and H.dims == [[2, 3, 3], [2, 3, 3]]
    L = fq.liouvillian(system, "cw", (2, 3, 3), model)
    assert L.issuper
    identity = np.eye(18).reshape(-1, order="F")  # vec(I), column-stacked as in QuTiP
    assert np.max(np.abs(identity @ L.full())) < 1e-13  # Tr L(ρ) = 0 for every ρ
