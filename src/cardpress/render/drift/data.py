"""The data of the drift pages of one model: the timeline page and a page per feature.

Every number the pages show is here (and so in the pages' ``.json``); NaN and infinities become
``null`` with the reason on the page, never a silent 0.
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from typing import Any

from cardpress.compute.drift.outcomes import (
    MulticlassWindow,
    RegressionWindow,
    multiclass_window,
    regression_window,
)
from cardpress.compute.drift.performance import (
    VolumeBand,
    WindowPerformance,
    delay_labels,
    volume_band,
    window_performance,
)
from cardpress.compute.drift.report import DriftReport, FeatureReport, finite
from cardpress.compute.drift.stats import Stats
from cardpress.compute.drift.verdict import ALL_MISSING, NO_ROWS, NOT_JUDGED, Verdict
from cardpress.model_drift import FeatureBins, FeatureCounts

STATISTICS = ("psi", "js", "hellinger", "wasserstein", "ks_d", "ks_p", "chi2", "chi2_p")


def slug(name: str) -> str:
    """A feature's folder: lower-case letters, digits and dashes, never empty or dotted."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "feature"


def feature_slugs(report: DriftReport) -> dict[str, str]:
    """Each feature's folder; two features that would share one get numbered."""
    taken: dict[str, str] = {}
    for feature in report.features:
        base = slug(feature.name)
        candidate, number = base, 2
        while candidate in taken.values():
            candidate, number = f"{base}-{number}", number + 1
        taken[feature.name] = candidate
    return taken


def drift_data(report: DriftReport, model: str, title: str, prediction: str) -> dict[str, Any]:
    """The timeline page: windows, versions, features × windows, alerts, performance."""
    summaries = report.summaries
    slugs = feature_slugs(report)
    windows = [
        {"key": w.key, "start": w.start, "end": w.end, "rows": w.rows,
         "versions": [{"version": v, "rows": n} for v, n in w.versions],
         "dataset_drift": v.share, "judged": v.judged, "drifted": list(v.drifted),
         "verdict": v.text}
        for w, v in zip(summaries.windows, report.window_verdicts, strict=True)
    ]  # fmt: skip
    band = volume_band([w.rows for w in summaries.windows], report.false_alarm_rate)
    for window, summary in zip(windows, summaries.windows, strict=True):
        window["volume"] = _volume(summary.rows, band)
    return {
        "kind": "drift", "model": model, "title": title, "engine": summaries.engine,
        "window": summaries.window, "window_rows": summaries.window_rows,
        "reference": summaries.reference_name, "threshold_method": report.threshold_method,
        **_method(report), "sources": list(summaries.sources), "warnings": list(report.warnings),
        "windows": windows, "version_changes": _version_changes(windows),
        "features": _by_severity(
            [_feature_row(f, slugs[f.name], f.name == prediction) for f in report.features]),
        "alerts": [asdict(a) for a in report.alerts], "alert_windows": _alert_windows(report),
        "headline": _headline(report, windows),
        "volume_band": asdict(band) if band else None,
        "performance": _performance(report), "delay_labels": list(delay_labels()),
        **_task(report),
    }  # fmt: skip


def feature_data(
    report: DriftReport, feature: FeatureReport, model: str, title: str
) -> dict[str, Any]:
    """One feature's page: every statistic per window and the bins of selected windows."""
    summaries = report.summaries
    bins = next(b for b in summaries.bins if b.name == feature.name)
    rows = [
        {"window": w.key, "start": w.start, **_stats(s), **_verdict(v),
         "thresholds": {k: finite(x) for k, x in t.items()}}
        for w, s, v, t in zip(summaries.windows, feature.windows, feature.verdicts,
                              feature.thresholds, strict=True)
    ]  # fmt: skip
    return {
        "kind": "drift-feature", "model": model, "title": title, "feature": feature.name,
        "feature_kind": feature.kind, "primary": feature.primary,
        "reference": summaries.reference_name, "threshold_method": report.threshold_method,
        **_method(report), "windows": rows,
        "histograms": _histograms(report, bins, feature),
    }  # fmt: skip


