"""Input checks shared by every part of omxval: types, ranges, choices, and blame.

The rules, stated once (docs/conventions.md §1):

* a value that is not a real number (bool, str, None, complex, ...) raises
  :class:`~omxval.errors.InputTypeError` (a TypeError) naming the parameter;
* a real number outside its range raises :class:`~omxval.errors.InputError` (a ValueError)
  naming the parameter and the range (the ranges of :class:`linear.System` include the
  magnitude limit :data:`MAX_MAGNITUDE`);
* a derived quantity that would leave float64 raises InputError naming the *user's* inputs
  that enter it, most unusual first (:func:`blame`).

This module depends on nothing else in :mod:`omxval.linear`, so that every other module
(and :mod:`omxval.fullquantum`, :mod:`omxval.compare`) can use it without import circles.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError

#: Largest |value| accepted for any numeric field of :class:`linear.System` (units of ω_m;
#: n_m in phonons). Why 1e30: every intermediate of the Gaussian model that *grows* with the
#: inputs is a fixed low power of them, so at the limit the largest are the quintic's
#: constant coefficient c·G0²ε²(κ² + J² + Δ_u²) ≲ 6e180, its roots |x| ≲ 2e40 (Fujiwara
#: bound), the Horner terms |c_k x^k| ≲ 1e202, the drift entries |G|² = 2x/c ≲ 1e100 and the
#: diffusion γ_m(2n_m + 1) ≲ 2e60 — all far below the float64 maximum 1.8e308. Physical
#: inputs sit 20+ decades inside it (paper set: ε ≈ 5.5e4, n_m ≈ 270, rates ≲ 1e8).
MAX_MAGNITUDE: float = 1e30


def short_repr(value: Any, width: int = 40) -> str:
    """repr of ``value`` cut to ``width`` characters (a 400-digit int stays readable)."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def is_real_scalar(value: Any) -> bool:
    """True for int, float, NumPy integer/floating scalars and 0-d real arrays; not bool."""
    if isinstance(value, (bool, np.bool_)):
        return False  # bool is an int subclass, but True as a rate is a bug, not a number
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, numbers.Real)


def valid_range(low: float | None, low_inclusive: bool, high: float | None,
                limit: float | None, high_inclusive: bool = False) -> str:
    """Text of the valid interval, e.g. ``(0, 1e+30]``."""
    lo = low if low is not None else (-limit if limit is not None else None)
    lo_txt = "-inf" if lo is None else f"{lo:g}"
    bracket = "[" if (lo is not None and (low is None or low_inclusive)) else "("
    if limit is not None and (high is None or limit < high):
        return f"{bracket}{lo_txt}, {limit:g}]"
    close = "]" if high is not None and high_inclusive else ")"
    return f"{bracket}{lo_txt}, {'inf' if high is None else f'{high:g}'}{close}"


