"""Maps under MPI (compare.maps engine "mpi") give the serial rows, with 2 worker ranks.

Each launch runs in a subprocess under the ``mpiexec`` of the ``mpi`` extra (MPICH's wheel
installs it beside the interpreter), so MPI is never initialised inside pytest; a hung MPI
job fails the test by its timeout instead of hanging the suite.
"""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from omxval.compare.studies.maps import MapSpec
from omxval.compare.app.runs import read_cache, run_map

pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'omxval[mpi]')")

# Four points at small G0: each adaptive ladder solves in well under a second.
SPEC = dict(x="G0", x_values=[0.005, 0.0125], y="coupling", y_values=[0.15, 0.25])
SCRIPT = """\
import sys
from omxval.compare.studies.maps import MapSpec
from omxval.compare.app.runs import run_map

if __name__ == "__main__":  # every MPI worker imports this file; only rank 0 maps
    num_cpus = int(sys.argv[2]) if len(sys.argv) > 2 else None
    run_map(MapSpec(**{spec!r}), sys.argv[1], engine="mpi", num_cpus=num_cpus)
"""


def mpiexec() -> str:
    here = Path(sys.executable).parent / "mpiexec"
    found = str(here) if here.exists() else shutil.which("mpiexec")
    assert found, "mpi4py is installed but no mpiexec was found (pip install 'omxval[mpi]')"
    return found


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    spec = MapSpec(**SPEC)
    cache = tmp_path_factory.mktemp("serial") / "map.jsonl"
    run_map(spec, cache)
    return read_cache(cache)


# futures: rank 0 runs the script, ranks 1 and 2 are the pool (num_cpus defaults to 2).
# spawn: one rank, whose MPIPoolExecutor spawns num_cpus = 2 worker ranks.
LAUNCHES = {"futures": (["-n", "3", sys.executable, "-m", "mpi4py.futures"], []),
            "spawn": (["-n", "1", sys.executable], ["2"])}


@pytest.mark.parametrize("launch", sorted(LAUNCHES))
def test_mpi_map_rows_equal_serial_rows(launch, serial, tmp_path):
    script = tmp_path / "map_mpi.py"
    script.write_text(SCRIPT.format(spec=SPEC))
    cache = tmp_path / "mpi.jsonl"
    before, after = LAUNCHES[launch]
    proc = subprocess.run([mpiexec(), *before, str(script), str(cache), *after],
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = read_cache(cache)
    assert rows.keys() == serial.keys() and len(rows) == 4
    for key, row in serial.items():  # every column but the timing, exactly
        assert {**rows[key], "seconds": 0} == {**row, "seconds": 0}
    assert {r["status"] for r in rows.values()} == {"valid"}


def test_mpi_errors_name_the_remedy(tmp_path):
    spec = MapSpec(**SPEC)
    with pytest.raises(ValueError, match="num_cpus"):
        run_map(spec, tmp_path / "c.jsonl", engine="mpi", num_cpus=0)
    # One process, no mpi4py.futures pool: the number of workers to spawn must be given.
    script = tmp_path / "no_workers.py"
    script.write_text(textwrap.dedent(f"""\
        from omxval.compare.studies.maps import MapSpec
        from omxval.compare.app.runs import run_map
        from omxval.errors import InputError
        try:
            run_map(MapSpec(**{SPEC!r}), "c.jsonl", engine="mpi")
        except InputError as exc:
            print(exc)
        """))
    proc = subprocess.run([mpiexec(), "-n", "1", sys.executable, str(script)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "give num_cpus" in proc.stdout
    assert not (tmp_path / "c.jsonl").exists()


MAP_TOML = """
[map]
x = "G0"
x_values = [0.005, 0.0125]
y = "coupling"
y_values = [0.15, 0.25]
"""


def omxval_under_mpiexec(n: int, args: list[str], cwd: Path, futures: bool = False
                         ) -> subprocess.CompletedProcess:
    python = [sys.executable, *(["-m", "mpi4py.futures"] if futures else [])]
    return subprocess.run([mpiexec(), "-n", str(n), *python, "-m", "omxval", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.slow  # three MPI ranks, twice: about 10 s
# plain: the form users type first; futures: ranks 1..N-1 serve mpi4py's shared pool.
@pytest.mark.parametrize("futures", [False, True], ids=["plain", "futures"])
def test_mpiexec_omxval_map_runs_rank_0_with_the_others_as_workers(futures, serial, tmp_path):
    (tmp_path / "m.toml").write_text(MAP_TOML)
    proc = omxval_under_mpiexec(3, ["map", "--map", "mpi", "--config", "m.toml", "--out", "M"],
                                tmp_path, futures)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("index.md") == 1  # rank 0 alone reports
    # The same points as the serial map (the CLI's [solver] settings key them differently).
    rows = {(r["G0"], r["coupling"]): r for r in read_cache(tmp_path / "M" / "points.jsonl")
            .values()}
    expected = {(r["G0"], r["coupling"]): r for r in serial.values()}
    assert rows.keys() == expected.keys() and len(rows) == 4
    for xy, row in expected.items():
        assert {**rows[xy], "seconds": 0} == {**row, "seconds": 0}


@pytest.mark.parametrize("args, says", [
    (["map", "--config", "m.toml", "--out", "M"], "only the points of a command run with "
                                                  "--map mpi"),
    (["map", "--map", "mpi", "--config", "missing.toml", "--out", "M"],
     "cannot read configuration missing.toml")])
def test_mpiexec_refusals_end_every_rank_at_once(args, says, tmp_path):
    (tmp_path / "m.toml").write_text(MAP_TOML)
    proc = omxval_under_mpiexec(2, args, tmp_path)
    assert proc.returncode == 2, proc.stderr[-3000:]
    # One line from rank 0, no MPI_Abort noise, nothing written.
    assert proc.stderr.strip().splitlines() == [f"omxval map: error: {proc.stderr.split('error: ')[1].strip()}"]
    assert says in proc.stderr and "Abort" not in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.toml"]
