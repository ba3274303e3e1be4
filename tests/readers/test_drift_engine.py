"""The drift engine (Ibis on DuckDB): hand-counted bins, mergeable summaries, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from cardpress.errors import Problem, RecordsError
from cardpress.model_drift import DriftSettings, FeatureBins, merge_counts
from cardpress.readers.drift.bins import frozen_bins
from cardpress.readers.drift.engine import counts_by, reference_chunks
from cardpress.readers.drift.windows import WINDOW, with_windows
from cardpress.readers.monitoring import TIME, read_rows
from cardpress.readers.records import read_records
from tests.conftest import PROJECTS

AGE = FeatureBins("age", "numeric", edges=(10.0, 20.0, 30.0))
COLOUR = FeatureBins("colour", "categorical", categories=("blue", "red"))


def test_every_bin_is_counted_by_hand() -> None:
    frame = pd.DataFrame({
        "age": [5.0, 10.0, 19.9, 20.0, 30.0, 31.0, None, float("nan")],
        "colour": ["red", "blue", "blue", "green", None, "red", "red", "blue"],
    })  # fmt: skip
    counts = counts_by(ibis.memtable(frame), None, [AGE, COLOUR])[None]
    # age: below 10 | [10, 20) | [20, 30] | above 30 | missing (null and NaN)
    assert counts["age"].counts == (1, 2, 2, 1, 2)
    assert counts["age"].value_sums == (5.0, 29.9, 50.0, 31.0, 0.0)
    # colour: blue | red | unseen (green) | missing
    assert counts["colour"].counts == (3, 3, 1, 1)


def test_quantile_edges_are_frozen_from_the_reference() -> None:
    reference = ibis.memtable(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, None]}))
    [bins] = frozen_bins(reference, [("x", "numeric")], 4)
    assert bins.edges == (1.0, 2.0, 3.0, 4.0, 5.0)  # quantiles 0, .25, .5, .75, 1 (linear)
    [constant] = frozen_bins(ibis.memtable(pd.DataFrame({"x": [7, 7]})), [("x", "numeric")], 4)
    assert constant.edges == (6.5, 7.5)
    colours = ibis.memtable(pd.DataFrame({"c": ["b", None, "a", "b"]}))
    assert frozen_bins(colours, [("c", "categorical")], 4)[0].categories == ("a", "b")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 47), st.floats(0, 40), st.sampled_from("abz")),
                min_size=2, max_size=40), st.integers(1, 39))  # fmt: skip
def test_summaries_of_two_halves_add_up_to_the_summary_of_the_whole(
    rows: list[tuple[int, float, str]], cut: int
) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    frame = pd.DataFrame({
        TIME: [start + timedelta(hours=h) for h, _, _ in rows],
        "age": [a for _, a, _ in rows], "colour": [c for _, _, c in rows],
    })  # fmt: skip
    bins = [AGE, FeatureBins("colour", "categorical", categories=("a", "b"))]
    daily = DriftSettings(window="daily")
    whole = counts_by(with_windows(ibis.memtable(frame), daily), WINDOW, bins)
    cut = min(cut, len(rows) - 1)
    halves = [counts_by(with_windows(ibis.memtable(part), daily), WINDOW, bins)
              for part in (frame.iloc[:cut], frame.iloc[cut:])]  # fmt: skip
    for window, features in whole.items():
        for name, expected in features.items():
            parts = [h[window][name] for h in halves if window in h]
            merged = parts[0] if len(parts) == 1 else merge_counts(*parts)
            assert merged.counts == expected.counts
            assert np.allclose(merged.value_sums, expected.value_sums, rtol=1e-12, atol=1e-9)


def _records(tmp_path: Path, files: dict[str, pd.DataFrame | str]) -> Path:
    import shutil

    root = tmp_path / "records"
    shutil.copytree(PROJECTS / "minimal", root)
    folder = root / "monitoring" / "churn"
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, str):
            (folder / name).write_text(content)
        elif name.endswith(".csv"):
            content.to_csv(folder / name, index=False)
        else:
            content.to_parquet(folder / name, index=False)
    with (root / "cardpress.toml").open("a") as config:
        config.write('\n[drift]\nreference = "2026-03-01/2026-03-01"\n')
    return root


def _rows(day: int, n: int = 4, tz: str | None = "UTC") -> pd.DataFrame:
    times = pd.date_range(f"2026-03-{day:02d} 08:00", periods=n, freq="h", tz=tz)
    return pd.DataFrame({"timestamp": times, "model_version": "1", "x": np.arange(n, dtype=float),
                         "colour": ["a", "b"] * (n // 2)})  # fmt: skip


def _problems(root: Path) -> list[Problem]:
    with pytest.raises(RecordsError) as caught:
        read_records(root, drift=True)
    return caught.value.problems


def test_a_good_folder_gives_windows_with_an_empty_one_kept_and_warned(tmp_path: Path) -> None:
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.parquet": _rows(3)})
    [summaries] = read_records(root, drift=True).drift
    assert [w.key for w in summaries.windows] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert summaries.windows[1].rows == 0
    assert summaries.warnings == (
        "window 2026-03-02 has no rows: its statistics are left empty",
        "no label column: performance over time cannot be shown",
    )
    assert summaries.sources == ("monitoring/churn/a.parquet", "monitoring/churn/b.parquet")


def test_a_file_that_is_not_what_its_extension_says_is_named(tmp_path: Path) -> None:
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.parquet": "timestamp,x\n1,2\n"})
    [problem] = _problems(root)
    assert problem.file == "monitoring/churn/b.parquet" and "cannot be read" in problem.problem


def test_a_column_whose_type_changes_between_files_is_named(tmp_path: Path) -> None:
    other = _rows(2).assign(x=["1", "2", "3", "4"])
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.parquet": other})
    [problem] = _problems(root)
    assert (problem.file, problem.field) == ("monitoring/churn/b.parquet", "x")
    assert "type" in problem.problem


def test_naive_and_zoned_timestamps_mixed_are_refused(tmp_path: Path) -> None:
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.parquet": _rows(2, tz=None)})
    [problem] = _problems(root)
    assert problem.file == "monitoring/churn/b.parquet" and "time zone" in problem.problem


def test_unparsable_and_missing_timestamps_are_named(tmp_path: Path) -> None:
    text = "timestamp,model_version,x,colour\n2026-03-01T08:00:00Z,1,1.0,a\nyesterday,1,2.0,b\n"
    root = _records(tmp_path, {"a.csv": text})
    [problem] = _problems(root)
    assert (problem.file, problem.field) == ("monitoring/churn/a.csv", "timestamp")
    assert "'yesterday'" in problem.problem


def test_a_feature_missing_from_the_reference_file_is_named(tmp_path: Path) -> None:
    root = _records(tmp_path, {"a.parquet": _rows(1)})
    (root / "data").mkdir()
    pd.DataFrame({"x": [1.0, 2.0]}).to_csv(root / "data" / "train.csv", index=False)
    config = root / "cardpress.toml"
    config.write_text(config.read_text().replace('reference = "2026-03-01/2026-03-01"',
                                                 'reference = "train"'))  # fmt: skip
    problems = _problems(root)
    assert [(p.field, p.problem) for p in problems] == [
        (
            "colour",
            "feature missing from the reference (train data train (data/train.csv) of version 1)",
        )  # the reference is named: the problem is about its file
    ]


def test_rows_read_from_csv_and_parquet_agree(tmp_path: Path) -> None:
    con = ibis.duckdb.connect()
    frame = _rows(1)
    frame.to_parquet(tmp_path / "a.parquet")
    frame.assign(timestamp=frame.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(
        tmp_path / "a.csv", index=False
    )
    found: list[Problem] = []
    tables = [
        read_rows(con, "duckdb", tmp_path, [tmp_path / n], "timestamp", found)
        for n in ("a.parquet", "a.csv")
    ]
    assert not found and all(t is not None for t in tables)
    bins = [FeatureBins("x", "numeric", edges=(0.0, 1.0, 3.0))]
    counts = [counts_by(t.table, None, bins)[None]["x"] for t in tables if t]
    assert counts[0] == counts[1]


def test_the_spark_engine_without_java_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cardpress.errors import CardpressError
    from cardpress.readers.drift import engines as drift_engines

    monkeypatch.setattr(drift_engines.shutil, "which", lambda name: None)
    with pytest.raises(CardpressError, match="openjdk-17-jre-headless"):
        drift_engines.connect("spark", "local[1]")


def test_a_late_label_file_without_the_label_column_is_named(tmp_path: Path) -> None:
    frame = _rows(1).assign(prediction_id=[f"p{i}" for i in range(4)])
    root = _records(tmp_path, {"a.parquet": frame})
    labels = root / "monitoring" / "churn" / "labels"
    labels.mkdir()
    (labels / "l.csv").write_text("prediction_id,outcome\np1,1\n")
    [problem] = _problems(root)
    assert (problem.file, problem.field) == ("monitoring/churn/labels/l.csv", "label")


def _as_csv(frame: pd.DataFrame) -> str:
    iso = frame.assign(timestamp=frame.timestamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return str(iso.to_csv(index=False))


def test_a_csv_beside_parquet_takes_the_parquet_types_not_a_guess(tmp_path: Path) -> None:
    # model_version "1" and ids "007" look like numbers to a sniffer; the Parquet says text
    frame = _rows(2).assign(prediction_id=["007", "008", "009", "010"])
    root = _records(tmp_path, {"a.parquet": _rows(1).assign(prediction_id=list("abcd")),
                               "b.csv": _as_csv(frame)})  # fmt: skip
    [summaries] = read_records(root, drift=True).drift
    assert [w.rows for w in summaries.windows] == [4, 4]


def test_a_ragged_csv_row_is_one_problem_naming_its_line(tmp_path: Path) -> None:
    lines = _as_csv(_rows(2)).splitlines()
    lines[2] += ",9,9"
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.csv": "\n".join(lines) + "\n"})
    [problem] = _problems(root)
    assert (problem.file, problem.line) == ("monitoring/churn/b.csv", 3)
    assert problem.problem == "row has 6 fields, header has 4"


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_an_empty_csv_is_one_problem(tmp_path: Path, text: str) -> None:
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.csv": text})
    [problem] = _problems(root)
    assert problem.file == "monitoring/churn/b.csv" and "needs a header row" in problem.problem


def test_a_csv_value_not_of_the_column_type_names_line_and_column(tmp_path: Path) -> None:
    lines = _as_csv(_rows(2)).splitlines()
    lines[3] = lines[3].replace(",2.0,", ",two,")
    root = _records(tmp_path, {"a.parquet": _rows(1), "b.csv": "\n".join(lines) + "\n"})
    [problem] = _problems(root)
    assert (problem.file, problem.line, problem.field) == ("monitoring/churn/b.csv", 4, "x")
    assert problem.problem.startswith("'two' is not a float64")


def test_csv_files_alone_are_typed_from_the_first_and_the_config(tmp_path: Path) -> None:
    later = _as_csv(_rows(2)).replace(",a\n", ",7\n", 1)  # colour: a number in one row
    root = _records(tmp_path, {"a.csv": _as_csv(_rows(1)), "b.csv": later})
    [summaries] = read_records(root, drift=True).drift
    assert [w.rows for w in summaries.windows] == [4, 4]
    bad = _as_csv(_rows(2)).replace(",1.0,", ",x,")
    (root / "monitoring/churn/b.csv").write_text(bad)
    [problem] = _problems(root)
    assert (problem.line, problem.field) == (3, "x")


def test_reference_chunks_are_independent_of_every_feature() -> None:
    # integer ages with three other features: the former float-sum hash put rows in chunks
    # almost by age (χ² of chunk × age bin: p ≈ 1e-10 on exactly these rows)
    rng = np.random.default_rng(0)
    n = 5000
    frame = pd.DataFrame({
        "age": rng.integers(17, 91, n).astype("int64"),
        "hours": rng.integers(1, 100, n).astype("int64"),
        "workclass": rng.choice(["Private", "Self", "Gov", "None"], n, p=[0.6, 0.2, 0.15, 0.05]),
        "sex": rng.choice(["F", "M"], n),
    })  # fmt: skip
    frame.loc[::7, "hours"] = None  # a missing value still gets a chunk
    table = ibis.memtable(frame)
    kinds = [("age", "numeric"), ("hours", "numeric"), ("workclass", "categorical"),
             ("sex", "categorical")]  # fmt: skip
    chunks = reference_chunks(table, frozen_bins(table, kinds, 10))  # type: ignore[arg-type]
    assert len(chunks) == 10 and sum(c["age"].total for c in chunks) == n
    for name, _ in kinds:
        counts = np.array([c[name].counts for c in chunks])
        counts = counts[:, counts.sum(axis=0) > 0]
        assert chi2_contingency(counts).pvalue > 0.01, name  # fixed rows: no flake


def test_a_csv_column_of_decimals_is_read_as_numbers_not_rounded_integers(tmp_path: Path) -> None:
    """DuckDB casts the text "67.885" to the integer 68: the guess must not take it as one."""
    con = ibis.duckdb.connect()
    (tmp_path / "a.csv").write_text(
        "timestamp,x,n\n2026-03-01T00:00:00Z,67.885,3\n2026-03-01T01:00:00Z,1,-4\n"
    )
    found: list[Problem] = []
    rows = read_rows(con, "duckdb", tmp_path, [tmp_path / "a.csv"], "timestamp", found)
    assert not found and rows is not None
    table = rows.table.select("x", "n").to_pandas()
    assert table.x.tolist() == [67.885, 1.0] and str(table.x.dtype) == "float64"
    assert table.n.tolist() == [3, -4] and str(table.n.dtype) == "int64"


def test_a_pandas_index_column_is_not_a_feature() -> None:
    # pandas writes a non-default index as "__index_level_0__": row numbers, not a feature
    from cardpress.readers.drift.reference import feature_kinds_of

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "prediction": [0, 1, 0]})
    rows = ibis.memtable(frame.assign(__index_level_0__=[7, 8, 9]))
    problems: list[Problem] = []
    warnings: list[str] = []
    kinds = feature_kinds_of(
        rows, ibis.memtable(frame), DriftSettings(), "a.parquet", problems, warnings
    )
    assert problems == []
    assert kinds is not None and "__index_level_0__" not in [name for name, _ in kinds]
    assert any("__index_level_0__" in w and "index" in w for w in warnings)
