"""Drift statistics of one window against the reference, from binned counts (pure numpy/scipy).

Conventions (also stated on every drift page):

* Distances compare the distributions of **present** values: the missing bin is left out and
  reported as its own share. Out-of-range and unseen values stay in, in their own bins.
* PSI = Σ (qᵢ − pᵢ)·ln(qᵢ / pᵢ) over shares floored at ``PSI_FLOOR`` and renormalised (an empty
  bin would make it infinite); p is the reference, q the window.
* Jensen–Shannon **distance**, base 2 (0 to 1): √(½KL(p‖m) + ½KL(q‖m)), m = ½(p + q).
* Hellinger = ‖√p − √q‖₂ / √2 = √(1 − Σ √(pᵢ qᵢ)) (0 to 1).
* Wasserstein-1 (numeric) between the binned distributions, each bin at its centroid (the mean
  of the values in it, exact from the summaries), divided by the reference's standard
  deviation (population, ddof 0) over the same centroids.
* Kolmogorov–Smirnov (numeric): D = max |F_ref − F_window| over the ordered bins; two-sided
  p-value from the exact distribution of D for n·m/(n+m) samples (``scipy.stats.kstwo``, by
  SciPy's algorithm in :mod:`cardpress.compute.drift.kolmogorov`), as
  ``scipy.stats.ks_2samp(method="asymp")`` computes it. That exact distribution can take a
  tenth of a second for large n, so p-values already computed are passed in by (D, n) and reused
  (the reader keeps them between builds): the same windows give the same D and n every build.
* Chi-square: the 2 × k contingency table (reference, window) over bins either side uses;
  statistic Σ (o − e)²/e with e = row total × column total / total, dof = k − 1, no continuity
  correction; p from the χ² distribution. The χ² approximation needs expected counts of at
  least ``MIN_EXPECTED`` (5, Cochran's rule) in every cell, so bins are pooled first: numeric
  bins with their neighbours in order, categorical bins smallest first into one "other" bin.
  With fewer than two pooled bins there is no test (None): one stray row can no longer give
  p ≈ 1e-14.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import chdtrc

from cardpress.compute.drift.kolmogorov import kstwo_sf
from cardpress.model_drift import FeatureCounts

PSI_FLOOR = 1e-4
MIN_EXPECTED = 5.0
Floats = NDArray[np.float64]
KsPValues = Mapping[tuple[float, int], float]  # two-sided KS p-value by (D, effective n)
NONE_KNOWN: KsPValues = {}


@dataclass(frozen=True)
class Stats:
    """Every statistic of one feature in one window; None where it does not apply or is undefined.

    ``rows`` counts every row of the window, missing values included.
    """

    rows: int
    missing_share: float | None
    outside_share: float | None  # out of the reference range (numeric) or unseen (categorical)
    psi: float | None
    js: float | None
    hellinger: float | None
    wasserstein: float | None = None
    ks_d: float | None = None
    ks_p: float | None = None
    ks_n: int | None = None  # the effective sample size n·m/(n+m) the p-value is for
    chi2: float | None = None
    chi2_dof: int | None = None
    chi2_p: float | None = None


def feature_stats(
    reference: FeatureCounts, window: FeatureCounts, numeric: bool, known: KsPValues = NONE_KNOWN
) -> Stats:
    """The statistics of ``window`` against ``reference`` (same bin layout).

    ``known`` holds KS p-values computed before, reused when D and n are the same.
    """
    ref = np.asarray(reference.counts[:-1], dtype=np.float64)  # present values only
    cur = np.asarray(window.counts[:-1], dtype=np.float64)
    rows = window.total
    missing = window.counts[-1] / rows if rows else None
    outside = _outside(cur, numeric)
    if ref.sum() == 0 or cur.sum() == 0:
        return Stats(rows, missing, outside, None, None, None)
    p, q = ref / ref.sum(), cur / cur.sum()
    statistic, dof, p_value = chi_square_pooled(ref, cur, ordered=numeric)
    stats = Stats(rows, missing, outside, psi(p, q), js_distance(p, q), hellinger(p, q),
                  chi2=statistic, chi2_dof=dof, chi2_p=p_value)  # fmt: skip
    if not numeric:
        return stats
    ref_at = _centroids(reference)
    cur_at = _centroids(window)
    d, ks_p, ks_n = ks(ref, cur, known)
    # values near the float limit (1e300) overflow the squares: the distance is then undefined
    with np.errstate(over="ignore", invalid="ignore"):
        spread = _std(ref_at, ref)
        distance = wasserstein(ref_at, ref, cur_at, cur)
    normalised = distance / spread if spread > 0 and math.isfinite(spread) else None
    if normalised is not None and not math.isfinite(normalised):
        normalised = None
    return Stats(**{**stats.__dict__, "wasserstein": normalised, "ks_d": d, "ks_p": ks_p,
                    "ks_n": ks_n})  # fmt: skip


def psi(p: Floats, q: Floats) -> float:
    """Population stability index of shares ``q`` against ``p`` (floored, renormalised)."""
    p, q = _floored(p), _floored(q)
    return float(np.sum((q - p) * np.log(q / p)))


def js_distance(p: Floats, q: Floats) -> float:
    """Jensen–Shannon distance, base 2; terms with a zero share contribute 0."""
    m = (p + q) / 2
    divergence = (_kl2(p, m) + _kl2(q, m)) / 2
    return math.sqrt(max(0.0, divergence))


def hellinger(p: Floats, q: Floats) -> float:
    """Hellinger distance ‖√p − √q‖₂ / √2 (equal to √(1 − Σ√(pq)), without its cancellation)."""
    return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))


def ks(ref: Floats, cur: Floats, known: KsPValues = NONE_KNOWN) -> tuple[float, float, int]:
    """KS D over ordered bins, its two-sided p-value and n·m/(n+m), the samples it is for."""
    n, m = ref.sum(), cur.sum()
    d = float(np.max(np.abs(np.cumsum(ref) / n - np.cumsum(cur) / m)))
    effective = round(n * m / (n + m))
    p_value = known.get((d, effective))
    if p_value is None:
        p_value = kstwo_sf(d, effective)
    return d, p_value, effective


def chi_square(ref: Floats, cur: Floats) -> tuple[float, int, float]:
    """Pearson's χ² of the 2 × k table over bins used by either side; (χ², dof, p)."""
    used = (ref + cur) > 0
    table = np.vstack([ref[used], cur[used]])
    if table.shape[1] < 2:
        return 0.0, 0, 1.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(np.sum((table - expected) ** 2 / expected))
    dof = table.shape[1] - 1
    # chi2.sf(statistic, dof) is chdtrc(dof, statistic); called directly, without the
    # distribution's argument checks, which cost more than the sum itself
    return statistic, dof, float(chdtrc(dof, statistic))


