"""Verdicts defined once; the exit code gates CI; the configuration prints and reloads."""

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from omxval.compare.app.cli import main
from omxval.errors import InputError
from omxval.compare.app.config import ReportConfig, config_from_dict, load_config, to_toml
from omxval.compare.studies.verdicts import DEFAULT_FAIL_ON, VERDICTS, check_fail_on
from omxval.compare.app.markdown import how_to_read
from omxval.compare.studies import convergence

ROOT = Path(__file__).resolve().parents[2]

FAST = """
[solver]
engine = "serial"
[point]
cutoffs = [4, 3, 6]
hamiltonian = "linearized"
"""


def test_docs_hold_the_one_definition_of_every_verdict():
    assert how_to_read() in (ROOT / "docs" / "verdicts.md").read_text()
    assert set(DEFAULT_FAIL_ON) == {"disagree", "truncated", "unconverged", "not converged",
                                    "inconsistent", "breaks", "failed"}
    for word, v in VERDICTS.items():  # a verdict that fails says what to do
        assert not v.fails or v.next_step, word


def test_every_study_verdict_word_is_defined():
    import typing

    from omxval.compare.studies import agreement, linearization

    words = (set(typing.get_args(agreement.Verdict)) | set(typing.get_args(
        convergence.ConvergenceVerdict)) | set(typing.get_args(
        linearization.LinearizationVerdict)) | {"holds", "partial", "breaks"})
    assert words <= set(VERDICTS)


def test_configuration_prints_and_loads_back_unchanged(tmp_path, capsys):
    assert main(["config"]) == 0
    text = capsys.readouterr().out
    assert config_from_dict(tomllib.loads(text)) == ReportConfig()
    custom = tmp_path / "c.toml"
    custom.write_text("[design]\ncoupling = 0.2\n[solver]\nmemory_budget_bytes = 123456789\n")
    assert main(["config", "--config", str(custom)]) == 0
    again = tmp_path / "again.toml"
    again.write_text(capsys.readouterr().out)
    assert load_config(again) == load_config(custom)
    assert load_config(again).solver.memory_budget_bytes == 123456789
    assert to_toml(load_config(custom)) == again.read_text()


def test_api_and_configuration_share_their_defaults():
    cfg = ReportConfig()
    assert cfg.converge.max_cutoffs == convergence.DEFAULT_MAXIMUM
    assert cfg.converge.V_tolerance == convergence.DEFAULT_V_TOLERANCE
    import inspect

    sig = inspect.signature(convergence.convergence_study)
    assert sig.parameters["maximum"].default == cfg.converge.max_cutoffs
    assert sig.parameters["log_negativity_tolerance"].default == \
        cfg.converge.log_negativity_tolerance


def test_exit_code_1_when_a_verdict_fails_and_fail_on_chooses(tmp_path, capsys):
    cfg = tmp_path / "strict.toml"
    cfg.write_text(FAST + "V_agreement = 1e-9\n")  # the point study must disagree
    out = tmp_path / "p"
    assert main(["point", "--config", str(cfg), "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert captured.out.rstrip().splitlines()[-1].endswith("disagree")  # table last
    assert "failing verdict(s): disagree" in captured.err
    assert pd.read_csv(out / "verdicts.csv")["next step"].iloc[0].startswith("read the")
    assert main(["point", "--config", str(cfg), "--out", str(out), "--quiet",
                 "--fail-on", "none"]) == 0
    assert main(["point", "--config", str(cfg), "--out", str(out), "--quiet",
                 "--fail-on", "breaks"]) == 0
    assert main(["point", "--config", str(cfg), "--out", str(out), "--quiet",
                 "--fail-on", "wrong"]) == 2
    assert "unknown verdict" in capsys.readouterr().err


def test_exit_code_0_when_every_verdict_passes(tmp_path, capsys):
    cfg = tmp_path / "fast.toml"
    cfg.write_text(FAST)
    assert main(["point", "--config", str(cfg), "--out", str(tmp_path / "p"), "--quiet"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("agree")


def test_check_fail_on():
    assert check_fail_on(["none"]) == ()
    assert check_fail_on(["disagree", " breaks "]) == ("disagree", "breaks")
    with pytest.raises(ValueError, match="valid"):
        check_fail_on(["maybe"])


def test_omxval_config_comments_every_key_and_still_round_trips():
    import dataclasses
    import tomllib

    from omxval.compare.app.config import KEY_HELP

    cfg = ReportConfig()
    text = to_toml(cfg)
    lines = text.splitlines()
    for section in dataclasses.fields(cfg):
        for key in dataclasses.asdict(getattr(cfg, section.name)):
            comment = f"# {key}: {KEY_HELP[section.name][key]}"
            assert comment in lines, (section.name, key)
            assert lines[lines.index(comment) + 1].startswith(f"{key} = ")
    # The two V tolerances say which one is which.
    assert "convergence" in KEY_HELP["solver"]["V_tolerance"]
    assert "agreement" in KEY_HELP["point"]["V_agreement"]
    # ... and have distinct names: no key of [point] is a key of [solver].
    assert not set(KEY_HELP["point"]) & set(KEY_HELP["solver"])
    assert config_from_dict(tomllib.loads(text)) == cfg


def test_old_point_tolerance_keys_still_read_with_a_warning():
    """[point] V_tolerance / log_negativity_tolerance were renamed V_agreement /
    log_negativity_agreement; old files keep working, with a DeprecationWarning."""
    with pytest.warns(DeprecationWarning) as caught:
        cfg = config_from_dict({"point": {"V_tolerance": 2e-3,
                                          "log_negativity_tolerance": 3e-3}})
    messages = " ".join(str(w.message) for w in caught)
    assert "V_agreement" in messages and "log_negativity_agreement" in messages
    assert (cfg.point.V_agreement, cfg.point.log_negativity_agreement) == (2e-3, 3e-3)
    with pytest.warns(DeprecationWarning):
        assert cfg.point.V_tolerance == 2e-3
    with pytest.raises(InputError, match="both V_tolerance and V_agreement"):
        config_from_dict({"point": {"V_tolerance": 1e-3, "V_agreement": 1e-3}})


@pytest.mark.parametrize("section", ["point", "converge", "nonreciprocity", "map", "validity"])
def test_former_model_key_reads_as_hamiltonian_with_a_warning(section):
    """'model' (linearized | nonlinear | lab) is now 'hamiltonian' in every section: the
    word model names the user's system description."""
    with pytest.warns(DeprecationWarning, match="model is now called hamiltonian"):
        cfg = config_from_dict({section: {"model": "lab"}})
    assert getattr(cfg, section).hamiltonian == "lab"
    with pytest.warns(DeprecationWarning, match=r"\.model is now \.hamiltonian"):
        assert getattr(cfg, section).model == "lab"
    with pytest.raises(InputError, match="both model and hamiltonian"):
        config_from_dict({section: {"model": "lab", "hamiltonian": "lab"}})
