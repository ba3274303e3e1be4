"""Write a site all at once: into a staging folder beside the output, then swap it into place.

A build that fails, or is killed, part-way leaves the previous site as it was: the output folder
is only replaced after every file has been written (see :mod:`cardpress.write.swap` for the swap
and for what the next build does with anything a killed build left). The caller holds the
output's build lock (:mod:`cardpress.write.lock`).
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cardpress.errors import BuildError
from cardpress.write.folders import clear, prune, reused_folders, writing_mark
from cardpress.write.manifest import (
    MANIFEST,
    SIGNATURE,
    SUMS,
    manifest_digest,
    sha256_bytes,
    sums_bytes,
)
from cardpress.write.swap import THREADS, in_threads, remove, staging_path, swap_into_place
from cardpress.write.target import check_target

if TYPE_CHECKING:  # render.plans loads the chart code: a build that is up to date
    from cardpress.render.plans import RenderedFile  # does not need it

logger = logging.getLogger("cardpress")
ManifestFor = Callable[[dict[str, str]], bytes]
IN_FLIGHT = 256  # files handed to the writing threads and not yet written, at most
T = TypeVar("T")


def write_site(
    files: Iterable[RenderedFile],
    out: Path,
    *,
    force: bool,
    manifest_for: ManifestFor,
    frozen: dict[str, str] | None = None,
    sign: Callable[[bytes], bytes] | None = None,
    guard: Callable[[], None] | None = None,
    intact: bool = False,
) -> int:
    """Write ``files`` (and ``frozen`` files copied from the current site) as the new site.

    ``frozen`` maps paths of already-published pages to the sha256 they were published with;
    each is checked before it is copied, so a tampered page is never carried forward —
    by reading it, or, with ``intact``, because the site is known to be as the build that
    wrote it left it (:mod:`cardpress.readers.up_to_date`) and ``frozen`` holds the digests of
    its manifest, so its files are linked without reading them.
    ``manifest_for`` gets the sha256 of every file and returns the manifest; ``sign``, when given,
    returns a detached signature of the manifest's bytes (``manifest.json.sig``).
    ``guard``, when given, runs just before the swap and may refuse it by raising (the build
    passes :func:`check_unchanged`). Returns how many files the site has.
    The staging folder is the one the last build left, emptied, with its folders
    (:mod:`cardpress.write.folders`); once the new site is live, the previous one's files are
    deleted and its folders kept for the next build.

    Raises:
        BuildError: ``out`` holds something that is not a cardpress site (and ``force`` is off),
            two pages claim one path, a path would leave the site, a published file was altered,
            the site changed since the build read it, or the disk refuses a write.
    """
    out = out.absolute()
    check_target(out, force)
    staging = staging_path(out)
    mark = writing_mark(staging)
    try:
        kept = reused_folders(staging)  # the last site's folders: none made again
        mark.touch()
        made = set(kept)
        digests = _write_all(files, staging, made)
        digests.update(_copy_frozen(frozen or {}, out, staging, set(digests), intact, made))
        manifest = manifest_for(digests)
        (staging / MANIFEST).write_bytes(manifest)
        digests[MANIFEST] = sha256_bytes(manifest)
        (staging / SUMS).write_bytes(sums_bytes(digests))
        if sign is not None:
            (staging / SIGNATURE).write_bytes(sign(manifest))
        prune(staging, kept, [*digests, SIGNATURE])
        if guard is not None:
            guard()
        swap_into_place(staging, out)
    except OSError as error:
        remove(staging)
        remove(mark)
        where = error.filename or out
        fix = "check free space and write permission of the output folder and its parent"
        raise BuildError(
            f"{where}: cannot write ({error.strerror}) — {fix}; the previous site is unchanged"
        ) from error
    except BaseException:
        remove(staging)
        remove(mark)
        raise
    _keep_folders(staging, out)
    return len(digests) + (2 if sign else 1)


def _keep_folders(staging: Path, out: Path) -> None:
    """Delete the superseded site's files at ``staging``, keeping its folders for the next build."""
    try:
        clear(staging)
    except OSError as error:
        logger.warning(
            "%s: the site is live; files of its superseded copy in %s could not all be deleted "
            "(%s) — the next build deletes them, or delete the folder by hand",
            out,
            staging,
            error.strerror,
        )


