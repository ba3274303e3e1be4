"""A regression model end to end: task inferred or recorded, its page, check, exports, bad input."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import Result
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

import cardpress
from tests.functional.test_bad_input import _fails


def _regression(records: Path, csv: str, task: str | None = None) -> None:
    """Make churn-1 a regression run: new predictions (y, yhat, group), no scores."""
    path = records / "predictions" / "churn-1.csv"
    path.write_text(csv)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["sha256"] = digest
    run["predictions"]["columns"].pop("y_score")
    run["predictions"].pop("positive_label", None)
    if task:
        run["model"]["task"] = task
    holdout = next(d for d in run["datasets"] if d["id"] == "holdout")
    holdout["sha256"] = digest
    holdout["rows"] = csv.count("\n") - 1
    run_path.write_text(json.dumps(run, indent=2))


def _frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], n, p=[0.5, 0.35, 0.15])
    y = rng.gamma(4, 25, n).round(2)
    shift = np.select([group == "b", group == "c"], [8.0, -15.0], 0.0)  # planted: b high, c low
    yhat = (y + shift + rng.normal(0, 10 + 10 * (group == "c"), n)).round(3)
    return pd.DataFrame({"id": np.arange(n), "y": y, "yhat": yhat, "group": group})


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def test_inferred_regression_report_page_json_and_csv(
    project: Callable[..., Path], tmp_path: Path
) -> None:
    records = project()
    frame = _frame()
    _regression(records, _csv(frame))
    out = tmp_path / "site"
    cardpress.build(records, out)
    folder = out / "models/churn/v/1/fairness"
    data = json.loads((folder / "index.json").read_text())
    assert data["task"] == "regression"
    assert data["task_source"] == "inferred from the evaluation predictions"
    [grouping] = data["groupings"]
    groups = {g["label"]: g for g in grouping["groups"]}
    for label, part in frame.groupby("group"):
        metrics = groups[label]["metrics"]
        y, p = part["y"], part["yhat"]
        assert metrics["mae"]["value"] == pytest.approx(mean_absolute_error(y, p), abs=1e-9)
        assert metrics["rmse"]["value"] == pytest.approx(
            math.sqrt(mean_squared_error(y, p)), abs=1e-9
        )
        assert metrics["r2"]["value"] == pytest.approx(r2_score(y, p), abs=1e-9)
        assert metrics["bias"]["value"] == pytest.approx((p - y).mean(), abs=1e-9)
    # the planted effects: group c under-predicts, and has the largest errors
    assert groups["c"]["metrics"]["bias"]["upper"] < 0 < groups["b"]["metrics"]["bias"]["lower"]
    worst = {w["metric"]: w for w in grouping["worst"]}
    assert worst["mae"]["group"] == "c"
    assert groups["a"]["reference"] and groups["b"]["vs_reference"]["bias"]["ratio"] is None
    html = (folder / "index.html").read_text()
    assert "errors by group (regression)" in html and "Distribution of the error" in html
    assert "Four-fifths" not in html and "<svg" in html
    csv = pd.read_csv(folder / "groups.csv")
    assert set(csv["metric"]) == {"mae", "rmse", "r2", "bias", "ae_p50", "ae_p90"}
    card = json.loads((out / "models/churn/v/1/index.json").read_text())
    details = card["sections"]["model_details"]
    assert (details["task"], details["task_source"]) == (
        "regression", "inferred from the evaluation predictions"
    )  # fmt: skip
    assert card["summary_panel"]["fairness"]["worst_group_mae"]["group"] == "c"
    card_html = (out / "models/churn/v/1/index.html").read_text()
    assert "Errors by group" in card_html and "no group below four-fifths" not in card_html


def test_no_false_alarm_without_a_planted_difference(
    project: Callable[..., Path], tmp_path: Path
) -> None:
    records = project()
    rng = np.random.default_rng(11)
    n = 3000
    y = rng.normal(100, 20, n).round(3)
    frame = pd.DataFrame({"id": np.arange(n), "y": y,
                          "yhat": (y + rng.normal(0, 10, n)).round(3),
                          "group": rng.choice(["a", "b"], n)})  # fmt: skip
    _regression(records, _csv(frame))
    out = tmp_path / "site"
    cardpress.build(records, out)
    data = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    for group in data["groupings"][0]["groups"]:
        bias = group["metrics"]["bias"]
        assert bias["lower"] < 0 < bias["upper"]  # no group predicted too high or too low
    mae = {g["label"]: g["metrics"]["mae"] for g in data["groupings"][0]["groups"]}
    assert mae["a"]["lower"] < mae["b"]["upper"] and mae["b"]["lower"] < mae["a"]["upper"]


def test_check_says_not_applicable_and_applies_regression_rules(
    project: Callable[..., Path], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    records = project()
    _regression(records, _csv(_frame()))
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'schema = "cardpress/policy/1"\n\n'
        '[[rule]]\nkind = "fairness"\nmetric = "selection_rate"\nmeasure = "ratio"\nmin = 0.8\n\n'
        '[[rule]]\nkind = "fairness"\nmetric = "mae"\nmeasure = "ratio"\nmin = 0.3\n\n'
        '[[rule]]\nkind = "fairness"\nmetric = "bias"\nmeasure = "difference"\nmax = 5\n'
    )
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output  # the planted bias gap fails its limit
    assert any(line.startswith("  N/A   fairness: selection_rate ratio: not applicable to "
                               "regression") for line in lines), lines  # fmt: skip
    assert any(line.startswith("  PASS  fairness: mae ratio by group: ratio") for line in lines)
    assert any(line.startswith("  FAIL  fairness: bias difference by group") for line in lines)
    assert "1 failed, 0 warned, 1 passed, 1 not applicable" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'schema = "cardpress/policy/1"\n[[rule]]\nkind = "fairness"\nmetric = "bias"\n'
        'measure = "ratio"\nmin = 0.8\n'
    )
    result = run_cli("check", str(records), "--policy", str(bad))
    assert result.exit_code == 2
    assert "rule[0].measure: bias can be negative" in result.output


def test_hugging_face_export_of_a_regression(project: Callable[..., Path], tmp_path: Path) -> None:
    records = project()
    _regression(records, _csv(_frame()))
    text = cardpress.export_hf(records, "churn@1", tmp_path / "README.md").read_text()
    meta = yaml.safe_load(text.split("---")[1])
    assert meta["pipeline_tag"] == "tabular-regression"
    tasks = {r["task"]["type"] for r in meta["model-index"][0]["results"]}
    assert tasks == {"tabular-regression"}
    assert "Errors by group (headline gaps)" in text
    other = cardpress.export_hf(records, "churn@10", tmp_path / "binary.md").read_text()
    assert yaml.safe_load(other.split("---")[1])["pipeline_tag"] == "tabular-classification"


def test_recorded_task_wins_over_inference(project: Callable[..., Path], tmp_path: Path) -> None:
    records = project()
    frame = _frame(n=60)
    frame["y"] = frame["y"].round().astype(int) % 5  # five whole numbers: inferred multiclass
    frame["yhat"] = frame["yhat"].round().astype(int) % 5
    _regression(records, _csv(frame), task="regression")
    cardpress.build(records, tmp_path / "site")
    card = json.loads((tmp_path / "site/models/churn/v/1/index.json").read_text())
    details = card["sections"]["model_details"]
    assert (details["task"], details["task_source"]) == (
        "regression", "recorded in the run record (model.task)"
    )  # fmt: skip


def test_text_label_in_a_regression(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    csv = "id,y,yhat,group\n1,1.5,1.2,a\n2,2.5,2.0,a\n3,high,3.1,b\n4,4.0,3.9,b\n"
    _regression(records, csv, task="regression")
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y: 1 row holds text, not a number (first at data row 3: "
        "'high') (y_true) — a regression's labels and predictions are numbers: write every "
        "row's value",
    ]


def test_missing_and_infinite_values_in_a_regression(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    csv = "id,y,yhat,group\n1,1.5,1.2,a\n2,,2.0,a\n3,3.5,inf,b\n4,4.0,-inf,b\n5,2.5,,b\n"
    _regression(records, csv)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y: 1 row has no value (first at data row 2) (y_true) — a "
        "regression's labels and predictions are numbers: write every row's value",
        "predictions/churn-1.csv: yhat: 1 row has no value (first at data row 5) (y_pred) — a "
        "regression's labels and predictions are numbers: write every row's value",
        "predictions/churn-1.csv: yhat: 2 rows have an infinite value (first at data row 3) "
        "(y_pred) — a regression's labels and predictions are numbers: write every row's value",
    ]


def test_too_many_text_labels_ask_for_the_task(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    rows = "".join(f"{i},label{i},label{i},a\n" for i in range(60))
    _regression(records, "id,y,yhat,group\n" + rows)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y, yhat: labels and predictions hold 60 distinct values, not "
        "all numbers: too many for classes (at most 50) and text cannot be a regression target "
        '— set model.task ("binary", "multiclass" or "regression") in runs/churn-1.json, or '
        "map the labels",
    ]


def test_a_rule_for_some_models_is_not_applicable_to_the_others(
    project: Callable[..., Path], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    records = project()
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'schema = "cardpress/policy/1"\n\n[[rule]]\nkind = "performance"\nmetric = "auc"\n'
        'dataset = "nowhere"\nmin = 0.5\nmodels = ["fraud"]\n'
    )
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@10",
                     "--model", "fraud@2026.03")  # fmt: skip
    assert result.exit_code == 1  # fraud has no such metric: it fails there, and only there
    lines = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert lines[0].startswith("  N/A   performance: auc on nowhere: not applicable: the rule "
                               "applies to fraud")  # fmt: skip
    assert lines[1].startswith("  FAIL  performance: auc on nowhere: auc on nowhere is not")
