"""The same Ibis expressions on Spark (local mode) give the same summaries as on DuckDB."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from cardpress.model_drift import DriftSummaries
from cardpress.readers.records import read_records
from tests.conftest import PROJECTS

pytestmark = [
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (not installed)"),
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None, reason="pyspark is not installed"
    ),
]


def _monitoring(root: Path) -> None:
    """Three days of rows in Parquet, CSV and JSONL, late labels in CSV, and a training file."""
    rng = np.random.default_rng(7)
    folder = root / "monitoring" / "churn"
    (folder / "labels").mkdir(parents=True)
    frames = []
    for day in range(3):
        n = 60
        times = pd.date_range(f"2026-03-0{day + 1} 00:10", periods=n, freq="23min", tz="UTC")
        frames.append(pd.DataFrame({
            "prediction_id": [f"d{day}-{i}" for i in range(n)],
            "timestamp": times,
            "model_version": "1",
            # quarter steps: sums are exact in any order, so summaries compare with ==
            "x": rng.integers(0, 40, n) / 4 + day,
            "colour": rng.choice(["a", "b", "c", "d"] if day else ["a", "b", "c"], n),
            "prediction": rng.integers(0, 2, n),
            "score": rng.integers(0, 200, n) / 200,
        }))  # fmt: skip
    frames[0].to_parquet(folder / "day-1.parquet", index=False)
    text = frames[1].assign(timestamp=frames[1].timestamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    text.to_csv(folder / "day-2.csv", index=False)  # typed like the Parquet on both engines
    iso = frames[2].assign(timestamp=frames[2].timestamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    iso.to_json(folder / "day-3.jsonl", orient="records", lines=True)
    labels = pd.concat(frames[:2]).sample(frac=0.7, random_state=1)
    pd.DataFrame({
        "prediction_id": labels.prediction_id,
        "label": rng.integers(0, 2, len(labels)),
        "label_timestamp": (labels.timestamp + pd.to_timedelta(
            rng.integers(60, 9 * 86400, len(labels)), unit="s"
        )).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }).to_csv(folder / "labels" / "labels.csv", index=False)  # fmt: skip
    (root / "data").mkdir()
    pd.DataFrame({
        "x": rng.integers(0, 40, 300) / 4,
        "colour": rng.choice(["a", "b", "c"], 300),
        "prediction": rng.integers(0, 2, 300),
    }).to_csv(root / "data" / "train.csv", index=False)  # fmt: skip


def _summaries(root: Path, engine: str, window: str) -> DriftSummaries:
    config = root / "cardpress.toml"
    base = (PROJECTS / "minimal" / "cardpress.toml").read_text()
    reference = "train" if window == "daily" else "2026-03-01/2026-03-01"
    config.write_text(base + f'\n[drift]\nengine = "{engine}"\nspark_master = "local[2]"\n'
                      f'window = "{window}"\nwindow_rows = 50\nreference = "{reference}"\n'
                      f'cache = ".cache-{engine}"\n')  # fmt: skip
    [summaries] = read_records(root, drift=True).drift
    return summaries


@pytest.mark.parametrize("window", ["daily", "rows"])
def test_duckdb_and_spark_give_identical_summaries(tmp_path: Path, window: str) -> None:
    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    _monitoring(root)
    duckdb = _summaries(root, "duckdb", window)
    spark = _summaries(root, "spark", window)
    assert spark.engine == "spark"
    assert dataclasses.replace(spark, engine="duckdb") == duckdb
    assert len(duckdb.windows) == (3 if window == "daily" else 4)
    assert len(duckdb.reference_chunks) == (10 if window == "daily" else 1)
    labelled = [w.performance.labelled for w in duckdb.windows if w.performance]
    assert sum(labelled) > 0


def test_spark_reads_parquet_files_of_one_schema_in_one_reader(tmp_path: Path) -> None:
    from cardpress.readers.drift.engines import connect, read_parquet

    folder = tmp_path / "odd name+1 %20"  # characters a file URI encodes
    folder.mkdir()
    for day in range(3):
        frame = pd.DataFrame({"x": [day, day + 1], "colour": ["a", "b"]})
        frame.to_parquet(folder / f"day {day}.parquet", index=False)
    pd.DataFrame({"x": [0.5], "colour": ["c"]}).to_parquet(folder / "float.parquet", index=False)
    paths = sorted(str(p) for p in folder.glob("*.parquet"))
    schemas = {p: ibis.Schema.from_pyarrow(pq.read_schema(p)) for p in paths}
    con = connect("spark", "local[2]")
    same = read_parquet(con, "spark", {p: schemas[p] for p in paths[:3]}, "src")
    assert same.op().__class__.__name__ != "Union"  # one reader, not one per file
    found = same.group_by("src").aggregate(n=same.count()).to_pyarrow().to_pylist()
    assert sorted((row["src"], row["n"]) for row in found) == [(p, 2) for p in paths[:3]]
    mixed = read_parquet(con, "spark", schemas, "src")  # int and float x: a union of two readers
    assert mixed.schema()["x"].is_float64()
    rows = mixed.order_by(["src", "x"]).to_pyarrow().to_pylist()
    found_rows = [(row["src"], row["x"]) for row in rows]
    assert found_rows[:3] == [(paths[0], 0.0), (paths[0], 1.0), (paths[1], 1.0)]
    assert (paths[3], 0.5) in found_rows


@pytest.mark.parametrize("task", ["regression", "multiclass"])
def test_regression_and_multiclass_outcomes_are_the_same_on_spark(
    tmp_path: Path, task: str
) -> None:
    """The task's sums (whole numbers here, exact in any order) on both engines."""
    import json

    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    _monitoring(root)
    for name in ("churn-1.json", "churn-10.json"):
        record = json.loads((root / "runs" / name).read_text())
        record["model"]["task"] = task
        (root / "runs" / name).write_text(json.dumps(record))
    duckdb = _summaries(root, "duckdb", "daily")
    spark = _summaries(root, "spark", "daily")
    assert duckdb.task == task and dataclasses.replace(spark, engine="duckdb") == duckdb
    found = [w.performance for w in duckdb.windows if w.performance and w.performance.labelled]
    assert found and all(p.task == task for p in found)
    assert all((p.square_sum > 0) if task == "regression" else p.confusion for p in found)


