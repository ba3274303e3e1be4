"""The model a registered version points at: its ``MLmodel`` file and environment files.

MLflow 3 registers *logged models* (``models:/m-…``), whose files live in the model's own
artifact location, not under the run; MLflow 2 registered a run's artifact folder
(``runs:/RUN_ID/model``). Both are read here, with the run's folders as a fallback for the
environment files. A file listed but not downloadable is a warning, never a traceback.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress.readers.mlflow.store import StoreVersion

ENVIRONMENT_FILES = ("python_env.yaml", "conda.yaml", "requirements.txt")
MLMODEL = "MLmodel"
_MAX_DIRS = 20


@dataclass
class ModelFiles:
    """Text of the model's ``MLmodel`` and environment files, and where the model is."""

    uri: str | None = None  # models:/m-… or runs:/RUN_ID/PATH
    mlmodel: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def model_files(client: Any, store_uri: str, version: StoreVersion) -> ModelFiles:
    """The files of the model ``version`` registered, from the logged model or the run."""
    found = ModelFiles(uri=version.source or None)
    where = f"{version.model} version {version.version} (run {version.run.run_id})"
    if version.model_id:
        _logged_model(client, store_uri, version.model_id, where, found)
    else:
        _run_model(client, version, where, found)
    if len(found.environment) < len(ENVIRONMENT_FILES):
        _run_folders(client, version.run.run_id, found)
    return found


def _logged_model(client: Any, store_uri: str, model_id: str, where: str, out: ModelFiles) -> None:
    try:
        logged = client.get_logged_model(model_id)
        listed = {Path(f.path).name for f in client.list_logged_model_artifacts(model_id)}
    except Exception as error:  # deleted, or an artifact store this machine cannot reach
        out.warnings.append(
            f"{where}: logged model {model_id} cannot be read ({_short(error)}); its environment,"
            " signature and flavour are left out"
        )
        return
    import mlflow.artifacts

    def fetch(name: str, scratch: str) -> str:
        uri = f"{logged.artifact_location.rstrip('/')}/{name}"
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=uri, dst_path=scratch, tracking_uri=store_uri
        )
        return Path(local).read_text(encoding="utf-8")

    _fetch_all(listed, fetch, f"{where}: logged model {model_id}", out)


def _run_model(client: Any, version: StoreVersion, where: str, out: ModelFiles) -> None:
    """MLflow 2: the registered ``runs:/RUN_ID/PATH`` folder of the run's artifacts."""
    run_id = version.run.run_id
    prefix = version.source.split(f"runs:/{run_id}/", 1)[1] if run_id in version.source else ""
    if not prefix:
        return
    try:
        listed = {Path(f.path).name for f in client.list_artifacts(run_id, prefix)}
    except Exception:  # no such folder, or an artifact store this machine cannot reach
        return

    def fetch(name: str, scratch: str) -> str:
        local = client.download_artifacts(run_id, f"{prefix}/{name}", scratch)
        return Path(local).read_text(encoding="utf-8")

    _fetch_all(listed, fetch, f"{where}: artifact folder {prefix!r}", out)


def _fetch_all(listed: set[str], fetch: Any, where: str, out: ModelFiles) -> None:
    with tempfile.TemporaryDirectory(prefix="cardpress-mlflow-") as scratch:
        for name in (MLMODEL, *ENVIRONMENT_FILES):
            if name not in listed:
                continue
            try:
                text = fetch(name, scratch)
            except Exception as error:  # listed but gone from disk, or not text
                out.warnings.append(
                    f"{where}: {name} is listed but cannot be read ({_short(error)}); left out"
                )
                continue
            if name == MLMODEL:
                out.mlmodel = text
            else:
                out.environment[name] = text


def _run_folders(client: Any, run_id: str, out: ModelFiles) -> None:
    """Environment files logged with the run: its top folder and the folders directly under."""
    try:
        top = list(client.list_artifacts(run_id))
    except Exception:  # no artifacts, or an artifact store this machine cannot reach
        return
    folders = ["", *[f.path for f in top if f.is_dir][:_MAX_DIRS]]
    with tempfile.TemporaryDirectory(prefix="cardpress-mlflow-") as scratch:
        for folder in folders:
            try:
                listed = {Path(f.path).name: f.path for f in client.list_artifacts(run_id, folder)}
            except Exception:  # a folder that vanished or cannot be listed
                continue
            for name in ENVIRONMENT_FILES:
                if name in out.environment or name not in listed:
                    continue
                try:
                    local = Path(client.download_artifacts(run_id, listed[name], scratch))
                    out.environment[name] = local.read_text(encoding="utf-8")
                except Exception as error:  # listed but missing on disk, or not UTF-8
                    out.warnings.append(
                        f"run {run_id}: artifact {listed[name]!r} is listed but cannot be read "
                        f"({_short(error)}); left out"
                    )


def _short(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:199] + "…"
