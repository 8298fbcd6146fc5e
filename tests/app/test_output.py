"""Output directories never destroy a user's files (compare.output, the CLI's exit codes)."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from omxval.compare.app import output
from omxval.compare.app import paper_report
from omxval.compare.app.cli import main
from omxval.compare.app.output import OutputDirectory, OutputLocationError


def snapshot(root: Path) -> dict[str, str]:
    """Every path below ``root`` (itself included) → a hash of its bytes, or its kind."""
    out = {}
    for p in sorted([root, *root.rglob("*")]):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


@pytest.fixture
def no_computation(monkeypatch):
    """Make the paper's first computation fail loudly: refusals must come before it."""
    def computed(*a, **k):
        raise AssertionError("the computation started before the output was checked")

    monkeypatch.setattr(paper_report.paper, "figure2_data", computed)


def run_paper(out, *extra) -> int:
    return main(["paper", "--quiet", "--chi-points", "3", "--out", str(out), *extra])


def write_small(target, text="new", kind="test") -> None:
    with OutputDirectory(target, kind=kind) as out:
        (out.path / "index.md").write_text(text)
        (out.path / "sub").mkdir()
        (out.path / "sub" / "data.csv").write_text(text * 3)


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".omxval-" in p.name)


# --- refusals --------------------------------------------------------------------------------

def test_foreign_directory_is_refused_byte_identical(tmp_path, no_computation, capsys):
    target = tmp_path / "mydata"
    (target / "sub").mkdir(parents=True)
    (target / "run42.dat").write_bytes(b"\x00\x01data")
    (target / "sub" / "x.txt").write_text("keep me")
    before = snapshot(tmp_path)
    assert run_paper(target) == 2
    assert snapshot(tmp_path) == before
    err = capsys.readouterr().err
    assert str(target) in err and "did not write" in err and "--out" in err
    assert "Traceback" not in err


def test_working_directory_and_git_folder_are_refused(tmp_path, monkeypatch, no_computation,
                                                      capsys):
    project = tmp_path / "p"
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "a.py").write_text("x\n")
    before = snapshot(tmp_path)
    monkeypatch.chdir(project)
    for out in (".", "", str(project), ".."):
        assert run_paper(out) == 2, out
    monkeypatch.chdir(tmp_path)
    assert run_paper("p") == 2  # not the working directory now, but it holds .git
    assert snapshot(tmp_path) == before
    err = capsys.readouterr().err
    assert "current working directory" in err and ".git" in err and "must not be empty" in err


