"""Gaussian-state functions against closed forms (vacuum variance 1/2)."""

import math

import numpy as np
import pytest

from omxval.linear import (gaussian_entropy, gaussian_purity, is_physical, log_negativity,
                    mode_occupation, symplectic_eigenvalues)
from omxval.linear.gaussian import smallest_pt_symplectic_eigenvalue


def tmsv(r: float) -> np.ndarray:
    """Two-mode squeezed vacuum, order (x1, p1, x2, p2)."""
    c, s = math.cosh(2 * r) / 2, math.sinh(2 * r) / 2
    return np.array([[c, 0, s, 0], [0, c, 0, -s], [s, 0, c, 0], [0, -s, 0, c]])


def thermal(n: float) -> np.ndarray:
    return (n + 0.5) * np.eye(2)


@pytest.mark.parametrize("r", [0.05, 0.3, 1.0, 2.0])
def test_two_mode_squeezed_vacuum_has_EN_2r(r):
    assert log_negativity(tmsv(r)) == pytest.approx(2 * r, rel=1e-12)
    assert log_negativity(tmsv(r), base="2") == pytest.approx(2 * r / math.log(2), rel=1e-12)


def test_cut_selection_and_trace_out():
    # TMSV on modes 0 and 2 of a three-mode state, thermal mode 1 in between.
    V = np.zeros((6, 6))
    T = tmsv(0.4)
    idx = [0, 1, 4, 5]
    V[np.ix_(idx, idx)] = T
    V[2:4, 2:4] = thermal(3.0)
    assert log_negativity(V, (0, 2)) == pytest.approx(0.8)
    assert log_negativity(V, (2, 0)) == pytest.approx(0.8)
    assert log_negativity(V, (0, 1)) == 0.0
    with pytest.raises(ValueError, match="modes"):
        log_negativity(V, (0, 3))
    with pytest.raises(ValueError, match="base"):
        log_negativity(V, (0, 1), base="10")


def test_sigma_formula_equals_partial_transpose_spectrum():
    """Paper Eq. 12 against the symplectic spectrum of the partial transpose (p2 → −p2)."""
    rng = np.random.default_rng(7)
    for _ in range(50):
        S = rng.normal(size=(4, 4))
        V = S @ S.T + 0.5 * np.eye(4) * rng.uniform(1, 3)
        P = np.diag([1, 1, 1, -1.0])
        nu_pt = symplectic_eigenvalues(P @ V @ P)[0]
        assert smallest_pt_symplectic_eigenvalue(V) == pytest.approx(nu_pt, rel=1e-9)


def test_symplectic_eigenvalues_and_entropy_of_thermal_states():
    V = np.zeros((4, 4))
    V[:2, :2], V[2:, 2:] = thermal(0.7), thermal(2.5)
    assert np.allclose(symplectic_eigenvalues(V), [1.2, 3.0])
    g = lambda n: (n + 1) * math.log(n + 1) - n * math.log(n)  # noqa: E731
    assert gaussian_entropy(V) == pytest.approx(g(0.7) + g(2.5), rel=1e-12)
    assert gaussian_entropy(tmsv(0.9)) == pytest.approx(0.0, abs=1e-10)  # pure


def test_physicality():
    assert is_physical(tmsv(1.2))
    assert is_physical(0.5 * np.eye(6))
    assert not is_physical(0.4 * np.eye(2))
    squeezed_too_much = np.diag([0.1, 1.0])  # Δx Δp = 0.1 < 1/4
    assert not is_physical(squeezed_too_much)


def test_occupation_and_purity():
    V = np.zeros((4, 4))
    V[:2, :2], V[2:, 2:] = thermal(0.7), thermal(2.5)
    assert mode_occupation(V, 0) == pytest.approx(0.7) and mode_occupation(V, 1) == pytest.approx(2.5)
    # Thermal purity 1/(2n+1) per mode; pure TMSV has purity 1 and occupation sinh²r.
    assert gaussian_purity(V) == pytest.approx(1 / (2.4 * 6.0))
    assert gaussian_purity(tmsv(0.8)) == pytest.approx(1.0)
    assert mode_occupation(tmsv(0.8), 1) == pytest.approx(math.sinh(0.8) ** 2)
