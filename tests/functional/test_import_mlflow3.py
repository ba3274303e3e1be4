"""`cardpress import mlflow` on MLflow 3 stores written the way MLflow's docs teach.

Datasets logged with ``mlflow.data.from_pandas(df, name=...)`` (no source: the training code),
a NumPy dataset, an HTTP source; logged models registered as ``models:/m-…``; a metric logged per
step; ``mlflow.models.evaluate`` with a per-row metric (so it logs its results table); a nested
run; and the bad input teams meet: a run with no metrics, a deleted run, an artifact gone from
disk, a version whose run was deleted for good. One store of each kind (SQLite, file store) per
module: MLflow is slow to start.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import Result

pytest.importorskip("mlflow", reason="needs the mlflow package (pip install 'cardpress[mlflow]')")
pytest.importorskip("sklearn", reason="needs scikit-learn")

import mlflow
import numpy as np
import pandas as pd
import sklearn
from mlflow import MlflowClient
from mlflow.metrics import MetricValue
from sklearn.linear_model import LogisticRegression

import cardpress
from cardpress import api
from tests.functional.mlflow_server import mlflow_server

ROWS = 60
# The model's requirements, given: otherwise MLflow infers them by loading each model in a
# subprocess (8-13 s a model, most of this module's time). The card reads them either way.
PIP = [f"mlflow=={mlflow.__version__}", f"scikit-learn=={sklearn.__version__}"]


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, ROWS)
    hours = rng.integers(10, 60, ROWS)
    label = ((age + rng.normal(0, 8, ROWS)) > 42).astype(int)
    sex = np.where(np.arange(ROWS) % 2 == 0, "Female", "Male")
    return pd.DataFrame({"age": age, "hours": hours, "sex": sex, "label": label})


def _correct(predictions: pd.Series, targets: pd.Series, metrics: Any) -> MetricValue:
    scores = [int(p == t) for p, t in zip(predictions, targets, strict=True)]
    return MetricValue(scores=scores, aggregate_results={"mean": float(np.mean(scores))})


def _trained(train: pd.DataFrame) -> LogisticRegression:
    return LogisticRegression().fit(train[["age", "hours"]], train["label"])


def _income(client: MlflowClient) -> dict[str, Any]:
    """Version 1: a plain MLflow 3 run; version 2: a nested trial with autologging's tags."""
    train, test = _frame(1), _frame(2)
    made: dict[str, Any] = {}
    with mlflow.start_run(
        run_name="lr-baseline", tags={"team": "risk", "purpose": "audit"},
        description="Baseline logistic regression.",
    ) as run:  # fmt: skip
        mlflow.set_tag("mlflow.source.git.commit", "a" * 40)
        mlflow.log_input(mlflow.data.from_pandas(train, name="adult-train"), context="training")
        features, labels = train[["age", "hours"]].to_numpy(), train["label"].to_numpy()
        array = mlflow.data.from_numpy(features, targets=labels, name="adult-train-array")
        mlflow.log_input(array, context="training")
        remote = mlflow.data.from_pandas(test, source="https://example.org/adult/test.csv",
                                         name="adult-test-remote")  # fmt: skip
        mlflow.log_input(remote, context="test")
        for step, value in enumerate((0.61, 0.7, 0.74)):
            mlflow.log_metric("train_fraction_auc", value, step=step)
        model = _trained(train)
        example = train[["age", "hours"]].head(2)
        info = mlflow.sklearn.log_model(model, name="model", input_example=example,
                                        pip_requirements=PIP,
                                        registered_model_name="income")  # fmt: skip
        evaluated = test.drop(columns="sex")  # the model's own features and the label
        evaluation = mlflow.data.from_pandas(evaluated, name="adult-test", targets="label")
        result = mlflow.models.evaluate(
            info.model_uri, evaluation, model_type="classifier", evaluators=["default"],
            extra_metrics=[mlflow.models.make_metric(eval_fn=_correct, greater_is_better=True,
                                                     name="correct")],
        )  # fmt: skip
    made["run"] = run.info.run_id
    made["script"] = client.get_run(run.info.run_id).data.tags["mlflow.source.name"]
    made["model_id"] = info.model_id
    made["accuracy"] = float(result.metrics["accuracy_score"])
    made["test"] = test
    with (
        mlflow.start_run(run_name="sweep") as parent,
        mlflow.start_run(run_name="trial-1", nested=True) as child,
    ):
        mlflow.sklearn.autolog(log_models=False, log_datasets=True, silent=True)
        try:
            model = _trained(train)
        finally:
            mlflow.sklearn.autolog(disable=True)
        mlflow.sklearn.log_model(
            model, name="model", pip_requirements=PIP, registered_model_name="income"
        )
    made["parent"], made["child"] = parent.info.run_id, child.info.run_id
    return made


