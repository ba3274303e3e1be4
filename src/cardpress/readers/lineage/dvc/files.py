"""Files tracked by DVC outside a pipeline: the ``*.dvc`` files of ``dvc add`` and ``dvc import``.

``dvc add data/raw.csv`` writes ``data/raw.csv.dvc`` with the file's md5, size and path (and a
remote when pushed to one other than the default); ``dvc import <repo> <path>`` adds a dep that
names the repository's URL, the path there and the commit it was taken at (``rev_lock``);
``dvc import-url`` a dep that is a URL. Each file becomes a job that made the tracked data, so the
raw data's page says where it came from.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cardpress.model import Source
from cardpress.model_lineage import DVC, DataRef, Job
from cardpress.readers.files import NOT_RECORDS, Allowed
from cardpress.readers.lineage.dvc.yamlfiles import as_dict, as_list, inside, mapping, shown

Locate = Callable[[Path, str], tuple[str, Path | None]]
MAX_DVC_FILES = 10_000


def read_dvc_files(
    root: Path,
    folder: Path,
    locate: Locate,
    warnings: list[str],
    allow: Allowed = (),
    seen: set[Path] | None = None,
) -> tuple[Job, ...]:
    """A job per ``*.dvc`` file under ``folder`` (hidden folders such as ``.git`` skipped).

    ``seen`` holds files already read from another folder, so nested folders read each once.
    """
    seen = set() if seen is None else seen
    remotes = _remotes(root, folder, allow, warnings)
    jobs = []
    for path in _dvc_files(folder, warnings, root):
        real = inside(root, path, allow, warnings)
        if real is None or real in seen:
            continue
        seen.add(real)
        data, _ = mapping(root, path, warnings, allow)
        if data:
            jobs.append(_job(root, path, data, locate, remotes))
    return tuple(jobs)


def _dvc_files(folder: Path, warnings: list[str], root: Path) -> list[Path]:
    found: list[Path] = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in NOT_RECORDS)
        found += [Path(top) / f for f in sorted(files) if f.endswith(".dvc")]
        if len(found) > MAX_DVC_FILES:
            warnings.append(f"{shown(root, folder)}: more than {MAX_DVC_FILES} *.dvc files; "
                            "the rest are not read")  # fmt: skip
            return sorted(found[:MAX_DVC_FILES])
    return sorted(found)


def _job(
    root: Path, path: Path, data: dict[str, Any], locate: Locate, remotes: dict[str, str]
) -> Job:
    name = shown(root, path)
    where = Source(name)
    base = path.parent / str(data.get("wdir", "."))
    deps = [as_dict(d) for d in as_list(data.get("deps"))]
    origin = [_origin(dep, where) for dep in deps if isinstance(dep.get("path"), str)]
    about = [fact for ref in origin for fact in ref.about]
    kind = "dvc import" if any(d.get("repo") for d in deps) else (
        "dvc import-url" if deps else "dvc add")  # fmt: skip
    outs = []
    for out in (as_dict(o) for o in as_list(data.get("outs"))):
        if not isinstance(out.get("path"), str):
            continue
        uri, local = locate(base, out["path"])
        remote = out.get("remote") if isinstance(out.get("remote"), str) else remotes.get("")
        facts = [("tracked by", f"{name} ({kind})"), *about]
        if remote:
            facts.append(("DVC remote", f"{remote}: {remotes[remote]}" if remote in remotes
                          else remote))  # fmt: skip
        # named from the records folder, as `dvc status` names it (not from the .dvc file)
        outs.append(DataRef(uri, uri, DVC, where, local, tuple(_digests(out)),
                            _size(out), about=tuple(facts)))  # fmt: skip
    return Job(
        key=f"dvc-file:{name}", name=name, origin=DVC, source=where, inputs=tuple(origin),
        outputs=tuple(outs), description=data["desc"] if isinstance(data.get("desc"), str)
        else None, command=kind,
    )  # fmt: skip


def _origin(dep: dict[str, Any], where: Source) -> DataRef:
    """Where imported data came from: a path in another repository, or a URL."""
    path = str(dep["path"])
    repo = as_dict(dep.get("repo"))
    url = repo.get("url")
    if isinstance(url, str):
        rev = repo.get("rev_lock")
        facts = [("imported from", url), ("path there", path)]
        facts += [("revision", str(repo["rev"]))] if isinstance(repo.get("rev"), str) else []
        facts += [("commit", rev)] if isinstance(rev, str) else []
        digests = (("git commit", rev),) if isinstance(rev, str) else ()
        return DataRef(f"{path} in {url}", f"{url.rstrip('/')}/{path}", DVC, where,
                       digests=digests, about=tuple(facts))  # fmt: skip
    return DataRef(path, path, DVC, where, digests=tuple(_digests(dep)), size=_size(dep),
                   about=(("imported from", path),))  # fmt: skip


def _digests(entry: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("md5", "etag", "checksum"):
        if isinstance(entry.get(key), str):
            yield ("md5" if key == "md5" and entry.get("hash") == "md5" else f"DVC {key}",
                   entry[key])  # fmt: skip


def _size(entry: dict[str, Any]) -> int | None:
    size = entry.get("size")
    return size if isinstance(size, int) and not isinstance(size, bool) else None


def _remotes(root: Path, folder: Path, allow: Allowed, warnings: list[str]) -> dict[str, str]:
    """Remote name → URL from the repository's ``.dvc/config``; "" → the default remote."""
    for parent in (folder, *folder.parents):
        config = parent / ".dvc" / "config"
        if config.is_file():
            break
        if parent == root or not parent.is_relative_to(root):
            return {}
    else:
        return {}
    real = inside(root, config, allow, warnings)
    if real is None:
        return {}
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(real.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        warnings.append(f"{shown(root, config)}: cannot be read ({error}); remotes not shown")
        return {}
    remotes = {}
    for section in parser.sections():
        words = section.strip("'\"").split('"')
        if words[0].strip() == "remote" and len(words) > 1 and parser.has_option(section, "url"):
            remotes[words[1]] = parser.get(section, "url")
    default = parser.get("core", "remote", fallback=None)
    if default:
        remotes[""] = default
    return remotes
