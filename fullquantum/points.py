"""One way in for an operating point, for every public function of :mod:`fullquantum`.

Each function that takes a system accepts an :class:`~omxval.linear.OperatingPoint` (the
unit of work) or, in the first API's form, a :class:`~omxval.linear.System` with a
direction and branch. The conversion itself is :func:`omxval.linear.resolve_point`; this
module is where :mod:`fullquantum` takes it from, plus :func:`system_of` for the functions
that need only the system's parameters (the mechanical bath). A leaf within
:mod:`fullquantum`.
"""

from __future__ import annotations

from ..errors import InputTypeError
from ..linear import OperatingPoint, System, resolve_point


def system_of(point: OperatingPoint | System) -> System:
    """The System of an OperatingPoint, or a System itself.

    For the functions that need only the parameters, not the drive direction or the mean
    field (so a System needs no direction there).

    Parameters
    ----------
    point : OperatingPoint or System

    Returns
    -------
    System

    Raises
    ------
    InputTypeError
        ``point`` is neither.
    """
    if isinstance(point, OperatingPoint):
        return point.system
    if isinstance(point, System):
        return point
    raise InputTypeError(f"expected an OperatingPoint or a System, got {type(point).__name__}")


__all__ = ["resolve_point", "system_of"]
