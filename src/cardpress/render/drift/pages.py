"""Drift pages as plans: ``models/<model>/drift/`` (timeline), one per feature, and a CSV.

Drift pages belong to the model, not to a version, and are rebuilt at every build from the
monitoring rows, like the model page.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from cardpress.compute.drift.report import DriftReport
from cardpress.render.drift.charts import (
    dataset_drift,
    feature_timeline,
    heat_map,
    histogram,
    performance_chart,
)
from cardpress.render.drift.data import STATISTICS, drift_data, feature_data, feature_slugs
from cardpress.render.fairness.tables import csv_cell
from cardpress.render.plans import PagePlan, RenderedFile

CSV_COLUMNS = ("window", "start", "feature", "kind", "rows", "missing_share", "outside_share",
               *STATISTICS, "chi2_dof", "drifted")  # fmt: skip


def drift_plans(report: DriftReport, title: str, prediction: str) -> list[PagePlan]:
    """The timeline page with its CSV, then a page per feature."""
    model = report.summaries.model
    folder = f"models/{model}/drift"
    data = drift_data(report, model, title, prediction)
    charts = {"heat": heat_map(data), "dataset": dataset_drift(data)}
    if data["performance"]:
        charts["performance"] = performance_chart(data)
    features = []
    for feature, folder_name in zip(report.features, feature_slugs(report).values(), strict=True):
        page = feature_data(report, feature, model, title)
        specs = {"timeline": feature_timeline(page), "histogram": histogram(page)}
        features.append(PagePlan(f"{folder}/{folder_name}/index.html", "drift_feature.html",
                                 page, specs))  # fmt: skip
    table = RenderedFile(f"{folder}/drift.csv", drift_csv([p.data for p in features]))
    return [PagePlan(f"{folder}/index.html", "drift.html", data, charts, files=(table,)),
            *features]  # fmt: skip


def drift_csv(features: list[dict[str, Any]]) -> bytes:
    """Every window × feature × statistic, full precision (the pages round)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for feature in features:
        for window in feature["windows"]:
            row = {"feature": feature["feature"], "kind": feature["feature_kind"], **window}
            writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8")
