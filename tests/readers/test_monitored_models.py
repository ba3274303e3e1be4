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


def test_records_without_monitoring_build_without_loading_the_data_engines(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import PROJECTS

    code = (
        "import sys, cardpress\n"
        f"cardpress.build({str(PROJECTS / 'minimal')!r}, {str(tmp_path / 'site')!r})\n"
        "loaded = sorted(m for m in ('ibis', 'duckdb', 'pyspark', 'scipy') if m in sys.modules)\n"
        "assert loaded == [], loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
