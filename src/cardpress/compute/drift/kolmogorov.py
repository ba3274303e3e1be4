"""The two-sided Kolmogorov–Smirnov p-value P(Dₙ ≥ d), as ``scipy.stats.kstwo.sf(d, n)``.

Why not call it: importing ``scipy.stats`` takes about 1.2 s of CPU (it rewrites the docstring
of every function it defines), more than all the drift statistics of a day's new windows. This
is SciPy's own algorithm (``scipy/stats/_ksstats.py``, SciPy 1.17, BSD-3-Clause, Copyright ©
2001–2002 Enthought, Inc. and 2003–2024 SciPy Developers), cut down to the survival function and
given types; it uses only ``scipy.special``. The tests check it equals ``kstwo.sf`` to 1e-12
(in practice bit for bit) over every branch.

Which method (Simard & L'Ecuyer 2011, "Computing the Two-Sided Kolmogorov-Smirnov
Distribution", J. Stat. Softw. 39(11)), with t = n·d:

* t ≤ 1 or t ≥ n − 1, and d ≥ ½: closed forms (Ruben–Gambino; 2 × one-sided Smirnov);
* n ≤ 140: the Durbin matrix (Marsaglia–Tsang–Wang) for n·d² ≤ 0.754693, Pomeranz's recursion
  for n·d² ≤ 4, else 2 × Smirnov (Miller);
* n > 140: 0 for n·d² ≥ 370, 2 × Smirnov for n·d² ≥ 2.2, else 1 − CDF from the Durbin matrix
  (n ≤ 100,000 and n·d^1.5 ≤ 1.4) or the Pelz–Good expansion.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import smirnov

_E128 = 128
# long doubles, as in SciPy: a value scaled by them is carried on in extended precision
_EP128 = np.ldexp(np.longdouble(1), _E128)
_EM128 = np.ldexp(np.longdouble(1), -_E128)
_SQRT2PI = np.sqrt(2 * np.pi)
_LOG_2PI = np.log(2 * np.pi)
_MIN_LOG = -708
_SQRT3 = np.sqrt(3)
_PI_SQUARED = np.pi**2
_PI_FOUR = np.pi**4
_PI_SIX = np.pi**6
# Stirling's coefficients B_2j / (2j) / (2j − 1), j = 8 … 1
_STIRLING = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
             8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
             -2.7777777777777777778e-3, 8.3333333333333333333e-2]  # fmt: skip
# Intermediate probabilities: float64, or long double once scaled (kept so until the end, to
# round as SciPy does)
Real = float | np.floating[Any]


def kstwo_sf(d: float, n: int) -> float:
    """P(Dₙ ≥ d) for the two-sided one-sample statistic; NaN when n < 1 (as scipy gives)."""
    if n < 1 or math.isnan(d):
        return math.nan
    if d >= 1.0:
        return 0.0
    if d < 0.5 / n:  # below the support: D is at least 1/(2n)
        return 1.0
    return float(_clip(_sf(n, d)))


def _sf(n: int, x: float) -> Real:
    t = n * x
    if t <= 1.0:  # Ruben–Gambino: 1/(2n) ≤ x ≤ 1/n
        if t <= 0.5:
            return 1.0
        if n <= 140:
            prob = np.prod(np.arange(1, n + 1) * (1.0 / n) * (2 * t - 1))
        else:
            prob = np.exp(_log_nfactorial_div_n_pow_n(n) + n * np.log(2 * t - 1))
        return _clip(1.0 - prob)
    if t >= n - 1:  # Ruben–Gambino
        return _clip(2 * (1.0 - x) ** n)
    if x >= 0.5:  # exact: 2 × one-sided Smirnov
        return _clip(2 * smirnov(n, x))
    nxsquared = t * x
    if n <= 140:
        if nxsquared <= 0.754693:
            return _clip(1.0 - _durbin(n, x))
        if nxsquared <= 4:
            return _clip(1.0 - _pomeranz(n, x))
        return _clip(2 * smirnov(n, x))  # Miller's approximation
    if nxsquared >= 370.0:
        return 0.0
    if nxsquared >= 2.2:
        return _clip(2 * smirnov(n, x))
    if n <= 100000 and n * x**1.5 <= 1.4:
        return _clip(1.0 - _durbin(n, x))
    return _clip(1.0 - _pelz_good(n, x))


def _clip(p: Real) -> Real:
    clipped: Real = np.clip(p, 0.0, 1.0)
    return clipped


def _log_nfactorial_div_n_pow_n(n: int) -> Real:
    """log(n! / nⁿ) by Stirling, with n·log(n) taken out first (no cancellation)."""
    rn = 1.0 / n
    value: Real = np.log(n) / 2 - n + _LOG_2PI / 2 + rn * np.polyval(_STIRLING, rn / n)
    return value


def _durbin(n: int, d: float) -> Real:
    """P(Dₙ ≤ d) by Durbin's matrix, as Marsaglia, Tsang and Wang (2003) compute it."""
    nd = n * d
    if nd <= 0.5:
        return 0.0
    k = int(np.ceil(nd))
    h = k - nd
    m = 2 * k - 1
    steps = np.arange(1, m + 1)
    v = 1.0 - h**steps
    w = np.empty(m)
    fac = 1.0
    for j in steps:
        w[j - 1] = fac
        fac /= j  # may underflow: harmless
        v[j - 1] *= fac
    tt = max(2 * h - 1.0, 0) ** m - 2 * h**m
    v[-1] = (1.0 + tt) * fac
    matrix = np.zeros([m, m])
    for i in range(1, m):
        matrix[i - 1 :, i] = w[: m - i + 1]
    matrix[:, 0] = v
    matrix[-1, :] = np.flip(v, axis=0)
    p, exponent = _scaled_power(matrix, n, k)
    for i in range(1, n + 1):  # times n!/nⁿ
        p = i * p / n
        if np.abs(p) < _EM128:
            p *= _EP128
            exponent -= _E128
    if exponent != 0:
        p = np.ldexp(p, exponent)
    return _clip(p)


