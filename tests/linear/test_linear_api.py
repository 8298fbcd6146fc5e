"""One way in for a point, a validated Design, and the split of linear.parameters.

Every public function of ``omxval.linear`` that analyses a system takes an OperatingPoint
and gives exactly the numbers of its first-API form; a direction that contradicts the point
is refused naming both; a Design is validated when built; the old ``linear.parameters``
names still import.
"""

import dataclasses
import pathlib

import numpy as np
import pandas as pd
import pytest

from omxval import linear
from omxval.errors import InputError, InputTypeError
from tests.import_graph import find_cycle, import_graph

REFERENCE = dict(kappa=0.2, J=0.1, Delta_F=0.1, gamma_m=5e-3, n_m=0.2, G0=0.05, detuning=0.9,
                 coupling=0.25)
# Multistable (three branches), designed state on branch 2: a point whose branch is not 0.
BISTABLE = dict(kappa=0.1, J=0.0, Delta_F=0.0, gamma_m=1e-3, n_m=0.0, G0=1e-3, detuning=0.0,
                coupling=0.8)

POINTS = [(REFERENCE, "ccw", "brownian"), (REFERENCE, "cw", "lindblad"),
          (BISTABLE, "ccw", "brownian")]


@pytest.fixture(params=POINTS, ids=["reference-ccw", "reference-cw-lindblad", "bistable"])
def point(request) -> linear.OperatingPoint:
    design, direction, bath = request.param
    return linear.design_point(**design, direction=direction, bath=bath)


# --- one way in: a point gives the numbers of the old call form ------------------------------

def test_steady_states_of_a_point_equal_the_system_form(point):
    new = linear.steady_states(point)
    old = linear.steady_states(point.system, point.direction)
    assert new == old  # MeanField is a dataclass: exact equality of every field
    assert new[point.branch] == point.mean_field
    assert linear.steady_states(point, point.direction) == old  # a matching direction is fine


def test_drift_matrix_of_a_point_equals_the_system_form(point):
    A = linear.drift_matrix(point)
    assert np.array_equal(A, linear.drift_matrix(point.system, point.mean_field))
    assert np.array_equal(A, linear.drift_matrix(point, point.mean_field))


def test_diffusion_matrix_of_a_point_equals_the_system_form(point):
    assert np.array_equal(linear.diffusion_matrix(point), linear.diffusion_matrix(point.system))


def test_analyze_of_a_point_equals_the_system_form(point):
    new = linear.analyze(point)
    old = linear.analyze(point.system, point.direction, point.branch)
    assert new.point == old.point and new.stable == old.stable
    assert new.max_growth_rate == old.max_growth_rate
    for name in ("A", "D", "V"):
        assert np.array_equal(getattr(new, name), getattr(old, name), equal_nan=True)
    assert new.log_negativity_gaussian == old.log_negativity_gaussian or (
        np.isnan(new.log_negativity_gaussian) and np.isnan(old.log_negativity_gaussian))


def test_resolve_point_returns_the_point_and_builds_the_same_from_a_system(point):
    assert linear.resolve_point(point) is point
    built = linear.resolve_point(point.system, point.direction, point.branch)
    assert built == point and built.mean_field == point.mean_field


def test_sweep_of_a_point_equals_the_system_form(point):
    grid = dict(Delta_c=np.linspace(-0.5, 1.5, 7), n_m=[0.0, 1.0])
    new = linear.sweep(point, **grid)
    pd.testing.assert_frame_equal(new, linear.sweep(point.system, point.direction, **grid),
                                  check_exact=True)
    pd.testing.assert_frame_equal(new, linear.sweep(point, [point.direction], **grid),
                                  check_exact=True)
    assert (new["direction"] == point.direction).all()


def test_sweep_with_a_system_keeps_its_default_direction():
    s = linear.design_point(**REFERENCE).system
    pd.testing.assert_frame_equal(linear.sweep(s, Delta_c=[0.1, 0.2]),
                                  linear.sweep(s, "ccw", Delta_c=[0.1, 0.2]), check_exact=True)


def test_design_sweep_of_a_design_equals_the_mapping_form():
    d = linear.Design(**REFERENCE, direction="cw", bath="lindblad")
    det = np.linspace(0.5, 1.2, 5)
    new = linear.design_sweep(d, detuning=det)
    old = linear.design_sweep(dict(REFERENCE), "cw", "lindblad", detuning=det)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    # The mapping form keeps its defaults.
    pd.testing.assert_frame_equal(linear.design_sweep(dict(REFERENCE), detuning=det),
                                  linear.design_sweep(dict(REFERENCE), "ccw", "brownian",
                                                      detuning=det), check_exact=True)


