"""The data of the drift pages of one model: the timeline page and a page per feature.

Every number the pages show is here (and so in the pages' ``.json``); NaN and infinities become
``null`` with the reason on the page, never a silent 0.
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from typing import Any

from cardpress.compute.drift import PRIMARY, DriftReport, FeatureReport, finite
from cardpress.compute.drift_performance import (
    WindowPerformance,
    delay_labels,
    window_performance,
)
from cardpress.compute.drift_stats import Stats
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
         "dataset_drift": share}
        for w, share in zip(summaries.windows, report.dataset_drift, strict=True)
    ]  # fmt: skip
    return {
        "kind": "drift", "model": model, "title": title, "engine": summaries.engine,
        "window": summaries.window, "window_rows": summaries.window_rows,
        "reference": summaries.reference_name, "threshold_method": report.threshold_method,
        "primary": PRIMARY, "sources": list(summaries.sources), "warnings": list(report.warnings),
        "windows": windows, "version_changes": _version_changes(windows),
        "features": [_feature_row(f, slugs[f.name], f.name == prediction) for f in report.features],
        "alerts": [asdict(a) for a in report.alerts],
        "performance": _performance(report), "delay_labels": list(delay_labels()),
    }  # fmt: skip


def feature_data(
    report: DriftReport, feature: FeatureReport, model: str, title: str
) -> dict[str, Any]:
    """One feature's page: every statistic per window and the bins of selected windows."""
    summaries = report.summaries
    bins = next(b for b in summaries.bins if b.name == feature.name)
    rows = [
        {"window": w.key, "start": w.start, **_stats(s), "drifted": d}
        for w, s, d in zip(summaries.windows, feature.windows, feature.drifted, strict=True)
    ]
    return {
        "kind": "drift-feature", "model": model, "title": title, "feature": feature.name,
        "feature_kind": feature.kind, "thresholds": feature.thresholds,
        "reference": summaries.reference_name, "threshold_method": report.threshold_method,
        "primary": PRIMARY, "windows": rows,
        "histograms": _histograms(report, bins, feature),
    }  # fmt: skip


def _feature_row(feature: FeatureReport, folder: str, is_prediction: bool) -> dict[str, Any]:
    primary = [finite(s.js) if s else None for s in feature.windows]
    return {
        "name": feature.name,
        "kind": feature.kind,
        "href": f"{folder}/index.html",
        "prediction": is_prediction,
        "threshold": feature.thresholds.get(PRIMARY),
        "primary": primary,
        "drifted": list(feature.drifted),
        "windows_drifted": sum(feature.drifted),
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
        picks["most drifted"] = max(chosen, key=lambda i: feature.windows[i].js or 0.0)  # type: ignore[union-attr]
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


def _performance(report: DriftReport) -> list[dict[str, Any]] | None:
    windows = report.summaries.windows
    if all(w.performance is None for w in windows):
        return None
    rows: list[dict[str, Any]] = []
    empty = {f.name: None for f in fields(WindowPerformance)}
    for window in windows:
        if window.performance is None:  # no rows, or none labelled: every metric undefined
            rows.append({**empty, "window": window.key, "rows": window.rows, "labelled": 0,
                         "delay_shares": []})  # fmt: skip
            continue
        metrics = asdict(window_performance(window.performance))
        rows.append({"window": window.key, **metrics})
    return rows
