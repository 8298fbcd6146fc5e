"""Validity maps: :func:`~omxval.compare.studies.validity.validity_point` over a 2-D design grid.

* **Engines:** ``"serial"`` (in this process), ``"parallel"`` (worker processes of
  :func:`omxval.compare.studies.pool.process_map`: started with exec, so they hold none of this
  process's files or locks; they end when it ends; a worker that dies costs only its point,
  which becomes a ``failed`` row), ``"loky"`` (a loky executor whose workers also die with
  this process) and ``"mpi"`` (an ``mpi4py.futures.MPIPoolExecutor``). Every worker computes with one BLAS thread: parallelism belongs to points,
  and threaded BLAS on top of it oversubscribes the cores.
* **MPI** (``pip install "omxval[mpi]"``: mpi4py and MPICH's wheel, whose ``mpiexec`` lands
  in the environment's ``bin``). From the command line, ``mpiexec -n N omxval map --map
  mpi`` runs the map on rank 0 with ranks 1 … N−1 as workers (:func:`mpi_world`). From a
  script (guard its work with ``if __name__ == "__main__":``, since every worker imports
  it):

  - ``mpiexec -n N python -m mpi4py.futures script.py``: rank 0 runs the script, ranks
    1 … N−1 are the workers (``num_cpus`` defaults to N − 1);
  - ``mpiexec -n 1 python script.py`` (or plain ``python script.py`` with that ``mpiexec``
    on ``PATH``): the pool spawns ``num_cpus`` workers, which must then be given.

  At most ``num_cpus`` points are in flight, so ``num_cpus`` must be the number of
  workers.
* **Resumable:** each finished point is appended at once to a journal
  (:mod:`omxval.compare.app.journal`: one JSON line keyed by a hash of the point, model,
  criteria, solver settings and omxval version, written whole and fsync-ed). A rerun with
  the same journal skips finished points and computes again those that failed; a run killed
  at any moment loses only the points in flight.
* **Clusters:** ``shard=(i, n)`` computes every n-th point from the i-th, so a job array of n
  tasks covers the map; :func:`read_cache` on the shards' files (or one shared file) joins
  them.
* **Size:** a map of more than :data:`MAX_POINTS` points runs only when asked for
  (``allow_large=True``, ``omxval map --allow-large-grid``).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import hashlib
import json
import math
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...fullquantum.options import resolve_hamiltonian
from ... import __version__, fullquantum, linear
from ...errors import InputError
from ...linear import DESIGN_KEYS
from ...linear.checks import check_choice
from .convergence import predicted_point_cost
from .pool import process_map
from .progress import Counter
from .reference import REFERENCE_DESIGN
from .status import FAILED
from .tables import TabulatedResult, status_counts
from .validity import ValidityCriteria, search_advice, validity_point
from .verdicts import next_step

#: Points a map may have unless a large grid is asked for (``allow_large``): each point is a
#: full-quantum solve of seconds to minutes, so 10 000 points are hours on a cluster.
MAX_POINTS = 10_000
#: The engines of :func:`map_points` (the names of QuTiP's ``options={"map": ...}``).
ENGINES: tuple[str, ...] = ("serial", "parallel", "loky", "mpi")
DEFAULT_DESIGN = dict(REFERENCE_DESIGN)  # the fixed keys of a map: the reference point of §5
#: Columns of a map's table after the two axes, in order (``map.csv``).
COLUMNS = ("status", "E_N linear", "E_N exact", "E_N gaussian", "abs dE_N", "rel dE_N",
           "max abs dV", "truncation dE_N", "truncation max abs dV", "non-Gaussianity",
           "non-Gaussianity below floor", "photons driven", "phonons", "max top population",
           "n_branches", "multistable", "N_ccw", "N_cw", "N_m", "solves", "series",
           "series ratio", "series dV", "series residual dV", "leading order", "c2",
           "c2 dE_N", "c2 ratio", "seconds", "search limit",
           "refused cutoffs", "message")


def check_axes(spec, valid: Sequence[str], what: str) -> None:
    """Check a map's ``x``, ``y`` (names in ``valid``, different) and ``x_values``,
    ``y_values`` (non-empty lists of finite numbers, stored as tuples of float) on the
    frozen ``spec``, naming the key and the valid range."""
    for name in ("x", "y"):
        if getattr(spec, name) not in valid:
            raise InputError(f"map.{name} must be {what}, one of {list(valid)}; got "
                             f"{getattr(spec, name)!r}")
    if spec.x == spec.y:
        raise InputError(f"map.x and map.y must differ; both are {spec.x!r}")
    for name in ("x_values", "y_values"):
        values = getattr(spec, name)
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise InputError(f"map.{name} must be a list of numbers; got {values!r}")
        values = tuple(values)
        if not values:
            raise InputError(f"map.{name} must list at least one value")
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InputError(f"map.{name}[{i}] must be a finite number; got {v!r}")
        object.__setattr__(spec, name, tuple(float(v) for v in values))


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
    direction, bath, hamiltonian
        As for :func:`~omxval.compare.studies.validity.validity_point` (``model``: former
        name of ``hamiltonian``, accepted with a DeprecationWarning).
    criteria : ValidityCriteria
    method : str
        Steady-state method of every solve.
    memory_budget_bytes : int
        Budget of every solve; a point that needs more is ``unconverged``.
    max_dimension : int, optional
        Cost limit: largest d = N_ccw·N_cw·N_m a point's cutoff search may try; a point
        that needs more is ``unconverged``.
    device : {"cpu", "gpu"}
        Where the structured solver's preconditioner runs (:func:`fullquantum.device_options`,
        checked when the spec is built); not part of the cache key: the states are the same.
    """

    x: str
    x_values: tuple[float, ...]
    y: str
    y_values: tuple[float, ...]
    design: dict = field(default_factory=lambda: dict(DEFAULT_DESIGN))
    direction: str = "ccw"
    bath: str = "brownian"
    hamiltonian: str = "nonlinear"
    criteria: ValidityCriteria = field(default_factory=ValidityCriteria)
    method: str = "structured"
    memory_budget_bytes: int = 4 * 1024**3
    max_dimension: int | None = None
    device: str = "cpu"
    model: dataclasses.InitVar[str | None] = None

    def __post_init__(self, model: str | None = None) -> None:
        object.__setattr__(self, "hamiltonian", resolve_hamiltonian(
            None if model is not None and self.hamiltonian == "nonlinear" else self.hamiltonian,
            model, "nonlinear", "map.hamiltonian", stacklevel=4))
        check_axes(self, DESIGN_KEYS, "a design key")
        if not isinstance(self.design, dict):
            raise InputError(f"map design must be a mapping of design keys; got "
                             f"{self.design!r}")
        unknown = set(self.design) - set(DESIGN_KEYS)
        if unknown:
            raise InputError(f"unknown design key(s) {sorted(unknown)}; valid: "
                             f"{list(DESIGN_KEYS)}")
        object.__setattr__(self, "design", {**DEFAULT_DESIGN, **self.design})
        check_choice("map.direction", self.direction, linear.DIRECTIONS)
        check_choice("map.bath", self.bath, linear.BATHS)
        check_choice("map.method", self.method, fullquantum.METHODS)
        fullquantum.device_options(self.device, self.method, "map.device")
        if not isinstance(self.criteria, ValidityCriteria):
            raise InputError(f"map.criteria must be a ValidityCriteria; got "
                             f"{self.criteria!r}")
        for name, low in (("memory_budget_bytes", 1), ("max_dimension", 8)):
            v = getattr(self, name)
            if v is None and name == "max_dimension":
                continue
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise InputError(f"map.{name} must be an integer >= {low}; got {v!r}")
        # Each axis value through design_point's own checks (with the other axis at its
        # first value): a value out of range is refused here, naming it, before any work.
        for axis, other in (("x", "y"), ("y", "x")):
            key, okey = getattr(self, axis), getattr(self, other)
            for i, v in enumerate(getattr(self, f"{axis}_values")):
                self._check_design({**self.design, okey: getattr(self, f"{other}_values")[0],
                                    key: v}, f"map.{axis}_values[{i}] ({key} = {v!r})")

    def _check_design(self, design: dict, where: str) -> None:
        try:
            linear.design_point(**design, direction=self.direction, bath=self.bath)
        except (InputError, ValueError, TypeError) as exc:
            raise InputError(f"{where}: {exc}") from None

    def check_grid(self, *, allow_large: bool = False) -> None:
        """Refuse a grid larger than :data:`MAX_POINTS` (unless ``allow_large``) and any
        grid point that :func:`linear.design_point` refuses, naming it; before any work.

        Raises
        ------
        InputError
        """
        n = len(self.x_values) * len(self.y_values)
        if n > MAX_POINTS and not allow_large:
            raise InputError(
                f"the map has {n} points ({len(self.x_values)} x {len(self.y_values)}), more "
                f"than the {MAX_POINTS} a map may have unless asked for: each point is a "
                f"full-quantum solve of seconds to minutes. Pass allow_large=True (omxval map "
                f"--allow-large-grid) to run it")
        self._grid_checked  # noqa: B018 - raises for a bad point; once per spec

    @functools.cached_property
    def _grid_checked(self) -> bool:
        """Every grid point through design_point's checks (cached: the writers, run_map
        and map_rows all check before their own work, and a grid costs ~0.3 ms a point)."""
        for design in self.points():
            self._check_design(design, f"map point {self.x} = {design[self.x]:g}, "
                                       f"{self.y} = {design[self.y]:g}")
        return True

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

    def row(self, design: dict) -> dict:
        """The table row of one grid point (:func:`~.validity.validity_point`); a failure
        is a row, never an exception."""
        return validity_point(design, self.direction, self.bath, hamiltonian=self.hamiltonian,
                              criteria=self.criteria, method=self.method,
                              memory_budget_bytes=self.memory_budget_bytes,
                              max_dimension=self.max_dimension,
                              **fullquantum.device_options(self.device, self.method))

    def columns(self) -> tuple[str, ...]:
        """The columns of ``map.csv`` after the two axes."""
        return COLUMNS

    def predicted_cost(self, design: dict) -> float:
        """Relative cost of a grid point, from its Gaussian state before any solve
        (:func:`~.convergence.predicted_point_cost`: the Gaussian start, the nonlinear
        correction of the covariance, ``max_dimension``); 1 for a point that cannot be
        built or is unstable (it ends at once)."""
        try:
            point = linear.design_point(**design, direction=self.direction, bath=self.bath)
            return predicted_point_cost(point, self.hamiltonian,
                                        V_tolerance=self.criteria.V_tolerance,
                                        max_dimension=self.max_dimension)
        except (InputError, ValueError, ArithmeticError, np.linalg.LinAlgError):
            return 1.0

    @property
    def title(self) -> str:
        """What is fixed, for figure titles."""
        return f"{self.direction} drive, {self.bath} bath"

    def fixed_text(self) -> str:
        """What the map holds fixed, one Markdown sentence."""
        fixed = ", ".join(f"{k} = {val:g}" for k, val in self.design.items()
                          if k not in (self.x, self.y))
        return (f"Fixed design (units of ω_m, docs/conventions.md §5): {fixed}; "
                f"{self.direction} drive, {self.bath} bath")

    def summary_columns(self) -> tuple[str, ...]:
        """The columns of the report's table of points."""
        return (self.x, self.y, "status", "E_N linear", "E_N exact", "rel dE_N",
                "truncation dE_N", "N_ccw", "N_cw", "N_m", "series", "leading order",
                "c2 ratio", "seconds")

    def pair_labels(self) -> tuple[str, ...]:
        """Pairs of modes with their own figure (none: the spinning resonator's map judges
        the (driven, mechanics) pair, drawn in ``map.png``)."""
        return ()

    def advice_options(self) -> dict:
        """Keyword arguments of :func:`~.validity.search_advice` for this map's points."""
        return {"hamiltonian": self.hamiltonian, "bath": self.bath,
                "max_dimension": self.max_dimension, "budget_bytes": self.memory_budget_bytes}

    def points(self) -> list[dict]:
        """Every grid point as a design dict, x fastest, in a fixed order."""
        return [{**self.design, self.x: xv, self.y: yv}
                for yv in self.y_values for xv in self.x_values]

    def key(self, design: dict) -> str:
        """Cache key: everything that determines the row, and omxval's version."""
        payload = {"design": design, **self._settings}
        text = json.dumps(payload, sort_keys=True, default=float)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @functools.cached_property
    def _settings(self) -> dict:
        """The part of every key that is the same for all points (computed once)."""
        # "model" is the key's former name for the form: kept so that caches still resume.
        return {"direction": self.direction, "bath": self.bath, "model": self.hamiltonian,
                "criteria": dataclasses.asdict(self.criteria), "method": self.method,
                "memory_budget_bytes": self.memory_budget_bytes,
                "max_dimension": self.max_dimension, "omxval": __version__}