def test_repeated_late_labels_keep_the_same_one_on_both_engines(tmp_path: Path) -> None:
    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    _monitoring(root)
    labels_file = root / "monitoring" / "churn" / "labels" / "labels.csv"
    labels = pd.read_csv(labels_file)
    again = labels.iloc[:25].assign(label=lambda f: 1 - f["label"])  # later: these win
    again["label_timestamp"] = (pd.to_datetime(again["label_timestamp"]) + pd.Timedelta("1h")
                                ).dt.strftime("%Y-%m-%dT%H:%M:%SZ")  # fmt: skip
    pd.concat([labels, again]).to_csv(labels_file, index=False)
    duckdb = _summaries(root, "duckdb", "daily")
    spark = _summaries(root, "spark", "daily")
    assert dataclasses.replace(spark, engine="duckdb") == duckdb
    assert any("25 late labels repeat a prediction id" in w for w in duckdb.warnings)
    labelled = sum(w.performance.labelled for w in duckdb.windows if w.performance)
    assert labelled == len(labels)  # each labelled row once


def test_parquet_timestamps_in_nanoseconds_are_refused_before_spark_fails(tmp_path: Path) -> None:
    """Spark's Parquet reader stops at them ("Illegal Parquet type"): a cardpress bug, it said."""
    import pyarrow as pa

    from cardpress.errors import RecordsError

    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    _monitoring(root)
    day = root / "monitoring" / "churn" / "day-1.parquet"
    table = pq.read_table(day)
    at = table.schema.get_field_index("timestamp")
    nanos = table.column(at).cast(pa.timestamp("ns", tz="UTC"))
    pq.write_table(table.set_column(at, "timestamp", nanos), day)
    with pytest.raises(RecordsError) as raised:
        _summaries(root, "spark", "daily")
    assert str(raised.value.problems[0]) == (
        "monitoring/churn/day-1.parquet: timestamp: timestamps in nanoseconds, which Spark "
        "cannot read from Parquet — write them in microseconds (pandas: to_parquet(path, "
        'coerce_timestamps="us", allow_truncated_timestamps=True)), or use the duckdb engine'
    )
