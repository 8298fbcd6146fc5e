"""linear.thermal_tail_cutoff: the Fock cutoff of a thermal tail, against its definition."""


import pytest

from omxval import linear


@pytest.mark.parametrize("n", [0.01, 0.2, 0.5, 1.1, 5.0])
@pytest.mark.parametrize("tail", [1e-3, 1e-6, 1e-8])
def test_the_cutoff_is_the_first_level_whose_thermal_tail_is_small(n, tail):
    N = linear.thermal_tail_cutoff(n, tail, minimum=1)
    r = n / (n + 1)
    # The population of the levels ≥ N of a thermal state is r^N (a geometric sum).
    above = sum((1 - r) * r**k for k in range(N, N + 2000))
    assert above == pytest.approx(r**N, rel=1e-9)
    assert r**N <= tail * (1 + 1e-12) and (N == 1 or r ** (N - 1) > tail)


def test_vacuum_and_the_minimum():
    assert linear.thermal_tail_cutoff(0.0, 1e-6) == 2
    assert linear.thermal_tail_cutoff(-1e-17, 1e-6, minimum=3) == 3  # round-off below 0
    assert linear.thermal_tail_cutoff(1e-9, 1e-3, minimum=2) == 2
