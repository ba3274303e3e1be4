"""Read each model's monitoring rows and reduce them to :class:`DriftSummaries` (DuckDB engine).

For every model with a monitoring folder (``monitoring/<model>/`` unless ``[drift]`` names
another): check the files, join late labels from ``labels/`` by prediction id, freeze bins from
the reference, and aggregate per window. Problems stop the build before anything is written;
what only weakens the page (an empty window, no labels) becomes a warning shown on it.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.compute.site import version_key
from cardpress.errors import Problem
from cardpress.model import Records, Run
from cardpress.model_drift import DriftSettings, DriftSummaries, FeatureBins
from cardpress.readers.drift_bins import MAX_CATEGORIES, feature_kinds, frozen_bins
from cardpress.readers.drift_engine import (
    WINDOW,
    Outcome,
    calendar,
    counts_by,
    performance_by_window,
    reference_chunks,
    summary,
    versions_by_window,
    window_key,
    with_windows,
)
from cardpress.readers.monitoring import TIME, data_files, open_file, read_rows

RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")


def read_drift(root: Path, records: Records, problems: list[Problem]) -> tuple[DriftSummaries, ...]:
    """Summaries of every model that has monitoring data, in model order."""
    found = []
    for model in sorted({run.model for run in records.runs}):
        settings = records.config.drift_for(model)
        folder = root / (settings.data or f"monitoring/{model}")
        if not folder.exists():
            continue
        runs = [run for run in records.runs if run.model == model]
        result = _model(root, folder, model, runs, settings, problems)
        if result is not None:
            found.append(result)
    return tuple(found)


def _model(
    root: Path,
    folder: Path,
    model: str,
    runs: list[Run],
    settings: DriftSettings,
    problems: list[Problem],
) -> DriftSummaries | None:
    con = ibis.duckdb.connect()
    # every feature is a query over the same files: read their footers once, not per query
    con.raw_sql("SET parquet_metadata_cache = true")
    con.raw_sql("SET enable_progress_bar = false")  # a build prints its own messages only
    paths = data_files(folder)
    if not paths:
        name = folder.relative_to(root).as_posix()
        fix = "add Parquet, CSV or JSONL files of production rows, or remove the folder"
        problems.append(Problem(name, None, "", "no monitoring files", fix))
        return None
    rows = read_rows(con, root, paths, settings.timestamp, problems)
    if rows is None:
        return None
    table = _with_labels(con, root, folder, rows.table, settings, problems)
    warnings: list[str] = []
    newest = _newest_run(table, settings, runs)
    reference, reference_name = _reference(con, root, table, settings, newest, problems)
    if reference is None:
        return None
    bins = _bins(table, reference, settings, rows.files[0], problems, warnings)
    if bins is None:
        return None
    windowed = with_windows(table, settings)
    outcome = _outcome(table, settings, newest)
    return _assemble(model, settings, reference_name, bins, reference, windowed, outcome,
                     rows.files, warnings)  # fmt: skip


def _assemble(
    model: str,
    settings: DriftSettings,
    reference_name: str,
    bins: list[FeatureBins],
    reference: ir.Table,
    windowed: ir.Table,
    outcome: Outcome,
    files: tuple[str, ...],
    warnings: list[str],
) -> DriftSummaries:
    counts = counts_by(windowed, WINDOW, bins)
    versions = versions_by_window(
        windowed, settings.version if settings.version in windowed.columns else None
    )
    performance = performance_by_window(windowed, outcome, settings.score_decimals)
    names = [b.name for b in bins]
    windows = []
    for key, span, group in _spans(windowed, settings, list(versions)):
        if group is None or group not in counts:
            warnings.append(f"window {key} has no rows: its statistics are left empty")
            windows.append(summary(key, span, {}, [], None, names))
            continue
        windows.append(summary(key, span, counts[group], versions[group],
                               performance.get(group), names))  # fmt: skip
    whole = counts_by(reference, None, bins)[None]
    if outcome.label is None:
        warnings.append("no label column: performance over time cannot be shown")
    return DriftSummaries(
        model=model, engine="duckdb", window=settings.window,
        window_rows=settings.window_rows if settings.window == "rows" else None,
        reference_name=reference_name, bins=tuple(bins),
        reference=tuple((n, whole[n]) for n in names),
        reference_chunks=tuple(tuple((n, c[n]) for n in names if n in c)
                               for c in reference_chunks(reference, bins)),
        windows=tuple(windows), sources=files, warnings=tuple(warnings),
    )  # fmt: skip


def _spans(
    windowed: ir.Table, settings: DriftSettings, groups: list[Any]
) -> list[tuple[str, tuple[str, str], Any]]:
    """(key, (start, end), group value or None when empty) of every window, in time order."""
    if settings.window == "rows":
        times = windowed.group_by(WINDOW).aggregate(a=windowed[TIME].min(), b=windowed[TIME].max())
        spans = sorted((r[WINDOW], r["a"], r["b"]) for r in times.to_pyarrow().to_pylist())
        return [(f"rows-{n + 1}", (_iso(a), _iso(b)), n) for n, a, b in spans]
    starts = {_naive(g): g for g in groups}
    return [
        (window_key(start, settings.window), (_iso(start), _iso(end)), starts.get(start))
        for start, end in calendar(list(starts), settings.window)
    ]


def _with_labels(
    con: Any,
    root: Path,
    folder: Path,
    table: ir.Table,
    settings: DriftSettings,
    problems: list[Problem],
) -> ir.Table:
    """Late labels from ``labels/`` joined by prediction id (a label there wins)."""
    labels_folder = folder / "labels" if folder.is_dir() else None
    if labels_folder is None or not labels_folder.is_dir():
        return table
    tables = [open_file(con, root, p, problems) for p in data_files(labels_folder)]
    found = [t for t in tables if t is not None]
    if not found or settings.id not in table.columns:
        return table
    labels = (found[0] if len(found) == 1 else ibis.union(*found)).select(
        late_id=ibis._[settings.id], late_label=ibis._[settings.label],
        late_time=ibis._[settings.label_timestamp],
    )  # fmt: skip
    joined = table.left_join(labels, table[settings.id] == labels.late_id)
    label = settings.label
    own = joined[label].cast("string") if label in table.columns else ibis.null("string")
    stamp = settings.label_timestamp
    own_time = joined[stamp].cast("string") if stamp in table.columns else ibis.null("string")
    return joined.mutate(
        **{label: joined.late_label.cast("string").coalesce(own),
           stamp: joined.late_time.cast("string").coalesce(own_time)}
    ).drop("late_id", "late_label", "late_time")  # fmt: skip


def _newest_run(table: ir.Table, settings: DriftSettings, runs: list[Run]) -> Run | None:
    by_version = {run.version: run for run in runs}
    if settings.version not in table.columns:
        return max(runs, key=lambda r: version_key(r.version), default=None)
    seen = table.select(v=table[settings.version].cast("string")).distinct().to_pyarrow()
    known = [str(v) for v in seen.column("v").to_pylist() if str(v) in by_version]
    return by_version[max(known, key=version_key)] if known else None


def _reference(
    con: Any,
    root: Path,
    table: ir.Table,
    settings: DriftSettings,
    newest: Run | None,
    problems: list[Problem],
) -> tuple[ir.Table | None, str]:
    match = RANGE.match(settings.reference)
    if match:
        first, last = (datetime.fromisoformat(d) for d in match.groups())
        chosen = table.filter((table[TIME] >= first) & (table[TIME].date() <= last.date()))
        return chosen, f"monitoring rows from {match.group(1)} to {match.group(2)}"
    if newest is None:
        fix = 'name a time range as reference, e.g. reference = "2026-03-01/2026-03-14"'
        message = "no run record of the versions in the monitoring rows"
        problems.append(Problem("cardpress.toml", None, "drift.reference", message, fix))
        return None, ""
    dataset = next((d for d in newest.datasets if d.role == settings.reference), None)
    if dataset is None:
        fix = "give drift.reference a role the run record has, or a time range"
        problems.append(Problem(newest.source.file, None, "datasets",
                                f"no data set with role {settings.reference!r}", fix))  # fmt: skip
        return None, ""
    path = root / dataset.uri
    reference = open_file(con, root, path, problems) if path.is_file() else None
    if reference is None and path.is_file():
        return None, ""
    if reference is None:
        fix = "put the file there, or name a time range of the monitoring rows as reference"
        problems.append(Problem(newest.source.file, None, f"datasets.{dataset.id}",
                                f"reference file {dataset.uri} not found", fix))  # fmt: skip
        return None, ""
    return (
        reference,
        f"{dataset.role} data {dataset.id} ({dataset.uri}) of version {newest.version}",
    )


def _bins(
    table: ir.Table,
    reference: ir.Table,
    settings: DriftSettings,
    first_file: str,
    problems: list[Problem],
    warnings: list[str],
) -> list[FeatureBins] | None:
    outcome_columns = {settings.timestamp, settings.version, settings.score, settings.label,
                       settings.label_timestamp, settings.id, TIME, *settings.exclude}  # fmt: skip
    features = sorted(c for c in table.columns if c not in outcome_columns)
    missing = [f for f in features if f not in reference.columns]
    for name in missing:
        if name == settings.prediction:
            warnings.append("the reference has no predictions: prediction drift is not shown")
            continue
        fix = "add the column to the reference data, or list it in [drift] exclude"
        problems.append(Problem(first_file, None, name, "feature missing from the reference", fix))
    if any(m != settings.prediction for m in missing):
        return None
    kept = [f for f in features if f in reference.columns]
    # the predicted class is a category whatever its type, unless declared numeric
    categorical = (*settings.categorical, settings.prediction)
    kinds = feature_kinds(table, kept, settings.numeric, categorical)
    bins = frozen_bins(reference, kinds, settings.bins)
    for frozen in bins:
        if len(frozen.categories) > MAX_CATEGORIES:
            fix = "list it in [drift] numeric or exclude, or bucket it before monitoring"
            count = len(frozen.categories)
            message = f"{count} categories in the reference (at most {MAX_CATEGORIES})"
            problems.append(Problem(first_file, None, frozen.name, message, fix))
            return None
    return bins


def _outcome(table: ir.Table, settings: DriftSettings, newest: Run | None) -> Outcome:
    def column(name: str) -> str | None:
        return name if name in table.columns else None

    positive = newest.predictions.positive_label if newest and newest.predictions else 1
    text = str(positive).lower() if isinstance(positive, bool) else str(positive)
    return Outcome(column(settings.prediction), column(settings.label),
                   column(settings.label_timestamp), column(settings.score), text)  # fmt: skip


def _naive(value: Any) -> datetime:
    moment: datetime = value
    return moment.replace(tzinfo=None)


def _iso(value: Any) -> str:
    return _naive(value).isoformat() + "Z"
