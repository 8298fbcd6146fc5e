"""Worker processes for expensive points: they die with their parent, and a dead worker costs
only its own point.

:func:`process_map` is the ``"parallel"`` engine of :func:`omxval.compare.studies.maps.map_points`.
Compared with ``concurrent.futures.ProcessPoolExecutor`` (under QuTiP's ``parallel_map``):

* Workers are started with ``spawn`` (fork + exec): they inherit no descriptor of the
  parent, so no journal lock or staging folder outlives the parent in a worker.
* Each worker asks the kernel for ``SIGKILL`` when its parent dies (Linux
  ``PR_SET_PDEATHSIG``) and, everywhere, polls its parent once a second: a killed map leaves
  no worker computing.
* A worker that dies (the kernel's out-of-memory killer, a signal, a crash in a compiled
  library) loses only the point it was computing: ``on_lost(value, reason)`` turns that
  point into a result, a new worker takes its place, and the map goes on. A
  ``ProcessPoolExecutor`` marks every pending point broken instead.
* Every worker computes with one BLAS thread: parallelism belongs to points.
* Ctrl-C reaches the parent alone (workers ignore SIGINT); the parent ends its workers.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

from ...errors import OmxvalError

_PR_SET_PDEATHSIG = 1


class WorkerLost(OmxvalError, RuntimeError):
    """A worker process died while computing a point and no ``on_lost`` handler was given."""


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` ends: the kernel's parent-death signal
    where there is one, and a watchdog thread everywhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, TypeError):  # not Linux: the watchdog alone
        pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watchdog() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watchdog, daemon=True, name="omxval-parent-watchdog").start()


def _worker(conn, parent_pid: int) -> None:
    """A worker's life: tasks in, results out, until told to stop or the parent is gone."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    import scipy.linalg  # noqa: F401 - load SciPy's own BLAS before limiting every BLAS
    from threadpoolctl import threadpool_limits

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, task, value, args = message
        try:
            # One BLAS thread, applied per task: threadpoolctl limits the libraries loaded
            # when it is entered, and a task may load one (the serial engine does the same,
            # so serial and parallel maps give the same numbers bit for bit).
            with threadpool_limits(limits=1, user_api="blas"):
                reply = (index, True, task(value, *args))
        except Exception as exc:  # sent to the parent, which raises it there
            reply = (index, False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result or exception
            conn.send((index, False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def lost_reason(exitcode: int | None) -> str:
    """Why a worker died, in words, from its exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = (" (the kernel's out-of-memory killer sends it: the point may need more "
                "memory than is free)" if -exitcode == signal.SIGKILL else "")
        return f"the worker computing this point was killed by {name}{hint}"
    return f"the worker computing this point exited with code {exitcode}"


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def process_map(task: Callable, values: Sequence, *, task_args: tuple = (),
                num_workers: int | None = None, on_result: Callable[[Any], None],
                on_lost: Callable[[Any, str], Any] | None = None) -> None:
    """Run ``task(value, *task_args)`` for every value in worker processes.

    Parameters
    ----------
    task : callable
        A module-level function (pickled to the workers).
    values : sequence
        Started in this order.
    task_args : tuple
    num_workers : int, optional
        Worker processes (default: the cores this process may use); never more than the
        number of values.
    on_result : callable
        Called in this process with each result as it arrives. An exception it raises
        (e.g. a full disk while journalling) ends the map: the workers are stopped and the
        exception propagates.
    on_lost : callable, optional
        ``on_lost(value, reason)`` returns the result that stands for a point whose worker
        died (passed to ``on_result``); without it :class:`WorkerLost` is raised.

    Raises
    ------
    Exception
        An exception raised by ``task`` in a worker, re-raised here after the workers stop.
    WorkerLost
        A worker died and ``on_lost`` is None.
    """
    pending = deque(enumerate(values))
    if not pending:
        return
    n = max(1, min(num_workers or default_workers(), len(pending)))
    ctx = multiprocessing.get_context("spawn")
    busy: dict[Any, tuple[Any, Any]] = {}  # connection -> (process, (index, value) | None)

    def start() -> None:
        parent_end, child_end = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child_end, os.getpid()), daemon=True,
                           name="omxval-worker")
        proc.start()
        child_end.close()
        busy[parent_end] = (proc, None)

    def dispatch(conn) -> None:
        proc, _ = busy[conn]
        busy[conn] = (proc, None)
        if not pending:
            try:
                conn.send(None)
            except OSError:  # already gone
                pass
            return
        index, value = pending.popleft()
        try:
            conn.send((index, task, value, task_args))
        except OSError:  # the worker died before taking it: the point goes back
            pending.appendleft((index, value))
            return
        busy[conn] = (proc, (index, value))

    ok = False
    stillborn = 0  # workers that died before finishing anything, in a row
    try:
        for _ in range(n):
            start()
        for conn in list(busy):
            dispatch(conn)
        while pending or any(item is not None for _, item in busy.values()):
            sentinels = {proc.sentinel: conn for conn, (proc, _) in busy.items()}
            for ready in wait([*busy, *sentinels]):
                conn = sentinels.get(ready, ready)
                if conn not in busy:
                    continue
                proc, item = busy[conn]
                try:
                    _, success, payload = conn.recv()
                except (EOFError, OSError):  # the worker died
                    del busy[conn]
                    conn.close()
                    proc.join()
                    if item is not None:
                        if on_lost is None:
                            raise WorkerLost(lost_reason(proc.exitcode)) from None
                        on_result(on_lost(item[1], lost_reason(proc.exitcode)))
                    elif pending:
                        stillborn += 1
                        if stillborn > 2 * n:
                            raise WorkerLost("worker processes die before taking a point: "
                                             + lost_reason(proc.exitcode)) from None
                    if pending and len(busy) < n:
                        start()
                        dispatch(next(reversed(busy)))
                    continue
                stillborn = 0
                if not success:
                    raise payload
                on_result(payload)
                dispatch(conn)
        ok = True
    finally:
        for conn, (proc, _) in busy.items():
            if ok:
                proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            conn.close()


__all__ = ["process_map", "WorkerLost", "lost_reason", "default_workers", "die_with_parent"]
