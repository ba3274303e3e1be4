"""Drift charts are templates Altair built once, filled with their rows and lists: the same spec,
key for key and in the same order, as Altair builds when given the rows and lists themselves."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardpress.render.chart_templates import SHIPPED
from cardpress.render.drift import charts, templates

# template name -> (the shipped template's function, the Altair builder it was made with)
KINDS: dict[str, tuple[Callable[..., str], Callable[..., Any]]] = {
    "drift heat map": (templates.heat_template, templates.heat_chart),
    "drift dataset": (templates.dataset_template, templates.dataset_chart),
    "drift performance": (templates.performance_template, templates.performance_chart),
    "drift timeline": (templates.timeline_template, templates.timeline_chart),
    "drift histogram": (templates.histogram_template, templates.histogram_chart),
}


class Given:
    """The real rows and lists: the chart built the plain way."""

    def __init__(self, tables: list[list[dict[str, Any]]], lists: list[list[Any]]) -> None:
        self.tables, self.lists = tables, lists

    def table(self, number: int) -> Any:
        return alt.Data(values=self.tables[number])  # type: ignore[no-untyped-call]

    def items(self, number: int) -> list[Any]:
        return self.lists[number]


def _plain(template: str, tables: list[Any], lists: list[Any]) -> Any:
    """The chart Altair builds given the rows and lists themselves (not the template)."""
    for name, (shipped, build) in KINDS.items():
        for args in SHIPPED[name]:
            if shipped(*args) == template:
                return build(Given(tables, lists), *args).to_dict(validate=False)
    raise AssertionError("a drift chart was filled from a template that is not shipped")


def _both(make: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """``make()`` from the templates and from Altair, each as JSON text (key order kept)."""
    fast = json.dumps(make())
    with monkeypatch.context() as patch:
        patch.setattr(charts, "fill", _plain)
        plain = json.dumps(make())
    return fast, plain


def test_every_template_is_named_for_the_test() -> None:
    assert {name for name in SHIPPED if name.startswith("drift")} == set(KINDS)


def test_every_drift_chart_of_the_example_is_the_spec_altair_builds(
    example_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = example_site / "models" / "income-classifier" / "drift"
    timeline = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/index.json"))]
    assert timeline["performance"] and len(pages) > 5
    assert {page["feature_kind"] for page in pages} == {"numeric", "categorical"}

    def build() -> list[Any]:
        made = [charts.heat_map(timeline), charts.dataset_drift(timeline),
                charts.performance_chart(timeline)]  # fmt: skip
        return made + [chart(page) for page in pages for chart in
                       (charts.histogram, charts.feature_timeline)]  # fmt: skip

    fast, plain = _both(build, monkeypatch)
    assert fast == plain
    assert all(len(json.dumps(spec)) > 1000 for spec in json.loads(fast))  # the rows are in


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
    fast, plain = _both(lambda: charts.performance_chart(data), monkeypatch)
    assert fast == plain and "auc undefined: one class" in fast
    regression = {**data, "task": "regression",
                  "performance": [{"window": "w0", "mae": 1.5, "mae_ci": [1.0, 2.0]}]}  # fmt: skip
    fast, plain = _both(lambda: charts.performance_chart(regression), monkeypatch)
    assert fast == plain and '"MAE"' in fast


# Any text a record can hold, the stand-ins' own markers included: filled values are not read
# again, so a window or bin named like a stand-in stays what it is.
NAMES = st.text(min_size=1, max_size=12) | st.sampled_from([templates.LIST + "0", templates.ROWS])


@settings(max_examples=40, deadline=None)
@given(
    keys=st.lists(NAMES, min_size=1, max_size=40, unique=True),
    features=st.lists(NAMES, min_size=1, max_size=6, unique=True),
    data=st.data(),
)
def test_any_heat_map_and_dataset_chart_is_altair_s_own(
    keys: list[str], features: list[str], data: st.DataObject
) -> None:
    ratio = st.none() | st.floats(0, 5)
    timeline = {
        "windows": [{"key": k, "dataset_drift": data.draw(st.none() | st.floats(0, 1))}
                    for k in keys],
        "features": [{"name": f, "ratio": data.draw(st.lists(ratio, min_size=len(keys),
                                                             max_size=len(keys))),
                      "drifted": [data.draw(st.booleans()) for _ in keys]} for f in features],
        "version_changes": [{"window": k, "version": "2"} for k in keys[:1]],
    }  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        for make in (charts.heat_map, charts.dataset_drift):
            fast, plain = _both(lambda make=make: make(timeline), patch)  # type: ignore[misc]
            assert fast == plain


@settings(max_examples=40, deadline=None)
@given(
    bins=st.lists(NAMES, min_size=1, max_size=20, unique=True),
    windows=st.lists(NAMES, min_size=0, max_size=3, unique=True),
    data=st.data(),
)
def test_any_histogram_is_altair_s_own(
    bins: list[str], windows: list[str], data: st.DataObject
) -> None:
    columns = [{"name": "reference", "window": None}] + [
        {"name": "window", "window": w} for w in windows
    ]
    for column in columns:
        column["shares"] = data.draw(
            st.lists(st.none() | st.floats(0, 1), min_size=len(bins), max_size=len(bins))
        )
    page = {"histograms": {"bins": bins, "columns": columns}}
    with pytest.MonkeyPatch.context() as patch:
        fast, plain = _both(lambda: charts.histogram(page), patch)
    assert fast == plain
