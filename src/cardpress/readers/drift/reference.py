"""The reference of a model's drift: its rows, its features, its frozen bins and counts.

The reference is a data set of the newest version's run record (by role) or a time range of the
monitoring rows. Its bins, whole counts and chunk counts are kept with the files' summaries and
reused while the files they come from and the settings are unchanged.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import ibis.expr.types as ir

from cardpress.compute.site import version_key
from cardpress.errors import Problem
from cardpress.model import Run
from cardpress.model_drift import DriftSettings, FeatureBins, Kind, merge_counts
from cardpress.readers.drift import cache
from cardpress.readers.drift.bins import MAX_CATEGORIES, feature_kinds, frozen_bins
from cardpress.readers.drift.engine import Counts, counts_by, reference_chunks
from cardpress.readers.files import Allowed, inside, outside_fix
from cardpress.readers.monitoring import SOURCE, TIME, open_file

RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")


def newest_run(store: dict[str, Any], settings: DriftSettings, runs: list[Run]) -> Run | None:
    """The run record of the newest version seen in the rows (or of all, without versions)."""
    by_version = {run.version: run for run in runs}
    seen = {v for entry in store["files"].values() for v in entry["versions"]}
    if not seen:
        return max(runs, key=lambda r: version_key(r.version), default=None)
    known = [v for v in seen if v in by_version]
    return by_version[max(known, key=version_key)] if known else None


def reference_rows(
    con: Any,
    root: Path,
    table: ir.Table,
    settings: DriftSettings,
    newest: Run | None,
    problems: list[Problem],
    store: dict[str, Any],
    allow: Allowed = (),
) -> tuple[ir.Table | None, str, str]:
    """The reference rows, their description, and a digest of the files they come from."""
    days = days_of(settings)
    if days is not None:
        first, last = (d.isoformat() for d in days)
        start = datetime.combine(days[0], time(), UTC)
        after = datetime.combine(days[1] + timedelta(days=1), time(), UTC)
        chosen = table.filter((table[TIME] >= start) & (table[TIME] < after))
        overlapping = sorted(
            [name, entry["stamp"]]
            for name, entry in store["files"].items()
            if entry["span"] and entry["span"][0][:10] <= last and entry["span"][1][:10] >= first
        )
        refused = _range_problem(settings.reference, first, last, overlapping, store)
        if refused is not None:
            problems.append(refused)
            return None, "", ""
        name = f"monitoring rows from {first} to {last}"
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
    path = inside(root, dataset.uri, allow)
    if path is None and "://" not in dataset.uri:
        fix = outside_fix((root / dataset.uri).resolve()) + ", or name a time range as reference"
        problem = f"reference file {dataset.uri} is outside the records folder"
        problems.append(Problem(newest.source.file, None, f"datasets.{dataset.id}", problem, fix))
        return None, "", ""
    is_file = path is not None and path.is_file()
    known = {c: t for c, t in table.schema().items() if c not in (TIME, SOURCE)}
    reference = (
        open_file(con, root, path, problems, known) if path is not None and is_file else None
    )
    if reference is None and is_file:
        return None, "", ""
    if reference is None:
        fix = "put the file there, or name a time range of the monitoring rows as reference"
        problems.append(Problem(newest.source.file, None, f"datasets.{dataset.id}",
                                f"reference file {dataset.uri} not found", fix))  # fmt: skip
        return None, "", ""
    name = f"{dataset.role} data {dataset.id} ({dataset.uri}) of version {newest.version}"
    assert path is not None  # a table was read from it
    return reference, name, cache.digest(dataset.uri, cache.stamp(path))


def _range_problem(
    reference: str, first: str, last: str, overlapping: list[Any], store: dict[str, Any]
) -> Problem | None:
    """A reference range that ends before it starts, or that no file's rows reach."""
    if first > last:
        fix = f'write the first day first: reference = "{last}/{first}"'
        message = f"the range {reference!r} ends before it starts"
    elif not overlapping:
        spans = [e["span"] for e in store["files"].values() if e["span"]]
        held = "there are no rows"
        if spans:
            held = f"the rows run from {min(s[0] for s in spans)[:10]} to "
            held += max(s[1] for s in spans)[:10]
        message = f"no monitoring rows from {first} to {last}: {held}"
        fix = "name days the monitoring rows cover (UTC), or a data set role of the run record"
    else:
        return None
    return Problem("cardpress.toml", None, "drift.reference", message, fix)


_PANDAS_INDEX = re.compile(r"__index_level_\d+__")