def test_home_file_and_symlink_are_refused(tmp_path, monkeypatch, no_computation, capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    (tmp_path / "link").symlink_to(home)
    before = snapshot(tmp_path)
    assert run_paper("~") == 2
    assert run_paper(notes) == 2
    assert run_paper(tmp_path / "link") == 2
    assert snapshot(tmp_path) == before
    err = capsys.readouterr().err
    assert "home directory" in err and "existing file" in err and "symbolic link" in err


def test_omxval_report_with_a_foreign_file_is_refused(tmp_path):
    target = tmp_path / "r"
    write_small(target)
    (target / "my_notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    with pytest.raises(OutputLocationError, match="my_notes.txt"):
        write_small(target, "newer")
    assert snapshot(tmp_path) == before


def test_own_report_and_empty_directory_are_replaced(tmp_path):
    target = tmp_path / "r"
    target.mkdir()
    write_small(target, "one")
    marker = json.loads((target / "metadata.json").read_text())["omxval_output"]
    assert marker["kind"] == "test" and marker["files"] == ["index.md", "sub", "sub/data.csv"]
    write_small(target, "two")
    assert (target / "index.md").read_text() == "two"
    assert (target / "sub" / "data.csv").read_text() == "twotwotwo"
    assert leftovers(tmp_path) == []


# --- fail fast ---------------------------------------------------------------------------------

def test_too_little_space_is_refused_before_computation(tmp_path, monkeypatch, no_computation,
                                                        capsys):
    usage = os.statvfs(tmp_path)
    monkeypatch.setattr(output.shutil, "disk_usage",
                        lambda p: type("U", (), {"free": 1_000_000})())
    assert run_paper(tmp_path / "out") == 2
    assert "not enough free space" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [] and usage  # nothing created, not even the staging


def test_unwritable_location_is_refused_before_computation(tmp_path, monkeypatch,
                                                           no_computation, capsys):
    # Root ignores permission bits, so the read-only file system is simulated at mkdir.
    def read_only(path, mode=0o777):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(output.os, "mkdir", read_only)
    assert run_paper(tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "Read-only file system" in err and "Traceback" not in err


def test_disk_full_while_writing_keeps_previous_report(tmp_path, monkeypatch, capsys):
    target = tmp_path / "paper"
    assert run_paper(target) == 0
    before = snapshot(target)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target / "fig3_f.png"))

    monkeypatch.setattr(paper_report, "plot_chi_map", full)
    assert run_paper(target) == 3
    err = capsys.readouterr().err
    assert "No space left on device" in err and "untouched" in err
    assert snapshot(target) == before and leftovers(tmp_path) == []


def test_interrupt_exits_130_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(paper_report.paper, "figure2_data", interrupted)
    assert run_paper(tmp_path / "out") == 130
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- crash safety ------------------------------------------------------------------------------

def test_interrupted_swap_is_restored_by_the_next_run(tmp_path):
    """The state a crash between the two renames leaves: no target, a backup, a staging."""
    target = tmp_path / "r"
    write_small(target, "previous")
    backup = tmp_path / ".r.omxval-old-deadbeef"
    os.rename(target, backup)
    staging = tmp_path / ".r.omxval-tmp-cafecafe"
    staging.mkdir()
    (staging / "partial.png").write_bytes(b"\x89PNG")
    assert output.recover(target) == [f"restored {target} from an interrupted swap",
                                      f"removed {staging}"]
    assert (target / "index.md").read_text() == "previous" and leftovers(tmp_path) == []


def _crash_between_renames(target: str) -> None:
    """Child process: swap with the two-rename fallback and die after the first rename."""
    real_rename = os.rename
    calls = []

    def rename(a, b):
        real_rename(a, b)
        calls.append(b)
        if len(calls) == 1:
            os._exit(9)  # as SIGKILL would: no cleanup runs

    output._exchange = lambda a, b: False
    output.os.rename = rename
    write_small(target, "new")


def test_crash_between_renames_is_repaired(tmp_path):
    target = tmp_path / "r"
    write_small(target, "previous")
    child = multiprocessing.get_context("fork").Process(target=_crash_between_renames,
                                                          args=(str(target),))
    child.start()
    child.join(60)
    assert child.exitcode == 9
    assert not target.exists() and len(leftovers(tmp_path)) == 2  # the crash's state
    write_small(target, "next")  # the next run repairs, then writes
    assert (target / "index.md").read_text() == "next" and leftovers(tmp_path) == []


def test_killed_run_leaves_staging_that_the_next_run_removes(tmp_path):
    target = tmp_path / "r"
    code = ("import sys, time; from omxval.compare.app.output import OutputDirectory\n"
            "with OutputDirectory(sys.argv[1], kind='test') as out:\n"
            "    (out.path / 'partial.png').write_bytes(b'x' * 1000)\n"
            "    print('ready', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "ready"
    assert len(leftovers(tmp_path)) == 1
    write_small(target, "concurrent")  # a live writer's staging folder is left alone
    assert len(leftovers(tmp_path)) == 1
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    write_small(target, "after")
    assert leftovers(tmp_path) == [] and (target / "index.md").read_text() == "after"


def test_sigterm_cleans_up_and_exits_130(tmp_path):
    target = tmp_path / "paper"
    proc = subprocess.Popen([sys.executable, "-m", "omxval", "paper", "--chi-points", "31",
                             "--out", str(target)], stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # wait until the computation is under way
        if "Fig. 2 numbers" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def _concurrent_writer(target: str, barrier, index: int) -> None:
    barrier.wait()
    write_small(target, f"writer {index}")


def test_concurrent_writers_each_swap_whole(tmp_path):
    target = tmp_path / "r"
    ctx = multiprocessing.get_context("fork")
    for _ in range(5):
        barrier = ctx.Barrier(4)
        procs = [ctx.Process(target=_concurrent_writer, args=(str(target), barrier, i))
                 for i in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0]
        text = (target / "index.md").read_text()
        assert text.startswith("writer ") and (target / "sub" / "data.csv").read_text() == 3 * text
        assert leftovers(tmp_path) == []


# --- permissions -------------------------------------------------------------------------------

@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o002, 0o775)])
def test_directories_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_small(tmp_path / "a" / "r")
    finally:
        os.umask(old)
    for d in (tmp_path / "a", tmp_path / "a" / "r", tmp_path / "a" / "r" / "sub"):
        assert stat.S_IMODE(d.stat().st_mode) == mode, d
