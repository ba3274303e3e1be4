"""Facts about one data set node: recorded hashes against the file now, versions over time."""

from __future__ import annotations

from typing import Any

from cardpress.compute.lineage.graph import DatasetNode, LineageGraph
from cardpress.model_lineage import DataRef, FileHash

CHANGED, MATCHES, NOT_COMPARED = "changed since recorded", "matches the file", "not compared"
# a sighting with several hashes takes the first of these any of them has
ORDER = (CHANGED, MATCHES, NOT_COMPARED)


def digest_status(algo: str, value: str, ref: DataRef, hashes: dict[str, FileHash]) -> str:
    """How one recorded hash compares with the sighting's file now.

    sha256 is compared with the file's sha256, DVC 3's ``md5`` with its md5; folder hashes
    (``.dir``), MLflow's partial digest and free-text versions are shown, never compared, and
    so is a hash of a file that cannot be read now (the page says why; a DVC stage's missing
    file is "deleted" in its staleness, as ``dvc status`` says). Every page (data set, job)
    and the build warnings take a hash's status from here.
    """
    comparable = algo == "sha256" or (algo == "md5" and not value.endswith(".dir"))
    current = hashes.get(ref.local.as_posix()) if ref.local else None
    if not comparable or current is None:
        return NOT_COMPARED
    return MATCHES if value == (current.sha256 if algo == "sha256" else current.md5) else CHANGED


def file_status(ref: DataRef, hashes: dict[str, FileHash]) -> str:
    """A sighting's status: the most telling of its hashes' (changed first), as a job lists it."""
    found = {digest_status(algo, value, ref, hashes) for algo, value in ref.digests}
    return next((status for status in ORDER if status in found), NOT_COMPARED)


def digest_rows(dataset: DatasetNode, graph: LineageGraph) -> list[dict[str, Any]]:
    """Every hash a source recorded, with how it compares with the file's current content."""
    rows = {}
    for ref in dataset.refs:
        for algo, value in ref.digests:
            key = (algo, value, str(ref.source))
            rows[key] = {
                "algo": algo, "value": value, "origin": ref.origin, "name": ref.name,
                "source": str(ref.source), "seen_at": ref.seen_at,
                "status": digest_status(algo, value, ref, graph.hashes),
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
