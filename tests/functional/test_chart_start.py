"""A build whose monitoring files changed starts its chart workers first, as a cold build does.

The drift charts that follow the windows are then drawn again, and the workers' start overlaps
the loading of the data engines. Other changes (a card edited) leave the start as it was:
workers only once enough charts are known to be missing.
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
