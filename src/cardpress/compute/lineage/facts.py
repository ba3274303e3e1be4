"""Facts about one data set node: recorded hashes against the file now, versions over time."""

from __future__ import annotations

from typing import Any

from cardpress.compute.lineage.graph import DatasetNode, LineageGraph
from cardpress.model_lineage import DataRef

CHANGED, MATCHES, NOT_COMPARED = "changed since recorded", "matches the file", "not compared"


def digest_rows(dataset: DatasetNode, graph: LineageGraph) -> list[dict[str, Any]]:
    """Every hash a source recorded, with how it compares with the file's current content.

    sha256 is compared with the file's sha256, DVC 3's ``md5`` with its md5; folder hashes
    (``.dir``), MLflow's partial digest and free-text versions are shown, never compared.
    """
    rows = {}
    for ref in dataset.refs:
        current = graph.hashes.get(ref.local.as_posix()) if ref.local else None
        for algo, value in ref.digests:
            status = NOT_COMPARED
            if current is not None and algo == "sha256":
                status = MATCHES if value == current.sha256 else CHANGED
            elif current is not None and algo == "md5" and not value.endswith(".dir"):
                status = MATCHES if value == current.md5 else CHANGED
            key = (algo, value, str(ref.source))
            rows[key] = {
                "algo": algo, "value": value, "origin": ref.origin, "name": ref.name,
                "source": str(ref.source), "seen_at": ref.seen_at, "status": status,
            }  # fmt: skip
    return [rows[key] for key in sorted(rows)]


def versions(dataset: DatasetNode) -> list[dict[str, Any]]:
    """Distinct recorded hashes with when they were first and last seen, oldest first."""
    seen: dict[tuple[str, str], list[DataRef]] = {}
    for ref in dataset.refs:
        for algo, value in ref.digests:
            seen.setdefault((algo, value), []).append(ref)
    rows = []
    for (algo, value), refs in seen.items():
        times = sorted(r.seen_at for r in refs if r.seen_at)
        rows.append({"algo": algo, "value": value, "first_seen": times[0] if times else None,
                     "last_seen": times[-1] if times else None,
                     "seen_by": sorted({f"{r.origin}: {r.name}" for r in refs})})  # fmt: skip
    return sorted(rows, key=lambda r: (r["first_seen"] or "", r["algo"], r["value"]))


def seen_range(dataset: DatasetNode) -> tuple[str | None, str | None]:
    """When the data set was first and last seen by any source that dates its sightings."""
    times = sorted(r.seen_at for r in dataset.refs if r.seen_at)
    return (times[0], times[-1]) if times else (None, None)


def changed_warnings(graph: LineageGraph) -> list[str]:
    """A build warning per recorded hash that no longer matches its file."""
    warnings = []
    for dataset in graph.datasets.values():
        for row in digest_rows(dataset, graph):
            if row["status"] == CHANGED:
                warnings.append(
                    f"{row['source']}: data set {row['name']} ({dataset.key}) changed since "
                    f"recorded: {row['algo']} was {row['value']}, the file now differs"
                )
    return warnings


def cycle_warnings(graph: LineageGraph) -> list[str]:
    """A build warning per cycle in the graph (drawn, never followed twice)."""
    labels = [[graph.nodes[n].label for n in cycle] for cycle in graph.cycles]
    return ["lineage cycle: " + " → ".join(names) for names in labels]
