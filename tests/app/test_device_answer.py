"""The paper's own device, answered first: shipped rows, their format, and a run beside
the report that replaces them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from omxval import linear
from omxval.compare.app import journal
from omxval.compare.app.device_answer import (PROVENANCE_FILE, ROWS_FILE, device_answer,
                                              shipped_direct, shipped_rows)
from omxval.compare.studies.paper_device import (DEFAULT_G0, POINT_NAMES, DeviceCriteria,
                                                 ROW_COLUMNS, paper_points, row_key)


@pytest.fixture(scope="module")
def points():
    return {p.name: p for p in paper_points(linear.PaperSetup())}


def test_shipped_rows_load_and_match_the_cache_format(points):
    from importlib import resources

    data = resources.files("omxval.compare.app").joinpath("data")
    raw = data.joinpath(ROWS_FILE).read_bytes()
    contents = journal.parse(raw)
    # Exactly the journal's lines: every line a {"key", "row"} record, none failed.
    assert contents.skipped == 0 and not contents.failed
    assert len(contents.rows) == raw.count(b"\n") > 0
    shipped = shipped_rows()
    prov = json.loads(data.joinpath(PROVENANCE_FILE).read_text())
    assert shipped.provenance == prov
    assert shipped.ladder == DEFAULT_G0 and shipped.criteria == DeviceCriteria()
    for key in ("omxval", "packages", "created_utc", "git_commit", "command", "machine"):
        assert prov[key]
    # Every key is the key omxval gives that (point, G0) today, with the shipping version:
    # the designs derived from the paper's parameters are the ones the rows were made at.
    for key, row in shipped.rows.items():
        assert row["point"] in POINT_NAMES and row["G0"] in DEFAULT_G0
        assert key == row_key(points[row["point"]], row["G0"], shipped.criteria,
                              shipped.version)
        assert set(row) <= set(ROW_COLUMNS)
        assert row["status"] == "converged"
        assert row["d"] == row["N_ccw"] * row["N_cw"] * row["N_m"]  # the cutoffs that made it
        # The estimator's own definition (docs/paper_device.md §3) holds in every row.
        assert np.isclose(row["approximation error"],
                          row["E_N nonlinear"] - row["E_N linearized Fock"], rtol=0, atol=1e-15)
        assert np.isclose(row["truncation error"],
                          row["E_N linearized Fock"] - row["E_N Lyapunov"], rtol=0, atol=1e-15)
        assert np.isclose(row["E_N Lyapunov"], points[row["point"]].log_negativity, rtol=1e-9)
    assert prov["rows"] == {n: sum(r["point"] == n for r in shipped.rows.values())
                            for n in POINT_NAMES}


def test_the_answer_from_shipped_rows_names_what_is_missing():
    answer = device_answer()
    v = answer.verdicts
    assert list(v["point"]) == list(POINT_NAMES)
    assert set(answer.sources.values()) == {"shipped"}
    direct, _ = shipped_direct()
    for a, (_, row) in zip(answer.analyses, v.iterrows()):
        n = len(a.converged)
        answered = n >= 3 or (a.direct is not None and a.direct.usable)
        assert row["verdict"] == ("agree" if answered and a.upper < 5e-5 else
                                  "disagree" if answered else "incomplete")
        missing = [g for g in DEFAULT_G0 if g not in set(a.rows["G0"])]
        if missing:
            assert "not computed: G0 = " + ", ".join(f"{g:g}" for g in missing) in row["evidence"]
        # The shipped direct c2 is every point's, and it is shown beside the ladder.
        assert a.direct == direct.get(a.point.name)
        if n >= 3:  # the number is the fit's where there is one, else the direct route's
            assert row["abs error at paper G0"] == a.leading_order.value
        elif a.direct is not None:
            assert row["abs error at paper G0"] == a.direct.prediction(a.point.G0).value
        else:
            assert np.isnan(row["abs error at paper G0"])


def test_shipped_direct_coefficients_load_and_agree_with_the_ladder(points):
    """The c2 computed directly (omxval paper-device --direct-only) ship with their
    provenance; at the points with a ladder they agree with its fit, so the verdict there
    needs no extrapolation (docs/paper_device.md §8)."""
    direct, prov = shipped_direct()
    for key in ("omxval", "packages", "created_utc", "git_commit", "command", "machine"):
        assert prov[key]
    assert set(direct) <= set(POINT_NAMES) and direct
    for name, d in direct.items():
        assert d.point == name and d.usable and d.c2 < 0 and d.uncertainty > 0
    answer = device_answer()
    for a in answer.analyses:
        if a.fit is not None and a.direct is not None:
            assert a.direct_agrees
            assert a.upper == pytest.approx(a.direct.prediction(a.point.G0).high, rel=1e-12)
    # The Fig. 2 optima of both drives and at rest are one state (J = 0): one c2.
    fig2 = [direct[n].c2 for n in ("fig2-ccw", "fig2-rest", "fig2-cw") if n in direct]
    assert max(fig2) - min(fig2) <= min(direct[n].uncertainty for n in direct)


def test_a_run_beside_the_report_replaces_the_shipped_rows(tmp_path, points):
    """Rows of this version in the cache beside the report replace a point's shipped rows:
    here the shipped fig2-ccw rows re-keyed for this version, their errors doubled, so the
    leading coefficient doubles."""
    shipped = shipped_rows()
    mine = {k: r for k, r in shipped.rows.items() if r["point"] == "fig2-ccw"}
    assert len(mine) >= 3  # the shipped data has a fit for fig2-ccw
    cache = tmp_path / "paper_device.cache.jsonl"
    doubled = []
    for row in mine.values():
        row = dict(row)
        for col in ("approximation error", "approximation error (c+1)"):
            row[col] = 2 * row[col]
        doubled.append((row_key(points["fig2-ccw"], row["G0"], DeviceCriteria()), row))
    journal.write_rows(cache, doubled)
    base, replaced = device_answer(), device_answer(cache)
    assert replaced.sources["fig2-ccw"] == str(cache)
    assert all(s == "shipped" for n, s in replaced.sources.items() if n != "fig2-ccw")
    new = next(a for a in replaced.analyses if a.point.name == "fig2-ccw")
    old = next(a for a in base.analyses if a.point.name == "fig2-ccw")
    assert new.leading.c2 == pytest.approx(2 * old.leading.c2, rel=1e-9)


def test_the_report_leads_with_the_paper_device(tmp_path):
    """omxval report: the paper's device rows are the first of the verdict table and its
    section is the first of the page, with its figure when a point has converged rows."""
    from omxval.compare.app.report import write_report
    from omxval.compare.app.config import ReportConfig

    cfg = ReportConfig()
    out = write_report(tmp_path / "validation", cfg, studies=("converge",), progress=None)
    verdicts = pd.read_csv(out / "verdicts.csv")
    n = len(POINT_NAMES)
    assert list(verdicts["question"][:n].str.startswith("paper's device")) == [True] * n
    assert verdicts["question"].iloc[n] == "Fock truncation"
    text = (out / "index.md").read_text()
    assert text.index("## The paper's own device") < text.index("## Truncation convergence")
    assert "shipped data" in text and f"omxval {shipped_rows().version}" in text
    answer = device_answer()
    assert (out / "paper_device.png").exists() == any(len(a.converged) for a in answer.analyses)
    # A single study (omxval converge) does not carry the paper's device.
    single = write_report(tmp_path / "converge", cfg, studies=("converge",), progress=None,
                          paper_device=False)
    assert "paper's device" not in pd.read_csv(single / "verdicts.csv")["question"].iloc[0]
