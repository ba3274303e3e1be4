"""The example's committed records are true: hashes match the files, metrics match predictions."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
)

from tests.conftest import EXAMPLE

RUNS = sorted((EXAMPLE / "runs").glob("income-classifier-*.json"))  # the others: below
DIABETES = EXAMPLE / "runs" / "diabetes-progression-1.json"
SCORERS = {
    "accuracy": accuracy_score,
    "precision": precision_score,
    "recall": recall_score,
    "f1": f1_score,
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("record_path", RUNS, ids=[p.stem for p in RUNS])
def test_hashes_match_the_files(record_path: Path) -> None:
    record = json.loads(record_path.read_text())
    for dataset in record["datasets"]:
        assert _sha256(EXAMPLE / dataset["uri"]) == dataset["sha256"], dataset["id"]
    assert _sha256(EXAMPLE / record["predictions"]["uri"]) == record["predictions"]["sha256"]


@pytest.mark.parametrize("record_path", RUNS, ids=[p.stem for p in RUNS])
def test_metrics_match_an_independent_computation(record_path: Path) -> None:
    record = json.loads(record_path.read_text())
    frame = pd.read_parquet(EXAMPLE / record["predictions"]["uri"])
    assert len(frame) == 16281
    for metric in record["metrics"]:
        part = frame
        for column, group in metric.get("slice", {}).items():
            part = part[part[column] == group]
        if metric["key"] == "roc_auc":
            expected = roc_auc_score(part["label"], part["score"])
        elif metric["key"] == "selection_rate":
            expected = part["pred"].mean()  # hand definition: share predicted positive
        else:
            expected = SCORERS[metric["key"]](part["label"], part["pred"])
        assert metric["value"] == pytest.approx(expected, abs=1e-9), metric
        if "ci" in metric:  # Wilson score interval, scipy as the independent reference
            from scipy.stats import binomtest

            successes = round(expected * len(part))
            low, high = binomtest(successes, len(part)).proportion_ci(0.95, method="wilson")
            assert (metric["ci"]["lower"], metric["ci"]["upper"]) == pytest.approx(
                (low, high), abs=1e-9
            )
            assert math.isclose(metric["ci"]["level"], 0.95)


def test_the_multiclass_example_record_is_true() -> None:
    """hours-band-1: file hashes, the 3-class target as documented, metrics from predictions."""
    record = json.loads((EXAMPLE / "runs" / "hours-band-1.json").read_text())
    for dataset in record["datasets"]:
        if "#" not in dataset["uri"]:  # the two samples are DataFrames, hashed in canonical form
            assert _sha256(EXAMPLE / dataset["uri"]) == dataset["sha256"], dataset["id"]
    predictions = record["predictions"]
    assert _sha256(EXAMPLE / predictions["uri"]) == predictions["sha256"]
    frame = pd.read_parquet(EXAMPLE / predictions["uri"])
    assert len(frame) == 4000 and sorted(frame["band"].unique()) == [
        "full-time",
        "long",
        "part-time",
    ]
    score_columns = predictions["columns"]["y_score_by_class"]
    classes = sorted(score_columns)
    scores = frame[[score_columns[c] for c in classes]].to_numpy()
    assert scores.sum(axis=1) == pytest.approx(1, abs=1e-9)
    for metric in record["metrics"]:
        key = metric["key"]
        if key == "accuracy":
            expected = accuracy_score(frame["band"], frame["pred"])
        elif key == "roc_auc_ovr":
            expected = roc_auc_score(frame["band"], scores, multi_class="ovr", labels=classes)
        else:
            average, name = key.split("_")
            found = precision_recall_fscore_support(
                frame["band"], frame["pred"], average=average, zero_division=float("nan")
            )
            expected = found[("precision", "recall", "f1").index(name)]
        assert metric["value"] == pytest.approx(expected, abs=1e-9), key


def test_the_regression_example_is_true() -> None:
    """Its data sets hash to the split of load_diabetes, its metrics to scikit-learn's figures."""
    from sklearn.datasets import load_diabetes
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
    from sklearn.model_selection import train_test_split

    from cardpress.recorder.hashing import frame_sha256

    record = json.loads(DIABETES.read_text())
    assert "task" not in record["model"]  # left to inference: the predictions are not integers
    assert _sha256(EXAMPLE / record["predictions"]["uri"]) == record["predictions"]["sha256"]
    frame = load_diabetes(as_frame=True, scaled=False).frame
    assert sorted(frame["sex"].unique()) == [1.0, 2.0]  # the two codes the groups are named by
    frame["sex"] = "sex " + frame["sex"].astype(int).astype(str)
    frame["age_band"] = ["under 50" if age < 50 else "50 and over" for age in frame["age"]]
    train, test = train_test_split(frame, test_size=0.6, random_state=0)
    hashes = {d["id"]: d["sha256"] for d in record["datasets"]}
    assert hashes == {"diabetes-train": frame_sha256(train), "diabetes-test": frame_sha256(test)}
    predictions = pd.read_parquet(EXAMPLE / record["predictions"]["uri"])
    assert predictions["progression"].tolist() == test["target"].tolist()
    assert predictions["sex"].tolist() == test["sex"].tolist()
    y, p = predictions["progression"], predictions["predicted"]
    expected = {
        "mae": mean_absolute_error(y, p),
        "rmse": mean_squared_error(y, p) ** 0.5,
        "r2": r2_score(y, p),
    }
    assert {m["key"]: m["value"] for m in record["metrics"]} == pytest.approx(expected, abs=1e-9)
