"""Read registered model versions and their runs from an MLflow tracking store.

Every store kind (SQLite, an ``mlruns/`` file store, a tracking server) is read through the real
``mlflow`` package's ``MlflowClient``, imported only when an import is asked for. What is read is
copied into plain dataclasses, so nothing past this module knows about MLflow's classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cardpress.errors import CardpressError, UsageError
from cardpress.readers.mlflow.connect import (
    open_client,
    public_uri,
    request_timeout,
    store_error,
    store_kind,
)


@dataclass(frozen=True)
class StoreDataset:
    """One dataset input of a run, as MLflow logged it."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None
    profile: str | None
    context: str | None


@dataclass(frozen=True)
class StoreMetric:
    """The latest value of one metric of a run, and its history when logged at several steps."""

    key: str
    value: float
    step: int
    timestamp_ms: int
    dataset_name: str | None = None
    dataset_digest: str | None = None
    history: tuple[tuple[int, float], ...] = ()  # (step, value) per step, the latest at each

    @property
    def is_curve(self) -> bool:
        """Logged at more than one step: a training curve, not a final result."""
        return len(self.history) > 1


@dataclass(frozen=True)
class StoreRun:
    """One run: its info, params, latest metrics, tags and dataset inputs."""

    run_id: str
    start_time_ms: int
    end_time_ms: int | None
    status: str
    params: dict[str, str]
    metrics: list[StoreMetric]
    tags: dict[str, str]
    datasets: list[StoreDataset]
    deleted: bool = False

    @property
    def name(self) -> str | None:
        """The run name (``mlflow.runName``), if any."""
        return self.tags.get("mlflow.runName") or None


@dataclass(frozen=True)
class StoreVersion:
    """One registered model version and the run that produced it."""

    model: str
    version: str
    source: str
    run: StoreRun
    model_id: str | None = None  # MLflow 3: the logged model (models:/m-…) the version points at
    # MLflow 3 links a metric to the dataset it was measured on in the logged model's metrics
    metric_datasets: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Store:
    """What an import reads: registered versions and the runs nobody registered."""

    uri: str
    kind: str
    versions: list[StoreVersion]
    unregistered: list[str] = field(default_factory=list)
    client: Any = None
    problems: list[str] = field(default_factory=list)  # versions that could not be read


def read_store(uri: str, model: str | None = None) -> Store:
    """Every registered model version in the store at ``uri`` (only ``model``'s, if given).

    Raises:
        UsageError: mlflow is missing, or ``model`` is not a registered model (the message
            lists those that are).
        CardpressError: the store cannot be read.
    """
    client = open_client(uri)
    try:
        return _read(client, uri, model)
    except CardpressError:
        raise
    except Exception as error:  # mlflow, sqlalchemy, requests and yaml each raise their own kinds
        raise store_error(uri, error) from None


def _read(client: Any, uri: str, model: str | None) -> Store:
    names = sorted(m.name for m in _pages(client.search_registered_models))
    if model is not None and model not in names:
        known = ", ".join(names) if names else "none (register a run with mlflow.register_model)"
        raise UsageError(f"--model {model}: no such registered model in {public_uri(uri)} — "
                         f"registered models: {known}")  # fmt: skip
    runs: dict[str, StoreRun] = {}
    versions, problems = [], []
    for name in [model] if model is not None else names:
        quoted = name.replace("'", "\\'")
        for found in _pages(client.search_model_versions, filter_string=f"name = '{quoted}'"):
            where = f"{public_uri(uri)}: {name} version {found.version}"
            if not found.run_id:
                problems.append(
                    f"{where} has no run (registered from {found.source}) — register it from a "
                    "run: runs:/RUN_ID/PATH, or log the model inside mlflow.start_run()"
                )
                continue
            if found.run_id not in runs:
                try:
                    runs[found.run_id] = _run(client, found.run_id)
                except Exception as error:  # MLflow's own error kinds, or the transport's
                    problems.append(_unread_run(where, found.run_id, error))
                    continue
            model_id = _model_id(found)
            links = _metric_datasets(client, model_id) if model_id else {}
            versions.append(StoreVersion(name, str(found.version), found.source or "",
                                         runs[found.run_id], model_id, links))  # fmt: skip
    versions.sort(key=lambda v: (v.model, _version_order(v.version)))
    unregistered = [] if model is not None else _unregistered(client, set(runs))
    return Store(uri, store_kind(uri), versions, unregistered, client, problems)


