"""Checks of option fields, run when an options object is built (one home for them).

The rules of :mod:`omxval.errors`: a value of the wrong type raises
:class:`~omxval.errors.InputTypeError` (a TypeError), a value of the right type outside its
range :class:`~omxval.errors.InputError` (a ValueError); both messages name the field and
its valid range. Choices among names use :func:`omxval.linear.parameters.check_choice`.
A leaf: it imports nothing of :mod:`fullquantum` (only :mod:`omxval.linear.checks`).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from ..linear.checks import short_repr


def check_int(name: str, value: Any, *, minimum: int, optional: bool = False,
              meaning: str = "") -> int | None:
    """Return ``value`` as an int if it is an integer ≥ ``minimum`` (or None if ``optional``).

    Parameters
    ----------
    name : str
        The field, as the messages call it.
    value : Any
        An integer (Python or NumPy); bool and integral floats (``2.0``) are refused.
    minimum : int
        Smallest valid value.
    optional : bool
        Whether None is valid (and returned as is).
    meaning : str
        What None means, for the message (e.g. "the default").

    Returns
    -------
    int or None

    Raises
    ------
    InputTypeError
        ``value`` is not an integer (nor None when ``optional``).
    InputError
        ``value`` is below ``minimum``.
    """
    valid = f"an integer >= {minimum}"
    if optional:
        valid = f"None{f' ({meaning})' if meaning else ''} or {valid}"
    if value is None and optional:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be {valid}; got {short_repr(value)}")
    if value < minimum:
        raise InputError(f"{name} must be {valid}; got {short_repr(value)}")
    return int(value)


def check_flag(name: str, value: Any) -> bool:
    """Return ``value`` as a bool if it is one; else raise InputTypeError naming ``name``.

    ``1`` or ``"yes"`` are refused: they would silently pick a setting.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be True or False; got {short_repr(value)}")
    return bool(value)


def check_mapping(name: str, value: Any, reserved: tuple[str, ...] = (),
                  instead: str = "") -> dict[str, Any]:
    """Return a copy of ``value`` if it is a mapping with str keys and none of ``reserved``.

    Parameters
    ----------
    name : str
        The field, as the messages call it.
    value : Any
        A mapping of keyword names to values.
    reserved : tuple of str
        Keys that belong elsewhere.
    instead : str
        Where the reserved keys belong, for the message.

    Raises
    ------
    InputTypeError
        Not a mapping, or a key that is not a str.
    InputError
        A reserved key.
    """
    if not isinstance(value, Mapping):
        raise InputTypeError(f"{name} must be a mapping of keyword names to values; got "
                             f"{short_repr(value)}")
    bad = [k for k in value if not isinstance(k, str)]
    if bad:
        raise InputTypeError(f"{name} keys must be keyword names (str); got {short_repr(bad)}")
    clash = sorted(set(reserved) & set(value))
    if clash:
        raise InputError(f"{name} must not contain {clash}{f': {instead}' if instead else ''}")
    return dict(value)


def check_instance(name: str, value: Any, cls: type, what: str) -> Any:
    """Return ``value`` if it is an instance of ``cls``; else raise InputTypeError.

    Parameters
    ----------
    name : str
        The field, as the messages call it.
    value : Any
    cls : type
    what : str
        How the message names the expected type (e.g. "a StructuredOptions").
    """
    if not isinstance(value, cls):
        raise InputTypeError(f"{name} must be {what}; got {type(value).__name__} "
                             f"{short_repr(value)}")
    return value


__all__ = ["check_int", "check_flag", "check_mapping", "check_instance"]
