"""The fairness page of the Adult example and of small projects, end to end."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, demographic_parity_difference, selection_rate
from sklearn.metrics import accuracy_score, roc_auc_score

from cardpress import build
from tests.conftest import EXAMPLE
from tests.functional.test_fairness_input import _csv, _write_predictions


def _page(site: Path, version: str = "2") -> dict[str, Any]:
    path = site / f"models/income-classifier/v/{version}/fairness/index.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_example_page_numbers_match_fairlearn_and_sklearn(example_site: Path) -> None:
    frame = pd.read_parquet(EXAMPLE / "predictions" / "income-classifier-2.parquet")
    page = _page(example_site)
    by_name = {g["name"]: g for g in page["groupings"]}
    assert list(by_name) == ["sex", "race", "sex × race"]
    for name, columns in (("sex", ["sex"]), ("race", ["race"]), ("sex × race", ["sex", "race"])):
        expected = MetricFrame(
            metrics={"selection_rate": selection_rate, "accuracy": accuracy_score},
            y_true=frame["label"], y_pred=frame["pred"], sensitive_features=frame[columns],
        ).by_group  # fmt: skip
        for group in by_name[name]["groups"]:
            key = tuple(group["values"]) if len(columns) > 1 else group["values"][0]
            for metric in ("selection_rate", "accuracy"):
                found = group["metrics"][metric]["value"]
                assert found == pytest.approx(expected.loc[key, metric], abs=1e-9)
            part = frame[(frame[columns] == group["values"]).all(axis=1)]
            if part["label"].nunique() == 2:
                auc = roc_auc_score(part["label"], part["score"])
                assert group["metrics"]["auc"]["value"] == pytest.approx(auc, abs=1e-9)
    dp = demographic_parity_difference(
        frame["label"], frame["pred"], sensitive_features=frame["sex"]
    )
    assert by_name["sex"]["parity"]["demographic_parity_difference"] == pytest.approx(dp, abs=1e-9)
    flagged = [
        r["label"] for r in by_name["sex"]["four_fifths"]["rows"] if r["status"] == "flagged"
    ]
    assert flagged == ["Female"]


def test_example_small_groups_are_flagged_and_left_out(example_site: Path) -> None:
    intersections = _page(example_site)["groupings"][2]
    small = [g["label"] for g in intersections["groups"] if g["small"]]
    assert small, "the Adult test set has intersections under 30 rows"
    left_out = {
        row["label"] for row in intersections["four_fifths"]["rows"] if row["status"] == "small"
    }
    assert left_out == set(small)
    spread = next(s for s in intersections["spreads"] if s["metric"] == "selection_rate")
    assert spread["groups"] == len(intersections["groups"]) - len(small)


def test_card_links_to_the_report_with_headline_disparities(example_site: Path) -> None:
    card = json.loads((example_site / "models/income-classifier/v/2/index.json").read_text())
    fairness = card["sections"]["quantitative_analyses"]["fairness"]
    assert fairness["href"] == "fairness/index.html"
    sex = fairness["headline"][0]
    assert sex["grouping"] == "sex" and sex["flagged"] == ["Female"]
    html = (example_site / "models/income-classifier/v/2/index.html").read_text()
    assert 'href="fairness/index.html"' in html and "Demographic parity ratio" in html
    page = (example_site / "models/income-classifier/v/2/fairness/index.html").read_text()
    assert "<svg" in page and "Four-fifths rule" in page and "Local Law 144" in page


def test_undefined_metrics_say_why(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    rows = [(1, 1, 1, 0.9, "a"), (2, 0, 0, 0.2, "a"), (3, 0, 0, 0.4, "b"), (4, 0, 1, 0.6, "b")]
    _write_predictions(records, _csv(rows))
    build(records, tmp_path / "out", source_date_epoch=0)
    page = json.loads((tmp_path / "out/models/churn/v/1/fairness/index.json").read_text())
    b = next(g for g in page["groupings"][0]["groups"] if g["label"] == "b")
    assert b["metrics"]["recall"] == {
        "value": None, "lower": None, "upper": None, "successes": 0, "trials": 0,
        "undefined": "no actual positives in this group",
    }  # fmt: skip
    assert b["metrics"]["auc"]["undefined"] == "only one class in this group"
    html = (tmp_path / "out/models/churn/v/1/fairness/index.html").read_text()
    assert "undefined: no actual positives in this group" in html


def test_group_names_are_escaped_and_small_groups_suppressed(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    evil = "<script>alert(1)</script>"
    rows = [(i, i % 2, (i // 2) % 2, 0.5, "a") for i in range(8)] + [(9, 1, 1, 0.9, evil)]
    _write_predictions(records, _csv(rows))
    with (records / "cardpress.toml").open("a") as config:
        config.write("\n[fairness]\nmin_group_size = 3\nsuppress_small_groups = true\n")
    build(records, tmp_path / "out", source_date_epoch=0)
    folder = tmp_path / "out/models/churn/v/1/fairness"
    html = (folder / "index.html").read_text()
    assert evil not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = json.loads((folder / "index.json").read_text())
    hidden = next(g for g in page["groupings"][0]["groups"] if g["values"] == [evil])
    assert hidden["suppressed"] and hidden["count"] is None and hidden["metrics"] == {}
    rule = next(r for r in page["groupings"][0]["ll144"]["rows"] if r["label"] == evil)
    assert rule == {"label": evil, "status": "suppressed"}


def test_fairness_pages_are_frozen_with_their_version(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project(), tmp_path / "site"
    build(records, out, source_date_epoch=0)
    page = out / "models/churn/v/1/fairness/index.html"
    manifest = json.loads((out / "manifest.json").read_text())
    files = manifest["versions"]["churn@1"]["files"]
    assert "models/churn/v/1/fairness/index.html" in files
    before = page.read_bytes()
    with (records / "cardpress.toml").open("a") as config:  # a new setting applies to new versions
        config.write("\n[fairness]\nmin_group_size = 1\n")
    build(records, out, source_date_epoch=0)
    assert page.read_bytes() == before


def test_diff_page_has_fairness_deltas(example_site: Path) -> None:
    diff = json.loads((example_site / "models/income-classifier/v/2/diff/index.json").read_text())
    rows = {(r["grouping"], r["measure"]): r for r in diff["fairness"]}
    before = {g["name"]: g["parity"] for g in _page(example_site, "1")["groupings"]}
    after = {g["name"]: g["parity"] for g in _page(example_site, "2")["groupings"]}
    row = rows[("sex", "demographic parity ratio")]
    assert row["before"] == before["sex"]["demographic_parity_ratio"]
    assert row["after"] == after["sex"]["demographic_parity_ratio"]
    assert row["delta"] == pytest.approx(row["after"] - row["before"], abs=1e-12)
    assert ("sex × race", "AUC difference") in rows


def test_printable_record_is_frozen_with_the_version(example_site: Path) -> None:
    manifest = json.loads((example_site / "manifest.json").read_text())
    assert (
        "models/income-classifier/v/2/print.html"
        in (manifest["versions"]["income-classifier@2"]["files"])
    )
    page = (example_site / "models/income-classifier/v/2/print.html").read_text()
    assert page.count("<svg") >= 5 and "Four-fifths rule" in page and "Model details" in page
    record = json.loads((example_site / "models/income-classifier/v/2/print.json").read_text())
    assert record["card"]["version"] == "2" and record["fairness"]["groupings"]


def test_groups_csv_holds_every_number_of_the_page_exactly(example_site: Path) -> None:
    page = _page(example_site)
    table = pd.read_csv(
        example_site / "models/income-classifier/v/2/fairness/groups.csv",
        keep_default_na=False, dtype=str,
    )  # fmt: skip
    metrics = [m["id"] for m in page["metrics"]]
    groups = [(g["name"], row) for g in page["groupings"] for row in g["groups"]]
    assert len(table) == len(groups) * len(metrics)
    rows = iter(table.to_dict("records"))
    for grouping, group in groups:
        for metric in metrics:
            row = next(rows)
            value = group["metrics"][metric]
            assert (row["grouping"], row["group"], row["metric"]) == (
                grouping,
                group["label"],
                metric,
            )
            assert int(row["count"]) == group["count"]
            for key in ("value", "lower", "upper"):
                assert (float(row[key]) if row[key] else None) == value[key]  # bit for bit
            versus = group["vs_reference"].get(metric) or {}
            shown = row["difference_vs_reference"]
            assert (float(shown) if shown else None) == versus.get("difference")
            assert row["reference"] == ("true" if group["reference"] else "false")
    page_html = (example_site / "models/income-classifier/v/2/fairness/index.html").read_text()
    assert 'href="groups.csv"' in page_html
    manifest = json.loads((example_site / "manifest.json").read_text())
    files = manifest["versions"]["income-classifier@2"]["files"]
    assert "models/income-classifier/v/2/fairness/groups.csv" in files  # frozen with the version


def test_groups_csv_keeps_group_names_from_running_as_formulas(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    rows = [(1, 1, 1, 0.9, "=HYPERLINK(x)"), (2, 0, 0, 0.2, "=HYPERLINK(x)"),
            (3, 1, 0, 0.4, "b"), (4, 0, 1, 0.6, "b")]  # fmt: skip
    _write_predictions(records, _csv(rows))
    build(records, tmp_path / "site")
    text = (tmp_path / "site/models/churn/v/1/fairness/groups.csv").read_text()
    assert ",'=HYPERLINK(x)," in text and ",=HYPERLINK" not in text


def test_a_weighted_page_heads_its_sums_of_weights_as_such(tmp_path: Path) -> None:
    """With weights the metrics-by-group table showed Σw (1,200.0000 for 400 rows of weight 3)
    under the heading "Rows"; the four-fifths table beside it already said Σw."""
    from bs4 import BeautifulSoup

    from tests.functional.test_check import _selection_model

    records = tmp_path / "records"
    for folder in ("runs", "predictions"):
        (records / folder).mkdir(parents=True)
    _selection_model(records, "w", {"A": (400, 100), "B": (300, 90)})
    path = records / "predictions" / "w.csv"
    frame = pd.read_csv(path)
    frame["w"] = [3.0 if g == "A" else 1.0 for g in frame["g"]]
    frame.to_csv(path, index=False)
    run_path = records / "runs" / "w.json"
    run = json.loads(run_path.read_text())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run["predictions"]["sha256"] = run["datasets"][0]["sha256"] = digest
    run["predictions"]["columns"]["weight"] = "w"
    run_path.write_text(json.dumps(run))
    build(records, tmp_path / "site")
    html = (tmp_path / "site/models/w/v/1/fairness/index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("#by-g table")
    assert table is not None
    heads = [th.get_text() for th in table.select("thead th")]
    assert heads[1] == "Σw" and "Rows" not in heads
    first = table.select("tbody tr")[1].select("td")[0].get_text(" ")
    assert first.startswith("1,200")
