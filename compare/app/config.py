"""Configuration of the validation studies: frozen dataclasses, loadable from TOML.

A user TOML file overrides any part of the built-in defaults::

    [design]            # the reduced-scale operating point (docs/conventions.md §5)
    coupling = 0.2
    [converge]
    max_cutoffs = [6, 5, 12]

With ``[model] file = "my_model.toml"`` (or ``--model FILE``) the studies run on that model
(docs/models.md) instead of ``[design]``: map axes are then its parameters or ``s``.

Unknown sections or keys are an error that lists the valid ones.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, InputTypeError
from ... import fullquantum
from ... import linear
from ...linear.checks import check_choice, check_real
from ...linear.conventions import BATHS, DIRECTIONS
from ..studies import convergence
from ..studies.agreement import Tolerances
from ..studies.maps import ENGINES, MAX_POINTS, MapSpec
from ..studies.modelmaps import SCALE, ModelMapSpec
from ..studies.reference import REFERENCE_BATH, REFERENCE_DESIGN, REFERENCE_DIRECTION
from ..studies.validity import ValidityCriteria

HAMILTONIANS = fullquantum.HAMILTONIANS
_CRITERIA = ValidityCriteria()  # the one source of the validity defaults
_TOLERANCES = Tolerances()  # ... and of the agreement tolerances


def _cutoffs(name: str, value) -> tuple[int, int, int]:
    return fullquantum.check_cutoffs(value, name)


def _integer(name: str, value, minimum: int, meaning: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum} ({meaning}); got {value!r}")
    return value


def _numbers(name: str, values, minimum: int = 1) -> tuple[float, ...]:
    """A list of at least ``minimum`` finite numbers (a scalar or a string is refused)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InputError(f"{name} must be a list of numbers; got {values!r}")
    values = tuple(values)
    if len(values) < minimum or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values):
        raise InputError(f"{name} must be a list of at least {minimum} finite number(s); got "
                         f"{list(values)!r}")
    return tuple(float(v) for v in values)


def _positive(name: str, value: float) -> float:
    try:
        return check_real(name, value, low=0, low_inclusive=False)
    except InputTypeError as exc:  # a configuration's wrong type is a bad value there
        raise InputError(str(exc)) from None


@dataclass(frozen=True)
class DesignConfig:
    """Reduced-scale operating point (units of ω_m); defaults: the reference point of §5."""

    kappa: float = REFERENCE_DESIGN["kappa"]
    J: float = REFERENCE_DESIGN["J"]
    Delta_F: float = REFERENCE_DESIGN["Delta_F"]
    gamma_m: float = REFERENCE_DESIGN["gamma_m"]
    n_m: float = REFERENCE_DESIGN["n_m"]
    G0: float = REFERENCE_DESIGN["G0"]
    detuning: float = REFERENCE_DESIGN["detuning"]
    coupling: float = REFERENCE_DESIGN["coupling"]
    direction: str = REFERENCE_DIRECTION
    bath: str = REFERENCE_BATH

    def __post_init__(self) -> None:
        self.point()  # validates every field, naming it

    def design_kwargs(self) -> dict[str, Any]:
        """Deprecated: use :meth:`design` (the one design object). Keyword arguments of
        :func:`linear.design_point` except ``G0`` and ``direction``."""
        import warnings

        warnings.warn("DesignConfig.design_kwargs() is deprecated; use DesignConfig.design(), "
                      "a linear.Design", DeprecationWarning, stacklevel=2)
        kw = dataclasses.asdict(self)
        del kw["G0"], kw["direction"]
        return kw

    def design(self, **changes) -> linear.Design:
        """This section as the one design object, :class:`linear.Design` (``changes``
        applied)."""
        return linear.Design.from_dict({**dataclasses.asdict(self), **changes})

    def point(self, **changes) -> linear.OperatingPoint:
        """The operating point of this design, on its designed branch (``changes`` applied)."""
        return self.design(**changes).point()


