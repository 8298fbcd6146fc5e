"""omxval.perturbative — the steady-state moments as power series in the nonlinearity.

In the displaced frame of a mean-field branch the generator of any model is exactly
L = L0 + s·L1: L0 the linearized (Gaussian) model of :mod:`linear`, L1 the cubic terms
−g0·δa†δa·δq of the nonlinear model (docs/models.md M8), s the nonlinearity ladder of
``model.scaled(s)`` (M7). Acting on Weyl-ordered polynomials of the quadratures the adjoint
generator closes order by order in s, so the steady-state moments are exact power series
computed by linear algebra on monomial coefficients, with no Fock space
(docs/perturbative.md, Eqs. P1–P11):

* :func:`covariance_series` — V(s) = V0 + s²V2 + s⁴V4 (odd orders vanish by parity);
* :func:`mean_series` — the means of the fluctuations, s·m1 + s³·m3;
* :func:`gaussian_log_negativity_series` — the Gaussian E_N of a pair of modes,
  E_N(V0) + s²·c2.
* :func:`leading_coefficient` — the *exact* E_N's leading coefficient c2 of the
  ``nonlinear`` full-quantum model, by perturbation theory in a Fock space (three linear
  solves with the linearized generator, Eqs. P12–P14) → :class:`LeadingCoefficient`.

An unstable point raises :class:`UnstablePointError` (there is no steady state to expand).
Modules: :mod:`.monomials` (bases, Wick moments) → :mod:`.generator` (the generator as a
differential operator on Wigner symbols) → :mod:`.series` (the order-by-order solve and
the public functions); :mod:`.leading` (the Fock-space coefficient) imports
:mod:`omxval.fullquantum`, hence QuTiP, only when called. Depends on :mod:`omxval.linear`
at import time.
"""

from .leading import LeadingCoefficient, PairCoefficient, leading_coefficient
from .series import (MAX_ORDER, UnstablePointError, covariance_series,
                     gaussian_log_negativity_series, mean_series)

__all__ = ["covariance_series", "mean_series", "gaussian_log_negativity_series",
           "UnstablePointError", "MAX_ORDER", "leading_coefficient", "LeadingCoefficient",
           "PairCoefficient"]
