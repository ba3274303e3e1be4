"""Read each model's monitoring rows and reduce them to :class:`DriftSummaries`.

For every model with a monitoring folder (``monitoring/<model>/`` unless ``[drift]`` names
another): check the files, join late labels from ``labels/`` by prediction id, freeze bins from
the reference, and aggregate per window. Problems stop the build before anything is written;
what only weakens the page (an empty window, no labels) becomes a warning shown on it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from cardpress.compute.site import version_key
from cardpress.errors import Problem
from cardpress.model import TASKS, Predictions, Records, Run
from cardpress.model_drift import (
    DriftSettings,
    DriftSummaries,
    Engine,
    FeatureBins,
)
from cardpress.readers.csv_files import config_types
from cardpress.readers.drift import cache
from cardpress.readers.drift.engine import Counts, Outcome, zero_counts
from cardpress.readers.drift.engines import connect, query_rows
from cardpress.readers.drift.files import (
    Files,
    Window,
    facts_key,
    file_facts,
    summarise,
    zone_problem,
)
from cardpress.readers.drift.labels import label_stamps, with_labels
from cardpress.readers.drift.outcomes import no_positive
from cardpress.readers.drift.reference import (
    days_of,
    feature_kinds_of,
    newest_run,
    reference_rows,
    reference_summaries,
    sum_counts,
)
from cardpress.readers.drift.windows import (
    WINDOW,
    calendar,
    naive,
    summary,
    window_key,
    with_windows,
)
from cardpress.readers.files import Allowed, allowed
from cardpress.readers.hashing import save_cache
from cardpress.readers.monitoring import (
    TIME,
    data_files,
    name_of,
    read_rows,
    rows_of,
    source_of,
    unread_files,
)
from cardpress.readers.monitoring_values import value_problems
from cardpress.readers.page_cache import package_digest
from cardpress.readers.records import monitoring_folder

DriftEngine = tuple[Engine, str | None]  # --engine and --spark-master of the command line


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
        folder = monitoring_folder(root, records, model)
        if not folder.exists():
            continue
        runs = [run for run in records.runs if run.model == model]
        result = _model(root, folder, model, runs, settings, problems, allowed(records.config))
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
    allow: Allowed = (),
) -> DriftSummaries | None:
    before = len(problems)
    paths = data_files(root, folder, problems, allow)
    if len(problems) > before:
        return None
    if not paths:
        name = folder.relative_to(root).as_posix()
        fix = "add Parquet, CSV or JSONL files of production rows, or remove the folder"
        problems.append(Problem(name, None, "", "no monitoring files", fix))
        return None
    store_file = cache.cache_file(root, model, settings.cache)
    store = cache.load(store_file)
    files = _files(root, paths, store, facts_key(settings))
    con = connect(settings.engine, settings.spark_master)
    fresh = [p for p, name in zip(paths, files.names.values(), strict=True) if name in files.fresh]
    rows = read_rows(con, settings.engine, root, paths, settings.timestamp, problems, fresh,
                     config_types(settings))  # fmt: skip
    if rows is None:
        return None
    every, chosen = [source_of(p) for p in paths], [source_of(p) for p in fresh]
    if chosen and not value_problems(root, rows_of(rows.table, chosen, every), settings, problems):
        return None
    file_facts(rows, files, store, settings)
    mixed = zone_problem(files, store, settings.timestamp)
    if mixed is not None:
        problems.append(mixed)
        return None
    warnings = unread_files(root, folder)
    table = with_labels(con, root, folder, rows.table, settings, problems, warnings, allow)
    newest = newest_run(store, settings, runs)
    found = reference_rows(con, root, table, settings, newest, problems, store, allow)
    reference, reference_name, reference_key = found
    if reference is None:
        return None
    kinds = feature_kinds_of(table, reference, settings, rows.files[0], problems, warnings,
                             reference_name)  # fmt: skip
    if kinds is None:
        return None
    # a daily timeline over its own reference days: those days' windows are the chunks
    days = days_of(settings) if settings.window == "daily" else None
    kept = reference_summaries(reference, kinds, settings, store, reference_key,
                                rows.files[0], problems, days is not None)  # fmt: skip
    if kept is None:
        return None
    task = model_task(root, runs, newest, problems, store["task"])
    outcome = _outcome(table, settings, newest, task)
    windowed = with_windows(table, settings)
    labels = cache.digest(label_stamps(root, folder, allow))
    windows = summarise(windowed, files, store, kept[0], outcome, settings, labels)
    if settings.window != "rows":
        save_cache(store_file, store)
    if days is not None:
        kept = _reference_from_windows(kept[0], windows, days)
    return _assemble(model, settings, reference_name, kept, windows, windowed, outcome,
                     rows.files, warnings)  # fmt: skip


def _reference_from_windows(
    bins: list[FeatureBins], windows: dict[Any, Window], days: tuple[date, date]
) -> tuple[list[FeatureBins], Counts, list[Counts]]:
    """Reference chunks and whole from the daily windows of its days (no scan of its own)."""
    chunks = [windows[start].counts for start in sorted(windows)
              if days[0] <= start.date() <= days[1] and windows[start].counts]  # fmt: skip
    return bins, sum_counts(chunks) if chunks else zero_counts(bins), chunks


def _files(root: Path, paths: list[Path], store: dict[str, Any], facts: str) -> Files:
    """The files by SOURCE value; fresh: new, changed, or summarised with other settings."""
    names = {source_of(p): name_of(root, p) for p in paths}
    stamps = {name: cache.stamp(p) for p, name in zip(paths, names.values(), strict=True)}
    kept = store["files"]
    fresh = frozenset(
        n for n in stamps
        if kept.get(n, {}).get("stamp") != stamps[n] or kept[n].get("facts_key") != facts
    )  # fmt: skip
    return Files(names, stamps, fresh)


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
        window = windows.get(group)
        if window is None or not window.counts:
            warnings.append(f"window {key} has no rows: its statistics are left empty")
            found.append(summary(key, span, {}, [], None, names))
            continue
        found.append(summary(key, span, window.counts, sorted(window.versions.items()),
                             window.performance, names))  # fmt: skip
    if outcome.label is None:
        warnings.append("no label column: performance over time cannot be shown")
    warnings += no_positive(outcome, [w.performance for w in windows.values() if w.performance])
    unreadable = sum(w.performance.unreadable for w in windows.values() if w.performance)
    if unreadable:
        warnings.append(f"{unreadable:,} labelled row{'' if unreadable == 1 else 's'} of this "
                        "regression model have a label or prediction that is not a finite "
                        "number: left out of performance over time")  # fmt: skip
    return DriftSummaries(
        model=model, engine=settings.engine, window=settings.window,
        window_rows=settings.window_rows if settings.window == "rows" else None,
        reference_name=reference_name, bins=tuple(bins),
        reference=tuple((n, whole[n]) for n in names),
        reference_chunks=tuple(tuple((n, c[n]) for n in names if n in c) for c in chunks),
        windows=tuple(found), sources=files, warnings=tuple(warnings), task=outcome.task,
    )  # fmt: skip


def _spans(
    windowed: ir.Table, settings: DriftSettings, groups: list[Any]
) -> list[tuple[str, tuple[str, str], Any]]:
    """(key, (start, end), start value) of every window, in time order, empty ones included."""
    if settings.window == "rows":
        times = windowed.group_by(WINDOW).aggregate(a=windowed[TIME].min(), b=windowed[TIME].max())
        spans = sorted((r[WINDOW], r["a"], r["b"]) for r in query_rows(times))
        return [(f"rows-{n + 1}", (_iso(a), _iso(b)), n) for n, a, b in spans]
    return [
        (window_key(start, settings.window), (_iso(start), _iso(end)), start)
        for start, end in calendar(groups, settings.window)
    ]


def _outcome(table: ir.Table, settings: DriftSettings, newest: Run | None, task: str) -> Outcome:
    def column(name: str) -> str | None:
        return name if name in table.columns else None

    positive = newest.predictions.positive_label if newest and newest.predictions else 1
    text = str(positive).lower() if isinstance(positive, bool) else str(positive)
    return Outcome(column(settings.prediction), column(settings.label),
                   column(settings.label_timestamp), column(settings.score), text,
                   task)  # fmt: skip


def model_task(
    root: Path,
    runs: list[Run],
    newest: Run | None,
    problems: list[Problem],
    kept: dict[str, Any],
) -> str:
    """What the monitored model predicts: binary, multiclass or regression.

    The ``model.task`` of the run record of the newest version seen (else of the newest run
    that records one); else inferred from that version's evaluation predictions, by the rule
    the fairness report uses (readers.predictions.task); else binary, as before tasks existed.
    ``kept`` (the drift store's) holds the last inference, by what it was inferred from.
    """
    chosen = newest or max(runs, key=lambda r: version_key(r.version), default=None)
    if chosen is not None and chosen.task:
        return chosen.task
    declared = [r for r in runs if r.task]
    if declared:
        return max(declared, key=lambda r: version_key(r.version)).task or "binary"
    if chosen is None or chosen.predictions is None:
        return "binary"
    # Inferring reads the predictions with pandas (~0.7 s with its import), so the answer is
    # kept by the file's sha256, the columns and the code that inferred it: a new day of
    # monitoring rows does not read them again.
    key = _inference_key(chosen.predictions)
    if kept.get("key") == key and kept.get("task") in TASKS:
        return str(kept["task"])
    before = len(problems)
    task = _inferred_task(root, chosen, problems)
    if len(problems) == before:
        kept.update(key=key, task=task)
    return task


def _inference_key(predictions: Predictions) -> str:
    p = predictions
    columns = [p.uri, p.file_sha256, p.y_true, p.y_pred, p.y_score, p.y_score_by_class,
               p.positive_label]  # fmt: skip
    code = package_digest("cardpress.readers.predictions")
    return cache.digest(columns, code, metadata.version("pandas"), metadata.version("pyarrow"))


def _inferred_task(root: Path, chosen: Run, problems: list[Problem]) -> str:
    assert chosen.predictions is not None
    # lazily: pandas, and only for a model whose record does not say its task
    from cardpress.readers.predictions.multiclass import is_multiclass
    from cardpress.readers.predictions.read import read_predictions
    from cardpress.readers.predictions.task import infer_task

    frame = read_predictions(root, chosen.predictions, problems)
    if frame is None:
        return "binary"
    task, found = infer_task(frame, chosen.predictions, None, chosen.source.file)
    problems += found
    if task == "binary" and is_multiclass(chosen, frame):  # per-class scores named
        task = "multiclass"
    return task or "binary"


def _iso(value: Any) -> str:
    return naive(value).isoformat() + "Z"
