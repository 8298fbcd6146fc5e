"""Studies on any model (issue "Your own system, part 2"): the two errors per pair of modes,
the s ladder of every preset, maps over model parameters (serial = parallel, resumable),
the cutoff search for any number of modes and "my device"."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from omxval import Model, fullquantum, linear
from omxval.compare.app.runs import read_cache, run_map
from omxval.compare.studies.convergence import gaussian_cutoffs, predicted_cutoffs, search_cost
from omxval.compare.studies.maps import MapSpec, most_expensive_first
from omxval.compare.studies.device import analyze_device, device_study
from omxval.compare.studies.fits import fit_power_law
from omxval.compare.studies.linearization import linearization_study
from omxval.compare.studies.modelmaps import ModelMapSpec, model_at
from omxval.compare.studies.modelvalidity import (judge_model_point, judged_pairs,
                                                  model_convergence_study)
from omxval.compare.studies.search import ValidityCriteria, adaptive_cutoffs
from omxval.compare.studies.validity import judge_point
from omxval.errors import InputError
from omxval.linear.presets import spinning_resonator_point
from tests.conftest import reference_point

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "examples" / "models"


def preset(name: str) -> Model:
    return Model.from_toml(MODELS / f"{name}.toml")


def electro(fraction: float = 0.3) -> Model:
    """The electro-optomechanics preset with a weaker optical drive (smaller Fock spaces)."""
    m = preset("electro_optomechanics")
    return m.with_parameters({"modes.o.drive": fraction * m.parameter("modes.o.drive")})


def same_rows(a, b):
    cols = [c for c in a.columns if c != "seconds"]
    return a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


# --- the cutoff search and both errors, any number of modes ------------------------------

def test_the_spinning_resonator_preset_is_judged_as_its_operating_point():
    p = reference_point()
    old = judge_point(p)
    new = judge_point(spinning_resonator_point(p))
    assert old.status == new.status == "valid"
    assert new.state.cutoffs == old.state.cutoffs
    assert new.approximation_error(("ccw", "m")) == pytest.approx(old.approximation_error,
                                                                   abs=1e-9)
    assert new.truncation_error(("ccw", "m")) == pytest.approx(old.truncation_error, abs=1e-9)
    # A map row carries every pair's Gaussian E_N, the exact one only for the judged pairs
    # (here not ccw-cw, whose Gaussian E_N is zero).
    assert ("ccw", "cw") not in new.pairs
    row = new.row()
    assert row["E_N exact ccw-m"] == pytest.approx(new.state.log_negativities_exact[("ccw", "m")])
    assert "E_N linear ccw-cw" in row and "E_N exact ccw-cw" not in row


def test_driven_cavities_start_from_the_largest_cavity_estimate():
    point = linear.ModelPoint(electro())
    start = gaussian_cutoffs(point)
    assert len(start) == 3 and start[0] == start[1] == max(start[:2])
    q = linear.analyze(point).fluctuation_quanta
    assert q["w"] > q["o"]  # the estimate of the warmer cavity w wins for both drives


def test_four_mode_search_converges_and_meets_lyapunov():
    from tests.fullquantum.test_any_model import four_modes
    point = four_modes()
    conv = model_convergence_study(point, criteria=ValidityCriteria(
        V_tolerance=1e-3, log_negativity_tolerance=1e-3))
    assert conv.verdict in ("converged", "marginal") and len(conv.chosen) == 4
    assert len(conv.steps) == conv.fit.solves
    assert (conv.control["truncation dE_N"].abs() < 1e-3).all()
    assert set(conv.control["pair"]) == {f"{a}-{b}" for a, b in
                                         judged_pairs(linear.analyze(point))}


def test_pairs_judged_by_default_are_those_with_gaussian_entanglement():
    point = spinning_resonator_point(reference_point())
    g = linear.analyze(point)
    assert g.log_negativities[("ccw", "cw")] == 0.0
    assert judged_pairs(g) == (("ccw", "m"), ("cw", "m"))
    assert judged_pairs(g, [("m", "ccw")]) == (("ccw", "m"),)
    with pytest.raises(InputError, match="pairs must be pairs of two different mode names"):
        judged_pairs(g, [("ccw", "x")])


def test_model_point_verdict_and_row():
    v = judge_model_point(linear.ModelPoint(electro().scaled(300.0)), max_dimension=600)
    assert v.status == "valid" and v.verdict == "agree"
    row = v.row()
    assert row["worst pair"] in row["pairs"].split()
    assert row["rel dE_N"] == max(row[f"rel dE_N {p}"] for p in row["pairs"].split())
    assert {"N_o", "N_w", "N_m", "quanta o", "quanta w", "quanta m"} <= set(row)
    t = v.table()
    assert list(t["verdict"]) == ["valid"] * len(t)


# --- the ladder in s for every preset ---------------------------------------------------

@pytest.mark.parametrize("name, model, s, cutoffs", [
    ("vitali2007", lambda: preset("vitali2007"), (2000, 1000, 500), (7, 12)),
    ("electro_optomechanics", lambda: electro(), (2000, 1000, 500), (4, 5, 5)),
    ("spinning_resonator", lambda: preset("spinning_resonator"), (4, 2, 1), (4, 3, 6)),
])
def test_the_approximation_error_falls_as_s_squared_for_every_preset(name, model, s, cutoffs):
    study = linearization_study(linear.ModelPoint(model()), s, cutoffs=cutoffs)
    assert study.variable == "s" and study.verdict == "consistent"
    assert study.V_fit.exponent == pytest.approx(2.0, abs=0.05)
    for col in [c for c in study.table if c.startswith("dE_N exact ")]:
        fit = fit_power_law(study.table["s"], np.abs(study.table[col]))
        assert fit.exponent == pytest.approx(2.0, abs=0.05), col


def test_scaling_keeps_the_gaussian_model():
    m = preset("vitali2007")
    a, b = linear.analyze(linear.ModelPoint(m)), linear.analyze(linear.ModelPoint(m.scaled(1e3)))
    np.testing.assert_allclose(a.V, b.V, rtol=1e-9, atol=1e-12)
    assert model_at(m, {"s": 10.0, "modes.b.thermal": 5.0}) == \
        m.with_parameters({"modes.b.thermal": 5.0}).scaled(10.0)


# --- maps over model parameters ---------------------------------------------------------

@pytest.fixture(scope="module")
def electro_map(tmp_path_factory):
    spec = ModelMapSpec(electro(), "s", [100.0, 3000.0], "modes.m.thermal", [5.0, 30.0],
                        max_dimension=400)
    cache = tmp_path_factory.mktemp("em") / "map.jsonl"
    return spec, cache, run_map(spec, cache)


def test_electro_map_over_two_model_parameters_serial_equals_parallel(electro_map, tmp_path):
    spec, _, serial = electro_map
    assert set(serial["status"]) <= {"valid", "breaks"}
    assert len(serial) == 4 and (serial["solves"] > 0).all()
    parallel = run_map(spec, tmp_path / "p.jsonl", engine="parallel", num_cpus=2)
    assert same_rows(serial, parallel)


def test_electro_map_resumes_after_a_kill(electro_map, tmp_path):
    spec, cache, full = electro_map
    lines = cache.read_text().splitlines()
    partial = tmp_path / "killed.jsonl"  # one finished point, one cut mid-write
    partial.write_text(lines[0] + "\n" + lines[1][: len(lines[1]) // 2])
    messages = []
    resumed = run_map(spec, partial, progress=messages.append)
    assert same_rows(full, resumed)
    assert messages[0].startswith("1 unreadable line(s) in the journal")
    assert len(messages) == 1 + 3 and len(read_cache(partial)) == 4


def test_model_map_spec_is_validated_before_any_work():
    m = preset("vitali2007")
    with pytest.raises(InputError, match="map.x must be a parameter of the model or 's'"):
        ModelMapSpec(m, "G0", [1.0], "s", [1.0])
    with pytest.raises(InputError, match=r"map.y_values\[0\] \(modes.b.thermal = -1.0\)"):
        ModelMapSpec(m, "s", [1.0], "modes.b.thermal", [-1.0])
    with pytest.raises(InputError, match="map.pairs"):
        ModelMapSpec(m, "s", [1.0], "modes.b.thermal", [1.0], pairs=[("a", "z")])
    spec = ModelMapSpec(m, "s", [1.0, 2.0], "modes.b.thermal", [1.0])
    assert ModelMapSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    # A point whose branch does not exist is a failed row, not a crash.
    assert ModelMapSpec(m, "s", [1.0], "modes.b.thermal", [1.0],
                        branch=5).row({"s": 1.0, "modes.b.thermal": 1.0})["status"] == "failed"


# --- my device -------------------------------------------------------------------------

def test_my_device_predicts_the_real_g0_from_the_ladder_and_resumes():
    m = preset("spinning_resonator").scaled(0.1)  # a "device" 10× weaker than the preset
    rows = {}
    study = device_study(m, [40.0, 20.0, 10.0], on_row=rows.__setitem__)
    assert study.verdict == "agree" and set(rows) == {10.0, 20.0, 40.0}
    p = study.predictions[0]
    assert p.pair == ("ccw", "m") and p.rows == 3 and p.exponent == pytest.approx(2, abs=0.1)
    # The prediction at s = 1 against a direct solve of the error at s = 10 (ΔE ∝ s²).
    row10 = study.rows.set_index("s").loc[10.0]
    assert p.prediction.value == pytest.approx(row10["dE_N ccw-m"] / 100, rel=0.05)
    assert abs(row10["dE_N ccw-m (c+1)"] - row10["dE_N ccw-m"]) < 1e-4
    # Known rows are not computed again; failed ones would be.
    again = device_study(m, [40.0, 20.0, 10.0], known=rows,
                         on_row=lambda *a: pytest.fail("recomputed a known row"))
    assert again.table().equals(study.table())
    short = analyze_device(study.point, study.rows.iloc[:2], (("ccw", "m"),),
                           ValidityCriteria())
    assert short.verdict == "incomplete"


def test_adaptive_cutoffs_refuses_pairs_for_the_operating_point():
    with pytest.raises(InputError, match="pairs applies to a model's point"):
        adaptive_cutoffs(reference_point(), pairs=[("ccw", "m")])


# --- the cutoff prediction and the cost of a point (issue: full quantum ten times cheaper) --

def test_predicted_tail_rate_is_the_fock_tail_of_the_gaussian_state():
    """The Fock distribution of each mode of the linearized model's steady state (QuTiP
    ptrace of the solved ρ) decays at the rate r = (v − ½)/(v + ½) of its heavier quadrature
    v, approached from below; the mean occupation's thermal rate underestimates it."""
    m = linear.Model([linear.Cavity("a", detuning=1.0, kappa=0.3, drive=1.0),
                      linear.Mechanical("b", frequency=1.0, gamma=0.02, thermal=0.5)],
                     [linear.RadiationPressure("a", "b", g0=0.01)])
    point = linear.design_model(m, coupling=0.3, detuning=1.0)
    V = linear.analyze(point).V
    state = fullquantum.solve(point, cutoffs=(12, 16), hamiltonian="linearized")
    for k, last in ((0, 8), (1, 11)):
        v = np.linalg.eigvalsh(V[2 * k:2 * k + 2, 2 * k:2 * k + 2])
        r, thermal = (v[-1] - 0.5) / (v[-1] + 0.5), (v.mean() - 0.5) / (v.mean() + 0.5)
        P = np.real(state.rho.ptrace(k).diag())
        ratio = P[last] / P[last - 1]
        assert thermal < ratio <= r and ratio > 0.9 * r
        assert (P[last - 3:last] / P[last - 4:last - 1] <= ratio).all()  # rising towards r
    # The prediction: smallest N with (N + 1)·r^N ≤ V_tolerance, per mode.
    n = predicted_cutoffs(point, 1e-5)
    for k, N in enumerate(n):
        v = np.linalg.eigvalsh(V[2 * k:2 * k + 2, 2 * k:2 * k + 2])[-1]
        r = (v - 0.5) / (v + 0.5)
        assert (N + 1) * r**N <= 1e-5 < N * r**(N - 1)
    assert predicted_cutoffs(point, 1e-7) > n  # tighter tolerance, larger cutoffs


