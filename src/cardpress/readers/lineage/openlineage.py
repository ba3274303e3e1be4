"""OpenLineage run events from files, as the openlineage-python file transport writes them.

A file holds one event (``append: false``, possibly pretty-printed) or one event per line
(``append: true``). Malformed lines are skipped with a warning naming file and line; facets
cardpress does not know are ignored. Events of one job are merged in ``eventTime`` order, later
facets replacing earlier ones of the same name, as the specification says.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardpress.errors import Problem
from cardpress.model import Source
from cardpress.model_lineage import OPENLINEAGE, ColumnLink, DataRef, Job, JobRun
from cardpress.readers.files import Allowed, contained, files_under
from cardpress.readers.limits import MAX_JSON_DEPTH, MAX_LINEAGE_BYTES, json_too_deep
from cardpress.readers.lineage.openlineage_facets import (
    column_links,
    dataset_ref,
    job_facts,
    run_params,
)

Locate = Callable[[str], tuple[str, Path | None]]
ENDED = ("COMPLETE", "FAIL", "ABORT")


@dataclass
class _JobState:
    name: str
    source: Source
    inputs: dict[tuple[str, str], DataRef] = field(default_factory=dict)
    outputs: dict[tuple[str, str], DataRef] = field(default_factory=dict)
    runs: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    columns: set[ColumnLink] = field(default_factory=set)


def read_openlineage(
    root: Path, folder: Path, locate: Locate, warnings: list[str], allow: Allowed = ()
) -> tuple[Job, ...]:
    """Every job of the events under ``folder`` (``*.json`` and ``*.jsonl``), in name order.

    Files that resolve outside the records folder (and ``allow``) are skipped with a warning.
    """
    if not folder.is_dir():
        return ()
    located = []
    outside: list[Problem] = []
    paths = files_under(root, folder, outside, lambda p: p.suffix in (".json", ".jsonl"), allow)
    warnings += [f"{problem}; skipped" for problem in outside]
    for path in paths:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        real = contained(root, path, allow)
        for line, event in _events(real, name, warnings) if real else ():
            located.append((str(event.get("eventTime", "")), name, line, event))
    located.sort(key=lambda item: (item[0], item[1], item[2]))
    jobs: dict[str, _JobState] = {}
    for _, name, line, event in located:
        _add(jobs, event, Source(name, line), locate, warnings)
    return tuple(_job(key, state) for key, state in sorted(jobs.items()))


def _events(path: Path, name: str, warnings: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        if path.stat().st_size > MAX_LINEAGE_BYTES:
            warnings.append(f"{name}: larger than {MAX_LINEAGE_BYTES >> 20} MiB; its events "
                            "are skipped (split it into smaller files)")  # fmt: skip
            return
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        warnings.append(f"{name}: cannot be read ({error}); its events are skipped")
        return
    whole = _json(text) if text.lstrip().startswith("{") else None
    if isinstance(whole, dict):
        yield 1, whole
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if json_too_deep(line) is not None:
            warnings.append(f"{name}:{number}: arrays and objects nested deeper than "
                            f"{MAX_JSON_DEPTH} levels; line skipped")  # fmt: skip
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as error:
            warnings.append(f"{name}:{number}: not a JSON object ({error.msg}); line skipped")
            continue
        if isinstance(event, dict):
            yield number, event
        else:
            warnings.append(f"{name}:{number}: not a JSON object; line skipped")


def _json(text: str) -> Any:
    """The one JSON document of a whole file, or None (then it is read line by line)."""
    if json_too_deep(text) is not None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _add(
    jobs: dict[str, _JobState],
    event: dict[str, Any],
    source: Source,
    locate: Locate,
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
    state = jobs.setdefault(key, _JobState(str(job["name"]), source))
    state.facts.update(job_facts(job.get("facets")))
    when = event.get("eventTime") if isinstance(event.get("eventTime"), str) else None
    run = event.get("run")
    if isinstance(run, dict) and isinstance(run.get("runId"), str):
        kind = str(event.get("eventType") or "OTHER")
        state.runs.setdefault(run["runId"], []).append((kind, when or "", _error(run)))
        state.facts.setdefault("params", {}).update(run_params(run.get("facets")))
    for side, target in (("inputs", state.inputs), ("outputs", state.outputs)):
        for item in event.get(side) or []:
            ref = dataset_ref(item, source, when, locate)
            if ref is None:
                warnings.append(f"{source}: {side} entry without namespace and name; ignored")
                continue
            ident = (str(item["namespace"]), str(item["name"]))
            target[ident] = _merged(target.get(ident), ref)
            if side == "outputs":
                state.columns |= set(column_links(item, ref.name))


def _merged(before: DataRef | None, after: DataRef) -> DataRef:
    """The later sighting, keeping what only the earlier one recorded."""
    if before is None:
        return after
    return DataRef(
        after.name, after.uri, after.origin, before.source, after.local,
        after.digests or before.digests, after.size if after.size is not None else before.size,
        after.rows if after.rows is not None else before.rows,
        after.columns or before.columns, after.seen_at or before.seen_at,
    )  # fmt: skip


def _error(run: dict[str, Any]) -> str | None:
    facets = run.get("facets")
    error = facets.get("errorMessage") if isinstance(facets, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def _job(key: str, state: _JobState) -> Job:
    runs = []
    for run_id, events in sorted(state.runs.items()):
        times = sorted(events, key=lambda e: e[1])
        started = next((t for kind, t, _ in times if kind == "START"), times[0][1])
        ended = next((t for kind, t, _ in reversed(times) if kind in ENDED), None)
        error = next((e for _, _, e in reversed(times) if e), None)
        runs.append(JobRun(run_id, times[-1][0], started or None, ended, error))
    runs.sort(key=lambda r: (r.started_at or "", r.run_id))
    facts = state.facts
    return Job(
        key=f"openlineage:{key}", name=key, origin=OPENLINEAGE, source=state.source,
        inputs=tuple(v for _, v in sorted(state.inputs.items())),
        outputs=tuple(v for _, v in sorted(state.outputs.items())),
        command=facts.get("command"), description=facts.get("description"), runs=tuple(runs),
        params=tuple(sorted(facts.get("params", {}).items())),
        column_lineage=tuple(sorted(state.columns, key=_column_order)),
    )  # fmt: skip


def _column_order(link: ColumnLink) -> tuple[str, str, str, str]:
    return (link.output, link.output_field, link.input, link.input_field)
