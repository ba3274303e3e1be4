"""Windows of monitoring rows: UTC days, ISO weeks, months or fixed row counts, and their keys.

A row's calendar window is computed by arithmetic on its epoch seconds (days; weeks counted from
a Monday), which every backend does alike and which is much cheaper than calendar truncation;
only months are truncated. A calendar window without rows is kept, empty, so a gap shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.model_drift import DriftSettings, FeatureCounts, Performance, WindowSummary
from cardpress.readers.monitoring import SOURCE, TIME

WINDOW = "cardpress_window"
ALL_FILES = "*"  # the SOURCE of a row window, which spans files
SECONDS_A_DAY = 86400
EPOCH = datetime(1970, 1, 1)


def with_windows(table: ir.Table, settings: DriftSettings) -> ir.Table:
    """``table`` with its window (start time, or row-window number) in ``WINDOW``."""
    if settings.window == "rows":
        # rows at the same time are ordered by their values, so every backend cuts alike
        ties = [ibis.asc(table[c], nulls_first=True) for c in sorted(table.columns) if c != TIME]
        order = [ibis.asc(table[TIME]), *ties]
        number = ibis.row_number().over(order_by=order) // settings.window_rows
        # a row window spans files: its summaries belong to all of them together
        return table.mutate(**{WINDOW: number, SOURCE: ibis.literal(ALL_FILES)})
    if settings.window == "monthly":
        return table.mutate(**{WINDOW: table[TIME].truncate("M")})
    # days and weeks by arithmetic on the epoch: far cheaper than calendar truncation
    day = day_number(table)
    return table.mutate(**{WINDOW: day if settings.window == "daily" else (day + 3) // 7})


def day_number(table: ir.Table) -> Any:
    """Days since 1970-01-01 (UTC) of every row."""
    return (table[TIME].epoch_seconds() / SECONDS_A_DAY).floor().cast("int64")


def window_start(value: Any, window: str) -> datetime:
    """The first instant (naive UTC) of the calendar window that ``WINDOW`` holds as ``value``.

    Weeks are counted from Monday 1969-12-29, so week n starts 7n - 3 days after the epoch.
    """
    if window == "daily":
        return EPOCH + timedelta(days=int(value))
    if window == "weekly":
        return EPOCH + timedelta(days=7 * int(value) - 3)
    return naive(value)


def naive(value: Any) -> datetime:
    """A timestamp from the backend (UTC, zoned or not) as a naive UTC datetime."""
    moment: datetime = value
    return moment.replace(tzinfo=None)


def calendar(starts: list[datetime], window: str) -> list[tuple[datetime, datetime]]:
    """Every calendar window from the first to the last with rows, as (start, end)."""
    if not starts:
        return []
    first, last = min(starts), max(starts)
    windows = []
    current = first
    while current <= last:
        following = _next(current, window)
        windows.append((current, following))
        current = following
    return windows


def _next(start: datetime, window: str) -> datetime:
    if window == "daily":
        return start + timedelta(days=1)
    if window == "weekly":
        return start + timedelta(days=7)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start.replace(year=year, month=month)


def window_key(start: datetime, window: str) -> str:
    """A window's stable id: 2026-03-01, 2026-W09 or 2026-03."""
    if window == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if window == "monthly":
        return start.strftime("%Y-%m")
    return start.strftime("%Y-%m-%d")


def summary(
    key: str,
    span: tuple[str, str],
    counts: dict[str, FeatureCounts],
    versions: list[tuple[str, int]],
    performance: Performance | None,
    names: list[str],
) -> WindowSummary:
    """One window's summary; a feature with no rows in it gets empty counts."""
    rows = sum(n for _, n in versions)
    return WindowSummary(
        key=key,
        start=span[0],
        end=span[1],
        rows=rows,
        versions=tuple(versions),
        features=tuple((name, counts[name]) for name in names if name in counts),
        performance=performance,
    )
