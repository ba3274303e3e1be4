"""Monitoring records a user can really write that used to give wrong pages or a wrong fix.

Each case was found by probing: two columns named alike but for case swapped their values, a
prediction id labelled twice counted its row twice, a text column listed as numeric ended in
raw SQL, a reversed or empty reference range blamed every window. Each is now a problem that
names the file and field, or a warning with the numbers right.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import Result

from tests.functional.cli_outcomes import builds, fails

DAYS = 4
ROWS_A_DAY = 50
Cli = Callable[..., Result]


def _rows(seed: int = 0) -> pd.DataFrame:
    """DAYS days of monitoring rows of model churn version 1, with ids and no labels."""
    rng = np.random.default_rng(seed)
    n = DAYS * ROWS_A_DAY
    seconds = np.repeat(np.arange(DAYS) * 86400, ROWS_A_DAY) + rng.integers(0, 86400, n)
    return pd.DataFrame({
        "timestamp": pd.Timestamp("2026-03-01", tz="UTC") + pd.to_timedelta(seconds, unit="s"),
        "prediction_id": [f"p{i}" for i in range(n)], "model_version": "1",
        "prediction": rng.integers(0, 2, n), "score": rng.uniform(0, 1, n).round(3),
        "x": rng.normal(0, 1, n), "c": rng.choice(["a", "b"], n),
    })  # fmt: skip


def _reference(records: Path, days: str) -> None:
    """Set the reference range ``_monitor`` wrote (the first day) to ``days``."""
    config = records / "cardpress.toml"
    config.write_text(config.read_text().replace("2026-03-01/2026-03-01", days))


def _monitor(records: Path, frame: pd.DataFrame, drift: str = "") -> Path:
    folder = records / "monitoring" / "churn"
    folder.mkdir(parents=True)
    frame.to_parquet(folder / "rows.parquet", index=False)
    with (records / "cardpress.toml").open("a") as config:
        config.write(f'\n[drift]\nreference = "2026-03-01/2026-03-01"\n{drift}')
    return folder


def test_columns_alike_but_for_case_are_refused(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    frame = _rows()
    frame["Amount"], frame["amount"] = frame["x"], frame["x"] + 3
    _monitor(records, frame)
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/rows.parquet: amount: columns 'Amount' and 'amount' differ only in "
        "case: the engines that read monitoring rows (DuckDB, Spark) take them for one column "
        "— rename one of the two columns"
    ]


def test_a_csv_header_with_names_alike_but_for_case(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    folder = _monitor(records, _rows())
    frame = _rows(seed=1).assign(X=1.0)
    frame["timestamp"] = frame["timestamp"].map(lambda t: t.isoformat())
    frame.to_csv(folder / "more.csv", index=False)
    problems = fails(run_cli, records, tmp_path / "out")
    assert problems == [
        "monitoring/churn/more.csv:1: header row: columns 'x' and 'X' differ only in case: the "
        "engines that read monitoring rows (DuckDB, Spark) take them for one column — give "
        "every column of the header row its own name"
    ]


def test_a_prediction_labelled_twice_counts_once_with_its_latest_label(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    frame = _rows()
    folder = _monitor(records, frame)
    first_day = frame[frame["timestamp"] < "2026-03-02"]
    labels = pd.DataFrame({
        "prediction_id": first_day["prediction_id"], "label": 1,
        "label_timestamp": first_day["timestamp"] + pd.Timedelta("2D"),
    })  # fmt: skip
    # 20 corrections, sent later (they win), and 10 stale labels sent before the first ones
    corrected = labels.iloc[:20].assign(label=0, label_timestamp=lambda f: f["label_timestamp"]
                                        + pd.Timedelta("1h"))  # fmt: skip
    stale = labels.iloc[20:30].assign(label=0, label_timestamp=lambda f: f["label_timestamp"]
                                      - pd.Timedelta("1D"))  # fmt: skip
    (folder / "labels").mkdir()
    labels.to_parquet(folder / "labels" / "a.parquet", index=False)
    once = builds(run_cli, records, tmp_path / "once")  # one label each: nothing to warn of
    assert "repeat a prediction id" not in once
    pd.concat([labels, corrected]).to_parquet(folder / "labels" / "a.parquet", index=False)
    stale.to_parquet(folder / "labels" / "b.parquet", index=False)
    output = builds(run_cli, records, tmp_path / "out")
    assert "30 late labels repeat a prediction id that already has one" in output
    page = json.loads((tmp_path / "out/models/churn/drift/index.json").read_text())
    day = page["performance"][0]
    assert day["window"] == "2026-03-01"
    assert day["rows"] == day["labelled"] == len(first_day)
    latest = np.r_[np.zeros(20), np.ones(len(first_day) - 20)]  # the corrections win
    assert abs(day["positive_label_share"] - latest.mean()) < 1e-12
    expected = (first_day["prediction"].to_numpy() == latest).mean()
    assert abs(day["accuracy"] - expected) < 1e-12
    assert day["mean_delay_hours"] == (20 * 49 + (len(first_day) - 20) * 48) / len(first_day)
    assert any("repeat a prediction id" in w for w in page["warnings"])


def test_a_text_column_listed_as_numeric(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _monitor(records, _rows(), 'numeric = ["c"]\n')
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/rows.parquet: c: listed in [drift] numeric, but its values are "
        "string, not numbers — remove it from [drift] numeric (and list it in [drift] exclude if "
        "it has too many values to compare), or write it as numbers"
    ]


def test_too_many_categories_of_text_is_not_told_to_be_numeric(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    frame = _rows()
    frame = pd.concat([frame] * 6, ignore_index=True).assign(
        c=[f"id{i}" for i in range(len(frame) * 6)],
        prediction_id=lambda f: [f"p{i}" for i in range(len(f))])  # fmt: skip
    _monitor(records, frame)
    _reference(records, "2026-03-01/2026-03-04")
    problem = fails(run_cli, records, tmp_path / "out")
    assert problem == [
        "monitoring/churn/rows.parquet: c: 1200 categories in the reference (at most 1000) — "
        "list it in [drift] exclude, or bucket it before monitoring"
    ]


def test_a_reversed_reference_range(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _monitor(records, _rows())
    _reference(records, "2026-03-02/2026-03-01")
    assert fails(run_cli, records, tmp_path / "out") == [
        "cardpress.toml: drift.reference: the range '2026-03-02/2026-03-01' ends before it "
        'starts — write the first day first: reference = "2026-03-01/2026-03-02"'
    ]


def test_a_reference_range_without_rows(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _monitor(records, _rows())
    _reference(records, "2025-03-01/2025-03-07")
    assert fails(run_cli, records, tmp_path / "out") == [
        "cardpress.toml: drift.reference: no monitoring rows from 2025-03-01 to 2025-03-07: the "
        "rows run from 2026-03-01 to 2026-03-04 — name days the monitoring rows cover (UTC), or "
        "a data set role of the run record"
    ]


def test_a_feature_of_few_values_has_a_bin_per_value(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A 0/1 flag was one bin [0, 1] (merged quantile edges), never judged; {0, 1, 2} two bins.

    With a bin per value the binned KS D is the exact two-sample one: scipy's, on the rows.
    """
    from scipy.stats import ks_2samp

    records = project()
    frame = _rows()
    rng = np.random.default_rng(5)
    later = (frame["timestamp"] >= "2026-03-03").to_numpy()
    frame["flag"] = np.where(later, rng.random(len(frame)) < 0.9, rng.random(len(frame)) < 0.3)
    frame["flag"] = frame["flag"].astype("int64")
    frame["level"] = np.where(later, rng.choice([0, 1, 2], len(frame), p=[0.1, 0.1, 0.8]),
                              rng.choice([0, 1, 2], len(frame), p=[0.5, 0.3, 0.2]))  # fmt: skip
    _monitor(records, frame)
    builds(run_cli, records, tmp_path / "out")
    days = frame["timestamp"].dt.strftime("%Y-%m-%d")
    for feature in ("flag", "level"):
        page = tmp_path / "out/models/churn/drift" / feature / "index.json"
        windows = json.loads(page.read_text())["windows"]
        reference = frame.loc[days == "2026-03-01", feature]
        assert [w["status"] for w in windows] == ["no drift"] * 2 + ["drifted"] * 2, feature
        for window in windows:
            rows = frame.loc[days == window["window"], feature]
            assert abs(window["ks_d"] - ks_2samp(reference, rows).statistic) < 1e-9


