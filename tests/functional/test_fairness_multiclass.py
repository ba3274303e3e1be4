"""The multiclass fairness report end to end: the example's page, bad input, `cardpress check`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    roc_auc_score,
)

from tests.conftest import EXAMPLE
from tests.functional.test_bad_input import _fails

PAGE = "models/hours-band/v/1/fairness"


def test_example_page_matches_sklearn_and_fairlearn(example_site: Path) -> None:
    page = json.loads((example_site / PAGE / "index.json").read_text())
    frame = pd.read_parquet(EXAMPLE / "predictions" / "hours-band-1.parquet")
    classes = page["classes"]
    assert page["task"] == "multiclass" and classes == ["full-time", "long", "part-time"]
    overall = page["overall"]
    expected = confusion_matrix(frame["band"], frame["pred"], labels=classes)
    assert overall["confusion"]["counts"] == expected.tolist()
    scores = frame[["p_full_time", "p_long", "p_part_time"]].to_numpy()
    auc = roc_auc_score(frame["band"], scores, multi_class="ovr", labels=classes)
    assert overall["macro_auc"] == pytest.approx(auc, abs=1e-9)
    by_name = {g["name"]: g for g in page["groupings"]}
    assert list(by_name) == ["sex", "race", "sex × race"]
    for name, columns in (("sex", ["sex"]), ("sex × race", ["sex", "race"])):
        metrics = {
            "accuracy": accuracy_score,
            "macro_f1": lambda t, p: f1_score(t, p, average="macro", zero_division=np.nan),
            "long_selected": lambda t, p: float(np.mean(np.asarray(p) == "long")),
        }
        truth = frame["band"].to_numpy()
        expected_by = MetricFrame(
            metrics=metrics, y_true=truth, y_pred=frame["pred"].to_numpy(),
            sensitive_features=frame[columns],
        ).by_group  # fmt: skip
        for group in by_name[name]["groups"]:
            row = expected_by.loc[
                tuple(group["values"]) if len(columns) > 1 else group["values"][0]
            ]
            assert group["accuracy"]["value"] == pytest.approx(row["accuracy"], abs=1e-9)
            assert group["averages"]["macro_f1"] == pytest.approx(row["macro_f1"], abs=1e-9)
            selected = group["per_class"]["long"]["metrics"]["selection_rate"]["value"]
            assert selected == pytest.approx(row["long_selected"], abs=1e-9)


def test_example_page_csv_and_card_headline(example_site: Path) -> None:
    html = (example_site / PAGE / "index.html").read_text()
    assert "Confusion matrix of all rows" in html and "Four-fifths rule, class long" in html
    assert "Macro F1" in html and "Wilson" in html  # methods stated on the page
    rows = list(csv.DictReader(io.StringIO((example_site / PAGE / "groups.csv").read_text())))
    accuracy = next(r for r in rows if r["grouping"] == "sex" and r["metric"] == "accuracy"
                    and r["group"] == "Male")  # fmt: skip
    page = json.loads((example_site / PAGE / "index.json").read_text())
    male = next(g for g in page["groupings"][0]["groups"] if g["label"] == "Male")
    assert float(accuracy["value"]) == male["accuracy"]["value"]
    assert any(r["metric"] == "confusion:long→part-time" for r in rows)
    card = json.loads((example_site / "models/hours-band/v/1/index.json").read_text())
    headline = card["summary_panel"]["fairness"]
    flagged = [g for f in headline["flagged"] for g in f["groups"]]
    assert flagged == [f for g in page["groupings"] for f in g["flagged"]]
    assert all(f.endswith(")") for f in flagged)  # "group (class)"
    card_html = (example_site / "models/hours-band/v/1/index.html").read_text()
    assert "fairness/index.html" in card_html
    # 8 flags name 7 groups (Female × Black twice): they are counted as pairs, not "8 groups"
    assert len(flagged) == 8 and len({f.rsplit(" (", 1)[0] for f in flagged}) == 7
    assert "8 group–class pairs significantly below four-fifths" in card_html


def _multiclass_project(
    project: Callable[[str], Path], rows: list[tuple[Any, ...]], task: str | None = "multiclass",
    scores: bool = True,
) -> Path:  # fmt: skip
    """The minimal project with churn-1's predictions replaced by 3-class ones."""
    records = project("minimal")
    header = ["id", "y", "yhat", "group"] + (["pa", "pb", "pc"] if scores else [])
    text = ",".join(header) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    path = records / "predictions" / "churn-1.csv"
    path.write_text(text)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["sha256"] = digest
    holdout = next(d for d in run["datasets"] if d["id"] == "holdout")
    holdout["sha256"], holdout["rows"] = digest, len(rows)
    columns = {"id": "id", "y_true": "y", "y_pred": "yhat", "sensitive": ["group"]}
    if scores:
        columns["y_score_by_class"] = {"a": "pa", "b": "pb", "c": "pc"}  # type: ignore[assignment]
    run["predictions"]["columns"] = columns
    if task:
        run["model"]["task"] = task
    run_path.write_text(json.dumps(run, indent=2))
    return records


