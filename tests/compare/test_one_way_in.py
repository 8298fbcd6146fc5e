"""One way in: every study accepts an operating point (and a Design), with the same numbers
as its first API's forms; options and specs are checked when built."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from omxval import compare, linear
from omxval.errors import InputError, InputTypeError
from omxval.compare.studies.agreement import Tolerances
from omxval.compare.studies.maps import MapSpec
from omxval.compare.studies.paper_device import DeviceCriteria
from omxval.compare.studies.validity import ValidityCriteria
from tests.conftest import REFERENCE

DESIGN = {k: v for k, v in REFERENCE.items() if k != "G0"}


def test_design_of_a_point_gives_the_design_back():
    d = linear.Design(**REFERENCE)
    for direction in ("ccw", "cw"):
        e = linear.Design.of(d.replace(direction=direction).point())
        assert e.direction == direction and e.bath == d.bath
        for name in linear.DESIGN_KEYS:
            assert getattr(e, name) == pytest.approx(getattr(d, name), rel=1e-12, abs=1e-15)
    with pytest.raises(InputTypeError, match="OperatingPoint"):
        linear.Design.of(d)


def test_validity_point_takes_a_point_and_checks_it_agrees():
    point = linear.design_point(**REFERENCE)
    from_point = compare.validity_point(point)
    from_dict = compare.validity_point(dict(REFERENCE), "ccw")
    assert {**from_point, "seconds": 0} == {**from_dict, "seconds": 0}
    from_design = compare.validity_point(linear.Design(**REFERENCE))
    assert {**from_point, "seconds": 0} == {**from_design, "seconds": 0}
    assert from_point["status"] == "valid"
    with pytest.raises(InputError, match="contradicts"):
        compare.validity_point(point, "cw")
    with pytest.raises(InputError, match="contradicts"):
        compare.validity_point(linear.Design(**REFERENCE), bath="lindblad")


def test_linearization_study_takes_a_point_a_design_or_a_dict_alike():
    ladder, cutoffs = (0.02, 0.04, 0.08), (3, 2, 4)
    by_dict = compare.linearization_study(DESIGN, ladder, cutoffs=cutoffs)
    by_design = compare.linearization_study(linear.Design(**REFERENCE), ladder,
                                            cutoffs=cutoffs)
    by_point = compare.linearization_study(linear.design_point(**REFERENCE), ladder,
                                           cutoffs=cutoffs)
    cols = [c for c in by_dict.table.columns if c != "seconds"]
    pd.testing.assert_frame_equal(by_dict.table[cols], by_design.table[cols])
    # Design.of(point) equals the design to round-off, so the point's ladder agrees closely.
    np.testing.assert_allclose(by_point.table["max abs dV"], by_dict.table["max abs dV"],
                               rtol=1e-8)
    assert by_dict.verdict == by_design.verdict == by_point.verdict
    with pytest.raises(InputError, match="contradicts"):
        compare.linearization_study(linear.Design(**REFERENCE), ladder, direction="cw")


def test_nonreciprocity_study_takes_a_point():
    point = linear.design_point(**REFERENCE)
    kw = dict(directions=("ccw",), baths=("brownian",), curve=np.linspace(0.6, 1.0, 5))
    by_point = compare.nonreciprocity_study(point, [0.8], **kw)
    by_system = compare.nonreciprocity_study(point.system, [0.8], **kw)
    cols = [c for c in by_point.points.columns if c != "seconds"]
    pd.testing.assert_frame_equal(by_point.points[cols], by_system.points[cols])
    pd.testing.assert_frame_equal(by_point.curves, by_system.curves)
    with pytest.raises(InputTypeError, match="System or OperatingPoint"):
        compare.nonreciprocity_study(REFERENCE, [0.8])


@pytest.mark.parametrize("build, names", [
    (lambda: MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=[0.2], direction="up"),
     "map.direction"),
    (lambda: MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=[0.2], bath="ohmic"),
     "map.bath"),
    (lambda: MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=[0.2], hamiltonian="exact"),
     "map.hamiltonian"),
    (lambda: MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=[0.2], method="magic"),
     "map.method"),
    (lambda: MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=0.2), "map.y_values"),
    (lambda: MapSpec(x="G0", x_values=[0.1], y="coupling", y_values=[0.2],
                     max_dimension=2.5), "map.max_dimension"),
    (lambda: Tolerances(V=True), "tolerance V"),
    (lambda: Tolerances(log_negativity="1e-3"), "tolerance log_negativity"),
    (lambda: ValidityCriteria(relative_error=float("inf")), "relative_error"),
    (lambda: DeviceCriteria(max_passes=1.5), "max_passes"),
])
def test_specs_and_options_are_checked_when_built(build, names):
    with pytest.raises((InputError, InputTypeError), match=names.replace(".", r"\.")):
        build()


def test_a_map_spec_is_frozen_and_round_trips():
    spec = MapSpec(x="G0", x_values=[0.1, 0.2], y="coupling", y_values=[0.2])
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.x = "kappa"
    assert MapSpec.from_dict(spec.to_dict()) == spec
