"""`cardpress import mlflow` against real MLflow stores (SQLite and mlruns) made in tmp_path."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

pytest.importorskip("mlflow", reason="needs the mlflow package (pip install 'cardpress[mlflow]')")

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient

from cardpress import api
from tests.functional.mlflow_server import free_port, mlflow_server

MODEL = "income"


def _predictions(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = 80
    score = rng.random(rows)
    return pd.DataFrame(
        {
            "row_id": np.arange(rows),
            "label": (rng.random(rows) < 0.4).astype(int),
            "pred": (score > 0.5).astype(int),
            "score": score,
            "sex": np.where(np.arange(rows) % 2 == 0, "Female", "Male"),
        }
    )


def _log_run(data: Path, version: int, *, register: bool = True) -> str:
    train = mlflow.data.from_pandas(
        pd.read_csv(data / "train.csv"), source=str(data / "train.csv"), name="adult train"
    )
    test = mlflow.data.from_pandas(
        pd.read_csv(data / "test.csv"), source=str(data / "test.csv"), name="adult test"
    )
    with mlflow.start_run() as run:
        mlflow.log_params({"max_depth": 3 + version, "learning_rate": 0.1 * version})
        mlflow.log_metric("accuracy", 0.5, step=0)
        mlflow.log_metric("accuracy", 0.8 + version / 100, step=1)
        mlflow.log_metric("loss", 0.25 / version)
        if version == 2:
            mlflow.log_metric("unstable", float("nan"))
        mlflow.log_input(train, context="training")
        mlflow.log_input(test, context="evaluation")
        mlflow.set_tags(
            {
                "mlflow.source.git.commit": f"{version}" * 40,
                "mlflow.note.content": f"Version {version} of the income model.",
                "cardpress.predictions": "eval/predictions.parquet",
            }
        )
        if version == 1:
            columns: dict[str, Any] = {"y_true": "label", "y_pred": "pred", "y_score": "score"}
            columns["sensitive"] = ["sex"]
            mlflow.set_tag("cardpress.predictions.columns", json.dumps(columns))
        table = data / f"predictions-{version}.parquet"
        _predictions(version).to_parquet(table)
        mlflow.log_artifact(str(table), "eval")
        shutil.copy(table, data / "predictions.parquet")
        mlflow.log_artifact(str(data / "predictions.parquet"), "eval")
        mlflow.log_text("python: 3.11.7\ndependencies:\n  - -r requirements.txt\n",
                        "model/python_env.yaml")  # fmt: skip
        mlflow.log_text("mlflow==2.20.0\nscikit-learn==1.5.2\npandas>=2\n",
                        "model/requirements.txt")  # fmt: skip
    return str(run.info.run_id)


def _make_store(base: Path, uri: str) -> dict[str, Any]:
    data = base / "data"
    data.mkdir()
    pd.DataFrame({"age": [25, 38, 52], "label": [0, 1, 1]}).to_csv(data / "train.csv", index=False)
    test = _predictions(0)[["row_id", "label"]]  # as many rows as the predictions
    test.to_csv(data / "test.csv", index=False)
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        experiment = mlflow.create_experiment("adult", artifact_location=(base / "art").as_uri())
        mlflow.set_experiment(experiment_id=experiment)
        client = MlflowClient(uri, uri)
        client.create_registered_model(MODEL)
        runs = []
        for version in (1, 2):
            run_id = _log_run(data, version)
            client.create_model_version(MODEL, f"runs:/{run_id}/model", run_id=run_id)
            runs.append(run_id)
        unregistered = _log_run(data, 3)
        with mlflow.start_run() as remote:  # a dataset whose source is not a local file
            remote_data = mlflow.data.from_pandas(
                pd.read_csv(data / "test.csv"), source="s3://bucket/holdout.csv", name="holdout"
            )
            mlflow.log_input(remote_data, context="evaluation")
        client.create_registered_model("remote")
        client.create_model_version("remote", f"runs:/{remote.info.run_id}/m", remote.info.run_id)
        client.create_registered_model("bad name")
        client.create_model_version("bad name", f"runs:/{runs[0]}/model", run_id=runs[0])
        mlflow.end_run()
    finally:
        mlflow.set_tracking_uri(previous)
    return {"uri": uri, "runs": runs, "unregistered": unregistered, "data": data}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    saved = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    # MLflow's default store is ./mlflow.db: point the default into tmp so no test writes there.
    default = tmp_path_factory.mktemp("default") / "mlflow.db"
    saved_uri = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{default}"
    sqlite_base = tmp_path_factory.mktemp("sqlite")
    file_base = tmp_path_factory.mktemp("file")
    made = {
        "sqlite": _make_store(sqlite_base, f"sqlite:///{sqlite_base / 'mlflow.db'}"),
        "file": _make_store(file_base, (file_base / "mlruns").as_uri()),
    }
    yield made
    if saved is None:
        os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)
    if saved_uri is None:
        os.environ.pop("MLFLOW_TRACKING_URI", None)
    else:
        os.environ["MLFLOW_TRACKING_URI"] = saved_uri


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_import_writes_valid_records_that_build(
    stores: dict[str, dict[str, Any]], kind: str, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    store = stores[kind]
    records = tmp_path / "audit"
    result = run_cli("import", "mlflow", "--tracking-uri", store["uri"], "--model", MODEL,
                     "-o", str(records))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 2 model version(s)" in result.output
    assert "metric 'unstable' is nan; left out" in result.output
    assert sorted(p.relative_to(records).as_posix() for p in records.rglob("*") if p.is_file()) == [
        "predictions/income-1.parquet",
        "predictions/income-2.parquet",
        "runs/income-1.json",
        "runs/income-2.json",
    ]
    loaded = api.validate(records)
    assert sorted((r.model, r.version) for r in loaded.runs) == [(MODEL, "1"), (MODEL, "2")]

    first = json.loads((records / "runs" / "income-1.json").read_text())
    data = store["data"]
    assert first["run_id"] == store["runs"][0]
    assert first["model"] == {"name": MODEL, "version": "1"}
    assert first["status"] == "FINISHED"
    assert first["description"] == "Version 1 of the income model."
    assert first["code"]["commit"] == "1" * 40
    assert first["code"]["path"]
    assert first["user"]
    assert first["params"] == {"learning_rate": "0.1", "max_depth": "4"}
    # accuracy was logged at steps 0 and 1: a training curve, not a result
    assert [(m["key"], m["value"], m["dataset"], m["step"]) for m in first["metrics"]] == [
        ("loss", 0.25, "adult-test", 0),
    ]
    assert first["curves"] == [{"key": "accuracy", "steps": [0, 1], "values": [0.5, 0.81]}]
    assert first["artifacts"] == [{"uri": f"runs:/{store['runs'][0]}/model", "kind": "model"}]
    test, train = first["datasets"]  # sorted by name
    assert train == {
        "id": "adult-train",
        "name": "adult train",
        "role": "train",
        "uri": (data / "train.csv").resolve().as_uri(),
        "source_type": "local",
        "sha256": _sha256(data / "train.csv"),
        "size_bytes": (data / "train.csv").stat().st_size,
        "other_digests": {"mlflow": train["other_digests"]["mlflow"]},
        "rows": 3,
        "schema": [{"name": "age", "type": "long"}, {"name": "label", "type": "long"}],
    }
    assert len(train["other_digests"]["mlflow"]) == 8
    assert (test["id"], test["role"], test["sha256"]) == (
        "adult-test", "evaluation", _sha256(data / "test.csv")
    )  # fmt: skip
    assert first["predictions"] == {
        "uri": "predictions/income-1.parquet",
        "sha256": _sha256(data / "predictions-1.parquet"),
        "dataset": "adult-test",
        "columns": {"y_true": "label", "y_pred": "pred", "y_score": "score", "sensitive": ["sex"]},
    }
    assert _sha256(records / "predictions" / "income-1.parquet") == _sha256(
        data / "predictions-1.parquet"
    )
    assert first["environment"] == {
        "python": "3.11.7",
        "packages": {"mlflow": "2.20.0", "scikit-learn": "1.5.2"},
    }
    assert first["origin"] == {"format": f"mlflow-{kind}", "path": store["uri"]}

    second = json.loads((records / "runs" / "income-2.json").read_text())
    assert [m["key"] for m in second["metrics"]] == ["loss"]
    assert second["predictions"]["columns"] == {
        "y_true": "label", "y_pred": "pred", "y_score": "score", "id": "row_id"
    }  # fmt: skip

    site = api.build(records, tmp_path / "site")
    assert site.models == 1 and site.versions == 2
    card = (tmp_path / "site" / "models" / MODEL / "v" / "1" / "index.html").read_text()
    assert "adult-test" in card
    assert "Training curves" in card and ">0.8100<" in card


def test_import_again_gives_identical_files(
    stores: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    uri = stores["sqlite"]["uri"]
    first = api.import_mlflow(uri, tmp_path / "a", model=MODEL)
    api.import_mlflow(uri, tmp_path / "b", model=MODEL)
    for name in first.files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_plain_mlruns_path_is_a_file_store(
    stores: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    folder = stores["file"]["uri"].removeprefix("file://")
    result = api.import_mlflow(folder, tmp_path / "audit", model=MODEL)
    assert result.versions == 2


def test_every_problem_of_every_version_is_listed_and_nothing_written(
    stores: dict[str, dict[str, Any]], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    store = stores["sqlite"]
    records = tmp_path / "audit"
    result = run_cli("import", "mlflow", "--tracking-uri", store["uri"], "-o", str(records))
    assert result.exit_code == 1
    assert f"skipped 1 run(s) not registered as a model version: {store['unregistered']}" in (
        result.output
    )
    assert (
        "bad name version 1 (run " in result.output
        and "model name 'bad name' cannot be a URL segment" in result.output
    )
    assert (
        "dataset 'holdout' (source s3 s3://bucket/holdout.csv): not a file on this machine, so "
        "its content hash is not reachable here and is left out (MLflow's digest" in result.output
    )
    assert "mlflow-dataset:" not in result.output
    assert "1 problem found; nothing was written." in result.output
    assert "Traceback" not in result.output
    assert not records.exists()


def test_existing_records_folder_keeps_its_files_on_failure(
    stores: dict[str, dict[str, Any]], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    records = tmp_path / "audit"
    (records / "runs").mkdir(parents=True)
    (records / "cardpress.toml").write_text('[site]\ntitle = "x"\n')
    uri = stores["sqlite"]["uri"]
    result = run_cli("import", "mlflow", "--tracking-uri", uri, "--model", "bad name",
                     "-o", str(records))  # fmt: skip
    assert result.exit_code == 1
    assert sorted(p.name for p in records.rglob("*")) == ["cardpress.toml", "runs"]


def test_unknown_model_lists_the_registered_ones(
    stores: dict[str, dict[str, Any]], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    uri = stores["file"]["uri"]
    result = run_cli("import", "mlflow", "--tracking-uri", uri, "--model", "churn",
                     "-o", str(tmp_path / "audit"))  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        f"Error: --model churn: no such registered model in {uri} — registered models: "
        "bad name, income, remote\n"
    )
    assert not (tmp_path / "audit").exists()


def _fails(run_cli: Callable[..., Result], uri: str, out: Path, code: int = 1) -> str:
    result = run_cli("import", "mlflow", "--tracking-uri", uri, "-o", str(out))
    assert result.exit_code == code, result.output
    assert not out.exists()
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_corrupt_sqlite_file(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    db = tmp_path / "mlflow.db"
    db.write_bytes(b"this is not a database" * 100)
    line = _fails(run_cli, f"sqlite:///{db}", tmp_path / "out")
    assert line.startswith(f"Error: sqlite:///{db}: '{db}' is not a readable SQLite database (")
    assert db.read_bytes() == b"this is not a database" * 100


def test_sqlite_that_is_not_mlflow_and_missing_file(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE t (x)")
    assert "is not an MLflow tracking database" in _fails(
        run_cli, f"sqlite:///{db}", tmp_path / "o"
    )
    missing = tmp_path / "missing.db"
    line = _fails(run_cli, f"sqlite:///{missing}", tmp_path / "o")
    assert line == (
        f"Error: sqlite:///{missing}: no such SQLite file '{missing}' — give the path of an "
        "existing mlflow.db"
    )
    assert not missing.exists()


def test_relative_sqlite_uri_is_relative_to_the_current_folder(
    stores: dict[str, dict[str, Any]],
    run_cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sqlite:///mlflow.db (three slashes) is SQLAlchemy's and MLflow's relative path, the command
    # the docs give; sqlite:////abs/mlflow.db (four) is absolute.
    shutil.copy(stores["sqlite"]["uri"].removeprefix("sqlite:///"), tmp_path / "mlflow.db")
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "mlflow", "--tracking-uri", "sqlite:///mlflow.db",
                     "--model", MODEL, "-o", "audit")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"audit/runs/{MODEL}-2.json").is_file()
    built = run_cli("build", "site-records", "-o", "site", "--mlflow", "sqlite:///mlflow.db",
                    "--mlflow-model", MODEL)  # fmt: skip
    assert built.exit_code == 0, built.output
    assert (tmp_path / f"site/models/{MODEL}/v/2/index.json").is_file()
    line = _fails(run_cli, "sqlite:///missing.db", tmp_path / "o")
    assert line == (
        "Error: sqlite:///missing.db: no such SQLite file 'missing.db' — give the path of an "
        "existing mlflow.db"
    )


def test_sqlite_schema_too_old(
    stores: dict[str, dict[str, Any]], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    source = Path(stores["sqlite"]["uri"].removeprefix("sqlite:///"))
    db = tmp_path / "old.db"
    shutil.copy(source, db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '451aebb31d03'")
    line = _fails(run_cli, f"sqlite:///{db}", tmp_path / "out")
    assert line == (
        f"Error: sqlite:///{db}: the MLflow database schema is too old — upgrade it with "
        "`mlflow db upgrade URI` (back it up first)"
    )


def test_folder_that_is_not_a_file_store(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    line = _fails(run_cli, empty.as_uri(), tmp_path / "out")
    assert "is not an MLflow file store (no <experiment>/meta.yaml)" in line
    assert list(empty.iterdir()) == []


def test_unsupported_scheme_is_a_usage_error(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    line = _fails(run_cli, "s3://bucket/mlruns", tmp_path / "out", code=2)
    assert line.startswith("Error: --tracking-uri s3://bucket/mlruns: unsupported store 's3'")


def test_tracking_server_that_refuses(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    line = _fails(run_cli, url, tmp_path / "out")
    assert line == (
        f"Error: {url}: the tracking server does not answer (no connection; timeout 30 s, "
        "MLFLOW_HTTP_REQUEST_TIMEOUT) — check the URL and that the server runs"
    )


def test_tracking_server_that_never_answers(
    run_cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "1")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True)
    thread.start()
    try:
        url = f"http://user:secret@127.0.0.1:{server.getsockname()[1]}"
        line = _fails(run_cli, url, tmp_path / "out")
        assert line == (
            f"Error: http://127.0.0.1:{server.getsockname()[1]}: the tracking server does not "
            "answer (timed out; timeout 1 s, MLFLOW_HTTP_REQUEST_TIMEOUT) — check the URL and "
            "that the server runs"
        )
        assert "secret" not in line
    finally:
        for connection in accepted:
            connection.close()
        server.close()


def test_without_mlflow_installed(
    run_cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # what `import mlflow` sees when absent
    db = tmp_path / "mlflow.db"
    with sqlite3.connect(db) as connection:
        for table in ("runs", "alembic_version", "registered_models"):
            connection.execute(f"CREATE TABLE {table} (x)")
    line = _fails(run_cli, f"sqlite:///{db}", tmp_path / "out", code=2)
    assert line == (
        "Error: cardpress import mlflow needs the mlflow package: pip install 'cardpress[mlflow]'"
    )


def test_help_names_the_store_kinds(run_cli: Callable[..., Result]) -> None:
    result = run_cli("import", "mlflow", "--help")
    assert result.exit_code == 0
    for text in ("sqlite:///mlflow.db", "mlruns", "http", "cardpress.predictions", "--model"):
        assert text in result.output


@pytest.fixture(scope="module")
def server(
    stores: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real `mlflow server` on the SQLite store (its artifacts are local files)."""
    log = tmp_path_factory.mktemp("mlflow-server") / "server.log"
    with mlflow_server(stores["sqlite"]["uri"], log) as url:
        yield url