# --- contradictions are refused, naming both ------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda p: linear.steady_states(p, "cw"),
    lambda p: linear.analyze(p, "cw"),
    lambda p: linear.resolve_point(p, "cw"),
    lambda p: linear.sweep(p, "cw", Delta_c=[0.1]),
    lambda p: linear.sweep(p, ["ccw", "cw"], Delta_c=[0.1]),
], ids=["steady_states", "analyze", "resolve_point", "sweep", "sweep-list"])
def test_a_contradicting_direction_names_both(call):
    p = linear.design_point(**REFERENCE, direction="ccw")
    with pytest.raises(InputError, match="contradicts") as err:
        call(p)
    assert "'cw'" in str(err.value) and "'ccw'" in str(err.value)


def test_a_design_refuses_a_contradicting_direction_or_bath():
    d = linear.Design(**REFERENCE, direction="ccw")
    for call in (lambda: linear.design_point(d, direction="cw"),
                 lambda: linear.design_sweep(d, "cw", detuning=[0.9]),
                 lambda: linear.design_point(d, bath="lindblad")):
        with pytest.raises(InputError, match="contradicts the design"):
            call()
    with pytest.raises(InputError, match="alone"):
        linear.design_point(d, 0.1)


def test_drift_matrix_refuses_another_branch_and_needs_a_mean_field_with_a_system():
    p = linear.design_point(**BISTABLE)
    other = linear.steady_states(p)[(p.branch + 1) % p.n_branches]
    with pytest.raises(InputError, match="contradicts"):
        linear.drift_matrix(p, other)
    with pytest.raises(InputError, match="mean_field is required"):
        linear.drift_matrix(p.system)


def test_a_system_without_direction_and_other_objects_are_refused():
    s = linear.design_point(**REFERENCE).system
    with pytest.raises(InputError, match="direction is required"):
        linear.steady_states(s)
    for f in (linear.steady_states, linear.diffusion_matrix, linear.drift_matrix,
              linear.analyze, linear.sweep):
        with pytest.raises(InputTypeError, match="OperatingPoint or a System"):
            f(REFERENCE)


# --- Design ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name,bad,error", [
    ("kappa", -1.0, InputError), ("kappa", 0.0, InputError), ("kappa", "0.2", InputTypeError),
    ("kappa", True, InputTypeError), ("G0", 0.0, InputError), ("coupling", -0.1, InputError),
    ("n_m", None, InputTypeError), ("detuning", np.nan, InputError),
    ("Delta_F", 1e31, InputError), ("direction", "up", InputError), ("bath", "x", InputError),
])
def test_design_is_validated_when_built_naming_the_field(name, bad, error):
    with pytest.raises(error, match=name):
        linear.Design(**{**REFERENCE, name: bad})
    with pytest.raises(error, match=name):  # design_point checks the same way
        linear.design_point(**{**REFERENCE, name: bad})
    with pytest.raises(error, match=name):  # and so does replace
        linear.Design(**REFERENCE).replace(**{name: bad})


def test_design_has_no_defaults_for_the_physical_fields():
    defaults = {f.name: f.default for f in dataclasses.fields(linear.Design)
                if f.default is not dataclasses.MISSING}
    assert defaults == {"direction": "ccw", "bath": "brownian"}
    assert tuple(f.name for f in dataclasses.fields(linear.Design)) == \
        linear.DESIGN_KEYS + ("direction", "bath")
    with pytest.raises(TypeError):
        linear.Design(kappa=0.2)


def test_design_is_frozen_hashable_and_stores_floats():
    d = linear.Design(**{**REFERENCE, "kappa": np.float32(0.25), "n_m": 1})
    assert type(d.kappa) is float and type(d.n_m) is float and d.n_m == 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.kappa = 0.3
    assert hash(d) == hash(linear.Design(**d.to_dict()))


@pytest.mark.parametrize("design,direction,bath", POINTS)
def test_design_point_equals_design_point_of_its_fields(design, direction, bath):
    d = linear.Design(**design, direction=direction, bath=bath)
    p = d.point()
    ref = linear.design_point(**design, direction=direction, bath=bath)
    assert p.system == ref.system and p.branch == ref.branch and p.direction == ref.direction
    assert p.mean_field == ref.mean_field
    q = linear.design_point(d)  # a Design as the only argument
    assert q.system == ref.system and q.branch == ref.branch
    assert linear.design_point(**d.to_dict()).system == ref.system