def _broken(client: MlflowClient) -> dict[str, Any]:
    """Model "trashed": a deleted run with no metrics. Model "gone": version 1's run deleted for
    good, version 2's tagged predictions file removed from the artifact store behind MLflow."""
    frame = _frame(3)
    with mlflow.start_run(run_name="no-metrics") as run:
        mlflow.log_input(mlflow.data.from_pandas(frame, name="frame"), context="evaluation")
        mlflow.sklearn.log_model(
            _trained(frame), name="model", pip_requirements=PIP, registered_model_name="trashed"
        )
    client.delete_run(run.info.run_id)
    with mlflow.start_run(run_name="vanished") as gone:
        mlflow.log_input(mlflow.data.from_pandas(frame, name="frame"), context="evaluation")
        mlflow.log_metric("accuracy", 0.5)
        mlflow.sklearn.log_model(
            _trained(frame), name="model", pip_requirements=PIP, registered_model_name="gone"
        )
    client.delete_run(gone.info.run_id)
    client._tracking_client.store._hard_delete_run(gone.info.run_id)  # what `mlflow gc` does
    with mlflow.start_run(run_name="lost-file") as lost:
        mlflow.log_input(mlflow.data.from_pandas(frame, name="frame"), context="evaluation")
        mlflow.log_metric("accuracy", 0.5)
        mlflow.log_text("label,pred\n1,1\n", "eval/predictions.csv")
        mlflow.set_tag("cardpress.predictions", "eval/predictions.csv")
        artifacts = Path(unquote(urlsplit(mlflow.get_artifact_uri()).path))
        mlflow.sklearn.log_model(
            _trained(frame), name="model", pip_requirements=PIP, registered_model_name="gone"
        )
    (artifacts / "eval" / "predictions.csv").unlink()
    return {"trashed": run.info.run_id, "gone": gone.info.run_id, "lost": lost.info.run_id}