def _one_thread(value, task: Callable, *args):
    """Run ``task(value, *args)`` with one BLAS thread: parallelism belongs to points."""
    import scipy.linalg  # noqa: F401 - SciPy's own BLAS loaded, so that it is limited too
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


_MPI_WORLD: contextvars.ContextVar = contextvars.ContextVar("omxval_mpi_world", default=None)


@contextlib.contextmanager
def mpi_world(executor, workers: int) -> Iterator[None]:
    """Run the ``"mpi"`` engine's points on ``executor`` inside this block.

    The command line uses it under ``mpiexec -n N omxval ...``: every rank enters
    ``mpi4py.futures.MPICommExecutor(MPI.COMM_WORLD, root=0)``; rank 0 gets the executor
    and runs the command inside ``mpi_world(executor, N - 1)``, the other ranks serve it.
    """
    token = _MPI_WORLD.set((executor, workers))
    try:
        yield
    finally:
        _MPI_WORLD.reset(token)


def _executor_map(executor, task: Callable, values: Sequence, task_args: tuple,
                  in_flight: int, on_result: Callable) -> None:
    """``on_result(task(v, *task_args))`` for every value, at most ``in_flight`` at once."""
    from concurrent.futures import FIRST_COMPLETED
    from concurrent.futures import wait as wait_futures

    todo = list(values)[::-1]
    running: set = set()
    while todo or running:
        while todo and len(running) < in_flight:
            running.add(executor.submit(_one_thread, todo.pop(), task, *task_args))
        finished, running = wait_futures(running, return_when=FIRST_COMPLETED)
        for future in finished:
            on_result(future.result())


