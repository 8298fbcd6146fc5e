"""The Gaussian model of any :class:`~linear.Model`: drift, diffusion, V and every pair's E_N.

Linearising Eq. M1 around a mean-field branch (docs/models.md §3), with quadratures
(x, p) = ((o + o†)/√2, (o − o†)/(i√2)) per mode in the model's mode order, gives
u̇ = A u + noise (Eq. M6)::

    cavity c:   ẋ = −κ x + Δ̃ y + Σ J y_c' − Im G_cm q_m,  ẏ = −κ y − Δ̃ x − Σ J x_c' + Re G_cm q_m
    mechanics:  q̇ = ω p + Σ J p_m',   ṗ = −ω q − Σ J q_m' + Σ_c (Re G_cm x_c + Im G_cm y_c)
                (Brownian −γ p on ṗ; Lindblad −γ/2 on both)

with G_cm = √2·g0_cm·α_c, and the diffusion D = κ(2n_c + 1) on x_c, y_c, γ(2n_m + 1) on p_m
(Brownian) or γ(2n_m + 1)/2 on q_m and p_m (Lindblad). For the spinning resonator these are
paper Eqs. 6 and 10 (docs/conventions.md §4). V solves A V + V Aᵀ = −D (Eq. 11) and the
E_N of a pair of modes is paper Eq. 12 on its 4×4 block (the rest traced out).

Public through :mod:`linear`: :class:`ModelPoint`, :class:`ModelMeanField`,
:class:`ModelResult`, and ``analyze``/``steady_states``/``sweep`` dispatch here for models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, InputTypeError
from .checks import short_repr
from .drift import growth_rate
from .engine import MARGINAL
from .gaussian import log_negativity, mode_occupation
from .lyapunov import solve_lyapunov
from .model import Model
from .modelfield import Branches, ModelArrays, branches, model_arrays
from .table import Table


def model_drift(ar: ModelArrays, br: Branches) -> np.ndarray:
    """Drift A (P, B, 2n, 2n) of every branch (Eq. M6), NaN where the branch is absent."""
    model = ar.model
    P, B = br.valid.shape
    n = len(model.modes)
    A = np.zeros((P, B, 2 * n, 2 * n))
    cpos, mpos = ar.cavity_positions, ar.mechanical_positions
    ex = lambda a: a[:, None]  # noqa: E731 - per point → per branch
    G = np.sqrt(2.0) * ar.g0[:, None, :, :] * br.alpha[..., None]  # (P, B, nc, nm)
    Dt = ex(ar.detuning) - br.shifts
    for c, k in enumerate(cpos):
        x, y = 2 * k, 2 * k + 1
        A[..., x, x] = A[..., y, y] = -ex(ar.kappa[:, c])
        A[..., x, y], A[..., y, x] = Dt[..., c], -Dt[..., c]
        for c2, k2 in enumerate(cpos):
            if c2 != c:
                A[..., x, 2 * k2 + 1] += ex(ar.Jc[:, c, c2])
                A[..., y, 2 * k2] -= ex(ar.Jc[:, c, c2])
        for m, km in enumerate(mpos):
            q, p = 2 * km, 2 * km + 1
            A[..., x, q] += -G[..., c, m].imag
            A[..., y, q] += G[..., c, m].real
            A[..., p, x] += G[..., c, m].real
            A[..., p, y] += G[..., c, m].imag
    brown = ar.brownian
    for m, km in enumerate(mpos):
        q, p = 2 * km, 2 * km + 1
        A[..., q, p] = ex(ar.frequency[:, m])
        A[..., p, q] = -ex(ar.frequency[:, m])
        if brown[m]:
            A[..., p, p] = -ex(ar.gamma[:, m])
        else:
            A[..., q, q] = A[..., p, p] = -ex(ar.gamma[:, m]) / 2.0
        for m2, km2 in enumerate(mpos):
            if m2 != m:
                A[..., q, 2 * km2 + 1] += ex(ar.Jm[:, m, m2])
                A[..., p, 2 * km2] -= ex(ar.Jm[:, m, m2])
    return np.where(br.valid[..., None, None], A, np.nan)


def model_diffusion(ar: ModelArrays) -> np.ndarray:
    """Diffusion D (P, 2n, 2n) of the model's baths (Eq. M6): independent of the branch."""
    n = len(ar.model.modes)
    D = np.zeros((ar.size, 2 * n, 2 * n))
    for c, k in enumerate(ar.cavity_positions):
        D[:, 2 * k, 2 * k] = D[:, 2 * k + 1, 2 * k + 1] = (
            ar.kappa[:, c] * (2.0 * ar.cavity_thermal[:, c] + 1.0))
    for m, k in enumerate(ar.mechanical_positions):
        th = ar.gamma[:, m] * (2.0 * ar.mechanical_thermal[:, m] + 1.0)
        if ar.brownian[m]:
            D[:, 2 * k + 1, 2 * k + 1] = th
        else:
            D[:, 2 * k, 2 * k] = D[:, 2 * k + 1, 2 * k + 1] = th / 2.0
    return D