@dataclass(frozen=True)
class SolverConfig:
    """How every full-quantum point is computed, and on what.

    ``method``, ``truncation_tol`` and ``memory_budget_bytes`` go to
    :func:`fullquantum.solve`. Cutoffs searched per point (the default everywhere but the
    convergence and linearization studies' fixed ladders) are raised until one more level
    changes V by less than ``V_tolerance`` (vacuum variance ½) and E_N by less than
    ``log_negativity_tolerance``, trying at most ``max_dimension`` = N_ccw·N_cw·N_m.
    ``engine`` (serial, parallel, loky, mpi: see compare.studies.maps) and ``num_cpus`` (0: every core)
    run the points of maps and studies, one BLAS thread per worker. ``device = "gpu"`` runs
    the structured solver's preconditioner on a CUDA GPU (CuPy: ``pip install 'omxval[gpu]'``;
    checked at load, :func:`fullquantum.device_options`); the same states, the same cache keys.
    """

    method: str = "structured"
    truncation_tol: float = fullquantum.DEFAULT_TRUNCATION_TOL
    memory_budget_bytes: int = fullquantum.DEFAULT_MEMORY_BUDGET_BYTES
    V_tolerance: float = _CRITERIA.V_tolerance
    log_negativity_tolerance: float = _CRITERIA.log_negativity_tolerance
    max_dimension: int = 1000
    engine: str = "parallel"
    num_cpus: int = 0
    device: str = "cpu"

    def __post_init__(self) -> None:
        check_choice("solver.method", self.method, fullquantum.METHODS)
        fullquantum.device_options(self.device, self.method, "solver.device")
        try:  # SolveOptions is the one validation of these two
            fullquantum.SolveOptions(truncation_tol=self.truncation_tol,
                                     memory_budget_bytes=self.memory_budget_bytes)
        except (InputError, InputTypeError) as err:
            raise InputError(f"solver.{err}") from None
        _positive("solver.V_tolerance", self.V_tolerance)
        _positive("solver.log_negativity_tolerance", self.log_negativity_tolerance)
        check_choice("solver.engine", self.engine, ENGINES)
        _integer("solver.num_cpus", self.num_cpus, 0, "0: every core")
        _integer("solver.max_dimension", self.max_dimension, 8,
                 "the largest N_ccw·N_cw·N_m a cutoff search may try")

    def search(self, relative_error: float = _CRITERIA.relative_error) -> dict[str, Any]:
        """Keyword arguments of the per-point studies: ``criteria`` (these convergence
        tolerances, ``relative_error`` for "valid"), ``max_dimension`` and :meth:`options`."""
        criteria = ValidityCriteria(relative_error=relative_error, V_tolerance=self.V_tolerance,
                                    log_negativity_tolerance=self.log_negativity_tolerance)
        return {"criteria": criteria, "max_dimension": self.max_dimension, **self.options()}

    def workers(self) -> dict[str, Any]:
        """``engine`` and ``num_cpus`` (None for every core) of the point maps."""
        return {"engine": self.engine, "num_cpus": self.num_cpus or None}

    def options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`fullquantum.solve`."""
        return {"method": self.method, "truncation_tol": self.truncation_tol,
                "memory_budget_bytes": self.memory_budget_bytes,
                **fullquantum.device_options(self.device, self.method, "solver.device")}

    def check_memory(self, cutoffs, hamiltonian: str, bath: str) -> None:
        """Refuse (MemoryBudgetError) a solve at ``cutoffs`` before any study runs."""
        m = fullquantum.methods.as_method(self.method)
        fullquantum.check_budget(
            fullquantum.methods.method_estimate(m, cutoffs, hamiltonian, bath),
            self.memory_budget_bytes)


class _FormerModelKey:
    """``.model``: the former name of a section's ``hamiltonian`` (DeprecationWarning)."""

    @property
    def model(self) -> str:
        warnings.warn(f"{type(self).__name__}.model is now .hamiltonian (the key "
                      f"'hamiltonian' of the configuration)", DeprecationWarning, stacklevel=2)
        return self.hamiltonian


