"""Drift charts put their rows in after Altair builds the spec: the same spec as Altair's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pytest

from cardpress.render.drift import charts


def _altair_with_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The charts built the plain way: Altair given the rows themselves."""

    def values(self: Any, rows: list[dict[str, Any]]) -> Any:
        return alt.Data(values=rows)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(charts._Tables, "values", values)
    monkeypatch.setattr(charts._Tables, "_filled", lambda self, node: node)


def test_every_drift_chart_of_the_example_is_the_spec_altair_builds_with_its_rows(
    example_site: Path,
) -> None:
    folder = example_site / "models" / "income-classifier" / "drift"
    timeline = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/index.json"))]
    assert timeline["performance"] and len(pages) > 5

    def build() -> list[Any]:
        made = [charts.heat_map(timeline), charts.dataset_drift(timeline),
                charts.performance_chart(timeline)]  # fmt: skip
        return made + [charts.histogram(page) for page in pages]

    fast = build()
    with pytest.MonkeyPatch.context() as patch:
        _altair_with_rows(patch)
        plain = build()
    assert json.dumps(fast, sort_keys=True) == json.dumps(plain, sort_keys=True)
    assert all(len(json.dumps(spec)) > 1000 for spec in fast)  # the rows are in


def test_the_feature_timelines_from_one_template_are_altair_s_own(example_site: Path) -> None:
    folder = example_site / "models" / "income-classifier" / "drift"
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/index.json"))]
    kinds = {page["feature_kind"] for page in pages}
    assert kinds == {"numeric", "categorical"}  # both templates
    for page in pages:
        fast = charts.feature_timeline(page)
        keys = tuple(w["window"] for w in page["windows"])
        names = tuple(fast["facet"]["row"]["sort"])
        rows = alt.Data(values=fast["data"]["values"])  # type: ignore[no-untyped-call]
        plain = charts.timeline_chart(keys, names, rows).to_dict(validate=False)
        assert json.dumps(fast, sort_keys=True) == json.dumps(plain, sort_keys=True)
        assert len(fast["data"]["values"]) > 100


def test_an_undefined_metric_keeps_its_crosses(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {
        "windows": [{"key": "w0"}, {"key": "w1"}],
        "task": "binary",
        "performance": [
            {"window": "w0", "accuracy": 0.8, "accuracy_ci": [0.7, 0.9], "auc": None,
             "auc_ci": None, "reasons": {"auc": "one class"}},
            {"window": "w1", "accuracy": 0.7, "accuracy_ci": None, "auc": 0.6, "auc_ci": None},
        ],
    }  # fmt: skip
    fast = charts.performance_chart(data)
    _altair_with_rows(monkeypatch)
    assert json.dumps(fast, sort_keys=True) == json.dumps(
        charts.performance_chart(data), sort_keys=True
    )
    assert "auc undefined: one class" in json.dumps(fast)