def map_points(task: Callable, values: Sequence, *, task_args: tuple = (),
               engine: str = "serial", num_cpus: int | None = None,
               reduce_func: Callable | None = None,
               on_lost: Callable[[object, str], object] | None = None) -> list:
    """``[task(v, *task_args) for v in values]`` on the map ``engine``.

    Parameters
    ----------
    task : callable
        A module-level function (it is pickled to the workers).
    values : sequence
    task_args : tuple
    engine : {"serial", "parallel", "loky", "mpi"}
        In this process, in worker processes (:func:`omxval.compare.studies.pool.process_map`), on
        a loky executor, or on an ``mpi4py.futures.MPIPoolExecutor`` (or the executor of
        :func:`mpi_world`); every worker computes with one BLAS thread.
    num_cpus : int, optional
        Workers (default: every core this process may use).
    reduce_func : callable, optional
        Called in this process with each result as it arrives (then nothing is returned,
        as in QuTiP).
    on_lost : callable, optional
        ``"parallel"`` engine: ``on_lost(value, reason)`` gives the result that stands for
        a point whose worker process died; the map goes on. Without it the map stops with
        :class:`~omxval.compare.studies.pool.WorkerLost`.

    Returns
    -------
    list
        The results in the order of ``values`` (empty with ``reduce_func``).
    """
    check_engine(engine)
    values = list(values)
    results: dict[int, object] = {}
    if reduce_func is None:  # collect in order: tag each value with its index
        indexed = list(enumerate(values))
        collect = lambda r: results.__setitem__(*r)  # noqa: E731
        run, args = _indexed, (task, task_args)
        lost = None if on_lost is None else (lambda iv, why: (iv[0], on_lost(iv[1], why)))
    else:
        indexed, collect, run, args, lost = values, reduce_func, task, task_args, on_lost
    if engine == "serial":
        for value in indexed:
            collect(_one_thread(value, run, *args))
    elif engine == "parallel":
        process_map(run, indexed, task_args=args, num_workers=num_cpus, on_result=collect,
                    on_lost=lost)
    elif engine == "loky":
        _loky_map(run, indexed, args, num_cpus, collect)
    elif engine == "mpi" and _MPI_WORLD.get() is not None:
        executor, workers = _MPI_WORLD.get()
        _executor_map(executor, run, indexed, args, workers, collect)
    else:
        # mpi4py's own pool rather than qutip.mpi_pmap, which fails wherever loky is
        # installed (QuTiP 5.3 reads loky.backend.resource_tracker without importing it).
        from mpi4py.futures import MPIPoolExecutor

        num_cpus = _mpi_workers(num_cpus)
        with MPIPoolExecutor(max_workers=num_cpus) as executor:
            _executor_map(executor, run, indexed, args, num_cpus, collect)
    return [results[i] for i in range(len(values))] if reduce_func is None else []


