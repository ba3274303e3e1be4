"""Finding and opening files inside the records folder, safely."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from cardpress.errors import Problem
from cardpress.model import Dataset

CHUNK = 1 << 20


def inside(root: Path, uri: str) -> Path | None:
    """``uri`` resolved against ``root`` if it stays inside ``root``; otherwise None."""
    if "://" in uri:
        return None
    candidate = (root / uri).resolve()
    return candidate if candidate.is_relative_to(root.resolve()) else None


def relative(root: Path, path: Path) -> str:
    """``path`` as shown to users: relative to the records folder, with forward slashes."""
    return path.relative_to(root).as_posix()


def read_text(root: Path, path: Path, problems: list[Problem]) -> str | None:
    """The UTF-8 text of ``path``, or None after recording why it could not be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        fix = "save the file as UTF-8"
        problems.append(
            Problem(relative(root, path), None, "", f"is not UTF-8 ({error.reason})", fix)
        )
    except OSError as error:
        fix = "check the file's permissions"
        problems.append(
            Problem(relative(root, path), None, "", f"cannot be read ({error.strerror})", fix)
        )
    return None


def sha256_of(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks so large files need little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def current_hashes(root: Path, datasets: Iterable[Dataset]) -> dict[str, str | None]:
    """sha256 of each data set's file now, by id; None when it is not a file in ``root``."""
    hashes: dict[str, str | None] = {}
    for dataset in datasets:
        path = inside(root, dataset.uri)
        hashes[dataset.id] = sha256_of(path) if path is not None and path.is_file() else None
    return hashes
