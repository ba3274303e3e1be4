"""A build whose monitoring files changed starts its chart workers first, as a cold build does.

The drift charts that follow the windows are then drawn again, and the workers' start overlaps
the loading of the data engines. Other changes (a card edited) leave the start as it was:
workers only once charts are known to be missing, one renderer thread when they are few.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pandas as pd
import pytest

import cardpress
from cardpress import chart_feed


def _month(folder: Path, name: str, start: str) -> None:
    times = pd.date_range(start, periods=8, freq="6h", tz="UTC")
    frame = pd.DataFrame({"timestamp": times, "model_version": "1", "x": range(8)})
    frame.to_parquet(folder / name, index=False)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each build asked its chart feed to start its workers at once."""
    asked: list[bool] = []
    original: Callable[..., AbstractContextManager[chart_feed.ChartFeed]] = chart_feed.chart_feed

    def spy(records: Path, many: bool = False) -> AbstractContextManager[chart_feed.ChartFeed]:
        asked.append(many)
        return original(records, many)

    monkeypatch.setattr(chart_feed, "chart_feed", spy)
    yield asked


def test_changed_monitoring_files_start_the_chart_workers_first(
    project: Callable[[str], Path], tmp_path: Path, started: list[bool]
) -> None:
    root, out = project("minimal"), tmp_path / "site"
    folder = root / "monitoring" / "churn"
    folder.mkdir(parents=True)
    _month(folder, "2026-03.parquet", "2026-03-01")
    with (root / "cardpress.toml").open("a") as config:
        config.write('\n[drift]\nreference = "2026-03-01/2026-03-01"\n')
    cardpress.build(root, out)  # no last build: nothing known
    card = root / "models" / "churn" / "card.md"
    card.write_text(card.read_text() + "\nEdited.\n")
    cardpress.build(root, out)  # the monitoring files are as the last build read them
    _month(folder, "2026-04.parquet", "2026-04-01")
    cardpress.build(root, out)  # one more file of monitoring rows
    (folder / "2026-04.parquet").unlink()
    cardpress.build(root, out)  # one file less
    assert started == [False, False, True, True]


def test_a_versions_charts_are_sent_to_the_workers_as_its_fairness_report_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers need not wait for every report: the first charts go before the last report."""
    from cardpress import checking
    from cardpress.compute.fairness import report as fairness
    from tests.conftest import bench_records

    root = tmp_path / "records"
    bench_records(root, 1, 4)
    events: list[str] = []
    computed, sent = fairness.fairness_report, chart_feed.ChartFeed.prefetch

    def report(*args: object, **kwargs: object) -> object:
        events.append("report")
        return computed(*args, **kwargs)  # type: ignore[arg-type]

    def prefetch(self: chart_feed.ChartFeed, plans: list[object]) -> None:
        events.append("charts")
        sent(self, plans)  # type: ignore[arg-type]

    monkeypatch.setattr(checking, "fairness_report", report)
    monkeypatch.setattr(chart_feed.ChartFeed, "prefetch", prefetch)
    cardpress.build(root, tmp_path / "site")
    assert events[:8] == ["report", "charts"] * 4, events  # then the other pages' charts


def test_a_new_versions_few_charts_are_drawn_beside_the_build_on_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fewer charts than repay a second engine still leave the build's own thread free."""
    import threading

    from cardpress.render import chart_workers
    from tests.conftest import bench_records

    root, out = tmp_path / "records", tmp_path / "site"
    bench_records(root, 1, 1)
    cardpress.build(root, out)
    bench_records(root, 1, 1, first_version=2)  # one more version: its ~20 charts are missing
    counts: list[int] = []
    threads: list[str] = []
    made, drawn = chart_workers.Workers.__init__, chart_workers._draw

    def init(self: chart_workers.Workers, count: int, *args: object) -> None:
        counts.append(count)
        made(self, count, *args)  # type: ignore[arg-type]

    def draw(spec: str) -> str:
        threads.append(threading.current_thread().name)
        return drawn(spec)

    monkeypatch.setattr(chart_workers.Workers, "__init__", init)
    monkeypatch.setattr(chart_workers, "_draw", draw)
    monkeypatch.setattr(chart_feed.os, "cpu_count", lambda: 2)
    cardpress.build(root, out)
    assert counts == [1]
    assert len(threads) > 10 and all(name.startswith("cardpress-chart") for name in threads)
