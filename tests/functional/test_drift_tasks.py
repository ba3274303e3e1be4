"""Performance over time of a regression and a multiclass model, against scikit-learn.

A small project built here: a monitoring folder per model with labels in some rows, late labels
for others in ``labels/`` (keyed by prediction id) and rows that never get one; every window's
numbers on the built page are checked against scikit-learn on the same labelled rows.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
)

import cardpress
from tests.conftest import PROJECTS

DAYS = 4
ROWS_A_DAY = 60
CLASSES = ("bike", "bus", "car", "walk")


def _run(root: Path, model: str, task: str | None) -> None:
    """A run record of ``model`` version 1 (``task`` recorded unless None), no predictions."""
    record = json.loads((root / "runs" / "churn-1.json").read_text())
    record["run_id"] = f"run-{model}"
    record["model"] = {"name": model, "version": "1", **({"task": task} if task else {})}
    record.pop("predictions")
    record["metrics"] = []
    record["datasets"] = record["datasets"][:1]
    (root / "runs" / f"{model}-1.json").write_text(json.dumps(record))


def _rows(task: str, seed: int) -> pd.DataFrame:
    """Monitoring rows over DAYS days; a third labelled in the row, a third by late labels."""
    rng = np.random.default_rng(seed)
    n = DAYS * ROWS_A_DAY
    times = pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.uniform(0, DAYS * 86400, n)), unit="s"
    )
    if task == "regression":
        truth = rng.normal(100, 20, n).round(3)
        predicted = (truth + rng.normal(2, 10, n) * (1 + np.arange(n) / n)).round(3)
    else:
        truth = rng.choice(CLASSES, n, p=[0.1, 0.2, 0.5, 0.2])
        keep = rng.uniform(size=n) < 0.6
        predicted = np.where(keep, truth, rng.choice(CLASSES[:3], n))
    return pd.DataFrame({
        "timestamp": times, "model_version": "1", "prediction_id": [f"p{i}" for i in range(n)],
        "x": rng.normal(size=n), "prediction": predicted, "truth": truth,
        "way": rng.integers(0, 3, n),  # 0: label in the row, 1: late label, 2: none yet
    })  # fmt: skip


def _project(tmp_path: Path) -> tuple[Path, dict[str, pd.DataFrame]]:
    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    frames = {}
    for model, task, seed in (("price", "regression", 1), ("router", "multiclass", 2)):
        _run(root, model, task)
        rows = _rows(task, seed)
        folder = root / "monitoring" / model
        (folder / "labels").mkdir(parents=True)
        own = rows.truth.where(rows.way == 0)
        monitored = rows.drop(columns=["truth", "way"]).assign(label=own)
        monitored.to_parquet(folder / "rows.parquet", index=False)
        late = rows[rows.way == 1]
        pd.DataFrame({"prediction_id": late.prediction_id, "label": late.truth,
                      "label_timestamp": late.timestamp + pd.Timedelta(hours=30)}
                     ).to_csv(folder / "labels" / "late.csv", index=False)  # fmt: skip
        frames[model] = rows
    with (root / "cardpress.toml").open("a") as config:
        config.write('\n[drift]\nreference = "2026-03-01/2026-03-01"\n')
    return root, frames


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    tmp = tmp_path_factory.mktemp("drift-tasks")
    root, frames = _project(tmp)
    cardpress.build(root, tmp / "site")
    return tmp / "site", frames


def _page(site: Path, model: str) -> dict:  # type: ignore[type-arg]
    return json.loads((site / "models" / model / "drift" / "index.json").read_text())


def _labelled_by_day(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    labelled = rows[rows.way < 2]
    day = labelled.timestamp.dt.strftime("%Y-%m-%d")
    return {key: part for key, part in labelled.groupby(day)}


def _t_interval(x: np.ndarray) -> tuple[float, float]:  # type: ignore[type-arg]
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return float(low), float(high)


def _wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson's score interval (95%), written out from its formula."""
    z, p = NormalDist().inv_cdf(0.975), successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_regression_per_window_against_scikit_learn(built: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    site, frames = built
    data = _page(site, "price")
    assert data["task"] == "regression"
    expected = _labelled_by_day(frames["price"])
    assert [p["window"] for p in data["performance"]] == sorted(expected)
    for row in data["performance"]:
        part = expected[row["window"]]
        y, p = part.truth.to_numpy(float), part.prediction.to_numpy(float)
        error = p - y
        assert row["labelled"] == len(part)
        assert row["mae"] == pytest.approx(mean_absolute_error(y, p), abs=1e-9)
        assert row["rmse"] == pytest.approx(np.sqrt(mean_squared_error(y, p)), abs=1e-9)
        assert row["bias"] == pytest.approx(error.mean(), abs=1e-9)
        assert row["mae_ci"] == pytest.approx(_t_interval(np.abs(error)), abs=1e-9)
        assert row["bias_ci"] == pytest.approx(_t_interval(error), abs=1e-9)
        low, high = _t_interval(error**2)
        assert row["rmse_ci"] == pytest.approx((np.sqrt(max(low, 0)), np.sqrt(high)), abs=1e-9)
    rows = frames["price"].groupby(frames["price"].timestamp.dt.strftime("%Y-%m-%d")).size()
    for row in data["performance"]:
        assert row["rows"] == rows[row["window"]]
        assert row["coverage"] == pytest.approx(row["labelled"] / row["rows"], abs=1e-12)


def test_multiclass_per_window_against_scikit_learn(built: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    site, frames = built
    data = _page(site, "router")
    assert data["task"] == "multiclass"
    expected = _labelled_by_day(frames["router"])
    assert data["classes"] == sorted(set(frames["router"][frames["router"].way < 2].prediction))
    for row in data["performance"]:
        part = expected[row["window"]]
        y, p = part.truth.to_numpy(str), part.prediction.to_numpy(str)
        accuracy = accuracy_score(y, p)
        assert row["accuracy"] == pytest.approx(accuracy, abs=1e-9)
        correct = int((y == p).sum())
        assert row["accuracy_ci"] == pytest.approx(_wilson(correct, len(y)), abs=1e-12)
        assert row["macro_f1"] == pytest.approx(f1_score(y, p, average="macro"), abs=1e-9)
        shares = pd.Series(p).value_counts(normalize=True)
        assert row["predicted_shares"] == pytest.approx(shares.to_dict(), abs=1e-12)


def test_the_pages_state_the_task_and_formulas(built: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    site, _ = built
    price = (site / "models/price/drift/index.html").read_text()
    assert "Task: <strong>regression</strong>" in price and "MAE = Σ|e|/n" in price
    assert "Mean error (bias)" in price and "Precision" not in price
    router = (site / "models/router/drift/index.html").read_text()
    assert "Task: <strong>multiclass</strong>" in router and "Macro-F1" in router
    assert "Predicted bike" in router and "AUC" not in router.split('id="performance"')[1]


def test_the_task_is_inferred_from_the_evaluation_predictions(tmp_path: Path) -> None:
    """No model.task: decimals in the evaluation predictions make the model a regression."""
    root, frames = _project(tmp_path)
    record = json.loads((root / "runs" / "price-1.json").read_text())
    del record["model"]["task"]
    table = root / "predictions" / "price-1.csv"
    table.write_text("id,y,yhat\n1,1.5,2.25\n2,3.0,2.5\n3,7.75,7.0\n")
    digest = hashlib.sha256(table.read_bytes()).hexdigest()
    record["datasets"].append(
        {
            "id": "holdout",
            "role": "evaluation",
            "uri": "predictions/price-1.csv",
            "sha256": digest,
            "rows": 3,
        }
    )
    record["predictions"] = {"uri": "predictions/price-1.csv", "sha256": digest,
                             "dataset": "holdout", "columns": {"id": "id", "y_true": "y",
                                                               "y_pred": "yhat"}}  # fmt: skip
    (root / "runs" / "price-1.json").write_text(json.dumps(record))
    cardpress.build(root, tmp_path / "site")
    data = _page(tmp_path / "site", "price")
    assert data["task"] == "regression"
    part = _labelled_by_day(frames["price"])[data["performance"][0]["window"]]
    expected = mean_absolute_error(part.truth, part.prediction)
    assert data["performance"][0]["mae"] == pytest.approx(expected, abs=1e-9)


def test_a_rebuild_from_kept_summaries_gives_the_same_pages(tmp_path: Path) -> None:
    root, _ = _project(tmp_path)
    with (root / "cardpress.toml").open("a") as config:
        config.write('cache = "kept"\n')
    cardpress.build(root, tmp_path / "first")
    assert list((root / "kept").glob("drift-*.json"))
    cardpress.build(root, tmp_path / "second")
    for model in ("price", "router"):
        page = Path("models") / model / "drift" / "index.json"
        assert (tmp_path / "first" / page).read_bytes() == (tmp_path / "second" / page).read_bytes()


def test_the_task_charts_are_valid_vega_lite_with_the_headline_metric(
    built: tuple[Path, dict],  # type: ignore[type-arg]
) -> None:
    import jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    from cardpress.render.drift.charts import performance_chart

    site, _ = built
    validator = jsonschema.Draft7Validator(load_schema())
    for model, headline, absent in (("price", "mae", "accuracy"), ("router", "accuracy", "mae")):
        spec = performance_chart(_page(site, model))
        assert not [e.message for e in validator.iter_errors(spec)]
        values = json.dumps(spec)
        assert f'"metric": "{headline}"' in values and f'"metric": "{absent}"' not in values


def test_a_label_that_is_not_a_number_is_left_out_and_warned(tmp_path: Path) -> None:
    root, frames = _project(tmp_path)
    late = root / "monitoring" / "price" / "labels" / "late.csv"
    lines = late.read_text().splitlines()
    first = lines[1].split(",")
    late.write_text("\n".join([*lines, f"{first[0]}x,unknown,{first[2]}", ""]))
    rows = pd.read_parquet(root / "monitoring" / "price" / "rows.parquet")
    extra = rows.iloc[:1].assign(prediction_id=f"{first[0]}x")
    pd.concat([rows, extra]).to_parquet(root / "monitoring" / "price" / "rows.parquet")
    cardpress.build(root, tmp_path / "site")
    data = _page(tmp_path / "site", "price")
    assert any("1 labelled row of this regression model" in w for w in data["warnings"])
    window = data["performance"][0]
    part = _labelled_by_day(frames["price"])[window["window"]]
    assert window["labelled"] == len(part)
    assert window["mae"] == pytest.approx(mean_absolute_error(part.truth, part.prediction),
                                          abs=1e-9)  # fmt: skip


def _without_task(root: Path, table: str) -> Path:
    """price-1's record without model.task, its predictions the CSV ``table``; that file."""
    record = json.loads((root / "runs" / "price-1.json").read_text())
    record["model"].pop("task", None)
    record["datasets"] = [d for d in record["datasets"] if d["id"] != "holdout"]
    path = root / "predictions" / "price-1.csv"
    path.write_text(table)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record["datasets"].append({"id": "holdout", "role": "evaluation", "rows": 3,
                               "uri": "predictions/price-1.csv", "sha256": digest})  # fmt: skip
    record["predictions"] = {"uri": "predictions/price-1.csv", "sha256": digest,
                             "dataset": "holdout", "columns": {"id": "id", "y_true": "y",
                                                               "y_pred": "yhat"}}  # fmt: skip
    (root / "runs" / "price-1.json").write_text(json.dumps(record))
    return path


def test_an_inferred_task_is_kept_until_the_predictions_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inferring reads the predictions with pandas: a rebuild takes the kept answer instead."""
    from cardpress.readers.drift import report

    root, _ = _project(tmp_path)
    with (root / "cardpress.toml").open("a") as config:
        config.write('cache = "kept"\n')
    _without_task(root, "id,y,yhat\n1,1.5,2.25\n2,3.0,2.5\n3,7.75,7.0\n")
    inferred: list[str] = []
    infer = report._inferred_task

    def counted(*args: Any) -> str:
        inferred.append(infer(*args))
        return inferred[-1]

    monkeypatch.setattr(report, "_inferred_task", counted)
    cardpress.build(root, tmp_path / "first")
    cardpress.build(root, tmp_path / "second")
    assert inferred == ["regression"]  # once: the second build took it from the cache
    assert _page(tmp_path / "second", "price")["task"] == "regression"
    # 0/1 labels: a binary model now; the kept answer was for other bytes, so it is not used
    _without_task(root, "id,y,yhat\n1,0,1\n2,1,1\n3,0,0\n")
    cardpress.build(root, tmp_path / "third")
    assert inferred == ["regression", "binary"]
    third = _page(tmp_path / "third", "price")
    assert "task" not in third and "mae" not in third["performance"][0]  # a binary page
