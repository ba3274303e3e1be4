"""The logging API: cardpress.run and cardpress.log_run write valid, reproducible run records."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cardpress
from cardpress.errors import ArgumentError, RecordExistsError, RecordsError
from cardpress.recorder.arguments import check_key, check_name, name_pattern
from cardpress.recorder.hashing import file_rows, frame_sha256

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WILSON = {"lower": 0.8, "upper": 0.95, "level": 0.95, "method": "Wilson score"}


def _frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "row_id": np.arange(n),
        "label": rng.integers(0, 2, n),
        "pred": rng.integers(0, 2, n),
        "score": rng.random(n).round(6),
        "sex": np.where(np.arange(n) % 2 == 0, "Female", "Male"),
    })  # fmt: skip


@pytest.fixture
def records(tmp_path: Path) -> Path:
    root = tmp_path / "audit"
    (root / "data").mkdir(parents=True)
    _frame().to_csv(root / "data" / "test.csv", index=False)
    return root


def _log(records: Path, **options: Any) -> Path:
    """A complete run through the context manager, with a fixed clock and no git."""
    frame = _frame()
    options = {"clock": lambda: T0, "code": False, "packages": ["pandas"], **options}
    with cardpress.run("churn", "1", records, **options) as run:
        run.params({"C": np.float64(0.5), "max_iter": 200, "solver": "lbfgs", "seed": None})
        run.param("balanced", True)
        run.dataset("test", records / "data" / "test.csv", role="test", name="Hold-out")
        run.dataset("train", frame, role="train", source="https://example.org/train.csv")
        run.metric("accuracy", np.float64(0.87), dataset="test", ci=(0.85, 0.89), threshold=0.5)
        run.metric("accuracy", 0.9, dataset="test", slice={"sex": "Female"}, ci=WILSON)
        run.predictions(frame, dataset="test", id="row_id", y_true="label", y_pred="pred",
                        y_score="score", sensitive=["sex"])  # fmt: skip
    assert run.path is not None
    return run.path


def test_the_record_validates_and_builds(records: Path, tmp_path: Path) -> None:
    path = _log(records)
    assert path == records.resolve() / "runs" / "churn-1.json"
    record = json.loads(path.read_text())
    assert record["schema"] == "cardpress/run/1"
    assert record["run_id"] == "churn-1-20260501T120000Z"
    assert record["started_at"] == record["ended_at"] == "2026-05-01T12:00:00Z"
    assert record["params"] == {"C": 0.5, "max_iter": 200, "solver": "lbfgs", "seed": None,
                                "balanced": True}  # fmt: skip
    test, train = record["datasets"]
    assert test["uri"] == "data/test.csv" and test["rows"] == 200
    assert train["uri"] == "https://example.org/train.csv" and train["rows"] == 200
    assert [c["name"] for c in train["schema"]] == ["row_id", "label", "pred", "score", "sex"]
    assert record["metrics"][1]["slice"] == {"sex": "Female"}
    assert record["metrics"][0]["timestamp"] == "2026-05-01T12:00:00Z"
    assert record["predictions"]["uri"] == "predictions/churn-1.parquet"
    predictions = records / "predictions" / "churn-1.parquet"
    assert record["predictions"]["sha256"] == hashlib.sha256(predictions.read_bytes()).hexdigest()
    assert set(record["environment"]) == {"python", "platform", "packages"}
    assert list(record["environment"]["packages"]) == ["pandas"]
    assert "code" not in record
    cardpress.validate(records)
    result = cardpress.build(records, tmp_path / "site")
    assert result.versions == 1 and (tmp_path / "site" / "index.html").is_file()


def test_log_run_in_one_call_writes_the_same_record(records: Path, tmp_path: Path) -> None:
    by_block = _log(records).read_bytes()
    other = tmp_path / "other"
    (other / "data").mkdir(parents=True)
    _frame().to_csv(other / "data" / "test.csv", index=False)
    frame = _frame()
    path = cardpress.log_run(
        "churn", "1", other, clock=lambda: T0, code=False, packages=["pandas"],
        params={"C": 0.5, "max_iter": 200, "solver": "lbfgs", "seed": None, "balanced": True},
        datasets=[
            {"id": "test", "data": other / "data" / "test.csv", "role": "test", "name": "Hold-out"},
            {"id": "train", "data": frame, "role": "train", "source": "https://example.org/train.csv"},
        ],
        metrics=[
            {"key": "accuracy", "value": 0.87, "dataset": "test", "ci": (0.85, 0.89),
             "threshold": 0.5},
            {"key": "accuracy", "value": 0.9, "dataset": "test", "slice": {"sex": "Female"},
             "ci": WILSON},
        ],
        predictions={"data": frame, "dataset": "test", "id": "row_id", "y_true": "label",
                     "y_pred": "pred", "y_score": "score", "sensitive": ["sex"]},
    )  # fmt: skip
    assert path.read_bytes() == by_block  # byte-stable with an injected clock
    cardpress.validate(other)


def test_file_sha256_equals_hashlib_of_the_bytes(records: Path, tmp_path: Path) -> None:
    big = records / "data" / "big.bin"
    big.write_bytes(np.random.default_rng(1).bytes(3 * (1 << 20) + 17))  # several chunks
    with cardpress.run("m", "1", records, code=False, clock=lambda: T0) as run:
        entry = run.dataset("big", big, role="other")
        run.dataset("outside", records / "data" / "test.csv", role="test", source="s3://b/test.csv")
    assert entry["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert entry["size_bytes"] == big.stat().st_size
    assert "rows" not in entry  # unknown format: no row count
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("a\n1\n")
    with cardpress.run("m", "2", records, code=False, clock=lambda: T0) as run:
        entry = run.dataset("x", outside, role="test")
    assert entry["uri"] == outside.resolve().as_uri()


def test_row_counts_of_files(tmp_path: Path) -> None:
    frame = _frame(57)
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_csv(tmp_path / "a.tsv", index=False, sep="\t")
    frame.to_parquet(tmp_path / "a.parquet")
    frame.to_json(tmp_path / "a.jsonl", orient="records", lines=True)
    with gzip.open(tmp_path / "a.csv.gz", "wt") as handle:
        frame.to_csv(handle, index=False)
    (tmp_path / "quoted.csv").write_text('id,text\n1,"two\nlines"\n2,plain\n\n')
    assert file_rows(tmp_path / "a.csv") == 57
    assert file_rows(tmp_path / "a.tsv") == 57
    assert file_rows(tmp_path / "a.parquet") == 57
    assert file_rows(tmp_path / "a.jsonl") == 57
    assert file_rows(tmp_path / "a.csv.gz") == 57
    assert file_rows(tmp_path / "quoted.csv") == 2  # a quoted newline is one record
    assert file_rows(tmp_path / "a.unknown") is None


def test_dataframe_rows_and_hash(records: Path) -> None:
    frame = _frame()
    assert frame_sha256(frame) == frame_sha256(frame) == frame_sha256(frame.copy())
    assert frame_sha256(frame) == frame_sha256(frame.set_index("row_id", drop=False))  # no index
    changed = frame.copy()
    changed.loc[3, "score"] = 0.123
    assert frame_sha256(changed) != frame_sha256(frame)
    assert frame_sha256(frame.rename(columns={"sex": "gender"})) != frame_sha256(frame)
    assert frame_sha256(frame.iloc[::-1]) != frame_sha256(frame)
    assert frame_sha256(frame.astype({"label": "int32"})) != frame_sha256(frame)
    big = pd.concat([frame] * 600, ignore_index=True)  # more than one chunk of rows
    assert frame_sha256(big) != frame_sha256(big.iloc[:-1])
    with cardpress.run("m", "1", records, code=False) as run:
        entry = run.dataset("d", big, role="train", source="memory")
    assert entry["rows"] == len(big) and entry["sha256"] == frame_sha256(big)


def _git(repo: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_code_version_from_a_real_git_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    script = repo / "train" / "train.py"
    script.parent.mkdir()
    script.write_text("print('train')\n")
    records = repo / "audit"
    (records / "data").mkdir(parents=True)
    (records / "data" / "d.csv").write_text("a\n1\n")
    _git(repo, "remote", "add", "origin", "https://user:secret@git.example.org/team/repo.git")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    head = _git(repo, "rev-parse", "HEAD")

    def code(version: str) -> dict[str, Any]:
        with cardpress.run("m", version, records, script=script, clock=lambda: T0) as run:
            run.dataset("d", records / "data" / "d.csv", role="train")
        assert run.path is not None
        return dict(json.loads(run.path.read_text())["code"])

    assert code("1") == {"repo_url": "https://git.example.org/team/repo.git",
                         "path": "train/train.py", "commit": head, "branch": "main",
                         "dirty": False}  # fmt: skip
    _git(repo, "add", "audit")
    _git(repo, "commit", "-q", "-m", "records")
    (records / "runs" / "m-1.json").write_text("{}\n")  # the records' own outputs do not count
    (repo / "notes.txt").write_text("untracked files do not count\n")
    assert code("2")["dirty"] is False
    script.write_text("print('changed')\n")
    assert code("3")["dirty"] is True
    not_a_repo = tmp_path / "plain"
    (not_a_repo / "data").mkdir(parents=True)
    (not_a_repo / "data" / "d.csv").write_text("a\n1\n")
    with cardpress.run("m", "1", not_a_repo, script=not_a_repo / "x.py", clock=lambda: T0) as run:
        run.dataset("d", not_a_repo / "data" / "d.csv", role="train")
    assert run.path is not None and "code" not in json.loads(run.path.read_text())


def test_code_fields_can_be_set(records: Path) -> None:
    with cardpress.run("m", "1", records, code={"commit": "abc123", "dirty": None},
                       script=records / "none.py", clock=lambda: T0) as run:  # fmt: skip
        run.dataset("d", records / "data" / "test.csv", role="test")
    assert run.record["code"] == {"commit": "abc123"}


def test_an_exception_in_the_block_writes_nothing(records: Path) -> None:
    run = cardpress.run("m", "1", records, code=False)
    with pytest.raises(RuntimeError, match="training diverged"), run:
        run.dataset("d", records / "data" / "test.csv", role="test")
        run.predictions(_frame(), dataset="d", y_true="label", y_pred="pred")
        raise RuntimeError("training diverged")
    assert not (records / "runs").exists()
    assert list((records / "predictions").iterdir()) == []  # the staged file is removed
    with pytest.raises(ArgumentError, match="already written or discarded"):
        run.metric("accuracy", 0.5, dataset="d")


def test_refuses_to_overwrite_a_different_record(records: Path) -> None:
    path = _log(records)
    before = path.read_bytes()
    assert _log(records) == path and path.read_bytes() == before  # identical: fine, unchanged
    later = T0 + timedelta(days=1)
    with pytest.raises(RecordExistsError, match=r"runs/churn-1.json: .*overwrite=True"):
        _log(records, clock=lambda: later)
    assert path.read_bytes() == before
    assert sorted(p.name for p in (records / "predictions").iterdir()) == ["churn-1.parquet"]
    _log(records, clock=lambda: later, overwrite=True)
    assert json.loads(path.read_text())["started_at"] == "2026-05-02T12:00:00Z"


def test_refuses_a_record_of_the_same_version_under_another_name(records: Path) -> None:
    _log(records)
    (records / "runs" / "churn-1.json").rename(records / "runs" / "v1.json")
    with pytest.raises(RecordExistsError, match=r"runs/v1.json"):
        _log(records, clock=lambda: T0 + timedelta(hours=1))


def test_an_invalid_record_is_not_written(records: Path) -> None:
    times = iter([T0, T0 - timedelta(hours=1)])
    run = cardpress.run("m", "1", records, code=False, clock=lambda: next(times))
    with pytest.raises(RecordsError, match="ended_at: is before started_at"), run:
        run.dataset("d", records / "data" / "test.csv", role="test", derived_from="raw")
    assert not (records / "runs").exists()


def _start(records: Path, **options: Any) -> cardpress.RunRecorder:
    return cardpress.run("m", "1", records, code=False, **options)


def _with_dataset(records: Path) -> cardpress.RunRecorder:
    run = _start(records)
    run.dataset("test", records / "data" / "test.csv", role="test")
    return run


BAD: list[tuple[str, Callable[[Path], object], str]] = [
    ("nan metric", lambda r: _with_dataset(r).metric("auc", math.nan, dataset="test"),
     "metric 'auc': value: nan is not finite"),
    ("infinite metric", lambda r: _with_dataset(r).metric("auc", np.inf, dataset="test"),
     "is not finite"),
    ("bool metric", lambda r: _with_dataset(r).metric("auc", True, dataset="test"),
     "True is not a number"),
    ("unknown role", lambda r: _start(r).dataset("d", r / "data" / "test.csv", role="training"),
     "unknown role 'training' — did you mean 'train'?"),
    ("escaping model", lambda r: cardpress.run("../evil", "1", r),
     "model: '../evil' would write outside the records folder"),
    ("numeric version", lambda r: cardpress.run("m", 3, r),  # type: ignore[arg-type]
     "version: 3 is a number — write it as a string: '3'"),
    ("escaping dataset id", lambda r: _start(r).dataset("a/b", r / "x.csv", role="test"),
     "dataset id: 'a/b' would write outside the records folder"),
    ("naive time", lambda r: _start(r, started=datetime(2026, 1, 1)),
     "started: datetime.datetime(2026, 1, 1, 0, 0) has no time zone"),
    ("bad time", lambda r: _start(r, ended="yesterday"), "ended: 'yesterday' is not a time"),
    ("no data set", lambda r: _start(r).finish(), "datasets: none logged"),
    ("unknown metric data set", lambda r: _finish_with(_with_dataset(r), "metric"),
     "metric 'auc': dataset='tst' was not logged — use one of 'test'"),
    ("frame without source", lambda r: _start(r).dataset("d", _frame(), role="train"),
     "dataset 'd': a DataFrame has no location — pass source="),
    ("missing file", lambda r: _start(r).dataset("d", r / "nope.csv", role="train"),
     "is not a file"),
    ("twice the same id", lambda r: _with_dataset(r).dataset("test", r / "data" / "test.csv",
                                                             role="test"),
     "dataset id 'test' is logged twice"),
    ("missing column", lambda r: _with_dataset(r).predictions(_frame(), dataset="test"),
     "predictions: y_true='y_true' is not a column — use one of 'row_id'"),
    ("missing class score column", lambda r: _with_dataset(r).predictions(
        _frame(), dataset="test", y_true="label", y_pred="pred", y_score_by_class={0: "p0"}),
     "predictions: y_score_by_class='p0' is not a column — use one of 'row_id'"),
    ("missing weight column", lambda r: _with_dataset(r).predictions(
        _frame(), dataset="test", y_true="label", y_pred="pred", weight="w"),
     "predictions: weight='w' is not a column — use one of 'row_id'"),
    ("threshold above 1", lambda r: _with_dataset(r).predictions(
        _frame(), dataset="test", y_true="label", y_pred="pred", threshold=50),
     "predictions: threshold 50 is outside [0, 1]"),
    ("list param", lambda r: _start(r).param("layers", [1, 2]),
     "param 'layers': list [1, 2] is not a single value"),
    ("nan param", lambda r: _start(r).params(lr=float("nan")), "param 'lr': nan is not finite"),
    ("padded key", lambda r: _with_dataset(r).metric(" auc", 0.5, dataset="test"),
     "metric key: ' auc' has surrounding spaces"),
    ("inverted ci", lambda r: _with_dataset(r).metric("auc", 0.5, dataset="test", ci=(0.6, 0.4)),
     "metric 'auc': ci: lower 0.6 is above upper 0.4"),
    ("ci level", lambda r: _with_dataset(r).metric("auc", 0.5, dataset="test",
                                                  ci={"lower": 0.4, "upper": 0.6, "level": 95}),
     "ci['level']: 95 is not between 0 and 1"),
    ("slice value", lambda r: _with_dataset(r).metric("auc", 0.5, dataset="test",
                                                     slice={"sex": None}),
     "metric 'auc': slice['sex']: NoneType None is not a single value"),
    ("packages string", lambda r: _start(r, packages="numpy"), "packages: 'numpy' is a string"),
    ("unknown package", lambda r: _start(r, packages=["no-such-dist-xyz"]),
     "packages: 'no-such-dist-xyz' is not an installed distribution"),
    ("unknown code field", lambda r: cardpress.run("m", "1", r, code={"sha": "x"}),
     "code: unknown field(s) ['sha']"),
    ("log_run unknown key", lambda r: cardpress.log_run(
        "m", "1", r, code=False, datasets=[{"id": "d", "path": "x", "role": "test"}]),
     "datasets[0]: unknown key(s) ['path'] — use id, data, role"),
    ("log_run missing key", lambda r: cardpress.log_run(
        "m", "1", r, code=False, datasets=[{"id": "d", "data": r / "data" / "test.csv"}]),
     "datasets[0]: missing 'role'"),
    ("log_run datasets dict", lambda r: cardpress.log_run(
        "m", "1", r, code=False, datasets={"id": "d"}),  # type: ignore[arg-type]
     "datasets: pass a list of dicts"),
]  # fmt: skip


def _finish_with(run: cardpress.RunRecorder, what: str) -> None:
    run.metric("auc", 0.5, dataset="tst")
    run.finish()


@pytest.mark.parametrize(("call", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments_are_named_with_a_fix(
    records: Path, call: Callable[[Path], object], message: str
) -> None:
    with pytest.raises(ArgumentError) as raised:
        call(records)
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert not (records / "runs").exists()


def test_default_packages_are_the_imported_distributions(records: Path) -> None:
    with cardpress.run("m", "1", records, code=False) as run:
        run.dataset("test", records / "data" / "test.csv", role="test")
    packages = run.record["environment"]["packages"]
    assert {"numpy", "pandas", "cardpress"} <= set(packages)
    assert packages["pandas"] == pd.__version__


@given(st.text(max_size=140))
def test_names_are_accepted_exactly_when_they_cannot_escape(text: str) -> None:
    try:
        check_name("model", text)
    except ArgumentError as error:
        assert "model:" in str(error)
        assert not name_pattern().fullmatch(text)
        return
    assert name_pattern().fullmatch(text)
    runs = Path("/records/runs")
    assert (runs / f"{text}-{text}.json").resolve().parent == runs
    assert "/" not in text and "\\" not in text and not text.startswith(".")


@given(st.text(max_size=40))
def test_metric_and_param_keys(text: str) -> None:
    try:
        check_key("metric key", text)
    except ArgumentError as error:
        assert str(error).startswith("metric key: ")
        assert not text or text != text.strip() or not text.isprintable()
        return
    assert text and text == text.strip() and text.isprintable()


def test_class_score_columns_are_recorded(records: Path) -> None:
    frame = _frame().assign(p0=0.4, p1=0.6)
    with cardpress.run("churn", "1", records, clock=lambda: T0, code=False,
                       packages=["pandas"]) as run:  # fmt: skip
        run.dataset("test", records / "data" / "test.csv", role="test")
        run.predictions(frame, dataset="test", y_true="label", y_pred="pred",
                        y_score_by_class={0: "p0", 1: "p1"}, sensitive=["sex"])  # fmt: skip
    assert run.path is not None
    columns = json.loads(run.path.read_text())["predictions"]["columns"]
    assert columns["y_score_by_class"] == {"0": "p0", "1": "p1"}


def test_weights_and_threshold_are_recorded_and_used(records: Path, tmp_path: Path) -> None:
    frame = _frame().assign(w=np.linspace(0.5, 2.0, 200))
    with cardpress.run("churn", "1", records, clock=lambda: T0, code=False, packages=[]) as run:
        run.dataset("test", records / "data" / "test.csv", role="test")
        run.predictions(frame, dataset="test", y_true="label", y_pred="pred", y_score="score",
                        sensitive=["sex"], weight="w", threshold=np.float64(0.5))  # fmt: skip
    assert run.path is not None
    entry = json.loads(run.path.read_text())["predictions"]
    assert entry["columns"]["weight"] == "w" and entry["threshold"] == 0.5
    cardpress.build(records, tmp_path / "site", source_date_epoch=0)
    page = tmp_path / "site/models/churn/v/1/fairness/index.json"
    data = json.loads(page.read_text())
    assert data["weighted"] and data["deployed_threshold"]["source"] == "declared"


def test_predictions_validate_would_refuse_are_refused_before_anything_is_written(
    records: Path,
) -> None:
    # 200 predictions on a data set whose file has 2 rows: `cardpress validate` refuses the
    # record, so log_run must not write it (docs/logging.md: checked as validate checks it)
    (records / "data" / "h.csv").write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(RecordsError) as raised:
        cardpress.log_run(
            "m", "1", records, clock=lambda: T0, code=False, packages=["pandas"],
            datasets=[{"id": "h", "data": records / "data" / "h.csv", "role": "evaluation"}],
            metrics=[{"key": "accuracy", "value": 0.9, "dataset": "h"}],
            predictions={"data": _frame(), "dataset": "h", "y_true": "label", "y_pred": "pred",
                         "sensitive": ["sex"]},
        )  # fmt: skip
    assert str(raised.value).splitlines() == [
        "predictions/m-1.parquet: has 200 rows but data set 'h' is recorded with 2 rows — "
        "write a prediction for every evaluated row, or correct the data set's rows",
        "1 problem found; nothing was written.",
    ]
    assert not (records / "runs").exists()
    assert sorted(p.name for p in (records / "predictions").glob("*")) == []


def test_a_number_too_large_for_a_float_is_an_argument_error(records: Path) -> None:
    for call in (
        lambda: cardpress.log_run("m", "1", records, code=False, packages=[],
                                  datasets=[{"id": "t", "data": records / "data" / "test.csv",
                                            "role": "test"}],
                                  metrics=[{"key": "auc", "value": 10**400, "dataset": "t"}]),
        lambda: cardpress.log_run("m", "1", records, code=False, packages=[],
                                  datasets=[{"id": "t", "data": records / "data" / "test.csv",
                                            "role": "test"}],
                                  params={"big": 10**400}),
    ):  # fmt: skip
        with pytest.raises(ArgumentError, match="too large"):
            call()
    assert not (records / "runs").exists()