def check_real(name: str, value: Any, *, low: float | None = None,
               low_inclusive: bool = True, high: float | None = None,
               limit: float | None = None, high_inclusive: bool = False) -> float:
    """Return ``value`` as a float after checking its type and range.

    Parameters
    ----------
    name : str
        Parameter name used in the messages.
    value : Any
        Must be a real number (see :func:`is_real_scalar`).
    low, low_inclusive : float or None, bool
        Lower bound and whether it is allowed.
    high : float or None
        Upper bound, exclusive unless ``high_inclusive``.
    limit : float or None
        Magnitude limit, |value| ≤ limit (inclusive).
    high_inclusive : bool
        Whether ``high`` itself is allowed.

    Returns
    -------
    float

    Raises
    ------
    InputTypeError
        ``value`` is not a real number (bool, str, None, complex, arrays, ...).
    InputError
        Not finite or outside the range; the message names ``name`` and the range.
    """
    valid = valid_range(low, low_inclusive, high, limit, high_inclusive)
    if not is_real_scalar(value):
        raise InputTypeError(f"{name} must be a real number, got {short_repr(value)}")
    try:
        x = float(value)
    except OverflowError:  # a Python int beyond float64
        raise InputError(f"{name} must lie in {valid}; got {short_repr(value)}") from None
    if not math.isfinite(x):
        raise InputError(f"{name} must be finite, in {valid}; got {short_repr(value)}")
    if low is not None and (x < low or (x == low and not low_inclusive)):
        raise InputError(f"{name} must lie in {valid}; got {x:g}")
    if high is not None and (x > high or (x == high and not high_inclusive)):
        raise InputError(f"{name} must lie in {valid}; got {x:g}")
    if limit is not None and abs(x) > limit:
        raise InputError(f"{name} must lie in {valid}; got {x:g} (|{name}| <= {limit:g} keeps "
                         "every derived quantity finite in float64; see System)")
    return x


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool if it is one (Python or NumPy).

    Raises
    ------
    InputTypeError
        Anything else, naming ``name``: ``1`` or ``"yes"`` would silently pick a setting.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be a bool (True or False), got {short_repr(value)}")
    return bool(value)


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    InputError
        ``value`` is not one of ``choices`` (a non-string included); the message lists them.
    """
    if not isinstance(value, str) or value not in choices:
        raise InputError(f"{name} must be one of {', '.join(repr(c) for c in choices)}; "
                         f"got {short_repr(value)}")
    return value


def out_of_range(values: Any, *, low: float | None = None, low_inclusive: bool = True,
                 high: float | None = None, limit: float | None = None) -> np.ndarray:
    """Boolean mask of the elements that :func:`check_real` would refuse (non-finite too)."""
    a = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(a)
        if low is not None:
            bad |= (a < low) | ((a == low) & (not low_inclusive))
        if high is not None:
            bad |= a >= high
        if limit is not None:
            bad |= np.abs(a) > limit
    return bad


def check_array(name: str, values: Any, **kw: Any) -> np.ndarray:
    """Array version of :func:`check_real`: returns a float array; the first bad element raises.

    Parameters
    ----------
    name : str
        Parameter name used in the messages.
    values : array_like
        Real numbers.
    **kw
        The range of :func:`check_real` (``low``, ``low_inclusive``, ``high``, ``limit``).

    Raises
    ------
    InputTypeError
        ``values`` is not numeric: bool, string, object (e.g. holding None) or complex
        arrays are refused rather than converted (``np.asarray([True], float)`` would
        silently give 1.0).
    InputError
        An element is not finite or outside the range of :func:`check_real`.
    """
    a = np.asarray(values)
    if a.dtype.kind == "b":
        raise InputTypeError(f"{name} must be real numbers, got a bool array {short_repr(a)}")
    if a.dtype.kind not in "iuf":
        raise InputTypeError(f"{name} must be real numbers, got an array of dtype {a.dtype}: "
                             f"{short_repr(a)}")
    a = a.astype(float, copy=False)
    bad = out_of_range(a, **kw)
    if np.any(bad):
        check_real(name, float(a[bad].flat[0]), **kw)  # raises, with the scalar's message
    return a


def or_nan(compute: Callable[[], Any]) -> Any:
    """``compute()``, or NaN where Python float arithmetic overflows or divides by zero.

    The NaN is then refused by a range check that names the inputs (``PaperSetup``).
    """
    try:
        return compute()
    except (OverflowError, ZeroDivisionError):
        return math.nan


def decades(value: float, reference: float = 1.0) -> float:
    """How unusual ``value`` is: |log10(|value|/reference)| (0 for zero or non-positive refs)."""
    v = abs(float(value))
    if v == 0.0 or reference <= 0.0:
        return 0.0
    if not math.isfinite(v):
        return math.inf
    return abs(math.log10(v / reference))


def blame(values: Mapping[str, Any], names: Iterable[str] | None = None,
          references: Mapping[str, float] | None = None) -> str:
    """Format the inputs entering a quantity, most unusual first: ``"eps=1e+100, G0=0.05"``.

    Used by every overflow message so that it names the user's parameters, with the likely
    culprit first.

    Parameters
    ----------
    values : mapping
        Input name → value (scalars).
    names : iterable of str, optional
        The inputs that enter the quantity (default: all of ``values``).
    references : mapping, optional
        Typical value of each input; an input is ranked by how many decades it lies from
        its reference (default 1, the scale of ω_m for the dimensionless fields).

    Returns
    -------
    str
    """
    names = list(values if names is None else names)
    refs = references or {}
    ranked = sorted(names, key=lambda n: -decades(values[n], refs.get(n, 1.0)))
    return ", ".join(f"{n}={float(values[n]):g}" for n in ranked)


__all__ = ["MAX_MAGNITUDE", "short_repr", "is_real_scalar", "valid_range", "check_real",
           "check_bool", "check_choice", "out_of_range", "check_array", "or_nan", "decades",
           "blame"]
