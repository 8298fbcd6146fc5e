"""Least-squares fits against G0 shared by the studies, with their uncertainties.

The cubic radiation-pressure term enters observables at even orders of G0 at fixed
(Δ̃_c, |G_d|) (docs/conventions.md §5), so the studies fit a free power law a·G0^p (is the
exponent 2?), the leading order c2·G0² + c4·G0⁴ (the physically consistent extrapolant) and
polynomials in G0² (extrapolation to G0 → 0). Bands are Student t with the fit's degrees of
freedom, from the covariance s²(XᵀX)⁻¹ of ordinary least squares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ...errors import InputError

#: Confidence level of the prediction bands.
BAND_LEVEL = 0.95


@dataclass(frozen=True)
class Prediction:
    """A predicted value with its two-sided band at ``level`` (NaN band: no degrees of
    freedom left to estimate one)."""

    value: float
    low: float
    high: float
    level: float


def _t_quantile(dof: int, level: float) -> float:
    return float(stats.t.ppf(0.5 + level / 2, dof)) if dof > 0 else np.nan


def _ols(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Ordinary least squares: coefficients, their covariance s²(XᵀX)⁻¹ (s² = RSS/dof) and
    the degrees of freedom (NaN covariance when none are left)."""
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    dof = len(y) - X.shape[1]
    s2 = float(np.sum((y - X @ coef) ** 2) / dof) if dof > 0 else np.nan
    return coef, s2 * np.linalg.inv(X.T @ X), dof


@dataclass(frozen=True)
class PowerLawFit:
    """y = a·x^p fitted by least squares on (ln x, ln y).

    Attributes
    ----------
    prefactor, exponent : float
        a and p.
    covariance : ((float, float), (float, float))
        Covariance of (ln a, p) from the residuals (NaN with two points).
    dof : int
        Degrees of freedom, n − 2.
    """

    prefactor: float
    exponent: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    dof: int

    @property
    def exponent_stderr(self) -> float:
        """Standard error of p."""
        return float(np.sqrt(self.covariance[1][1]))

    @property
    def prefactor_stderr(self) -> float:
        """Standard error of a (first order in the error of ln a)."""
        return float(self.prefactor * np.sqrt(self.covariance[0][0]))

    def __call__(self, x):
        """a·x^p."""
        return self.prefactor * np.asarray(x, dtype=float) ** self.exponent

    def predict(self, x: float, level: float = BAND_LEVEL) -> Prediction:
        """a·x^p with the band of ln a + p ln x from the fit covariance (Student t)."""
        g = np.array([1.0, np.log(x)])
        sd = float(np.sqrt(g @ np.asarray(self.covariance) @ g))
        centre = np.log(self.prefactor) + self.exponent * np.log(x)
        t = _t_quantile(self.dof, level)
        return Prediction(float(np.exp(centre)), float(np.exp(centre - t * sd)),
                          float(np.exp(centre + t * sd)), level)


def fit_power_law(x: Sequence[float], y: Sequence[float]) -> PowerLawFit:
    """Fit y = a·x^p in log–log by ordinary least squares, with the covariance of (ln a, p).

    Raises
    ------
    InputError
        Fewer than 2 points, or an x or y that is not finite and positive (pass |y| for a
        magnitude: a sign change would make the fit meaningless, so it is not hidden).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size < 2 or x.size != y.size or np.any(x <= 0) or np.any(y <= 0) \
            or not np.all(np.isfinite(x * y)):
        raise InputError("a power-law fit needs >= 2 points with positive, finite x and y")
    coef, cov, dof = _ols(np.column_stack([np.ones_like(x), np.log(x)]), np.log(y))
    return PowerLawFit(float(np.exp(coef[0])), float(coef[1]),
                       tuple(map(tuple, cov.tolist())), dof)


@dataclass(frozen=True)
class LeadingOrderFit:
    """y = c2·x² + c4·x⁴: the leading order G0² of the cubic term at fixed (Δ̃_c, |G_d|)
    and its first correction, fitted as y/x² = c2 + c4·x² (docs/paper_device.md §4).

    Attributes
    ----------
    c2, c4 : float
    covariance : ((float, float), (float, float))
        Covariance of (c2, c4) (NaN with two points).
    dof : int
        n − 2.
    """

    c2: float
    c4: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    dof: int

    @property
    def c2_stderr(self) -> float:
        """Standard error of c2."""
        return float(np.sqrt(self.covariance[0][0]))

    def predict(self, x: float, level: float = BAND_LEVEL) -> Prediction:
        """c2·x² + c4·x⁴ with its band (Student t on the linear fit)."""
        g = np.array([x**2, x**4])
        sd = float(np.sqrt(g @ np.asarray(self.covariance) @ g))
        value = self.c2 * x**2 + self.c4 * x**4
        t = _t_quantile(self.dof, level)
        return Prediction(float(value), float(value - t * sd), float(value + t * sd), level)


def fit_leading_order(x: Sequence[float], y: Sequence[float]) -> LeadingOrderFit:
    """Fit y/x² = c2 + c4·x² by ordinary least squares.

    Raises
    ------
    InputError
        Fewer than 2 points, or non-finite values, or x ≤ 0.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size < 2 or x.size != y.size or np.any(x <= 0) or not np.all(np.isfinite(x * y)):
        raise InputError("a leading-order fit needs >= 2 points with x > 0 and finite y")
    coef, cov, dof = _ols(np.column_stack([np.ones_like(x), x**2]), y / x**2)
    return LeadingOrderFit(float(coef[0]), float(coef[1]), tuple(map(tuple, cov.tolist())),
                           dof)


def extrapolate_to_zero(G0, values, order: int = 1) -> tuple[float, float]:
    """Intercept (and its standard error) of a fit of ``values`` in powers of G0².

    The cubic term enters observables at even orders of G0 at fixed (Δ̃_c, |G_d|), so a
    polynomial in G0² is the natural extrapolant.
    """
    u = np.asarray(G0, dtype=float) ** 2
    v = np.asarray(values, dtype=float)
    if u.size < order + 2:
        raise InputError(f"extrapolation of order {order} needs ≥ {order + 2} points")
    coef, cov = np.polyfit(u, v, order, cov=True)
    return float(coef[-1]), float(np.sqrt(cov[-1, -1]))


__all__ = ["BAND_LEVEL", "Prediction", "PowerLawFit", "fit_power_law", "LeadingOrderFit",
           "fit_leading_order", "extrapolate_to_zero"]