def _rows(n: int = 60) -> list[tuple[Any, ...]]:
    labels = "abc"
    return [(i, labels[i % 3], labels[(i // 2) % 3], "gh"[i % 2], 0.5, 0.3, 0.2) for i in range(n)]


def test_three_hundred_classes_are_refused(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [(i, f"k{i}", f"k{i}", "g") for i in range(300)]
    records = _multiclass_project(project, rows, scores=False)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y, yhat: labels and predictions hold 300 distinct values ('k0', "
        "'k1', 'k10', 'k100', 'k101', … 295 more); a multiclass report takes at most 100 classes "
        '— if the target is a number, declare model.task "regression"; otherwise group rare '
        'classes into one (e.g. "other") so at most 100 remain',
    ]


def test_scores_outside_zero_one(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    rows[4] = (*rows[4][:4], 1.2, -0.1, -0.1)
    records = _multiclass_project(project, rows)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: pa: 1 scores are missing or outside [0, 1] (first at data row "
        "5: 1.2) — give the predicted probability of the class, a number from 0 to 1",
        "predictions/churn-1.csv: pb: 1 scores are missing or outside [0, 1] (first at data row "
        "5: -0.1) — give the predicted probability of the class, a number from 0 to 1",
        "predictions/churn-1.csv: pc: 1 scores are missing or outside [0, 1] (first at data row "
        "5: -0.1) — give the predicted probability of the class, a number from 0 to 1",
    ]


def test_scores_not_summing_to_one(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _rows()
    rows[7] = (*rows[7][:4], 0.5, 0.1, 0.1)
    records = _multiclass_project(project, rows)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: pa, pb, pc: 1 rows' class scores do not sum to 1 (± 0.001) "
        "(first at data row 8: 0.7) — give each class's predicted probability (e.g. "
        "predict_proba), so each row sums to 1",
    ]


def test_a_class_without_a_score_column(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = _multiclass_project(project, _rows())
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    del run["predictions"]["columns"]["y_score_by_class"]["c"]
    run_path.write_text(json.dumps(run))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: predictions.columns.y_score_by_class: names no score column for "
        "class(es) 'c' — add a column of each class's predicted probability to y_score_by_class",
    ]


def test_a_class_only_predicted_is_a_warning_on_the_page(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [(i, "ab"[i % 2], "abc"[i % 3], "gh"[i % 2]) for i in range(60)]
    records = _multiclass_project(project, rows, task=None, scores=False)  # inferred multiclass
    out = tmp_path / "out"
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 0, result.output
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    assert page["task"] == "multiclass" and page["classes"] == ["a", "b", "c"]
    assert page["warnings"] == [
        "class 'c' is predicted for 20 rows but is never the true label: its recall, false "
        "negative rate and AUC are undefined; its precision is 0 and it counts in the macro "
        "averages with no support"
    ]
    html = (out / "models/churn/v/1/fairness/index.html").read_text()
    assert "⚠ class &#39;c&#39; is predicted for 20 rows" in html


def test_check_gives_each_class_or_not_applicable(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [(i, "abc"[i % 3], "abc"[i % 3] if i % 4 else "a", "gh"[i % 2]) for i in range(60)]
    records = _multiclass_project(project, rows, scores=False)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'schema = "cardpress/policy/1"\n[[rule]]\nkind = "fairness"\nmetric = "selection_rate"\n'
        'measure = "ratio"\nmin = 0.8\nmin_group_size = 1\n'
        '[[rule]]\nkind = "fairness"\nmetric = "auc"\nmeasure = "difference"\nmax = 0.1\n'
    )
    result = run_cli("check", str(records), "--policy", str(policy), "--model", "churn@1")
    lines = [line.strip() for line in result.output.splitlines() if "class" in line]
    frame = pd.DataFrame(rows, columns=["id", "y", "yhat", "group"])
    rates = frame.groupby("group")["yhat"].value_counts(normalize=True).unstack()
    for name in "abc":
        ratio = rates[name].min() / rates[name].max()
        status = "PASS" if ratio >= 0.8 else "FAIL"
        assert any(
            line.startswith(f"{status}  fairness: selection_rate ratio by group, class {name}: "
                            f"ratio {ratio:.4g}")
            for line in lines
        ), (name, lines)  # fmt: skip
    auc = [line for line in lines if "auc" in line]
    assert len(auc) == 3 and all("not applicable: no per-class scores" in a for a in auc)
    assert result.exit_code == 1


def test_three_labels_declared_binary_are_still_refused(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [(i, "abc"[i % 3], "abc"[i % 3], "g") for i in range(6)]
    records = _multiclass_project(project, rows, task="binary", scores=False)
    messages = _fails(run_cli, records, tmp_path / "out")
    assert messages[0].startswith("predictions/churn-1.csv: y: holds 3 values ('a', 'b', 'c')")


def test_example_page_shows_calibration_of_each_class(example_site: Path) -> None:
    page = json.loads((example_site / PAGE / "index.json").read_text())
    frame = pd.read_parquet(EXAMPLE / "predictions" / "hours-band-1.parquet")
    classes = page["classes"]
    columns = [page["predictions"]["y_score_by_class"][c] for c in classes]
    scores, truth = frame[columns].to_numpy(), frame["band"].to_numpy()
    overall = page["overall"]
    expected = brier_score_loss(truth, scores, labels=classes)
    assert overall["brier"]["value"] == pytest.approx(expected, abs=1e-9)
    sex = page["groupings"][0]
    for group in sex["groups"]:
        inside = (frame["sex"] == group["label"]).to_numpy()
        for index, name in enumerate(classes):
            found = group["calibration"][name]
            y, p = (truth[inside] == name).astype(int), scores[inside, index]
            assert found["brier"]["value"] == pytest.approx(brier_score_loss(y, p), abs=1e-9)
            observed, _ = calibration_curve(y, p, n_bins=10, strategy="uniform")
            assert [b["observed"] for b in found["bins"]] == pytest.approx(observed, abs=1e-9)
    rows = list(csv.DictReader(io.StringIO((example_site / PAGE / "calibration.csv").read_text())))
    female_long = [r for r in rows if r["grouping"] == "sex" and r["group"] == "Female"
                   and r["class"] == "long"]  # fmt: skip
    female = next(g for g in sex["groups"] if g["label"] == "Female")
    assert float(female_long[0]["value"]) == female["calibration"]["long"]["ece"]["value"]
    assert sum(r["measure"] == "bin" for r in female_long) == len(
        female["calibration"]["long"]["bins"]
    )
    groups_csv = (example_site / PAGE / "groups.csv").read_text()
    assert ",multiclass_brier," in groups_csv and ",long,ece," in groups_csv
    html = (example_site / PAGE / "index.html").read_text()
    for shown in ("Calibration of each class", "Calibration within groups", "Multiclass Brier",
                  "10 equal-width score bins", "brier_score_loss", "Kleinberg",
                  'id="overall-calibration-caption"', 'href="calibration.csv"',
                  "ECE difference (calibration, worst class)"):  # fmt: skip
        assert shown in html, shown
    assert "Calibration by group" not in html and "Calibration needs" not in html
    for grouping in page["groupings"]:  # one reliability chart per grouping, a panel per class
        assert f'id="{grouping["id"]}-calibration-caption"' in html


def test_without_class_scores_calibration_is_said_missing(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = _multiclass_project(project, [r[:4] for r in _rows()], scores=False)
    out = tmp_path / "out"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    folder = out / "models/churn/v/1/fairness"
    html = (folder / "index.html").read_text()
    assert "Calibration needs a score column for each class" in html
    assert "Calibration within groups" not in html and not (folder / "calibration.csv").exists()
    assert "calibration_method" not in json.loads((folder / "index.json").read_text())


def test_weighted_calibration_is_on_the_page(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    labels = "abc"
    probabilities = [(0.6, 0.3, 0.1), (0.2, 0.5, 0.3), (0.1, 0.1, 0.8)] * 40
    rows = [(i, labels[i % 3], labels[(i // 2) % 3], "gh"[i % 2], *p)
            for i, p in enumerate(probabilities)]  # fmt: skip
    records = _multiclass_project(project, rows)
    path = records / "predictions" / "churn-1.csv"
    frame = pd.read_csv(path).assign(w=[1.0 + (i % 4) for i in range(len(rows))])
    frame.to_csv(path, index=False)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["sha256"] = digest
    next(d for d in run["datasets"] if d["id"] == "holdout")["sha256"] = digest
    run["predictions"]["columns"]["weight"] = "w"
    run_path.write_text(json.dumps(run))
    out = tmp_path / "out"
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 0, result.output
    folder = out / "models/churn/v/1/fairness"
    page = json.loads((folder / "index.json").read_text())
    truth, w = frame["y"].to_numpy(), frame["w"].to_numpy()
    scores = frame[["pa", "pb", "pc"]].to_numpy()
    expected = brier_score_loss(truth, scores, labels=["a", "b", "c"], sample_weight=w)
    assert page["overall"]["brier"]["value"] == pytest.approx(expected, abs=1e-9)
    html = (folder / "index.html").read_text()
    assert "Σw (rows)" in html, "the bins' counts are weights"
    assert "at the bin's effective n" in html
    assert '<th scope="col">Σw</th><th scope="col">Share</th><th scope="col">Selected (Σw)' in html
    # each rate's effective size is its denominator's (Σw)²/Σw² (it was null)
    for group in page["groupings"][0]["groups"]:
        part = frame[frame["group"] == group["label"]]
        kish = part["w"].sum() ** 2 / (part["w"] ** 2).sum()
        assert group["accuracy"]["effective_trials"] == pytest.approx(kish, abs=1e-9)
        actual_a = part[part["y"] == "a"]["w"]
        first_class = page["groupings"][0]["classes"][0]
        ff = next(r for r in first_class["four_fifths"]["rows"] if r["label"] == group["label"])
        assert ff["count"] == pytest.approx(part["w"].sum(), abs=1e-9)  # Σw, as selected is
        recall = group["per_class"]["a"]["metrics"]["recall"]
        assert recall["effective_trials"] == pytest.approx(
            actual_a.sum() ** 2 / (actual_a**2).sum(), abs=1e-9
        )


def test_without_weights_no_rate_has_an_effective_size(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As the binary report: the effective size is the row count, said once (not null per rate)."""
    records = _multiclass_project(project, _rows())
    result = run_cli("build", str(records), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out/models/churn/v/1/fairness/index.json").read_text()
    assert "effective_trials" not in page


def test_a_missing_group_value_is_shown_not_judged(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A blank sensitive cell is the "(missing)" group: the multiclass page crashed on it (the
    four-fifths table has no row for a group it never judges)."""
    rows = [(*r[:3], "" if r[0] % 7 == 0 else r[3], *r[4:]) for r in _rows(70)]
    records = _multiclass_project(project, rows)
    out = tmp_path / "out"
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 0, result.output
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    labels = [g["label"] for g in page["groupings"][0]["groups"]]
    assert "(missing)" in labels
    html = (out / "models/churn/v/1/fairness/index.html").read_text()
    assert "(missing)" in html
