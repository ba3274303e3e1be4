"""Where ``dvc.lock`` disagrees with ``dvc.yaml``: what ``dvc status`` would call changed.

A stage in one file only, or a stage whose deps or outs differ between them, means the lock is
from another version of the pipeline (edited and not reproduced, or removed). Each is a warning
naming the file, its line and the stage, with the fix.
"""

from __future__ import annotations

from typing import Any

import yaml

from cardpress.readers.lineage.dvc.yamlfiles import as_dict, as_list, line

REPRO = "run `dvc repro` (or `dvc commit`) so that dvc.lock matches dvc.yaml"


def generated(spec: Any) -> bool:
    """A ``foreach`` or ``matrix`` stage: its runs are locked as ``name@key``."""
    return isinstance(spec, dict) and ("foreach" in spec or "matrix" in spec)


def disagreements(
    stages: dict[str, Any],
    locked: dict[str, Any],
    files: tuple[str, str],
    trees: tuple[yaml.Node | None, yaml.Node | None],
) -> list[str]:
    """A warning for each stage that ``dvc.lock`` (``files[1]``) and ``dvc.yaml`` disagree on."""
    spec_file, lock_file = files

    def at(which: int, name: str) -> str:
        found = line(trees[which], "stages", name)
        return f"{files[which]}:{found}" if found else files[which]

    warnings = []
    for name in sorted(locked):
        base = name.split("@")[0]
        spec = stages.get(name if name in stages else base)
        if spec is None or (name not in stages and not generated(spec)):
            warnings.append(f"{at(1, name)}: stage {name!r} is in {lock_file} but not in "
                            f"{spec_file} (removed from the pipeline?); shown as it last ran. "
                            f"Fix: {REPRO}")  # fmt: skip
            continue
        if generated(spec):
            continue
        for kind, declared in (("deps", _declared(spec, "deps")), ("outs", _outs(spec))):
            if declared is None:
                continue
            ran = {str(as_dict(e).get("path")) for e in as_list(as_dict(locked[name]).get(kind))}
            if declared != ran:
                only_spec, only_lock = sorted(declared - ran), sorted(ran - declared)
                parts = [
                    f"only in {spec_file}: {', '.join(only_spec)}" if only_spec else "",
                    f"only in {lock_file}: {', '.join(only_lock)}" if only_lock else "",
                ]
                detail = "; ".join(p for p in parts if p)
                warnings.append(
                    f"{at(1, name)}: stage {name!r}: {kind} differ from {spec_file} ({detail}); "
                    f"the lock is from an earlier version of the stage. Fix: {REPRO}"
                )
    for name in sorted(stages):
        if name not in locked and not generated(stages[name]):
            warnings.append(
                f"{at(0, name)}: stage {name!r} is not in {lock_file}: it has not run, so its "
                "deps and outs have no hashes. Fix: run `dvc repro`"
            )
    return warnings


def _declared(spec: Any, key: str) -> set[str] | None:
    """The paths a stage declares under ``key``; None when templated (``${…}``)."""
    paths: set[str] = set()
    for item in as_list(as_dict(spec).get(key)):
        names = [item] if isinstance(item, str) else list(as_dict(item))
        paths.update(str(n) for n in names)
    return None if any("${" in p for p in paths) else paths


def _outs(spec: Any) -> set[str] | None:
    found = [_declared(spec, key) for key in ("outs", "metrics", "plots")]
    return None if any(f is None for f in found) else set().union(*(f or set() for f in found))
