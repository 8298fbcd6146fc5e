"""``omxval map``: the written map, resuming after SIGKILL, shards and merge, refusals."""

import json
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from omxval.compare.app.cli import main
from omxval.compare.app.config import MapConfig, load_config
from omxval.compare.studies.maps import COLUMNS
from omxval.compare.app.map_report import journal_path

# Small G0 keeps each point well below a second (cutoffs ≈ (4,3,5)).
CONFIG = """
[map]
x = "G0"
x_values = [0.005, 0.01]
y = "coupling"
y_values = [0.15, 0.25]
[solver]
engine = "serial"
"""


def write_config(tmp_path, text=CONFIG):
    path = tmp_path / "map.toml"
    path.write_text(text)
    return path


def table(out):
    t = pd.read_csv(out / "map.csv")
    return t.drop(columns="seconds")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("map")
    cfg = write_config(tmp)
    assert main(["map", "--config", str(cfg), "--out", str(tmp / "full"), "--quiet"]) == 0
    return cfg, tmp / "full"


def test_map_writes_its_files_and_a_verdict(uninterrupted, capsys):
    _, out = uninterrupted
    assert sorted(p.name for p in out.iterdir()) == ["index.md", "map.csv", "map.png",
                                                     "metadata.json", "points.jsonl"]
    t = pd.read_csv(out / "map.csv")
    assert list(t.columns) == ["G0", "coupling", *COLUMNS]
    assert (t["status"] == "valid").all() and (t["rel dE_N"] < 1e-2).all()
    # The truncation control is reported apart from the approximation error.
    assert (t["truncation dE_N"] < 2e-4).all()
    index = (out / "index.md").read_text()
    assert "within 1 % of the `nonlinear` model at **4** points" in index
    assert not journal_path(out).exists()  # the journal goes once the map is written
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["map"]["x_values"] == [0.005, 0.01] and meta["shard"] == [0, 1]


def test_killed_map_resumes_to_the_same_rows(uninterrupted, tmp_path):
    cfg, full = uninterrupted
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "omxval", "map", "--config", str(cfg), "--out", str(out),
           "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = journal_path(out)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text().count("\n") >= 2:  # 1 newline + 1 row
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists() and journal.exists()
    done = sum(1 for line in journal.read_text().splitlines() if line.strip())
    assert 1 <= done < 4
    messages = []
    from omxval.compare.app.map_report import write_map_report

    spec = load_config(cfg).map_spec()
    write_map_report(out, spec, progress=messages.append)
    computed = [m for m in messages if m.startswith("[")]
    assert len(computed) == 4 - done  # only the missing points ran
    pd.testing.assert_frame_equal(table(out), table(full))


def test_shards_merge_to_the_single_run(uninterrupted, tmp_path, capsys):
    cfg, full = uninterrupted
    parts = [tmp_path / f"s{i}" for i in range(3)]
    for i, part in enumerate(parts):
        assert main(["map", "--config", str(cfg), "--shard", f"{i}/3", "--out", str(part),
                     "--quiet"]) == 0
    assert len(pd.read_csv(parts[0] / "map.csv")) == 2  # points 0 and 3
    assert "Shard 0/3" in (parts[0] / "index.md").read_text()
    # A missing shard is named, not silently merged.
    assert main(["map", "--merge", str(parts[0]), str(parts[1]), "--out",
                 str(tmp_path / "bad")]) == 2
    assert "cover 3 of 4 points" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()
    assert main(["map", "--merge", *map(str, parts), "--out", str(tmp_path / "m")]) == 0
    pd.testing.assert_frame_equal(table(tmp_path / "m"), table(full))


