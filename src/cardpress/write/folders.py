"""The last site's folders, kept empty beside the output for the next build to write into.

A site has a folder per version and page (tens of thousands on a large site), and on some disks
making a folder, or deleting one, waits on the disk (~0.3 ms each on a virtual disk that
discards freed blocks): re-creating every folder of the site took longer than anything else in
a build that adds one version. So once a new site is live, the previous one's files are deleted
and its folders are kept, empty, as the next build's staging folder (``.cardpress-staging-NAME``,
beside the output). Empty folders hold nothing a publishing tool copies (git, S3 and rsync
skip them), and the folder is safe to delete: the next build then makes its folders again.

Nothing in the kept folder is trusted: before a build writes into it, everything in it that is
not a folder (a file, a link, to a folder too) is deleted, and folders the new site does not
use are deleted before it goes live. The new site is made only of the files the build writes
and links. While the folder may hold files (from a build writing, or a superseded site being
emptied) a mark ``.cardpress-staging-NAME.writing`` is beside it: a build killed then leaves
the mark, and the next build, even one with nothing to write, deletes those files first
(:func:`clear_interrupted`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from cardpress.write.swap import in_threads, remove


def reused_folders(staging: Path) -> set[str]:
    """Every folder in ``staging`` (itself included), left holding nothing but folders.

    Folders are given as text (``f"{staging}/a/b"``), as the writer names them: a site has
    thousands, and a pathlib object each cost more than listing them. A ``staging`` that is
    not a folder (a file, a link) is deleted: then there is none.
    """
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        remove(staging)
    if not staging.is_dir():
        return set()
    folders = [str(staging)]
    for folder in folders:  # grows as subfolders are found: every folder, parents first
        for entry in _entries(folder):
            if entry.is_dir(follow_symlinks=False):
                folders.append(f"{folder}/{entry.name}")  # "/" as the writer joins, everywhere
            else:
                os.unlink(entry.path)
    return set(folders)


def prune(staging: Path, kept: set[str], paths: Iterable[str]) -> None:
    """Delete the kept folders of ``staging`` that hold none of the site's files (``paths``)."""
    root = str(staging)
    used = {root}
    for path in paths:
        folder = f"{root}/{path}".rpartition("/")[0]
        while folder not in used:
            used.add(folder)
            folder = folder.rpartition("/")[0]
    unused = kept - used
    for folder in sorted(unused):
        if folder.rpartition("/")[0] not in unused:  # the topmost unused; what is below goes too
            shutil.rmtree(folder)


def writing_mark(staging: Path) -> Path:
    """The mark beside ``staging`` that says it may hold files."""
    return staging.with_name(staging.name + ".writing")


def clear_interrupted(staging: Path) -> None:
    """Delete the files an interrupted build left in ``staging`` (its folders are kept)."""
    mark = writing_mark(staging)
    if mark.exists() or mark.is_symlink():
        clear(staging)


def clear(staging: Path) -> None:
    """Delete every file in ``staging`` (its folders are kept), then the mark that it may hold any.

    Raises:
        OSError: a file could not be deleted; the mark stays, so the next build tries again.
    """
    if staging.is_dir() and not staging.is_symlink():
        empty(staging)
    remove(writing_mark(staging))


def empty(folder: Path) -> None:
    """Delete every file in ``folder`` and its subfolders, keeping the folders.

    The subfolders are emptied over a few threads (deleting a file waits on the disk too).
    """
    tops = [Path(entry.path) for entry in _entries(folder) if entry.is_dir(follow_symlinks=False)]
    _delete_files(folder, recurse=False)
    in_threads(_delete_files, tops)


def _delete_files(folder: Path, recurse: bool = True) -> None:
    for entry in _entries(folder):
        if not entry.is_dir(follow_symlinks=False):
            os.unlink(entry.path)
        elif recurse:
            _delete_files(Path(entry.path))


def _entries(folder: Path | str) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return list(entries)
