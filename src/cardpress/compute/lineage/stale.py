"""Staleness as ``dvc status`` sees it, carried down the graph.

A DVC stage (or ``.dvc`` file) is **stale** when what it locked no longer holds, the same
stages and changes ``dvc status`` lists:

* a dep or out file's md5 differs from ``dvc.lock`` ("modified") or the file is gone
  ("deleted"). Only DVC 3 md5 of files are compared: folder hashes (``.dir``) and DVC 2 hashes
  (computed on text with line endings changed) are not;
* a parameter's value differs ("modified", compared as values: 18 and 18.0 are equal), is gone
  ("deleted") or is named but was not locked ("new"); a params file that is gone is "deleted";
* dvc.yaml's command differs from the one locked ("changed command").

Everything downstream of a stale stage (what it wrote, the stages that read that, the model
versions trained on it) is **stale upstream**, naming the changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from cardpress.model_lineage import DVC, DataRef, FileHash, Job, Staleness

if TYPE_CHECKING:
    from cardpress.compute.lineage.graph import LineageGraph


def changed(ref: DataRef, hashes: dict[str, FileHash]) -> str | None:
    """How a file changed since DVC locked its md5: "modified", "deleted", or None."""
    locked = [v for algo, v in ref.digests if algo == "md5" and not v.endswith(".dir")]
    if not locked or ref.local is None:
        return None
    current = hashes.get(ref.local.as_posix())
    if current is None:
        return "deleted"
    return "modified" if current.md5 not in locked else None


def staleness(graph: LineageGraph) -> dict[str, Staleness]:
    """Every stale node: its own changes (DVC stages) and the changes upstream of it."""
    own: dict[str, list[tuple[str, str, str]]] = {}
    for key, job in graph.jobs.items():
        if job.origin != DVC:
            continue
        changes = [
            (ref.name, status, side)
            for side, refs in (("deps", job.inputs), ("outs", job.outputs))
            for ref in refs
            if (status := changed(ref, graph.hashes)) is not None
        ]
        changes += declared_changes(job)
        if changes:
            own[key] = changes  # fmt: skip
    upstream: dict[str, set[str]] = {}
    for key, changes in own.items():
        label = graph.nodes[key].label
        reasons = {f"{path} {status} (stage {label})" for path, status, _ in changes}
        seen = {key}
        pending = list(graph.down.get(key, []))
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            upstream.setdefault(node, set()).update(reasons)
            pending += graph.down.get(node, [])
    return {
        node: Staleness(tuple(sorted(own.get(node, []))), tuple(sorted(upstream.get(node, ()))))
        for node in sorted(set(own) | set(upstream))
    }


def declared_changes(job: Job) -> Iterator[tuple[str, str, str]]:
    """A locked stage's changed parameters and command, as ``dvc status`` reports them."""
    if job.now is None:
        return
    for file, key, locked, now in job.now.params:
        if not key:
            yield file, "deleted", "params"
        elif locked is None and now is not None:
            yield f"{file}: {key}", "new", "params"
        elif locked is not None and now is None:
            yield f"{file}: {key}", "deleted", "params"
        elif locked is not None and now is not None and json.loads(locked) != json.loads(now):
            yield f"{file}: {key}", "modified", "params"
    if job.now.command is not None and job.command is not None and job.now.command != job.command:
        yield "command", "modified", "command"


def stale_warnings(graph: LineageGraph) -> list[str]:
    """A build warning per stale stage, as ``dvc status`` would list it."""
    warnings = []
    for key, state in graph.stale.items():
        if not state.changes:
            continue
        job = graph.jobs[key]
        parts = [f"changed {side}: {path} ({status})" if side != "command" else "changed command"
                 for path, status, side in state.changes]  # fmt: skip
        what = f"stage {job.name}" if key.startswith("dvc:") else job.name
        warnings.append(f"{job.source.file}: {what} is stale: " + "; ".join(parts))
    return warnings
