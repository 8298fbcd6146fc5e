"""The shared fits (compare.fits) against independent truths: exact data, scipy's
linregress, and the coverage of the prediction bands."""

import numpy as np
import pytest
from scipy import stats

from omxval.compare.studies import fits
from omxval.errors import InputError


def test_power_law_fit_recovers_a_known_exponent_and_its_uncertainty():
    x = np.array([0.01, 0.02, 0.035, 0.05, 0.07, 0.1])
    exact = fits.fit_power_law(x, 0.03 * x**2.3)
    assert exact.exponent == pytest.approx(2.3, abs=1e-12)
    assert exact.prefactor == pytest.approx(0.03, rel=1e-10)
    assert exact.exponent_stderr < 1e-10 and exact.dof == 4
    rng = np.random.default_rng(1)
    noise = np.exp(0.05 * rng.standard_normal(x.size))
    fit = fits.fit_power_law(x, 0.03 * x**2.3 * noise)
    # Independent check: the slope's standard error from scipy's linregress.
    ref = stats.linregress(np.log(x), np.log(0.03 * x**2.3 * noise))
    assert fit.exponent == pytest.approx(ref.slope, rel=1e-10)
    assert fit.exponent_stderr == pytest.approx(ref.stderr, rel=1e-8)
    assert abs(fit.exponent - 2.3) < 3 * fit.exponent_stderr
    # Extrapolation four decades down: the 95 % band holds the truth and widens.
    x0 = 7.2e-6
    pred = fit.predict(x0)
    assert pred.low < 0.03 * x0**2.3 < pred.high
    assert pred.high / pred.low > fit.predict(0.05).high / fit.predict(0.05).low


def test_extrapolation_band_coverage():
    """The band's coverage of the true value at the paper's G0 is about its level."""
    x = np.array([0.01, 0.02, 0.035, 0.05, 0.07, 0.1])
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(400):
        y = 0.03 * x**2 * np.exp(0.1 * rng.standard_normal(x.size))
        p = fits.fit_power_law(x, y).predict(7.2e-6)
        hits += p.low < 0.03 * 7.2e-6**2 < p.high
    assert 0.9 < hits / 400 < 0.99


def test_leading_order_fit():
    x = np.array([0.01, 0.02, 0.035, 0.05, 0.07, 0.1])
    fit = fits.fit_leading_order(x, 0.06 * x**2 + 3.0 * x**4)
    assert fit.c2 == pytest.approx(0.06, rel=1e-10) and fit.c4 == pytest.approx(3.0, rel=1e-8)
    pred = fit.predict(7.2e-6)
    assert pred.value == pytest.approx(0.06 * 7.2e-6**2 + 3.0 * 7.2e-6**4, rel=1e-10)
    assert pred.low == pytest.approx(pred.value, rel=1e-6)  # exact data: no band
    with pytest.raises(InputError):
        fits.fit_power_law([0.1], [1.0])
    with pytest.raises(InputError):
        fits.fit_power_law([0.1, 0.2], [1.0, 0.0])


def test_power_law_and_extrapolation_helpers():
    x = np.array([0.1, 0.2, 0.4, 0.8])
    fit = fits.fit_power_law(x, 3.0 * x**2)
    assert fit.exponent == pytest.approx(2.0) and fit.prefactor == pytest.approx(3.0)
    assert fit.exponent_stderr < 1e-10
    c0, err = fits.extrapolate_to_zero(x, 0.5 + 2.0 * x**2)
    assert c0 == pytest.approx(0.5) and err < 1e-10
    with pytest.raises(ValueError, match="positive"):  # a sign change is not hidden by |y|
        fits.fit_power_law([0.1, 0.2], [1.0, -1.0])
