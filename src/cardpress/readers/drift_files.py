"""Every monitoring file summarised on its own, per window; unchanged files come from the cache.

A build scans only the files that are new or changed (and, when a label file changed, the
outcome columns of the rest): their rows are grouped by file and window in one query, the
kept summaries of the others are read back, and each window's parts are merged in file order,
so the result is the same whichever files were scanned.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.model_drift import DriftSettings, FeatureBins, Performance, merge_counts
from cardpress.readers import drift_cache as cache
from cardpress.readers.drift_engine import (
    Counts,
    Outcome,
    counts_by,
    performance_by_window,
    versions_by_window,
)
from cardpress.readers.drift_windows import WINDOW, window_start, with_windows
from cardpress.readers.monitoring import SOURCE, TIME


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


def file_facts(
    table: ir.Table, files: Files, store: dict[str, Any], settings: DriftSettings
) -> None:
    """Time span, model versions and rows per version and window of every new file.

    One query for all new files, into ``store``. Row windows span files, so their versions are
    counted later, with the windows.
    """
    kept = store["files"]
    for name in files.fresh:
        kept.pop(name, None)
    fresh = [source for source, name in files.names.items() if name in files.fresh]
    found: dict[str, dict[str, Any]] = {}
    if fresh:
        chosen = _only(table, fresh, files)
        calendar = settings.window != "rows"
        chosen = with_windows(chosen, settings) if calendar else chosen
        version = (chosen[settings.version].cast("string") if settings.version in chosen.columns
                   else ibis.null("string"))  # fmt: skip
        keys = [chosen[SOURCE], version.name("v"), *([chosen[WINDOW]] if calendar else [])]
        query = chosen.group_by(keys).aggregate(
            first=chosen[TIME].min(), last=chosen[TIME].max(), n=chosen.count()
        )
        for row in query.to_pyarrow().to_pylist():
            _add_fact(found.setdefault(files.names[row[SOURCE]], {}), row, settings)
    for name in files.fresh:  # a file without rows still has a (empty) entry
        entry = found.get(name, {"span": None, "versions": [], "window_versions": {}})
        entry["versions"] = sorted(set(entry["versions"]))
        kept[name] = {**entry, "stamp": files.stamps[name], "facts_key": facts_key(settings)}


def _add_fact(entry: dict[str, Any], row: dict[str, Any], settings: DriftSettings) -> None:
    first, last = _naive(row["first"]).isoformat(), _naive(row["last"]).isoformat()
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
    """Every window's summaries; scans only what the store cannot give."""
    counts_key = cache.digest(bins, settings.window, settings.window_rows, settings.version)
    outcome_key = cache.digest(outcome, settings.score_decimals, settings.window, labels)
    kept = store["files"]
    by_name = {name: source for source, name in files.names.items()}
    if settings.window == "rows":  # a row window spans files: nothing is kept
        return _whole(windowed, bins, outcome, settings)
    need_counts = sorted(n for n in by_name if kept[n].get("counts_key") != counts_key)
    need_outcome = sorted(n for n in by_name if kept[n].get("outcome_key") != outcome_key)
    _scan_counts(windowed, [by_name[n] for n in need_counts], files, kept, bins, settings)
    _scan_outcome(windowed, [by_name[n] for n in need_outcome], files, kept, outcome, settings)
    for name in need_counts:
        kept[name]["counts_key"] = counts_key
    for name in need_outcome:
        kept[name]["outcome_key"] = outcome_key
    for name in list(kept):
        if name not in by_name:
            del kept[name]  # a file that is gone leaves the store
    return _merged(kept, sorted(by_name))


def _scan_counts(
    windowed: ir.Table,
    sources: list[str],
    files: Files,
    kept: dict[str, Any],
    bins: list[FeatureBins],
    settings: DriftSettings,
) -> None:
    if not sources:
        return
    chosen = _only(windowed, sources, files)
    counts = counts_by(chosen, [SOURCE, WINDOW], bins)
    found: dict[str, dict[str, Any]] = {files.names[s]: {} for s in sources}
    for (source, window), part in counts.items():
        start = cache.window_text(window_start(window, settings.window))
        found[files.names[source]][start] = cache.encode_counts(part)
    for name, windows in found.items():
        kept[name]["windows"] = windows


def _scan_outcome(
    windowed: ir.Table,
    sources: list[str],
    files: Files,
    kept: dict[str, Any],
    outcome: Outcome,
    settings: DriftSettings,
) -> None:
    if not sources:
        return
    chosen = _only(windowed, sources, files)
    found: dict[str, dict[str, Any]] = {files.names[s]: {} for s in sources}
    performance = performance_by_window(chosen, outcome, settings.score_decimals)
    for (source, window), part in performance.items():
        start = cache.window_text(window_start(window, settings.window))
        found[files.names[source]][start] = cache.encode_performance(part)
    for name, windows in found.items():
        kept[name]["outcome"] = windows


def _only(table: ir.Table, sources: list[str], files: Files) -> ir.Table:
    """The rows of ``sources``; no filter at all when that is every file (the first build)."""
    if set(sources) >= set(files.names):
        return table
    return table.filter(table[SOURCE].isin(sources))


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


def merge_performance(a: Performance, b: Performance) -> Performance:
    """The labelled outcomes of two disjoint row sets."""
    scores: dict[float, list[int]] = {}
    for score, positives, negatives in (*a.score_counts, *b.score_counts):
        pair = scores.setdefault(score, [0, 0])
        pair[0] += positives
        pair[1] += negatives
    delays = (
        tuple(x + y for x, y in zip(a.delay_counts, b.delay_counts, strict=True))
        if a.delay_counts and b.delay_counts
        else a.delay_counts or b.delay_counts
    )
    return Performance(
        rows=a.rows + b.rows, labelled=a.labelled + b.labelled,
        tp=a.tp + b.tp, fp=a.fp + b.fp, tn=a.tn + b.tn, fn=a.fn + b.fn,
        score_counts=tuple((s, p, n) for s, (p, n) in sorted(scores.items())),
        delay_counts=delays, delay_sum=a.delay_sum + b.delay_sum,
    )  # fmt: skip


def _naive(value: Any) -> datetime:
    moment: datetime = value
    return moment.replace(tzinfo=None)