def gaussian_states(ar: ModelArrays, br: Branches) -> dict[str, np.ndarray]:
    """Stability, V and every pair's E_N of each branch (Eqs. M6, 11, 12), batched.

    Returns
    -------
    dict
        ``A`` (P, B, 2n, 2n), ``D`` (P, 2n, 2n), ``growth``, ``stable`` and ``finite``
        (P, B), ``V`` (NaN where unstable or absent), ``E_N`` (P, B, n_pairs) in the order
        of ``model.pairs``, natural log. A stable branch whose V is not finite is reported
        unstable; ``finite`` is False where that is a float64 failure rather than the edge
        of stability.
    """
    A = model_drift(ar, br)
    D = model_diffusion(ar)
    P, B, n2, _ = A.shape
    flatA = A.reshape(P * B, n2, n2)
    flatD = np.broadcast_to(D[:, None], (P, B, n2, n2)).reshape(P * B, n2, n2)
    finite = np.isfinite(flatA).all(axis=(-2, -1)) & np.isfinite(flatD).all(axis=(-2, -1))
    growth = np.full(P * B, np.nan)
    growth[finite] = growth_rate(flatA[finite])
    stable = finite & (growth < 0.0)
    sel = np.nonzero(stable)[0]
    V = np.full((P * B, n2, n2), np.nan)
    with np.errstate(all="ignore"):
        if sel.size:
            V[sel] = solve_lyapunov(flatA[sel], flatD[sel])
    # A non-finite V at a stable branch: at the very edge of stability V diverges (reported
    # unstable, never as a number); farther inside it is a float64 failure (``finite``
    # False: a sweep keeps NaN there, a single analysis raises).
    bad = ~np.isfinite(V[sel]).all(axis=(-2, -1))
    edge = bad & (growth[sel] >= -MARGINAL * np.abs(flatA[sel]).max(axis=(-2, -1)))
    stable[sel[bad]] = False
    finite[sel[bad & ~edge]] = False
    V[sel[bad]] = np.nan
    pairs = ar.model.pairs
    idx = {name: k for k, name in enumerate(ar.model.mode_names)}
    en = np.full((P * B, len(pairs)), np.nan)
    for k, (a, b) in enumerate(pairs):
        en[stable, k] = log_negativity(V[stable], (idx[a], idx[b]))
    return {"A": A, "D": D, "growth": growth.reshape(P, B), "stable": stable.reshape(P, B),
            "finite": finite.reshape(P, B), "V": V.reshape(P, B, n2, n2),
            "E_N": en.reshape(P, B, len(pairs))}


