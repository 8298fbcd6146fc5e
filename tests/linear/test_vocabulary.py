"""One vocabulary in the API: the same names, types and columns on a linear and a
full-quantum result; the former names still work, with a DeprecationWarning, and the
package itself never uses them."""

import copy
import dataclasses
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from omxval import fullquantum, linear
from omxval.linear.modes import PerMode, Photons
from omxval.linear.sweep import COLUMNS
from omxval.linear.table import RENAMED_COLUMNS, Table, TableSeries
from tests.conftest import reference_point

CHEAP_CUTOFFS = (2, 2, 3)  # truncated on purpose: a solve of a fraction of a second


@pytest.fixture(scope="module")
def point() -> linear.OperatingPoint:
    return reference_point()


@pytest.fixture(scope="module")
def lin(point) -> linear.PointResult:
    return linear.analyze(point)


@pytest.fixture(scope="module")
def steady(point) -> fullquantum.SteadyState:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fullquantum.TruncationWarning)
        return fullquantum.solve(point, cutoffs=CHEAP_CUTOFFS, hamiltonian="linearized")


# --- per-mode values: one type -------------------------------------------------------------

def test_one_type_for_per_mode_values_in_both_models(lin, steady):
    assert fullquantum.Photons is linear.Photons is Photons
    assert fullquantum.PerMode is linear.PerMode is PerMode
    assert type(lin.photons) is type(steady.photons) is Photons
    assert type(lin.mean_field.photons) is Photons
    assert type(lin.fluctuation_quanta) is type(steady.top_populations) is PerMode


@pytest.mark.parametrize("which", ["lin", "steady"])
def test_photons_read_by_name_attribute_index_and_unpacking(which, lin, steady):
    photons = {"lin": lin, "steady": steady}[which].photons
    n_ccw, n_cw = photons
    assert photons["ccw"] == photons.ccw == photons[0] == n_ccw
    assert photons["cw"] == photons.cw == photons[1] == n_cw
    assert photons[-1] == n_cw and photons[:1] == (n_ccw,)
    assert photons._fields == ("ccw", "cw") and photons._asdict() == {"ccw": n_ccw, "cw": n_cw}
    assert photons == (n_ccw, n_cw) and len(photons) == 2 and isinstance(photons, tuple)
    with pytest.raises(KeyError):
        photons["mechanics"]
    with pytest.raises(IndexError):
        photons[2]


def test_per_mode_values_read_by_name(lin, steady):
    for values in (lin.fluctuation_quanta, steady.top_populations):
        assert values._fields == ("ccw", "cw", "mechanics")
        assert values["mechanics"] == values.mechanics == values[2]
        assert values["ccw"] == values.ccw == values[0]
    q = lin.fluctuation_quanta
    assert q.ccw == pytest.approx(0.00998, abs=1e-5)  # the Lyapunov quanta (README, §5)
    # The two models agree on the photon numbers' labels: the Gaussian model holds the mean
    # field, the full-quantum one the lab frame (mean field + fluctuations).
    assert steady.photons.ccw == pytest.approx(lin.photons["ccw"] + q["ccw"], abs=0.05)


def test_per_mode_values_pickle_copy_and_replace(lin, steady):
    for v in (lin.photons, lin.fluctuation_quanta, steady.photons, steady.top_populations):
        for back in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
            assert type(back) is type(v) and back == v
        assert type(v._replace(ccw=1.0)) is type(v) and v._replace(ccw=1.0).ccw == 1.0
    other = dataclasses.replace(steady, photons=(1.0, 2.0), top_populations=(0.1, 0.2, 0.3))
    assert type(other.photons) is Photons and other.photons["cw"] == 2.0
    assert type(other.top_populations) is PerMode and other.top_populations["ccw"] == 0.1


def test_dict_methods_of_the_former_dicts_warn_and_answer_as_before(lin):
    photons, q = lin.photons, lin.fluctuation_quanta
    old = {"ccw": photons.ccw, "cw": photons.cw}
    with pytest.warns(DeprecationWarning, match="keys"):
        assert list(photons.keys()) == ["ccw", "cw"]
    with pytest.warns(DeprecationWarning, match="values"):
        assert list(photons.values()) == list(old.values())
    with pytest.warns(DeprecationWarning, match="items"):
        assert list(q.items()) == list(q._asdict().items())
    with pytest.warns(DeprecationWarning, match="get"):
        assert photons.get("cw") == old["cw"] and photons.get("nope", 7) == 7
    with pytest.warns(DeprecationWarning, match="in x"):
        assert "ccw" in photons and "mechanics" not in photons
    with pytest.warns(DeprecationWarning):
        assert dict(photons) == old  # dict() goes through keys()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert photons.ccw in photons  # a value: the tuple's membership, no warning


# --- E_N: one name ---------------------------------------------------------------------------

def test_the_gaussian_log_negativity_has_one_name(lin, steady):
    assert lin.log_negativity_gaussian == pytest.approx(0.099523, abs=2e-6)
    assert np.isfinite(steady.log_negativity_gaussian) and np.isfinite(steady.log_negativity_exact)
    assert lin.log_negativity_gaussian == lin.log_negativity_in("e")
    assert "log_negativity_gaussian" in {f.name for f in dataclasses.fields(lin)}
    assert "log_negativity_gaussian" in {f.name for f in dataclasses.fields(steady)}


def test_the_former_log_negativity_warns_and_gives_the_same_value(lin):
    with pytest.warns(DeprecationWarning, match="log_negativity_gaussian"):
        old = lin.log_negativity
    assert old == lin.log_negativity_gaussian


