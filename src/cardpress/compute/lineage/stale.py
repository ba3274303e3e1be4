"""Staleness as ``dvc status`` sees it, carried down the graph.

A DVC stage (or ``.dvc`` file) is **stale** when a dep or out it locked no longer matches its
file: the file's md5 differs from ``dvc.lock`` ("modified") or the file is gone ("deleted"),
the same stages and files ``dvc status`` lists. Everything downstream of a stale stage (what it
wrote, the stages that read that, the model versions trained on it) is **stale upstream**,
naming the changed files. Only DVC 3 md5 of files are compared: folder hashes (``.dir``) and
DVC 2 hashes (computed on text with line endings changed) are not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cardpress.model_lineage import DVC, DataRef, FileHash, Staleness

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
        for side, refs in (("deps", job.inputs), ("outs", job.outputs)):
            for ref in refs:
                status = changed(ref, graph.hashes)
                if status is not None:
                    own.setdefault(key, []).append((ref.name, status, side))
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


def stale_warnings(graph: LineageGraph) -> list[str]:
    """A build warning per stale stage, as ``dvc status`` would list it."""
    warnings = []
    for key, state in graph.stale.items():
        if not state.changes:
            continue
        job = graph.jobs[key]
        parts = [f"changed {side}: {path} ({status})" for path, status, side in state.changes]
        what = f"stage {job.name}" if key.startswith("dvc:") else job.name
        warnings.append(f"{job.source.file}: {what} is stale: " + "; ".join(parts))
    return warnings
