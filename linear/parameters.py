"""Compatibility module: the names that ``linear.parameters`` held before it was split.

New code imports from the module that holds each concept:

* :mod:`linear.checks` — the shared input checks (:func:`~linear.checks.check_real`,
  :func:`~linear.checks.check_choice`, :func:`~linear.checks.blame`, :data:`MAX_MAGNITUDE`, ...);
* :mod:`linear.conventions` — directions, baths, mode indices and detunings;
* :mod:`linear.system` — :class:`System`, :data:`SYSTEM_FIELDS` and the ranges;
* :mod:`linear.device` — :class:`PaperSetup`, the SI device.

Every name this module defined, the private ones included, is re-exported unchanged (the
same objects), because :mod:`omxval.compare`, :mod:`omxval.fullquantum` and user code import
them from here.
"""

from __future__ import annotations

from ..errors import InputError, InputTypeError
from .checks import MAX_MAGNITUDE, blame, check_choice
from .checks import check_array as _check_array
from .checks import check_bool as _check_bool
from .checks import check_real as _check_real
from .checks import decades as _decades
from .checks import is_real_scalar as _is_real_scalar
from .checks import or_nan as _or_nan
from .checks import out_of_range as _out_of_range
from .checks import short_repr as _fmt
from .checks import valid_range as _valid_range
from .conventions import (BATHS, DIRECTIONS, MECHANICAL_MODE, OPTICAL_MODE, Bath, Direction,
                          cut, driven_first, mode_detunings)
from .device import _SI_REFERENCES, _SI_SOURCES, PaperSetup
from .system import _LIM, SYSTEM_FIELDS, System, check_system_arrays
from .system import SYSTEM_RANGES as _SYSTEM_RANGES

__all__ = ["System", "PaperSetup", "mode_detunings", "driven_first", "cut",
           "OPTICAL_MODE", "MECHANICAL_MODE", "SYSTEM_FIELDS", "BATHS", "DIRECTIONS",
           "MAX_MAGNITUDE", "blame", "check_choice", "check_system_arrays"]

# Private names, listed so that linters see them as re-exports.
_COMPAT = (InputError, InputTypeError, Bath, Direction, _check_array, _check_bool, _check_real,
           _decades, _is_real_scalar, _or_nan, _out_of_range, _fmt, _valid_range,
           _SI_REFERENCES, _SI_SOURCES, _LIM, _SYSTEM_RANGES)
