"""One-point analysis: analytic limits, symmetries, the paper's Fig. 2 and the reference point."""

import numpy as np
import pytest

from omxval import linear
from omxval.linear import paper
from tests.conftest import REFERENCE, REFERENCE_EN, reference_system


@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_reference_point_log_negativity(bath):
    r = linear.analyze(reference_system(bath), "ccw")
    assert r.stable
    assert r.log_negativity_gaussian == pytest.approx(REFERENCE_EN[bath], abs=2e-6)
    assert r.log_negativity_in("2") == pytest.approx(r.log_negativity_gaussian / np.log(2))
    assert linear.is_physical(r.V)


@pytest.mark.parametrize("direction", ["ccw", "cw"])
@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_design_point_realises_detuning_and_coupling(direction, bath):
    s = reference_system(bath, direction)
    r = linear.analyze(s, direction)
    assert r.coupling == pytest.approx(REFERENCE["coupling"], rel=1e-12)
    # §5: Δ̃_ccw = Δ̃_c + Δ_F and Δ̃_cw = Δ̃_c − Δ_F whichever mode is driven.
    assert r.mean_field.Delta_eff_ccw == pytest.approx(REFERENCE["detuning"] + 0.1, rel=1e-12)
    assert r.mean_field.Delta_eff_cw == pytest.approx(REFERENCE["detuning"] - 0.1, rel=1e-12)
    assert s.eps > 0


@pytest.mark.parametrize("bath", ["brownian", "lindblad"])
def test_no_coupling_gives_vacuum_optics_and_thermal_mechanics(bath):
    s = linear.System(kappa=0.3, J=0.2, Delta_c=0.7, Delta_F=0.1, gamma_m=0.01, n_m=3.0,
                      G0=0.0, eps=5.0, bath=bath)
    r = linear.analyze(s, "ccw")
    assert np.allclose(r.V, np.diag([0.5] * 4 + [3.5, 3.5]), atol=1e-10)
    assert r.log_negativity_gaussian == 0.0


def test_reversed_rotation_with_reversed_drive_is_identical(paper_setup):
    """docs/conventions.md §2: (Ω, ccw) ≡ (−Ω, cw) for the driven mode and the mechanics."""
    for dc in (0.2, 0.9, 1.4):
        a = linear.analyze(paper_setup.system(Delta_c=dc, Omega=8e3, J=3e7), "ccw")
        b = linear.analyze(paper_setup.system(Delta_c=dc, Omega=-8e3, J=3e7), "cw")
        assert a.stable == b.stable
        perm = [2, 3, 0, 1, 4, 5]  # swap the optical modes
        if a.stable:
            assert a.log_negativity_gaussian == pytest.approx(b.log_negativity_gaussian, rel=1e-10)
            assert np.allclose(a.V, b.V[np.ix_(perm, perm)], rtol=1e-9)
        assert (a.photons["ccw"], a.photons["cw"]) == pytest.approx(
            (b.photons["cw"], b.photons["ccw"]), rel=1e-12)


def test_without_backscattering_the_undriven_mode_decouples(paper_setup):
    r = linear.analyze(paper_setup.system(Delta_c=0.5, Omega=8e3, J=0.0), "ccw")
    assert r.photons["cw"] == 0.0
    assert np.allclose(r.V[2:4, 2:4], 0.5 * np.eye(2), atol=1e-12)
    assert np.allclose(r.V[2:4, [0, 1, 4, 5]], 0.0, atol=1e-12)


def test_unstable_points_are_flagged_and_nan(paper_setup):
    r = linear.analyze(paper_setup.system(Delta_c=0.5, Omega=8e3), "cw")  # CW: < 0.879
    assert not r.stable and r.max_growth_rate > 0
    assert np.isnan(r.log_negativity_gaussian) and np.isnan(r.V).all()


def test_branch_index_is_validated(paper_setup):
    with pytest.raises(ValueError, match="branch"):
        linear.analyze(paper_setup.system(Delta_c=0.5), "ccw", branch=1)
    with pytest.raises(ValueError, match="direction"):
        linear.analyze(paper_setup.system(Delta_c=0.5), "left")


def test_figure2_numbers_match_the_paper(paper_setup):
    """docs/conventions.md §6: Fig. 2 peak values, positions, crossing and stability edges, to 1e-3."""
    got = paper.figure2_numbers(paper_setup).set_index("quantity")["omxval"]
    for curve, where in (("ccw", 0.297), ("rest", 0.752), ("cw", 1.207)):
        assert got[f"max E_N ({curve})"] == pytest.approx(0.1476, abs=1e-3)
        assert got[f"Delta_c/omega_m at max E_N ({curve})"] == pytest.approx(where, abs=1e-3)
    assert got["Delta_c/omega_m where N_ccw = N_cw"] == pytest.approx(0.2693, abs=1e-3)
    edges = {"cw": 0.879, "rest": 0.423, "ccw": -0.032}
    for curve, edge in edges.items():
        assert got[f"unstable below Delta_c/omega_m ({curve})"] == pytest.approx(edge, abs=1e-3)
