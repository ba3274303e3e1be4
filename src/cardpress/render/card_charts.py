"""The charts of a model card, built from the card's own data."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from cardpress.render.charts import metric_dots


def card_charts(card: dict[str, Any]) -> dict[str, Any]:
    """SVG of the overall-metrics chart and one chart per disaggregation (group columns)."""
    quantitative = card["sections"]["quantitative_analyses"]
    overall = quantitative["overall"]
    charts: dict[str, Any] = {"overall": None, "disaggregated": {}}
    if overall:
        title = "Metrics by data set"
        charts["overall"] = metric_dots(overall, y="key", series="dataset", title=title)
    rows = quantitative["disaggregated"]
    for columns, group_rows in groupby(rows, key=lambda r: r["group_columns"]):
        subset = list(group_rows)
        labelled = [{**r, "y": f"{r['group']}"} for r in subset]
        title = f"Metrics by {columns}"
        charts["disaggregated"][columns] = metric_dots(labelled, y="y", series="key", title=title)
    return charts
