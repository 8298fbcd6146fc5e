"""Mode operators on the truncated Fock space (docs/conventions.md §2).

Fock dimensions are ordered (ccw, cw, mechanics); a cutoff N keeps the levels 0 … N−1 of a
mode. Quadratures X = (a + a†)/√2, Y = i(a† − a)/√2 (q, p likewise for the mechanics), in
the fixed order u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import qutip

from ..errors import InputError

Cutoffs = tuple[int, int, int]

# Smallest useful cutoff: with one level a mode's ladder operator is zero.
MIN_CUTOFF = 2
MODE_NAMES: tuple[str, str, str] = ("ccw", "cw", "mechanics")


def check_cutoffs(cutoffs, name: str = "cutoffs") -> Cutoffs:
    """Return ``cutoffs`` as a tuple of three ints or raise an InputError naming them.

    The one check of Fock cutoffs, used by the solver and by the configuration.

    Parameters
    ----------
    cutoffs : sequence of 3 int
        Fock cutoffs (N_ccw, N_cw, N_m), each ≥ 2.
    name : str
        How the message calls them (e.g. ``"point.cutoffs"`` for a configuration key).
    """
    valid = f"three integers (N_ccw, N_cw, N_m), each >= {MIN_CUTOFF}"
    try:
        values = tuple(cutoffs)
    except TypeError:
        raise InputError(f"{name} must be {valid}; got {cutoffs!r}") from None
    if len(values) != 3 or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool)
                                   and n >= MIN_CUTOFF for n in values):
        raise InputError(f"{name} must be {valid}; got {cutoffs!r}")
    return tuple(int(n) for n in values)


def check_mode_cutoffs(cutoffs, modes, name: str = "cutoffs") -> tuple[int, ...]:
    """Fock cutoffs of a model, one per mode in mode order, each ≥ 2, or an InputError.

    Parameters
    ----------
    cutoffs : sequence of int, or mapping of mode name → int
        A mapping must name every mode.
    modes : int or sequence of str
        The number of modes, or their names (then a mapping is accepted and the message
        names them).
    name : str
        How the message calls them.

    Returns
    -------
    tuple of int
    """
    names = tuple(modes) if not isinstance(modes, numbers.Integral) else None
    n = len(names) if names is not None else int(modes)
    label = "(" + ", ".join("N_" + m for m in names) + ")" if names else "values"
    valid = f"{n} integers {label}, in mode order, each >= {MIN_CUTOFF}"
    if isinstance(cutoffs, dict) or hasattr(cutoffs, "keys"):
        if names is None or set(cutoffs) != set(names):
            raise InputError(f"{name} as a mapping must name every mode "
                             f"({', '.join(names or ())}); got {sorted(cutoffs)}")
        cutoffs = [cutoffs[m] for m in names]
    try:
        values = tuple(cutoffs)
    except TypeError:
        raise InputError(f"{name} must be {valid}; got {cutoffs!r}") from None
    if len(values) != n or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                   and v >= MIN_CUTOFF for v in values):
        raise InputError(f"{name} must be {valid}; got {cutoffs!r}")
    return tuple(int(v) for v in values)


def _quadratures(ladders) -> tuple[qutip.Qobj, ...]:
    """(x, p) of each ladder operator in turn, x = (o + o†)/√2, p = i(o† − o)/√2 (§2)."""
    out = []
    for c in ladders:
        out += [(c + c.dag()) / math.sqrt(2.0), 1j * (c.dag() - c) / math.sqrt(2.0)]
    return tuple(out)


@dataclass(frozen=True)
class FockModes:
    """Ladder operators and quadratures of any number of modes on the joint truncated space.

    Attributes
    ----------
    names : tuple of str
        Mode names, in the order of the cutoffs.
    cutoffs : tuple of int
    ladders : tuple of Qobj
        The annihilation operator of each mode.
    """

    names: tuple[str, ...]
    cutoffs: tuple[int, ...]
    ladders: tuple[qutip.Qobj, ...]

    @property
    def quadratures(self) -> tuple[qutip.Qobj, ...]:
        """u = (x_1, p_1, x_2, p_2, …), x = (o + o†)/√2, p = i(o† − o)/√2 (§2)."""
        return _quadratures(self.ladders)


def fock_modes(names, cutoffs) -> FockModes:
    """The mode operators of a model's modes at ``cutoffs`` (checked, one per name)."""
    names = tuple(names)
    dims = check_mode_cutoffs(cutoffs, names)
    ladders = []
    for k in range(len(dims)):
        factors = [qutip.qeye(n) for n in dims]
        factors[k] = qutip.destroy(dims[k])
        ladders.append(qutip.tensor(*factors))
    return FockModes(names, dims, tuple(ladders))


@dataclass(frozen=True)
class ModeOperators:
    """Ladder operators and quadratures of the three modes on the joint truncated space.

    Attributes
    ----------
    cutoffs : (int, int, int)
        (N_ccw, N_cw, N_m).
    a_ccw, a_cw, b : Qobj
        Annihilation operators of the CCW, CW and mechanical modes.
    q, p : Qobj
        Mechanical quadratures (b + b†)/√2 and i(b† − b)/√2.
    """

    cutoffs: Cutoffs
    a_ccw: qutip.Qobj
    a_cw: qutip.Qobj
    b: qutip.Qobj
    q: qutip.Qobj
    p: qutip.Qobj

    @property
    def optical(self) -> dict[str, qutip.Qobj]:
        """{"ccw": a_ccw, "cw": a_cw}."""
        return {"ccw": self.a_ccw, "cw": self.a_cw}

    @property
    def ladders(self) -> tuple[qutip.Qobj, qutip.Qobj, qutip.Qobj]:
        """(a_ccw, a_cw, b) in the Fock-dimension order."""
        return self.a_ccw, self.a_cw, self.b

    @property
    def quadratures(self) -> tuple[qutip.Qobj, ...]:
        """u = (X_ccw, Y_ccw, X_cw, Y_cw, q, p) (docs/conventions.md §2)."""
        return _quadratures(self.ladders)

    @property
    def identity(self) -> qutip.Qobj:
        """Identity on the joint space."""
        return qutip.qeye(list(self.cutoffs))


def operators(cutoffs) -> ModeOperators:
    """The mode operators for Fock cutoffs (N_ccw, N_cw, N_m).

    Parameters
    ----------
    cutoffs : sequence of 3 int
        Each ≥ 2.

    Returns
    -------
    ModeOperators
    """
    dims = check_cutoffs(cutoffs)
    ladders = []
    for k in range(3):
        factors = [qutip.qeye(n) for n in dims]
        factors[k] = qutip.destroy(dims[k])
        ladders.append(qutip.tensor(*factors))
    b = ladders[2]
    return ModeOperators(cutoffs=dims, a_ccw=ladders[0], a_cw=ladders[1], b=b,
                         q=(b + b.dag()) / math.sqrt(2.0), p=1j * (b.dag() - b) / math.sqrt(2.0))