@dataclass(frozen=True)
class PointConfig(_FormerModelKey):
    """Gaussian vs full quantum at the design point.

    ``cutoffs = []`` (the default) converges the cutoffs for the point; three integers fix
    them. The judged ``hamiltonian`` is compared with the Gaussian one (approximation error), the
    ``linearized`` model at the same cutoffs is the truncation control.

    The agreement tolerances are named apart from the convergence ones of ``[solver]``
    (``V_tolerance``, ``log_negativity_tolerance``): they judge a different difference.
    """

    hamiltonian: str = "nonlinear"
    cutoffs: tuple[int, ...] = ()
    V_agreement: float = _TOLERANCES.V
    log_negativity_agreement: float = _TOLERANCES.log_negativity

    def __post_init__(self) -> None:
        check_choice("point.hamiltonian", self.hamiltonian, HAMILTONIANS)
        empty = isinstance(self.cutoffs, (tuple, list)) and len(self.cutoffs) == 0
        object.__setattr__(self, "cutoffs",
                           () if empty else _cutoffs("point.cutoffs", self.cutoffs))
        _positive("point.V_agreement", self.V_agreement)
        _positive("point.log_negativity_agreement", self.log_negativity_agreement)

    @property
    def V_tolerance(self) -> float:
        """Deprecated name of :attr:`V_agreement`."""
        warnings.warn("PointConfig.V_tolerance is now V_agreement", DeprecationWarning,
                      stacklevel=2)
        return self.V_agreement

    @property
    def log_negativity_tolerance(self) -> float:
        """Deprecated name of :attr:`log_negativity_agreement`."""
        warnings.warn("PointConfig.log_negativity_tolerance is now log_negativity_agreement",
                      DeprecationWarning, stacklevel=2)
        return self.log_negativity_agreement


#: Keys renamed in a section: old name -> new name (the old one still read, with a warning).
RENAMED_KEYS: dict[str, dict[str, str]] = {
    "point": {"V_tolerance": "V_agreement",
              "log_negativity_tolerance": "log_negativity_agreement",
              "model": "hamiltonian"},
    **{section: {"model": "hamiltonian"}
       for section in ("converge", "nonreciprocity", "map", "validity")}}


@dataclass(frozen=True)
class ConvergeConfig(_FormerModelKey):
    """Truncation-convergence study: refine each cutoff in turn from ``start_cutoffs``."""

    hamiltonian: str = "linearized"
    start_cutoffs: tuple[int, int, int] = convergence.DEFAULT_START
    max_cutoffs: tuple[int, int, int] = convergence.DEFAULT_MAXIMUM
    V_tolerance: float = convergence.DEFAULT_V_TOLERANCE
    log_negativity_tolerance: float = convergence.DEFAULT_LOG_NEGATIVITY_TOLERANCE

    def __post_init__(self) -> None:
        check_choice("converge.hamiltonian", self.hamiltonian, HAMILTONIANS)
        start = _cutoffs("converge.start_cutoffs", self.start_cutoffs)
        stop = _cutoffs("converge.max_cutoffs", self.max_cutoffs)
        if any(a > b for a, b in zip(start, stop)):
            raise InputError(f"converge.start_cutoffs {start} must not exceed "
                             f"converge.max_cutoffs {stop} in any mode")
        object.__setattr__(self, "start_cutoffs", start)
        object.__setattr__(self, "max_cutoffs", stop)
        _positive("converge.V_tolerance", self.V_tolerance)
        _positive("converge.log_negativity_tolerance", self.log_negativity_tolerance)


@dataclass(frozen=True)
class LinearizationConfig:
    """The nonlinearity ladder with the ``nonlinear`` model: G0 at fixed (Δ̃_c, |G_d|) for
    ``[design]`` (at ``cutoffs``), the scale ``s`` for a ``[model]`` (docs/models.md Eq. M7;
    cutoffs converged at the largest s and kept along the ladder). The default s ladder is
    today's G0 ladder over the design's G0."""

    G0: tuple[float, ...] = (0.2, 0.1, 0.05, 0.025, 0.0125)  # docs/conventions.md §5 ladder
    cutoffs: tuple[int, int, int] = (4, 3, 8)
    s: tuple[float, ...] = (4.0, 2.0, 1.0, 0.5, 0.25)

    def __post_init__(self) -> None:
        for name in ("G0", "s"):
            g = tuple(_positive(f"linearization.{name}", v)
                      for v in _numbers(f"linearization.{name}", getattr(self, name)))
            if len(g) < 3:
                raise InputError(f"linearization.{name} needs at least 3 values for a fit; "
                                 f"got {g}")
            object.__setattr__(self, name, g)
        object.__setattr__(self, "cutoffs", _cutoffs("linearization.cutoffs", self.cutoffs))


