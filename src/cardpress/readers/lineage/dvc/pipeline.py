"""DVC pipelines: stages of ``dvc.yaml`` with the hashes and parameter values of ``dvc.lock``.

``dvc.lock`` (schema 2.0) holds what last ran: command, deps and outs with md5 (a ``.dir`` suffix
for a folder), size and parameter values. ``dvc.yaml`` adds stages not yet run, descriptions
and which outs are metrics; metrics files (JSON, YAML, TOML) are read for their values. A
``foreach`` or ``matrix`` stage runs once per item (``train@us``): its ``do:`` block (or the
stage itself) says what each item declares, with ``${…}`` paths resolved as dvc.lock has them.
A ``dvc.lock`` that disagrees with ``dvc.yaml`` (a stage in one only, other deps or outs) is a
warning naming the file, line and stage. ``*.dvc`` files (``dvc.files``) are read too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cardpress.model import Source
from cardpress.model_lineage import DVC, DataRef, Job
from cardpress.readers.files import Allowed
from cardpress.readers.limits import MAX_DVC_METRICS_BYTES
from cardpress.readers.lineage.dvc.check import disagreements, generated
from cardpress.readers.lineage.dvc.params import joined, stage_now
from cardpress.readers.lineage.dvc.yamlfiles import as_dict as _dict
from cardpress.readers.lineage.dvc.yamlfiles import as_list as _list
from cardpress.readers.lineage.dvc.yamlfiles import inside, load, mapping
from cardpress.readers.lineage.dvc.yamlfiles import shown as _name

Locate = Callable[[Path, str], tuple[str, Path | None]]
MAX_METRICS = 50
TEMPLATE = re.compile(r"\$\{[^}]*\}")  # what DVC fills in: ${data_dir}, ${item.region}


def read_dvc(
    root: Path, folder: Path, locate: Locate, warnings: list[str], allow: Allowed = ()
) -> tuple[Job, ...]:
    """The stages of the DVC pipeline in ``folder``, or none when it has no ``dvc.yaml``.

    Files that resolve outside the records folder (and ``allow``) are skipped with a warning.
    """
    spec, spec_tree = mapping(root, folder / "dvc.yaml", warnings, allow)
    lock, lock_tree = mapping(root, folder / "dvc.lock", warnings, allow)
    if lock and str(lock.get("schema")) != "2.0":
        warnings.append(f"{_name(root, folder / 'dvc.lock')}: schema {lock.get('schema')!r} is "
                        "not 2.0 (DVC 2 or later); its hashes are ignored")  # fmt: skip
        lock = {}
    stages = _dict(spec.get("stages")) if spec else {}
    locked = _dict(lock.get("stages")) if lock else {}
    names = sorted(set(locked) | {n for n, s in stages.items() if not generated(s)})
    prefix = _name(root, folder)
    if spec and lock:
        files = (_name(root, folder / "dvc.yaml"), _name(root, folder / "dvc.lock"))
        warnings += disagreements(stages, locked, files, (spec_tree, lock_tree))
    return tuple(
        _stage(root, folder, prefix, name, _body(stages.get(name.split("@")[0])),
               _dict(locked.get(name)), locate, (allow, warnings))
        for name in names
    )  # fmt: skip


def _body(spec: Any) -> dict[str, Any]:
    """A stage of dvc.yaml as it runs: a ``foreach`` stage's ``do:`` block, else itself.

    A ``matrix`` stage keeps its ``cmd``, ``deps`` and ``metrics`` beside ``matrix:``.
    """
    spec = _dict(spec)
    return _dict(spec.get("do")) if "foreach" in spec else spec


def _stage(
    root: Path,
    folder: Path,
    prefix: str,
    name: str,
    spec: dict[str, Any],
    lock: dict[str, Any],
    locate: Locate,
    reading: tuple[Allowed, list[str]],
) -> Job:
    base = folder / str(spec.get("wdir", "."))
    where = Source(_name(root, folder / ("dvc.lock" if lock else "dvc.yaml")))
    command = joined(lock.get("cmd", spec.get("cmd")))
    metrics_files = _resolved([p for p, _ in _paths(spec.get("metrics"))], lock.get("outs"))
    outs = list(_refs(lock.get("outs"), spec.get("outs"), base, where, locate))
    outs += [r for r in _refs(None, spec.get("metrics"), base, where, locate)
             if r.name not in {o.name for o in outs}]  # fmt: skip
    return Job(
        key=f"dvc:{prefix}:{name}", name=name if prefix == "." else f"{prefix}: {name}",
        origin=DVC, source=where,
        inputs=tuple(_refs(lock.get("deps"), spec.get("deps"), base, where, locate)),
        outputs=tuple(sorted(outs, key=lambda r: r.name)),
        command=command,
        description=spec["desc"] if isinstance(spec.get("desc"), str) else None,
        params=tuple(_params(lock.get("params"))),
        metrics=tuple(_metrics(root, base, metrics_files, *reading)),
        now=stage_now(root, base, spec, lock, reading),
    )  # fmt: skip


def _refs(
    locked: Any, declared: Any, base: Path, where: Source, locate: Locate
) -> Iterator[DataRef]:
    """What dvc.lock recorded, and what dvc.yaml declares beside it (a stage not yet run).

    A declared path with ``${…}`` is left out: DVC fills it in (``vars``, a ``foreach`` item)
    and dvc.lock holds it resolved (``data/in.txt`` for ``${data_dir}/in.txt``).
    """
    entries = {str(e["path"]): e for e in _list(locked) if isinstance(_dict(e).get("path"), str)}
    for path, _ in _paths(declared):
        if "${" not in path:
            entries.setdefault(path, {"path": path})
    for path, entry in sorted(entries.items()):
        uri, local = locate(base, path)
        digests = []
        for key in ("md5", "etag", "checksum"):
            if isinstance(entry.get(key), str):
                algo = "md5" if key == "md5" and entry.get("hash") == "md5" else f"DVC {key}"
                digests.append((algo, entry[key]))
        size = entry.get("size")
        yield DataRef(path, uri, DVC, where, local, tuple(digests),
                      size if isinstance(size, int) else None)  # fmt: skip


def _resolved(declared: list[str], locked: Any) -> list[str]:
    """The declared paths, each templated one as dvc.lock resolved it among the stage's outs.

    ``metrics/${item}.json`` of ``train@us`` is the locked out it matches, ``metrics/us.json``;
    one no locked out matches (the stage has not run) is left out.
    """
    outs = sorted({str(_dict(e).get("path")) for e in _list(locked)})
    found: list[str] = []
    for path in declared:
        if "${" not in path:
            found.append(path)
            continue
        pattern = re.compile(".+".join(re.escape(part) for part in TEMPLATE.split(path)))
        found += [out for out in outs if pattern.fullmatch(out)]
    return list(dict.fromkeys(found))


def _paths(declared: Any) -> Iterator[tuple[str, Any]]:
    for item in _list(declared):
        if isinstance(item, str):
            yield item, None
        elif isinstance(item, dict):
            yield from ((str(k), v) for k, v in item.items())


def _params(locked: Any) -> Iterator[tuple[str, str]]:
    for file, values in sorted(_dict(locked).items()):
        for key, value in sorted(_dict(values).items()):
            label = key if file == "params.yaml" else f"{file}: {key}"
            yield label, json.dumps(value, sort_keys=True, ensure_ascii=False)


def _metrics(
    root: Path, base: Path, files: list[str], allow: Allowed, warnings: list[str]
) -> Iterator[tuple[str, str]]:
    """The first values of the metrics files; one that cannot be read is left out."""
    count = 0
    for file in files:
        real = inside(root, base / file, allow, warnings)
        if real is None:
            continue
        data, _ = load(root, real, MAX_DVC_METRICS_BYTES, [])
        for key, value in sorted(_flat(data)):
            if count < MAX_METRICS:
                yield f"{file}: {key}", value
            count += 1


def _flat(data: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flat(value, f"{prefix}{key}.")
    elif isinstance(data, bool | int | float | str):
        yield prefix.rstrip("."), str(data)
