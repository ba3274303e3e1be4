"""Every monitoring file summarised on its own, per window; unchanged files come from the cache.

A build scans only the files that are new or changed (and, when a label file changed, the
outcome columns of the rest): their rows are grouped by file and window in one query, the
kept summaries of the others are read back, and each window's parts are merged in file order,
so the result is the same whichever files were scanned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.errors import Problem
from cardpress.model_drift import (
    DriftSettings,
    FeatureBins,
    Performance,
    merge_counts,
    merge_performance,
)
from cardpress.readers.drift import cache
from cardpress.readers.drift.engine import (
    Counts,
    Outcome,
    counts_by,
    performance_by_window,
    versions_by_window,
)
from cardpress.readers.drift.engines import query_rows
from cardpress.readers.drift.windows import WINDOW, naive, window_start, with_windows
from cardpress.readers.monitoring import SOURCE, TIME, Rows, rows_of, zoned_text


@dataclass
class Window:
    """One window's summaries, merged over the files that have rows in it."""

    counts: Counts = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    performance: Performance | None = None


@dataclass(frozen=True)
class Files:
    """The monitoring files by the value of ``SOURCE``: their names and which need a scan."""

    names: dict[str, str]  # SOURCE value -> name relative to the records folder
    stamps: dict[str, list[int]]  # name -> size and mtime
    fresh: frozenset[str]  # names whose kept summaries cannot be used at all


def facts_key(settings: DriftSettings) -> str:
    """What a file's facts (span, versions per window) depend on besides the file itself."""
    return cache.digest(settings.window, settings.version, settings.timestamp)


def file_facts(rows: Rows, files: Files, store: dict[str, Any], settings: DriftSettings) -> None:
    """Time span, model versions, rows per version and window, and time zones of every new file.

    One query for all new files, into ``store``. Row windows span files, so their versions are
    counted later, with the windows. ``zones`` counts the rows whose timestamp carries a time
    zone and those without (:func:`zone_problem` compares them over every file).
    """
    kept = store["files"]
    fresh = [source for source, name in files.names.items() if name in files.fresh]
    found: dict[str, dict[str, Any]] = {}
    if fresh:
        chosen = rows_of(rows.table, fresh, files.names)
        calendar = settings.window != "rows"
        chosen = with_windows(chosen, settings) if calendar else chosen
        version = (chosen[settings.version].cast("string") if settings.version in chosen.columns
                   else ibis.null("string"))  # fmt: skip
        keys = [chosen[SOURCE], version.name("v"), *([chosen[WINDOW]] if calendar else [])]
        zoned = zoned_text(chosen[settings.timestamp].cast("string")).cast("int64").sum()
        if all(files.names[source] in rows.typed_zones for source in fresh):  # no text
            zoned = ibis.literal(0)
        query = chosen.group_by(keys).aggregate(
            first=chosen[TIME].min(), last=chosen[TIME].max(), n=chosen.count(), zoned=zoned
        )
        for row in query_rows(query):
            name = files.names[row[SOURCE]]
            typed = rows.typed_zones.get(name)  # a typed column: its type says it
            zoned_rows = int(row["zoned"] or 0) if typed is None else (row["n"] if typed else 0)
            entry = found.setdefault(name, {"zones": [0, 0]})
            entry["zones"] = [entry["zones"][0] + zoned_rows,
                              entry["zones"][1] + row["n"] - zoned_rows]  # fmt: skip
            _add_fact(entry, row, settings)
    for name in files.fresh:  # a file without rows still has a (empty) entry
        empty: dict[str, Any] = {
            "span": None,
            "versions": [],
            "window_versions": {},
            "zones": [0, 0],
        }
        entry = found.get(name, empty)
        entry["versions"] = sorted(set(entry["versions"]))
        kept[name] = {**entry, "stamp": files.stamps[name], "facts_key": facts_key(settings)}


def zone_problem(files: Files, store: dict[str, Any], timestamp: str) -> Problem | None:
    """Timestamps with a time zone and without, in one file or across files, are refused.

    Naive timestamps are read as UTC; beside zoned ones they are most likely local times, read
    hours off (the same rule as for Parquet's typed timestamps, over text ones too). The counts
    are each file's kept ``zones``, so a new file is compared with the files already read.
    """
    zones = {name: store["files"][name]["zones"] for name in sorted(files.stamps)}
    naive = [name for name, (_, without) in zones.items() if without]
    zoned = [name for name, (with_zone, _) in zones.items() if with_zone]
    if not naive or not zoned:
        return None
    other = next((name for name in zoned if name != naive[0]), None)
    where = f"with one in other files ({other})" if other else "with one on its other rows"
    message = f"timestamps without a time zone here, {where}"
    fix = "write every timestamp with its offset (e.g. 2026-03-01T10:00:00Z)"
    return Problem(naive[0], None, timestamp, message, fix)


