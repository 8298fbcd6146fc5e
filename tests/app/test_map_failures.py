"""A map survives its own failures: kills, dead workers, hostile journals, bad grids, bugs.

Each case runs through the command line. Runs that need a process killed at a chosen moment
run ``python -m omxval`` in a subprocess whose ``sitecustomize`` (on
``PYTHONPATH``) wraps the map's point task in every process: ``OMXVAL_TEST_SLOW`` makes each
point take that many seconds longer, ``OMXVAL_TEST_KILL`` makes the worker computing the
point with that G0 kill itself with SIGKILL (what the kernel's out-of-memory killer does).
``OMXVAL_TEST_MARK`` is inherited by every process of a run, so the test can find them.
"""

import errno
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from omxval.compare.studies import maps
from omxval.compare.studies import validity
from omxval.compare.app.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERNAL, main
from omxval.compare.app.map_report import journal_path

CONFIG = """
[map]
x = "G0"
x_values = [0.005, 0.01]
y = "coupling"
y_values = [0.15, 0.25]
[solver]
engine = "serial"
"""

SITECUSTOMIZE = '''
import os, time
if os.environ.get("OMXVAL_TEST_SLOW") or os.environ.get("OMXVAL_TEST_KILL"):
    import omxval.compare.studies.maps as _maps
    _original = _maps._map_task

    def _map_task(design, spec):
        if os.environ.get("OMXVAL_TEST_KILL") and \\
                design["G0"] == float(os.environ["OMXVAL_TEST_KILL"]):
            os.kill(os.getpid(), 9)
        time.sleep(float(os.environ.get("OMXVAL_TEST_SLOW") or 0))
        return _original(design, spec)

    _map_task.__module__, _map_task.__qualname__ = "omxval.compare.studies.maps", "_map_task"
    _maps._map_task = _map_task
'''


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def table(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "map.csv").drop(columns="seconds")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted serial map."""
    tmp = tmp_path_factory.mktemp("reference")
    cfg = write(tmp / "map.toml", CONFIG)
    assert main(["map", "--config", str(cfg), "--out", str(tmp / "ref"), "--quiet"]) == 0
    return cfg, table(tmp / "ref")


def cli(args, tmp_path, **env):
    """``omxval`` in a subprocess with the test hooks on its path; returns the Popen."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    write(hooks / "sitecustomize.py", SITECUSTOMIZE)
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(hooks), *filter(None, [os.environ.get("PYTHONPATH")])]), **env}
    return subprocess.Popen([sys.executable, "-m", "omxval", *args], cwd=tmp_path,
                            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def processes_marked(mark: str) -> list[int]:
    """Live processes (not zombies) whose environment holds ``OMXVAL_TEST_MARK=mark``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if f"OMXVAL_TEST_MARK={mark}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, timeout: float, step: float = 0.1) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(step)
    return condition()


def journal_lines(out: Path) -> int:
    try:
        return sum(1 for line in journal_path(out).read_bytes().split(b"\n") if line.strip())
    except OSError:
        return 0


@pytest.mark.slow  # subprocesses killed mid-map: about 15 s
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("engine", ["parallel", "loky"])
def test_parent_sigkill_mid_map_leaves_no_worker_and_resumes_at_once(engine, reference,
                                                                    tmp_path):
    if engine == "loky":
        pytest.importorskip("loky")
    cfg, expected = reference
    out, mark = tmp_path / "M", uuid.uuid4().hex
    proc = cli(["map", "--config", str(cfg), "--out", str(out), "--map", engine,
                "--num-cpus", "2", "--quiet"], tmp_path, OMXVAL_TEST_SLOW="2",
               OMXVAL_TEST_MARK=mark)
    try:
        assert wait_for(lambda: journal_lines(out) >= 1, 120), proc.communicate()
        assert journal_lines(out) < 4  # killed mid-map
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        finished = journal_lines(out)
        # The workers end with their parent (within the watchdog's second).
        assert wait_for(lambda: not processes_marked(mark), 10), processes_marked(mark)
    finally:
        for pid in processes_marked(mark):
            os.kill(pid, signal.SIGKILL)
    # An immediate rerun is not blocked by any lock, and computes only what is missing.
    again = cli(["map", "--config", str(cfg), "--out", str(out), "--map", engine,
                 "--num-cpus", "2"], tmp_path)
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert stderr.count(": valid") == 4 - finished  # only the points lost with the kill
    pd.testing.assert_frame_equal(table(out), expected)
    assert not journal_path(out).exists()


@pytest.mark.slow  # subprocesses killed mid-map: about 15 s
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_a_killed_worker_costs_only_its_point_and_the_rerun_computes_it(reference, tmp_path):
    cfg, expected = reference
    out = tmp_path / "M"
    proc = cli(["map", "--config", str(cfg), "--out", str(out), "--map", "parallel",
                "--num-cpus", "2", "--fail-on", "none"], tmp_path, OMXVAL_TEST_KILL="0.01")
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    t = pd.read_csv(out / "map.csv")
    lost = t["G0"] == 0.01
    assert (t.loc[lost, "status"] == "failed").all() and lost.sum() == 2
    assert t.loc[lost, "message"].str.contains("killed by SIGKILL").all()
    assert (t.loc[~lost, "status"] == "valid").all()  # the map went on
    # The cause is gone: the rerun computes the two failed points again, and only them.
    again = cli(["map", "--config", str(cfg), "--out", str(out), "--map", "parallel",
                 "--num-cpus", "2"], tmp_path)
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert "2 point(s) that failed in an earlier run are computed again" in stderr
    assert stderr.count("G0 = 0.01, coupling") == 2 and "G0 = 0.005," not in stderr
    pd.testing.assert_frame_equal(table(out), expected)


def test_a_failed_point_is_computed_again_once_its_cause_is_gone(reference, tmp_path,
                                                                    monkeypatch, capsys):
    cfg, expected = reference
    out = tmp_path / "M"
    original = validity.adaptive_cutoffs

    def broken(point, *args, **kw):
        if point.system.G0 == 0.01:
            raise RuntimeError("injected failure")
        return original(point, *args, **kw)

    monkeypatch.setattr(validity, "adaptive_cutoffs", broken)
    assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == 1
    # The headline says what the table shows: failed points, not "unconverged".
    index = (out / "index.md").read_text()
    assert "**Verdict: failed.**" in index and "0 unconverged, 0 unstable, 2 failed" in index
    t = pd.read_csv(out / "map.csv")
    assert (t.loc[t["G0"] == 0.01, "message"] == "RuntimeError: injected failure").all()
    monkeypatch.setattr(validity, "adaptive_cutoffs", original)
    capsys.readouterr()
    assert main(["map", "--config", str(cfg), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 point(s) that failed in an earlier run are computed again" in err
    pd.testing.assert_frame_equal(table(out), expected)


def test_a_symlinked_journal_is_refused_and_its_target_untouched(reference, tmp_path, capsys):
    cfg, _ = reference
    notes = write(tmp_path / "notes.txt", "my notes\n")
    out = tmp_path / "M"
    journal_path(out).symlink_to(notes)
    assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == EXIT_BAD_INPUT
    assert "symbolic link" in capsys.readouterr().err
    assert notes.read_bytes() == b"my notes\n" and not out.exists()
    assert journal_path(out).is_symlink()  # not ours to remove


@pytest.mark.parametrize("values", ["[0.01, nan]", "[0.01, inf]", "[1e300]", "[-0.01]", "0.01"])
def test_bad_axis_values_are_refused_before_the_first_point(values, tmp_path, capsys,
                                                            monkeypatch):
    cfg = write(tmp_path / "m.toml", CONFIG.replace("x_values = [0.005, 0.01]",
                                                    f"x_values = {values}"))
    monkeypatch.setattr(maps, "validity_point", lambda *a, **k: pytest.fail("computed"))
    out = tmp_path / "M"
    assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == EXIT_BAD_INPUT
    assert "map.x_values" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.toml"]


@pytest.mark.parametrize("section, key", [("validity", "relative_error"),
                                          ("solver", "V_tolerance"), ("map", "absolute_floor")])
def test_non_finite_settings_are_refused_at_load_naming_section_and_key(section, key,
                                                                        tmp_path, capsys):
    cfg = write(tmp_path / "c.toml", f"[{section}]\n{key} = inf\n")
    for command in (["config"], ["report", "--out", str(tmp_path / "R")]):
        assert main([*command, "--config", str(cfg)]) == EXIT_BAD_INPUT
        assert f"{section}.{key} must be finite" in capsys.readouterr().err
    assert not (tmp_path / "R").exists()


def test_a_config_that_is_not_utf8_names_the_file(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b"[map]\nmodel = \"nonlinear\xff\"\n")
    assert main(["config", "--config", str(cfg)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert str(cfg) in err and "not UTF-8" in err and "byte 24" in err


def test_unreadable_journal_lines_are_skipped_and_counted(reference, tmp_path, capsys):
    cfg, expected = reference
    out = tmp_path / "M"
    ref_points = (Path(str(cfg)).parent / "ref" / "points.jsonl").read_bytes().splitlines()
    # Two good rows, a line that is not UTF-8, one that is not JSON, one that is no record.
    journal_path(out).write_bytes(ref_points[0] + b"\n\xff\xfe\x00garbage\n{not json\n[1, 2]\n"
                                  + ref_points[1] + b"\n")
    assert main(["map", "--config", str(cfg), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "3 unreadable line(s) in the journal" in err
    assert err.count(": valid") == 2  # the two good rows were reused
    pd.testing.assert_frame_equal(table(out), expected)


def test_another_maps_out_is_refused_and_a_larger_grid_keeps_every_point(reference, tmp_path,
                                                                        capsys):
    cfg, expected = reference
    out = tmp_path / "M"
    assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    other = write(tmp_path / "other.toml", CONFIG.replace("[0.005, 0.01]", "[0.02]"))
    assert main(["map", "--config", str(other), "--out", str(out), "--quiet"]) == EXIT_BAD_INPUT
    assert "holds another map" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # A grid that holds every old point may replace it: only the new points are computed.
    larger = write(tmp_path / "larger.toml", CONFIG.replace("[0.005, 0.01]",
                                                            "[0.005, 0.0075, 0.01]"))
    assert main(["map", "--config", str(larger), "--out", str(out)]) == 0
    assert capsys.readouterr().err.count("G0 = 0.0075, coupling") == 2
    t = table(out)
    pd.testing.assert_frame_equal(t[t["G0"] != 0.0075].reset_index(drop=True), expected)


def test_an_injected_bug_gives_the_internal_error_code_and_a_traceback_file(
        reference, tmp_path, monkeypatch, capsys):
    cfg, _ = reference
    from omxval.compare.app import map_report

    def bug(*args, **kw):
        return 1 / 0

    monkeypatch.setattr(map_report, "_write", bug)
    assert main(["map", "--config", str(cfg), "--out", str(tmp_path / "M"),
                 "--quiet"]) == EXIT_INTERNAL
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "internal error (a bug in omxval" in err
    path = Path(err.split("the traceback is in ")[1].split(". Please")[0])
    try:
        text = path.read_text()
        assert "ZeroDivisionError" in text and "Traceback" in text and "_write" in text
    finally:
        path.unlink()
    assert not (tmp_path / "M").exists()


@pytest.mark.parametrize("exc", [np.linalg.LinAlgError("singular matrix"),
                                 TypeError("unsupported operand"),
                                 OSError(errno.ENOENT, "No such file or directory",
                                         "/usr/lib/libblas.so")])
def test_errors_that_are_not_bad_input_are_not_called_bad_input(exc, reference, tmp_path,
                                                                 monkeypatch, capsys):
    cfg, _ = reference

    def raising(*args, **kw):
        raise exc

    from omxval.compare.app import runs

    monkeypatch.setattr(runs, "map_rows", raising)
    code = main(["map", "--config", str(cfg), "--out", str(tmp_path / "M"), "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_INTERNAL and "could not write" not in err
    Path(err.split("the traceback is in ")[1].split(". Please")[0]).unlink()


def test_a_full_disk_stops_the_parallel_map_with_one_line(reference, tmp_path, monkeypatch,
                                                          capsys):
    cfg, _ = reference

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "M"
    code = main(["map", "--config", str(cfg), "--out", str(out), "--map", "parallel",
                 "--num-cpus", "2", "--quiet"])
    err = capsys.readouterr().err
    assert code == EXIT_FAILED and len(err.strip().splitlines()) == 1
    assert "No space left on device" in err and "Traceback" not in err
    assert not out.exists()


def test_smaller_refusals_come_before_any_work(reference, tmp_path, capsys):
    cfg, _ = reference
    out = tmp_path / "M"
    assert main(["map", "--config", str(cfg), "--out", str(out), "--fail-on", ""]) == 2
    assert "--fail-on needs verdicts" in capsys.readouterr().err
    # A leftover backup that is a symbolic link is refused on entry, not restored.
    (tmp_path / ".M.omxval-old-1234abcd").symlink_to(tmp_path)
    assert main(["map", "--config", str(cfg), "--out", str(out), "--quiet"]) == 2
    assert "symbolic link" in capsys.readouterr().err and not out.exists()
    (tmp_path / ".M.omxval-old-1234abcd").unlink()
    # A grid beyond the documented size needs --allow-large-grid.
    big = write(tmp_path / "big.toml", CONFIG.replace(
        "x_values = [0.005, 0.01]", f"x_values = {np.linspace(0.005, 0.01, 101).tolist()}")
        .replace("y_values = [0.15, 0.25]", f"y_values = {np.linspace(0.1, 0.2, 100).tolist()}"))
    assert main(["map", "--config", str(big), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"more than the {maps.MAX_POINTS}" in err and "--allow-large-grid" in err
    assert str(maps.MAX_POINTS) in subprocess.run(
        [sys.executable, "-m", "omxval", "map", "--help"], capture_output=True,
        text=True).stdout.replace(",", "")
    assert not out.exists() and not journal_path(out).exists()


def test_a_deleted_working_directory_is_named(reference, tmp_path):
    cfg, _ = reference
    gone = tmp_path / "gone"
    gone.mkdir()
    proc = subprocess.run(
        ["sh", "-c", f'cd "{gone}" && rmdir "{gone}" && exec "{sys.executable}" -m '
                     f'omxval map --config "{cfg}" --quiet'],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_BAD_INPUT
    assert "current directory no longer exists" in proc.stderr


def test_an_interrupted_map_says_what_it_kept(reference, tmp_path):
    cfg, _ = reference
    out = tmp_path / "M"
    proc = cli(["map", "--config", str(cfg), "--out", str(out), "--map", "serial"], tmp_path,
               OMXVAL_TEST_SLOW="1")
    assert wait_for(lambda: journal_lines(out) >= 1, 120)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert f"finished points are kept in {journal_path(out)}" in stderr
    assert "nothing was written" not in stderr and not out.exists()
    rows = [json.loads(line) for line in journal_path(out).read_text().splitlines()]
    assert rows and all(r["row"]["status"] == "valid" for r in rows)