def _write_all(files: Iterable[RenderedFile], staging: Path, made: set[str]) -> dict[str, str]:
    """Write each file as it comes (on :data:`THREADS` threads, at most :data:`IN_FLIGHT` queued).

    The files are not held: a large site is rendered and written a page at a time. ``made``
    holds the folders there already, as text (a race only makes one twice); those made are
    added.
    """
    root = f"{staging}/"  # site paths are "/"-separated
    digests: dict[str, str] = {}
    with ThreadPoolExecutor(THREADS) as pool:
        queued: deque[Future[None]] = deque()
        for file in files:
            _check_path(file.path)
            if file.path in digests:
                raise BuildError(f"{file.path}: two pages would be written here — rename one model")
            digests[file.path] = sha256_bytes(file.content)
            queued.append(pool.submit(_write_file, root + file.path, file.content, made))
            while len(queued) > IN_FLIGHT:
                queued.popleft().result()
        for future in queued:
            future.result()
    return digests


def _write_file(target: str, content: bytes, made: set[str]) -> None:
    _folder(target.rpartition("/")[0], made)
    with open(target, "wb") as handle:
        handle.write(content)


def _copy_frozen(
    frozen: dict[str, str],
    out: Path,
    staging: Path,
    written: set[str],
    intact: bool = False,
    made: set[str] | None = None,
) -> dict[str, str]:
    for path in sorted(frozen):
        _check_path(path)
        if path in written:
            raise BuildError(
                f"{path}: a published page would be overwritten — this is a cardpress bug"
            )
    made = set() if made is None else made
    _in_threads(partial(_copy_group, out, staging, intact, made), sorted(frozen.items()))
    return dict(frozen)


def _in_threads(place: Callable[[list[tuple[str, T]]], None], items: list[tuple[str, T]]) -> None:
    """``place`` each model's files (by path) in a thread of its own.

    On some disks each new folder waits on the disk (~0.5 ms; a site has one per version and
    page): most of the work is system calls, which run beside one another. The first failure,
    in path order, is the one raised.
    """
    groups: dict[str, list[tuple[str, T]]] = {}
    for path, item in items:
        groups.setdefault("/".join(path.split("/")[:2]), []).append((path, item))
    in_threads(place, groups.values())


def _copy_group(
    out: Path, staging: Path, intact: bool, made: set[str], files: list[tuple[str, str]]
) -> None:
    # Paths as text: a pathlib join costs more than the link itself (~20 µs against ~10 µs a
    # file, measured), and a large site carries tens of thousands of files.
    source_root, target_root = f"{out}/", f"{staging}/"  # site paths are "/"-separated
    folders: set[str] = set()  # this group's folders known to be there
    for path, digest in files:
        target = target_root + path
        folder = target.rpartition("/")[0]
        if folder not in folders:
            _folder(folder, made)
            folders.add(folder)
        if intact and _linked(source_root + path, target):
            # The site is as its build left it (every entry's kind, inode, size and times):
            # each frozen path is the regular file the manifest lists. Two checks a file less
            # (~50 µs each on a slow disk) are seconds on a site of tens of thousands of files.
            continue
        # A link is never carried over: os.link would copy the link, not the checked bytes.
        source = out / path
        regular = source.is_file() and not source.is_symlink()
        content = source.read_bytes() if regular and not intact else None
        if not regular or (content is not None and sha256_bytes(content) != digest):
            _altered(source, out, "is missing" if not regular else "was altered")
        _link_or_copy(source, staging / path, content, digest, out)


def _folder(folder: str, made: set[str]) -> None:
    """Make ``folder`` unless ``made`` (the folders known to be there) has it; add it."""
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)


def _linked(source: str, target: str) -> bool:
    try:
        os.link(source, target)
    except OSError:  # another file system, or the file went: carried over the checked way
        return False
    return True


def _altered(source: Path, out: Path, state: str) -> None:
    raise BuildError(
        f"{source}: published file {state} since it was published — run "
        f"`cardpress verify {out}` and restore the site from your backup or host"
    )


def _link_or_copy(
    source: Path, target: Path, content: bytes | None, digest: str, out: Path
) -> None:
    """Put a checked published file into the new site without rewriting it.

    A hard link on the same file system (the usual case), else its bytes, checked.
    """
    try:
        os.link(source, target)
    except OSError:
        if content is None:
            content = source.read_bytes()
            if sha256_bytes(content) != digest:
                _altered(source, out, "was altered")
        target.write_bytes(content)


def _check_path(path: str) -> None:
    # Split the raw text: PurePosixPath would quietly normalise "a//b" and "./a".
    parts = path.split("/")
    if "\\" in path or any(part in {"", ".", ".."} for part in parts):
        raise BuildError(f"{path}: would be written outside the site — this is a cardpress bug")


def check_unchanged(out: Path, started_from: str | None) -> None:
    """Refuse to publish over a site that is not the one this build started from.

    ``started_from`` is the sha256 of the manifest the build read (None: there was no site).

    Raises:
        BuildError: the output's manifest is another one now.
    """
    if manifest_digest(out) != started_from:
        raise BuildError(
            f"{out}: the site changed while this build ran (another build or a person published "
            "to it) — run the build again; nothing was written, the site that is there now stays"
        )
