"""Vectorised sweeps: agreement with the one-point path, tidy output, maxima, validation."""

import numpy as np
import pytest

from omxval import linear
from omxval.linear import paper
from omxval.linear.sweep import COLUMNS, UNITS


def test_sweep_matches_analyze_pointwise(paper_setup):
    base = paper_setup.system(Delta_c=0.0, Omega=8e3, J=2e7)
    df = linear.sweep(base, direction=["ccw", "cw"], Delta_c=np.linspace(0, 2, 9),
                      J=[0.0, 0.4])
    assert len(df) == 2 * 9 * 2  # one branch everywhere at 20 mW
    for row in df.sample(12, random_state=1).itertuples(index=False):
        rec = dict(zip(df.columns, row))
        s = base.replace(Delta_c=rec[UNITS["Delta_c"]], J=rec[UNITS["J"]])
        r = linear.analyze(s, rec["direction"])
        assert rec["stable"] == r.stable
        assert rec[COLUMNS["N_ccw"]] == pytest.approx(r.photons["ccw"], rel=1e-12)
        if r.stable:
            assert rec[COLUMNS["E_N"]] == pytest.approx(r.log_negativity_gaussian, rel=1e-9,
                                                        abs=1e-13)
        else:
            assert np.isnan(rec[COLUMNS["E_N"]])


def test_paper_sweep_rows_per_branch_and_units(paper_setup):
    df = linear.paper_sweep(paper_setup, "ccw", Delta_c=np.linspace(-1, 3, 81), Omega=8e3,
                            J=0.5 * paper_setup.kappa_si, power=[0.02, 0.07])
    for col in ("Omega [rad/s]", "J [1/s]", "power [W]", "Delta_c [omega_m]", "E_N gaussian",
                "branch", "n_branches", "stable"):
        assert col in df.columns
    multi = df[df["n_branches"] == 3]
    assert len(multi) > 0 and set(multi["branch"]) == {0, 1, 2}
    assert (multi.groupby(["Delta_c [omega_m]", "power [W]"]).size() == 3).all()
    # A branch that is unstable has NaN E_N; a multistable point has ≥ 1 unstable branch.
    assert multi.loc[~multi["stable"], "E_N gaussian"].isna().all()
    assert (~multi["stable"]).any()


def test_threads_do_not_change_results(paper_setup):
    f = paper_setup.dimensionless(Delta_c=np.linspace(-1, 3, 9001), Omega=8e3, J=1e7)
    one = linear.evaluate(f, "cw", "brownian", workers=1, covariance=True)
    two = linear.evaluate(f, "cw", "brownian", workers=2, covariance=True)
    for k in one:
        np.testing.assert_array_equal(one[k], two[k])


def test_max_over_detuning_agrees_with_a_fine_scan(paper_setup):
    fine = np.linspace(-3, 4.5, 15001)
    for Jk, Om, d in ((1.0, 1e4, "ccw"), (2.0, 2.3e4, "cw"), (0.0, 0.0, "ccw")):
        f = paper_setup.dimensionless(Delta_c=fine, Omega=Om, J=Jk * paper_setup.kappa_si)
        en = linear.evaluate(f, d, "brownian")["E_N"][:, 0]
        e, x = paper.max_entanglement(paper_setup, d, Jk * paper_setup.kappa_si, Om)
        assert float(e) >= np.nanmax(en) - 1e-8
        assert float(x) == pytest.approx(fine[np.nanargmax(en)], abs=1e-3)


def test_sweep_validation(paper_setup):
    s = paper_setup.system(Delta_c=0.3)
    with pytest.raises(ValueError, match="cannot sweep"):
        linear.sweep(s, Omega=[1.0])
    with pytest.raises(ValueError, match="kappa"):
        linear.sweep(s, kappa=[0.1, -0.1])
    with pytest.raises(ValueError, match="direction"):
        linear.sweep(s, direction=["ccw", "north"], J=[0.0])
    with pytest.raises(ValueError, match="missing"):
        linear.evaluate({"kappa": 1.0}, "ccw", "brownian")


@pytest.mark.parametrize("bad", ["0", "two", "-1"])
def test_worker_setting_is_validated(monkeypatch, bad):
    monkeypatch.setenv("OMXVAL_WORKERS", bad)
    with pytest.raises(ValueError, match="OMXVAL_WORKERS"):
        linear.evaluate({k: 1.0 for k in linear.parameters.SYSTEM_FIELDS}, "ccw", "brownian")