def _loky_map(task: Callable, values: Sequence, task_args: tuple, num_cpus: int | None,
              on_result: Callable) -> None:
    """The ``"loky"`` engine: a loky executor of its own (not the reusable one QuTiP's
    ``loky_pmap`` shares), whose workers die with this process like the ``"parallel"``
    engine's. loky cannot tell which point a dead worker held: the map stops."""
    from concurrent.futures.process import BrokenProcessPool

    from loky import ProcessPoolExecutor

    from .pool import WorkerLost, default_workers, die_with_parent

    workers = num_cpus or default_workers()
    executor = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                                   initargs=(os.getpid(),))
    done = False
    try:
        _executor_map(executor, task, values, task_args, workers, on_result)
        done = True
    except BrokenProcessPool as exc:
        raise WorkerLost(f"a loky worker died ({exc}); the points finished before are kept. "
                         f"The 'parallel' engine loses only the point of a dead worker"
                         ) from None
    finally:
        executor.shutdown(wait=done, kill_workers=not done)


def _indexed(item: tuple[int, object], task: Callable, task_args: tuple) -> tuple[int, object]:
    index, value = item
    return index, task(value, *task_args)


def _map_task(design: dict, spec: MapSpec) -> tuple[str, dict]:
    """One map point in a worker: the row keyed for the cache (any spec with ``key``, ``row``
    and the axes: :class:`MapSpec`, :class:`~.modelmaps.ModelMapSpec`)."""
    return spec.key(design), {spec.x: design[spec.x], spec.y: design[spec.y],
                              **spec.row(design)}