def chi_square_pooled(
    ref: Floats, cur: Floats, ordered: bool
) -> tuple[float | None, int | None, float | None]:
    """χ² after pooling bins until every expected count is at least ``MIN_EXPECTED``.

    ``ordered`` (numeric bins): a bin is pooled with its neighbours; otherwise the smallest
    bins are pooled into one. (None, None, None) when fewer than two bins would be left.
    """
    pooled = pooled_table(ref, cur, ordered)
    if pooled is None:
        return None, None, None
    return chi_square(*pooled)


def pooled_table(ref: Floats, cur: Floats, ordered: bool) -> tuple[Floats, Floats] | None:
    """The two rows after pooling bins to expected counts ≥ 5; None under two bins."""
    used = (ref + cur) > 0
    ref, cur = ref[used], cur[used]
    columns = ref + cur
    smaller = min(ref.sum(), cur.sum())
    if smaller == 0:
        return None
    need = MIN_EXPECTED * columns.sum() / smaller  # a column total giving the smaller row e ≥ 5
    groups = _ordered_groups(columns, need) if ordered else _smallest_pooled(columns, need)
    if len(groups) < 2:
        return None
    return np.array([ref[g].sum() for g in groups]), np.array([cur[g].sum() for g in groups])


def _ordered_groups(columns: Floats, need: float) -> list[list[int]]:
    groups: list[list[int]] = []
    current: list[int] = []
    for index in range(len(columns)):
        current.append(index)
        if columns[current].sum() >= need:
            groups.append(current)
            current = []
    if current and groups:
        groups[-1] += current  # the short tail joins its neighbour
    elif current:
        groups.append(current)
    return groups if all(columns[g].sum() >= need for g in groups) else []


def _smallest_pooled(columns: Floats, need: float) -> list[list[int]]:
    order = sorted(range(len(columns)), key=lambda i: (-columns[i], i))
    kept = [[i] for i in order if columns[i] >= need]
    rest = [i for i in order if columns[i] < need]
    if rest and columns[rest].sum() >= need:
        kept.append(rest)
    elif rest and kept:
        kept[-1] += rest  # too small even together: into the smallest kept bin
    elif rest:
        kept.append(rest)
    return kept if all(columns[g].sum() >= need for g in kept) else []


def wasserstein(u_at: Floats, u_weight: Floats, v_at: Floats, v_weight: Floats) -> float:
    """Wasserstein-1 between two weighted point sets: ∫ |F_u − F_v| dx."""
    points = np.concatenate([u_at, v_at])
    order = np.argsort(points, kind="stable")
    points = points[order]
    u_mass = np.concatenate([u_weight / u_weight.sum(), np.zeros(len(v_at))])[order]
    v_mass = np.concatenate([np.zeros(len(u_at)), v_weight / v_weight.sum()])[order]
    gaps = np.diff(points)
    return float(np.sum(np.abs(np.cumsum(u_mass) - np.cumsum(v_mass))[:-1] * gaps))


def _centroids(counts: FeatureCounts) -> Floats:
    """Mean value of each present-value bin (0 where a bin is empty: it carries no weight)."""
    number = np.asarray(counts.counts[:-1], dtype=np.float64)
    sums = np.asarray(counts.value_sums[:-1], dtype=np.float64)
    return np.divide(sums, number, out=np.zeros_like(sums), where=number > 0)


def _std(at: Floats, weight: Floats) -> float:
    mean = float(np.sum(at * weight) / weight.sum())
    return math.sqrt(float(np.sum(weight * (at - mean) ** 2) / weight.sum()))


def _outside(cur: Floats, numeric: bool) -> float | None:
    present = cur.sum()
    if present == 0:
        return None
    outside = cur[0] + cur[-1] if numeric else cur[-1]
    return float(outside / present)


def _floored(shares: Floats) -> Floats:
    floored = np.maximum(shares, PSI_FLOOR)
    result: Floats = floored / floored.sum()
    return result


def _kl2(p: Floats, q: Floats) -> float:
    used = p > 0
    return float(np.sum(p[used] * np.log2(p[used] / q[used])))
