"""One build at a time per output folder: a lock file beside it, held for the whole build.

The lock is an advisory ``flock`` on ``.cardpress-lock-NAME`` next to the output, so the
operating system releases it when its holder exits for any reason, ``kill -9`` included; the
file holds the holder's pid and start time for the message a second build prints. A build takes
the lock before it reads the published site and keeps it until the new site is live, so two
builds into one output are serialised and neither publishes over a site it did not start from.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from cardpress.errors import BuildError

logger = logging.getLogger("cardpress")


def lock_path(out: Path) -> Path:
    """The lock file of the output folder ``out``."""
    return out.parent / f".cardpress-lock-{out.name}"


@contextmanager
def site_lock(out: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the lock of ``out`` for the block; with ``wait``, wait for another build to end.

    Raises:
        BuildError: another build holds the lock (and ``wait`` is off), or the lock file cannot
            be created (the output's parent folder is not writable).
    """
    path = lock_path(out)
    handle = _acquire(path, out, wait)
    try:
        yield
    finally:
        # Unlink while still holding the lock: a waiter that then locks the unlinked file sees
        # that the path no longer names it, and starts again (see _acquire).
        with suppress(OSError):
            path.unlink()
        _unlock(handle)
        os.close(handle)


def _acquire(path: Path, out: Path, wait: bool) -> int:
    while True:
        handle = _open(path, out)
        locked = _try_lock(handle, block=False)
        if not locked and not wait:
            holder = _holder(path)
            os.close(handle)
            raise BuildError(
                f"{out}: another cardpress build{holder} is writing this site — wait for it to "
                "finish, or pass --wait to queue behind it"
            )
        if not locked:
            logger.warning("%s: waiting for another build%s to finish", out, _holder(path))
            _try_lock(handle, block=True)
        if _still_named(handle, path):
            _write_holder(handle)
            return handle
        os.close(handle)  # the holder unlinked it as it finished: lock the file now named


def _open(path: Path, out: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise BuildError(
            f"{path}: cannot write ({error.strerror}) — the build lock lives beside the site: "
            f"check free space and write permission of {out.parent}; the previous site is "
            "unchanged"
        ) from error


def _try_lock(handle: int, *, block: bool) -> bool:
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX if block else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: int) -> None:
    import fcntl

    fcntl.flock(handle, fcntl.LOCK_UN)


def _still_named(handle: int, path: Path) -> bool:
    try:
        named = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _write_holder(handle: int) -> None:
    started = datetime.now(UTC).replace(microsecond=0).isoformat()
    holder = json.dumps({"pid": os.getpid(), "started": started}).encode()
    with suppress(OSError):  # only for the message of a second build: a full disk may refuse it
        os.ftruncate(handle, 0)
        os.pwrite(handle, holder, 0)


def _holder(path: Path) -> str:
    """`` (pid 123, started …)`` from the lock file, or nothing when it cannot be read."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
        return f" (pid {int(holder['pid'])}, started {holder['started']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""
