"""Late labels: files in the monitoring folder's ``labels/``, joined to rows by prediction id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.errors import Problem
from cardpress.model_drift import DriftSettings
from cardpress.readers.drift import cache
from cardpress.readers.drift.engines import query_rows
from cardpress.readers.files import Allowed
from cardpress.readers.monitoring import SOURCE, data_files, name_of, open_file
from cardpress.readers.monitoring_values import label_time_problems


def label_stamps(root: Path, folder: Path, allow: Allowed = ()) -> list[Any]:
    """Every late-label file with its size and mtime: performance summaries depend on them."""
    labels = folder / "labels"
    if not folder.is_dir() or not labels.is_dir():
        return []
    unread: list[Problem] = []  # with_labels reports them, reading the same files
    return [[p.as_posix(), cache.stamp(p)] for p in data_files(root, labels, unread, allow)]


def with_labels(
    con: Any,
    root: Path,
    folder: Path,
    table: ir.Table,
    settings: DriftSettings,
    problems: list[Problem],
    warnings: list[str],
    allow: Allowed = (),
) -> ir.Table:
    """Late labels from ``labels/`` joined by prediction id (a label there wins).

    A prediction id with more than one late label keeps one (see :func:`_one_per_id`), so a
    row is never counted once per label; ``warnings`` says how many ids had several.
    """
    labels_folder = folder / "labels" if folder.is_dir() else None
    if labels_folder is None or not labels_folder.is_dir():
        return table
    found = []
    for path in data_files(root, labels_folder, problems, allow):
        labels_file = open_file(con, root, path, problems)
        if labels_file is not None and _has_label_columns(root, path, labels_file, settings,
                                                           problems):  # fmt: skip
            source = labels_file.mutate(**{SOURCE: ibis.literal(str(path))})
            problems += label_time_problems(root, source, settings.label_timestamp)
            found.append(labels_file.select(
                late_id=labels_file[settings.id].cast("string"),
                late_label=labels_file[settings.label].cast("string"),
                late_time=labels_file[settings.label_timestamp].cast("string")
                if settings.label_timestamp in labels_file.columns else ibis.null("string"),
            ))  # fmt: skip
    if not found or settings.id not in table.columns:
        return table
    every = found[0] if len(found) == 1 else ibis.union(*found)
    labels = _one_per_id(every, warnings)
    joined = table.left_join(labels, table[settings.id].cast("string") == labels.late_id)
    label = settings.label
    own = joined[label].cast("string") if label in table.columns else ibis.null("string")
    stamp = settings.label_timestamp
    own_time = joined[stamp].cast("string") if stamp in table.columns else ibis.null("string")
    return joined.mutate(
        **{label: joined.late_label.cast("string").coalesce(own),
           stamp: joined.late_time.cast("string").coalesce(own_time)}
    ).drop("late_id", "late_label", "late_time")  # fmt: skip


def _one_per_id(labels: ir.Table, warnings: list[str]) -> ir.Table:
    """One late label per prediction id: the one with the latest label time.

    A resent or corrected label is the usual reason for a second one. Ties, and labels
    without a readable time, are settled by the label's text (highest first), so every engine
    and every file order keeps the same one.
    """
    counted = query_rows(labels.aggregate(labels=labels.count(), ids=labels.late_id.nunique()))
    extra = int(counted[0]["labels"]) - int(counted[0]["ids"])
    if extra == 0:
        return labels
    stamp = labels.late_time.try_cast("timestamp('UTC')")
    order = [stamp.isnull(), ibis.desc(stamp), ibis.desc(labels.late_label)]
    ranked = labels.mutate(rank=ibis.row_number().over(group_by=labels.late_id, order_by=order))
    warnings.append(
        f"{extra:,} late label{'' if extra == 1 else 's'} repeat a prediction id that already "
        "has one: each prediction keeps one label, the one with the latest label time "
        "(then the highest label)"
    )
    return ranked.filter(ranked["rank"] == 0).drop("rank")


def _has_label_columns(
    root: Path, path: Path, labels: ir.Table, settings: DriftSettings, problems: list[Problem]
) -> bool:
    missing = [c for c in (settings.id, settings.label) if c not in labels.columns]
    for column in missing:
        fix = f"give every late-label file the columns {settings.id!r} and {settings.label!r}"
        problems.append(Problem(name_of(root, path), None, column, "no such column", fix))
    return not missing