def test_predicted_start_of_the_spinning_resonator_shares_the_hopping_cavity():
    p = reference_point()
    ccw, cw, _ = predicted_cutoffs(p)
    assert ccw >= cw and predicted_cutoffs(spinning_resonator_point(p)) == predicted_cutoffs(p)
    with pytest.raises(InputError, match="V_tolerance"):
        predicted_cutoffs(p, V_tolerance=0.0)


def test_search_cost_is_monotone_in_every_cutoff():
    rng = np.random.default_rng(1)
    for _ in range(50):
        c = tuple(int(x) for x in rng.integers(2, 20, size=3))
        for k in range(3):
            up = tuple(x + (i == k) for i, x in enumerate(c))
            assert search_cost(up) > search_cost(c)


def test_maps_run_the_most_expensive_points_first():
    """Large |G| needs the largest Fock spaces and large G0 a non-Gaussian state that needs
    more: predicted most expensive, started first. The Gaussian start does not depend on G0
    at a fixed design; the nonlinear correction V2 ∝ G0² does, so G0 = 0.3 costs more than
    G0 = 0.01 at each coupling, and more at the larger coupling; an unstable point costs
    nothing."""
    spec = MapSpec(x="G0", x_values=[0.01, 0.3], y="coupling", y_values=[0.1, 0.4])
    ordered, costs = most_expensive_first(spec, spec.points())
    assert [(p["G0"], p["coupling"]) for p in ordered] == [(0.3, 0.4), (0.01, 0.4),
                                                          (0.3, 0.1), (0.01, 0.1)]
    assert costs[0] > costs[1] > costs[2] > costs[3]
    capped = MapSpec(x="G0", x_values=[0.01, 0.3], y="coupling", y_values=[0.4],
                     max_dimension=100)
    assert most_expensive_first(capped, capped.points())[1] == [100 ** 1.5, 100 ** 1.5]
    unstable = MapSpec(x="G0", x_values=[0.05], y="coupling", y_values=[0.25, 5.0])
    assert most_expensive_first(unstable, unstable.points())[1][-1] == 1.0
    mspec = ModelMapSpec(electro(), "s", [10.0], "modes.o.drive", [1442.2, 7211.1])
    ordered, costs = most_expensive_first(mspec, mspec.points())
    assert ordered[0]["modes.o.drive"] == 7211.1 and costs[0] > costs[1]
