"""Drift pages' data: features by severity, heat map coloured by distance ÷ threshold."""

from __future__ import annotations

from cardpress.compute.drift.report import drift_report
from cardpress.model_drift import (
    DriftSettings,
    DriftSummaries,
    FeatureBins,
    FeatureCounts,
    WindowSummary,
)
from cardpress.render.drift.charts import RATIO_CAP, heat_map, performance_chart
from cardpress.render.drift.data import drift_data

NAMES = ("calm", "loud", "mild")
BINS = tuple(FeatureBins(n, "categorical", categories=("a", "b")) for n in NAMES)


def report_with(windows: dict[str, list[tuple[int, int]]]):  # type: ignore[no-untyped-def]
    reference = FeatureCounts((500, 500, 0, 0))
    keys = range(len(next(iter(windows.values()))))
    summaries = DriftSummaries(
        model="m", engine="duckdb", window="daily", window_rows=None, reference_name="r",
        bins=BINS, reference=tuple((n, reference) for n in NAMES), reference_chunks=(),
        windows=tuple(
            WindowSummary(f"w{i}", f"2026-03-0{i + 1}T00:00:00Z", "", 100, (("1", 100),),
                          tuple((n, FeatureCounts((*windows[n][i], 0, 0))) for n in NAMES))
            for i in keys),
        sources=("x",),
    )  # fmt: skip
    return drift_report(summaries, DriftSettings(threshold_method="fixed"))


def test_features_by_severity_and_the_headline() -> None:
    # fixed JS threshold 0.1: loud drifts most in the latest window, mild a little, calm not
    report = report_with(
        {"calm": [(50, 50), (50, 50)], "loud": [(50, 50), (95, 5)], "mild": [(90, 10), (72, 28)]}
    )
    data = drift_data(report, "m", "M", "prediction")
    assert [f["name"] for f in data["features"]] == ["loud", "mild", "calm"]
    assert data["headline"]["verdict"] == "drift in 2 of 3 features: loud, mild"
    assert data["headline"]["window"] == "w1"
    [latest, first] = data["alert_windows"]
    assert latest["window"] == "w1" and [f["feature"] for f in latest["features"]] == [
        "loud",
        "mild",
    ]
    assert first["features"][0]["ratio"] > 1


def test_the_heat_map_is_coloured_by_the_capped_ratio_not_the_raw_distance() -> None:
    report = report_with(
        {"calm": [(50, 50)], "loud": [(99, 1)], "mild": [(60, 40)]},
    )
    data = drift_data(report, "m", "M", "prediction")
    spec = heat_map(data)
    layer = spec["layer"][0]
    assert layer["encoding"]["color"]["field"] == "ratio"
    values = {r["feature"]: r["ratio"] for r in spec["data"]["values"]}
    loud = next(f for f in data["features"] if f["name"] == "loud")
    assert values["loud"] == RATIO_CAP and loud["ratio"][0] > RATIO_CAP  # capped
    mild = next(f for f in data["features"] if f["name"] == "mild")
    assert abs(values["mild"] - mild["primary"][0] / mild["threshold"][0]) < 1e-12


def test_the_performance_chart_marks_an_undefined_auc_with_its_reason() -> None:
    data = {
        "windows": [{"key": "w0"}, {"key": "w1"}],
        "performance": [
            {"window": "w0", "accuracy": 0.8, "accuracy_ci": [0.7, 0.9], "auc": 0.9,
             "auc_ci": [0.8, 1.0], "coverage": 1.0, "positive_label_share": 0.3, "reasons": {}},
            {"window": "w1", "accuracy": 0.8, "accuracy_ci": [0.7, 0.9], "auc": None,
             "auc_ci": None, "coverage": 1.0, "positive_label_share": 1.0,
             "reasons": {"auc": "all labels positive"}},
        ],
    }  # fmt: skip
    spec = performance_chart(data)
    crosses = spec["layer"][2]["data"]["values"]
    assert crosses == [{"window": "w1", "value": 0, "why": "auc undefined: all labels positive"}]


def test_a_reference_without_values_of_the_feature_leaves_the_windows_their_colours() -> None:
    from cardpress.render.charts import colour
    from cardpress.render.drift.charts import histogram

    columns = [
        {"name": "reference", "window": None, "shares": [None, None]},  # no value in the reference
        {"name": "latest", "window": "2026-10", "shares": [0.25, 0.75]},
        {"name": "most drifted", "window": "2026-09", "shares": [0.5, 0.5]},
    ]
    spec = histogram({"histograms": {"bins": ["a", "b"], "columns": columns}})
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["latest (2026-10)", "most drifted (2026-09)"]
    assert scale["range"] == [colour("1"), colour("2")]
