"""The four-fifths rule and NYC Local Law 144 impact ratios, against hand-worked examples."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardpress.compute.fairness.groups import GroupMetrics, group_metrics
from cardpress.compute.fairness.rules import fisher_p_value, four_fifths, local_law_144


def _groups(counts: dict[str | None, tuple[int, int]], min_size: int = 1) -> list[GroupMetrics]:
    """Groups from {category: (applicants, selected)}."""
    rows = []
    for category, (applicants, selected) in counts.items():
        rows += [{"g": category, "pred": int(i < selected), "label": 1} for i in range(applicants)]
    frame = pd.DataFrame(rows)
    return group_metrics(
        frame, ["g"], y_true="label", y_pred="pred", y_score=None, min_group_size=min_size
    )


def test_ll144_rule_example_ratios() -> None:
    """The DCWP rule's example: Male 92 (54.3%, 1.00), Female 76 (44.7%, 0.82)."""
    table = local_law_144(_groups({"Male": (92, 50), "Female": (76, 34)}))
    rows = {row.label: row for row in table.rows}
    assert table.highest == "Male"
    assert rows["Male"].ratio == 1.0 and rows["Male"].selected == 50
    assert rows["Female"].ratio == pytest.approx((34 / 76) / (50 / 92), abs=1e-12)
    assert round(rows["Female"].ratio, 2) == 0.82
    assert {row.status for row in table.rows} == {"disclosed"}


def test_ll144_race_example_ratios() -> None:
    counts = {"Hispanic or Latino": (28, 18), "White": (40, 15), "Black": (32, 16),
              "NHPI": (8, 5), "Asian": (24, 10)}  # fmt: skip
    table = local_law_144(_groups(counts))
    ratios = {row.label: round(row.ratio, 2) for row in table.rows}
    assert ratios == {"Hispanic or Latino": 1.0, "White": 0.58, "Black": 0.78, "NHPI": 0.97,
                      "Asian": 0.65}  # fmt: skip


def test_ll144_under_two_percent_does_not_set_the_highest_rate() -> None:
    table = local_law_144(_groups({"a": (990, 500), "b": (10, 10), None: (5, 5)}))
    rows = {row.label: row for row in table.rows}
    assert table.highest == "a" and table.unknown == 5
    assert rows["b"].status == "under-2%" and rows["b"].ratio == pytest.approx(1 / (500 / 990))
    assert "(missing)" not in rows  # unknown category: counted, left out


def test_a_real_value_missing_is_judged_and_null_is_the_unknown_category() -> None:
    table = local_law_144(_groups({"a": (100, 50), "missing": (100, 20), None: (7, 7)}))
    rows = {row.label: row for row in table.rows}
    assert set(rows) == {"a", "missing"} and table.unknown == 7
    assert rows["missing"].ratio == pytest.approx(0.4)


def test_four_fifths_boundary_is_inclusive_pass() -> None:
    table = four_fifths(_groups({"a": (1000, 500), "b": (1000, 400), "c": (1000, 390)}), 30, 0.8)
    status = {row.label: (row.ratio, row.status) for row in table.rows}
    assert status["b"] == (pytest.approx(0.8), "pass")  # exactly 0.8 passes
    assert status["c"][1] == "flagged"  # 390 of 1,000 against 500: p ≈ 1e-6


def _fisher_two_sided(a: int, b: int, c: int, d: int) -> Fraction:
    """Fisher's exact test on [[a, b], [c, d]], worked out with exact fractions (math.comb):
    the probability of every table with these margins no likelier than the one observed."""
    row, column, total = a + b, a + c, a + b + c + d

    def chance(x: int) -> Fraction:
        return Fraction(math.comb(column, x) * math.comb(total - column, row - x),
                        math.comb(total, row))  # fmt: skip

    observed = chance(a)
    support = range(max(0, row - (total - column)), min(row, column) + 1)
    # scipy counts tables within a relative 1e-7 of the observed one as equally likely
    return sum((chance(x) for x in support if chance(x) <= observed * Fraction(10**7 + 1, 10**7)),
               Fraction(0))  # fmt: skip