def _frozen(d: Mapping) -> Mapping:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class ModelMeanField:
    """One mean-field branch of a model (model rate unit; amplitudes dimensionless).

    Attributes
    ----------
    branch, n_branches : int
        Index among the branches (sorted as :func:`linear.steady_states` says) and count.
    complete : bool
        True when the branches were found as the real roots of one polynomial (every
        branch, Eq. M5); False when several mechanical modes needed the multi-start Newton
        search, which may miss branches.
    amplitudes : mapping
        Cavity name → α_c (complex).
    positions : mapping
        Mechanical name → (q_s, p_s) (dimensionless quadratures).
    shifts : mapping
        Cavity name → s_c = Σ_m g0_cm q_m, its radiation-pressure red shift.
    """

    branch: int
    n_branches: int
    complete: bool
    amplitudes: Mapping[str, complex]
    positions: Mapping[str, tuple[float, float]]
    shifts: Mapping[str, float]

    @property
    def photons(self) -> Mapping[str, float]:
        """Cavity name → |α_c|², the intracavity photon number."""
        return _frozen({k: abs(a) ** 2 for k, a in self.amplitudes.items()})


@dataclass(frozen=True)
class ModelPoint:
    """An operating point of a model: the model (its drives included) and a branch.

    Parameters
    ----------
    model : Model
    branch : int
        Index into the model's mean-field branches (default 0).

    Raises
    ------
    InputError
        ``branch`` is out of range (the message gives the number of branches).
    """

    model: Model
    branch: int = 0
    mean_field: ModelMeanField = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.model, Model):
            raise InputTypeError(f"model must be a Model; got {short_repr(self.model)}")
        if isinstance(self.branch, bool) or not isinstance(self.branch, (int, np.integer)):
            raise InputTypeError(f"branch must be an int; got {short_repr(self.branch)}")
        states = (self._states if hasattr(self, "_states") else steady_states_of(self.model))
        if not 0 <= self.branch < len(states):
            raise InputError(f"branch must be in [0, {len(states) - 1}] (the model has "
                             f"{len(states)} mean-field branches); got {self.branch}")
        object.__setattr__(self, "branch", int(self.branch))
        object.__setattr__(self, "mean_field", states[self.branch])

    @classmethod
    def _from_states(cls, model: Model, branch: int, states: list[ModelMeanField]
                     ) -> "ModelPoint":
        """The point on ``branch`` of already solved ``states`` (no second mean-field solve),
        as :meth:`linear.OperatingPoint._from_states`."""
        point = cls.__new__(cls)
        object.__setattr__(point, "_states", states)
        cls.__init__(point, model, branch)
        object.__delattr__(point, "_states")
        return point

    @property
    def n_branches(self) -> int:
        return self.mean_field.n_branches


def _mean_fields(ar: ModelArrays, br: Branches, i: int) -> list[ModelMeanField]:
    model = ar.model
    cav, mech = model.cavities, model.mechanical_modes
    n = int(br.n_branches[i])
    out = []
    for b in range(n):
        out.append(ModelMeanField(
            branch=b, n_branches=n, complete=bool(br.complete[i]),
            amplitudes=_frozen({c.name: complex(br.alpha[i, b, k]) for k, c in enumerate(cav)}),
            positions=_frozen({m.name: (float(br.mechanics[i, b, 2 * k]),
                                        float(br.mechanics[i, b, 2 * k + 1]))
                               for k, m in enumerate(mech)}),
            shifts=_frozen({c.name: float(br.shifts[i, b, k]) for k, c in enumerate(cav)})))
    return out


def _solve(model: Model) -> tuple[ModelArrays, Branches]:
    """The model's numbers and every mean-field branch (Eqs. M3–M5), checked."""
    ar = model_arrays(model)
    br = branches(ar)
    if br.n_branches[0] == 0:
        raise InputError("mean field: no branch of this model could be resolved in float64 "
                         "(check the mechanical frequencies and hopping: a zero-frequency "
                         "normal mode has no static displacement; or the parameters are "
                         "too extreme)")
    return ar, br


def steady_states_of(model: Model) -> list[ModelMeanField]:
    """Every mean-field branch of ``model`` (Eqs. M3–M5), sorted (docs/models.md §3).

    Raises
    ------
    InputError
        No branch could be resolved in float64 (parameters too extreme), or the mechanics
        has a zero-frequency normal mode (no static displacement).
    """
    return _mean_fields(*_solve(model), 0)


