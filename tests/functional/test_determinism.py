"""The same records give byte-identical sites, with or without SOURCE_DATE_EPOCH."""

from __future__ import annotations

from pathlib import Path

import pytest

import cardpress
from tests.conftest import EXAMPLE, PROJECTS


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("records", [PROJECTS / "minimal", EXAMPLE], ids=["minimal", "example"])
def test_two_builds_are_byte_identical(
    records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    cardpress.build(records, tmp_path / "one")
    cardpress.build(records, tmp_path / "two")
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []


def test_build_time_comes_from_records_without_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    home = (tmp_path / "site" / "index.json").read_text()
    # the newest time in the minimal records is fraud-1's start, 2026-03-01T08:00:00Z
    assert '"built_at": "2026-03-01T08:00:00+00:00"' in home


def test_source_date_epoch_sets_build_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    cardpress.build(PROJECTS / "minimal", tmp_path / "site")
    assert (
        '"built_at": "2026-01-01T00:00:00+00:00"' in (tmp_path / "site" / "index.json").read_text()
    )


def _example_without_monitoring(tmp_path: Path) -> Path:
    """The example's cards and compare page (its drift pages do not depend on other versions)."""
    import shutil

    records = tmp_path / "records"
    shutil.copytree(EXAMPLE, records, ignore=shutil.ignore_patterns("monitoring"))
    return records


def test_a_carried_over_version_gives_the_same_compare_search_and_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 1 published alone, then 2 added: as a clean build of both, then stable."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    records = _example_without_monitoring(tmp_path)
    later = [records / "runs/income-classifier-2.json", *records.glob("signoffs/*-2-*.json")]
    aside = tmp_path / "aside"
    aside.mkdir()
    for path in later:
        path.rename(aside / path.name)
    cardpress.build(records, tmp_path / "site")
    for path in later:
        (aside / path.name).rename(path)
    cardpress.build(records, tmp_path / "site")  # version 1 is carried over, 2 is rendered
    cardpress.build(records, tmp_path / "clean")
    carried, clean = _files(tmp_path / "site"), _files(tmp_path / "clean")
    shared = [n for n in clean if n.startswith("models/income-classifier/compare/")]
    assert shared and all(carried[n] == clean[n] for n in shared)
    assert carried["search/index.js"] == clean["search/index.js"]
    cardpress.build(records, tmp_path / "site")  # both carried over: nothing changes
    again = _files(tmp_path / "site")
    assert sorted(again) == sorted(carried)
    assert [name for name in again if again[name] != carried[name]] == []
