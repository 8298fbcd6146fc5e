"""Validity of the Gaussian model point by point and on maps (compare.validity, compare.maps)."""

import json

import numpy as np
import pytest

from omxval.compare.studies.fits import fit_power_law
from omxval.compare.studies.maps import MapSpec
from omxval.compare.app.runs import read_cache, run_map
from omxval.compare.studies.validity import adaptive_cutoffs, validity_point
from tests.conftest import REFERENCE, reference_point

DESIGN = {k: v for k, v in REFERENCE.items() if k != "G0"}


def same_rows(a, b):
    cols = [c for c in a.columns if c != "seconds"]
    return a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


@pytest.fixture(scope="module")
def small_map(tmp_path_factory):
    spec = MapSpec(x="G0", x_values=[0.05, 0.2], y="detuning", y_values=[0.9, -0.9])
    cache = tmp_path_factory.mktemp("m") / "map.jsonl"
    return spec, cache, run_map(spec, cache)


def test_adaptive_cutoffs_converge_and_resolve_the_linearized_model():
    """Truncation control: at the chosen cutoffs the linearized Fock model reproduces the
    Lyapunov E_N to the tolerance (reference point, conventions §5)."""
    fit = adaptive_cutoffs(reference_point(), "linearized", log_negativity_tolerance=1e-5)
    assert fit.converged and fit.reason == ""
    assert abs(fit.state.log_negativity_exact - 0.099523) < 3e-5
    assert fit.state.cutoffs == fit.cutoffs and fit.solves >= 4


def test_statuses_unstable_unconverged_and_failed_are_rows():
    assert validity_point({**DESIGN, "G0": 0.05, "detuning": -0.9})["status"] == "unstable"
    tight = validity_point({**DESIGN, "G0": 0.05}, memory_budget_bytes=3 * 1024**2)
    assert tight["status"] == "unconverged" and "memory budget" in tight["message"]
    bad = validity_point({**DESIGN, "G0": 0.05, "kappa": -1.0})
    assert bad["status"] == "failed" and "kappa" in bad["message"]


def test_relative_error_follows_the_G0_squared_law():
    """At fixed (Δ̃_c, |G_d|) the cubic term's leading correction is O(G0²) (conventions §5)."""
    G0 = [0.05, 0.1, 0.2]
    rows = [validity_point({**DESIGN, "G0": g}) for g in G0]
    assert [r["status"] for r in rows] == ["valid", "valid", "breaks"]
    fit = fit_power_law(G0, [r["rel dE_N"] for r in rows])
    assert fit.exponent == pytest.approx(2.0, abs=0.1)
    for r in rows:  # the truncation control stays far below the error it judges
        assert r["truncation dE_N"] < 0.1 * r["abs dE_N"]


def test_a_map_at_small_G0_is_valid_everywhere(tmp_path):
    spec = MapSpec(x="G0", x_values=[0.005, 0.0125], y="coupling", y_values=[0.15, 0.25])
    df = run_map(spec, tmp_path / "c.jsonl")
    assert (df["status"] == "valid").all() and (df["rel dE_N"] < 1e-3).all()


def test_serial_equals_parallel(small_map, tmp_path):
    spec, _, serial = small_map
    parallel = run_map(spec, tmp_path / "p.jsonl", engine="parallel", num_cpus=2)
    assert same_rows(serial, parallel)
    assert list(serial["status"]) == ["valid", "breaks", "unstable", "unstable"]


def test_killed_and_resumed_map_equals_an_uninterrupted_one(small_map, tmp_path):
    spec, cache, full = small_map
    lines = cache.read_text().splitlines()
    partial = tmp_path / "killed.jsonl"  # two finished points and one cut mid-write
    partial.write_text("\n".join(lines[:2]) + "\n" + lines[2][: len(lines[2]) // 2])
    messages = []
    resumed = run_map(spec, partial, progress=messages.append)
    assert same_rows(full, resumed)
    # The cut line is skipped and counted; only the two missing points ran.
    assert messages[0].startswith("1 unreadable line(s) in the journal")
    kept = [json.loads(line)["key"] for line in lines[:2]]
    missing = [d for d in spec.points() if spec.key(d) not in kept]
    ran = {(float(m.split("G0 = ")[1].split(",")[0]), float(m.split("detuning = ")[1].split(":")[0]))
           for m in messages[1:]}
    assert len(messages) == 3 and ran == {(d["G0"], d["detuning"]) for d in missing}
    assert len(read_cache(partial)) == 4


def test_shards_merge_to_the_whole(small_map, tmp_path):
    spec, cache, full = small_map
    parts = [tmp_path / f"shard{i}.jsonl" for i in range(2)]
    for i, part in enumerate(parts):
        assert len(run_map(spec, part, shard=(i, 2))) == 2
    merged = read_cache(parts)
    assert merged.keys() == read_cache(cache).keys()
    for key, row in read_cache(cache).items():
        assert json.dumps({**merged[key], "seconds": 0}, sort_keys=True) == \
            json.dumps({**row, "seconds": 0}, sort_keys=True)


def test_map_spec_is_validated():
    with pytest.raises(ValueError, match="map.x"):
        MapSpec(x="power", x_values=[1], y="G0", y_values=[0.1])
    with pytest.raises(ValueError, match="engine"):
        run_map(MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=[0.2]), "x.jsonl",
                engine="threads")
    assert np.isfinite(MapSpec(x="G0", x_values=[0.1], y="coupling",
                               y_values=[0.2]).design["kappa"])


def test_a_multistable_point_is_reported_as_such():
    """At |G_d| = 0.35 the reference design's mean field has three branches (the designed
    one judged); at 0.25 it has one."""
    multi = validity_point({**DESIGN, "G0": 0.02, "coupling": 0.35})
    single = validity_point({**DESIGN, "G0": 0.02, "coupling": 0.25})
    assert multi["multistable"] and multi["n_branches"] == 3 and multi["status"] == "valid"
    assert not single["multistable"] and single["n_branches"] == 1
