"""OpenLineage run events from files, as the openlineage-python file transport writes them.

A file holds one event (``append: false``, pretty-printed in ``debug_mode``), one event per line
(``append: true``), events one after the other, or a JSON array of events. A broken event is
skipped with a warning naming file and line (a few per file, the rest counted); facets
cardpress does not know are ignored. Events of one job are merged in ``eventTime`` order, later
facets replacing earlier ones of the same name, as the specification says; a data set the job
names in several events stays one ref (one edge), whose ``history`` keeps each version recorded
with when it was first and last seen. Event times are instants: ``…09:20:00Z`` comes before
``…09:20:00.900Z``, and ``10:00:00+02:00`` before ``09:00:00Z``; they are shown in UTC
(:func:`utc_text`). A run's state is its last START, RUNNING, COMPLETE, FAIL or ABORT event: an
OTHER event only adds facets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cardpress.errors import Problem
from cardpress.model import Source
from cardpress.model_lineage import (
    OPENLINEAGE,
    ColumnLink,
    DataRef,
    Job,
    JobRun,
    Recording,
    utc_text,
)
from cardpress.readers.files import Allowed, contained, files_under
from cardpress.readers.lineage.openlineage.event_files import events_of
from cardpress.readers.lineage.openlineage.facets import (
    ModelOf,
    column_links,
    dataset_ref,
    distinct_symlinks,
    job_facts,
    run_params,
    symlinks,
)

Locate = Callable[[str], tuple[str, Path | None]]
ENDED = ("COMPLETE", "FAIL", "ABORT")
STATES = ("START", "RUNNING", *ENDED)  # OTHER is not a state: it only adds facets
SUFFIXES = (".json", ".jsonl")
MAX_NAMED = 5  # files not read, named in the warning; the rest counted
UNDATED = datetime.max.replace(tzinfo=UTC)  # after every date: an undated event is read last


@dataclass
class _Seen:
    """What the events naming one data set on one side of a job recorded, as they are read."""

    count: int = 0
    # each set of digests recorded (none, too) → when first and last seen, in the order met
    times: dict[tuple[tuple[str, str], ...], tuple[str | None, str | None]] = field(
        default_factory=dict
    )
    # ... and the event that recorded it last: what a reviewer opens to see it recorded
    sources: dict[tuple[tuple[str, str], ...], Source] = field(default_factory=dict)

    def add(self, digests: tuple[tuple[str, str], ...], when: str | None, source: Source) -> None:
        first, last = self.times.get(digests, (None, None))
        # events come in time order, undated ones last: an undated one moves no time
        self.times[digests] = (first or when, when or last)
        self.sources[digests] = source  # the latest: undated events come last, as they count
        self.count += 1

    def history(self) -> tuple[Recording, ...]:
        """The ref's history: empty for one sighting, which the ref itself describes."""
        if self.count < 2:
            return ()
        return tuple(Recording(digests, *times, self.sources[digests])
                     for digests, times in self.times.items())  # fmt: skip


