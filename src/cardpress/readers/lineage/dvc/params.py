"""What a locked DVC stage's command and parameters are now, to compare with ``dvc.lock``.

A stage's ``params`` in dvc.yaml name keys of ``params.yaml`` (a plain key, dotted for nested
values: ``train.lr``) or of another file (``{file: [keys]}``; ``{file: }`` tracks every
top-level key of it). The files are read relative to the stage's ``wdir``, as YAML (JSON too)
or TOML (:func:`yamlfiles.load`). Values are kept as JSON text; the comparison
(:mod:`cardpress.compute.lineage.stale`) is ``dvc status``'s. What DVC interpolates (``${…}``)
and Python params files are not compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cardpress.model_lineage import StageNow
from cardpress.readers.files import Allowed
from cardpress.readers.limits import MAX_DVC_METRICS_BYTES
from cardpress.readers.lineage.dvc.yamlfiles import as_dict, as_list, inside, load

DEFAULT = "params.yaml"
_ABSENT = object()


def stage_now(
    root: Path,
    base: Path,
    spec: dict[str, Any],
    lock: dict[str, Any],
    reading: tuple[Allowed, list[str]],
) -> StageNow | None:
    """dvc.yaml's command and the current values of the params the locked stage names."""
    if not lock or not spec:
        return None
    allow, warnings = reading
    command = joined(spec.get("cmd"))
    if command is not None and "${" in command:
        command = None
    locked = {str(f): as_dict(v) for f, v in as_dict(lock.get("params")).items()}
    params: list[tuple[str, str, str | None, str | None]] = []
    for file, keys in declared(spec.get("params")):
        if "${" in file or any("${" in k for k in keys or ()):
            continue
        data = _read(root, base / file, allow, warnings)
        if data is _ABSENT:
            params.append((file, "", json.dumps(locked.get(file, {})), None))
            continue
        old = locked.get(file, {})
        names = keys if keys is not None else sorted(set(old) | set(as_dict(data)))
        params += [(file, key, _json(old.get(key, _ABSENT)), _json(_lookup(data, key)))
                   for key in names]  # fmt: skip
    return StageNow(command, tuple(params))


def joined(cmd: Any) -> str | None:
    """A stage's command as one line (a list of commands runs them in turn); None if not one."""
    if isinstance(cmd, list):
        return " && ".join(map(str, cmd))
    return cmd if isinstance(cmd, str) else None


def declared(params: Any) -> Iterator[tuple[str, list[str] | None]]:
    """(file, keys) the stage names, in order; keys None: every top-level key of the file."""
    for item in as_list(params):
        if isinstance(item, str):
            yield DEFAULT, [item]
        elif isinstance(item, dict):
            for file, keys in item.items():
                names = [str(k) for k in as_list(keys) if isinstance(k, str)]
                yield str(file), names or None


def _read(root: Path, path: Path, allow: Allowed, warnings: list[str]) -> Any:
    """The values of a params file; _ABSENT when it is gone or cannot be read (a warning)."""
    if not path.is_file():
        return _ABSENT
    real = inside(root, path, allow, warnings)
    if real is None:
        return _ABSENT
    data, _ = load(root, real, MAX_DVC_METRICS_BYTES, warnings)
    return _ABSENT if data is None else data


def _lookup(data: Any, key: str) -> Any:
    """The value at a dotted key (``train.lr``), or _ABSENT."""
    for part in key.split("."):
        if not isinstance(data, dict) or part not in data:
            return _ABSENT
        data = data[part]
    return data


def _json(value: Any) -> str | None:
    if value is _ABSENT:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
