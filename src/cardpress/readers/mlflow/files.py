"""Run artifacts an MLflow import copies or reads: the predictions table, environment files."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardpress.errors import CardpressError
from cardpress.readers.files import sha256_of
from cardpress.readers.mlflow.store import StoreVersion, public_uri
from cardpress.readers.tables import TableError, column_names

ENVIRONMENT_FILES = ("python_env.yaml", "conda.yaml", "requirements.txt")
_MAX_DIRS = 20


@dataclass(frozen=True)
class Downloaded:
    """An artifact copied to a local file, with what the record needs to know of it."""

    path: Path
    sha256: str
    columns: list[str]


def download_predictions(
    client: Any, store_uri: str, run_id: str, path: str, dst: Path
) -> Downloaded:
    """Copy the run's predictions artifact ``path`` to ``dst`` and read its columns.

    Raises:
        CardpressError: the artifact does not exist or is not a readable table.
    """
    where = f"{public_uri(store_uri)}: run {run_id}: tag cardpress.predictions={path!r}"
    suffix = Path(path).suffix.lower()
    if suffix not in (".parquet", ".csv", ".jsonl", ".ndjson"):
        raise CardpressError(
            f"{where}: unsupported file type {suffix or '(none)'!r} — log the predictions as "
            ".parquet, .csv (with a header) or .jsonl"
        )
    with tempfile.TemporaryDirectory(prefix="cardpress-mlflow-") as scratch:
        try:
            local = Path(client.download_artifacts(run_id, path, scratch))
        except Exception as error:  # mlflow raises its own kinds for missing artifacts
            fix = "set the tag to the artifact path of the predictions file, e.g. eval/pred.parquet"
            raise CardpressError(
                f"{where}: cannot download the artifact ({error}) — {fix}"
            ) from None
        if not local.is_file():
            raise CardpressError(f"{where}: is a folder, not a file — name the predictions file")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, dst)
    try:
        columns = column_names(dst)
    except TableError as error:
        raise CardpressError(f"{where}: the file {error} — log a readable table") from None
    return Downloaded(dst, sha256_of(dst), columns)


def environment_files(client: Any, version: StoreVersion) -> dict[str, str]:
    """The text of python_env.yaml, conda.yaml and requirements.txt logged with the run.

    Looks in the registered model's folder first, then the run's top folder and the folders
    directly under it. Unreadable or missing files are left out.
    """
    run_id = version.run.run_id
    prefix = version.source.split(f"runs:/{run_id}/", 1)[1] if run_id in version.source else ""
    try:
        folders = [prefix] if prefix else []
        top = list(client.list_artifacts(run_id))
        folders += ["", *[f.path for f in top if f.is_dir][:_MAX_DIRS]]
    except Exception:  # no artifacts, or an artifact store this machine cannot reach
        return {}
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="cardpress-mlflow-") as scratch:
        for folder in folders:
            try:
                listed = {Path(f.path).name: f.path for f in client.list_artifacts(run_id, folder)}
            except Exception:  # a folder that vanished or cannot be listed
                continue
            for name in ENVIRONMENT_FILES:
                if name in found or name not in listed:
                    continue
                try:
                    local = Path(client.download_artifacts(run_id, listed[name], scratch))
                    found[name] = local.read_text(encoding="utf-8")
                except (Exception, UnicodeDecodeError):  # left out: the record stays valid
                    continue
    return found