def feature_kinds_of(
    table: ir.Table,
    reference: ir.Table,
    settings: DriftSettings,
    first_file: str,
    problems: list[Problem],
    warnings: list[str],
    reference_name: str = "",
) -> list[tuple[str, Kind]] | None:
    """Every feature (and the prediction) with its kind; None when the reference lacks one.

    A column the settings list (``numeric``, ``categorical``, ``exclude``) that no monitoring
    file has is a warning: a typo there would otherwise go unnoticed.
    """
    for setting in ("numeric", "categorical", "exclude"):
        unknown = sorted(set(getattr(settings, setting)) - set(table.columns))
        if unknown:
            names = ", ".join(repr(n) for n in unknown)
            warnings.append(f"[drift] {setting} names {names}, which no monitoring file has")
    outcome_columns = {settings.timestamp, settings.version, settings.score, settings.label,
                       settings.label_timestamp, settings.id, TIME, SOURCE,
                       *settings.exclude}  # fmt: skip
    # pandas writes a non-default index as "__index_level_N__": row numbers, not a feature
    index = sorted(c for c in table.columns if _PANDAS_INDEX.fullmatch(c))
    if index:
        names = ", ".join(index)
        warnings.append(f"{names}: a pandas index written to the monitoring files, not a "
                        "feature: left out (write with index=False)")  # fmt: skip
    features = sorted(c for c in table.columns if c not in outcome_columns and c not in index)
    missing = [f for f in features if f not in reference.columns]
    for name in missing:
        if name == settings.prediction:
            warnings.append("the reference has no predictions: prediction drift is not shown")
            continue
        fix = "add the column to the reference data, or list it in [drift] exclude"
        where = f" ({reference_name})" if reference_name else ""
        problem = f"feature missing from the reference{where}"
        problems.append(Problem(first_file, None, name, problem, fix))
    if any(m != settings.prediction for m in missing):
        return None
    kept = [f for f in features if f in reference.columns]
    if not _numbers_declared(table, reference, kept, settings, first_file, problems):
        return None
    # the predicted class is a category whatever its type, unless declared numeric
    categorical = (*settings.categorical, settings.prediction)
    return feature_kinds(table, kept, settings.numeric, categorical)


def _numbers_declared(
    table: ir.Table,
    reference: ir.Table,
    features: list[str],
    settings: DriftSettings,
    first_file: str,
    problems: list[Problem],
) -> bool:
    """Whether every feature listed in ``[drift] numeric`` holds numbers (or booleans)."""
    before = len(problems)
    schemas = (table.schema(), reference.schema())
    for name in features:
        if name not in settings.numeric:
            continue
        kinds = {schema[name] for schema in schemas}
        text = [k for k in kinds if not (k.is_numeric() or k.is_boolean() or k.is_null())]
        if text:
            message = f"listed in [drift] numeric, but its values are {text[0]}, not numbers"
            fix = ("remove it from [drift] numeric (and list it in [drift] exclude if it has too "
                   "many values to compare), or write it as numbers")  # fmt: skip
            problems.append(Problem(first_file, None, name, message, fix))
    return len(problems) == before


def reference_summaries(
    reference: ir.Table,
    kinds: list[tuple[str, Kind]],
    settings: DriftSettings,
    store: dict[str, Any],
    key: str,
    first_file: str,
    problems: list[Problem],
    from_windows: bool,
) -> tuple[list[FeatureBins], Counts, list[Counts]] | None:
    """Frozen bins, whole counts and chunk counts of the reference, kept while it is unchanged.

    With ``from_windows`` (a time range of the rows, daily windows) the chunks are the days'
    windows themselves, summed by the caller: only the bins are computed here.
    """
    key = cache.digest(key, kinds, settings.bins, from_windows)
    kept = store.get("reference")
    if isinstance(kept, dict) and kept.get("key") == key:
        bins = [FeatureBins(b["name"], b["kind"], tuple(b["edges"]), tuple(b["categories"]))
                for b in kept["bins"]]  # fmt: skip
        if from_windows:
            return bins, {}, []
        chunks = [cache.decode_counts(c) for c in kept["chunks"]]
        return bins, cache.decode_counts(kept["whole"]), chunks
    bins = frozen_bins(reference, kinds, settings.bins)
    for frozen in bins:
        if len(frozen.categories) > MAX_CATEGORIES:
            text = reference.schema()[frozen.name].is_string()
            fix = "list it in [drift] exclude, or bucket it before monitoring"
            if not text:
                fix = "list it in [drift] numeric or exclude, or bucket it before monitoring"
            count = len(frozen.categories)
            message = f"{count} categories in the reference (at most {MAX_CATEGORIES})"
            problems.append(Problem(first_file, None, frozen.name, message, fix))
            return None
    if from_windows:
        store["reference"] = {"key": key, "bins": [asdict(b) for b in bins]}
        return bins, {}, []
    chunks = reference_chunks(reference, bins)
    # the chunks split the reference: their sum is the whole, without another scan
    whole = sum_counts(chunks) if chunks else counts_by(reference, None, bins)[None]
    store["reference"] = {
        "key": key, "bins": [asdict(b) for b in bins], "whole": cache.encode_counts(whole),
        "chunks": [cache.encode_counts(c) for c in chunks],
    }  # fmt: skip
    return bins, whole, chunks


def days_of(settings: DriftSettings) -> tuple[date, date] | None:
    """First and last day of a time-range reference; None for a data set reference."""
    match = RANGE.match(settings.reference)
    if not match:
        return None
    first, last = (date.fromisoformat(d) for d in match.groups())
    return first, last


def sum_counts(parts: list[Counts]) -> Counts:
    """The counts of disjoint row sets added up (``parts`` not empty)."""
    whole = dict(parts[0])
    for part in parts[1:]:
        whole = {name: merge_counts(whole[name], counts) for name, counts in part.items()}
    return whole