def _scaled_power(matrix: NDArray[np.float64], n: int, k: int) -> tuple[Real, int]:
    """Entry (k, k) of matrixⁿ as (mantissa, power of two), scaled to stay in range."""
    power = np.eye(np.shape(matrix)[0])
    remaining, exponent, matrix_exponent = n, 0, 0
    while remaining > 0:
        if remaining % 2:
            power = np.matmul(power, matrix)
            exponent += matrix_exponent
        matrix = np.matmul(matrix, matrix)
        matrix_exponent *= 2
        if np.abs(matrix[k - 1, k - 1]) > _EP128:
            matrix /= _EP128
            matrix_exponent += _E128
        remaining //= 2
    entry: Real = power[k - 1, k - 1]
    return entry, exponent


def _pomeranz_bounds(i: int, n: int, ll: int, ceilf: int, roundf: int) -> tuple[int, int]:
    """The first and last non-zero entries of row i of Pomeranz's recursion."""
    if i == 0:
        j1, j2 = -ll - ceilf - 1, ll + ceilf - 1
    else:
        half, odd = divmod(i + 1, 2)
        if odd == 0:
            if half == n + 1:
                j1, j2 = n - ll - ceilf - 1, n + ll + ceilf - 1
            else:
                j1, j2 = half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1
        else:
            j1, j2 = half - 1 - ll - 1, half + ll + roundf - 1
    return max(j1 + 2, 0), min(j2, n)


