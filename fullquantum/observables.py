"""Observables of a density matrix on the truncated (ccw, cw, mechanics) space.

Moments use the truncated quadrature operators literally, V_kl = ⟨u_k u_l + u_l u_k⟩/2 −
⟨u_k⟩⟨u_l⟩ (docs/conventions.md §2); near the cutoff this differs from the infinite-space value by
about the top-level population, which :func:`top_populations` reports. Gaussian quantities
(log-negativity and entropy of V) come from :mod:`linear`, never re-derived here.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import qutip

from ..errors import InputError
from ..linear.gaussian import in_base

from .operators import ModeOperators

Base = Literal["e", "2"]


def moments(rho: qutip.Qobj, ops: ModeOperators) -> tuple[np.ndarray, np.ndarray]:
    """Means ⟨u⟩ (2n,) and symmetrised covariance V (2n, 2n) in the order of §2.

    Parameters
    ----------
    rho : Qobj
        Hermitian, unit-trace density matrix on the space of ``ops``.
    ops : ModeOperators or FockModes

    Returns
    -------
    means, V : ndarray
        Real; in the frame in which ``rho`` is written.
    """
    u = ops.quadratures
    means = np.array([qutip.expect(x, rho) for x in u]).real
    n = len(u)
    V = np.empty((n, n))
    for k in range(n):
        for l in range(k, n):
            sym = 0.5 * (u[k] * u[l] + u[l] * u[k])
            V[k, l] = V[l, k] = qutip.expect(sym, rho).real - means[k] * means[l]
    return means, V


def occupations(rho: qutip.Qobj, ops: ModeOperators) -> np.ndarray:
    """Mean Fock occupation ⟨c†c⟩ of each mode (in mode order) in ρ's frame."""
    return np.array([qutip.expect(c.dag() * c, rho).real for c in ops.ladders])


def top_populations(rho: qutip.Qobj) -> tuple[float, ...]:
    """Population of the highest kept Fock level of each mode, in mode order."""
    return tuple(float(rho.ptrace(k).diag()[-1].real) for k in range(len(rho.dims[0])))


def exact_log_negativity(rho: qutip.Qobj, modes: tuple[int, int] = (0, 1),
                         base: Base = "e") -> float:
    """E_N = ln‖ρ_{ij}^{T_j}‖₁ of the reduced state of ``modes`` (§5), transposing the second.

    Parameters
    ----------
    rho : Qobj
        Density matrix (any number of subsystems; the others are traced out).
    modes : (int, int)
        Subsystem indices (i, j), i ≠ j.
    base : {"e", "2"}
        Natural log (default, as in :mod:`linear`) or log2 (QuTiP's
        ``negativity(..., logarithmic=True)``).

    Returns
    -------
    float
        ≥ 0 up to round-off; 0 for separable PPT states.
    """
    in_base(0.0, base)  # validates base before any work
    i, j = modes
    n_sub = len(rho.dims[0])
    if not (0 <= i < n_sub and 0 <= j < n_sub and i != j):
        raise InputError(f"modes must be two different indices in [0, {n_sub - 1}]; "
                         f"got {modes!r}")
    keep = sorted((i, j))
    reduced = rho.ptrace(keep)
    mask = [0, 0]
    mask[keep.index(j)] = 1
    pt = qutip.partial_transpose(reduced, mask)
    trace_norm = float(np.sum(np.abs(np.linalg.eigvalsh(pt.full()))))
    return in_base(math.log(trace_norm), base)


def bipartite_exact_log_negativity(rho: qutip.Qobj, part_a, part_b, base: Base = "e"
                                   ) -> float:
    """E_N = ln‖ρ_AB^{T_B}‖₁ of the cut A|B, any number of modes on each side (§5).

    The modes outside A ∪ B are traced out; B is partially transposed. For one mode on each
    side it is :func:`exact_log_negativity`.

    Parameters
    ----------
    rho : Qobj
        Density matrix on a tensor product of modes.
    part_a, part_b : sequence of int
        Disjoint, non-empty sets of subsystem indices.
    base : {"e", "2"}

    Returns
    -------
    float
    """
    in_base(0.0, base)
    n_sub = len(rho.dims[0])
    a, b = [int(k) for k in part_a], [int(k) for k in part_b]
    if (not a or not b or set(a) & set(b) or len(set(a)) != len(a) or len(set(b)) != len(b)
            or not all(0 <= k < n_sub for k in a + b)):
        raise InputError(f"part_a and part_b must be disjoint, non-empty sets of subsystem "
                         f"indices in [0, {n_sub - 1}]; got {tuple(a)!r} and {tuple(b)!r}")
    keep = sorted(a + b)
    reduced = rho if len(keep) == n_sub else rho.ptrace(keep)
    mask = [int(k in b) for k in keep]
    pt = qutip.partial_transpose(reduced, mask)
    trace_norm = float(np.sum(np.abs(np.linalg.eigvalsh(pt.full()))))
    return in_base(math.log(trace_norm), base)


def von_neumann_entropy(eigenvalues: np.ndarray) -> float:
    """S = −Σ λ ln λ (nats) over the positive eigenvalues of ρ.

    The Brownian generator is not completely positive, so ρ may carry eigenvalues down to
    about −1e-8; they are left out here and reported separately as ``min_eigenvalue``.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    lam = lam[lam > 0.0]
    return float(-np.sum(lam * np.log(lam)))


__all__ = ["moments", "occupations", "top_populations", "exact_log_negativity",
           "bipartite_exact_log_negativity",
           "von_neumann_entropy"]
