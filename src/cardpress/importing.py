"""Import an MLflow store into a records folder: read → map → check → write.

Reading is in :mod:`cardpress.readers.mlflow`,
the mapping in :mod:`cardpress.compute.mlflow`, writing in
:mod:`cardpress.write.records_import`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cardpress.compute.mlflow.map import NAME, Mapped, map_version
from cardpress.compute.mlflow.predictions import PREDICTIONS_TAG, Prediction, predictions_name
from cardpress.errors import CardpressError, Problem
from cardpress.readers.config import read_config
from cardpress.readers.files import sha256_of
from cardpress.readers.mlflow.connect import public_uri
from cardpress.readers.mlflow.evaluation import (
    TableFormatError,
    eval_table_lines,
    find_predictions,
)
from cardpress.readers.mlflow.files import download_predictions
from cardpress.readers.mlflow.models import model_files
from cardpress.readers.mlflow.sources import LocalFile, locate_source
from cardpress.readers.mlflow.store import Store, StoreVersion, read_store
from cardpress.readers.runs.checks import semantic_problems
from cardpress.readers.tables import TableError, column_names
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
    pattern = _predictions_pattern(records)
    store = read_store(uri, model)
    where = public_uri(uri)
    if not store.versions and store.problems:
        raise _failed(store.problems)
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
    problems: list[str] = list(store.problems)
    with staging(records) as folder:
        for version in store.versions:
            try:
                mapped = _map(store, version, root, folder, pattern)
            except CardpressError as error:  # e.g. a tagged predictions artifact gone from disk
                problems.append(str(error))
                continue
            for warning in mapped.warnings:
                logger.warning("%s", warning)
            name = f"runs/{version.model}-{version.version}.json"
            found = mapped.problems or _record_problems(mapped, name, folder)
            problems += found
            if not found:
                stage_file(folder, name, record_bytes(mapped.document))
        if problems:
            raise _failed(problems)
        files = commit(folder, records)
    logger.info("wrote %d file(s) for %d version(s) to %s", len(files), len(store.versions),
                records)  # fmt: skip
    return ImportResult(records, len(store.versions), files, store.unregistered)


def _failed(problems: list[str]) -> CardpressError:
    noun = "problem" if len(problems) == 1 else "problems"
    return CardpressError(
        "\n".join([*problems, f"{len(problems)} {noun} found; nothing was written."])
    )


def _predictions_pattern(records: Path) -> str | None:
    """``[mlflow] predictions`` of the records folder's cardpress.toml, if it has one."""
    found: list[Problem] = []
    config = read_config(records, found)
    if found:
        raise CardpressError("\n".join(str(p) for p in found))
    return config.mlflow_predictions


def _map(
    store: Store, version: StoreVersion, root: Path, folder: Path, pattern: str | None
) -> Mapped:
    run = version.run
    sources = [locate_source(d, run.run_id) for d in run.datasets]
    uris = [_uri(s.file, root) if s.file else s.uri for s in sources]
    warnings: list[str] = []
    prediction = None
    if NAME.match(version.model):  # a bad name is reported; it never makes a path
        prediction = _prediction(store, version, folder, pattern, warnings)
    model = model_files(store.client, store.uri, version)
    origin = {"format": store.kind, "path": public_uri(store.uri)}
    mapped = map_version(version, sources, uris, prediction, model, origin)
    mapped.warnings[:0] = [*model.warnings, *warnings]
    return mapped


def _prediction(
    store: Store, version: StoreVersion, folder: Path, pattern: str | None, warnings: list[str]
) -> Prediction | None:
    """The run's predictions: the tagged artifact, else one found by pattern or mlflow.evaluate.

    A tagged artifact that cannot be read stops the import (the user asked for it); one found
    without a tag that cannot be used is a warning, and the version is imported without it.
    """
    run = version.run
    tagged = run.tags.get(PREDICTIONS_TAG)
    if tagged:
        name = predictions_name(version, tagged)
        why = f"tag {PREDICTIONS_TAG}={tagged!r}"
        got = download_predictions(store.client, store.uri, run.run_id, tagged, folder / name, why)
        return Prediction(name, got.sha256, got.columns, tagged)
    found, notes = find_predictions(store.client, run.run_id, pattern)
    warnings += [f"{version.model} version {version.version}: {n}" for n in notes]
    if found is None:
        return None
    where = f"{version.model} version {version.version} (run {run.run_id})"
    try:
        if found.is_eval_table:
            name = predictions_name(version, "table.jsonl")
            stage_file(folder, name, eval_table_lines(store.client, run.run_id, found.path))
            columns = column_names(folder / name)
            return Prediction(name, sha256_of(folder / name), columns, found.path, found.how)
        name = predictions_name(version, found.path)
        got = download_predictions(
            store.client, store.uri, run.run_id, found.path, folder / name, found.how
        )
        return Prediction(name, got.sha256, got.columns, found.path, found.how)
    except CardpressError as error:  # its message names the store, run and pattern
        warnings.append(f"{error}; the version is imported without predictions")
    except (TableFormatError, TableError) as error:
        warnings.append(f"{where}: predictions {found.path!r} ({found.how}) left out: {error}")
    except Exception as error:  # MLflow's own errors: an artifact listed but gone from disk
        text = " ".join(str(error).split())[:200]
        warnings.append(f"{where}: predictions {found.path!r} ({found.how}) cannot be "
                        f"downloaded ({text}); left out")  # fmt: skip
    return None


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
