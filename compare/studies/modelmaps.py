"""Validity maps of any model: two of its parameters (or the nonlinearity scale s) on a grid.

A :class:`ModelMapSpec` is to an :class:`omxval.Model` what :class:`~.maps.MapSpec` is to
the spinning resonator's design: the grid, the judged form, the criteria and the solver,
each point judged by :func:`~.modelvalidity.judge_model_point` at cutoffs converged there.
Axes are parameter paths of the model (``modes.NAME.KEY``, ``couplings.I.g0|J``; see
:meth:`omxval.Model.parameter_names`) or ``"s"``, the nonlinearity scale of the ladder
(docs/models.md Eq. M7: ``model.scaled(s)``, every g0 × s and every drive ÷ s, which keeps
the Gaussian model and scales the neglected terms). It runs through the same machinery —
:func:`~.maps.map_rows` (engines, shards, resume), :func:`~.maps.map_table`,
:func:`~.maps.verdict` — as every map.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from ... import __version__, fullquantum, linear
from ...errors import InputError
from ...fullquantum.modelresult import pair_label
from ...fullquantum.options import resolve_hamiltonian
from ...linear.checks import check_choice
from .convergence import predicted_point_cost
from .maps import MAX_POINTS, check_axes
from .modelvalidity import judge_model_point
from .search import ValidityCriteria
from .status import FAILED

#: The axis name of the nonlinearity scale (docs/models.md Eq. M7).
SCALE = "s"


def model_at(model: linear.Model, values: dict[str, float]) -> linear.Model:
    """``model`` with parameters set by path and, if ``"s"`` is among them, scaled by it."""
    params = {k: v for k, v in values.items() if k != SCALE}
    out = model.with_parameters(params) if params else model
    return out.scaled(values[SCALE]) if SCALE in values else out


@dataclass(frozen=True)
class ModelMapSpec:
    """A 2-D validity map of a model over two of its parameters, or one and ``s``.

    Attributes
    ----------
    model : omxval.Model
        The model at its own parameters (the axes override two of them).
    x, y : str
        Parameter paths (:meth:`~omxval.Model.parameter_names`) or ``"s"``.
    x_values, y_values : sequence of float
        Grid values; each is checked against the parameter's range before any work.
    branch : int
        Mean-field branch judged at every point (a point without it is ``failed``, with
        the number of branches there).
    pairs : sequence of (str, str), optional
        Pairs of modes judged (default at each point: those with a nonzero Gaussian E_N).
    hamiltonian, criteria, method, memory_budget_bytes, max_dimension, device
        As for :class:`~.maps.MapSpec` (``max_dimension`` bounds d = Π N_k).
    source : str
        Where the model came from (a model file, a preset), for reports; not part of the
        cache key, which hashes the model itself.
    """

    model: linear.Model
    x: str
    x_values: tuple[float, ...]
    y: str
    y_values: tuple[float, ...]
    branch: int = 0
    pairs: tuple[tuple[str, str], ...] | None = None
    hamiltonian: str = "nonlinear"
    criteria: ValidityCriteria = field(default_factory=ValidityCriteria)
    method: str = "structured"
    memory_budget_bytes: int = 4 * 1024**3
    max_dimension: int | None = None
    device: str = "cpu"
    source: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.model, linear.Model):
            raise InputError(f"map model must be an omxval.Model; got {type(self.model).__name__}")
        check_axes(self, (SCALE, *self.model.parameter_names()),
                   "a parameter of the model or 's' (the nonlinearity scale)")
        if isinstance(self.branch, bool) or not isinstance(self.branch, int) or self.branch < 0:
            raise InputError(f"map.branch must be an integer >= 0; got {self.branch!r}")
        if self.pairs is not None:
            pairs = tuple(tuple(p) for p in self.pairs)
            for p in pairs:
                if len(p) != 2 or p[0] == p[1] or any(m not in self.model.mode_names for m in p):
                    raise InputError(f"map.pairs must be pairs of two different mode names "
                                     f"({', '.join(self.model.mode_names)}); got {p!r}")
            object.__setattr__(self, "pairs", pairs)
        object.__setattr__(self, "hamiltonian", resolve_hamiltonian(
            self.hamiltonian, None, "nonlinear", "map.hamiltonian"))
        check_choice("map.method", self.method, fullquantum.METHODS)
        fullquantum.device_options(self.device, self.method, "map.device")
        if not isinstance(self.criteria, ValidityCriteria):
            raise InputError(f"map.criteria must be a ValidityCriteria; got {self.criteria!r}")
        for name, low in (("memory_budget_bytes", 1), ("max_dimension", 8)):
            v = getattr(self, name)
            if v is None and name == "max_dimension":
                continue
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise InputError(f"map.{name} must be an integer >= {low}; got {v!r}")
        # Every axis value through the model's own checks, before any work.
        for axis in ("x", "y"):
            key = getattr(self, axis)
            for i, v in enumerate(getattr(self, f"{axis}_values")):
                try:
                    model_at(self.model, {key: v})
                except (InputError, ValueError, TypeError) as exc:
                    raise InputError(f"map.{axis}_values[{i}] ({key} = {v!r}): {exc}") from None

    def check_grid(self, *, allow_large: bool = False) -> None:
        """Refuse a grid larger than :data:`~.maps.MAX_POINTS` unless ``allow_large``."""
        n = len(self.x_values) * len(self.y_values)
        if n > MAX_POINTS and not allow_large:
            raise InputError(f"the map has {n} points, more than the {MAX_POINTS} a map may "
                             f"have unless asked for (allow_large=True, omxval map "
                             f"--allow-large-grid)")

    def points(self) -> list[dict]:
        """Every grid point as {x: value, y: value}, x fastest."""
        return [{self.x: xv, self.y: yv} for yv in self.y_values for xv in self.x_values]

    def point(self, values: dict) -> linear.ModelPoint:
        """The model point at a grid point (the mean field solved there)."""
        return linear.ModelPoint(model_at(self.model, values), self.branch)

    def key(self, values: dict) -> str:
        """Cache key: the model, the point, every setting and omxval's version."""
        payload = {"point": values, **self._settings}
        text = json.dumps(payload, sort_keys=True, default=float)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @functools.cached_property
    def _settings(self) -> dict:
        return {"model": self.model.to_dict(), "branch": self.branch,
                "pairs": [list(p) for p in self.pairs] if self.pairs else None,
                "hamiltonian": self.hamiltonian, "criteria": dataclasses.asdict(self.criteria),
                "method": self.method, "memory_budget_bytes": self.memory_budget_bytes,
                "max_dimension": self.max_dimension, "omxval": __version__}

    def predicted_cost(self, values: dict) -> float:
        """Relative cost of a grid point from its Gaussian state (as
        :meth:`~.maps.MapSpec.predicted_cost`); 1 if it cannot be built or is unstable."""
        try:
            return predicted_point_cost(self.point(values), self.hamiltonian,
                                        V_tolerance=self.criteria.V_tolerance,
                                        max_dimension=self.max_dimension)
        except (InputError, ValueError, ArithmeticError, np.linalg.LinAlgError):
            return 1.0

    def row(self, values: dict) -> dict:
        """The table row of one grid point; a failure (also a missing branch) is a row."""
        try:
            point = self.point(values)
        except Exception as exc:  # noqa: BLE001 - a point that cannot be built is a row
            return {"status": FAILED, "message": f"{type(exc).__name__}: {exc}"}
        v = judge_model_point(point, self.hamiltonian, pairs=self.pairs,
                              criteria=self.criteria, max_dimension=self.max_dimension,
                              method=self.method, memory_budget_bytes=self.memory_budget_bytes,
                              **fullquantum.device_options(self.device, self.method))
        row = v.row()
        stable = sum(r.stable for r in linear.analyze_branches(point.model))
        row["multistable"] = stable > 1
        return row

    def columns(self) -> tuple[str, ...]:
        """The columns of ``map.csv`` after the two axes: the worst judged pair's numbers under
        the common names, then every pair's, cutoffs and quanta per mode."""
        names = self.model.mode_names
        per_pair = tuple(f"{what} {pair_label(p)}" for p in self.model.pairs
                         for what in ("E_N linear", "E_N exact", "abs dE_N", "rel dE_N",
                                      "truncation dE_N"))
        return ("status", "pairs", "worst pair", "E_N linear", "E_N exact", "abs dE_N",
                "rel dE_N", "max abs dV", "truncation dE_N", "truncation max abs dV",
                "max top population", *per_pair, *(f"N_{m}" for m in names),
                *(f"quanta {m}" for m in names), "n_branches", "complete", "multistable",
                "solves", "series", "series ratio", "series dV", "series residual dV",
                "leading order", "c2", "c2 dE_N", "c2 ratio",
                "seconds", "search limit", "refused cutoffs", "message")

    @property
    def title(self) -> str:
        """The model's name, for figure titles."""
        return self.model.name or "model"

    def fixed_text(self) -> str:
        """What the map holds fixed, one Markdown sentence."""
        others = [p for p in self.model.parameter_names() if p not in (self.x, self.y)]
        fixed = ", ".join(f"{p} = {self.model.parameter(p):.4g}" for p in others)
        pairs = (", ".join(f"{a}-{b}" for a, b in self.pairs) if self.pairs
                 else "those with a nonzero Gaussian E_N at each point")
        return (f"Model `{self.title}`{f' ({self.source})' if self.source else ''}, branch "
                f"{self.branch}, rates in units of the {self.model.unit}; fixed: {fixed}. "
                f"Pairs judged: {pairs}; each row's numbers are its worst judged pair's "
                f"(`worst pair`), every pair's are in `map.csv`")

    def summary_columns(self) -> tuple[str, ...]:
        """The columns of the report's table of points."""
        return (self.x, self.y, "status", "worst pair", "E_N linear", "E_N exact", "rel dE_N",
                "truncation dE_N", *(f"N_{m}" for m in self.model.mode_names), "series",
                "leading order", "c2 ratio", "seconds")

    def pair_labels(self) -> tuple[str, ...]:
        """Pairs of modes with their own figure, ``map_<a>-<b>.png``."""
        pairs = self.pairs or self.model.pairs
        return tuple(pair_label(p) for p in pairs)

    def advice_options(self) -> dict:
        """Keyword arguments of :func:`~.search.search_advice` (the model's own pattern)."""
        point = self.point({})
        return {"hamiltonian": self.hamiltonian, "bath": "brownian",
                "pattern": fullquantum.model_pattern(point, self.hamiltonian),
                "max_dimension": self.max_dimension, "budget_bytes": self.memory_budget_bytes}

    def to_dict(self) -> dict:
        """Plain dict (JSON/TOML-friendly): the model as its model-file mapping."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["model"] = self.model.to_dict()
        out["criteria"] = dataclasses.asdict(self.criteria)
        out["x_values"], out["y_values"] = list(self.x_values), list(self.y_values)
        out["pairs"] = [list(p) for p in self.pairs] if self.pairs else None
        return out

    @classmethod
    def from_dict(cls, values: dict) -> "ModelMapSpec":
        """The spec :meth:`to_dict` wrote."""
        values = dict(values)
        values["model"] = linear.Model.from_dict(values["model"])
        values["criteria"] = ValidityCriteria(**values.get("criteria", {}))
        return cls(**values)


__all__ = ["ModelMapSpec", "SCALE", "model_at"]
