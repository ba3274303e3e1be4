"""Read each model's monitoring rows and reduce them to :class:`DriftSummaries`.

For every model with a monitoring folder (``monitoring/<model>/`` unless ``[drift]`` names
another): check the files, join late labels from ``labels/`` by prediction id, freeze bins from
the reference, and aggregate per window. Problems stop the build before anything is written;
what only weakens the page (an empty window, no labels) becomes a warning shown on it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.compute.site import version_key
from cardpress.errors import Problem
from cardpress.model import Records, Run
from cardpress.model_drift import (
    DriftSettings,
    DriftSummaries,
    Engine,
    FeatureBins,
    Kind,
    merge_counts,
)
from cardpress.readers import drift_cache as cache
from cardpress.readers.drift_bins import MAX_CATEGORIES, feature_kinds, frozen_bins
from cardpress.readers.drift_engine import (
    WINDOW,
    Counts,
    Outcome,
    calendar,
    counts_by,
    reference_chunks,
    summary,
    window_key,
    with_windows,
)
from cardpress.readers.drift_engines import connect
from cardpress.readers.drift_files import Files, Window, file_facts, summarise
from cardpress.readers.monitoring import (
    SOURCE,
    TIME,
    data_files,
    name_of,
    open_file,
    read_rows,
    source_of,
)

DriftEngine = tuple[Engine, str | None]  # --engine and --spark-master of the command line
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")


def read_drift(
    root: Path, records: Records, problems: list[Problem], engine: DriftEngine | None = None
) -> tuple[DriftSummaries, ...]:
    """Summaries of every model that has monitoring data, in model order.

    ``engine`` (name, Spark master URL) overrides the config's, as ``--engine`` does.
    """
    found = []
    for model in sorted({run.model for run in records.runs}):
        settings = records.config.drift_for(model)
        if engine is not None:
            settings = replace(settings, engine=engine[0], spark_master=engine[1] or
                               settings.spark_master)  # fmt: skip
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
    paths = data_files(folder)
    if not paths:
        name = folder.relative_to(root).as_posix()
        fix = "add Parquet, CSV or JSONL files of production rows, or remove the folder"
        problems.append(Problem(name, None, "", "no monitoring files", fix))
        return None
    store_file = cache.cache_file(root, model, settings.cache)
    store = cache.load(store_file)
    files = _files(root, paths, store)
    con = connect(settings.engine, settings.spark_master)
    fresh = [p for p in paths if name_of(root, p) in files.fresh]
    rows = read_rows(con, settings.engine, root, paths, settings.timestamp, problems, fresh)
    if rows is None:
        return None
    file_facts(rows.table, files, store, settings.version)
    table = _with_labels(con, root, folder, rows.table, settings, problems)
    warnings: list[str] = []
    newest = _newest_run(store, settings, runs)
    found = _reference(con, root, table, settings, newest, problems, store)
    reference, reference_name, reference_key = found
    if reference is None:
        return None
    kinds = _kinds(table, reference, settings, rows.files[0], problems, warnings)
    if kinds is None:
        return None
    kept = _reference_summaries(reference, kinds, settings, store, reference_key,
                                rows.files[0], problems)  # fmt: skip
    if kept is None:
        return None
    outcome = _outcome(table, settings, newest)
    windowed = with_windows(table, settings)
    labels = cache.digest(_label_stamps(folder))
    windows = summarise(windowed, files, store, kept[0], outcome, settings, labels)
    if settings.window != "rows":
        cache.save(store_file, store)
    return _assemble(model, settings, reference_name, kept, windows, windowed, outcome,
                     rows.files, warnings)  # fmt: skip


def _files(root: Path, paths: list[Path], store: dict[str, Any]) -> Files:
    names = {source_of(p): name_of(root, p) for p in paths}
    stamps = {name: cache.stamp(p) for p, name in zip(paths, names.values(), strict=True)}
    kept = store["files"]
    fresh = frozenset(n for n in stamps if kept.get(n, {}).get("stamp") != stamps[n])
    return Files(names, stamps, fresh)


def _label_stamps(folder: Path) -> list[Any]:
    labels = folder / "labels"
    if not folder.is_dir() or not labels.is_dir():
        return []
    return [[p.as_posix(), cache.stamp(p)] for p in data_files(labels)]


def _assemble(
    model: str,
    settings: DriftSettings,
    reference_name: str,
    reference: tuple[list[FeatureBins], Counts, list[Counts]],
    windows: dict[Any, Window],
    windowed: ir.Table,
    outcome: Outcome,
    files: tuple[str, ...],
    warnings: list[str],
) -> DriftSummaries:
    bins, whole, chunks = reference
    names = [b.name for b in bins]
    found = []
    for key, span, group in _spans(windowed, settings, list(windows)):
        window = windows.get(group) if group is not None else None
        if window is None or not window.counts:
            warnings.append(f"window {key} has no rows: its statistics are left empty")
            found.append(summary(key, span, {}, [], None, names))
            continue
        found.append(summary(key, span, window.counts, sorted(window.versions.items()),
                             window.performance, names))  # fmt: skip
    if outcome.label is None:
        warnings.append("no label column: performance over time cannot be shown")
    return DriftSummaries(
        model=model, engine=settings.engine, window=settings.window,
        window_rows=settings.window_rows if settings.window == "rows" else None,
        reference_name=reference_name, bins=tuple(bins),
        reference=tuple((n, whole[n]) for n in names),
        reference_chunks=tuple(tuple((n, c[n]) for n in names if n in c) for c in chunks),
        windows=tuple(found), sources=files, warnings=tuple(warnings),
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
    found = []
    for path in data_files(labels_folder):
        labels_file = open_file(con, root, path, problems)
        if labels_file is not None and _has_label_columns(root, path, labels_file, settings,
                                                           problems):  # fmt: skip
            found.append(labels_file.select(
                late_id=labels_file[settings.id].cast("string"),
                late_label=labels_file[settings.label].cast("string"),
                late_time=labels_file[settings.label_timestamp].cast("string")
                if settings.label_timestamp in labels_file.columns else ibis.null("string"),
            ))  # fmt: skip
    if not found or settings.id not in table.columns:
        return table
    labels = found[0] if len(found) == 1 else ibis.union(*found)
    joined = table.left_join(labels, table[settings.id].cast("string") == labels.late_id)
    label = settings.label
    own = joined[label].cast("string") if label in table.columns else ibis.null("string")
    stamp = settings.label_timestamp
    own_time = joined[stamp].cast("string") if stamp in table.columns else ibis.null("string")
    return joined.mutate(
        **{label: joined.late_label.cast("string").coalesce(own),
           stamp: joined.late_time.cast("string").coalesce(own_time)}
    ).drop("late_id", "late_label", "late_time")  # fmt: skip


def _has_label_columns(
    root: Path, path: Path, labels: ir.Table, settings: DriftSettings, problems: list[Problem]
) -> bool:
    missing = [c for c in (settings.id, settings.label) if c not in labels.columns]
    for column in missing:
        fix = f"give every late-label file the columns {settings.id!r} and {settings.label!r}"
        problems.append(Problem(name_of(root, path), None, column, "no such column", fix))
    return not missing


def _newest_run(store: dict[str, Any], settings: DriftSettings, runs: list[Run]) -> Run | None:
    """The run record of the newest version seen in the rows (or of all, without versions)."""
    by_version = {run.version: run for run in runs}
    seen = {v for entry in store["files"].values() for v in entry["versions"]}
    if not seen:
        return max(runs, key=lambda r: version_key(r.version), default=None)
    known = [v for v in seen if v in by_version]
    return by_version[max(known, key=version_key)] if known else None


def _reference(
    con: Any,
    root: Path,
    table: ir.Table,
    settings: DriftSettings,
    newest: Run | None,
    problems: list[Problem],
    store: dict[str, Any],
) -> tuple[ir.Table | None, str, str]:
    """The reference rows, their description, and a digest of the files they come from."""
    match = RANGE.match(settings.reference)
    if match:
        first, last = (datetime.fromisoformat(d).replace(tzinfo=UTC) for d in match.groups())
        after = last + timedelta(days=1)
        chosen = table.filter((table[TIME] >= first) & (table[TIME] < after))
        overlapping = sorted(
            [name, entry["stamp"]]
            for name, entry in store["files"].items()
            if entry["span"] and entry["span"][0][:10] <= match.group(2)
            and entry["span"][1][:10] >= match.group(1)
        )  # fmt: skip
        name = f"monitoring rows from {match.group(1)} to {match.group(2)}"
        return chosen, name, cache.digest(settings.reference, overlapping)
    if newest is None:
        fix = 'name a time range as reference, e.g. reference = "2026-03-01/2026-03-14"'
        message = "no run record of the versions in the monitoring rows"
        problems.append(Problem("cardpress.toml", None, "drift.reference", message, fix))
        return None, "", ""
    dataset = next((d for d in newest.datasets if d.role == settings.reference), None)
    if dataset is None:
        fix = "give drift.reference a role the run record has, or a time range"
        problems.append(Problem(newest.source.file, None, "datasets",
                                f"no data set with role {settings.reference!r}", fix))  # fmt: skip
        return None, "", ""
    path = root / dataset.uri
    reference = open_file(con, root, path, problems) if path.is_file() else None
    if reference is None and path.is_file():
        return None, "", ""
    if reference is None:
        fix = "put the file there, or name a time range of the monitoring rows as reference"
        problems.append(Problem(newest.source.file, None, f"datasets.{dataset.id}",
                                f"reference file {dataset.uri} not found", fix))  # fmt: skip
        return None, "", ""
    name = f"{dataset.role} data {dataset.id} ({dataset.uri}) of version {newest.version}"
    return reference, name, cache.digest(dataset.uri, cache.stamp(path))


def _kinds(
    table: ir.Table,
    reference: ir.Table,
    settings: DriftSettings,
    first_file: str,
    problems: list[Problem],
    warnings: list[str],
) -> list[tuple[str, Kind]] | None:
    """Every feature (and the prediction) with its kind; None when the reference lacks one."""
    outcome_columns = {settings.timestamp, settings.version, settings.score, settings.label,
                       settings.label_timestamp, settings.id, TIME, SOURCE,
                       *settings.exclude}  # fmt: skip
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
    return feature_kinds(table, kept, settings.numeric, categorical)


def _reference_summaries(
    reference: ir.Table,
    kinds: list[tuple[str, Kind]],
    settings: DriftSettings,
    store: dict[str, Any],
    key: str,
    first_file: str,
    problems: list[Problem],
) -> tuple[list[FeatureBins], Counts, list[Counts]] | None:
    """Frozen bins, whole counts and chunk counts of the reference, kept while it is unchanged."""
    key = cache.digest(key, kinds, settings.bins)
    kept = store.get("reference")
    if isinstance(kept, dict) and kept.get("key") == key:
        bins = [FeatureBins(b["name"], b["kind"], tuple(b["edges"]), tuple(b["categories"]))
                for b in kept["bins"]]  # fmt: skip
        chunks = [cache.decode_counts(c) for c in kept["chunks"]]
        return bins, cache.decode_counts(kept["whole"]), chunks
    bins = frozen_bins(reference, kinds, settings.bins)
    for frozen in bins:
        if len(frozen.categories) > MAX_CATEGORIES:
            fix = "list it in [drift] numeric or exclude, or bucket it before monitoring"
            count = len(frozen.categories)
            message = f"{count} categories in the reference (at most {MAX_CATEGORIES})"
            problems.append(Problem(first_file, None, frozen.name, message, fix))
            return None
    chunks = reference_chunks(reference, bins)
    # the chunks split the reference: their sum is the whole, without another scan
    whole = _sum_counts(chunks) if chunks else counts_by(reference, None, bins)[None]
    store["reference"] = {
        "key": key, "bins": [asdict(b) for b in bins], "whole": cache.encode_counts(whole),
        "chunks": [cache.encode_counts(c) for c in chunks],
    }  # fmt: skip
    return bins, whole, chunks


def _sum_counts(parts: list[Counts]) -> Counts:
    whole = dict(parts[0])
    for part in parts[1:]:
        whole = {name: merge_counts(whole[name], counts) for name, counts in part.items()}
    return whole


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
