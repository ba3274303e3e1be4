"""Where a data set named by a source lives: its normalised URI and, when allowed, its file."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cardpress.model_lineage import MLFLOW_URIS
from cardpress.readers.files import Allowed, real_path, within


def locate(
    root: Path,
    base: Path,
    uri: str,
    allow_outside: bool,
    allow: Allowed = (),
) -> tuple[str, Path | None]:
    """The normalised URI of ``uri`` and the local file cardpress may hash (None if none).

    Relative paths are resolved against ``base`` (the folder of the file that names them).
    Every path becomes relative to the records folder ``root`` (``../data/x.csv`` outside it),
    so every source names a file the same way; one outside is returned as a file only when
    under an allowed root (``[paths] allow``) or ``allow_outside`` (``hash_outside_records``:
    any file may be hashed; only its hash is shown). Other URIs keep their path with the
    scheme and host in lower case.
    """
    text = uri.strip()
    if text.lower().startswith(MLFLOW_URIS):
        return text, None  # MLflow's own URIs name no file: never looked up on this machine
    if text.lower().startswith("file://"):
        try:
            text = unquote(urlsplit(text).path)
        except ValueError:  # an unbalanced '[' or ']' in the host: shown as written
            return text, None
    elif "://" in text:
        return _remote(text), None
    if not text:
        return text, None
    try:
        literal = Path(os.path.normpath(base / text))
        # The location: its folders' links followed, the file's own link not. DVC's
        # cache.type symlink points every file of equal bytes at one cache object: followed,
        # two data sets became one (and a false cycle). What is read and hashed is the target.
        spot = real_path(literal.parent) / literal.name
        path = real_path(spot)
        top = real_path(root)
    except (OSError, RuntimeError, ValueError):  # NUL, a name too long, a symbolic-link loop
        return text, None
    hashable = path.is_relative_to(top) or allow_outside or within(root, path, allow)
    if spot.is_relative_to(top):
        return spot.relative_to(top).as_posix() or ".", path if hashable else None
    # Outside the records folder: relative to it however a source wrote it, so DVC's
    # "../data/x.csv" and MLflow's or OpenLineage's absolute path are one data set.
    return Path(os.path.relpath(spot, top)).as_posix(), path if hashable else None


def _remote(uri: str) -> str:
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unbalanced '[' or ']' in the host: kept as written
        return uri
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}{query}"
