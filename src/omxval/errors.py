"""The root of omxval's exceptions (subpackages define the specific ones)."""

from __future__ import annotations


class OmxvalError(Exception):
    """Base class of every error omxval raises on purpose.

    Catch it to handle any omxval failure; the specific classes (bad input, memory refusal,
    convergence failure, refused output location) also derive from the matching built-in
    exception (``ValueError``, ``MemoryError``, ``RuntimeError``) so that generic handlers
    keep working.
    """


class InputError(OmxvalError, ValueError):
    """A value outside its valid range, an unknown choice, or inputs that contradict each
    other; the message names the parameter and the valid range. Nothing was computed."""


class InputTypeError(OmxvalError, TypeError):
    """A parameter of the wrong type (e.g. ``kappa=True`` or ``kappa="0.2"``); the message
    names the parameter."""


class OmxvalWarning(UserWarning):
    """Base class of omxval's warnings (filter them all with this class)."""


__all__ = ["OmxvalError", "InputError", "InputTypeError", "OmxvalWarning"]