def _pomeranz(n: int, x: float) -> Real:
    """P(Dₙ ≤ x) by Pomeranz's recursion (1974): rows convolved with Poisson-like weights."""
    t = n * x
    ll = int(np.floor(t))
    f = 1.0 * (t - ll)
    g = min(f, 1.0 - f)
    ceilf = 1 if f > 0 else 0
    roundf = 1 if f > 0.5 else 0
    powers = 2 * (ll + 1)
    gpower, twogpower, onem2gpower = np.empty(powers), np.empty(powers), np.empty(powers)
    gpower[0] = twogpower[0] = onem2gpower[0] = 1.0
    for m in range(1, powers):
        gpower[m] = gpower[m - 1] * (g / n) / m
        twogpower[m] = twogpower[m - 1] * (2 * g / n) / m
        onem2gpower[m] = onem2gpower[m - 1] * ((1 - 2 * g) / n) / m
    v0, v1 = np.zeros([powers]), np.zeros([powers])
    v1[0] = 1
    v0s = v1s = exponent = 0
    j1, j2 = _pomeranz_bounds(0, n, ll, ceilf, roundf)
    for i in range(1, 2 * n + 2):
        k1 = j1
        v0, v1 = v1, v0
        v0s, v1s = v1s, v0s
        v1.fill(0.0)
        j1, j2 = _pomeranz_bounds(i, n, ll, ceilf, roundf)
        weights = gpower if i in (1, 2 * n + 1) else (twogpower if i % 2 else onem2gpower)
        width = j2 - k1 + 1
        if width > 0:
            conv = np.convolve(v0[k1 - v0s : k1 - v0s + width], weights[:width])
            v1[: j2 - j1 + 1] = conv[j1 - k1 : j1 - k1 + j2 - j1 + 1]
            if 0 < np.max(v1) < _EM128:  # scale against underflow
                v1 *= _EP128
                exponent -= _E128
            v1s = v0s + j1 - k1
    answer: Real = v1[n - v1s]
    for m in range(1, n + 1):  # times n!
        if np.abs(answer) > _EP128:
            answer *= _EM128
            exponent += _E128
        answer *= m
    if exponent != 0:
        answer = np.ldexp(answer, exponent)
    return _clip(answer)


def _pelz_good(n: int, x: float) -> Real:
    """P(Dₙ ≤ x) by the Pelz–Good (1976) expansion of the Li-Chien–Korolyuk series."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    z = np.sqrt(n) * x
    zsquared, zthree, zfour, zsix = z**2, z**3, z**4, z**6
    qlog = -_PI_SQUARED / 8 / zsquared
    if qlog < _MIN_LOG:
        return 0.0
    q = np.exp(qlog)
    k1a, k1b = -zsquared, _PI_SQUARED / 4
    k2a = 6 * zsix + 2 * zfour
    k2b = (2 * zfour - 5 * zsquared) * _PI_SQUARED / 4
    k2c = _PI_FOUR * (1 - 2 * zsquared) / 16
    k3d = _PI_SIX * (5 - 30 * zsquared) / 64
    k3c = _PI_FOUR * (-60 * zsquared + 212 * zfour) / 16
    k3b = _PI_SQUARED * (135 * zfour - 96 * zsix) / 4
    k3a = -30 * zsix - 90 * z**8
    terms = np.zeros(4)
    maxk = int(np.ceil(16 * z / np.pi))
    for k in range(maxk, 0, -1):  # Horner over odd m = 2k − 1
        m = 2 * k - 1
        msquared, mfour, msix = m**2, m**4, m**6
        coeffs = np.array([1.0, k1a + k1b * msquared, k2a + k2b * msquared + k2c * mfour,
                           k3a + k3b * msquared + k3c * mfour + k3d * msix])  # fmt: skip
        terms *= np.power(q, 8 * k)
        terms += coeffs
    terms *= q
    terms *= _SQRT2PI
    terms /= np.array([z, 6 * zfour, 72 * z**7, 6480 * z**10])
    q = np.exp(-_PI_SQUARED / 2 / zsquared)
    ks = np.arange(maxk, 0, -1)
    ksquared = ks**2
    sqrt3z = _SQRT3 * z
    kspi = np.pi * ks
    qpowers = q**ksquared
    terms[2] += np.sum(ksquared * qpowers) * (_PI_SQUARED * _SQRT2PI / (-36 * zthree))
    k3extra = np.sum((sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpowers)
    terms[3] += k3extra * (_PI_SQUARED * _SQRT2PI / (216 * zsix))
    terms /= np.power(n * 1.0, np.arange(len(terms)) / 2.0)
    total: Real = sum(terms)
    return total
