"""The card leads with its verdicts: algorithm, values, a summary panel and a live status."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sklearn
from bs4 import BeautifulSoup
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

import cardpress
from cardpress.compute.summary import card_summary
from tests.functional.test_check import _sign

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _card(out: Path, version: str, model: str = "churn") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"models/{model}/v/{version}/index.json").read_text())
    return data


def _log(records: Path, version: str, estimator: Any) -> None:
    with cardpress.run("churn", version, records=records, started=T0, clock=lambda: T0,
                       code=False, packages=["scikit-learn"]) as run:  # fmt: skip
        run.estimator(estimator)
        run.dataset("holdout", records / "predictions" / "churn-1.csv", role="evaluation")
        run.metric("accuracy", 0.8, dataset="holdout")
        run.metric("roc_auc", 0.9, dataset="holdout")


def test_the_recorded_algorithm_is_on_card_diff_and_compare_with_defaults_folded(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    _log(records, "11", LogisticRegression(C=0.5, max_iter=500))
    _log(records, "12", HistGradientBoostingClassifier(learning_rate=0.2))
    record = json.loads((records / "runs" / "churn-12.json").read_text())
    assert record["model"]["type"] == "HistGradientBoostingClassifier"
    assert record["model"]["library"] == "scikit-learn"
    assert record["model"]["defaults"]["learning_rate"] == 0.1
    cardpress.build(records, out)

    details = _card(out, "11")["sections"]["model_details"]
    assert details["algorithm"] == {
        "class": "LogisticRegression",
        "library": "scikit-learn",
        "library_version": sklearn.__version__,
    }
    changed = {p["name"] for p in details["params"] if not p["at_default"]}
    assert changed == {"C", "max_iter"}
    html = BeautifulSoup((out / "models/churn/v/11/index.html").read_text(), "html.parser")
    open_table = html.find("caption", string="Parameters set away from the algorithm's defaults")
    assert open_table is not None
    assert [th.text for th in open_table.find_parent("table").select("tbody th")] == [
        "C",
        "max_iter",
    ]
    folded = html.find("summary", string=lambda s: s and "at the algorithm's default" in s)
    assert folded is not None and "penalty" in folded.find_parent("details").text

    diff = json.loads((out / "models/churn/v/12/diff/index.json").read_text())
    version = sklearn.__version__
    assert diff["algorithm"] == {
        "before": f"LogisticRegression (scikit-learn {version})",
        "after": f"HistGradientBoostingClassifier (scikit-learn {version})",
        "changed": True,
    }
    page = BeautifulSoup((out / "models/churn/v/12/diff/index.html").read_text(), "html.parser")
    assert page.find(id="algorithm").text.startswith("Algorithm changed: LogisticRegression")
    compare = json.loads((out / "models/churn/compare/index.json").read_text())
    algorithms = {v["version"]: v["algorithm"] for v in compare["versions"]}
    assert algorithms["12"] == f"HistGradientBoostingClassifier (scikit-learn {version})"


def test_card_md_model_type_adds_prose_and_never_hides_the_algorithm(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    card = records / "models" / "churn" / "card.md"
    card.write_text(card.read_text().replace("---\n", "---\nmodel_type: A churn scorer\n", 1))
    cardpress.build(records, out)
    html = (out / "models/churn/v/1/index.html").read_text()
    assert "<dt>Algorithm</dt><dd><strong>logistic regression</strong>" in html
    assert "<dt>Model type</dt><dd>A churn scorer</dd>" in html


def test_metrics_section_shows_values_and_threshold_free_metrics(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    _log(records, "11", LogisticRegression())
    cardpress.build(records, out)
    reported = {r["key"]: r for r in _card(out, "11")["sections"]["metrics"]["reported"]}
    assert reported["roc_auc"]["threshold_free"] and not reported["accuracy"]["threshold_free"]
    assert reported["accuracy"]["values"] == [{"dataset": "holdout", "value": 0.8, "ci": None}]
    html = BeautifulSoup((out / "models/churn/v/11/index.html").read_text(), "html.parser")
    rows = html.find(id="metrics").select("tbody tr")
    auc = next(r for r in rows if r.th.text.startswith("roc_auc"))
    assert "0.9" in auc.text and "threshold-free" in auc.text


def test_summary_panel_agrees_with_the_card_it_heads(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out)
    for version in ("1", "10"):
        card = _card(out, version)
        panel = card["summary_panel"]
        assert panel == card_summary(card)
        evaluation = {d["id"] for d in card["sections"]["evaluation_data"]["datasets"]}
        overall = card["sections"]["quantitative_analyses"].get("overall", [])
        expected = [r for r in overall if r["dataset"] in evaluation] or overall
        assert [(m["key"], m["dataset"], m["value"]) for m in panel["metrics"]] == [
            (r["key"], r["dataset"], r["value"]) for r in expected[:6]
        ]
        fairness = card["sections"]["quantitative_analyses"].get("fairness")
        if fairness:
            flagged = sum(len(h["flagged"]) for h in fairness["headline"])
            assert panel["fairness"]["flagged_groups"] == flagged
        assert panel["not_documented"] == len(card["completeness"]["missing"])
        html = (out / f"models/churn/v/{version}/index.html").read_text()
        assert '<aside class="summary-panel"' in html
        assert '<script src="review/status.js"></script>' in html


def test_live_status_follows_signoffs_while_the_card_stays_frozen(
    project: Callable[[str], Path], tmp_path: Path
) -> None:
    records, out = project("minimal"), tmp_path / "site"
    cardpress.build(records, out, source_date_epoch=0)
    card = (out / "models/churn/v/10/index.html").read_bytes()
    status_js = out / "models/churn/v/10/review/status.js"
    status = _status(status_js)
    assert status["decision"] is None and status["contradiction"] == (
        "card.md says approved, but no current sign-off approves this version"
    )
    _sign(records, "a.json", decision="approved-with-conditions", conditions="monthly review")
    cardpress.build(records, out, source_date_epoch=0)
    assert (out / "models/churn/v/10/index.html").read_bytes() == card
    status = _status(status_js)
    assert status["decision"] == "approved-with-conditions"
    assert status["signoff"]["name"] == "Ada Reviewer"
    assert status["contradiction"] is None
    manifest = json.loads((out / "manifest.json").read_text())
    assert "models/churn/v/10/review/status.js" in manifest["files"]
    assert "models/churn/v/10/review/status.js" not in manifest["versions"]["churn@10"]["files"]


def _status(path: Path) -> dict[str, Any]:
    text = path.read_text()
    assert text.startswith("window.CARDPRESS_STATUS = ") and text.endswith(";\n")
    data: dict[str, Any] = json.loads(text[len("window.CARDPRESS_STATUS = ") : -2])
    return data


def test_a_four_fifths_rule_that_judged_no_group_is_not_a_pass(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every group under min_group_size, or nobody selected: the page judged no group, yet the
    card showed "✓ no group significantly below four-fifths" (and the page's small groups read
    "undefined: no group counted was selected")."""
    from tests.functional.test_check import _selection_model

    records = tmp_path / "records"
    for folder in ("runs", "predictions"):
        (records / folder).mkdir(parents=True)
    (records / "cardpress.toml").write_text("[fairness]\nmin_group_size = 150\n")
    _selection_model(records, "small", {"A": (100, 40), "B": (120, 50)})
    _selection_model(records, "nobody", {"A": (200, 0), "B": (200, 0)})
    _selection_model(records, "judged", {"A": (200, 80), "B": (200, 78)})
    out = tmp_path / "site"
    cardpress.build(records, out)
    for model, judged in (("small", 0), ("nobody", 0), ("judged", 2)):
        card = _card(out, "1", model)
        assert card["summary_panel"]["fairness"]["four_fifths_judged"] == judged
        assert card["sections"]["quantitative_analyses"]["fairness"]["headline"][0]["judged"] \
            == judged  # fmt: skip
        html = BeautifulSoup((out / f"models/{model}/v/1/index.html").read_text(), "html.parser")
        panel = html.select_one("aside.summary-panel").get_text(" ")  # type: ignore[union-attr]
        assert ("✓ no group significantly below four-fifths" in panel) == bool(judged), model
        assert ("four-fifths not judged" in panel) == (not judged), model
        hf = tmp_path / f"{model}.md"
        assert run_cli("export", "hf", str(records), f"{model}@1", "-o", str(hf)).exit_code == 0
        assert ("| not judged |" in hf.read_text()) == (not judged), model
        fairness = BeautifulSoup(
            (out / f"models/{model}/v/1/fairness/index.html").read_text(), "html.parser"
        )
        summary = fairness.select_one("#summary table tbody tr").get_text(" ")  # type: ignore[union-attr]
        assert ("not judged" in summary) == (not judged), (model, summary)
    page = json.loads((out / "models/small/v/1/fairness/index.json").read_text())
    assert [r["status"] for r in page["groupings"][0]["four_fifths"]["rows"]] == ["small"] * 2