@dataclass(frozen=True)
class ModelConfig:
    """Your own model (docs/models.md): with ``file`` set, the studies run on it.

    ``file`` is a model file (TOML, ``omxval model FILE`` prints it), relative to the
    working directory; ``branch`` the mean-field branch studied; ``pairs`` the pairs of
    modes judged (``[["a", "b"], ...]``; empty: those with a nonzero Gaussian E_N).
    """

    file: str = ""
    branch: int = 0
    pairs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.file, str):
            raise InputError(f"model.file must be a path (a string); got {self.file!r}")
        _integer("model.branch", self.branch, 0, "a mean-field branch index")
        pairs = []
        for p in self.pairs:
            if isinstance(p, str) or not hasattr(p, "__len__") or len(p) != 2 or \
                    not all(isinstance(m, str) for m in p):
                raise InputError(f"model.pairs must be a list of [mode, mode] pairs; got "
                                 f"{list(self.pairs)!r}")
            pairs.append((p[0], p[1]))
        object.__setattr__(self, "pairs", tuple(pairs))

    def load(self) -> linear.Model:
        """The model of ``file`` (InputError naming the file and key if it is bad)."""
        return linear.Model.from_toml(self.file)


@dataclass(frozen=True)
class NonreciprocityConfig(_FormerModelKey):
    """E_N against the bare detuning Δ_c for both drives and both baths.

    The design point (with ``Delta_F`` replaced) fixes the laser; ``Delta_c`` lists the bare
    detunings of the full-quantum points, each solved at cutoffs converged for it.
    """

    # Detunings whose cutoffs converge in seconds; nearer the instability edges (ccw below
    # 0.5, cw near 1.0) the fluctuations and the Fock spaces grow (minutes a point).
    Delta_c: tuple[float, ...] = (0.6, 0.8, 1.2, 1.4, 1.6)
    Delta_F: float = 0.3
    hamiltonian: str = "nonlinear"
    relative_error: float = _CRITERIA.relative_error

    def __post_init__(self) -> None:
        object.__setattr__(self, "Delta_c", _numbers("nonreciprocity.Delta_c", self.Delta_c, 2))
        check_choice("nonreciprocity.hamiltonian", self.hamiltonian, HAMILTONIANS)
        _positive("nonreciprocity.relative_error", self.relative_error)




@dataclass(frozen=True)
class MapConfig(_FormerModelKey):
    """A validity map (``omxval map``): the design point with two keys swept.

    The other design keys come from ``[design]``, the solver from ``[solver]``. The default
    grid, for the default design (κ = 0.2): G0 on a log grid from 0.01 κ to 2 κ, against
    the driven mode's |G_d| from 0.05 to 0.65 — two thirds of the way to the fold of the
    mean field at |G_d| = 0.993 (beyond about 0.7 the fluctuations, hence the Fock spaces
    and the cost, grow fast: see docs/validity.md).
    """

    x: str = "G0"
    x_values: tuple[float, ...] = (0.002, 0.0036, 0.0065, 0.0117, 0.021, 0.038, 0.068,
                                   0.123, 0.222, 0.4)
    y: str = "coupling"
    y_values: tuple[float, ...] = (0.05, 0.117, 0.183, 0.25, 0.317, 0.383, 0.45, 0.517,
                                   0.583, 0.65)
    hamiltonian: str = "nonlinear"
    relative_error: float = _CRITERIA.relative_error
    absolute_floor: float = _CRITERIA.absolute_floor

    def __post_init__(self) -> None:
        for name in ("x", "y"):  # a model's parameter paths are checked with its model
            value = getattr(self, name)
            if not (isinstance(value, str) and _model_axis(value)):
                check_choice(f"map.{name}", value, linear.DESIGN_KEYS)
        if self.x == self.y:
            raise InputError(f"map.x and map.y must differ; both are {self.x!r}")
        for name in ("x_values", "y_values"):
            object.__setattr__(self, name, _numbers(f"map.{name}", getattr(self, name)))
        check_choice("map.hamiltonian", self.hamiltonian, HAMILTONIANS)
        _positive("map.relative_error", self.relative_error)
        _positive("map.absolute_floor", self.absolute_floor)

    def criteria(self, solver: "SolverConfig") -> ValidityCriteria:
        """The validity criteria of this map, with the solver's convergence tolerances."""
        return ValidityCriteria(self.relative_error, self.absolute_floor, solver.V_tolerance,
                                solver.log_negativity_tolerance)


