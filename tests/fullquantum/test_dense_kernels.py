"""The structured solver's dense kernels against direct NumPy/SciPy computations.

The Hermitian congruence (one ``?trmm`` and one product instead of two products) and the
recursively blocked triangular Sylvester/Lyapunov solvers are checked on random matrices
larger than the recursion's leaf, in both precisions the mixed preconditioner uses.
"""

import numpy as np
import pytest
import scipy.linalg

from omxval.fullquantum.structured.sylvester import (_LEAF, _herm_congruence, _tri_lyapunov,
                                                     _tri_sylvester)

SIZES = (7, 2 * _LEAF + 13)  # below the leaf, and two levels of recursion


def random_complex(rng, shape, dtype=np.complex128):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


@pytest.mark.parametrize("dtype, rtol", [(np.complex128, 1e-13), (np.complex64, 1e-5)])
@pytest.mark.parametrize("n", SIZES)
def test_herm_congruence_equals_two_products(dtype, rtol, n):
    rng = np.random.default_rng(n)
    M = random_complex(rng, (n, n), dtype)
    Y = random_complex(rng, (n, n), dtype)
    Y = Y + Y.conj().T
    expected = (M.astype(np.complex128) @ Y.astype(np.complex128)) @ M.conj().T.astype(
        np.complex128)
    Y_before = Y.copy()
    got = _herm_congruence(M, np.ascontiguousarray(M.conj().T), Y)
    assert np.array_equal(Y, Y_before)  # the input is left alone
    assert got.dtype == dtype
    assert np.linalg.norm(got - expected) <= rtol * np.linalg.norm(expected)
    assert np.array_equal(got, got.conj().T)  # exactly Hermitian
    # Only the lower triangle is read: the upper one may hold anything.
    Y_low = np.tril(Y) + np.triu(random_complex(rng, (n, n), dtype), 1)
    assert np.array_equal(_herm_congruence(M, np.ascontiguousarray(M.conj().T), Y_low), got)


def stable_triangular(rng, n, shift):
    """Upper triangular with eigenvalues of real part ≤ −shift (no λ_i + λ̄_j near 0)."""
    T = np.triu(random_complex(rng, (n, n))) / np.sqrt(n)
    T[np.diag_indices(n)] = -shift - rng.random(n) + 1j * rng.standard_normal(n)
    return T


PRECISIONS = [(np.complex128, 1e-11), (np.complex64, 1e-4)]


@pytest.mark.parametrize("dtype, rtol", PRECISIONS)
@pytest.mark.parametrize("n", SIZES)
def test_triangular_lyapunov_solves_the_equation(dtype, rtol, n):
    rng = np.random.default_rng(10 + n)
    T = stable_triangular(rng, n, 0.5)
    C = random_complex(rng, (n, n))
    C = C + C.conj().T
    X = C.astype(dtype)
    _tri_lyapunov(T.astype(dtype), np.ascontiguousarray(T.conj().T).astype(dtype), X)
    expected = scipy.linalg.solve_continuous_lyapunov(T, C)  # T X + X Tᴴ = C
    assert np.linalg.norm(X - expected) <= rtol * np.linalg.norm(expected)


@pytest.mark.parametrize("dtype, rtol", PRECISIONS)
@pytest.mark.parametrize("tranb", ["N", "C"])
@pytest.mark.parametrize("m, n", [(SIZES[1], 9), (9, SIZES[1]), (SIZES[1], SIZES[1] - 40)])
def test_triangular_sylvester_solves_the_equation(dtype, rtol, tranb, m, n):
    rng = np.random.default_rng(m * n)
    A = stable_triangular(rng, m, 0.5)
    B = stable_triangular(rng, n, 0.5)
    C = random_complex(rng, (m, n))
    X = C.astype(dtype)
    _tri_sylvester(*(x.astype(dtype) for x in (A, np.ascontiguousarray(A.conj().T), B,
                                               np.ascontiguousarray(B.conj().T))), X, tranb)
    opB = B if tranb == "N" else B.conj().T
    expected = scipy.linalg.solve_sylvester(A, opB, C)  # A X + X op(B) = C
    assert np.linalg.norm(X - expected) <= rtol * np.linalg.norm(expected)
