"""Where a data set named by a source lives: its normalised URI and, when allowed, its file."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cardpress.readers.files import Allowed, within

# A registered or logged model (models:/churn/1, models:/m-…), a run's artifact (runs:/ID/path)
# or a run's input made in code (runs:/ID#dataset=…): one slash, so not caught by "://".
MLFLOW_URIS = ("models:/", "runs:/")


def locate(
    root: Path, base: Path, uri: str, allow_outside: bool, allow: Allowed = ()
) -> tuple[str, Path | None]:
    """The normalised URI of ``uri`` and the local file cardpress may hash (None if none).

    Relative paths are resolved against ``base`` (the folder of the file that names them).
    Paths inside the records folder ``root`` become relative to it, so every source names a
    file the same way; paths outside it stay absolute and are returned as files only when
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
    try:
        path = (base / text).resolve() if text else None
    except (OSError, RuntimeError, ValueError):  # NUL, a name too long, a symbolic-link loop
        return text, None
    if path is None:
        return text, None
    top = root.resolve()
    if path.is_relative_to(top):
        return path.relative_to(top).as_posix() or ".", path
    # Outside the records folder: a relative name stays relative, so pages do not depend on
    # where the records folder sits on this machine.
    shown = path.as_posix() if Path(text).is_absolute() else Path(os.path.relpath(path, top))
    hashable = allow_outside or within(root, path, allow)
    return Path(shown).as_posix(), path if hashable else None


def _remote(uri: str) -> str:
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unbalanced '[' or ']' in the host: kept as written
        return uri
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}{query}"
