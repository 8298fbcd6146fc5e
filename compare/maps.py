"""Validity maps: :func:`~omxval.compare.validity.validity_point` over a 2-D design grid.

* **Engines:** QuTiP's own map functions — ``serial_map``, ``parallel_map`` (processes),
  ``loky_pmap`` and ``mpi_pmap`` — chosen by the same names as QuTiP's
  ``options={"map": ...}``. Every worker computes with one BLAS thread: parallelism belongs
  to points, and threaded BLAS on top of it oversubscribes the cores.
* **MPI** (``pip install "omxval[mpi]"``: mpi4py and MPICH's wheel, whose ``mpiexec`` lands
  in the environment's ``bin``): ``mpi_pmap`` runs the points on an
  ``mpi4py.futures.MPIPoolExecutor``. Two launches work with the MPICH wheel (the calling
  script must guard its work with ``if __name__ == "__main__":``, since every worker imports
  it):

  - ``mpiexec -n N python -m mpi4py.futures script.py``: rank 0 runs the script, ranks
    1 … N−1 are the workers (``num_cpus`` defaults to N − 1);
  - ``mpiexec -n 1 python script.py`` (or plain ``python script.py`` with that ``mpiexec``
    on ``PATH``): the pool spawns ``num_cpus`` workers, which must then be given.

  ``qutip.mpi_pmap`` keeps at most ``num_cpus`` points in flight, so ``num_cpus`` must be
  the number of workers.
* **Resumable:** each finished point is appended at once, as one JSON line keyed by a hash
  of the point, model, criteria, solver settings and omxval version, to the cache file
  (flushed and fsync-ed by the parent as results arrive). A rerun with the same cache skips
  finished points; a run killed at any moment loses only the points in flight; a truncated
  last line (the kill arrived mid-write) is ignored.
* **Clusters:** ``shard=(i, n)`` computes every n-th point from the i-th, so a job array of n
  tasks covers the map; :func:`read_cache` on the shards' files (or one shared file) joins
  them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..linear import DESIGN_KEYS
from ..linear.parameters import check_choice
from .config import ENGINES, DesignConfig
from .metadata import package_version
from .progress import Counter
from .validity import ValidityCriteria, validity_point

DEFAULT_DESIGN = {k: v for k, v in dataclasses.asdict(DesignConfig()).items()
                  if k in DESIGN_KEYS}  # the reference point, docs/conventions.md §5


@dataclass(frozen=True)
class MapSpec:
    """A 2-D validity map over two design keys.

    Attributes
    ----------
    x, y : str
        Design keys (:data:`omxval.linear.DESIGN_KEYS`) along the axes.
    x_values, y_values : sequence of float
        Grid values (linear or log grids: any list).
    design : dict
        Values of the other design keys (default: the reference point of §5).
    direction, bath, model
        As for :func:`~omxval.compare.validity.validity_point`.
    criteria : ValidityCriteria
    method : str
        Steady-state method of every solve.
    memory_budget_bytes : int
        Budget of every solve; a point that needs more is ``unconverged``.
    max_dimension : int, optional
        Cost limit: largest d = N_ccw·N_cw·N_m a point's cutoff search may try; a point
        that needs more is ``unconverged``.
    """

    x: str
    x_values: tuple[float, ...]
    y: str
    y_values: tuple[float, ...]
    design: dict = field(default_factory=lambda: dict(DEFAULT_DESIGN))
    direction: str = "ccw"
    bath: str = "brownian"
    model: str = "nonlinear"
    criteria: ValidityCriteria = field(default_factory=ValidityCriteria)
    method: str = "structured"
    memory_budget_bytes: int = 4 * 1024**3
    max_dimension: int | None = None

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            if getattr(self, name) not in DESIGN_KEYS:
                raise InputError(f"map.{name} must be a design key, one of "
                                 f"{list(DESIGN_KEYS)}; got {getattr(self, name)!r}")
        if self.x == self.y:
            raise InputError(f"map.x and map.y must differ; both are {self.x!r}")
        for name in ("x_values", "y_values"):
            values = tuple(float(v) for v in getattr(self, name))
            if not values:
                raise InputError(f"map.{name} must list at least one value")
            object.__setattr__(self, name, values)
        unknown = set(self.design) - set(DESIGN_KEYS)
        if unknown:
            raise InputError(f"unknown design key(s) {sorted(unknown)}; valid: "
                             f"{list(DESIGN_KEYS)}")
        object.__setattr__(self, "design", {**DEFAULT_DESIGN, **self.design})

    def to_dict(self) -> dict:
        """Plain dict (JSON/TOML-friendly); :meth:`from_dict` restores an equal spec."""
        out = dataclasses.asdict(self)
        out["x_values"], out["y_values"] = list(self.x_values), list(self.y_values)
        return out

    @classmethod
    def from_dict(cls, values: dict) -> "MapSpec":
        """The spec :meth:`to_dict` wrote."""
        values = dict(values)
        values["criteria"] = ValidityCriteria(**values.get("criteria", {}))
        return cls(**values)

    def points(self) -> list[dict]:
        """Every grid point as a design dict, x fastest, in a fixed order."""
        return [{**self.design, self.x: xv, self.y: yv}
                for yv in self.y_values for xv in self.x_values]

    def key(self, design: dict) -> str:
        """Cache key: everything that determines the row, and omxval's version."""
        payload = {"design": design, "direction": self.direction, "bath": self.bath,
                   "model": self.model, "criteria": dataclasses.asdict(self.criteria),
                   "method": self.method, "memory_budget_bytes": self.memory_budget_bytes,
                   "max_dimension": self.max_dimension,
                   "omxval": package_version("omxval")}
        text = json.dumps(payload, sort_keys=True, default=float)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _one_thread(value, task: Callable, *args):
    """Run ``task(value, *args)`` with one BLAS thread: parallelism belongs to points."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return task(value, *args)


def check_engine(engine: str) -> None:
    """Check that ``engine`` is one of :data:`ENGINES` and that its package is installed.

    Raises
    ------
    InputError
        An unknown engine, ``"loky"`` without loky or ``"mpi"`` without mpi4py, naming the
        remedy (called before any file is opened, so a refused run leaves nothing behind).
    """
    check_choice("engine", engine, ENGINES)
    needs = {"loky": ("loky", "pip install loky (or use engine 'parallel', which needs "
                              "nothing more)"),
             "mpi": ("mpi4py", "pip install 'omxval[mpi]'")}
    if engine in needs:
        module, remedy = needs[engine]
        try:
            __import__(module)
        except ImportError as exc:
            raise InputError(f"engine={engine!r} needs the {module} package: {remedy}") from exc


def map_points(task: Callable, values: Sequence, *, task_args: tuple = (),
               engine: str = "serial", num_cpus: int | None = None,
               reduce_func: Callable | None = None) -> list:
    """``[task(v, *task_args) for v in values]`` through QuTiP's map ``engine``.

    Parameters
    ----------
    task : callable
        A module-level function (it is pickled to the workers).
    values : sequence
    task_args : tuple
    engine : {"serial", "parallel", "loky", "mpi"}
        QuTiP's ``serial_map``, ``parallel_map``, ``loky_pmap`` or ``mpi_pmap``; every
        worker computes with one BLAS thread.
    num_cpus : int, optional
        Workers (default: QuTiP's choice, every core).
    reduce_func : callable, optional
        Called in this process with each result as it arrives (then nothing is returned,
        as in QuTiP).

    Returns
    -------
    list
        The results in the order of ``values`` (empty with ``reduce_func``).
    """
    import qutip

    check_engine(engine)
    if engine == "mpi":
        num_cpus = _mpi_workers(num_cpus)
    mapper = {"serial": qutip.serial_map, "parallel": qutip.parallel_map,
              "loky": qutip.loky_pmap, "mpi": qutip.mpi_pmap}[engine]
    map_kw = {"num_cpus": num_cpus} if num_cpus else {}
    out = mapper(_one_thread, list(values), task_args=(task, *task_args),
                 reduce_func=reduce_func, map_kw=map_kw)
    return [] if reduce_func is not None else list(out)


def _map_task(design: dict, spec: MapSpec) -> tuple[str, dict]:
    """One map point in a worker: the row keyed for the cache."""
    row = validity_point(design, spec.direction, spec.bath, model=spec.model,
                         criteria=spec.criteria, method=spec.method,
                         memory_budget_bytes=spec.memory_budget_bytes,
                         max_dimension=spec.max_dimension)
    return spec.key(design), {spec.x: design[spec.x], spec.y: design[spec.y], **row}


def read_cache(paths: Path | Sequence[Path]) -> dict[str, dict]:
    """Rows of one or more cache files by key; lines that do not parse (a truncated last
    line of a killed run) are skipped."""
    out: dict[str, dict] = {}
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        path = Path(path)
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            try:
                rec = json.loads(line)
                out[rec["key"]] = rec["row"]
            except (ValueError, KeyError, TypeError):
                continue
    return out


def run_map(spec: MapSpec, cache: str | Path, *, engine: str = "serial",
            num_cpus: int | None = None, shard: tuple[int, int] = (0, 1),
            progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Compute the map's missing points into ``cache`` and return the whole table.

    Parameters
    ----------
    spec : MapSpec
    cache : path
        JSON-lines cache (created; rows already there are reused, not recomputed).
    engine : {"serial", "parallel", "loky", "mpi"}
        QuTiP's map function (``serial_map``, ``parallel_map``, ``loky_pmap``, ``mpi_pmap``).
    num_cpus : int, optional
        Workers (QuTiP's ``map_kw={"num_cpus": ...}``); default: QuTiP's choice, and for
        ``"mpi"`` the worker ranks of ``mpiexec -n N python -m mpi4py.futures`` (N − 1).
        Required for ``"mpi"`` when the workers are spawned (no ``-m mpi4py.futures``).
    shard : (int, int)
        (i, n): compute only points i, i + n, i + 2n, … (cluster job arrays).
    progress : callable, optional
        One line per finished point, with the count, failures and an ETA.

    Returns
    -------
    DataFrame
        One row per point of this shard that is in the cache, in grid order.

    Raises
    ------
    InputError
        An unknown engine or one whose package is missing (:func:`check_engine`), a bad
        ``shard`` or ``num_cpus``; ``"mpi"`` on a
        rank other than 0, or spawning workers without ``num_cpus``.
    """
    check_engine(engine)
    i, n = shard
    if not (isinstance(i, int) and isinstance(n, int) and n >= 1 and 0 <= i < n):
        raise InputError(f"shard must be (i, n) with 0 <= i < n; got {shard!r}")
    if num_cpus is not None and not (isinstance(num_cpus, int)
                                     and not isinstance(num_cpus, bool) and num_cpus >= 1):
        raise InputError(f"num_cpus must be None or an integer >= 1; got {num_cpus!r}")
    cache = Path(cache)
    cache.parent.mkdir(parents=True, exist_ok=True)
    mine = spec.points()[i::n]
    done = read_cache(cache)
    todo = [d for d in mine if spec.key(d) not in done]
    # A fixed shuffle: the cost of a point grows along the axes (larger G0 and |G| need larger
    # Fock spaces), so in grid order the ETA (mean time per finished point) would start far
    # too short; in random order it is unbiased.
    random.Random(0).shuffle(todo)
    # Checked before the cache is opened: a refused MPI launch leaves no file behind.
    workers = _mpi_workers(num_cpus) if engine == "mpi" and todo else num_cpus
    count = Counter(len(todo), progress)
    failures = 0
    with open(cache, "a") as fh:
        if fh.tell() > 0:  # a killed run may have left a partial last line
            fh.write("\n")

        def record(result):
            nonlocal failures
            key, row = result
            fh.write(json.dumps({"key": key, "row": row}, default=_jsonable) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            done[key] = row
            failures += row["status"] == "failed"
            count.step(f"{spec.x} = {row[spec.x]:g}, {spec.y} = {row[spec.y]:g}: "
                       f"{row['status']}" + (f" ({failures} failed)" if failures else ""))

        if todo:
            map_points(_map_task, todo, task_args=(spec,), engine=engine, num_cpus=workers,
                       reduce_func=record)
    rows = [done[spec.key(d)] for d in mine if spec.key(d) in done]
    return pd.DataFrame(rows)


def _mpi_workers(num_cpus: int | None) -> int:
    """Worker count for ``qutip.mpi_pmap``, checked against how MPI was launched.

    Under ``mpiexec -n N python -m mpi4py.futures`` the pool is the N − 1 ranks besides
    rank 0 (``max_workers`` is ignored), so that is the default. Started any other way the
    pool spawns its workers, and QuTiP's own default (the local core count) would be a
    silent guess on a cluster, so ``num_cpus`` is required.
    """
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise InputError("engine='mpi' needs mpi4py and an MPI library: "
                         "pip install 'omxval[mpi]'") from exc
    world = MPI.COMM_WORLD
    if world.Get_rank() != 0:
        raise InputError(f"engine='mpi' runs the map from rank 0 only (this is rank "
                         f"{world.Get_rank()}): launch 'mpiexec -n N python -m mpi4py.futures "
                         f"script.py' and guard the script with if __name__ == '__main__':")
    if num_cpus is not None:
        return num_cpus
    if world.Get_size() > 1:
        return world.Get_size() - 1
    raise InputError("engine='mpi' outside 'mpiexec -n N python -m mpi4py.futures' spawns its "
                     "workers: give num_cpus (omxval map --num-cpus), the number of MPI workers "
                     "to spawn")


def _jsonable(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"not JSON serialisable: {value!r}")


__all__ = ["MapSpec", "run_map", "map_points", "check_engine", "read_cache", "ENGINES", "DEFAULT_DESIGN"]
