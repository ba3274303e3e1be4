"""Finding and opening files inside the records folder, safely.

Nothing is read (or written) outside the records folder unless ``cardpress.toml`` allows a named
outside root (``[paths] allow``). Every check resolves symlinks first and the resolved path is
the one opened, so a link cannot pull an outside file into the site.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cardpress.errors import Problem
from cardpress.model import GONE, Dataset, SiteConfig

CHUNK = 1 << 20
Allowed = tuple[Path, ...]  # resolved outside roots that [paths] allow names


def allowed(config: SiteConfig) -> Allowed:
    """The outside roots ``config`` allows (``[paths] allow``), resolved when it was read."""
    return tuple(Path(folder) for folder in config.allow)


def within(root: Path, real: Path, allow: Allowed = ()) -> bool:
    """True if the resolved path ``real`` lies in the records folder or an allowed root."""
    folder = _resolved(root if root.is_absolute() else Path.cwd() / root)
    return any(real.is_relative_to(top) for top in (folder, *allow))


@lru_cache(maxsize=16)
def _resolved(folder: Path) -> Path:
    # asked for every file a build reads (thousands on a large site): resolved once a folder
    return folder.resolve()


# Folders resolved during one read (see folders_resolved_once); None outside one.
_KNOWN_FOLDERS: ContextVar[dict[Path, Path] | None] = ContextVar("folders", default=None)


@contextmanager
def folders_resolved_once() -> Iterator[None]:
    """While on, :func:`real_path` resolves each folder once.

    A read of a thousand run records names thousands of files in a few folders: resolving each
    path whole (a system call per component) was a tenth of a second a thousand records.
    """
    token = _KNOWN_FOLDERS.set({})
    try:
        yield
    finally:
        _KNOWN_FOLDERS.reset(token)


def real_path(path: Path) -> Path:
    """``path.resolve()``: every symbolic link followed, folders looked up when kept.

    As ``Path.resolve`` (Python 3.11): a path that cannot be looked at (missing, a name too
    long) is kept as it is; a NUL byte raises ValueError, a link loop RuntimeError.
    """
    known = _KNOWN_FOLDERS.get()
    if known is None or path.name in ("", ".."):
        return path.resolve()
    folder = known.get(path.parent)
    if folder is None:
        folder = known[path.parent] = path.parent.resolve()
    spot = folder / path.name
    try:
        info = os.lstat(spot)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise RuntimeError(f"Symlink loop from {str(spot)!r}") from error
        return spot
    return spot.resolve() if stat.S_ISLNK(info.st_mode) else spot


def contained(root: Path, path: Path, allow: Allowed = ()) -> Path | None:
    """``path`` with every symlink resolved, if that lies inside ``root`` (or ``allow``)."""
    try:
        real = real_path(path)
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return None
    return real if within(root, real, allow) else None


def inside(root: Path, uri: str, allow: Allowed = ()) -> Path | None:
    """``uri`` resolved against ``root`` if it stays inside ``root``; otherwise None.

    A ``file://`` URI of this machine (no host, or ``localhost``) is its path: MLflow and
    OpenLineage write local files so.
    """
    if uri.startswith("file://"):
        parts = urlsplit(uri)
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            return None
        return contained(root, Path(unquote(parts.path)), allow)
    if "://" in uri:
        return None
    return contained(root, root / uri, allow)


def outside_fix(real: Path) -> str:
    """How to fix a path that resolves outside the records folder."""
    folder = real if real.is_dir() else real.parent
    return (
        "copy the file into the records folder, or allow its folder in cardpress.toml: "
        f'[paths] allow = ["{folder.as_posix()}"]'
    )


def outside_problem(root: Path, path: Path, field: str = "", line: int | None = None) -> Problem:
    """``path`` (named as the user wrote it) resolves outside the records folder."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):
        real = path
    problem = f"resolves outside the records folder (→ {real.as_posix()})"
    return Problem(shown(root, path), line, field, problem, outside_fix(real))


