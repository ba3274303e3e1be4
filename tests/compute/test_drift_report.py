"""Verdicts: calibrated thresholds per window size, one primary statistic, dataset verdicts.

The statistical tests use fixed seeds and bounds several binomial standard errors wide, so
they cannot flake, yet fail when the thresholds ignore the window's size.
"""

from __future__ import annotations

import numpy as np

from cardpress.compute.drift.calibration import Calibrator, grid_size
from cardpress.compute.drift.report import drift_report
from cardpress.compute.drift.verdict import DRIFTED, NOT_JUDGED, STABLE
from cardpress.model_drift import (
    DriftSettings,
    DriftSummaries,
    FeatureBins,
    FeatureCounts,
    WindowSummary,
)

BINS = FeatureBins("c", "categorical", categories=("a", "b"))
SHARES = np.array([0.5, 0.3, 0.15, 0.05])
FIVE = FeatureBins("k", "categorical", categories=("a", "b", "c", "d"))


def counts(a: int, b: int, unseen: int = 0) -> FeatureCounts:
    return FeatureCounts((a, b, unseen, 0))


def summaries(
    reference: FeatureCounts, windows: list[FeatureCounts], bins: FeatureBins = BINS
) -> DriftSummaries:
    return DriftSummaries(
        model="m", engine="duckdb", window="daily", window_rows=None, reference_name="r",
        bins=(bins,), reference=((bins.name, reference),), reference_chunks=(),
        windows=tuple(WindowSummary(f"w{i:03d}", "", "", w.total, (("1", w.total),),
                                    ((bins.name, w),)) for i, w in enumerate(windows)),
        sources=("x",),
    )  # fmt: skip


def four(values: np.ndarray) -> FeatureCounts:  # type: ignore[type-arg]
    return FeatureCounts((*(int(v) for v in values), 0, 0))


def no_drift_windows(size: int, count: int, seed: int) -> list[FeatureCounts]:
    rng = np.random.default_rng(seed)
    return [four(c) for c in rng.multinomial(size, SHARES, size=count)]


def test_fixed_thresholds_verdicts_and_dataset_drift() -> None:
    windows = [counts(50, 50), counts(10, 60, 30), counts(0, 0)]
    settings = DriftSettings(threshold_method="fixed")
    report = drift_report(summaries(counts(100, 100), windows), settings)
    [feature] = report.features
    assert feature.thresholds[0]["js"] == 0.1 and feature.drifted == (False, True, False)
    assert feature.windows[2] is None  # an empty window: no statistic, not 0
    assert feature.verdicts[2].status == NOT_JUDGED and "no rows" in feature.verdicts[2].note
    assert report.dataset_drift == (0.0, 1.0, None)
    # one alert per drifted feature and window, on the primary statistic only (not χ² too)
    assert [(a.window, a.statistic) for a in report.alerts] == [("w001", "js")]
    assert report.window_verdicts[1].text == "drift in 1 of 1 feature: c"


def test_no_drift_windows_alert_at_the_configured_rate_at_every_size() -> None:
    # a reference large enough that its own noise (which the calibration counts, as a real
    # reference is itself a sample) is negligible beside the windows'
    reference = four(np.round(SHARES * 100_000))
    settings = DriftSettings(false_alarm_rate=0.05, multiple_testing="none")
    for size in (30, 200, 2000):
        windows = no_drift_windows(size, 400, seed=size)
        [feature] = drift_report(summaries(reference, windows, FIVE), settings).features
        rate = sum(feature.drifted) / len(windows)
        # expected 5%; binomial SE at 400 windows is 1.1 points; the reference's own
        # sampling error adds a little; bounds are ~3 SE wide
        assert 0.01 <= rate <= 0.09, (size, rate)


def test_thresholds_shrink_with_the_window_size() -> None:
    reference = four(np.round(SHARES * 4000))
    windows = [no_drift_windows(n, 1, 1)[0] for n in (20, 200, 5000)]
    [feature] = drift_report(summaries(reference, windows, FIVE), DriftSettings()).features
    js = [t["js"] for t in feature.thresholds]
    assert js[0] > 2 * js[1] > 4 * js[2] > 0


def test_a_planted_shift_is_flagged_and_the_same_window_without_it_is_not() -> None:
    reference = four(np.round(SHARES * 4000))
    shifted = np.array([0.40, 0.30, 0.25, 0.05])  # category c: +10 points
    plain = four(np.round(SHARES * 500))
    moved = four(np.round(shifted * 500))
    report = drift_report(summaries(reference, [plain, moved], FIVE), DriftSettings())
    [feature] = report.features
    assert [v.status for v in feature.verdicts] == [STABLE, DRIFTED]
    verdict = feature.verdicts[1]
    assert verdict.ratio is not None and verdict.ratio > 1 and verdict.tail is not None
    assert verdict.tail < 0.01


def test_builds_are_deterministic() -> None:
    reference = four(np.round(SHARES * 4000))
    windows = no_drift_windows(137, 5, 3)
    one = drift_report(summaries(reference, windows, FIVE), DriftSettings())
    two = drift_report(summaries(reference, windows, FIVE), DriftSettings())
    assert one.features[0].thresholds == two.features[0].thresholds


def test_row_counts_are_simulated_exactly_or_on_a_four_percent_grid() -> None:
    assert grid_size(37) == 37 and grid_size(50) == 50
    for m in (51, 201, 365, 1000, 54321):
        assert abs(grid_size(m) / m - 1) <= 0.021


def test_bad_input_gets_a_stated_verdict() -> None:
    # unseen categories: judged, drifted, and said
    report = drift_report(summaries(counts(500, 500), [counts(40, 40, 20)]), DriftSettings())
    verdict = report.features[0].verdicts[0]
    assert verdict.status == DRIFTED and "never seen in the reference" in verdict.note
    # a feature constant in the reference is not judged, with the reason
    constant = drift_report(summaries(counts(500, 0), [counts(40, 10)]), DriftSettings())
    verdict = constant.features[0].verdicts[0]
    assert verdict.status == NOT_JUDGED
    assert "every reference value is in one bin (a)" in verdict.note
    assert constant.window_verdicts[0].text.startswith("not judged")
    # a reference too small to judge anything
    tiny = drift_report(summaries(counts(10, 10), [counts(40, 10)]), DriftSettings())
    assert "only 20 present values" in tiny.features[0].verdicts[0].note
    # a reference smaller than the window: judged, its noise counted and said
    small = drift_report(summaries(counts(30, 30), [counts(200, 200)]), DriftSettings())
    verdict = small.features[0].verdicts[0]
    assert verdict.status == STABLE and "smaller than the window" in verdict.note
    # every value missing
    missing = drift_report(
        summaries(counts(50, 50), [FeatureCounts((0, 0, 0, 9))]), DriftSettings()
    )
    assert "every value is missing" in missing.features[0].verdicts[0].note


def test_many_categories_are_simulated_in_blocks_deterministically() -> None:
    # 600 categories × 5,000 draws exceed one block: drawn in two, the same on every run
    shares = np.random.default_rng(5).dirichlet(np.ones(600))
    reference = FeatureCounts((*(int(c) for c in np.round(shares * 50_000)), 0, 0))
    found = [
        Calibrator(5000).null("many", reference, numeric=False, m=300).quantile("js", 0.01)
        for _ in range(2)
    ]
    assert found[0] == found[1] and 0 < found[0] < 1