def test_a_shortfall_that_could_be_chance_is_not_flagged() -> None:
    """Equal true rates give observed ratios below 0.8 all the time in small groups: 16 of 40
    against 22 of 40 is a ratio of 0.73, and Fisher's exact p is 0.18."""
    table = four_fifths(_groups({"a": (40, 22), "b": (40, 16)}), 30, 0.8)
    row = next(r for r in table.rows if r.label == "b")
    assert row.ratio == pytest.approx(16 / 22) and row.status == "below-not-significant"
    assert row.p_value == pytest.approx(float(_fisher_two_sided(16, 24, 22, 18)), abs=1e-12)
    assert row.alpha == 0.05  # two groups: one pair


@settings(max_examples=40, deadline=None)
@given(st.integers(30, 200), st.integers(30, 200), st.data())
def test_p_values_equal_exact_fractions_and_the_level_counts_every_pair(
    size_a: int, size_b: int, data: st.DataObject
) -> None:
    chosen_a = data.draw(st.integers(1, size_a))
    chosen_b = data.draw(st.integers(0, size_b))
    counts = {"a": (size_a, chosen_a), "b": (size_b, chosen_b), "c": (60, 30)}
    table = four_fifths(_groups(counts), 30, 0.8)
    rates = {k: Fraction(s, n) for k, (n, s) in counts.items()}
    top = str(table.highest)  # the first of tied highest rates, in the groups' order
    assert rates[top] == max(rates.values())
    for row in table.rows:
        if rates[row.label] / rates[top] >= Fraction(4, 5):
            assert row.status == "pass" and row.p_value is None
            continue
        (n, s) = counts[row.label]
        # against every group it is below four-fifths of: the smallest p decides
        above = [k for k in counts if rates[row.label] < Fraction(4, 5) * rates[k]]
        found = {k: _fisher_two_sided(s, n - s, counts[k][1], counts[k][0] - counts[k][1])
                 for k in above}  # fmt: skip
        expected = min(found.values())
        assert found[str(row.compared_with)] == expected
        assert row.p_value == pytest.approx(float(expected), rel=1e-9, abs=1e-15)
        assert row.alpha == pytest.approx(0.05 / 3)  # three judged groups: three pairs
        assert row.status == ("flagged" if row.p_value < 0.05 / 3 else "below-not-significant")


def test_weighted_groups_are_tested_on_their_effective_counts() -> None:
    """Weights 2 on every row double Σw but not the evidence: the effective counts are the rows."""
    frame = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40, "label": 1,
                          "pred": [1] * 22 + [0] * 18 + [1] * 16 + [0] * 24, "w": 2.0})  # fmt: skip
    weighted = group_metrics(frame, ["g"], y_true="label", y_pred="pred", y_score=None,
                             min_group_size=30, weights=frame["w"].to_numpy())  # fmt: skip
    plain = four_fifths(_groups({"a": (40, 22), "b": (40, 16)}), 30, 0.8)
    table = four_fifths(weighted, 30, 0.8)
    assert [(r.status, r.p_value) for r in table.rows] == [
        (r.status, r.p_value) for r in plain.rows
    ]


def test_a_ratio_exactly_at_the_threshold_in_floating_noise_passes() -> None:
    """60/100 ÷ 75/100 is 0.7999999999999999 in floating point: it was flagged, shown 0.8000."""
    assert (60 / 100) / (75 / 100) < 0.8
    table = four_fifths(_groups({"a": (100, 60), "b": (100, 75)}), 30, 0.8)
    assert {row.label: row.status for row in table.rows} == {"a": "pass", "b": "pass"}


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40), st.integers(1, 40), st.data(),
    st.sampled_from(["0.8", "0.75", "0.9", "0.6"]),
)  # fmt: skip
def test_four_fifths_agrees_with_exact_fractions(
    size_a: int, size_b: int, data: st.DataObject, threshold: str
) -> None:
    """The verdict is the exact rational comparison (Fraction), whatever the float noise."""
    chosen_a = data.draw(st.integers(1, size_a))
    chosen_b = data.draw(st.integers(1, size_b))
    table = four_fifths(_groups({"a": (size_a, chosen_a), "b": (size_b, chosen_b)}), 1,
                        float(threshold))  # fmt: skip
    rates = {"a": Fraction(chosen_a, size_a), "b": Fraction(chosen_b, size_b)}
    top = max(rates.values())
    for row in table.rows:
        below = rates[row.label] / top < Fraction(threshold)
        assert row.status in (("flagged", "below-not-significant") if below else ("pass",))