def shown(root: Path, path: Path) -> str:
    """``path`` relative to the records folder when it is written under it, else as is."""
    return relative(root, path) if path.is_relative_to(root) else path.as_posix()


def relative(root: Path, path: Path) -> str:
    """``path`` as shown to users: relative to the records folder, with forward slashes."""
    return path.relative_to(root).as_posix()


# cardpress's own folders inside a records folder: never records, wherever a link leads.
NOT_RECORDS = frozenset({".cardpress-cache"})


def files_under(
    root: Path,
    folder: Path,
    problems: list[Problem],
    keep: Callable[[Path], bool],
    allow: Allowed = (),
) -> list[Path]:
    """Files under ``folder`` (recursively) that ``keep`` accepts, sorted, as found under it.

    A file or folder that resolves outside the records folder (and every allowed root) is a
    problem and is not followed; a linked folder inside is walked once, so a link cycle ends.
    """
    if not os.path.lexists(folder):
        return []
    if contained(root, folder, allow) is None:
        problems.append(outside_problem(root, folder))
        return []
    found: list[Path] = []
    seen: set[Path] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        real = real_path(current)
        if real in seen or not real.is_dir():
            continue
        seen.add(real)
        for entry in sorted(current.iterdir()):
            if entry.name not in NOT_RECORDS:
                _visit(root, entry, keep, allow, problems, found, pending)
    return sorted(found)


def _visit(
    root: Path,
    entry: Path,
    keep: Callable[[Path], bool],
    allow: Allowed,
    problems: list[Problem],
    found: list[Path],
    pending: list[Path],
) -> None:
    is_dir = entry.is_dir()
    if (is_dir or keep(entry)) and contained(root, entry, allow) is None:
        problems.append(outside_problem(root, entry))
    elif is_dir:
        pending.append(entry)
    elif keep(entry) and (entry.is_file() or entry.is_symlink()):
        found.append(entry)  # a dangling link is found, so reading it names the problem


def read_text(root: Path, path: Path, problems: list[Problem], allow: Allowed = ()) -> str | None:
    """The UTF-8 text of ``path``, or None after recording why it could not be read.

    A path that resolves outside the records folder (and ``allow``) is a problem, never read.
    """
    real = contained(root, path, allow)
    if real is None:
        problems.append(outside_problem(root, path))
        return None
    try:
        return real.read_text(encoding="utf-8-sig")  # a leading BOM (Notepad, Excel) is no text
    except UnicodeDecodeError as error:
        fix = "save the file as UTF-8"
        problems.append(Problem(shown(root, path), None, "", f"is not UTF-8 ({error.reason})", fix))
    except OSError as error:
        fix = "check the file's permissions"
        problems.append(
            Problem(shown(root, path), None, "", f"cannot be read ({error.strerror})", fix)
        )
    return None


def sha256_of(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks so large files need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def current_hashes(
    root: Path, datasets: Iterable[Dataset], allow: Allowed = ()
) -> dict[str, str | None]:
    """sha256 of each data set's file now, by id.

    None when it is not a file cardpress may read (another host, a folder, outside the records),
    :data:`~cardpress.model.GONE` when it would be one but is not there (deleted, renamed).
    """
    hashes: dict[str, str | None] = {}
    for dataset in datasets:
        path = inside(root, dataset.uri, allow)
        if path is None:
            hashes[dataset.id] = None
        elif path.is_file():
            hashes[dataset.id] = sha256_of(path)
        else:
            gone = not path.exists() and _names_a_file(dataset.uri)
            hashes[dataset.id] = GONE if gone else None
    return hashes


def _names_a_file(uri: str) -> bool:
    """Whether a URI without a scheme reads as a file's path (``data/train.csv``).

    Not an identifier such as ``sklearn.datasets.load_diabetes(scaled=False)`` or a part of a
    file (``data/adult.data#sample-8000``): those were never files to find again.
    """
    return not re.search(r"[#?()\s]", uri) and bool(re.search(r"[/\\]|\.\w+$", uri))