def _unread_run(where: str, run_id: str, error: Exception) -> str:
    """Why a version's run cannot be read: gone from the store, or the store not reachable."""
    text = " ".join(str(error).split())[:200] or type(error).__name__
    if getattr(error, "error_code", None) == "RESOURCE_DOES_NOT_EXIST":
        return (
            f"{where}: its run {run_id} cannot be read ({text}) — the run was deleted for good "
            "— delete the model version, or register the model again from a run that exists"
        )
    # A server that stopped answering is not a deleted run: say so, not "delete the version".
    if "timed out" in text.lower():
        return (
            f"{where}: its run {run_id} cannot be read ({text}) — the tracking server did not "
            f"answer in {request_timeout()} s: check it runs, or raise MLFLOW_HTTP_REQUEST_TIMEOUT"
        )
    return (
        f"{where}: its run {run_id} cannot be read ({text}) — check that the tracking store is "
        "reachable (the server running, the database or folder readable) and import again"
    )


def _metric_datasets(client: Any, model_id: str) -> dict[str, tuple[str, str]]:
    """Metric key → (dataset name, digest) from a logged model's metrics (the latest link)."""
    try:
        metrics = list(client.get_logged_model(model_id).metrics or [])
    except Exception:  # a deleted logged model, or a server older than MLflow 3
        return {}
    links: dict[str, tuple[str, str]] = {}
    for metric in sorted(metrics, key=lambda m: (m.step, m.timestamp)):
        if metric.dataset_name:
            links[metric.key] = (str(metric.dataset_name), str(metric.dataset_digest or ""))
    return links


def _model_id(version: Any) -> str | None:
    """The logged model an MLflow 3 version points at: its ``model_id`` or ``models:/m-…``."""
    found = getattr(version, "model_id", None)
    if found:
        return str(found)
    source = version.source or ""
    if source.startswith("models:/m-"):
        return source.removeprefix("models:/").split("/", 1)[0]
    return None


def _run(client: Any, run_id: str) -> StoreRun:
    run = client.get_run(run_id)
    metrics = [_latest(client, run_id, key) for key in sorted(run.data.metrics)]
    inputs = run.inputs.dataset_inputs if run.inputs is not None else []
    return StoreRun(
        run_id=run.info.run_id,
        start_time_ms=int(run.info.start_time or 0),
        end_time_ms=int(run.info.end_time) if run.info.end_time else None,
        status=str(run.info.status),
        params=dict(run.data.params),
        metrics=[m for m in metrics if m is not None],
        tags=dict(run.data.tags),
        datasets=sorted(
            (_dataset(i) for i in inputs), key=lambda d: (d.name, d.digest, d.context or "")
        ),
        deleted=str(run.info.lifecycle_stage) == "deleted",
    )


def _latest(client: Any, run_id: str, key: str) -> StoreMetric | None:
    """MLflow's latest value: the greatest (step, timestamp, value)."""
    history = list(client.get_metric_history(run_id, key))
    if not history:
        return None
    last = max(history, key=lambda m: (m.step, m.timestamp, m.value))
    by_step: dict[int, Any] = {}
    for point in sorted(history, key=lambda m: (m.step, m.timestamp, m.value)):
        by_step[int(point.step)] = point  # the latest value logged at each step
    return StoreMetric(
        key=key,
        value=float(last.value),
        step=int(last.step),
        timestamp_ms=int(last.timestamp),
        dataset_name=getattr(last, "dataset_name", None),
        dataset_digest=getattr(last, "dataset_digest", None),
        history=tuple((step, float(p.value)) for step, p in sorted(by_step.items())),
    )


def _dataset(dataset_input: Any) -> StoreDataset:
    dataset = dataset_input.dataset
    tags = {t.key: t.value for t in dataset_input.tags or []}
    return StoreDataset(
        name=str(dataset.name),
        digest=str(dataset.digest),
        source_type=str(dataset.source_type),
        source=str(dataset.source),
        schema=dataset.schema or None,
        profile=dataset.profile or None,
        context=tags.get("mlflow.data.context"),
    )


def _unregistered(client: Any, registered: set[str]) -> list[str]:
    experiments = [e.experiment_id for e in _pages(client.search_experiments)]
    if not experiments:
        return []
    found = _pages(client.search_runs, experiment_ids=experiments)
    return sorted(r.info.run_id for r in found if r.info.run_id not in registered)


def _pages(search: Any, **arguments: Any) -> list[Any]:
    """Every result of a paged MLflow search."""
    results: list[Any] = []
    token = None
    while True:
        page = search(max_results=1000, page_token=token, **arguments)
        results.extend(page)
        token = page.token
        if not token:
            return results


def _version_order(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (1 << 62, version)