@dataclass(frozen=True)
class ModelResult:
    """Gaussian steady state of one model operating point (model rate unit).

    Attributes
    ----------
    point : ModelPoint
        The model and branch (``model``, ``branch``, ``mean_field`` read through).
    stable : bool
        Every eigenvalue of A has a negative real part.
    max_growth_rate : float
        max Re λ(A).
    A, D : ndarray (2n, 2n)
        Drift and diffusion (Eq. M6), quadratures (x, p) per mode in mode order.
    V : ndarray (2n, 2n)
        Covariance (vacuum I/2); NaN when unstable.
    log_negativities : mapping
        (mode, mode) → Gaussian E_N of that pair (natural log), every pair in mode order;
        NaN when unstable. :meth:`log_negativity` reads a pair in either order.
    """

    point: ModelPoint
    stable: bool
    max_growth_rate: float
    A: np.ndarray
    D: np.ndarray
    V: np.ndarray
    log_negativities: Mapping[tuple[str, str], float]

    @property
    def model(self) -> Model:
        return self.point.model

    @property
    def branch(self) -> int:
        return self.point.branch

    @property
    def mean_field(self) -> ModelMeanField:
        return self.point.mean_field

    @property
    def photons(self) -> Mapping[str, float]:
        """Cavity name → intracavity photon number |α_c|² of the mean field."""
        return self.mean_field.photons

    @property
    def fluctuation_quanta(self) -> Mapping[str, float]:
        """Mode name → ⟨δo†δo⟩ of V (NaN when unstable)."""
        return _frozen({name: float(mode_occupation(self.V, k))
                        for k, name in enumerate(self.model.mode_names)})

    def log_negativity(self, a: str, b: str) -> float:
        """Gaussian E_N (natural log) between modes ``a`` and ``b`` (either order)."""
        for key in ((a, b), (b, a)):
            if key in self.log_negativities:
                return self.log_negativities[key]
        raise InputError(f"no pair ({short_repr(a)}, {short_repr(b)}) of different modes in "
                         f"the model (modes: {', '.join(self.model.mode_names)})")

    def to_dataframe(self) -> Table:
        """One row: ``branch``, ``n_branches``, ``complete``, ``stable``, ``growth rate``,
        ``"E_N gaussian a-b"`` per pair and ``"photons c"`` per cavity (the columns of the
        model :func:`linear.sweep`)."""
        row = {"branch": self.branch, "n_branches": self.point.n_branches,
               "complete": self.mean_field.complete, "stable": self.stable,
               "growth rate": self.max_growth_rate}
        row.update({pair_column(p): v for p, v in self.log_negativities.items()})
        row.update({f"photons {k}": v for k, v in self.photons.items()})
        return Table([row])

    def __repr__(self) -> str:
        best = max(self.log_negativities.items(), key=lambda kv: np.nan_to_num(kv[1]),
                   default=None)
        en = (f"max E_N {best[1]:.4g} ({best[0][0]}, {best[0][1]})"
              if self.stable and best else "unstable")
        return (f"ModelResult({self.model.name or 'model'}, branch {self.branch} of "
                f"{self.point.n_branches}, stable={self.stable}, {en})")


def pair_column(pair: tuple[str, str]) -> str:
    """Column name of a pair's Gaussian E_N in model tables: ``"E_N gaussian a-b"``."""
    return f"E_N gaussian {pair[0]}-{pair[1]}"


def analyze_model(point: Model | ModelPoint, branch: int | None = None) -> ModelResult:
    """Gaussian steady state of a model at one branch (Eqs. M3–M6, 11, 12).

    Parameters
    ----------
    point : Model or ModelPoint
        A model (with ``branch``, default 0) or an operating point.
    branch : int, optional
        With a ModelPoint it must match the point's.

    Returns
    -------
    ModelResult
    """
    ar, br = _solve(point.model if isinstance(point, ModelPoint) else point)
    if isinstance(point, Model):
        point = ModelPoint._from_states(point, 0 if branch is None else branch,
                                        _mean_fields(ar, br, 0))
    elif branch is not None and branch != point.branch:
        raise InputError(f"branch {branch} contradicts the operating point's branch "
                         f"{point.branch}")
    return _result(point, gaussian_states(ar, br))


