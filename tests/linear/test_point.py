"""The operating point carries its direction and branch; design points keep their branch."""

import numpy as np
import pytest

from omxval import linear
from omxval.errors import InputError

# A standard single-mode optomechanics set (J = 0, Δ_F = 0) in its multistable regime: at
# Δ̃_c = 0, |G| = 0.8 the bare detuning has three branches and the designed state is branch 2
# (the case a user hit: E_N of another branch was reported for the design).
BISTABLE = dict(kappa=0.1, J=0.0, Delta_F=0.0, gamma_m=1e-3, n_m=0.0, G0=1e-3, detuning=0.0,
                coupling=0.8)


def test_design_point_is_an_operating_point_on_the_designed_branch():
    p = linear.design_point(**BISTABLE, direction="ccw")
    assert isinstance(p, linear.OperatingPoint) and p.direction == "ccw"
    assert p.n_branches == 3 and p.branch != 0
    mf = p.mean_field
    # The designed effective detuning and coupling, independently of the branch index.
    assert mf.Delta_eff_ccw == pytest.approx(BISTABLE["detuning"], rel=1e-9)
    assert abs(mf.couplings(p.system.G0)[0]) == pytest.approx(BISTABLE["coupling"], rel=1e-9)
    r = linear.analyze(p)
    assert r.branch == p.branch and r.coupling == pytest.approx(0.8, rel=1e-9)
    # On resonance (Δ̃ = 0) the state is not entangled; branch 0 of the same bare detuning is
    # another physical state, stable and entangled: analysing it would be a wrong answer.
    assert r.stable and r.log_negativity_gaussian == 0.0
    r0 = linear.analyze(p.system, "ccw", 0)
    assert r0.stable and r0.log_negativity_gaussian > 0.05 and abs(r0.coupling - 0.8) > 0.3


def test_designed_state_does_not_depend_on_G0():
    """At fixed (Δ̃_c, |G_d|) the Gaussian model is G0-independent (conventions §5)."""
    en = []
    for G0 in (1e-4, 1e-3, 1e-2):
        r = linear.analyze(linear.design_point(**{**BISTABLE, "G0": G0, "detuning": 1.0,
                                                  "coupling": 0.3}))
        en.append(r.log_negativity_gaussian if r.stable else np.nan)
    assert np.isfinite(en).all() and np.ptp(en) < 1e-10


def test_beyond_the_fold_is_unstable_not_another_branch():
    """Reference point with coupling 2.0: the designed state exists but is unstable."""
    p = linear.design_point(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05,
                            detuning=0.9, coupling=2.0)
    r = linear.analyze(p)
    assert r.coupling == pytest.approx(2.0, rel=1e-9)
    assert not r.stable and np.isnan(r.log_negativity_gaussian) and r.max_growth_rate > 0


def test_contradicting_direction_or_branch_raises():
    p = linear.design_point(**BISTABLE, direction="ccw")
    assert linear.analyze(p, "ccw").branch == p.branch  # a matching direction is fine
    with pytest.raises(InputError, match="contradicts"):
        linear.analyze(p, "cw")
    with pytest.raises(InputError, match="contradicts"):
        linear.analyze(p, branch=(p.branch + 1) % 3)
    with pytest.raises(InputError, match="direction is required"):
        linear.analyze(p.system)


def test_design_sweep_follows_the_designed_branch():
    """Along the effective detuning every row is the designed state, whatever its index."""
    det = np.linspace(-0.3, 0.5, 9)
    df = linear.design_sweep({k: v for k, v in BISTABLE.items() if k != "detuning"},
                             "ccw", detuning=det)
    assert (df["branch"] >= 0).all()
    assert np.allclose(df["|G_d| [omega_m]"], 0.8, rtol=1e-9)
    for _, row in df.iterrows():
        r = linear.analyze(linear.design_point(**{**BISTABLE, "detuning": row["detuning"]}))
        assert r.branch == row["branch"] and r.stable == row["stable"]
        if r.stable:
            assert r.log_negativity_gaussian == pytest.approx(row["E_N gaussian"], abs=1e-12)
    assert (df["n_branches"] > 1).any() and (df["branch"] > 0).any()