def _lost_row(design: dict, reason: str, spec: MapSpec) -> tuple[str, dict]:
    """The ``failed`` row of a point whose worker died (computed again by the next run)."""
    return spec.key(design), {spec.x: design[spec.x], spec.y: design[spec.y],
                              "status": FAILED, "message": reason}


def map_rows(spec: MapSpec, *, on_row: Callable[[str, dict], None],
             skip: Collection[str] = (), engine: str = "serial", num_cpus: int | None = None,
             shard: tuple[int, int] = (0, 1), progress: Callable[[str], None] | None = None,
             allow_large: bool = False) -> None:
    """Compute the map's points whose key is not in ``skip``; each row goes to ``on_row``.

    Parameters
    ----------
    spec : MapSpec
    on_row : callable
        ``on_row(key, row)`` in this process as each point finishes (key:
        :meth:`MapSpec.key`). A point whose worker process died is a ``failed`` row with the
        reason; an exception ``on_row`` raises (a full disk) stops the map.
    skip : collection of str
        Keys of points already known (not computed).
    engine : {"serial", "parallel", "loky", "mpi"}
        See :func:`map_points`.
    num_cpus : int, optional
        Workers; default: every core, and for ``"mpi"`` the worker ranks of ``mpiexec -n N
        python -m mpi4py.futures`` (N − 1). Required for ``"mpi"`` when the workers are
        spawned (no ``-m mpi4py.futures``).
    shard : (int, int)
        (i, n): compute only points i, i + n, i + 2n, … (cluster job arrays).
    progress : callable, optional
        One line per finished point, with the count, failures and an ETA.
    allow_large : bool
        Run a grid of more than :data:`MAX_POINTS` points.

    Raises
    ------
    InputError
        Before any point: an unknown engine or one whose package is missing
        (:func:`check_engine`), a bad ``shard`` or ``num_cpus``, a grid refused by
        :meth:`MapSpec.check_grid`; ``"mpi"`` on a rank other than 0, or spawning workers
        without ``num_cpus``.
    """
    check_engine(engine)
    i, n = check_shard(shard)
    if num_cpus is not None and not (isinstance(num_cpus, int)
                                     and not isinstance(num_cpus, bool) and num_cpus >= 1):
        raise InputError(f"num_cpus must be None or an integer >= 1; got {num_cpus!r}")
    spec.check_grid(allow_large=allow_large)
    todo = [d for d in spec.points()[i::n] if spec.key(d) not in skip]
    if not todo:
        return
    todo, costs = most_expensive_first(spec, todo)
    # Checked before any point runs: a refused MPI launch computes nothing.
    workers = (_mpi_workers(num_cpus) if engine == "mpi" and _MPI_WORLD.get() is None
               else num_cpus)
    count = Counter(len(todo), progress, weights=costs)
    failures = 0

    def record(result: tuple[str, dict]) -> None:
        nonlocal failures
        key, row = result
        on_row(key, row)
        failures += row["status"] == FAILED
        count.step(f"{spec.x} = {row[spec.x]:g}, {spec.y} = {row[spec.y]:g}: "
                   f"{row['status']}" + (f" ({failures} failed)" if failures else ""))

    map_points(_map_task, todo, task_args=(spec,), engine=engine, num_cpus=workers,
               reduce_func=record, on_lost=functools.partial(_lost_row, spec=spec))


