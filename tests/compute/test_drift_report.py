"""Thresholds (fixed and leave-one-out from the reference's chunks), alerts and dataset drift."""

from __future__ import annotations

import numpy as np

from cardpress.compute.drift import drift_report
from cardpress.compute.drift_stats import feature_stats
from cardpress.model_drift import (
    DriftSettings,
    DriftSummaries,
    FeatureBins,
    FeatureCounts,
    WindowSummary,
    merge_counts,
)

BINS = FeatureBins("c", "categorical", categories=("a", "b"))


def counts(a: int, b: int, unseen: int = 0) -> FeatureCounts:
    return FeatureCounts((a, b, unseen, 0))


def summaries(chunks: list[FeatureCounts], windows: list[FeatureCounts]) -> DriftSummaries:
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole = merge_counts(whole, chunk)
    return DriftSummaries(
        model="m", engine="duckdb", window="daily", window_rows=None, reference_name="r",
        bins=(BINS,), reference=(("c", whole),),
        reference_chunks=tuple((("c", c),) for c in chunks),
        windows=tuple(WindowSummary(f"2026-03-0{i + 1}", "", "", w.total, (("1", w.total),),
                                    (("c", w),)) for i, w in enumerate(windows)),
        sources=("x",),
    )  # fmt: skip


def test_reference_thresholds_are_leave_one_out_mean_plus_three_sigma() -> None:
    chunks = [counts(50, 50), counts(60, 40), counts(45, 55), counts(52, 48)]
    report = drift_report(summaries(chunks, [counts(50, 50)]), DriftSettings())
    values = []
    for index, chunk in enumerate(chunks):
        rest = [c for i, c in enumerate(chunks) if i != index]
        merged = merge_counts(merge_counts(rest[0], rest[1]), rest[2])
        values.append(feature_stats(merged, chunk, numeric=False).js)
    expected = float(np.mean(values) + 3 * np.std(values))
    assert abs(report.features[0].thresholds["js"] - expected) < 1e-12


def test_fixed_thresholds_alerts_and_dataset_drift() -> None:
    chunks = [counts(50, 50), counts(50, 50)]
    windows = [counts(50, 50), counts(10, 60, 30), counts(0, 0)]
    settings = DriftSettings(threshold_method="fixed")
    report = drift_report(summaries(chunks, windows), settings)
    [feature] = report.features
    assert feature.thresholds["js"] == 0.1 and feature.drifted == (False, True, False)
    assert feature.windows[2] is None  # an empty window: no statistic, not 0
    assert report.dataset_drift == (0.0, 1.0, None)
    alerted = {(a.window, a.statistic) for a in report.alerts}
    assert ("2026-03-02", "js") in alerted and ("2026-03-02", "chi2_p") in alerted
    assert not any(w == "2026-03-01" for w, _ in alerted)