def _add_fact(entry: dict[str, Any], row: dict[str, Any], settings: DriftSettings) -> None:
    first, last = naive(row["first"]).isoformat(), naive(row["last"]).isoformat()
    span = entry.get("span") or [first, last]
    entry["span"] = [min(span[0], first), max(span[1], last)]
    entry.setdefault("versions", [])
    if row["v"] is not None:
        entry["versions"].append(str(row["v"]))
    if WINDOW in row:
        start = cache.window_text(window_start(row[WINDOW], settings.window))
        rows = entry.setdefault("window_versions", {}).setdefault(start, [])
        rows.append([str(row["v"]) if row["v"] is not None else "unknown", int(row["n"])])
        rows.sort()


def summarise(
    windowed: ir.Table,
    files: Files,
    store: dict[str, Any],
    bins: list[FeatureBins],
    outcome: Outcome,
    settings: DriftSettings,
    labels: str,
) -> dict[Any, Window]:
    """Every window's summaries; scans only what the store cannot give.

    Counts depend on the bins and windows, outcomes on the outcome columns, the windows and
    every late-label file (``labels``): each part of a file is scanned again only when its own
    digest changed.
    """
    if settings.window == "rows":  # a row window spans files: nothing is kept
        return _whole(windowed, bins, outcome, settings)
    kept = store["files"]
    by_name = {name: source for source, name in files.names.items()}
    scans: list[tuple[str, str, Any, Any]] = [
        ("windows", cache.digest(bins, settings.window, settings.window_rows),
         lambda rows: counts_by(rows, [SOURCE, WINDOW], bins), cache.encode_counts),
        ("outcome", cache.digest(outcome, settings.score_decimals, settings.window, labels),
         lambda rows: performance_by_window(rows, outcome, settings.score_decimals),
         cache.encode_performance),
    ]  # fmt: skip
    for part, key, scan, encode in scans:
        stale = sorted(n for n in by_name if kept[n].get(f"{part}_key") != key)
        if not stale:
            continue
        found: dict[str, dict[str, Any]] = {name: {} for name in stale}
        for (source, window), summary in scan(rows_of(windowed, [by_name[n] for n in stale],
                                                      files.names)).items():  # fmt: skip
            start = cache.window_text(window_start(window, settings.window))
            found[files.names[source]][start] = encode(summary)
        for name in stale:
            kept[name].update({part: found[name], f"{part}_key": key})
    for name in list(kept):
        if name not in by_name:
            del kept[name]  # a file that is gone leaves the store
    return _merged(kept, sorted(by_name))


def _merged(kept: dict[str, Any], names: list[str]) -> dict[Any, Window]:
    windows: dict[Any, Window] = defaultdict(Window)
    for name in names:
        for text, part in kept[name].get("windows", {}).items():
            _add(windows[cache.window_value(text)], cache.decode_counts(part), [], None)
        for text, versions in kept[name].get("window_versions", {}).items():
            _add(windows[cache.window_value(text)], {}, [tuple(v) for v in versions], None)
        for text, part in kept[name].get("outcome", {}).items():
            _add(windows[cache.window_value(text)], {}, [],
                 cache.decode_performance(part))  # fmt: skip
    return dict(windows)


def _whole(
    windowed: ir.Table, bins: list[FeatureBins], outcome: Outcome, settings: DriftSettings
) -> dict[Any, Window]:
    version = settings.version if settings.version in windowed.columns else None
    windows: dict[Any, Window] = defaultdict(Window)
    for (_, window), part in counts_by(windowed, [SOURCE, WINDOW], bins).items():
        _add(windows[window], part, [], None)
    for (_, window), seen in versions_by_window(windowed, version).items():
        _add(windows[window], {}, seen, None)
    performance = performance_by_window(windowed, outcome, settings.score_decimals)
    for (_, window), outcome_part in performance.items():
        _add(windows[window], {}, [], outcome_part)
    return dict(windows)


def _add(
    window: Window, counts: Counts, versions: list[Any], performance: Performance | None
) -> None:
    for name, part in counts.items():
        before = window.counts.get(name)
        window.counts[name] = part if before is None else merge_counts(before, part)
    for version, rows in versions:
        window.versions[str(version)] = window.versions.get(str(version), 0) + int(rows)
    if performance is not None:
        window.performance = (
            merge_performance(window.performance, performance)
            if window.performance
            else performance
        )