def test_design_to_dict_from_dict_round_trip():
    d = linear.Design(**BISTABLE, direction="cw", bath="lindblad")
    m = d.to_dict()
    assert m == {**BISTABLE, "direction": "cw", "bath": "lindblad"}
    assert linear.Design.from_dict(m) == d
    assert linear.Design.from_dict(dict(BISTABLE)) == linear.Design(**BISTABLE)  # defaults


def test_design_from_dict_refuses_unknown_and_missing_keys():
    with pytest.raises(InputError, match="unknown design field.*'Delta_c'") as err:
        linear.Design.from_dict({**REFERENCE, "Delta_c": 0.3})
    for valid in linear.DESIGN_KEYS + ("direction", "bath"):
        assert repr(valid) in str(err.value)  # the message lists the valid fields
    with pytest.raises(InputError, match="missing.*'coupling'"):
        linear.Design.from_dict({k: v for k, v in REFERENCE.items() if k != "coupling"})
    with pytest.raises(InputTypeError, match="mapping"):
        linear.Design.from_dict([("kappa", 0.2)])


def test_design_replace_is_validated_and_refuses_unknown_fields():
    d = linear.Design(**REFERENCE)
    e = d.replace(G0=0.01, direction="cw")
    assert (e.G0, e.direction, e.kappa) == (0.01, "cw", d.kappa) and d.G0 == 0.05
    with pytest.raises(InputError, match="unknown design field"):
        d.replace(eps=1.0)


def test_design_point_still_needs_every_number():
    with pytest.raises(InputTypeError, match="missing.*'coupling'"):
        linear.design_point(**{k: v for k, v in REFERENCE.items() if k != "coupling"})


# --- linear.parameters: every old name, the same objects ----------------------------------

# Every name defined at module level by linear/parameters.py before the split (HEAD, read
# with ``git show HEAD:linear/parameters.py``; its imports of numpy, math, ... left out).
OLD_PARAMETER_NAMES = [
    "Bath", "Direction", "BATHS", "DIRECTIONS", "MAX_MAGNITUDE", "_fmt", "_is_real_scalar",
    "_valid_range", "_check_real", "_check_bool", "check_choice", "_decades", "blame", "System",
    "mode_detunings", "OPTICAL_MODE", "MECHANICAL_MODE", "cut", "driven_first", "_LIM",
    "_SYSTEM_RANGES", "SYSTEM_FIELDS", "_check_array", "_or_nan", "_out_of_range",
    "check_system_arrays", "PaperSetup", "_SI_SOURCES", "_SI_REFERENCES", "InputError",
    "InputTypeError",
]
OLD_PARAMETER_ALL = ["System", "PaperSetup", "mode_detunings", "driven_first", "cut",
                     "OPTICAL_MODE", "MECHANICAL_MODE", "SYSTEM_FIELDS", "BATHS", "DIRECTIONS",
                     "MAX_MAGNITUDE", "blame", "check_choice", "check_system_arrays"]


def test_every_old_name_of_linear_parameters_still_imports():
    from omxval.linear import parameters
    missing = [n for n in OLD_PARAMETER_NAMES if not hasattr(parameters, n)]
    assert missing == []
    assert parameters.__all__ == OLD_PARAMETER_ALL
    assert linear.parameters is parameters  # still reachable as an attribute


def test_old_names_are_the_objects_of_the_new_modules():
    from omxval.linear import checks, conventions, device, parameters, system
    assert parameters._check_real is checks.check_real
    assert parameters._check_bool is checks.check_bool
    assert parameters._check_array is checks.check_array
    assert parameters._fmt is checks.short_repr
    assert parameters.check_choice is checks.check_choice
    assert parameters.blame is checks.blame
    assert parameters.MAX_MAGNITUDE == checks.MAX_MAGNITUDE == 1e30
    assert parameters._SYSTEM_RANGES is system.SYSTEM_RANGES
    assert parameters.System is system.System is linear.System
    assert parameters.PaperSetup is device.PaperSetup is linear.PaperSetup
    assert parameters.DIRECTIONS is conventions.DIRECTIONS
    assert parameters.Direction is conventions.Direction


def test_the_modules_of_linear_import_each_other_without_circles():
    graph = import_graph(pathlib.Path(linear.__file__).parent)
    assert find_cycle(graph) is None, find_cycle(graph)
    graph = {name.removeprefix("linear."): deps for name, deps in graph.items()}
    assert {"checks", "system", "device", "design", "parameters"} <= set(graph)