def test_merge_refuses_different_maps_and_foreign_folders(uninterrupted, tmp_path, capsys):
    cfg, full = uninterrupted
    other = write_config(tmp_path, CONFIG.replace("0.15, 0.25", "0.15, 0.2"))
    assert main(["map", "--config", str(other), "--out", str(tmp_path / "o"), "--quiet",
                 "--shard", "0/4"]) == 0
    assert main(["map", "--merge", str(full), str(tmp_path / "o"), "--out",
                 str(tmp_path / "m")]) == 2
    assert "different maps" in capsys.readouterr().err
    (tmp_path / "foreign").mkdir()
    assert main(["map", "--merge", str(tmp_path / "foreign"), "--out",
                 str(tmp_path / "m")]) == 2
    assert "not an omxval map output" in capsys.readouterr().err


def test_a_second_writer_on_the_same_out_is_refused(tmp_path, capsys):
    cfg = write_config(tmp_path)
    out = tmp_path / "busy"
    import fcntl

    with open(journal_path(out), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == 2
    assert "another omxval run is writing to the journal" in capsys.readouterr().err
    assert not out.exists()


def test_an_engine_without_its_package_is_refused_before_any_file(tmp_path, capsys,
                                                                  monkeypatch):
    """--map loky without loky (a None entry in sys.modules makes the import fail whether
    or not it is installed): exit 2 naming the remedy, no journal, no output."""
    monkeypatch.setitem(sys.modules, "loky", None)
    cfg = write_config(tmp_path)
    out = tmp_path / "lk"
    assert main(["map", "--config", str(cfg), "--out", str(out), "--map", "loky"]) == 2
    assert "engine='loky' needs the loky package: pip install loky" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.toml"]


def test_a_run_that_finishes_no_point_leaves_no_journal(tmp_path, capsys, monkeypatch):
    """A computation that fails before any point is written (exit 3) removes its empty
    journal; an interrupted run with finished points keeps them (tested above)."""
    import omxval.compare.app.map_report as map_report
    from omxval.fullquantum import SteadyStateConvergenceError

    def broken(*args, **kwargs):
        raise SteadyStateConvergenceError("GMRES stalled", 500, 1e-3)

    monkeypatch.setattr(map_report, "run_map", broken)
    cfg = write_config(tmp_path)
    out = tmp_path / "m"
    assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == 3
    assert not journal_path(out).exists() and not out.exists()


def test_map_configuration_is_validated(tmp_path, capsys):
    for bad, match in (('[map]\nx = "power"', "map.x"), ("[map]\nx_values = []", "map.x_values"),
                       ('[solver]\nengine = "threads"', "solver.engine"),
                       ("[solver]\nnum_cpus = -1", "num_cpus"),
                       ("[solver]\nmax_dimension = 2", "max_dimension"),
                       ("[map]\nrelative_error = 0", "relative_error")):
        cfg = write_config(tmp_path, f"{bad}\n")
        assert main(["map", "--config", str(cfg), "--out", str(tmp_path / "x")]) == 2
        assert match in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: exit 2 with the usage
        main(["map", "--shard", "3/3"])


def test_default_map_reaches_towards_the_fold_and_spans_G0():
    """The built-in map: G0 from 0.01 κ to 2 κ (log), |G_d| up to two thirds of the fold of
    the default design's mean field, which lies at |G_d| ≈ 0.993 (docs/validity.md)."""
    from omxval import linear

    m, d = MapConfig(), load_config(None).design
    assert len(m.x_values) * len(m.y_values) >= 100
    assert m.x_values[0] == pytest.approx(0.01 * d.kappa) and m.x_values[-1] == pytest.approx(2 * d.kappa)
    ratios = [b / a for a, b in zip(m.x_values, m.x_values[1:])]
    assert max(ratios) / min(ratios) < 1.05  # a log grid
    assert linear.analyze(d.point(coupling=max(m.y_values))).stable
    assert linear.analyze(d.point(coupling=0.98)).stable  # the limit lies in (0.98, 1.0]
    assert not linear.analyze(d.point(coupling=1.0)).stable
    assert max(m.y_values) / 0.993 == pytest.approx(0.65, abs=0.01)
