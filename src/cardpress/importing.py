"""Import an MLflow store into a records folder: read → map → check → write.

Reading is in :mod:`cardpress.readers.mlflow`,
the mapping in :mod:`cardpress.compute.mlflow_map`, writing in
:mod:`cardpress.write.records_import`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cardpress.compute.mlflow_map import (
    NAME,
    PREDICTIONS_TAG,
    Mapped,
    Prediction,
    map_version,
    predictions_name,
)
from cardpress.errors import CardpressError
from cardpress.readers.mlflow.files import download_predictions, environment_files
from cardpress.readers.mlflow.sources import LocalFile, locate_source
from cardpress.readers.mlflow.store import Store, StoreVersion, public_uri, read_store
from cardpress.readers.run_checks import semantic_problems
from cardpress.readers.validate import schema_problems
from cardpress.write.records_import import commit, record_bytes, stage_file, staging

logger = logging.getLogger("cardpress")


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote into the records folder."""

    records: Path
    versions: int
    files: list[str]
    skipped_runs: list[str]


def import_store(uri: str, records: Path, model: str | None) -> ImportResult:
    """Import every registered version of ``model`` (default: all models) from ``uri``."""
    store = read_store(uri, model)
    where = public_uri(uri)
    if not store.versions:
        raise CardpressError(
            f"{where}: no registered model versions — register a run's model first, e.g. "
            "mlflow.register_model('runs:/RUN_ID/model', 'NAME')"
        )
    if store.unregistered:
        shown = ", ".join(store.unregistered[:5]) + (", …" if len(store.unregistered) > 5 else "")
        logger.warning("%s: skipped %d run(s) not registered as a model version: %s", where,
                       len(store.unregistered), shown)  # fmt: skip
    root = records.absolute()
    problems: list[str] = []
    with staging(records) as folder:
        for version in store.versions:
            mapped = _map(store, version, root, folder)
            for warning in mapped.warnings:
                logger.warning("%s", warning)
            name = f"runs/{version.model}-{version.version}.json"
            found = mapped.problems or _record_problems(mapped, name, folder)
            problems += found
            if not found:
                stage_file(folder, name, record_bytes(mapped.document))
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            raise CardpressError(
                "\n".join([*problems, f"{len(problems)} {noun} found; nothing was written."])
            )
        files = commit(folder, records)
    logger.info("wrote %d file(s) for %d version(s) to %s", len(files), len(store.versions),
                records)  # fmt: skip
    return ImportResult(records, len(store.versions), files, store.unregistered)


def _map(store: Store, version: StoreVersion, root: Path, folder: Path) -> Mapped:
    run = version.run
    sources = [locate_source(d, run.run_id) for d in run.datasets]
    uris = [_uri(s.file, root) if s.file else s.uri for s in sources]
    prediction = None
    artifact = run.tags.get(PREDICTIONS_TAG)
    if artifact and NAME.match(version.model):  # a bad name is reported; it never makes a path
        name = predictions_name(version, artifact)
        got = download_predictions(store.client, store.uri, run.run_id, artifact, folder / name)
        prediction = Prediction(name, got.sha256, got.columns)
    environment = environment_files(store.client, version)
    origin = {"format": store.kind, "path": public_uri(store.uri)}
    return map_version(version, sources, uris, prediction, environment, origin)


def _uri(file: LocalFile, root: Path) -> str:
    """A path relative to the records folder if the file is inside it, else a file: URI."""
    resolved = root.resolve()
    if file.path.is_relative_to(resolved):
        return file.path.relative_to(resolved).as_posix()
    return file.path.as_uri()


def _record_problems(mapped: Mapped, name: str, folder: Path) -> list[str]:
    """The record checked as ``cardpress validate`` checks it, with the staged files."""
    found = schema_problems(mapped.document, "run", name, lambda path: None)
    found = found or semantic_problems(folder, mapped.document, name, lambda path: None)
    return [str(problem) for problem in found]
