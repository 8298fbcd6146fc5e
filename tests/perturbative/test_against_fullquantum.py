"""omxval.perturbative against the full-quantum models of omxval.fullquantum.

Two independent truths, neither sharing code with the expansion:

* the generator itself: for every Weyl-ordered monomial X of degree ≤ 3, the adjoint of the
  realised ``nonlinear`` Liouvillian (QuTiP operators from fullquantum.modelterms, Eqs.
  M8–M9) applied to X equals the operator of 𝓛X (Eqs. P4–P6), on the Fock states far
  enough from the cutoffs that truncation cannot reach them;
* the steady state: along the ladder s, V_nonlinear(s) − V_linearized at converged cutoffs
  minus s²V2 falls as s⁴ (slope 4 ± 0.2), minus s⁴V4 as s⁶, minus s⁶V6 as s⁸; the means
  minus s·m1 as s³, minus s³m3 as s⁵.
"""

import functools
import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from omxval import fullquantum, linear, perturbative
from omxval.fullquantum.modelterms import model_generator_terms
from omxval.fullquantum.symbolic import realize
from omxval.linear import ModelPoint
from omxval.linear.presets import spinning_resonator_point
from omxval.perturbative.generator import cubic_terms, linearized_terms
from omxval.perturbative.monomials import basis

from .conftest import REFERENCE, four_modes, one_cavity_one_mirror


def csr(qobj) -> sp.csr_matrix:
    return sp.csr_matrix(qobj.to("csr").data_as("csr_matrix"))


@functools.lru_cache(maxsize=4096)
def weyl(exponents: tuple[int, ...], cutoffs: tuple[int, ...]) -> sp.csr_matrix:
    """The Weyl-ordered operator of Π_j u_j^e_j on Fock spaces (x, p per mode): per mode
    x^a p^b → 2^(−a) Σ_k C(a, k) x^k p^b x^(a−k) (McCoy), modes multiplied by Kronecker."""
    out = sp.identity(1, dtype=complex, format="csr")
    for k, n in enumerate(cutoffs):
        down = sp.diags(np.sqrt(np.arange(1, n)), 1, format="csr", dtype=complex)
        x, p = (down + down.T) / math.sqrt(2), (down - down.T) / (1j * math.sqrt(2))
        a, b = exponents[2 * k], exponents[2 * k + 1]
        power = lambda m, e: (m ** e) if e else sp.identity(n, dtype=complex, format="csr")  # noqa: E731
        local = sum(math.comb(a, j) * power(x, j) @ power(p, b) @ power(x, a - j)
                    for j in range(a + 1)) / 2 ** a
        out = sp.kron(out, local, format="csr")
    return out


def low_states(cutoffs, margin):
    """Indices of the product states with every mode below its cutoff − margin."""
    grids = np.meshgrid(*[np.arange(n) for n in cutoffs], indexing="ij")
    ok = np.all([g < n - margin for g, n in zip(grids, cutoffs)], axis=0)
    return np.flatnonzero(ok.ravel())


@pytest.mark.parametrize("make, cutoffs", [
    (lambda: one_cavity_one_mirror("brownian"), (14, 14)),
    (lambda: one_cavity_one_mirror("lindblad", cavity_thermal=0.05), (14, 14)),
    (lambda: spinning_resonator_point(linear.design_point(**REFERENCE, direction="ccw")),
     (10, 10, 10)),
    (four_modes, (7, 7, 7, 7))], ids=["brownian", "lindblad-warm-cavity", "spinning", "4-mode"])
