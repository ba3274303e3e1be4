"""The chart specs of a model card, built from the card's own data."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from cardpress.render.charts import Chart, metric_dots


def card_chart_specs(card: dict[str, Any]) -> dict[str, Chart]:
    """Specs keyed by name: ``overall`` and ``by:<group columns>`` for each disaggregation."""
    quantitative = card["sections"]["quantitative_analyses"]
    specs: dict[str, Chart] = {}
    if quantitative["overall"]:
        title = "Metrics by data set"
        specs["overall"] = metric_dots(
            quantitative["overall"], y="key", series="dataset", title=title
        )
    rows = quantitative["disaggregated"]
    for columns, group_rows in groupby(rows, key=lambda r: r["group_columns"]):
        subset = list(group_rows)
        several = len({r["dataset"] for r in subset}) > 1
        labelled = [
            {**r, "series": f"{r['key']} ({r['dataset']})" if several else r["key"]} for r in subset
        ]
        title = f"Metrics by {columns}"
        specs[f"by:{columns}"] = metric_dots(labelled, y="group", series="series", title=title)
    return specs