def most_expensive_first(spec, points: Sequence[dict]) -> tuple[list[dict], list[float]]:
    """The points sorted by the cost predicted from their Gaussian states, largest first, and
    those costs (``spec.predicted_cost``). Long points then never start last on an otherwise
    idle pool, and the ETA weighs the points left by their cost (in grid order it would start
    far too short: the cost grows along the axes)."""
    costed = sorted(((spec.predicted_cost(p), i) for i, p in enumerate(points)),
                    key=lambda ci: (-ci[0], ci[1]))
    return [points[i] for _, i in costed], [c for c, _ in costed]


def check_shard(shard: tuple[int, int]) -> tuple[int, int]:
    """``shard`` = (i, n) with 0 <= i < n, or an InputError."""
    try:
        i, n = shard
    except (TypeError, ValueError):
        raise InputError(f"shard must be (i, n) with 0 <= i < n; got {shard!r}") from None
    if not (isinstance(i, int) and isinstance(n, int) and n >= 1 and 0 <= i < n):
        raise InputError(f"shard must be (i, n) with 0 <= i < n; got {shard!r}")
    return i, n


def map_table(spec: MapSpec, rows: dict[str, dict]) -> pd.DataFrame:
    """The rows of ``spec``'s grid found in ``rows`` (by key), in grid order, with the
    columns of ``map.csv``."""
    found = [rows[k] for k in map(spec.key, spec.points()) if k in rows]
    table = pd.DataFrame(found)
    columns = spec.columns()
    for col in (spec.x, spec.y, *columns):
        if col not in table:
            table[col] = np.nan if col != "message" else ""
    return table[[spec.x, spec.y, *columns]]


def verdict(table: pd.DataFrame, spec: MapSpec) -> dict[str, object]:
    """Counts per status and where the approximation holds, from a map's table.

    Returns
    -------
    dict
        ``word`` (the map's verdict: "holds" if every point with a converged result is
        ``valid``, "partial" if some are and some break, "breaks" if none is valid,
        "unconverged" if no point breaks but some have no converged cutoffs, "failed" if
        none breaks or is unconverged but some failed, "unstable" if no point is stable), ``counts`` (status → number of points),
        ``advice`` (the next step: for ``unconverged``, computed from the ``search limit``
        and ``refused cutoffs`` of its points, :func:`~.validity.search_advice`; otherwise
        the verdict's next step), ``within_1`` and ``within_10`` (points with a converged,
        stable result whose
        relative |ΔE_N| is ≤ 1 % / ≤ 10 %, or below the absolute floor), ``judged`` (points
        with a number), ``ranges`` (a DataFrame: for each y value, the x values where the
        approximation holds to 1 % and to 10 %).
    """
    counts = table["status"].value_counts().to_dict()
    judged = table[table["status"].isin(["valid", "breaks"])]
    floor = spec.criteria.absolute_floor

    def holds(rows: pd.DataFrame, level: float) -> pd.Series:
        return (rows["rel dE_N"] <= level) | (rows["abs dE_N"] <= floor)

    ranges = []
    for yv, rows in table.groupby(spec.y, sort=False):
        rows_j = rows[rows["status"].isin(["valid", "breaks"])]
        entry = {spec.y: yv}
        for level, name in ((0.01, "holds to 1 %"), (0.10, "holds to 10 %")):
            xs = rows_j.loc[holds(rows_j, level), spec.x]
            entry[name] = _span(xs.tolist(), rows[spec.x].tolist())
        entry["not judged"] = ", ".join(f"{x:g} ({s})" for x, s in
                                        zip(rows[spec.x], rows["status"])
                                        if s not in ("valid", "breaks")) or "—"
        ranges.append(entry)
    n_valid, n_breaks = counts.get("valid", 0), counts.get("breaks", 0)
    if n_breaks:
        word = "partial" if n_valid else "breaks"
    elif counts.get("unconverged"):
        word = "unconverged"
    elif counts.get("failed"):  # the headline names what the table shows
        word = "failed"
    elif not n_valid:
        word = "unstable"
    else:
        word = "holds"
    advice = ""
    if word == "unconverged" and "search limit" in table:
        stuck = table[(table["status"] == "unconverged") & table["search limit"].notna()]
        advice = search_advice(
            [(lim, tuple(int(c) for c in str(ref).split()) if isinstance(ref, str) else ())
             for lim, ref in zip(stuck["search limit"], stuck["refused cutoffs"])],
            **spec.advice_options())
    return {"word": word, "counts": counts, "judged": len(judged),
            "within_1": int(holds(judged, 0.01).sum()),
            "within_10": int(holds(judged, 0.10).sum()),
            "ranges": pd.DataFrame(ranges), "advice": advice or next_step(word)}