def test_the_generator_on_every_monomial_is_the_full_quantum_one(make, cutoffs):
    point = make()
    gen = realize(model_generator_terms(point, "nonlinear"), cutoffs)
    left, right = csr(gen.left), csr(gen.right)
    sandwich = [(csr(C), csr(D)) for C, D in gen.sandwich]
    L0, L1 = linearized_terms(linear.analyze(point)), cubic_terms(point)
    n = 2 * len(cutoffs)
    for d in range(1, 4):
        # Each term of L†X (X·left, right·X, D·X·C) holds at most d + 2 ladder operators of
        # one mode, so its elements between states below N − (d + 2) never see the cutoff.
        keep = low_states(cutoffs, margin=d + 2)
        assert keep.size >= 16
        monomials = basis(n, d).exponents
        images = {c: (L0 if c in (0, -2) else L1).matrix(d, c) for c in (0, -2, 1, -1, -3)
                  if d + c >= 0}
        for r, e in enumerate(monomials):
            X = weyl(tuple(e), cutoffs)
            # Tr(X L(ρ)) = Tr(L†(X) ρ): L†X = X·left + right·X + Σ D X C
            adjoint = X @ left + right @ X
            for C, D in sandwich:
                adjoint = adjoint + D @ X @ C
            ours = sp.csr_matrix(X.shape, dtype=complex)
            for c, M in images.items():
                row = M.getrow(r)
                for col, value in zip(row.indices, row.data):
                    ours = ours + value * weyl(tuple(basis(n, d + c).exponents[col]), cutoffs)
            diff = (adjoint - ours)[keep][:, keep]
            scale = max(1.0, abs(adjoint[keep][:, keep]).max())
            assert abs(diff).max() < 1e-12 * scale, (d, e)


def ladder(point: ModelPoint, s_values, cutoffs):
    """V_nonlinear(s) − V_linearized and the nonlinear means along model.scaled(s)."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", fullquantum.TruncationWarning)
        lin = fullquantum.solve(point, cutoffs=cutoffs, hamiltonian="linearized")
        for s in s_values:
            scaled = ModelPoint(point.model.scaled(s), point.branch)
            nl = fullquantum.solve(scaled, cutoffs=cutoffs, hamiltonian="nonlinear")
            out[s] = (nl.V - lin.V, nl.means)
    return out


def slope(s_values, residuals) -> float:
    return float(np.polyfit(np.log(s_values), np.log(residuals), 1)[0])


@pytest.mark.parametrize("bath, thermal", [("brownian", 0.0), ("lindblad", 0.05)])
def test_V2_V4_and_the_means_against_the_nonlinear_model(bath, thermal):
    # One cavity, one mirror, low occupations: at cutoffs (9, 12) the linearized Fock model
    # is Lyapunov's to 1e-11 and the common truncation cancels in the difference.
    point = one_cavity_one_mirror(bath, thermal)
    V = perturbative.covariance_series(point, order=6)
    m = perturbative.mean_series(point)
    s_values = (0.5, 1.0, 2.0, 4.0)
    runs = ladder(point, s_values, (9, 12))
    r2 = [np.abs(runs[s][0] - s**2 * V[2]).max() for s in s_values]
    r4 = [np.abs(runs[s][0] - s**2 * V[2] - s**4 * V[4]).max() for s in s_values]
    assert r2[1] < 1e-2 * np.abs(V[2]).max()  # V2 is the leading term
    assert slope(s_values[:3], r2[:3]) == pytest.approx(4.0, abs=0.2)
    assert slope(s_values[1:], r4[1:]) == pytest.approx(6.0, abs=0.3)
    r6 = [np.abs(runs[s][0] - sum(s**k * V[k] for k in (2, 4, 6))).max() for s in (2.0, 4.0)]
    assert slope((2.0, 4.0), r6) == pytest.approx(8.0, abs=0.4)
    rm1 = [np.abs(runs[s][1] - s * m[1]).max() for s in s_values]
    rm3 = [np.abs(runs[s][1] - s * m[1] - s**3 * m[3]).max() for s in s_values]
    assert slope(s_values[:3], rm1[:3]) == pytest.approx(3.0, abs=0.2)
    assert slope(s_values[1:], rm3[1:]) == pytest.approx(5.0, abs=0.3)


@pytest.mark.slow
def test_the_spinning_resonator_reference_point_of_the_issue():
    # docs/conventions.md §5: G0 = 0.05·s at fixed design; cutoffs (6, 5, 10) hold V to 7e-9.
    point = spinning_resonator_point(linear.design_point(**REFERENCE, direction="ccw"))
    V = perturbative.covariance_series(point)
    s_values = (0.5, 1.0, 2.0)
    runs = ladder(point, s_values, (6, 5, 10))
    r2 = [np.abs(runs[s][0] - s**2 * V[2]).max() for s in s_values]
    r4 = [np.abs(runs[s][0] - s**2 * V[2] - s**4 * V[4]).max() for s in s_values]
    assert slope(s_values, r2) == pytest.approx(4.0, abs=0.2)
    assert all(b < a / 10 for a, b in zip(r2, r4))
