"""Typed lineage facts as readers produce them: data set sightings, jobs, their runs.

A :class:`DataRef` is one source's view of a data set (a run record's data set, an OpenLineage
input or output, a DVC dep or out). The lineage graph (``compute.lineage.graph``) merges the
sightings of one data set into one node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cardpress.model import Source

RUN, OPENLINEAGE, DVC = "run record", "OpenLineage", "DVC"
# A registered or logged model (models:/churn/1, models:/m-…), a run's artifact (runs:/ID/path)
# or a run's input made in code (runs:/ID#dataset=…): one slash, so not caught by "://".
MLFLOW_URIS = ("models:/", "runs:/")


def utc_text(moment: datetime) -> str:
    """How lineage shows a time: ISO 8601 in UTC, as ``2024-01-01T09:20:00.900000+00:00``.

    Every source's times take this one form (a run record's included), so texts of it sort as
    the instants do: a whole second's ``+`` sorts before a fraction's ``.``. ``moment`` must
    be aware.
    """
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Recording:
    """One set of hashes a source recorded of a data set, with when it was first and last seen.

    Times are :func:`utc_text`; None when no sighting that recorded it was dated.
    """

    digests: tuple[tuple[str, str], ...]
    first_seen: str | None = None
    last_seen: str | None = None
    source: Source | None = None  # the event that recorded them last (None: the ref's source)


@dataclass(frozen=True)
class Symlink:
    """Another name of the same data set, from OpenLineage's ``symlinks`` dataset facet.

    Spark writes a table's files as ``file`` ``/warehouse/sales`` with a symlink to the Hive
    table ``analytics.sales``, which the next job reads by that name. ``uri`` is normalised as
    a data set's own location is; ``source`` is the event that first named it.
    """

    name: str  # as a data set of that namespace and name is shown
    uri: str
    kind: str | None  # the identifier's ``type`` (TABLE, …), None when not given
    source: Source

    @property
    def place(self) -> tuple[str, int]:
        """Where it was given (file, line): of two equal symlinks the earlier is kept."""
        return self.source.file, self.source.line or 0


@dataclass(frozen=True)
class DataRef:
    """One sighting of a data set by one source.

    ``uri`` is normalised (``normalise_uri``); ``local`` is the file it names on this machine when
    cardpress may read it. ``digests`` are the hashes the source recorded, as (algorithm, value).
    A ref can stand for several sightings (every event of one OpenLineage job naming the data
    set on one side, so the job keeps one edge to it): then ``digests`` and ``seen_at`` are the
    latest and ``history`` holds what each sighting recorded (see :func:`recordings`).
    """

    name: str
    uri: str
    origin: str
    source: Source
    local: Path | None = None
    digests: tuple[tuple[str, str], ...] = ()
    size: int | None = None
    rows: int | None = None
    columns: tuple[tuple[str, str | None], ...] = ()
    seen_at: str | None = None  # when the source saw it (:func:`utc_text`)
    role: str | None = None
    title: str | None = None  # a run record's human name for it (``name`` is the id)
    namespace: str | None = None  # OpenLineage namespace, drawn apart from the name
    table: bool = False  # a database table: it has no file content to hash
    about: tuple[tuple[str, str], ...] = ()  # origin facts: data source, imported from, remote
    model: tuple[str, str] | None = None  # the model version this output is (name, version)
    # several sightings: each distinct set of digests they recorded (none, too) with its first
    # and last seen, in the order first recorded; empty for one sighting
    history: tuple[Recording, ...] = ()
    # other names of this data set (OpenLineage ``symlinks`` facet): merged into one node
    symlinks: tuple[Symlink, ...] = ()


def recordings(ref: DataRef) -> tuple[Recording, ...]:
    """What ``ref``'s sightings recorded: its history, or its one sighting as one recording."""
    return ref.history or (Recording(ref.digests, ref.seen_at, ref.seen_at),)


@dataclass(frozen=True)
class ColumnLink:
    """One output column made from one input column (OpenLineage ``columnLineage``)."""

    output: str
    output_field: str
    input: str
    input_field: str
    transformation: str | None = None  # type and subtype, e.g. "DIRECT IDENTITY"
    description: str | None = None  # how, in words or as an expression


@dataclass(frozen=True)
class JobRun:
    """One run of a job: its id, last state and times (:func:`utc_text`)."""

    run_id: str
    state: str
    started_at: str | None = None
    ended_at: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class StageNow:
    """A locked DVC stage's command and parameters as ``dvc.yaml`` and its params files say now.

    ``command`` is dvc.yaml's (None when it cannot be compared: templated with ``${…}``).
    ``params`` are (file, key, value locked, value now), values as JSON text and None where
    absent; an empty key with no value now: the params file itself is gone.
    """

    command: str | None = None
    params: tuple[tuple[str, str, str | None, str | None], ...] = ()


@dataclass(frozen=True)
class Job:
    """A job (OpenLineage) or stage (DVC): what it read and wrote."""

    key: str
    name: str
    origin: str
    source: Source
    inputs: tuple[DataRef, ...] = ()
    outputs: tuple[DataRef, ...] = ()
    command: str | None = None
    description: str | None = None
    runs: tuple[JobRun, ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    metrics: tuple[tuple[str, str], ...] = ()
    column_lineage: tuple[ColumnLink, ...] = ()
    model: tuple[str, str] | None = None  # a run record's model and version
    namespace: str | None = None  # an OpenLineage job's namespace, drawn apart from its name
    derived: tuple[tuple[str, str], ...] = ()  # (data set id, id it was derived from)
    now: StageNow | None = None  # a DVC stage that ran: what dvc.lock is compared with


@dataclass(frozen=True)
class Staleness:
    """Why a node is out of date, as ``dvc status`` would say it (and what it follows from).

    ``changes`` are this stage's own changes, as (what, status, side): a changed file (path,
    "modified" or "deleted", "deps" or "outs"), parameter ("file: key" or the file, "modified",
    "new" or "deleted", "params") or command ("command", "modified", "command"); ``upstream``
    names the changes of stages above it, as "what status (stage)".
    """

    changes: tuple[tuple[str, str, str], ...] = ()
    upstream: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileHash:
    """The content of a reachable data file now: sha256, md5 (to compare with DVC) and size."""

    sha256: str
    md5: str
    size: int


@dataclass(frozen=True)
class LineageInputs:
    """Everything read for lineage besides the run records, with the warnings met on the way."""

    jobs: tuple[Job, ...] = ()
    hashes: dict[str, FileHash] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
