"""Put a finished staging folder in place of the live site so that a kill at any moment is safe.

On Linux the two folders are exchanged in one atomic step (``renameat2(RENAME_EXCHANGE)``), so
there is no moment without a complete site at the output path. Elsewhere two renames are used
(live → ``.cardpress-old-NAME``, staging → live); a kill between them leaves no live folder,
only the old one, and :func:`recover` puts it back before the next build or ``verify`` reads
anything. The superseded copy is left at the staging path, where the writer deletes its files
and keeps its folders for the next build (:mod:`cardpress.write.folders`); failing to delete
them is a warning, because the new site is already live.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from cardpress.errors import BuildError
from cardpress.write.manifest import is_cardpress_site

logger = logging.getLogger("cardpress")

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# Threads for file system work that waits on the disk (in_threads): writing, linking and
# deleting a site's folders.
THREADS = 8
T = TypeVar("T")


def staging_path(out: Path) -> Path:
    """Where a build writes the new site before it goes live."""
    return out.parent / f".cardpress-staging-{out.name}"


def old_path(out: Path) -> Path:
    """Where the two-rename swap parks the previous site for a moment."""
    return out.parent / f".cardpress-old-{out.name}"


def swap_into_place(staging: Path, out: Path) -> None:
    """Make ``staging`` the live site at ``out``; the previous site, if any, is left at ``staging``.

    Raises:
        OSError: the swap itself failed; ``out`` is then exactly as it was.
    """
    if not out.exists():
        os.replace(staging, out)
        return
    if exchange(staging, out):
        return
    old = old_path(out)
    os.replace(out, old)
    os.replace(staging, out)
    try:
        os.replace(old, staging)
    except OSError:
        _discard(old, out)


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically; False where the system cannot (then nothing was done)."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                       _RENAME_EXCHANGE)  # fmt: skip
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}:
        return False  # this file system cannot exchange: fall back to two renames
    raise OSError(error, os.strerror(error), str(second))


def recover(out: Path) -> None:
    """Repair what an interrupted build left beside ``out``, before anything reads the site.

    A previous site parked by a two-rename swap is restored when no live site is there, and
    deleted when the new one is. A staging folder never went live: its folders are kept for the
    next build to write into (it deletes any file in it first), anything else there is deleted.

    Raises:
        BuildError: a leftover cannot be restored (the message says where the site is).
    """
    old = old_path(out)
    if old.exists() or old.is_symlink():
        if not out.exists() and is_cardpress_site(old):
            try:
                os.replace(old, out)
            except OSError as error:
                raise BuildError(
                    f"{out}: missing; the previous site is at {old} (left by an interrupted build) "
                    f"and could not be put back ({error.strerror}) — rename it to {out.name}"
                ) from error
            logger.warning("%s: restored the previous site left by an interrupted build", out)
        else:
            _discard(old, out)
    staging = staging_path(out)
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        _discard(staging, out)


def interrupted_swap(site: Path) -> Path | None:
    """The parked previous site when ``site`` is missing after an interrupted swap, else None."""
    old = old_path(site)
    return old if not site.exists() and is_cardpress_site(old) else None


def remove(path: Path) -> None:
    """Delete a file, a folder or a symbolic link (never what a link points at)."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        _remove_tree(path)


def _remove_tree(folder: Path) -> None:
    """Delete a folder and everything in it, its larger subfolders over a few threads.

    A site has a folder per version and page, and on some disks each folder's deletion waits
    on the disk (a virtual disk that discards freed blocks: ~1 ms a folder): a few deletions
    waiting at once take a fraction of the time. ``shutil.rmtree`` follows no link.
    """
    parts = _subtrees(folder)
    if len(parts) > 1:
        in_threads(shutil.rmtree, parts)
    shutil.rmtree(folder)  # what is left: the few folders above those, and their files


def in_threads(work: Callable[[T], object], items: Iterable[T]) -> None:
    """``work`` on each item over :data:`THREADS` threads; the first failure, in order, raised.

    For file system work that waits on the disk (system calls run beside one another).
    """
    with ThreadPoolExecutor(THREADS) as pool:
        for _ in pool.map(work, items):
            pass


def _subtrees(folder: Path) -> list[Path]:
    """Disjoint subfolders of ``folder`` to delete apart: the first level with enough of them."""
    level = [folder]
    for _ in range(5):
        below = [
            Path(entry.path)
            for parent in level
            for entry in _entries(parent)
            if entry.is_dir(follow_symlinks=False)
        ]
        if not below:
            break
        level = below
        if len(level) >= 4 * THREADS:
            break
    return level if level != [folder] else []


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return list(entries)


def _discard(path: Path, live: Path) -> None:
    """Delete a superseded copy; the live site is already complete, so failing only warns."""
    try:
        remove(path)
    except OSError as error:
        logger.warning(
            "%s: the site is live; its superseded copy %s could not be deleted (%s) — delete it "
            "by hand (the next build tries again)",
            live,
            path,
            error.strerror,
        )


def _renameat2() -> ctypes._NamedFuncPointer | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):  # no libc found, or a glibc older than 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]  # fmt: skip
    function.restype = ctypes.c_int
    return function
