"""What a whole build is made from, and whether a built site is still as its build left it.

A build's output depends only on its inputs: every file of the records folder, cardpress's own
code and default theme, the versions of the libraries that shape the output, the build's
options, and the previous site. :func:`inputs_digest` digests the first four without importing
any engine; :func:`site_stamp` digests the output's listing with each file's inode, size,
modification and change time. A process cannot set a file's change time (any write, rename,
link or ``touch`` moves it to the present), so a site whose stamp is the one taken right after
the last build holds exactly the bytes that build wrote.

Both are kept in ``<records>/.cardpress-cache/build-<output>.json`` after a build; the next build
with the same digest and stamp would write the same bytes again, so it stops (see
:mod:`cardpress.building`). Deleting the file only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from cardpress.readers.chart_cache import FOLDER, cache_folder
from cardpress.readers.hashing import load_cache, save_atomic

FORMAT = 1
# Files larger than this are keyed by their inode, size and times rather than read whole: a
# records folder may hold data sets of gigabytes, and a change time cannot be set back.
LARGE = 16 << 20
# Libraries whose version can change the bytes of a page: charts, Markdown, templates, the
# statistics and the engines that read monitoring rows and predictions.
# Past this many files (a records folder that holds a whole project) the digest would cost more
# than it saves: such builds run whole.
MANY = 200_000
LIBRARIES = ("vl-convert-python", "altair", "jinja2", "markdown", "nh3", "scipy", "numpy",
             "pandas", "pyarrow", "duckdb", "ibis-framework", "pyyaml", "orjson",
             "cryptography")  # fmt: skip


def record_file(records: Path, out: Path) -> Path | None:
    """Where the last build of ``out`` from ``records`` is described (None: no cache folder)."""
    folder = cache_folder(records)
    if folder is None:
        return None
    site = hashlib.sha256(str(out.absolute()).encode()).hexdigest()[:16]
    return folder / f"build-{site}.json"


def load_record(path: Path | None) -> dict[str, Any]:
    """The kept description of the last build, or {} when there is none usable."""
    found = load_cache(path) if path is not None else {}
    return found if found.get("format") == FORMAT else {}


def save_record(path: Path | None, record: dict[str, Any]) -> None:
    """Keep the description of the build just finished (a failure only costs time)."""
    if path is not None:
        text = json.dumps({"format": FORMAT, **record}, sort_keys=True)
        save_atomic(path, text.encode("utf-8"))


def inputs_digest(records: Path, out: Path, options: dict[str, Any]) -> str | None:
    """sha256 of everything a build of ``records`` into ``out`` reads, or None when unknown.

    None when the records folder holds a symbolic link or a special file, or when the config
    reads outside it (``[paths] allow``, ``lineage.hash_outside_records``): what those lead to
    is not digested here, so such builds always run whole.
    """
    config = _config(records)
    if config is None or _allows_outside(config):
        return None
    tree = _tree_digest(records.absolute(), out.absolute(), _drift_caches(records, config))
    if tree is None:
        return None
    parts = {
        "records": tree,
        "code": code_digest(),
        "python": sys.version,
        "libraries": {name: _version(name) for name in LIBRARIES},
        "options": options,
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _tree_digest(root: Path, out: Path, caches: set[Path]) -> str | None:
    """sha256 over every file of the records folder (path and content), but its caches.

    The output and what a build keeps beside it are left out when they lie inside the folder,
    and so are the files a build keeps in the drift cache folders the config names (``caches``):
    each build rewrites them. Only files named as that cache names them: a cache folder set to
    a folder of records (``cache = "runs"``) leaves its records in the digest.
    """
    # git's own folder changes with every commit and fetch and is never read by a build
    skipped = {root / FOLDER, root / ".git", out,
               *(out.parent / f".cardpress-{kind}-{out.name}"
                 for kind in ("staging", "old", "lock"))}  # fmt: skip
    digest = hashlib.sha256()
    files = _files(root, skipped, caches)
    if len(files) > MANY:
        return None
    for path in files:
        if path is None:
            return None
        digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode("utf-8", "surrogateescape"))
        found = _file_digest(path)
        if found is None:
            return None
        digest.update(found.encode())
    return digest.hexdigest()


def _files(folder: Path, skipped: set[Path], caches: set[Path]) -> list[Path | None]:
    """Every regular file under ``folder`` in a stable order; a None for a link or special file.

    Not ``skipped`` folders, nor drift cache files in ``caches`` folders.
    """
    found: list[Path | None] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return [None]
    for entry in entries:
        path = Path(entry.path)
        if path in skipped:
            continue
        if entry.is_symlink():
            return [None]
        if entry.is_dir(follow_symlinks=False):
            found += _files(path, skipped, caches)
        elif entry.is_file(follow_symlinks=False):
            if not (folder in caches and _DRIFT_CACHE_FILE.fullmatch(entry.name)):
                found.append(path)
        else:
            return [None]
    return found


def _file_digest(path: Path) -> str | None:
    try:
        info = path.stat()
        if info.st_size > LARGE:
            return f"stat {info.st_dev} {info.st_ino} {info.st_size} {info.st_mtime_ns} " \
                   f"{info.st_ctime_ns}"  # fmt: skip
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# What readers/drift/cache.py keeps for a model: summaries, results per window, KS p-values.
_DRIFT_CACHE_FILE = re.compile(r"drift-[0-9a-f]{16}(?:-report|-ks)?\.json")


def _config(records: Path) -> dict[str, Any] | None:
    """The records' cardpress.toml, read with the standard library alone ({} when there is none).

    None when it cannot be read: the build then runs whole and reports the problem.
    """
    import tomllib

    path = records / "cardpress.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None


def _allows_outside(config: dict[str, Any]) -> bool:
    """Whether the config reads outside the records (``[paths] allow``, or lineage hashes)."""
    paths, lineage = config.get("paths", {}), config.get("lineage", {})
    if not isinstance(paths, dict) or not isinstance(lineage, dict):
        return True
    return bool(paths.get("allow")) or bool(lineage.get("hash_outside_records"))


def _drift_caches(records: Path, config: dict[str, Any]) -> set[Path]:
    """The folders ``drift.cache`` and ``[drift.models.<model>] cache`` name, as given.

    Only the digest skips them; a path the config may not use is refused by the build itself,
    as is a config whose tables are not tables (then nothing is skipped here).
    """
    from cardpress.readers.config import config_paths

    try:
        named = [value for key, value in config_paths(config) if key[-1] == "cache"]
    except (AttributeError, TypeError):  # a table that is not one: the build reports it
        return set()
    return {Path(os.path.normpath(records.absolute() / folder))
            for folder in named if isinstance(folder, str) and folder}  # fmt: skip


@cache
def code_digest() -> str:
    """sha256 of cardpress's own files (code, schemas, policies) and of its default theme."""
    from cardpress.render.env import default_templates_dir

    digest = hashlib.sha256()
    for folder in (Path(__file__).resolve().parents[1], default_templates_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"\n{path.relative_to(folder).as_posix()}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def site_stamp(out: Path) -> str | None:
    """sha256 of the listing of ``out``: every entry's path, type, inode, size and times.

    None when ``out`` is missing. Any change to the site (a file written, replaced, added,
    removed, linked or touched) changes the stamp.
    """
    if not out.is_dir():
        return None
    digest = hashlib.sha256()
    try:
        _stamp(out, "", digest)
    except OSError:  # something removed a file while it was read: not the site a build left
        return None
    return digest.hexdigest()


def files_stamp(records: Path, folders: list[str]) -> str | None:
    """sha256 of every file's path, size and modification time under these folders of ``records``.

    The files a drift summary is kept for are judged unchanged by their size and modification
    time too (:mod:`cardpress.readers.drift.cache`). None when a folder cannot be listed.
    """
    digest = hashlib.sha256()
    try:
        for name in folders:
            digest.update(f"{name}\n".encode("utf-8", "surrogateescape"))
            for path in _files(records / name, set(), set()):  # in a stable order
                if path is None:  # a link or a special file: never the same as before
                    return None
                info = path.stat()
                relative = path.relative_to(records).as_posix()
                line = f"{relative}\0{info.st_size} {info.st_mtime_ns}\n"
                digest.update(line.encode("utf-8", "surrogateescape"))
    except OSError:
        return None
    return digest.hexdigest()


def _stamp(folder: Path | str, prefix: str, digest: Any) -> None:
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
        info = entry.stat(follow_symlinks=False)
        kind = "d" if stat.S_ISDIR(info.st_mode) else "f" if stat.S_ISREG(info.st_mode) else "o"
        line = (f"{prefix}{entry.name}\0{kind} {info.st_mode} {info.st_ino} {info.st_size} "
                f"{info.st_mtime_ns} {info.st_ctime_ns}\n")  # fmt: skip
        digest.update(line.encode("utf-8", "surrogateescape"))
        if kind == "d":
            _stamp(entry.path, f"{prefix}{entry.name}/", digest)
