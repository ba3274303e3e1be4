"""The content-hash cache: one file per records folder, holding only what its last build hashed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cardpress.readers import hashing
from cardpress.readers.hashing import hash_files, records_cache


@pytest.fixture(autouse=True)
def _own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_hashes_match_hashlib(tmp_path: Path) -> None:
    data = _file(tmp_path, "a.csv", b"x,y\n1,2\n")
    found = hash_files([data], tmp_path / "cache.json")
    entry = found[data.as_posix()]
    assert entry.sha256 == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    assert entry.md5 == hashlib.md5(b"x,y\n1,2\n").hexdigest()
    assert entry.size == 8


def test_cache_keeps_only_the_files_of_this_build(tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    first, second = _file(tmp_path, "a.csv", b"1"), _file(tmp_path, "b.csv", b"2")
    hash_files([first, second], cache)
    assert sorted(json.loads(cache.read_text())) == [first.as_posix(), second.as_posix()]
    second.unlink()  # a file the records no longer name: its entry goes
    hash_files([first], cache)
    assert sorted(json.loads(cache.read_text())) == [first.as_posix()]


def test_cached_hash_reused_only_for_the_same_size_and_time(tmp_path: Path) -> None:
    cache = tmp_path / "cache.json"
    data = _file(tmp_path, "a.csv", b"one")
    hash_files([data], cache)
    stored = json.loads(cache.read_text())
    stored[data.as_posix()][2] = "f" * 64  # what a reused entry would give
    cache.write_text(json.dumps(stored))
    assert hash_files([data], cache)[data.as_posix()].sha256 == "f" * 64
    data.write_bytes(b"three")  # another size: hashed again
    assert hash_files([data], cache)[data.as_posix()].sha256 == hashlib.sha256(b"three").hexdigest()


def test_each_records_folder_has_its_own_cache(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert records_cache(one) != records_cache(two)
    assert records_cache(one) == records_cache(tmp_path / "x" / ".." / "one")
    assert records_cache(one).is_relative_to(tmp_path / "tmp" / "cardpress")
