"""Bad evaluation predictions for the fairness report: exit 1, the exact message, no output."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result

from tests.functional.cli_outcomes import builds
from tests.functional.test_bad_input import _fails
from tests.functional.test_fairness_multiclass import _multiclass_project
from tests.functional.test_fairness_multiclass import _rows as _multiclass_rows
from tests.functional.test_fairness_regression import _csv as _regression_csv
from tests.functional.test_fairness_regression import _frame, _regression


def _write_predictions(records: Path, csv: str, rows: int | None = None) -> None:
    """Replace churn-1's predictions and record their new hash (and row count) in its run."""
    path = records / "predictions" / "churn-1.csv"
    path.write_text(csv)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["sha256"] = digest
    holdout = next(d for d in run["datasets"] if d["id"] == "holdout")
    holdout["sha256"] = digest
    holdout["rows"] = rows if rows is not None else csv.count("\n") - 1
    run_path.write_text(json.dumps(run, indent=2))


def _csv(rows: list[tuple[object, ...]]) -> str:
    lines = ["id,y,yhat,p,group"] + [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


GOOD = [(1, 1, 1, 0.9, "a"), (2, 0, 0, 0.2, "a"), (3, 1, 0, 0.4, "b"), (4, 0, 1, 0.6, "b")]


def _use_predictions(records: Path, path: Path, rows: int) -> None:
    """Make ``path`` (written under predictions/) churn-1's predictions, its hash recorded."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    uri = f"predictions/{path.name}"
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"].update(uri=uri, sha256=digest)
    holdout = next(d for d in run["datasets"] if d["id"] == "holdout")
    holdout.update(uri=uri, sha256=digest, rows=rows)
    run_path.write_text(json.dumps(run, indent=2))


def test_labels_that_are_not_binary(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _write_predictions(records, _csv([*GOOD, (5, 2, 1, 0.5, "a")]))
    # declared binary: three labels are an error (undeclared, they would be read as multiclass)
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["model"]["task"] = "binary"
    run_path.write_text(json.dumps(run, indent=2))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y: holds 3 values (0, 1, 2) (y_true) — the fairness report "
        "covers binary classification: map labels and predictions to two values (e.g. 0/1) and "
        "name the positive one in predictions.positive_label",
    ]


def test_scores_outside_zero_one_and_missing_labels(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _write_predictions(records, _csv([*GOOD, (5, "", 1, 1.5, "a"), (6, 1, 1, -0.1, "b")]))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: p: 2 scores are missing or outside [0, 1] (first at data row 5: "
        "1.5) — give the predicted probability of the positive class, a number from 0 to 1 (AUC, "
        "calibration and the threshold curves read it as a probability; a raw margin or logit "
        "must be mapped to [0, 1] first, e.g. with a sigmoid)",
        "predictions/churn-1.csv: y: 1 row has no value (first at data row 5) (y_true) — the "
        "fairness report covers binary classification: map labels and predictions to two values "
        "(e.g. 0/1) and name the positive one in predictions.positive_label",
    ]


def test_too_many_groups_and_row_count_mismatch(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    rows = [(i, i % 2, i % 2, 0.5, f"person-{i}") for i in range(1001)]
    _write_predictions(records, _csv(rows), rows=1000)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: has 1,001 rows but data set 'holdout' is recorded with 1,000 "
        "rows — write a prediction for every evaluated row, or correct the data set's rows",
        "predictions/churn-1.csv: group: sensitive column has 1,001 distinct values (at most "
        "1,000); groups that small say nothing — bin it into ranges (e.g. age bands) in the "
        "predictions file, or drop it",
    ]


def test_positive_label_not_among_the_values(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    yes_no = [(i, "yes" if y else "no", "yes" if p else "no", s, g) for i, y, p, s, g in GOOD]
    _write_predictions(records, _csv(yes_no))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y, yhat: labels and predictions together hold 'no', 'yes'; "
        "expected two values, one of them positive_label 1 — the fairness report covers binary "
        "classification: map labels and predictions to two values (e.g. 0/1) and name the "
        "positive one in predictions.positive_label",
    ]


def test_string_labels_with_their_positive_label_build(
    project, run_cli: Callable[..., Result], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    yes_no = [(i, "yes" if y else "no", "yes" if p else "no", s, g) for i, y, p, s, g in GOOD]
    _write_predictions(records, _csv(yes_no))
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["positive_label"] = "yes"
    run_path.write_text(json.dumps(run, indent=2))
    out = tmp_path / "out"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    overall = page["overall"]["metrics"]
    assert overall["selection_rate"]["value"] == 0.5 and overall["base_rate"]["value"] == 0.5


def test_reference_group_that_does_not_exist(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    with (records / "cardpress.toml").open("a") as config:
        config.write('\n[fairness]\nreference = {group = "c"}\n')
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: group: has no value 'c', the reference group set in [fairness] "
        "('a', 'b') — set fairness.reference in cardpress.toml to one of the column's values",
    ]


def _weighted(records: Path, weights: list[object]) -> None:
    """churn-1's predictions with a weight column ``w`` named in its run record."""
    lines = ["id,y,yhat,p,group,w"] + [
        ",".join(str(v) for v in (*row, weight)) for row, weight in zip(GOOD, weights, strict=True)
    ]
    _write_predictions(records, "\n".join(lines) + "\n")
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["columns"]["weight"] = "w"
    run_path.write_text(json.dumps(run, indent=2))


def test_negative_or_missing_weights(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _weighted(records, [1, -2, "", 0.5])
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: w: 2 weights are negative, missing or infinite (first at data "
        "row 2: -2.0) — give every row a finite sample weight of 0 or more (1 = an ordinary row)",
    ]


def test_weights_that_are_text_or_all_zero(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _weighted(records, ["a", "b", "c", "d"])
    [line] = _fails(run_cli, records, tmp_path / "out")
    assert line.startswith("predictions/churn-1.csv: w: weights are not numbers (")  # pandas' dtype
    fix = " — give every row a finite sample weight of 0 or more (1 = an ordinary row)"
    assert line.endswith(")" + fix)
    _weighted(records, [0, 0, 0, 0])
    assert _fails(run_cli, records, tmp_path / "out2") == [
        "predictions/churn-1.csv: w: every weight is 0: no row counts — give at least one row a "
        "positive weight",
    ]


def test_a_weight_column_that_is_not_in_the_file(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["columns"]["weight"] = "weights"
    run_path.write_text(json.dumps(run, indent=2))
    [line] = _fails(run_cli, records, tmp_path / "out")
    assert line.startswith("runs/churn-1.json:") and "predictions.columns.weight: column " in line
    assert "'weights' is not in the predictions file — use one of its columns: " in line


def test_a_declared_threshold_outside_zero_one(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["threshold"] = 1.5
    run_path.write_text(json.dumps(run, indent=2))
    [line] = _fails(run_cli, records, tmp_path / "out")
    assert line.startswith("runs/churn-1.json:") and "predictions.threshold" in line


def _suppress_small(records: Path) -> None:
    with (records / "cardpress.toml").open("a") as config:
        config.write("\n[fairness]\nsuppress_small_groups = true\n")


def test_a_binary_report_without_scores_builds(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It stopped at the deployed threshold, which only a scored report has."""
    records = project()
    _write_predictions(records, _csv(GOOD))
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    del run["predictions"]["columns"]["y_score"]
    run_path.write_text(json.dumps(run, indent=2))
    out = tmp_path / "out"
    assert builds(run_cli, records, out)
    page = (out / "models/churn/v/1/fairness/index.html").read_text()
    assert "Deployed threshold" not in page and "By group" in page


def test_every_group_small_and_suppressed(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every group of a grouping suppressed leaves it no chart: the page says so, no chart."""
    records = project()
    _write_predictions(records, _csv(GOOD))  # two groups of two rows, below 30
    _suppress_small(records)
    out = tmp_path / "out"
    assert builds(run_cli, records, out)
    data = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    assert all(g["suppressed"] for g in data["groupings"][0]["groups"])
    assert 'id="by-group-caption"' not in (out / "models/churn/v/1/fairness/index.html").read_text()


def test_every_group_suppressed_in_a_regression_report(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _regression(records, _regression_csv(_frame(n=40)), task="regression")
    _suppress_small(records)
    assert builds(run_cli, records, tmp_path / "out")


def test_every_group_suppressed_in_a_multiclass_report(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = _multiclass_project(project, _multiclass_rows(40))
    _suppress_small(records)
    assert builds(run_cli, records, tmp_path / "out")


def test_groupings_whose_names_slug_alike_get_their_own_anchors(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """``group`` and ``Group`` both were ``by-group``: the second showed the first's chart."""
    records = project()
    rows = [(i, i % 2, (i // 2) % 2, 0.3 + 0.4 * (i % 2), "ab"[i % 2]) for i in range(8)]
    text = _csv(rows).splitlines()
    text = [text[0] + ",Group"] + [
        f"{line},{'xy'[(n // 4) % 2]}" for n, line in enumerate(text[1:])
    ]
    _write_predictions(records, "\n".join(text) + "\n")
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["columns"]["sensitive"] = ["group", "Group"]
    run_path.write_text(json.dumps(run, indent=2))
    out = tmp_path / "out"
    assert builds(run_cli, records, out)
    data = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    assert [(g["id"], g["name"]) for g in data["groupings"]] == [
        ("by-group", "group"), ("by-group-2", "Group")]  # fmt: skip
    page = (out / "models/churn/v/1/fairness/index.html").read_text()
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    second = page[page.index('id="by-group-2"') :]
    assert "values: x, y" in second[: second.index("</figure>")]


def test_a_sensitive_column_listed_twice(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["columns"]["sensitive"] = ["group", "group"]
    run_path.write_text(json.dumps(run, indent=2))
    (problem,) = _fails(run_cli, records, tmp_path / "out")
    assert problem.startswith("runs/churn-1.json:")
    assert problem.endswith(": predictions.columns.sensitive[1]: column 'group' is listed "
                            "twice — list each sensitive column once")  # fmt: skip


def test_lists_in_the_cells_of_a_sensitive_column(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    path = records / "predictions" / "churn-1.jsonl"
    lines = [{"id": i, "y": y, "yhat": p, "p": s, "group": [g]} for i, y, p, s, g in GOOD]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    _use_predictions(records, path, len(lines))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.jsonl: group: holds nested values (list<item: string>), not one "
        "value a row — write one plain value (a number or a text) in each cell of the column"
    ]


def test_empty_cells_of_a_sensitive_column_are_missing(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """An empty CSV cell was the text "": a group of its own, which could be the reference."""
    records = project()
    rows = [
        (i, i % 2, (i // 3) % 2, 0.2 + 0.6 * (i % 2), ("", "a", "b")[i % 3]) for i in range(120)
    ]
    csv = _csv(rows)
    numbered = csv.replace(",a\n", ",1\n").replace(",b\n", ",2\n")
    for text, values in ((csv, ["a", "b"]), (numbered, ["1", "2"])):
        _write_predictions(records, text)
        out = tmp_path / values[0]
        assert builds(run_cli, records, out)
        page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
        grouping = page["groupings"][0]
        assert [(g["label"], g["count"]) for g in grouping["groups"]] == [
            ("(missing)", 40), (values[0], 40), (values[1], 40)]  # fmt: skip
        assert grouping["reference"] == values[0]
        assert grouping["four_fifths"]["unknown"] == 40


def test_text_labels_beside_number_predictions_are_one_binary_task(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Text "0"/"1" labels, 0/1 predictions: two classes, binary with its scores (they were
    taken for four classes and the scores dropped, then refused as four values)."""
    import pandas as pd

    records = project()
    frame = pd.DataFrame({"id": range(4), "y": ["1", "0", "1", "0"], "yhat": [1, 0, 0, 1],
                          "p": [0.9, 0.2, 0.4, 0.6], "group": ["a", "a", "b", "b"]})  # fmt: skip
    path = records / "predictions" / "churn-1.parquet"
    frame.to_parquet(path, index=False)
    _use_predictions(records, path, 4)
    builds(run_cli, records, tmp_path / "out")
    page = json.loads((tmp_path / "out/models/churn/v/1/fairness/index.json").read_text())
    assert page["task"] == "binary"
    overall = page["overall"]["metrics"]
    assert overall["base_rate"]["value"] == 0.5 and overall["recall"]["value"] == 0.5
    assert "auc" in json.dumps(page["groupings"][0]["groups"][0])


def _weigh(records: Path, weights: list[float]) -> None:
    """Add a weight column ``w`` to churn-1's predictions (CSV) and name it in the run."""
    path = records / "predictions" / "churn-1.csv"
    lines = path.read_text().splitlines()
    text = [lines[0] + ",w"] + [f"{line},{w}" for line, w in zip(lines[1:], weights, strict=True)]
    path.write_text("\n".join(text) + "\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["sha256"] = digest
    run["predictions"]["columns"]["weight"] = "w"
    next(d for d in run["datasets"] if d["id"] == "holdout")["sha256"] = digest
    run_path.write_text(json.dumps(run, indent=2))


def test_weighted_regression_groups_are_small_by_effective_rows(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Judged by rows, a group of 100 rows with one weighing all was not small; one whose rows
    all weigh 0 published quantiles outside their own intervals."""
    import pandas as pd

    records = project()
    frame = pd.DataFrame({"id": range(300), "y": [float(i % 17) for i in range(300)],
                          "yhat": [float(i % 13) for i in range(300)],
                          "group": ["a"] * 100 + ["b"] * 100 + ["c"] * 100})  # fmt: skip
    _regression(records, _regression_csv(frame), task="regression")
    _weigh(records, [1.0] * 100 + [1000.0] + [1e-9] * 99 + [0.0] * 100)
    out = tmp_path / "out"
    assert builds(run_cli, records, out)
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    groups = {g["label"]: g for g in page["groupings"][0]["groups"]}
    assert [(k, groups[k]["small"]) for k in "abc"] == [("a", False), ("b", True), ("c", True)]
    assert abs(groups["b"]["effective_n"] - 1.0) < 1e-6
    weightless = groups["c"]["metrics"]
    assert all(m["value"] is None and m["undefined"] == "every row of this group has weight 0"
               for m in weightless.values())  # fmt: skip


def test_weighted_multiclass_groups_are_small_by_effective_rows(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    rows = [(i, "abc"[i % 3], "abc"[(i // 2) % 3], "gh"[i // 100], 0.5, 0.3, 0.2)
            for i in range(200)]  # fmt: skip
    records = _multiclass_project(project, rows)
    _weigh(records, [1.0] * 100 + [1000.0] + [1e-9] * 99)
    out = tmp_path / "out"
    assert builds(run_cli, records, out)
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    small = {g["label"]: g["small"] for g in page["groupings"][0]["groups"]}
    assert small == {"g": False, "h": True}


def test_a_semicolon_separated_csv_is_told_apart(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _write_predictions(records, _csv(GOOD).replace(",", ";"))
    problems = _fails(run_cli, records, tmp_path / "out")
    assert problems and all(
        p.endswith("use one of its columns: id;y;yhat;p;group (one column: the file looks "
                   "separated by ';' — write it comma-separated)") for p in problems
    )  # fmt: skip


def test_decimal_scores_are_numbers(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Parquet decimals (a database export) came to pandas as Decimal objects: "not numbers"."""
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = project()
    scores = [Decimal(str(s)) for *_, s, _ in GOOD]
    table = pa.table({"id": [r[0] for r in GOOD], "y": [r[1] for r in GOOD],
                      "yhat": [r[2] for r in GOOD], "p": pa.array(scores, pa.decimal128(5, 3)),
                      "group": [r[4] for r in GOOD]})  # fmt: skip
    path = records / "predictions" / "churn-1.parquet"
    pq.write_table(table, path)
    _use_predictions(records, path, len(GOOD))
    out = tmp_path / "out"
    assert builds(run_cli, records, out)
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    assert page["overall"]["metrics"]["auc"]["value"] == 0.75


def test_a_predictions_file_with_a_header_alone(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It also said the (empty) scores were "not numbers (object)"."""
    records = project()
    _write_predictions(records, "id,y,yhat,p,group\n", rows=0)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: has no rows — write the evaluation predictions, one row per "
        "evaluated example"
    ]


def test_regression_values_whose_squares_overflow(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Labels near 1e300: R² said "the labels are all equal", RMSE was empty with no reason."""
    records = project()
    frame = _frame(n=40)
    frame.loc[3, "y"] = 2e300
    _regression(records, _regression_csv(frame), task="regression")
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y: 1 row has a value beyond ±1e+150 (its square overflows) "
        "(first at data row 4) (y_true) — a regression's labels and predictions are numbers: "
        "write every row's value"
    ]


def test_a_multiclass_label_missing_is_named_with_its_row(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _multiclass_rows(60)
    rows[7] = (rows[7][0], "", *rows[7][2:])
    records = _multiclass_project(project, rows)
    (problem,) = _fails(run_cli, records, tmp_path / "out")
    assert problem.startswith("predictions/churn-1.csv: y: 1 row has no value (first at data row "
                              "8) (y_true) — ")  # fmt: skip


def test_a_jsonl_value_of_another_kind_names_its_line(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Arrow's "in row N" counts within a block of the file: the line is found and named."""
    records = project()
    rows = [{"id": i, "y": i % 2, "yhat": i % 2, "p": 0.5, "group": "a"} for i in range(60_000)]
    rows[50_000]["p"] = "0.5"
    path = records / "predictions" / "churn-1.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    _use_predictions(records, path, len(rows))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.jsonl:50001: p: is text where line 1 has a number — write 'p' as "
        "the same kind of value on every line (a number without quotes)"
    ]


def test_a_group_value_with_a_control_character(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """XML cannot hold it: the chart of the group could not be drawn (a crash), so it is refused."""
    records = project()
    rows = [(1, 1, 1, 0.9, "a"), (2, 0, 0, 0.2, "b\x01"), (3, 1, 0, 0.4, "b\x1b"), *GOOD[3:]]
    _write_predictions(records, _csv(rows))
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: group: 2 rows hold a control character (first at data row 2: "
        "'b\\x01'), which pages, charts and reports cannot show — remove control characters from "
        "the column's values (or replace them, e.g. with a space)",
    ]


def test_a_class_label_with_a_control_character(project, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A multiclass model's classes are drawn too (confusion matrix, per-class charts)."""
    labels = ["a", "b\x01", "c"]
    rows = [(i, labels[i % 3], *row[2:4]) for i, row in enumerate(_multiclass_rows(60))]
    records = _multiclass_project(project, rows, scores=False)
    assert _fails(run_cli, records, tmp_path / "out") == [
        "predictions/churn-1.csv: y: 20 rows hold a control character (first at data row 2: "
        "'b\\x01'), which pages, charts and reports cannot show — remove control characters from "
        "the class labels (or replace them)",
    ]


def test_drawn_texts_of_a_run_record_with_a_control_character(
    project, run_cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A metric's slice and a sensitive column's name are drawn in charts: SVG cannot hold one."""
    records = project()
    _write_predictions(records, _csv(GOOD).replace("group", "gr\x01oup", 1))
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["metrics"][0]["slice"] = {"group": "a\x1b[31m"}
    run["predictions"]["columns"]["sensitive"] = ["gr\x01oup"]
    run_path.write_text(json.dumps(run, indent=2))
    problems = _fails(run_cli, records, tmp_path / "out")
    fix = " holds a control character, which charts cannot show — remove the control character "
    assert [re.sub(r"^runs/churn-1\.json:\d+: ", "", p) for p in problems] == [
        f"metrics[0].slice.group: 'a\\x1b[31m'{fix}(or replace it, e.g. with a space)",
        f"predictions.columns.sensitive[0]: 'gr\\x01oup'{fix}(or replace it, e.g. with a space)",
    ]


@pytest.mark.parametrize("positive", [1, "1", 1.0, True])
def test_text_labels_beside_number_predictions_are_two_classes(
    project, run_cli: Callable[..., Result], tmp_path: Path, positive: object
) -> None:  # type: ignore[no-untyped-def]
    """JSON "0"/"1" labels beside 0.0/1.0 predictions were refused as four values (while the
    task was inferred binary from the same values as text): they are one class each."""
    from sklearn.metrics import accuracy_score, recall_score

    rng = np.random.default_rng(7)
    truth, predicted = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    path = project() / "predictions" / "mixed.jsonl"
    rows = [{"id": i, "y": str(t), "yhat": float(p), "p": 0.5, "group": "ab"[i % 2]}
            for i, (t, p) in enumerate(zip(truth, predicted, strict=True))]  # fmt: skip
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    records = path.parent.parent
    _use_predictions(records, path, len(rows))
    run_path = records / "runs" / "churn-1.json"
    run = json.loads(run_path.read_text())
    run["predictions"]["positive_label"] = positive
    run_path.write_text(json.dumps(run, indent=2))
    out = tmp_path / "out"
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 0, result.output
    page = json.loads((out / "models/churn/v/1/fairness/index.json").read_text())
    overall = page["overall"]["metrics"]
    assert overall["selection_rate"]["value"] == pytest.approx(predicted.mean(), abs=1e-12)
    assert overall["accuracy"]["value"] == pytest.approx(
        accuracy_score(truth, predicted), abs=1e-12
    )
    assert overall["recall"]["value"] == pytest.approx(recall_score(truth, predicted), abs=1e-12)
