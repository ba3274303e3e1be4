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
