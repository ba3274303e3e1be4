"""The models with monitoring data are known before the rows are read: the ones later summarised."""

from __future__ import annotations

import shutil
from pathlib import Path

from cardpress.readers.records import monitored_models, read_records, with_drift
from tests.conftest import EXAMPLE


def test_the_models_known_early_are_the_models_summarised(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(EXAMPLE, records, ignore=shutil.ignore_patterns(".cardpress-cache"))
    loaded = read_records(records)
    assert loaded.drift == ()  # rows not read yet
    early = monitored_models(loaded)
    assert early == {"income-classifier"}
    assert early == {summaries.model for summaries in with_drift(loaded).drift}
    shutil.rmtree(records / "monitoring")
    assert monitored_models(read_records(records)) == frozenset()