def _make_store(base: Path, uri: str) -> dict[str, Any]:
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        experiment = mlflow.create_experiment("adult", artifact_location=(base / "art").as_uri())
        mlflow.set_experiment(experiment_id=experiment)
        client = MlflowClient(uri, uri)
        made = {"uri": uri, **_income(client), **_broken(client)}
    finally:
        mlflow.set_tracking_uri(previous)
    return made


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    saved = {k: os.environ.get(k) for k in ("MLFLOW_ALLOW_FILE_STORE", "MLFLOW_TRACKING_URI")}
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    default = tmp_path_factory.mktemp("default") / "mlflow.db"  # no test writes ./mlflow.db
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{default}"
    sqlite_base = tmp_path_factory.mktemp("sqlite3")
    file_base = tmp_path_factory.mktemp("file3")
    yield {
        "sqlite": _make_store(sqlite_base, f"sqlite:///{sqlite_base / 'mlflow.db'}"),
        "file": _make_store(file_base, (file_base / "mlruns").as_uri()),
    }
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _import(run_cli: Callable[..., Result], uri: str, records: Path, model: str) -> Result:
    return run_cli("import", "mlflow", "--tracking-uri", uri, "--model", model, "-o", str(records))


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_mlflow3_store_imports_with_every_dataset_source(
    stores: dict[str, dict[str, Any]], kind: str, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    store = stores[kind]
    records = tmp_path / "audit"
    result = _import(run_cli, store["uri"], records, "income")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "mlflow-dataset:" not in result.output
    # data made in the training code: a warning quoting the store's real source, not an error
    assert (
        f"dataset 'adult-train' (source code {store['script']}): made in the training code, "
        "not read from a file, so its content hash is not reachable here and is left out"
    ) in " ".join(result.output.split())
    first = json.loads((records / "runs/income-1.json").read_text())
    datasets = {d["id"]: d for d in first["datasets"]}
    assert sorted(datasets) == ["adult-test", "adult-test-remote", "adult-train",
                                "adult-train-array"]  # fmt: skip
    train = datasets["adult-train"]
    digest = train["other_digests"]["mlflow"]
    assert (train["role"], train["source_type"], train["uri"]) == (
        "train",
        "code",
        f"runs:/{store['run']}#dataset=adult-train&digest={digest}",
    )  # fmt: skip (data made in code: no location but the run that logged it)
    assert "sha256" not in train and len(train["other_digests"]["mlflow"]) == 8
    assert train["rows"] == ROWS
    assert [c["name"] for c in train["schema"]] == ["age", "hours", "sex", "label"]
    remote = datasets["adult-test-remote"]
    assert (remote["role"], remote["source_type"], remote["uri"]) == (
        "test", "http", "https://example.org/adult/test.csv"
    )  # fmt: skip
    array = datasets["adult-train-array"]
    assert array["rows"] == ROWS and [c["name"] for c in array["schema"]] == [
        "features", "targets"
    ]  # fmt: skip
    assert array["schema"][0]["type"].startswith("tensor int64")
    # the data mlflow.evaluate measured, logged without a context, is the evaluation data
    assert datasets["adult-test"]["role"] == "evaluation"
    api.validate(records)


def test_logged_model_run_facts_and_curves(
    stores: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    store = stores["sqlite"]
    api.import_mlflow(store["uri"], tmp_path / "audit", model="income")
    first = json.loads((tmp_path / "audit/runs/income-1.json").read_text())
    import sklearn

    assert first["run_name"] == "lr-baseline"
    assert first["tags"] == {"purpose": "audit", "team": "risk"}
    assert first["description"] == "Baseline logistic regression."
    assert first["code"]["commit"] == "a" * 40
    assert first["user"]
    assert first["model"]["library"] == "scikit-learn"
    assert "type" not in first["model"]  # MLflow records no class without autologging
    assert first["model"]["signature"] == {
        "inputs": [{"name": "age", "type": "long"}, {"name": "hours", "type": "long"}],
        "outputs": [{"type": "long"}],
    }
    assert first["artifacts"] == [{"uri": f"models:/{store['model_id']}", "kind": "model"}]
    assert first["environment"]["packages"]["scikit-learn"] == sklearn.__version__
    assert first["environment"]["python"]
    # the per-step metric is a curve; evaluate's metrics are results on the evaluation data
    assert first["curves"] == [
        {"key": "train_fraction_auc", "steps": [0, 1, 2], "values": [0.61, 0.7, 0.74]}
    ]
    results = {m["key"]: m for m in first["metrics"]}
    assert "train_fraction_auc" not in results
    assert results["accuracy_score"]["value"] == store["accuracy"]
    assert results["accuracy_score"]["dataset"] == "adult-test"
    # mlflow.evaluate's results table became the predictions, found without any tag
    predictions = first["predictions"]
    assert predictions["uri"] == "predictions/income-1.jsonl"
    assert predictions["dataset"] == "adult-test"
    assert predictions["columns"] == {"y_true": "label", "y_pred": "outputs"}
    rows = [json.loads(line) for line in
            (tmp_path / "audit" / predictions["uri"]).read_text().splitlines()]  # fmt: skip
    assert [r["label"] for r in rows] == store["test"]["label"].tolist()
    accuracy = np.mean([r["label"] == r["outputs"] for r in rows])
    assert accuracy == pytest.approx(store["accuracy"], abs=1e-12)

    second = json.loads((tmp_path / "audit/runs/income-2.json").read_text())
    assert second["run_name"] == "trial-1"
    assert second["parent_run_id"] == store["parent"]
    assert second["model"]["type"] == "LogisticRegression"  # autologging's estimator_name tag
    assert second["model"]["library"] == "scikit-learn"

    site = api.build(tmp_path / "audit", tmp_path / "site")
    assert site.versions == 2
    card = (tmp_path / "site/models/income/v/1/index.html").read_text()
    for text in ("Training curves", "train_fraction_auc", "lr-baseline", "team: <code>risk</code>",
                 "source: code", "not recorded: the content was not reachable"):  # fmt: skip
        assert text in card, text
    child = (tmp_path / "site/models/income/v/2/index.html").read_text()
    assert store["parent"] in child and "LogisticRegression" in child
    # data made in code (both versions' runs ran in one script): one data set per run input,
    # never one merged node named after the script, nor the script taken for a missing file
    rows = json.loads((tmp_path / "site/datasets/index.json").read_text())["rows"]
    assert not [r for r in rows if store["script"] in (r["id"], r["label"])]
    train = [r for r in rows if r["id"].startswith(f"runs:/{store['run']}#dataset=adult-train&")]
    assert [r["label"] for r in train] == ["adult-train"]
    page = json.loads((tmp_path / "site" / train[0]["href"]).with_suffix(".json").read_text())
    assert page["rows"] == ROWS and page["used_by"]["items"][0]["label"] == "run of income 1"
    assert page["hash_note"] == (
        "not computed: made in the training code (an MLflow run's input), not a file"
    )


def test_pattern_in_cardpress_toml_names_the_predictions(
    stores: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    records = tmp_path / "audit"
    records.mkdir()
    (records / "cardpress.toml").write_text('[mlflow]\npredictions = "*results_table.json"\n')
    store = stores["file"]
    api.import_mlflow(store["uri"], records, model="income")
    first = json.loads((records / "runs/income-1.json").read_text())
    # the pattern wins over the evaluate table; a .json artifact is not a predictions format
    assert "predictions" not in first
    (records / "cardpress.toml").write_text('[mlflow]\npredictions = "nothing/*.parquet"\n')
    api.import_mlflow(store["uri"], records, model="income")
    again = json.loads((records / "runs/income-1.json").read_text())
    assert again["predictions"]["uri"] == "predictions/income-1.jsonl"  # fell back to the table
    (records / "cardpress.toml").write_text('[mlflow]\npredictions = ""\n')
    with pytest.raises(cardpress.CardpressError, match=r"cardpress\.toml.*mlflow\.predictions"):
        api.import_mlflow(store["uri"], records, model="income")


def test_export_hf_of_an_imported_version_round_trips(
    stores: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub = pytest.importorskip("huggingface_hub")
    api.import_mlflow(stores["sqlite"]["uri"], tmp_path / "audit", model="income")
    out = cardpress.export_hf(tmp_path / "audit", "income@1", tmp_path / "README.md")
    card = hub.ModelCard.load(out)
    assert card.data.library_name == "sklearn"
    assert card.data.license is None  # no card.md: left out, not invented
    assert card.data.datasets == ["adult-test", "adult-test-remote", "adult-train",
                                  "adult-train-array"]  # fmt: skip
    results = {r.metric_type: r for r in card.data.eval_results}
    assert "train_fraction_auc" not in results  # a training curve is not a result
    assert {r.dataset_type for r in results.values()} == {"adult-test"}
    assert results["accuracy_score"].metric_value == stores["sqlite"]["accuracy"]
    assert "| train_fraction_auc | — | 3 | 0.6100 | 0.7400 |" in card.text
    again = hub.ModelCard(str(card))
    assert again.data.to_dict() == card.data.to_dict()


@pytest.mark.parametrize("kind", ["sqlite", "file"])
def test_bad_input_is_named_and_nothing_is_written(
    stores: dict[str, dict[str, Any]], kind: str, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    store = stores[kind]
    records = tmp_path / "audit"
    result = _import(run_cli, store["uri"], records, "gone")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert f"gone version 1: its run {store['gone']} cannot be read (" in text
    assert "the run was deleted for good — delete the model version" in text
    assert (
        f"run {store['lost']}: tag cardpress.predictions='eval/predictions.csv': cannot download "
        "the artifact (" in text
    )
    assert "2 problems found; nothing was written." in text
    assert not records.exists()

    result = _import(run_cli, store["uri"], records, "trashed")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    where = f"trashed version 1 (run {store['trashed']})"
    assert f"{where}: the run is deleted in MLflow (in its trash)" in text
    assert f"{where}: the run logged no metrics; its card will show no results" in text
    assert "Traceback" not in result.output
    record = json.loads((records / "runs/trashed-1.json").read_text())
    assert record["metrics"] == [] and record["run_name"] == "no-metrics"
    api.validate(records)


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
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")  # a loaded CI machine may be slow
    by_server = api.import_mlflow(server, tmp_path / "http", model="income")
    api.import_mlflow(stores["sqlite"]["uri"], tmp_path / "sqlite", model="income")
    assert by_server.files == [
        "predictions/income-1.jsonl", "runs/income-1.json", "runs/income-2.json"
    ]  # fmt: skip
    for name in by_server.files:
        http, local = tmp_path / "http" / name, tmp_path / "sqlite" / name
        if name.endswith(".json"):
            remote = json.loads(http.read_text())
            assert remote.pop("origin") == {"format": "mlflow-server", "path": server}
            here = json.loads(local.read_text())
            here.pop("origin")
            assert remote == here  # logged model, curves, datasets: all read through the server
        else:
            assert http.read_bytes() == local.read_bytes()