def _result(point: ModelPoint, r: dict[str, np.ndarray]) -> ModelResult:
    """The ModelResult of ``point``'s branch from a :func:`gaussian_states` batch of one."""
    b = point.branch
    if not r["finite"][0, b]:
        raise InputError("the drift, diffusion or covariance matrix of this model is not "
                         "finite in float64 at this branch (its parameters are too extreme)")
    pairs = point.model.pairs
    return ModelResult(point=point, stable=bool(r["stable"][0, b]),
                       max_growth_rate=float(r["growth"][0, b]), A=r["A"][0, b], D=r["D"][0],
                       V=r["V"][0, b],
                       log_negativities=_frozen({p: float(r["E_N"][0, b, k])
                                                 for k, p in enumerate(pairs)}))


def analyze_branches(model: Model) -> list[ModelResult]:
    """:func:`analyze_model` at every mean-field branch of ``model`` (one mean-field solve and
    one Gaussian batch for all of them)."""
    ar, br = _solve(model)
    states = _mean_fields(ar, br, 0)
    r = gaussian_states(ar, br)
    return [_result(ModelPoint._from_states(model, k, states), r) for k in range(len(states))]


def sweep_model(model: Model, values: Mapping[str, Sequence[float] | float], *,
                grid: bool = True) -> Table:
    """Sweep model parameters by path, vectorised (Eqs. M3–M6, 11, 12).

    Parameters
    ----------
    model : Model
        Values of every parameter not swept.
    values : mapping
        Path (``model.parameter_names()``, e.g. ``"modes.a.detuning"``,
        ``"couplings.0.g0"``) → values.
    grid : bool
        True (default): the outer product of 1-D value lists, in the mapping's order.
        False: the arrays broadcast together (one point per element).

    Returns
    -------
    Table
        One row per point and mean-field branch: each swept path, ``branch``,
        ``n_branches``, ``complete``, ``stable``, ``growth rate``, ``"E_N gaussian a-b"``
        for every pair (natural log, NaN where unstable) and ``"photons c"`` per cavity.

    Raises
    ------
    InputError
        Unknown paths, values out of range, arrays that do not broadcast.
    """
    if not isinstance(model, Model):
        raise InputTypeError(f"model must be a Model; got {short_repr(model)}")
    values = dict(values)
    if grid:
        axes = {k: np.atleast_1d(np.asarray(v)) for k, v in values.items()}
        for k, a in axes.items():
            if a.ndim != 1:
                raise InputError(f"{k}: with grid=True each value list must be 1-D; got "
                                 f"shape {a.shape}")
        mesh = np.meshgrid(*axes.values(), indexing="ij") if axes else []
        values = dict(zip(axes, mesh))
    ar = model_arrays(model, values)
    br = branches(ar)
    r = gaussian_states(ar, br)
    pt, slot = np.nonzero(br.valid)
    cols: dict[str, Any] = {path: np.broadcast_to(np.asarray(v, float), ar.shape).reshape(-1)[pt]
                            for path, v in values.items()}
    cols.update({"branch": slot, "n_branches": br.n_branches[pt],
                 "complete": br.complete[pt], "stable": r["stable"][pt, slot],
                 "growth rate": r["growth"][pt, slot]})
    for k, p in enumerate(model.pairs):
        cols[pair_column(p)] = r["E_N"][pt, slot, k]
    for k, c in enumerate(model.cavities):
        cols[f"photons {c.name}"] = np.abs(br.alpha[pt, slot, k]) ** 2
    return Table(pd.DataFrame(cols))


__all__ = ["ModelPoint", "ModelMeanField", "ModelResult", "analyze_model", "analyze_branches",
           "steady_states_of", "sweep_model", "model_drift", "model_diffusion",
           "gaussian_states", "pair_column"]
