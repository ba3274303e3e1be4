"""The predictions table an MLflow import copies from a run's artifacts."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardpress.errors import CardpressError
from cardpress.readers.files import sha256_of
from cardpress.readers.mlflow.connect import public_uri
from cardpress.readers.tables import TableError, column_names


@dataclass(frozen=True)
class Downloaded:
    """An artifact copied to a local file, with what the record needs to know of it."""

    path: Path
    sha256: str
    columns: list[str]


def download_predictions(
    client: Any, store_uri: str, run_id: str, path: str, dst: Path, why: str
) -> Downloaded:
    """Copy the run's predictions artifact ``path`` to ``dst`` and read its columns.

    ``why`` says how the artifact was named (a run tag, a pattern), for messages.

    Raises:
        CardpressError: the artifact does not exist or is not a readable table.
    """
    where = f"{public_uri(store_uri)}: run {run_id}: {why}"
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
            fix = (
                "check that the artifact exists (mlflow artifacts list --run-id RUN_ID) and is "
                "named by its path, e.g. eval/pred.parquet"
            )
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
