"""Advice that works: each verdict's next step is computed from what limited it, and
following it changes the verdict (or the advice says why it cannot).

The configurations are the report's own (``ReportConfig``), so the advice is tested as a
user reads it: a config key and the value to give it.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from omxval import fullquantum
from omxval.compare.app.config import ReportConfig
from omxval.compare.app.report import run_converge, run_point, verdict_row


def _cutoffs(text: str, key: str) -> tuple[int, ...]:
    """The tuple the advice gives for ``key`` (``key → (a, b, c)``)."""
    match = re.search(re.escape(key) + r" → \((\d+), (\d+), (\d+)\)", text)
    assert match, f"no '{key} → (...)' in {text!r}"
    return tuple(int(v) for v in match.groups())


def _converge(cfg: ReportConfig, **changes) -> ReportConfig:
    return dataclasses.replace(cfg, converge=dataclasses.replace(cfg.converge, **changes))


def test_marginal_advice_moves_the_start_and_then_the_study_converges():
    """The issue's case: marginal at the default configuration; raising max_cutoffs would
    change nothing (the search never reached the maximum), so the advice moves the start."""
    cfg = ReportConfig()
    first = run_converge(cfg)
    assert first.verdict == "marginal"
    assert all(c < m for c, m in zip(first.chosen, cfg.converge.max_cutoffs))
    # The advice is the report's next step, and it is not the generic one.
    assert verdict_row(first)[3] == first.advice and "max_cutoffs alone" not in first.advice
    start = _cutoffs(first.advice, "start_cutoffs")
    assert start != first.chosen and all(s >= c for s, c in zip(start, first.chosen))
    # Raising the maximum alone, as the old advice said, does not change the verdict ...
    wider = run_converge(_converge(cfg, max_cutoffs=tuple(m + 2 for m in
                                                           cfg.converge.max_cutoffs)))
    assert (wider.verdict, wider.chosen) == (first.verdict, first.chosen)
    # ... following the new advice does.
    second = run_converge(_converge(cfg, start_cutoffs=start))
    assert second.verdict == "converged" and second.advice == ""


def test_maximum_advice_raises_the_maximum_and_that_changes_the_verdict():
    cfg = _converge(ReportConfig(), max_cutoffs=(3, 3, 5))
    first = run_converge(cfg)
    assert first.verdict == "not converged"
    new_max = _cutoffs(first.advice, "max_cutoffs")
    assert any(n > m for n, m in zip(new_max, (3, 3, 5)))
    second = run_converge(_converge(cfg, max_cutoffs=new_max))
    assert second.verdict in ("converged", "marginal")
    assert all(c < m for c, m in zip(second.chosen, new_max))


def test_advice_that_cannot_fit_the_memory_budget_says_so():
    """Memory: the search stops at the budget, and the advice names the memory needed
    instead of a step that would be refused."""
    cfg = ReportConfig()
    tight = fullquantum.estimate_memory((5, 3, 5), "structured", hamiltonian="linearized",
                                        bath="brownian").total_bytes
    cfg = dataclasses.replace(cfg, solver=dataclasses.replace(cfg.solver,
                                                              memory_budget_bytes=tight))
    study = run_converge(cfg)
    assert study.verdict == "not converged"
    assert "memory" in study.advice and "GiB" in study.advice
    assert "cannot be converged further here" in study.advice


def test_unconverged_point_advice_names_the_max_dimension_that_admits_it():
    cfg = ReportConfig()
    small = dataclasses.replace(cfg, solver=dataclasses.replace(cfg.solver, max_dimension=40))
    first = run_point(small)
    assert first.verdict == "unconverged"
    match = re.search(r"max_dimension from 40 to at least (\d+) \(better (\d+)\)", first.advice)
    assert match, first.advice
    assert verdict_row(first)[3] == first.advice
    needed = int(match.group(2))
    second = run_point(dataclasses.replace(
        cfg, solver=dataclasses.replace(cfg.solver, max_dimension=needed)))
    assert second.verdict == "agree" and second.advice == ""


def test_map_advice_comes_from_its_unconverged_points():
    from omxval.compare.studies.maps import verdict

    spec = ReportConfig().map_spec("validity")
    table = _table(spec, ["valid", "unconverged", "unconverged"],
                   limits=[None, ("max_dimension", "6 4 9"), ("max_dimension", "7 4 9")])
    v = verdict(table, spec)
    assert v["word"] == "unconverged"
    assert f"max_dimension from {spec.max_dimension} to at least {7 * 4 * 9}" in v["advice"]


def _table(spec, statuses, limits=None):
    import pandas as pd

    limits = limits or [None] * len(statuses)
    rows = []
    for i, (status, lim) in enumerate(zip(statuses, limits)):
        row = {spec.x: float(i), spec.y: 0.0, "status": status, "message": "",
               "rel dE_N": 0.001 if status == "valid" else (0.5 if status == "breaks"
                                                             else np.nan),
               "abs dE_N": 1e-4 if status in ("valid", "breaks") else np.nan}
        if lim:
            row.update({"search limit": lim[0], "refused cutoffs": lim[1]})
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("statuses", [
    ["failed", "failed"], ["unconverged", "failed"], ["valid", "failed"],
    ["valid", "breaks", "unconverged"], ["unstable", "unstable"], ["breaks", "failed"],
    ["valid", "unconverged"], ["unstable", "failed", "valid"]])
def test_map_headline_agrees_with_its_table(statuses):
    """The headline never names a status the table lacks, and the counts it prints are the
    table's."""
    from omxval.compare.app.map_report import map_markdown
    from omxval.compare.studies.maps import verdict

    spec = ReportConfig().map_spec("validity")
    table = _table(spec, statuses)
    v = verdict(table, spec)
    counts = table["status"].value_counts().to_dict()
    word = v["word"]
    if word in ("unconverged", "failed", "breaks"):
        assert counts.get(word, 0) > 0
    if word == "holds":
        assert counts.get("valid", 0) > 0 and not counts.get("breaks")
    if word == "partial":
        assert counts.get("valid") and counts.get("breaks")
    if word == "unstable":
        assert not counts.get("valid") and not counts.get("breaks")
    if word == "unconverged":
        assert not counts.get("breaks")
    for col in ("multistable", "truncation dE_N", "seconds", "E_N linear", "E_N exact",
                "N_ccw", "N_cw", "N_m"):
        table[col] = np.nan if col != "multistable" else False
    meta = {"packages": {"omxval": "x", "qutip": "y"}, "git_commit": "z"}
    text = map_markdown(table, spec, (0, 1), meta)
    assert f"**Verdict: {word}.**" in text
    for status in ("valid", "breaks", "unconverged", "unstable", "failed"):
        assert f"{counts.get(status, 0)} {status}" in text