def test_log_negativity_of_an_unstable_point_is_nan_under_both_names():
    r = linear.analyze(linear.PaperSetup().system(Delta_c=0.5, Omega=8e3), "cw")  # < 0.879
    assert not r.stable and np.isnan(r.log_negativity_gaussian)
    with pytest.warns(DeprecationWarning):
        assert np.isnan(r.log_negativity)


# --- tables: one set of column names ---------------------------------------------------------

def test_to_dataframe_of_both_models_shares_the_column_names(lin, steady):
    a, b = lin.to_dataframe(), steady.to_dataframe()
    assert type(a) is type(b) is Table
    shared = {"E_N gaussian", "photons ccw", "photons cw"}
    assert shared <= set(a.columns) & set(b.columns)
    assert COLUMNS["E_N"] == "E_N gaussian"
    assert (COLUMNS["N_ccw"], COLUMNS["N_cw"]) == ("photons ccw", "photons cw")
    assert a["E_N gaussian"].iloc[0] == lin.log_negativity_gaussian
    assert b["E_N gaussian"].iloc[0] == steady.log_negativity_gaussian
    assert (a["photons ccw"].iloc[0], a["photons cw"].iloc[0]) == lin.photons
    assert (b["photons ccw"].iloc[0], b["photons cw"].iloc[0]) == steady.photons
    # Rows of both models concatenate into one column per quantity.
    both = pd.concat([a, b], ignore_index=True)
    assert both["E_N gaussian"].notna().all() and both["photons cw"].notna().all()
    assert not set(RENAMED_COLUMNS) & (set(a.columns) | set(b.columns))


def test_every_sweep_returns_a_table_with_the_new_names(point):
    tables = [linear.sweep(point, Delta_c=[0.5, 1.0]),
              linear.sweep(point.system, ["ccw", "cw"], G0=[0.04, 0.05]),
              linear.paper_sweep(linear.PaperSetup(), ["ccw", "cw"], Delta_c=[0.2, 0.3])]
    for df in tables:
        assert type(df) is Table
        assert {"E_N gaussian", "photons ccw", "photons cw"} <= set(df.columns)


def test_design_sweep_returns_a_table_with_the_new_names():
    design = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, coupling=0.25)
    df = linear.design_sweep(design, detuning=[0.8, 0.9])
    assert type(df) is Table and "E_N gaussian" in df.columns and "photons ccw" in df.columns


@pytest.mark.parametrize("old,new", sorted(RENAMED_COLUMNS.items()))
def test_former_column_names_warn_and_read_the_new_column(point, old, new):
    df = linear.sweep(point, Delta_c=[0.5, 0.9, 1.0])
    expected = df[new]
    i = int(np.flatnonzero(df["stable"])[0])  # a row with a number (E_N is NaN if unstable)
    with pytest.warns(DeprecationWarning, match="now called"):
        pd.testing.assert_series_equal(df[old], expected)
    with pytest.warns(DeprecationWarning):
        assert list(df[["branch", old]].columns) == ["branch", new]
    with pytest.warns(DeprecationWarning):
        pd.testing.assert_series_equal(df.loc[df["stable"], old], expected[df["stable"]])
    with pytest.warns(DeprecationWarning):
        assert df.loc[i, old] == expected[i]
    with pytest.warns(DeprecationWarning):
        assert old in df
    with pytest.warns(DeprecationWarning):
        pd.testing.assert_series_equal(df.get(old), expected)
    with pytest.warns(DeprecationWarning):  # a row, as from iloc, loc or iterrows
        assert df.iloc[i][old] == expected[i]
    with pytest.warns(DeprecationWarning):
        df[old] = 5.0  # assigning writes the current column, no second one
    assert (df[new] == 5.0).all() and old not in set(df.columns)


def test_the_warning_points_at_the_callers_line(point):
    df = linear.sweep(point, Delta_c=[0.9])
    for read in (lambda: df["E_N [ln]"], lambda: df.loc[0, "E_N [ln]"],
                 lambda: df.iloc[0]["E_N [ln]"], lambda: df[["E_N [ln]"]]):
        with pytest.warns(DeprecationWarning) as record:
            read()
        assert record[0].filename == __file__


def test_tables_stay_tables_and_a_real_old_column_is_read_unwarned(point):
    df = linear.sweep(point, Delta_c=[0.5, 0.9, 1.0])
    for derived in (df[df["stable"]], df.copy(), df.assign(x=1.0), df.sort_values("branch"),
                    pd.concat([df, df], ignore_index=True), df.reset_index(drop=True)):
        assert type(derived) is Table
    assert type(df["E_N gaussian"]) is TableSeries and type(df.iloc[0]) is TableSeries
    assert type(pickle.loads(pickle.dumps(df))) is Table
    renamed = df.rename(columns={"E_N gaussian": "E_N [ln]"})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert renamed["E_N [ln]"].equals(df["E_N gaussian"])
        assert "E_N gaussian" not in renamed  # no new name to map to: plain pandas
        with pytest.raises(KeyError):
            df["no such column"]


# --- the package never uses a former name ----------------------------------------------------

def test_the_package_never_triggers_its_own_deprecation_warnings(point, steady):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        r = linear.analyze(point)
        repr(r), r.to_dataframe(), r.fluctuation_quanta, r.photons["ccw"]
        df = linear.sweep(point, direction="ccw", Delta_c=[0.5, 0.9], G0=[0.04, 0.05])
        df[df["stable"]].loc[:, ["E_N gaussian", "photons ccw"]].describe()
        pd.concat([r.to_dataframe(), df], ignore_index=True)
        linear.paper_sweep(linear.PaperSetup(), ["ccw", "cw"], Delta_c=[0.2, 0.3])
        repr(steady), steady.to_dataframe()
