"""Drift statistics from binned counts, checked against scipy and a hand-worked PSI."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, kstwo, wasserstein_distance

from cardpress.compute.drift.stats import (
    chi_square,
    chi_square_pooled,
    feature_stats,
    hellinger,
    js_distance,
    ks,
    pooled_table,
    psi,
    wasserstein,
)
from cardpress.model_drift import FeatureCounts

counts = st.lists(st.integers(0, 50), min_size=3, max_size=8)


def test_psi_by_hand() -> None:
    # p = (0.5, 0.3, 0.2), q = (0.4, 0.4, 0.2):
    # (0.4-0.5)ln(0.4/0.5) + (0.4-0.3)ln(0.4/0.3) + 0 = 0.1·0.2231436 + 0.1·0.2876821 = 0.0510826
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2])
    expected = -0.1 * math.log(0.8) + 0.1 * math.log(4 / 3)
    assert abs(psi(p, q) - expected) < 1e-12 and abs(expected - 0.0510825624) < 1e-9


def test_psi_floors_an_empty_bin_instead_of_going_infinite() -> None:
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.4, 0.4, 0.2])
    floored = np.array([0.5, 0.5, 1e-4]) / 1.0001
    expected = float(np.sum((q - floored) * np.log(q / floored)))
    assert abs(psi(p, q) - expected) < 1e-12


@given(counts, counts)
def test_jensen_shannon_and_hellinger_match_scipy(a: list[int], b: list[int]) -> None:
    n = min(len(a), len(b))
    p, q = np.array(a[:n], float), np.array(b[:n], float)
    if p.sum() == 0 or q.sum() == 0:
        return
    p, q = p / p.sum(), q / q.sum()
    assert abs(js_distance(p, q) - jensenshannon(p, q, base=2)) < 1e-9
    reference = math.sqrt(max(0.0, 1 - float(np.sum(np.sqrt(p * q)))))  # the textbook form
    assert abs(hellinger(p, q) - reference) < 1e-7  # which loses digits near 0 (√ of 1e-16)


@given(counts, counts)
def test_chi_square_matches_scipy_without_continuity_correction(a: list[int], b: list[int]) -> None:
    n = min(len(a), len(b))
    ref, cur = np.array(a[:n], float), np.array(b[:n], float)
    if ref.sum() == 0 or cur.sum() == 0:
        return
    statistic, dof, p = chi_square(ref, cur)
    used = (ref + cur) > 0
    if used.sum() < 2:
        return
    expected = chi2_contingency(np.vstack([ref[used], cur[used]]), correction=False)
    assert abs(statistic - expected.statistic) < 1e-9 * max(1, expected.statistic)
    assert dof == expected.dof and abs(p - expected.pvalue) < 1e-9


@settings(max_examples=60)
@given(counts, counts)
def test_ks_on_binned_values_matches_scipy_on_the_raw_values(a: list[int], b: list[int]) -> None:
    n = min(len(a), len(b))
    ref, cur = np.array(a[:n], float), np.array(b[:n], float)
    if ref.sum() == 0 or cur.sum() == 0:
        return
    # raw samples that sit at the bins' positions are exactly what the binned counts describe
    raw_ref, raw_cur = np.repeat(np.arange(n), a[:n]), np.repeat(np.arange(n), b[:n])
    d, p, _ = ks(ref, cur)
    expected = ks_2samp(raw_ref, raw_cur, method="asymp")
    assert abs(d - expected.statistic) < 1e-9 and abs(p - expected.pvalue) < 1e-9


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=6), counts, counts)
def test_wasserstein_matches_scipy(at: list[float], a: list[int], b: list[int]) -> None:
    n = min(len(at), len(a), len(b))
    u, v = np.array(a[:n], float), np.array(b[:n], float)
    if u.sum() == 0 or v.sum() == 0:
        return
    points = np.array(at[:n])
    expected = wasserstein_distance(points, points, u, v)
    assert abs(wasserstein(points, u, points, v) - expected) < 1e-9 * max(1, expected)


@given(counts)
def test_identical_distributions_show_no_drift(a: list[int]) -> None:
    values = FeatureCounts((*a, 3), (*(float(i * c) for i, c in enumerate(a)), 0.0))
    stats = feature_stats(values, values, numeric=True)
    if sum(a) == 0:
        assert stats.js is None  # nothing present: undefined, never a silent 0
        return
    assert stats.psi == 0 and stats.js == 0 and stats.hellinger == 0 and stats.ks_d == 0
    assert stats.chi2 is None or stats.chi2 < 1e-12  # None: too few rows for a valid χ²


@given(counts, counts)
def test_symmetric_statistics_are_symmetric(a: list[int], b: list[int]) -> None:
    n = min(len(a), len(b))
    p, q = np.array(a[:n], float), np.array(b[:n], float)
    if p.sum() == 0 or q.sum() == 0:
        return
    p, q = p / p.sum(), q / q.sum()
    assert abs(js_distance(p, q) - js_distance(q, p)) < 1e-12
    assert abs(hellinger(p, q) - hellinger(q, p)) < 1e-12
    assert abs(psi(p, q) - psi(q, p)) < 1e-12


def test_missing_and_out_of_range_shares_and_the_normalised_wasserstein() -> None:
    # bins: < 0 | [0, 1) | [1, 2] | > 2 | missing; value sums give each bin's centroid
    reference = FeatureCounts((0, 5, 5, 0, 0), (0.0, 2.5, 7.5, 0.0, 0.0))
    window = FeatureCounts((2, 3, 3, 2, 10), (-2.0, 1.5, 4.5, 6.0, 0.0))
    stats = feature_stats(reference, window, numeric=True)
    assert stats.rows == 20 and stats.missing_share == 0.5 and stats.outside_share == 0.4
    ref_at, cur_at = np.array([0.5, 1.5]), np.array([-1.0, 0.5, 1.5, 3.0])
    expected = wasserstein_distance(ref_at, cur_at, [5, 5], [2, 3, 3, 2]) / 0.5
    assert stats.wasserstein is not None and abs(stats.wasserstein - expected) < 1e-12


def test_ks_reuses_a_known_p_value_for_the_same_d_and_n() -> None:
    ref, cur = np.array([50.0, 30.0, 20.0]), np.array([20.0, 30.0, 50.0])
    d, p, n = ks(ref, cur)
    assert n == 50 and p == kstwo.sf(d, 50)
    assert ks(ref, cur, {(d, n): 0.125}) == (d, 0.125, 50)  # looked up, not recomputed
    assert ks(ref, cur, {(d, n + 1): 0.125}) == (d, p, 50)  # another n: computed


def test_one_row_below_the_reference_minimum_is_no_longer_absurdly_significant() -> None:
    # numeric bins: below, 4 interior, above; 20,000 reference rows, a window of 100 with one
    # row below the reference's minimum (the raw 2 × k χ² gives p ≈ 1e-40 here)
    ref = np.array([0, 5000, 5000, 5000, 5000, 0], float)
    cur = np.array([1, 25, 25, 25, 24, 0], float)
    assert chi_square(ref, cur)[2] < 1e-10  # the invalid test, for the record
    _, dof, p = chi_square_pooled(ref, cur, ordered=True)
    assert p is not None and p > 0.5 and dof == 3


@given(counts, counts, st.booleans())
def test_pooled_chi_square_is_scipy_on_a_table_with_expected_counts_of_five(
    a: list[int], b: list[int], ordered: bool
) -> None:
    n = min(len(a), len(b))
    ref, cur = np.array(a[:n], float), np.array(b[:n], float)
    pooled = pooled_table(ref, cur, ordered)
    statistic, dof, p = chi_square_pooled(ref, cur, ordered)
    if pooled is None:
        assert statistic is None and p is None
        return
    table = np.vstack(pooled)
    assert table.sum(axis=1).tolist() == [ref.sum(), cur.sum()]  # nothing lost
    expected = chi2_contingency(table, correction=False)
    assert expected.expected_freq.min() >= 5 - 1e-9
    assert statistic is not None and p is not None
    assert abs(statistic - expected.statistic) < 1e-9 * max(1, expected.statistic)
    assert dof == expected.dof and abs(p - expected.pvalue) < 1e-9