@dataclass
class _JobState:
    namespace: str
    source: Source
    inputs: dict[tuple[str, str], DataRef] = field(default_factory=dict)
    outputs: dict[tuple[str, str], DataRef] = field(default_factory=dict)
    seen: dict[tuple[str, str, str], _Seen] = field(default_factory=dict)  # (side, *ident)
    # run id → (event type, when, error message) of each of its events, in time order
    runs: dict[str, list[tuple[str, datetime | None, str | None]]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    columns: set[ColumnLink] = field(default_factory=set)


def read_openlineage(
    root: Path,
    folder: Path,
    locate: Locate,
    warnings: list[str],
    allow: Allowed = (),
    model_of: ModelOf | None = None,
) -> tuple[Job, ...]:
    """Every job of the events under ``folder`` (``*.json`` and ``*.jsonl``), in name order.

    Files that resolve outside the records folder (and ``allow``) are skipped with a warning.
    ``model_of`` says which outputs are model versions (``[lineage] model_uris``).
    """
    if not folder.is_dir():
        return ()
    located: list[tuple[datetime, str, int, int, dict[str, Any]]] = []
    outside: list[Problem] = []
    ignored: set[Path] = set()
    paths = files_under(root, folder, outside, lambda p: _events_file(p, ignored), allow)
    warnings += [f"{problem}; skipped" for problem in outside]
    warnings += _not_read(root, folder, ignored)
    for path in paths:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        real = contained(root, path, allow)
        odd: dict[str, list[tuple[int, str]]] = {}  # eventTimes without zone, or not times
        for line, event in events_of(real, name, warnings) if real else ():
            when = _instant(event.get("eventTime"), name, line, warnings, odd)
            located.append((when or UNDATED, name, line, len(located), event))
        warnings += _time_warnings(name, odd)
    located.sort(key=lambda item: item[:4])
    jobs: dict[str, _JobState] = {}
    for when, name, line, _, event in located:
        dated = None if when is UNDATED else when
        _add(jobs, event, Source(name, line), dated, (locate, model_of), warnings)
    return tuple(_job(key, state) for key, state in sorted(jobs.items()))


def _events_file(path: Path, ignored: set[Path]) -> bool:
    """Whether ``path`` is read for events; one that is not joins ``ignored``."""
    if path.suffix in SUFFIXES:
        return True
    ignored.add(path)
    return False


def _not_read(root: Path, folder: Path, ignored: set[Path]) -> list[str]:
    """A warning naming the files of the events folder that are not read.

    The client's file transport writes to the path it is given, suffix or not
    (``openlineage.log``): such a file would otherwise be left out without a word.
    """
    # hidden files and folders (.gitkeep, .DS_Store, .ipynb_checkpoints) are not worth a word
    shown = [p for p in ignored if not any(part.startswith(".") for part in
                                           p.relative_to(folder).parts)]  # fmt: skip
    files = sorted(p.relative_to(root).as_posix() for p in shown if p.is_relative_to(root))
    if not files:
        return []
    named = ", ".join(files[:MAX_NAMED])
    more = f" and {len(files) - MAX_NAMED} more" if len(files) > MAX_NAMED else ""
    where = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
    count = f"{len(files)} files are" if len(files) > 1 else "1 file is"
    return [f"{where}: {count} not read, since events are read from *.json and *.jsonl files "
            f"only: {named}{more} (rename an events file to end in .jsonl)"]  # fmt: skip


def _instant(
    value: Any, name: str, line: int, warnings: list[str], odd: dict[str, list[tuple[int, str]]]
) -> datetime | None:
    """An event's ``eventTime`` as an aware instant; None when it has none or is not a time.

    Comparing the texts would put ``…00.900Z`` before ``…00Z``. A time without a zone (which the
    specification forbids, but ``datetime.now().isoformat()`` writes) is read as UTC; both it
    and a text that is no time are noted in ``odd`` for one warning per file.
    """
    if not isinstance(value, str) or not value:
        warnings.append(f"{name}:{line}: event without eventTime (the OpenLineage spec requires "
                        "it); read after its job's dated events, undated")  # fmt: skip
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        odd.setdefault("invalid", []).append((line, value))
        return None
    if moment.tzinfo is None:
        odd.setdefault("naive", []).append((line, value))
        return moment.replace(tzinfo=UTC)
    return moment


def _time_warnings(name: str, odd: dict[str, list[tuple[int, str]]]) -> list[str]:
    """One warning per kind of odd eventTime in a file, naming the first and counting the rest."""
    what = {
        "naive": ("has no time zone (the OpenLineage spec requires one); read as UTC",
                  "without a time zone"),
        "invalid": ("is not an ISO 8601 time (the OpenLineage spec requires one); read after "
                    "its job's dated events, undated", "that are not times"),
    }  # fmt: skip
    warnings = []
    for kind, found in sorted(odd.items()):
        (line, value), rest = found[0], len(found) - 1
        problem, plural = what[kind]
        more = f" (and {rest} more eventTimes {plural} in this file)" if rest else ""
        warnings.append(f"{name}:{line}: eventTime {value!r} {problem}{more}")
    return warnings


def _add(
    jobs: dict[str, _JobState],
    event: dict[str, Any],
    source: Source,
    moment: datetime | None,
    finders: tuple[Locate, ModelOf | None],
    warnings: list[str],
) -> None:
    job = event.get("job")
    keys = ("namespace", "name")
    named = isinstance(job, dict) and all(isinstance(job.get(k), str) for k in keys)
    if not isinstance(job, dict) or not named:
        if "dataset" not in event:  # a DatasetEvent names no job: nothing to draw for it
            warnings.append(f"{source}: event without job namespace and name; skipped")
        return
    key = f"{job['namespace']}/{job['name']}"
    state = jobs.setdefault(key, _JobState(str(job["namespace"]), source))
    state.facts.update(job_facts(job.get("facets")))
    when = utc_text(moment) if moment else None
    run = event.get("run")
    if isinstance(run, dict) and isinstance(run.get("runId"), str):
        kind = str(event.get("eventType") or "OTHER")
        state.runs.setdefault(run["runId"], []).append((kind, moment, _error(run)))
        state.facts.setdefault("params", {}).update(run_params(run.get("facets")))
    for side, target in (("inputs", state.inputs), ("outputs", state.outputs)):
        for number, item in enumerate(event.get(side) or []):
            ref = dataset_ref(item, source, when, *finders)
            if ref is None:
                warnings.append(f"{source}: {side} entry without namespace and name; ignored")
                continue
            found = symlinks(item, f"{side}[{number}]", source, finders[0], warnings)
            ref = replace(ref, symlinks=found) if found else ref
            ident = (str(item["namespace"]), str(item["name"]))
            target[ident] = _merged(target.get(ident), ref)
            state.seen.setdefault((side, *ident), _Seen()).add(ref.digests, when, source)
            if side == "outputs":
                state.columns |= set(column_links(item, ref.name))


def _merged(before: DataRef | None, after: DataRef) -> DataRef:
    """The later sighting, keeping what only the earlier one recorded.

    Events come in time order (undated ones last, in file order), so ``after`` is the later.
    What each sighting recorded, and when, is kept apart (:class:`_Seen`), for the history.
    """
    if before is None:
        return after
    # the event whose time is shown is the one named beside it (the Sources row)
    source = after.source if after.seen_at is not None else before.source
    return DataRef(
        after.name, after.uri, after.origin, source, after.local,
        after.digests or before.digests, after.size if after.size is not None else before.size,
        after.rows if after.rows is not None else before.rows,
        after.columns or before.columns, after.seen_at or before.seen_at,
        namespace=after.namespace, table=after.table or before.table,
        about=after.about or before.about, model=after.model,
        symlinks=distinct_symlinks((*before.symlinks, *after.symlinks)),
    )  # fmt: skip


def _error(run: dict[str, Any]) -> str | None:
    facets = run.get("facets")
    error = facets.get("errorMessage") if isinstance(facets, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def _job(key: str, state: _JobState) -> Job:
    runs = []
    for run_id, events in sorted(state.runs.items()):  # each run's events in time order
        started = next((t for kind, t, _ in events if kind == "START"), events[0][1])
        ended = next((t for kind, t, _ in reversed(events) if kind in ENDED), None)
        error = next((e for _, _, e in reversed(events) if e), None)
        # the last event that says a state; a run with only OTHER events stays "OTHER"
        last = next((kind for kind, _, _ in reversed(events) if kind in STATES), events[-1][0])
        first, end = (utc_text(t) if t else None for t in (started, ended))
        runs.append(JobRun(run_id, last, first, end, error))
    runs.sort(key=lambda r: (r.started_at or "", r.run_id))  # utc_text sorts as time does
    facts = state.facts
    return Job(
        key=f"openlineage:{key}", name=key, origin=OPENLINEAGE, source=state.source,
        namespace=state.namespace,
        inputs=_refs(state, "inputs", state.inputs), outputs=_refs(state, "outputs", state.outputs),
        command=facts.get("command"), description=facts.get("description"), runs=tuple(runs),
        params=tuple(sorted(facts.get("params", {}).items())),
        column_lineage=tuple(sorted(state.columns, key=_column_order)),
    )  # fmt: skip


def _refs(state: _JobState, side: str, refs: dict[tuple[str, str], DataRef]) -> tuple[DataRef, ...]:
    """One side's refs in name order, each with the history of the sightings it stands for."""
    return tuple(replace(ref, history=state.seen[(side, *ident)].history())
                 for ident, ref in sorted(refs.items()))  # fmt: skip


def _column_order(link: ColumnLink) -> tuple[str, str, str, str]:
    return (link.output, link.output_field, link.input, link.input_field)