def test_tracking_server_gives_the_same_records(
    stores: dict[str, dict[str, Any]], server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Equal records are the claim here, not cardpress's 5 s default: a loaded CI machine may be
    # slower than that to answer one request.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
    by_server = api.import_mlflow(server, tmp_path / "http", model=MODEL)
    api.import_mlflow(stores["sqlite"]["uri"], tmp_path / "sqlite", model=MODEL)
    assert by_server.files == [
        "predictions/income-1.parquet",
        "predictions/income-2.parquet",
        "runs/income-1.json",
        "runs/income-2.json",
    ]
    for name in by_server.files:
        if name.endswith(".json"):
            http = json.loads((tmp_path / "http" / name).read_text())
            local = json.loads((tmp_path / "sqlite" / name).read_text())
            assert http.pop("origin") == {"format": "mlflow-server", "path": server}
            local.pop("origin")
            assert http == local
        else:
            assert (tmp_path / "http" / name).read_bytes() == (
                tmp_path / "sqlite" / name
            ).read_bytes()
    api.validate(tmp_path / "http")


def test_build_reads_the_store_directly(
    stores: dict[str, dict[str, Any]], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    records, out = tmp_path / "audit", tmp_path / "site"
    records.mkdir()
    (records / "cardpress.toml").write_text('[site]\ntitle = "Imported"\n')
    result = run_cli("build", str(records), "-o", str(out), "--mlflow", stores["sqlite"]["uri"],
                     "--mlflow-model", MODEL)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Imported 2 version(s) from MLflow" in result.output
    card = json.loads((out / f"models/{MODEL}/v/2/index.json").read_text())
    assert card["sections"]["model_details"]["run"]["id"] == stores["sqlite"]["runs"][1]
    assert (out / f"models/{MODEL}/v/1/fairness/index.html").is_file()  # predictions came too
    again = run_cli("build", str(records), "-o", str(out), "--mlflow", stores["sqlite"]["uri"],
                    "--mlflow-model", MODEL)  # fmt: skip
    assert again.exit_code == 0, again.output  # same store: same records, published pages kept
    alone = run_cli("build", str(records), "-o", str(out), "--mlflow-model", MODEL)
    assert alone.exit_code == 2 and "needs --mlflow URI" in alone.output


def test_a_run_that_cannot_be_fetched_is_not_called_deleted() -> None:
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST

    from cardpress.readers.mlflow.store import _unread_run

    missing = MlflowException("Run 'r1' not found", RESOURCE_DOES_NOT_EXIST)
    gone = _unread_run("s: m version 2", "r1", missing)
    assert "deleted for good" in gone
    # what the client raises when a tracking server stops answering (seen in a CI run)
    refused = MlflowException(
        "API request to http://127.0.0.1:1/api/2.0/mlflow/runs/get failed with exception "
        "HTTPConnectionPool: Max retries exceeded"
    )
    said = _unread_run("s: m version 2", "r1", refused)
    assert "deleted" not in said and "check that the tracking store is reachable" in said
    slow = MlflowException(
        "API request to http://127.0.0.1:1/api/2.0/mlflow/runs/get failed with exception "
        "HTTPConnectionPool: Max retries exceeded (Caused by ReadTimeoutError: Read timed out.)"
    )
    said = _unread_run("s: m version 2", "r1", slow)
    assert "deleted" not in said and "raise MLFLOW_HTTP_REQUEST_TIMEOUT" in said