def test_a_feature_that_loses_every_value_is_said_so(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It showed "no drift" (from its last judged window) first in "most alarming first"."""
    records = project()
    frame = _rows()
    frame["gone"] = np.where(frame["timestamp"] >= "2026-03-03", np.nan, frame["x"] * 2)
    _monitor(records, frame)
    builds(run_cli, records, tmp_path / "out")
    page = json.loads((tmp_path / "out/models/churn/drift/index.json").read_text())
    first = page["features"][0]
    assert first["name"] == "gone"
    assert first["now"] == "every value is missing in this window"
    assert first["latest"]["status"] == "no drift"  # 2026-03-02, the last window it was judged
    assert page["headline"]["verdict"].endswith("; every value missing: gone")
    assert [f["now"] for f in page["features"][1:]] == [None] * (len(page["features"]) - 1)
    html = (tmp_path / "out/models/churn/drift/index.html").read_text()
    assert "<strong>not judged in the latest window</strong>: every value is missing" in html


def test_files_that_are_not_read_are_named(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A .csv.gz beside the Parquet files was left out without a word (a quarter of the rows)."""
    import gzip

    records = project()
    folder = _monitor(records, _rows())
    more = _rows(seed=2).assign(timestamp=lambda f: f["timestamp"].map(lambda t: t.isoformat()))
    (folder / "more.csv.gz").write_bytes(gzip.compress(more.to_csv(index=False).encode()))
    (folder / ".DS_Store").write_bytes(b"\0")  # hidden: not the user's rows
    output = builds(run_cli, records, tmp_path / "out")
    assert (
        "churn drift: 1 file in monitoring/churn not read: monitoring/churn/more.csv.gz — "
        "monitoring rows are read from .parquet, .csv, .jsonl and .json files (decompress a "
        ".csv.gz, or write Parquet)"
    ) in output
    page = json.loads((tmp_path / "out/models/churn/drift/index.json").read_text())
    assert any("more.csv.gz" in w for w in page["warnings"])


def test_naive_and_zoned_parquet_files_name_each_other(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The refusal named the naive file as the one with a time zone too."""
    records = project()
    folder = _monitor(records, _rows())
    naive = _rows(seed=3).assign(timestamp=lambda f: f["timestamp"].dt.tz_localize(None))
    naive.to_parquet(folder / "a-naive.parquet", index=False)
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/a-naive.parquet: timestamps without a time zone here, with one in "
        "other files (monitoring/churn/rows.parquet) — write every timestamp with its offset "
        "(e.g. 2026-03-01T10:00:00Z)"
    ]


def test_values_near_the_float_limit_leave_wasserstein_undefined_quietly(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Squares of 1e300 overflow: numpy printed RuntimeWarnings amid the build's output."""
    import warnings

    records = project()
    frame = _rows()
    frame["huge"] = frame["x"] * 1e300
    _monitor(records, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        builds(run_cli, records, tmp_path / "out")
    page = json.loads((tmp_path / "out/models/churn/drift/huge/index.json").read_text())
    assert [w["wasserstein"] for w in page["windows"]] == [None] * DAYS
    assert all(w["ks_d"] is not None for w in page["windows"])


def test_a_column_list_naming_no_column_is_a_warning(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = project()
    _monitor(records, _rows(), 'exclude = ["colour", "x"]\ncategorical = ["ID"]\n')
    output = builds(run_cli, records, tmp_path / "out")
    assert "[drift] categorical names 'ID', which no monitoring file has" in output
    assert "[drift] exclude names 'colour', which no monitoring file has" in output


def test_labels_that_never_are_the_positive_label_are_a_warning(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Labels "yes"/"no" beside 0/1 predictions: every label negative, accuracy ≈ ½, no word."""
    records = project()
    frame = _rows()
    frame["label"] = np.where(frame["prediction"] == 1, "yes", "no")
    _monitor(records, frame)
    output = builds(run_cli, records, tmp_path / "out")
    assert (
        f"none of the {len(frame)} labels is the positive label '1' (the run record's "
        "predictions.positive_label): write labels with the predictions' values (e.g. 0/1), or "
        "name the positive one"
    ) in output
    right = _rows().assign(label=lambda f: f["prediction"])  # 0/1 labels: no such warning
    (records / "monitoring" / "churn" / "rows.parquet").unlink()
    right.to_parquet(records / "monitoring" / "churn" / "rows.parquet", index=False)
    assert "positive label" not in builds(run_cli, records, tmp_path / "again")


def test_a_label_time_that_is_no_timestamp(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """ "yesterday" was left out of the delay figures without a word."""
    records = project()
    folder = _monitor(records, _rows())
    (folder / "labels").mkdir()
    pd.DataFrame({"prediction_id": ["p0", "p1"], "label": [1, 0],
                  "label_timestamp": ["2026-03-02T00:00:00Z", "yesterday"]}).to_csv(
        folder / "labels" / "late.csv", index=False)  # fmt: skip
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/labels/late.csv: label_timestamp: 'yesterday' is not a timestamp — "
        "write ISO 8601 times with an offset (2026-03-01T10:00:00Z), or leave it empty"
    ]


def test_a_label_time_in_the_rows_that_is_no_timestamp(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    frame = _rows().assign(label=lambda f: f["prediction"], label_timestamp="2026-03-05T00:00:00Z")
    frame.loc[7, "label_timestamp"] = "soon"
    _monitor(records, frame)
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/rows.parquet: label_timestamp: 'soon' is not a timestamp — write ISO "
        "8601 times with an offset (2026-03-01T10:00:00Z), or leave it empty"
    ]


def _text_times(frame: pd.DataFrame, zoned: bool) -> pd.DataFrame:
    """The rows with their timestamps written as ISO text, with "Z" or without a zone."""
    text = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if zoned else "")
    return frame.assign(timestamp=text)


def test_naive_text_timestamps_beside_zoned_ones_are_refused(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A CSV of naive times beside Parquet in UTC: read as UTC, most likely hours off."""
    records = project()
    folder = _monitor(records, _rows())
    _text_times(_rows(seed=3), zoned=False).to_csv(folder / "local.csv", index=False)
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/local.csv: timestamp: timestamps without a time zone here, with one in "
        "other files (monitoring/churn/rows.parquet) — write every timestamp with its offset "
        "(e.g. 2026-03-01T10:00:00Z)"
    ]


def test_naive_and_zoned_rows_in_one_file_are_refused(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    records = project()
    folder = _monitor(records, _rows())
    (folder / "rows.parquet").unlink()
    frame = _text_times(_rows(), zoned=True)
    frame.loc[7, "timestamp"] = frame.loc[7, "timestamp"].removesuffix("Z")
    frame.to_csv(folder / "rows.csv", index=False)
    assert fails(run_cli, records, tmp_path / "out") == [
        "monitoring/churn/rows.csv: timestamp: timestamps without a time zone here, with one on "
        "its other rows — write every timestamp with its offset (e.g. 2026-03-01T10:00:00Z)"
    ]


def test_a_naive_file_added_later_is_compared_with_the_kept_ones(
    project, run_cli: Cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The second build scans only the new file: the zones of the others come from the cache."""
    records = project()
    folder = _monitor(records, _rows())
    (folder / "rows.parquet").unlink()
    frame = _rows()
    frame.assign(timestamp=frame["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S+00:00")).to_csv(
        folder / "a.csv", index=False
    )
    builds(run_cli, records, tmp_path / "out")
    later = _rows(seed=5).assign(timestamp=lambda f: f["timestamp"] + pd.Timedelta(days=DAYS))
    _text_times(later, zoned=False).to_csv(folder / "b.csv", index=False)
    result = run_cli("build", str(records), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert (
        "monitoring/churn/b.csv: timestamp: timestamps without a time zone here, with one in "
        "other files (monitoring/churn/a.csv)"
    ) in result.output


def test_text_timestamps_of_one_kind_are_read(project, run_cli: Cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Naive everywhere (read as UTC), or zoned in any written form: no refusal."""
    records = project()
    folder = _monitor(records, _rows())
    (folder / "rows.parquet").unlink()
    _text_times(_rows(), zoned=False).to_csv(folder / "rows.csv", index=False)
    builds(run_cli, records, tmp_path / "naive")
    frame = _rows()
    forms = ["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S+0000", "%Y-%m-%dT%H:%M:%S.000+00:00",
             "%Y-%m-%d %H:%M:%S UTC"]  # fmt: skip
    text = [t.strftime(forms[i % 4]) for i, t in enumerate(frame["timestamp"])]
    frame.assign(timestamp=text).to_csv(folder / "rows.csv", index=False)
    builds(run_cli, records, tmp_path / "zoned")