def _by_severity(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most alarming first.

    Drifted in the latest window, then every value missing in the latest window with rows,
    then by its distance ÷ threshold, then by how many windows drifted; features never judged
    last, by name.
    """

    def key(row: dict[str, Any]) -> tuple[int, int, float, int, str]:
        latest = row["latest"] or {}
        return (-int(bool(latest.get("drifted"))), -int(row["now"] == ALL_MISSING),
                -(latest.get("ratio") or -1.0), -row["windows_drifted"], row["name"])  # fmt: skip

    return sorted(rows, key=key)


def _alert_windows(report: DriftReport) -> list[dict[str, Any]]:
    """Alerts grouped by window, newest first: the drifted features with distance ÷ threshold."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for alert in report.alerts:
        groups.setdefault(alert.window, []).append(
            {"feature": alert.feature, "statistic": alert.statistic, "value": alert.value,
             "threshold": alert.threshold, "ratio": finite(alert.ratio)})  # fmt: skip
    verdicts = {v.key: v for v in report.window_verdicts}
    return [{"window": key, "verdict": verdicts[key].text, "features": found}
            for key, found in reversed(groups.items())]  # fmt: skip


def _headline(report: DriftReport, windows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest window with rows: its verdict, and its volume beside the usual one."""
    filled = [w for w in windows if w["rows"]]
    if not filled:
        return None
    latest = filled[-1]
    volumes = sorted(w["rows"] for w in filled)
    return {"window": latest["key"], "start": latest["start"], "verdict": latest["verdict"],
            "drifted": latest["drifted"], "judged": latest["judged"], "rows": latest["rows"],
            "median_rows": volumes[len(volumes) // 2], "volume": latest["volume"]}  # fmt: skip


def _volume(rows: int, band: VolumeBand | None) -> str | None:
    """Low or high when a window's rows leave the band (an empty window is a warning)."""
    if band is None or not rows or band.low <= rows <= band.high:
        return None
    return "low" if rows < band.low else "high"


def _method(report: DriftReport) -> dict[str, Any]:
    return {"false_alarm_rate": report.false_alarm_rate,
            "multiple_testing": report.multiple_testing, "draws": report.draws}  # fmt: skip


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {"status": verdict.status, "drifted": verdict.status == "drifted",
            "value": finite(verdict.value), "threshold": finite(verdict.threshold),
            "ratio": finite(verdict.ratio), "tail": verdict.tail, "note": verdict.note}  # fmt: skip


def _feature_row(feature: FeatureReport, folder: str, is_prediction: bool) -> dict[str, Any]:
    verdicts = [_verdict(v) for v in feature.verdicts]
    judged = [v for v in verdicts if v["status"] != "not judged"]
    latest = judged[-1] if judged else None
    # why the latest window with rows did not judge the feature (its values all missing…)
    with_rows = [v for v in verdicts if v["note"] != NO_ROWS]
    now = with_rows[-1]["note"] if with_rows and with_rows[-1]["status"] == NOT_JUDGED else None
    return {
        "name": feature.name,
        "kind": feature.kind,
        "href": f"{folder}/index.html",
        "prediction": is_prediction,
        "statistic": feature.primary,
        "primary": [v["value"] for v in verdicts],
        "threshold": [v["threshold"] for v in verdicts],
        "ratio": [v["ratio"] for v in verdicts],
        "status": [v["status"] for v in verdicts],
        "notes": [v["note"] for v in verdicts],
        "drifted": [v["drifted"] for v in verdicts],
        "windows_drifted": sum(feature.drifted),
        "windows_judged": len(judged),
        "latest": latest,
        "now": now if latest is not None else None,
    }


def _stats(stats: Stats | None) -> dict[str, Any]:
    if stats is None:
        return {"rows": 0, "missing_share": None, "outside_share": None, "chi2_dof": None,
                **dict.fromkeys(STATISTICS)}  # fmt: skip
    values = {k: finite(getattr(stats, k)) for k in STATISTICS}
    shares = {"missing_share": finite(stats.missing_share),
              "outside_share": finite(stats.outside_share)}  # fmt: skip
    return {"rows": stats.rows, "chi2_dof": stats.chi2_dof, **shares, **values}


def _histograms(report: DriftReport, bins: FeatureBins, feature: FeatureReport) -> dict[str, Any]:
    """Shares per bin of the reference, the latest window and the most drifted window."""
    summaries = report.summaries
    columns = {"reference": dict(summaries.reference)[bins.name]}
    chosen = [i for i, s in enumerate(feature.windows) if s is not None]
    picks: dict[str, int] = {}
    if chosen:
        picks["latest"] = chosen[-1]
        ratios = [feature.verdicts[i].ratio or 0.0 for i in chosen]
        picks["most drifted"] = chosen[max(range(len(chosen)), key=lambda j: ratios[j])]
    keys = {}
    for label, index in picks.items():
        window = summaries.windows[index]
        columns[label] = dict(window.features)[bins.name]
        keys[label] = window.key
    return {
        "bins": list(bins.labels()),
        "columns": [
            {"name": name, "window": keys.get(name), "counts": list(c.counts), "shares": _shares(c)}
            for name, c in columns.items()
        ],
    }


def _shares(counts: FeatureCounts) -> list[float | None]:
    total = counts.total
    return [c / total if total else None for c in counts.counts]


def _version_changes(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Windows where the serving model version changed (the version with most rows)."""
    changes = []
    previous = None
    for window in windows:
        if not window["versions"]:
            continue
        main = max(window["versions"], key=lambda v: (v["rows"], v["version"]))["version"]
        if main != previous:
            changes.append({"window": window["key"], "version": main})
            previous = main
    return changes


# what performance over time measures, by task: the metrics of a window and the classes of them
MEASURES: dict[str, tuple[Any, Any]] = {
    "binary": (WindowPerformance, window_performance),
    "regression": (RegressionWindow, regression_window),
    "multiclass": (MulticlassWindow, multiclass_window),
}


def _task(report: DriftReport) -> dict[str, Any]:
    """The task and, for multiclass, every class predicted in some window (the table's columns).

    A binary model's page data is as it was before tasks were told apart: no ``task`` key.
    """
    task = report.summaries.task
    if task == "binary":
        return {}
    found: dict[str, Any] = {"task": task}
    if task == "multiclass":
        found["classes"] = sorted({p for w in report.summaries.windows if w.performance
                                   for _, p, _ in w.performance.confusion})  # fmt: skip
    return found


def _performance(report: DriftReport) -> list[dict[str, Any]] | None:
    windows = report.summaries.windows
    if all(w.performance is None for w in windows):
        return None
    kind, measure = MEASURES[report.summaries.task]
    rows: list[dict[str, Any]] = []
    empty: dict[str, Any] = {f.name: None for f in fields(kind)}
    for window in windows:
        if window.performance is None:  # no rows, or none labelled: every metric undefined
            rows.append({**empty, "window": window.key, "rows": window.rows, "labelled": 0,
                         "delay_shares": []})  # fmt: skip
            continue
        metrics = asdict(measure(window.performance))
        rows.append({"window": window.key, **metrics})
    return rows
