"""Vectorised parameter sweeps of the Gaussian model, returned as tidy DataFrames.

The engine, :func:`evaluate`, takes arrays of System fields that broadcast together and
returns, for every point and every real mean-field branch, stability and the driven-mode
E_N; all Lyapunov solves are batched (:mod:`linear.lyapunov`). ``sweep`` and
``paper_sweep`` build outer-product grids on top of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .analysis import cut
from .drift import diffusion_arrays, drift_arrays
from .gaussian import log_negativity
from .lyapunov import solve_lyapunov
from .meanfield import branches
from .parameters import (BATHS, DIRECTIONS, SYSTEM_FIELDS, PaperSetup, System, check_choice,
                         check_system_arrays)

_CHUNK = 4096  # points per batched call (~30 MB of workspace per thread)

# Column names with units, one place.
UNITS = {name: f"{name} [omega_m]" for name in SYSTEM_FIELDS}
UNITS["n_m"] = "n_m [phonons]"
COLUMNS = {
    "E_N": "E_N [ln]",
    "N_ccw": "N_ccw [photons]",
    "N_cw": "N_cw [photons]",
    "G_d": "|G_d| [omega_m]",
    "shift": "G0 q_s [omega_m]",
    "growth": "max Re eig(A) [omega_m]",
}


def default_workers() -> int:
    """Threads for batched evaluation: ``$OMXVAL_WORKERS`` if set, else the cores available,
    at most 2 (more gave nothing on the 2-core reference machine; see benchmarks/)."""
    env = os.environ.get("OMXVAL_WORKERS")
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"OMXVAL_WORKERS must be a positive integer; got {env!r}")
        return int(env)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(2, n))


def _evaluate_flat(f: dict[str, np.ndarray], direction: str, bath: str,
                   covariance: bool) -> dict[str, np.ndarray]:
    """``evaluate`` on flat arrays of equal length n; outputs have shape (n, 5[, 6, 6])."""
    n = f["kappa"].size
    mf = branches(f["kappa"], f["J"], f["Delta_c"], f["Delta_F"], f["gamma_m"], f["G0"],
                  f["eps"], bath, direction)
    pt, slot = np.nonzero(np.isfinite(mf["x"]))
    G0 = np.sqrt(2.0) * f["G0"][pt]
    G_ccw, G_cw = G0 * mf["alpha_ccw"][pt, slot], G0 * mf["alpha_cw"][pt, slot]
    A = drift_arrays(f["kappa"][pt], f["J"][pt], mf["Dt_ccw"][pt, slot], mf["Dt_cw"][pt, slot],
                     G_ccw, G_cw, f["gamma_m"][pt], bath)
    growth = np.max(np.linalg.eigvals(A).real, axis=-1)
    stable = growth < 0.0
    D = diffusion_arrays(f["kappa"][pt], f["gamma_m"][pt], f["n_m"][pt], bath)
    sel = np.nonzero(stable)[0]
    Vs = solve_lyapunov(A[sel], D[sel])
    en = np.full(pt.size, np.nan)
    en[sel] = log_negativity(Vs, cut(direction))

    def scatter(values, fill, dtype=float):
        out = np.full((n, 5) + np.shape(values)[1:], fill, dtype=dtype)
        out[pt, slot] = values
        return out

    out = {"x": mf["x"], "alpha_ccw": mf["alpha_ccw"], "alpha_cw": mf["alpha_cw"],
           "n_branches": mf["n_branches"], "stable": scatter(stable, False, bool),
           "growth": scatter(growth, np.nan), "E_N": scatter(en, np.nan),
           "G_d": scatter(np.abs(G_ccw if direction == "ccw" else G_cw), np.nan)}
    if covariance:
        V = np.full((pt.size, 6, 6), np.nan)
        V[sel] = Vs
        out["V"] = scatter(V, np.nan)
    return out


def evaluate(fields: dict[str, np.ndarray], direction: str, bath: str, *,
             covariance: bool = False, workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
    """Batched Gaussian model on broadcastable arrays of System fields.

    Parameters
    ----------
    fields : dict
        Every name of ``SYSTEM_FIELDS`` → array (units of ω_m), broadcastable together.
    direction : {"ccw", "cw"}
    bath : {"brownian", "lindblad"}
    covariance : bool
        Also return V (6×6 per point and branch; NaN where unstable).
    workers : int, optional
        Threads that share the chunks (NumPy's batched LAPACK calls release the GIL);
        default :func:`default_workers`.
    progress : callable, optional
        Called as ``progress(done, total)`` (in points) after each chunk.

    Returns
    -------
    dict
        Arrays of shape broadcast(fields) + (5,) over root slots (NaN or False in empty
        slots): ``x`` (G0 q_s), ``alpha_ccw``, ``alpha_cw``, ``stable``, ``growth``
        (max Re λ(A)), ``E_N`` (NaN where unstable or absent), ``G_d``; ``n_branches``
        without the root axis; ``V`` (..., 5, 6, 6) if requested.
    """
    check_choice("direction", direction, DIRECTIONS)
    check_choice("bath", bath, BATHS)
    missing = set(SYSTEM_FIELDS) - set(fields)
    if missing:
        raise ValueError(f"fields is missing {sorted(missing)}")
    check_system_arrays(fields)
    arrs = np.broadcast_arrays(*(np.asarray(fields[k], dtype=float) for k in SYSTEM_FIELDS))
    shape = arrs[0].shape
    flat = {k: a.ravel() for k, a in zip(SYSTEM_FIELDS, arrs)}
    total = arrs[0].size
    starts = range(0, max(total, 1), _CHUNK)
    work = lambda i: _evaluate_flat({k: v[i:i + _CHUNK] for k, v in flat.items()},  # noqa: E731
                                    direction, bath, covariance)
    parts = []
    n_workers = workers or default_workers()
    # One BLAS thread per worker: with the workers' own threads on top, OpenBLAS threads
    # oversubscribe the cores (measured: omxval paper 13.2 s CPU for 8.4 s wall on 2 cores).
    with (threadpool_limits(limits=1, user_api="blas") if n_workers > 1 else nullcontext()), \
            ThreadPoolExecutor(max_workers=n_workers) as pool:
        for part in pool.map(work, starts):
            parts.append(part)
            if progress is not None:
                progress(min(len(parts) * _CHUNK, total), total)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return {k: v.reshape(shape + v.shape[1:]) for k, v in out.items()}


def _as_list(name: str, value, choices: tuple[str, ...]) -> list[str]:
    values = [value] if isinstance(value, str) else list(value)
    for v in values:
        check_choice(name, v, choices)
    return values


def _tidy(grid: dict[str, np.ndarray], res: dict[str, np.ndarray], extra: dict) -> pd.DataFrame:
    """One row per (point, branch) from an outer-product grid and an ``evaluate`` result."""
    pt, slot = np.nonzero(np.isfinite(res["x"].reshape(-1, 5)))
    cols = {name: np.asarray(v).ravel()[pt] for name, v in grid.items()}
    cols.update(extra)
    flat = {k: res[k].reshape(-1, 5)[pt, slot] for k in ("x", "stable", "growth", "E_N", "G_d")}
    cols.update({
        "branch": slot,
        "n_branches": res["n_branches"].ravel()[pt],
        "stable": flat["stable"],
        COLUMNS["E_N"]: flat["E_N"],
        COLUMNS["N_ccw"]: np.abs(res["alpha_ccw"].reshape(-1, 5)[pt, slot]) ** 2,
        COLUMNS["N_cw"]: np.abs(res["alpha_cw"].reshape(-1, 5)[pt, slot]) ** 2,
        COLUMNS["G_d"]: flat["G_d"],
        COLUMNS["shift"]: flat["x"],
        COLUMNS["growth"]: flat["growth"],
    })
    return pd.DataFrame(cols)


def sweep(system: System, direction: str | Sequence[str] = "ccw",
          **grids: Sequence[float] | float) -> pd.DataFrame:
    """Outer-product sweep of System fields around ``system`` (units of ω_m).

    Parameters
    ----------
    system : System
        Values of every field not swept (and the bath).
    direction : "ccw", "cw" or a sequence of them
        Drive direction(s); each is a separate block of rows.
    **grids
        Field name (one of ``System``'s rate fields: kappa, J, Delta_c, Delta_F, gamma_m,
        n_m, G0, eps) → 1-D values.

    Returns
    -------
    DataFrame
        One row per grid point and mean-field branch: every System field (column
        ``"<name> [omega_m]"``), ``direction``, ``bath``, ``branch``, ``n_branches``,
        ``stable``, ``"E_N [ln]"`` (NaN where unstable), photon numbers, ``"|G_d| [omega_m]"``,
        the shift G0 q_s and the largest real part of the drift eigenvalues.

    Examples
    --------
    >>> df = sweep(system, direction=["ccw", "cw"], Delta_c=np.linspace(0, 2, 201))
    """
    unknown = set(grids) - set(SYSTEM_FIELDS)
    if unknown:
        raise ValueError(f"cannot sweep {sorted(unknown)}; valid names: {list(SYSTEM_FIELDS)}")
    check_system_arrays(grids)  # before any float conversion: [True] must not become 1.0
    base = {k: getattr(system, k) for k in SYSTEM_FIELDS}
    axes = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in grids.items()}
    mesh = np.meshgrid(*axes.values(), indexing="ij") if axes else []
    values = dict(base)
    values.update(dict(zip(axes, mesh)))
    shape = mesh[0].shape if mesh else ()
    frames = []
    for d in _as_list("direction", direction, DIRECTIONS):
        res = evaluate(values, d, system.bath)
        grid = {UNITS[k]: np.broadcast_to(v, shape) for k, v in values.items()}
        frames.append(_tidy(grid, res, {"direction": d, "bath": system.bath}))
    return pd.concat(frames, ignore_index=True)


def paper_sweep(setup: PaperSetup, direction: str | Sequence[str] = "ccw", *,
                Delta_c: Sequence[float] | float, Omega: Sequence[float] | float = 0.0,
                J: Sequence[float] | float = 0.0, power: Sequence[float] | float = 0.02
                ) -> pd.DataFrame:
    """Outer-product sweep over the SI operating parameters of a :class:`PaperSetup`.

    Parameters
    ----------
    Delta_c : float or sequence
        Bare detuning in units of ω_m.
    Omega : float or sequence
        Rotation speed [rad/s].
    J : float or sequence
        Backscattering coupling [1/s].
    power : float or sequence
        Input power [W].

    Returns
    -------
    DataFrame
        As :func:`sweep`, plus ``"Omega [rad/s]"``, ``"J [1/s]"``, ``"power [W]"``.
    """
    si = {"Delta_c": Delta_c, "Omega": Omega, "J": J, "power": power}
    # No float conversion here: setup.dimensionless validates the raw grids (types, ranges).
    axes = {k: np.atleast_1d(np.asarray(v)) for k, v in si.items()}
    mesh = dict(zip(axes, np.meshgrid(*axes.values(), indexing="ij")))
    values = setup.dimensionless(**mesh)
    shape = mesh["Delta_c"].shape
    frames = []
    for d in _as_list("direction", direction, DIRECTIONS):
        res = evaluate(values, d, setup.bath)
        grid = {"Omega [rad/s]": mesh["Omega"], "J [1/s]": mesh["J"], "power [W]": mesh["power"]}
        grid.update({UNITS[k]: np.broadcast_to(v, shape) for k, v in values.items()})
        frames.append(_tidy(grid, res, {"direction": d, "bath": setup.bath}))
    return pd.concat(frames, ignore_index=True)


def max_over_detuning(fields: dict[str, np.ndarray], direction: str, bath: str,
                      Delta_c: np.ndarray, *, zoom_steps: int = 7, zoom_points: int = 7,
                      progress: Callable[[int, int], None] | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """max over Δ_c (and stable branches) of the driven-mode E_N, for every point of a grid.

    A coarse scan on ``Delta_c`` followed by ``zoom_steps`` rounds of a local
    ``zoom_points`` grid around the running maximum, each round shrinking the bracket by
    (zoom_points − 1)/2; the location error after the default 7 rounds is below 1e-4 of
    the coarse step. Used for the revival factor χ of paper Eq. 14.

    Parameters
    ----------
    fields : dict
        System fields except ``Delta_c``, broadcastable together (shape S).
    Delta_c : 1-D array
        Coarse, uniformly spaced detuning grid (units of ω_m).

    Returns
    -------
    (E_max, Delta_c_at_max) : arrays of shape S
        NaN where no stable point exists on the coarse grid.
    """
    Delta_c = np.asarray(Delta_c, dtype=float)
    if Delta_c.ndim != 1 or Delta_c.size < 3:
        raise ValueError("Delta_c must be a 1-D grid of at least 3 points")
    base = {k: np.asarray(v, dtype=float) for k, v in fields.items() if k != "Delta_c"}
    shape = np.broadcast_shapes(*(v.shape for v in base.values()))
    ext = {k: np.broadcast_to(v, shape)[..., None] for k, v in base.items()}
    total = 1 + zoom_steps

    def best(delta):  # delta: shape S + (k,)
        res = evaluate({**ext, "Delta_c": delta}, direction, bath)
        en = np.nanmax(np.where(np.isnan(res["E_N"]), -np.inf, res["E_N"]), axis=-1)
        i = np.argmax(en, axis=-1)
        take = lambda a: np.take_along_axis(a, i[..., None], axis=-1)[..., 0]  # noqa: E731
        return take(en), take(np.broadcast_to(delta, en.shape))

    e_best, d_best = best(np.broadcast_to(Delta_c, shape + Delta_c.shape))
    if progress:
        progress(1, total)
    h = Delta_c[1] - Delta_c[0]
    offsets = np.linspace(-1.0, 1.0, zoom_points)
    for step in range(zoom_steps):
        e_new, d_new = best(d_best[..., None] + h * offsets)
        better = e_new > e_best
        e_best, d_best = np.where(better, e_new, e_best), np.where(better, d_new, d_best)
        h *= 2.0 / (zoom_points - 1)
        if progress:
            progress(2 + step, total)
    found = np.isfinite(e_best)
    return np.where(found, e_best, np.nan), np.where(found, d_best, np.nan)


__all__ = ["default_workers", "evaluate", "sweep", "paper_sweep", "max_over_detuning", "UNITS", "COLUMNS"]
