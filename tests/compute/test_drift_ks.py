"""The KS p-value without scipy.stats: scipy's exact distribution of D, checked against it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import kstwo

from cardpress.compute.drift.kolmogorov import ks_sf

# every method Simard & L'Ecuyer's rule picks: n ≤ 140 and above, small to large n·d²
SIZES = [1, 2, 3, 7, 30, 100, 140, 141, 250, 1000, 5000, 20_000]


@pytest.mark.parametrize("n", SIZES)
def test_ks_sf_is_scipy_kstwo_sf(n: int) -> None:
    rng = np.random.default_rng(n)
    edges = [0.0, 0.5 / n, 1 / n, 0.5, 1 - 1e-12, 1.0]
    near = rng.uniform(0, min(1.0, 4 / np.sqrt(n)), 40)  # where the p-values are not 0 or 1
    for d in [*edges, *near, *rng.uniform(0, 1, 50)]:
        assert abs(ks_sf(float(d), n) - float(kstwo.sf(d, n))) <= 1e-9, (d, n)


def test_a_hand_worked_value() -> None:
    # n = 1: D = max(U, 1 − U) for one uniform draw U, so P(D ≥ d) = 2(1 − d) for d ≥ ½, else 1
    assert ks_sf(0.75, 1) == pytest.approx(0.5, abs=1e-12)
    assert ks_sf(0.25, 1) == 1.0


def test_the_p_value_does_not_import_scipy_stats() -> None:
    code = (
        "import sys; import numpy as np\n"
        "from cardpress.compute.drift.stats import ks\n"
        "ks(np.array([50.0, 30, 20]), np.array([20.0, 30, 50]))\n"
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