def _span(values: list[float], grid: list[float]) -> str:
    """``all``, ``none`` or the grid values listed as contiguous runs ``a – b``."""
    if not values:
        return "none"
    if len(values) == len(grid):
        return "all"
    chosen = set(values)
    runs, run = [], []
    for g in grid:
        if g in chosen:
            run.append(g)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return ", ".join(f"{r[0]:g}" if len(r) == 1 else f"{r[0]:g} – {r[-1]:g}" for r in runs)


@dataclass(frozen=True)
class ValidityStudy(TabulatedResult):
    """The report's validity section: a small map and its verdict.

    Attributes
    ----------
    spec : MapSpec
    table : DataFrame
        ``map.csv``'s rows.
    verdict : {"holds", "partial", "breaks", "unconverged", "failed", "unstable"}
        See :func:`verdict` (``word``).
    reasons : tuple of str
    advice : str
        The next step (:func:`verdict`'s ``advice``: computed from what stopped the
        unconverged points' searches, else the verdict's generic next step).
    """

    _table = "table"  # the table of _repr_html_ and to_dataframe

    spec: MapSpec
    table: pd.DataFrame
    verdict: str
    reasons: tuple[str, ...]
    advice: str = ""

    question = "where the Gaussian E_N holds (validity map)"

    def __repr__(self) -> str:
        return (f"ValidityStudy({self.verdict}: {self.spec.x} × {self.spec.y}, "
                f"{len(self.table)} points: {status_counts(self.table['status'])})")



def validity_study(spec: MapSpec, *, engine: str = "serial", num_cpus: int | None = None,
                   progress: Callable[[str], None] | None = None) -> ValidityStudy:
    """Run the map ``spec`` (in a temporary cache) and judge it as a whole."""
    rows: dict[str, dict] = {}
    map_rows(spec, on_row=rows.__setitem__, engine=engine, num_cpus=num_cpus,
             progress=progress)
    table = map_table(spec, rows)
    v = verdict(table, spec)
    c = v["counts"]
    word = v["word"]
    ranges = "; ".join(f"{spec.y} = {r[spec.y]:g}: {spec.x} {r['holds to 1 %']}"
                       for _, r in v["ranges"].iterrows())
    reasons = (f"within 1 % at {v['within_1']} and within 10 % at {v['within_10']} of "
               f"{v['judged']} converged points ("
               + ", ".join(f"{n} {k}" for k, n in sorted(c.items())) + ")",
               f"holds to 1 % at {ranges}")
    return ValidityStudy(spec, table, word, reasons, v["advice"])


def _mpi_workers(num_cpus: int | None) -> int:
    """Worker count of the ``"mpi"`` engine, checked against how MPI was launched.

    Under ``mpiexec -n N python -m mpi4py.futures`` the pool is the N − 1 ranks besides
    rank 0 (``max_workers`` is ignored), so that is the default. Started any other way the
    pool spawns its workers, and a default (say, the local core count) would be a
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


__all__ = ["MapSpec", "map_rows", "map_points", "map_table", "check_engine", "check_shard",
           "mpi_world", "verdict", "validity_study", "ValidityStudy", "ENGINES", "DEFAULT_DESIGN",
           "MAX_POINTS", "COLUMNS"]
