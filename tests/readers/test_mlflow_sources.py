"""Every ``mlflow.data`` source type is located from what MLflow stores, never made up."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

pytest.importorskip("mlflow", reason="needs the mlflow package (pip install 'cardpress[mlflow]')")

from mlflow.data.dataset_source_registry import resolve_dataset_source
from mlflow.data.delta_dataset_source import DeltaDatasetSource
from mlflow.data.http_dataset_source import HTTPDatasetSource
from mlflow.data.huggingface_dataset_source import HuggingFaceDatasetSource
from mlflow.data.spark_dataset_source import SparkDatasetSource

from cardpress.compute.mlflow.datasets import datasets_records
from cardpress.readers.mlflow.sources import locate_source
from cardpress.readers.mlflow.store import StoreDataset


def _dataset(source_type: str, source: str, name: str = "adult") -> StoreDataset:
    return StoreDataset(name, "9ce4a607", source_type, source, None, None, None)


@pytest.mark.parametrize(
    ("source", "kind", "uri"),
    [
        (HTTPDatasetSource("https://example.org/adult.csv"), "http",
         "https://example.org/adult.csv"),
        (DeltaDatasetSource(path="/mnt/delta/adult"), "delta_table", "/mnt/delta/adult"),
        (SparkDatasetSource(table_name="census.adult"), "spark", "census.adult"),
        (SparkDatasetSource(sql="SELECT * FROM adult"), "spark", "SELECT * FROM adult"),
        (HuggingFaceDatasetSource(path="scikit-learn/adult-census-income", split="train"),
         "hugging_face", "scikit-learn/adult-census-income (split train)"),
    ],
)  # fmt: skip
def test_remote_sources_keep_their_own_location(source: object, kind: str, uri: str) -> None:
    stored = _dataset(source._get_source_type(), source.to_json())  # type: ignore[attr-defined]
    found = locate_source(stored, "run1")
    assert (found.source_type, found.uri, found.file) == (kind, uri, None)


def test_a_named_delta_table_and_its_version() -> None:
    # the JSON DeltaDatasetSource writes for a table (its constructor would ask Databricks)
    stored = _dataset("delta_table", json.dumps({"delta_table_name": "census.adult",
                                                 "delta_table_version": 3}))  # fmt: skip
    assert locate_source(stored, "run1").uri == "census.adult@v3"


def test_local_files_are_hashed_and_missing_ones_named(tmp_path: Path) -> None:
    data = tmp_path / "adult.csv"
    data.write_text("age,label\n25,0\n")
    here = resolve_dataset_source(str(data))
    found = locate_source(_dataset(here._get_source_type(), here.to_json()), "run1")
    assert found.source_type == "local"
    assert found.file is not None
    assert found.file.sha256 == hashlib.sha256(data.read_bytes()).hexdigest()

    gone = resolve_dataset_source(str(tmp_path / "gone.csv"))
    stored = _dataset(gone._get_source_type(), gone.to_json(), "gone")
    missing = locate_source(stored, "run1")
    assert missing.file is None and missing.local_path == tmp_path / "gone.csv"
    s3 = resolve_dataset_source("s3://bucket/adult.csv")
    remote = _dataset(s3._get_source_type(), s3.to_json(), "remote")
    sources = [missing, locate_source(remote, "run1")]
    records, warnings = datasets_records(
        [stored, remote], ["gone", "remote"], sources, [s.uri for s in sources], set(), "m v1"
    )
    assert [("sha256" in r, r["source_type"], r["uri"]) for r in records] == [
        (False, "local", str(tmp_path / "gone.csv")),
        (False, "s3", "s3://bucket/adult.csv"),
    ]
    assert warnings[0].startswith(
        f"m v1: dataset 'gone' (source local {tmp_path / 'gone.csv'}): no such file "
        f"{str(tmp_path / 'gone.csv')!r} on this machine, so its content hash is not reachable "
        "here and is left out (MLflow's digest 9ce4a607 is kept; it is not a content hash)"
    )
    assert "(source s3 s3://bucket/adult.csv): not a file on this machine" in warnings[1]


def test_a_source_that_is_not_json_is_quoted_as_stored() -> None:
    found = locate_source(_dataset("custom", "warehouse table census.adult"), "run1")
    assert (found.source_type, found.uri, found.file) == (
        "custom", "warehouse table census.adult", None
    )  # fmt: skip
    code = locate_source(_dataset("code", '{"tags": {}}'), "abc")
    assert code.uri == "runs:/abc#dataset=adult&digest=9ce4a607"  # the run that made the data


def test_data_made_in_code_is_named_by_its_run_name_and_digest_never_by_the_script() -> None:
    # from_pandas(df) without a source: MLflow records the script that ran, not the data; two
    # models trained by one script must not share one data set.
    script = json.dumps({"tags": {"mlflow.source.name": "train.py", "mlflow.user": "me"}})
    churn = StoreDataset("churn train", "c26994de", "code", script, None, '{"num_rows": 100}',
                         "training")  # fmt: skip
    fraud = StoreDataset("fraud-train", "130d97a5", "code", script, None, '{"num_rows": 7}',
                         "training")  # fmt: skip
    found = [locate_source(churn, "r1"), locate_source(fraud, "r2"), locate_source(churn, "r3")]
    assert [f.uri for f in found] == [
        "runs:/r1#dataset=churn%20train&digest=c26994de",
        "runs:/r2#dataset=fraud-train&digest=130d97a5",
        "runs:/r3#dataset=churn%20train&digest=c26994de",
    ]
    assert all(f.file is None and f.local_path is None and f.code == "train.py" for f in found)
    _, warnings = datasets_records([churn], ["churn-train"], found[:1], [found[0].uri], set(), "m")
    assert warnings[0].startswith(
        "m: dataset 'churn train' (source code train.py): made in the training code, not read "
        "from a file, so its content hash is not reachable here"
    )


@pytest.mark.parametrize("stored", ["data/train.csv", "file:data/train.csv", "./data/train.csv"])
def test_a_relative_local_source_is_kept_as_stored_and_never_hashed(
    stored: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MLflow keeps the path as the training script gave it, relative to a folder it does not
    # record: an unrelated file of that name where cardpress runs is not the run's data.
    (tmp_path / "data").mkdir()
    (tmp_path / "data/train.csv").write_text("a,b\nunrelated,file\n")
    monkeypatch.chdir(tmp_path)
    dataset = _dataset("local", json.dumps({"uri": stored}), "train")
    found = locate_source(dataset, "run1")
    assert (found.source_type, found.uri, found.file, found.local_path) == (
        "local", stored, None, None
    )  # fmt: skip
    records, warnings = datasets_records([dataset], ["train"], [found], [found.uri], set(), "m v1")
    assert records[0]["uri"] == stored and "sha256" not in records[0]
    assert warnings == [
        f"m v1: dataset 'train' (source local {stored}): relative source {stored!r}, and MLflow "
        "does not record the folder it is relative to, so the file cannot be placed and its "
        "content hash is left out (MLflow's digest 9ce4a607 is kept; it is not a content "
        "hash); log an absolute path: mlflow.data.from_pandas(df, source=os.path.abspath(PATH))"
    ]
