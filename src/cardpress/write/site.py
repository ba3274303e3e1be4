"""Write a site all at once: into a staging folder beside the output, then swap it into place.

A build that fails part-way leaves the previous site as it was: the staging folder is removed and
the output folder is only replaced after every file has been written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from cardpress.errors import BuildError
from cardpress.render.pages import RenderedFile, to_json

MANIFEST = "manifest.json"
GENERATOR = "cardpress"


def write_site(files: Iterable[RenderedFile], out: Path, *, force: bool, version: str) -> int:
    """Write ``files`` as the site in ``out``; return how many files were written.

    Raises:
        BuildError: ``out`` holds something that is not a cardpress site (and ``force`` is off),
            two pages claim one path, a path would leave the site, or the disk refuses a write.
    """
    out = out.resolve()
    _check_target(out, force)
    staging = out.parent / f".cardpress-staging-{out.name}"
    _remove(staging)
    try:
        digests = _write_all(files, staging)
        manifest = {"generator": GENERATOR, "version": version, "files": digests}
        (staging / MANIFEST).write_bytes(to_json(manifest))
        _swap(staging, out)
    except OSError as error:
        _remove(staging)
        fix = "check free space and permissions of the output folder's parent"
        raise BuildError(
            f"{error.filename or out}: cannot write ({error.strerror}) — {fix}"
        ) from error
    except BaseException:
        _remove(staging)
        raise
    return len(digests) + 1


def is_cardpress_site(folder: Path) -> bool:
    """True if ``folder`` has a cardpress manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == GENERATOR


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: is a file, not a folder — choose another output folder with -o")
    if force or not out.exists() or not any(out.iterdir()) or is_cardpress_site(out):
        return
    raise BuildError(
        f"{out}: is not empty and is not a cardpress site — choose another output folder "
        "with -o, or pass --force to replace its contents"
    )


def _write_all(files: Iterable[RenderedFile], staging: Path) -> dict[str, str]:
    digests: dict[str, str] = {}
    for file in files:
        _check_path(file.path)
        if file.path in digests:
            raise BuildError(f"{file.path}: two pages would be written here — rename one model")
        target = staging / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
        digests[file.path] = hashlib.sha256(file.content).hexdigest()
    return dict(sorted(digests.items()))


def _check_path(path: str) -> None:
    # Split the raw text: PurePosixPath would quietly normalise "a//b" and "./a".
    parts = path.split("/")
    if "\\" in path or any(part in {"", ".", ".."} for part in parts):
        raise BuildError(f"{path}: would be written outside the site — this is a cardpress bug")


def _swap(staging: Path, out: Path) -> None:
    old = out.parent / f".cardpress-old-{out.name}"
    _remove(old)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