def test_four_fifths_small_groups_are_shown_not_judged() -> None:
    table = four_fifths(_groups({"a": (100, 10), "b": (100, 10), "tiny": (5, 5)}), 30, 0.8)
    rows = {row.label: row for row in table.rows}
    assert table.highest == "a"  # the tiny group's 100% does not set the highest rate
    assert rows["tiny"].status == "small"


def test_nobody_selected_is_undefined_not_a_pass() -> None:
    table = four_fifths(_groups({"a": (50, 0), "b": (50, 0)}), 30, 0.8)
    assert all(row.status == "undefined" and math.isnan(row.ratio) for row in table.rows)


@pytest.mark.parametrize(
    "table",
    [((16, 24), (22, 18)), ((0, 30), (12, 18)), ((390, 610), (500, 500)),
     ((3000, 7000), (3300, 6700)), ((1, 0), (0, 1)), ((5, 95), (5, 95)), ((30, 30), (31, 0)),
     # large tables, summed near their mean only; and skewed ones (Poisson-like tails)
     ((250_000, 250_000), (245_000, 255_000)), ((2, 999_998), (9, 999_991)),
     ((1, 4_000_000), (0, 1_000_000)), ((400_000, 600_000), (30, 70)), ((0, 10**6), (3, 10))],
)  # fmt: skip
def test_fisher_p_value_equals_scipy(table: tuple[tuple[int, int], tuple[int, int]]) -> None:
    """The same test as scipy's fisher_exact (which cardpress does not load: half a second)."""
    from scipy.stats import fisher_exact

    expected = fisher_exact([list(table[0]), list(table[1])], alternative="two-sided").pvalue
    assert fisher_p_value(*table) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_a_small_group_that_edges_ahead_does_not_clear_a_clear_shortfall() -> None:
    """B (400 of 2,000) against A (600 of 2,000) is p ≈ 3e-13; tested only against the highest
    group, C (10 of 30), it was p = 0.10 and "could be chance", and the card said "✓"."""
    table = four_fifths(_groups({"A": (2000, 600), "B": (2000, 400), "C": (30, 10)}), 30, 0.8)
    row = next(r for r in table.rows if r.label == "B")
    assert table.highest == "C" and row.status == "flagged" and row.compared_with == "A"
    assert row.p_value == pytest.approx(float(_fisher_two_sided(400, 1600, 600, 1400)), rel=1e-9)
    assert row.tested == ((400, 1600), (600, 1400))


def _flag_rate(rates: list[float], size: int, samples: int, seed: int) -> tuple[float, float]:
    """How often any group is flagged, and how often group 0 is, over simulated samples."""
    rng = np.random.default_rng(seed)
    any_flag = first_flag = 0
    for _ in range(samples):
        chosen = rng.binomial(size, rates)
        counts = {f"g{i}": (size, int(c)) for i, c in enumerate(chosen)}
        statuses = {r.label: r.status for r in four_fifths(_groups(counts), 30, 0.8).rows}
        any_flag += "flagged" in statuses.values()
        first_flag += statuses["g0"] == "flagged"
    return any_flag / samples, first_flag / samples


def test_equal_rates_are_rarely_flagged_and_a_planted_gap_is_caught() -> None:
    """No effect: five groups of 100 at 30% — the ratio alone is below 0.8 in about 80% of
    samples; the flag (family-wise 5%) in at most a few. Planted: one group of 1,000 at half
    the others' 30% is flagged in (nearly) every sample."""
    calm, _ = _flag_rate([0.3] * 5, 100, 300, seed=1)
    assert calm <= 0.06  # 0.05 plus Monte Carlo noise (±0.013 at 300 samples)
    _, caught = _flag_rate([0.15, 0.3, 0.3], 1000, 100, seed=2)
    assert caught >= 0.99


def test_with_no_group_large_enough_every_group_is_not_judged_not_undefined() -> None:
    """Both groups were selected (98 and 95 times) but neither reached min_group_size: the page
    said "undefined: no group counted was selected"; each is small, not judged."""
    table = four_fifths(_groups({"F": (213, 98), "M": (187, 95)}), 1000, 0.8)
    assert table.highest is None
    assert [row.status for row in table.rows] == ["small", "small"]
