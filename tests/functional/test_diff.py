"""The version diff page: parameters, code, data sets, metric deltas and card text changes."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

import cardpress
from tests.conftest import EXAMPLE


def _record(version: str) -> dict:  # type: ignore[type-arg]
    return json.loads((EXAMPLE / "runs" / f"income-classifier-{version}.json").read_text())


def test_example_diff_matches_the_two_run_records(example_site: Path) -> None:
    diff = json.loads((example_site / "models/income-classifier/v/2/diff/index.json").read_text())
    old, new = _record("1"), _record("2")

    # metrics: every (key, dataset, slice) of either record, delta = new - old
    def keyed(record: dict) -> dict:  # type: ignore[type-arg]
        return {
            (m["key"], m["dataset"], tuple(sorted(m.get("slice", {}).items()))): m["value"]
            for m in record["metrics"]
        }

    before, after = keyed(old), keyed(new)
    assert len(diff["metrics"]) == len(set(before) | set(after))
    by_key = {(m["key"], m["dataset"], m["group"]): m for m in diff["metrics"]}
    for (key, dataset, group), value in after.items():
        label = (
            " × ".join(c for c, _ in group) + " = " + " × ".join(v for _, v in group)
            if group
            else ""
        )
        row = by_key[(key, dataset, label)]
        assert row["after"] == value and row["before"] == before[(key, dataset, group)]
        assert abs(row["delta"] - (value - before[(key, dataset, group)])) < 1e-12
    # parameters: exactly the symmetric difference and the changed values
    p_old, p_new = old["params"], new["params"]
    expected = {k for k in p_old.keys() ^ p_new.keys()} | {
        k for k in p_old.keys() & p_new.keys() if p_old[k] != p_new[k]
    }
    assert {row["name"] for row in diff["params"]} == expected
    assert diff["datasets"] == [] and diff["text"] == []  # same data, same card.md


def test_diff_shows_changed_data_and_card_text_of_a_published_version(
    project, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    card = records / "models" / "churn" / "card.md"
    card.write_text(
        card.read_text().replace(
            "a missed customer gets no call", "a missed customer is called later"
        )
    )
    new_run = json.loads((records / "runs" / "churn-10.json").read_text())
    new_run["model"]["version"], new_run["run_id"] = "11", "run-0011"
    new_run["datasets"][0]["sha256"] = "c" * 64
    new_run["metrics"][0]["value"] = 0.5
    (records / "runs" / "churn-11.json").write_text(json.dumps(new_run))
    cardpress.build(records, out)
    diff = json.loads((out / "models/churn/v/11/diff/index.json").read_text())
    assert diff["previous_version"] == "10"  # compared with the published version 10
    assert [d["name"] for d in diff["datasets"]] == ["holdout"]
    assert diff["metrics"] == [
        {
            "key": "accuracy",
            "dataset": "holdout",
            "group": "",
            "before": 1.0,
            "after": 0.5,
            "delta": -0.5,
            "change": "worse",  # accuracy: higher is better
        }
    ]
    assert "-Calls are a benefit; a missed customer gets no call. See the policy." in diff["text"]
    assert (
        "+Calls are a benefit; a missed customer is called later. See the policy." in diff["text"]
    )
    page = BeautifulSoup((out / "models/churn/v/11/diff/index.html").read_text(), "html.parser")
    assert [d.get_text() for d in page.select(".text-diff del")] == [
        "-Calls are a benefit; a missed customer gets no call. See the policy."
    ]
    card_page = BeautifulSoup((out / "models/churn/v/11/index.html").read_text(), "html.parser")
    assert card_page.find("a", href="diff/index.html").get_text() == "what changed since version 10"
    assert not (out / "models/churn/v/1/diff").exists()  # the first version has nothing to compare
    compare = json.loads((out / "models/churn/compare/index.json").read_text())
    texts = {v["version"]: v["text"] for v in compare["versions"]}
    assert [v["version"] for v in compare["versions"]] == ["1", "10", "11"]
    old_line = "Calls are a benefit; a missed customer gets no call. See the policy."
    assert old_line in texts["10"] and old_line not in texts["11"]  # 10 as it was published
    assert (compare["default_from"], compare["default_to"]) == ("10", "11")


def test_compare_page_ships_every_version_safely_inside_its_script(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records, out = project("minimal"), tmp_path / "site"
    card = records / "models" / "churn" / "card.md"
    hostile = "Ends here: </script><script>alert(1)</script> <!-- and & more"
    card.write_text(card.read_text().replace("gets no call", hostile))
    run_path = records / "runs" / "churn-10.json"
    run = json.loads(run_path.read_text())
    run["params"] = {"note": hostile}  # not Markdown: shipped exactly as recorded
    run_path.write_text(json.dumps(run))
    cardpress.build(records, out)
    html = (out / "models/churn/compare/index.html").read_text()
    assert "<script>alert(1)" not in html and "<!-- and" not in html
    page = BeautifulSoup(html, "html.parser")
    shipped = json.loads(page.find("script", id="compare-data").string)
    data = json.loads((out / "models/churn/compare/index.json").read_text())
    assert shipped == data["versions"]
    by_version = {v["version"]: v for v in shipped}
    assert by_version["10"]["params"]["note"] == hostile
    assert any("Ends here:  <!-- and & more" in line for line in by_version["10"]["text"])
    metrics = {(r[0], r[1]): r[3] for r in by_version["10"]["metrics"] if not r[2]}
    assert metrics == {(m["key"], m["dataset"]): m["value"] for m in run["metrics"]
                       if not m.get("slice")}  # fmt: skip


def test_a_model_with_one_version_has_nothing_to_compare(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    cardpress.build(project("minimal"), out)
    page = (out / "models/fraud/compare/index.html").read_text()
    assert "has one version so far" in page and "compare-data" not in page
    assert "compare any two versions" not in (out / "models/fraud/index.html").read_text()
    assert "compare any two versions" in (out / "models/churn/index.html").read_text()


def test_data_sets_recorded_without_hash_or_rows_say_so(project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The compare data showed Python's None: "sha256 None rows None"."""
    records, out = project("minimal"), tmp_path / "site"
    run_path = records / "runs" / "churn-10.json"
    run = json.loads(run_path.read_text())
    for dataset in run["datasets"]:
        dataset.pop("rows", None)
        dataset.pop("sha256", None)
    run_path.write_text(json.dumps(run))
    cardpress.build(records, out)
    compare = json.loads((out / "models/churn/compare/index.json").read_text())
    datasets = {v["version"]: v["datasets"] for v in compare["versions"]}["10"]
    assert "None" not in json.dumps(datasets)
    assert datasets["holdout"].endswith("sha256 not recorded rows not recorded")
