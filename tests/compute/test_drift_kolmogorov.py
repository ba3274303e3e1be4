"""The two-sided KS p-value without scipy.stats: ``scipy.stats.kstwo.sf`` on every branch."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kstwo

from cardpress.compute.drift.kolmogorov import kstwo_sf


def scipy_sf(d: float, n: int) -> float:
    return float(np.clip(kstwo.sf(d, n), 0.0, 1.0))


# One (n, d) in each of Simard & L'Ecuyer's regions, so every method is compared at least once.
BRANCHES = {
    "below the support": (10, 0.01),
    "Ruben–Gambino, t ≤ 1": (10, 0.08),
    "Ruben–Gambino, t ≤ 1, n > 140": (500, 0.0015),
    "Ruben–Gambino, t ≥ n − 1": (10, 0.95),
    "2 × Smirnov, d ≥ ½": (40, 0.6),
    "Durbin matrix, n ≤ 140": (100, 0.05),
    "Pomeranz, n ≤ 140": (100, 0.15),
    "Miller, n ≤ 140": (100, 0.3),
    "2 × Smirnov, n > 140": (1000, 0.06),
    "zero, n·d² ≥ 370": (100_000, 0.07),
    "Durbin matrix, n > 140": (1000, 0.01),
    "Pelz–Good": (200_000, 0.002),
    "d = 1": (50, 1.0),
}


@pytest.mark.parametrize("n, d", BRANCHES.values(), ids=BRANCHES.keys())
def test_each_method_gives_scipys_value_bit_for_bit(n: int, d: float) -> None:
    assert kstwo_sf(d, n) == scipy_sf(d, n)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 2_000) | st.sampled_from([140, 141, 99_999, 100_001, 400_000]),
    st.floats(0.0, 1.0) | st.floats(0.0, 0.05),
)
def test_equals_scipy_for_any_n_and_d(n: int, d: float) -> None:
    assert math.isclose(kstwo_sf(d, n), scipy_sf(d, n), rel_tol=1e-12, abs_tol=1e-300)


def test_no_sample_has_no_p_value() -> None:
    assert math.isnan(kstwo_sf(0.3, 0))
    assert math.isnan(scipy_sf(0.3, 0))


def test_computing_it_does_not_import_scipy_stats() -> None:
    # The reason the module exists: scipy.stats costs about a second of every drift build.
    code = (
        "import sys; from cardpress.compute.drift.kolmogorov import kstwo_sf; "
        "kstwo_sf(0.05, 100); kstwo_sf(0.002, 200000); print('scipy.stats' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