@dataclass(frozen=True)
class ValidityConfig(MapConfig):
    """The report's validity section: a small map (≈ 1 min) around the design point."""

    x_values: tuple[float, ...] = (0.0125, 0.05, 0.2)
    y_values: tuple[float, ...] = (0.15, 0.25, 0.35)


@dataclass(frozen=True)
class ReportConfig:
    """Everything ``omxval report`` runs."""

    design: DesignConfig = field(default_factory=DesignConfig)
    solver: SolverConfig = field(default_factory=SolverConfig)
    point: PointConfig = field(default_factory=PointConfig)
    converge: ConvergeConfig = field(default_factory=ConvergeConfig)
    linearization: LinearizationConfig = field(default_factory=LinearizationConfig)
    nonreciprocity: NonreciprocityConfig = field(default_factory=NonreciprocityConfig)
    validity: ValidityConfig = field(default_factory=ValidityConfig)
    map: MapConfig = field(default_factory=MapConfig)
    model: ModelConfig = field(default_factory=ModelConfig)

    def __post_init__(self) -> None:
        # The maps' axes against [design] (or the model): a value refused there is refused
        # at load, naming the section, before any study runs. A model's [validity] whose
        # axes are design keys is not a map of that model: the model report skips it.
        for section in ("validity", "map"):
            if self.model.file and not self.is_model_map(section):
                continue
            try:
                self.map_spec(section)
            except InputError as exc:
                text = str(exc).replace("map.", f"{section}.", 1)
                raise InputError(text if text.startswith(f"{section}.")
                                 else f"[{section}] {text}") from None

    def is_model_map(self, section: str = "map") -> bool:
        """Whether ``[section]``'s axes are a model's (parameter paths or s)."""
        m = getattr(self, section)
        return _model_axis(m.x) or _model_axis(m.y)

    def map_spec(self, section: str = "map"):
        """The :class:`~omxval.compare.studies.maps.MapSpec` of ``[map]`` (or ``[validity]``)
        with ``[design]`` and ``[solver]``; with ``[model] file``, the
        :class:`~omxval.compare.studies.modelmaps.ModelMapSpec` of that model."""
        m: MapConfig = getattr(self, section)
        if self.model.file or self.is_model_map(section):
            if not self.model.file:
                raise InputError(f"axes {m.x!r}, {m.y!r} are a model's parameters: give "
                                 f"the model (--model FILE, or [model] file)")
            return ModelMapSpec(
                self.model.load(), m.x, m.x_values, m.y, m.y_values, branch=self.model.branch,
                pairs=self.model.pairs or None, hamiltonian=m.hamiltonian,
                criteria=m.criteria(self.solver), method=self.solver.method,
                memory_budget_bytes=self.solver.memory_budget_bytes,
                max_dimension=self.solver.max_dimension, source=self.model.file,
                device=self.solver.device)
        d = self.design
        return MapSpec(x=m.x, x_values=m.x_values, y=m.y, y_values=m.y_values,
                       design={k: getattr(d, k) for k in linear.DESIGN_KEYS},
                       direction=d.direction, bath=d.bath, hamiltonian=m.hamiltonian,
                       criteria=m.criteria(self.solver), method=self.solver.method,
                       memory_budget_bytes=self.solver.memory_budget_bytes,
                       max_dimension=self.solver.max_dimension, device=self.solver.device)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (TOML/JSON-friendly)."""
        return dataclasses.asdict(self)


def _model_axis(name: str) -> bool:
    """A map axis that names a model parameter path or the nonlinearity scale s."""
    return name == SCALE or name.startswith(("modes.", "couplings."))


def _renamed(values: dict[str, Any], where: str) -> dict[str, Any]:
    values = dict(values)
    for old, new in RENAMED_KEYS.get(where, {}).items():
        if old in values:
            if new in values:
                raise InputError(f"[{where}] has both {old} and {new}: {old} is the old name "
                                 f"of {new}; keep {new}")
            warnings.warn(f"[{where}] {old} is now called {new}", DeprecationWarning,
                          stacklevel=4)
            values[new] = values.pop(old)
    return values


def _build(cls, values: dict[str, Any], where: str):
    values = _renamed(values, where)
    valid = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(valid))
    if unknown:
        raise InputError(f"unknown key(s) {unknown} in [{where}]; valid keys: {sorted(valid)}")
    kw = {}
    for name, value in values.items():
        sub = valid[name].default_factory if valid[name].default_factory is not dataclasses.MISSING else None
        if sub is not None and dataclasses.is_dataclass(sub):
            if not isinstance(value, dict):
                raise InputError(f"[{name}] must be a table; got {value!r}")
            kw[name] = _build(sub, value, name)
        else:
            kw[name] = tuple(value) if isinstance(value, list) else value
    if where == "top level":
        return cls(**kw)
    try:
        return cls(**kw)
    except (InputError, TypeError) as exc:  # name the section of every message
        text = str(exc).replace("map.", f"{where}.", 1) if where == "validity" else str(exc)
        raise InputError(text if text.startswith((f"{where}.", f"[{where}]"))
                         else f"[{where}] {text}") from None


def config_from_dict(values: dict[str, Any]) -> ReportConfig:
    """Defaults overridden by ``values`` (nested dict as from TOML); validated."""
    return _build(ReportConfig, values, "top level")


#: One comment per key of ``omxval config``: meaning and unit (rates in units of ω_m).
KEY_HELP: dict[str, dict[str, str]] = {
    "design": {
        "kappa": "optical amplitude decay rate κ [ω_m] (collapse operator √(2κ)·a)",
        "J": "backscattering coupling J between the two optical modes [ω_m]",
        "Delta_F": "Sagnac–Fizeau shift Δ_F of the spinning resonator [ω_m]",
        "gamma_m": "mechanical damping rate γ_m [ω_m]",
        "n_m": "thermal phonon number n_m of the mechanical bath",
        "G0": "single-photon optomechanical coupling G0 [ω_m]",
        "detuning": "effective detuning Δ̃_c of the cavity from the drive [ω_m]",
        "coupling": "effective coupling |G_d| of the driven mode [ω_m]",
        "direction": "driven mode: ccw | cw",
        "bath": "mechanical bath: brownian (the paper's) | lindblad"},
    "solver": {
        "method": "steady-state method of fullquantum.solve (structured: omxval's own)",
        "truncation_tol": "largest population allowed in a top Fock level before a "
                          "TruncationWarning",
        "memory_budget_bytes": "memory one solve may use [bytes]; larger solves are refused "
                               "before anything is allocated",
        "V_tolerance": "convergence: one more Fock level must change V by less than this "
                       "(vacuum variance 1/2)",
        "log_negativity_tolerance": "convergence: one more Fock level must change E_N by "
                                    "less than this [ln]",
        "max_dimension": "largest d = N_ccw·N_cw·N_m a cutoff search may try",
        "engine": "engine of the points: serial | parallel | loky | mpi (also --map)",
        "num_cpus": "workers of the engine; 0: every core (also --num-cpus)",
        "device": "cpu | gpu: where the structured solver's preconditioner runs (gpu: CuPy)"},
    "point": {
        "hamiltonian": "full-quantum form judged: nonlinear | linearized | lab",
        "cutoffs": "Fock cutoffs [N_ccw, N_cw, N_m]; []: converged for the point",
        "V_agreement": "agreement: largest max|V_fq − V_Gaussian| for 'agree' (vacuum 1/2)",
        "log_negativity_agreement": "agreement: largest |E_N fq − E_N Gaussian| for "
                                    "'agree' [ln]"},
    "converge": {
        "hamiltonian": "full-quantum form whose truncation is studied",
        "start_cutoffs": "first cutoffs [N_ccw, N_cw, N_m] of the refinement",
        "max_cutoffs": "largest cutoffs the refinement may reach",
        "V_tolerance": "convergence: largest change of V per refinement (vacuum 1/2)",
        "log_negativity_tolerance": "convergence: largest change of E_N per refinement [ln]"},
    "linearization": {
        "G0": "the G0 ladder [ω_m] at fixed (Δ̃_c, |G_d|), at least 3 values",
        "cutoffs": "fixed Fock cutoffs [N_ccw, N_cw, N_m] of the ladder",
        "s": "with a [model]: the nonlinearity-scale ladder (every g0 × s, drive ÷ s), at "
             "least 3 values; cutoffs converged at the largest s"},
    "model": {
        "file": "your model file (TOML, docs/models.md); \"\": the spinning resonator of "
                "[design]",
        "branch": "mean-field branch of the model studied (omxval model FILE lists them)",
        "pairs": "pairs of modes judged, [[\"a\", \"b\"], ...]; []: those with a "
                 "nonzero Gaussian E_N"},
    "nonreciprocity": {
        "Delta_c": "bare detunings Δ_c of the full-quantum points [ω_m]",
        "Delta_F": "Sagnac–Fizeau shift of this study [ω_m]",
        "hamiltonian": "full-quantum form judged",
        "relative_error": "largest |ΔE_N| / E_N for a point to agree"},
}
_MAP_HELP = {
    "x": "x axis: a key of [design] (but direction and bath), or with a [model] one of its "
         "parameters (modes.NAME.KEY, couplings.I.g0|J) or s, the nonlinearity scale",
    "x_values": f"x grid values (at most {MAX_POINTS} points in all without "
                "--allow-large-grid)",
    "y": "y axis (as x)",
    "y_values": "y grid values",
    "hamiltonian": "full-quantum form judged at every point",
    "relative_error": "largest |E_N exact − E_N Gaussian| / E_N Gaussian for 'valid'",
    "absolute_floor": "below this |ΔE_N| [ln] a point is 'valid' whatever the relative "
                      "error (E_N ≈ 0)"}
KEY_HELP["validity"] = KEY_HELP["map"] = _MAP_HELP


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # Python's shortest round-trip repr is valid TOML (1e-05, 0.2)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def to_toml(config: ReportConfig) -> str:
    """``config`` as TOML, one commented table per section; :func:`config_from_dict` of
    ``tomllib.loads`` of it gives back an equal configuration."""
    out = ["# omxval configuration: every key, with its value. Pass a file holding any part",
           "# of this to --config; unknown keys are an error. Units: ω_m (docs/conventions.md).",
           ""]
    for f in dataclasses.fields(config):
        section = getattr(config, f.name)
        doc = (type(section).__doc__ or "").strip().splitlines()[0].replace("``", "`")
        out += [f"# {doc}", f"[{f.name}]"]
        for k, v in dataclasses.asdict(section).items():
            out += [f"# {k}: {KEY_HELP[f.name][k]}", f"{k} = {_toml_value(v)}"]
        out.append("")
    return "\n".join(out)


def load_config(path: str | Path | None, *, model: str | None = None) -> ReportConfig:
    """The built-in configuration, overridden by the TOML file at ``path`` if given, and
    ``model`` (a model file, the command's ``--model``) as its ``[model] file``."""
    if path is None:
        return config_from_dict({"model": {"file": model}} if model else {})
    try:
        values = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start} is "
                         f"{exc.object[exc.start:exc.start + 1]!r}); TOML files are UTF-8"
                         ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(f"cannot read configuration {path}: {exc.strerror}") from None
    if model:
        values = {**values, "model": {**values.get("model", {}), "file": model}}
    return config_from_dict(values)


__all__ = ["ReportConfig", "DesignConfig", "SolverConfig", "PointConfig", "ConvergeConfig",
           "ModelConfig",
           "LinearizationConfig", "NonreciprocityConfig", "MapConfig", "ValidityConfig", "load_config", "config_from_dict", "to_toml",
           "HAMILTONIANS", "BATHS", "DIRECTIONS"]
