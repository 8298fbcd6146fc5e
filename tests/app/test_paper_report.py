"""`omxval paper`: files, numbers table, atomic writes, CLI errors."""

import json
import shutil

import pandas as pd
import pytest

from omxval.compare.app.cli import main
from omxval.compare.app import paper_report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "paper"
    assert main(["paper", "--out", str(out), "--chi-points", "5", "--quiet"]) == 0
    return out


def test_report_has_every_panel_and_its_csv(report):
    for name in ("fig2", "fig3_a-d", "fig3_e", "fig3_f", "fig3_claims"):
        assert (report / f"{name}.png").stat().st_size > 10_000
    for name in ("fig2", "fig2_numbers", "fig3_a-d", "fig3_e", "fig3_f_chi", "fig3_claims",
                 "fig3_claim_intervals"):
        assert len(pd.read_csv(report / f"{name}.csv")) > 0
    chi = pd.read_csv(report / "fig3_f_chi.csv")
    assert set(chi["direction"]) == {"ccw", "cw"} and len(chi) == 2 * 25
    assert chi.loc[chi["J/kappa"] == 0, "chi"].between(1 - 1e-6, 1 + 1e-6).all()  # Eq. 14 at J = 0
    text = (report / "index.md").read_text()
    assert "0.1476" in text and "J = 1.80 κ" in text and "unstable" in text


def test_claims_against_J_match_the_pinned_intervals(report):
    """docs/conventions.md §6: 2.5× at J ≈ 1.74–2.0 κ, χ = 0.991 at J ≈ 0.24–0.31 κ."""
    iv = pd.read_csv(report / "fig3_claim_intervals.csv").set_index(["claim", "direction"])
    enh = iv.xs("enhancement ~2.5x", level="claim")
    assert enh["J/kappa from"].min() <= 2.0 and enh["J/kappa to"].max() >= 1.74
    chi = iv.xs("chi = 0.991", level="claim")
    assert chi["J/kappa from"].min() >= 0.2 and chi["J/kappa to"].max() <= 0.35


def test_interrupted_report_leaves_previous_intact(report, tmp_path, monkeypatch):
    out = tmp_path / "paper"
    shutil.copytree(report, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(paper_report, "plot_chi_map", boom)
    with pytest.raises(KeyboardInterrupt):
        paper_report.write_paper_report(out, chi_points=3, progress=None)
    assert [p.name for p in tmp_path.iterdir()] == ["paper"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_report_records_provenance(report):
    meta = json.loads((report / "metadata.json").read_text())
    assert meta["omxval_output"]["kind"] == "paper"
    assert set(meta["omxval_output"]["files"]) == {p.name for p in report.iterdir()} - {
        "metadata.json"}
    assert meta["configuration"]["chi_points"] == 5 and "Fig. 2 curves" in meta["timings_s"]


def test_cli_reports_bad_input_clearly(capsys, tmp_path):
    assert main(["paper", "--out", str(tmp_path / "x"), "--chi-points", "1", "--quiet"]) == 2
    assert "chi_points must lie in [3, 201]" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    with pytest.raises(SystemExit):
        main(["nonsense"])
