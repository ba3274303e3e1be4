"""Content hashes of reachable data files, streamed and cached by path, size and mtime.

The cache only saves time: a hash is reused when the file's size and modification time are
unchanged, so the pages are the same with or without it. Each records folder has its own cache
file, holding the files its last build hashed and no others: one shared by every build on a
machine grew with every folder ever built (a CI runner's or a test run's temporary folders) and
was read whole by each build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cardpress.model_lineage import FileHash

CHUNK = 1 << 20
logger = logging.getLogger("cardpress")


def cache_root() -> Path:
    """The folder for cardpress's machine-local caches, in the temporary folder."""
    return Path(tempfile.gettempdir()) / "cardpress"


def records_cache(records: Path) -> Path:
    """The hash cache of the builds of one records folder (by its resolved path)."""
    key = hashlib.sha256(str(records.resolve()).encode()).hexdigest()[:16]
    return cache_root() / "hashes" / f"{key}.json"


def hash_files(paths: Iterable[Path], cache_file: Path | None = None) -> dict[str, FileHash]:
    """sha256, md5 and size of every path that is a regular file, by its absolute path.

    ``cache_file`` is rewritten with these paths' entries only (when any differs from it).
    """
    cache = load_cache(cache_file) if cache_file else {}
    kept: dict[str, object] = {}
    hashes: dict[str, FileHash] = {}
    for path in sorted(set(paths)):
        try:
            if not path.is_file():
                continue
            stat = path.stat()
        except OSError:
            continue
        key = path.as_posix()
        stamp = [stat.st_size, stat.st_mtime_ns]
        entry = cache.get(key)
        if isinstance(entry, list) and len(entry) == 4 and entry[:2] == stamp:
            hashes[key] = FileHash(str(entry[2]), str(entry[3]), stat.st_size)
            kept[key] = entry
            continue
        found = _hash(path)
        if found is None:
            continue
        hashes[key] = found
        kept[key] = [*stamp, found.sha256, found.md5]
    if cache_file and kept != cache:
        save_cache(cache_file, kept)
    return hashes


def _hash(path: Path) -> FileHash | None:
    sha256, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                sha256.update(chunk)
                md5.update(chunk)
                size += len(chunk)
    except OSError as error:
        logger.warning("%s: cannot be read to hash it (%s)", path, error.strerror)
        return None
    return FileHash(sha256.hexdigest(), md5.hexdigest(), size)


def load_cache(cache_file: Path) -> dict[str, object]:
    """A machine-local JSON cache, or {} when it is missing or unreadable."""
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_cache(cache_file: Path, cache: dict[str, object]) -> None:
    """Write a JSON cache atomically; one that cannot be written only costs time."""
    save_atomic(cache_file, json.dumps(cache, sort_keys=True).encode("utf-8"))


def save_atomic(target: Path, content: bytes) -> bool:
    """Write a cache file whole or not at all (a temporary file, then a rename); True if written.

    Builds may share a cache, so a reader never sees half a file; one that cannot be written
    only costs time, so a failure is logged, not raised.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except OSError as error:
        logger.debug("cache %s not written: %s", target, error)
        return False
    return True
