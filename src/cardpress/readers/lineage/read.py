"""Read everything lineage pages are made from: run records' data sets, OpenLineage, DVC, hashes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

from cardpress.model import Records, Run, Source
from cardpress.model_lineage import RUN, DataRef, Job, LineageInputs, utc_text
from cardpress.readers.files import allowed, folders_resolved_once
from cardpress.readers.hashing import hash_files, records_cache
from cardpress.readers.lineage.dvc.files import read_dvc_files
from cardpress.readers.lineage.dvc.pipeline import read_dvc
from cardpress.readers.lineage.models import model_matcher
from cardpress.readers.lineage.openlineage.read import read_openlineage
from cardpress.readers.lineage.paths import locate

Locate = Callable[[str], tuple[str, Path | None]]  # a URI's normalised name and its local file


def read_lineage(records: Records, cache_file: Path | None = None) -> LineageInputs:
    """Jobs of every source and the current hashes of every reachable data file.

    Problems in OpenLineage or DVC files do not stop the build: they come back as warnings,
    each naming the file (and line) it concerns.
    """
    with folders_resolved_once():  # a thousand records name files in a few folders
        return _read_lineage(records, cache_file)


def _read_lineage(records: Records, cache_file: Path | None) -> LineageInputs:
    root = Path(records.root)
    settings = records.config.lineage
    anywhere, roots = settings.hash_outside_records, allowed(records.config)
    warnings: list[str] = []

    @cache  # the records' runs name the same few data sets: each path resolved once
    def at_root(uri: str) -> tuple[str, Path | None]:
        return locate(root, root, uri, anywhere, roots)

    jobs = [run_job(run, at_root) for run in records.runs]
    events = root / settings.openlineage
    jobs += read_openlineage(
        root, events, at_root, warnings, roots, model_matcher(settings.model_uris),
    )  # fmt: skip

    def locate_dvc(base: Path, uri: str) -> tuple[str, Path | None]:
        return locate(root, base, uri, anywhere, roots)

    seen: set[Path] = set()  # *.dvc files read already, when the DVC folders nest
    for folder in settings.dvc:
        jobs += read_dvc(root, root / folder, locate_dvc, warnings, roots)
        jobs += read_dvc_files(root, root / folder, locate_dvc, warnings, roots, seen)
    hashes = hash_files(_files(jobs), cache_file or records_cache(root))
    return LineageInputs(tuple(jobs), hashes, tuple(warnings))


def run_job(run: Run, where: Locate) -> Job:
    """A run record as a job: it read its data sets and made its model version.

    Sources name the record file without a line: records of published versions are read
    without line positions, and lineage pages must not change when a version is published.
    ``where`` locates a URI the record names (:func:`locate` from the records folder).
    """
    record = Source(run.source.file)
    refs = []
    for dataset in run.datasets:
        uri, local = where(dataset.uri)
        # a record written without hashing the file has no sha256: nothing to compare
        recorded = [("sha256", dataset.sha256)] if dataset.sha256 else []
        digests = [*recorded, *dataset.other_digests]
        refs.append(DataRef(
            dataset.id, uri, RUN, record, local, tuple(digests), dataset.size_bytes,
            dataset.rows, tuple((name, kind) for name, kind, _ in dataset.columns),
            utc_text(run.started_at), dataset.role, dataset.name or dataset.id,
        ))  # fmt: skip
    derived = tuple((d.id, up) for d in run.datasets for up in d.derived_from)
    return Job(
        key=f"run:{run.model}@{run.version}", name=f"{run.model} version {run.version}",
        origin=RUN, source=record, inputs=tuple(refs), model=(run.model, run.version),
        derived=derived, description=run.description,
        outputs=tuple(_outputs(run, record, where)),
    )  # fmt: skip


def _outputs(run: Run, record: Source, where: Locate) -> Iterator[DataRef]:
    """What the run wrote: its evaluation predictions and its artifacts (model files)."""
    when = utc_text(run.ended_at or run.started_at)
    read = {where(d.uri)[0] for d in run.datasets}
    # a predictions file that is also a data set the run read is not drawn as made by it
    found = where(run.predictions.uri) if run.predictions else None
    if run.predictions is not None and found is not None and found[0] not in read:
        uri, local = found
        digest = run.predictions.sha256
        yield DataRef(f"predictions of {run.model} {run.version}", uri, RUN,
                      record, local, (("sha256", digest),) if digest else (),
                      seen_at=when, role="predictions")  # fmt: skip
    for artifact in run.artifacts:
        uri, local = where(artifact.uri)
        digests = (("sha256", artifact.sha256),) if artifact.sha256 else ()
        yield DataRef(Path(artifact.uri).name or artifact.uri, uri, RUN, record, local,
                      digests, artifact.size_bytes, seen_at=when,
                      role=artifact.kind or "artifact")  # fmt: skip


def _files(jobs: Iterable[Job]) -> list[Path]:
    return [ref.local for job in jobs for ref in (*job.inputs, *job.outputs) if ref.local]
