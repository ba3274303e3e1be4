"""Facts about one data set node: recorded hashes against the file now, versions over time."""

from __future__ import annotations

from typing import Any

from cardpress.compute.lineage.graph import DatasetNode, LineageGraph
from cardpress.model import Source
from cardpress.model_lineage import DataRef, FileHash, recordings

CHANGED, MATCHES, NOT_COMPARED = "changed since recorded", "matches the file", "not compared"
# a hash a source recorded and later replaced by another (an OpenLineage job that read version
# 1 of a data set, then version 2; a job that read a file and wrote it again): history, never
# compared with the file now
SUPERSEDED = "superseded by a later recording"
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


def file_status(ref: DataRef, graph: LineageGraph) -> str:
    """A sighting's status: the most telling of its hashes' (changed first), as a job lists it."""
    if ref.digests and superseded(ref, graph):
        return SUPERSEDED
    found = {digest_status(algo, value, ref, graph.hashes) for algo, value in ref.digests}
    return next((status for status in ORDER if status in found), NOT_COMPARED)


def superseded(ref: DataRef, graph: LineageGraph) -> bool:
    """Whether the job of ``ref`` recorded its data set later on its other side.

    A job that reads a file and writes it again (in one event or over many) recorded the
    version it read and then changed the file itself: the hash it read is history, not a
    "changed since recorded". Its write comes after its read in one event (or when either is
    undated); a later read supersedes an earlier write only when it recorded other hashes (a
    read without a hash changes nothing).
    """
    other, other_is_output = graph.other_side.get(id(ref), (None, False))
    if other is None or set(other.digests) == set(ref.digests):
        return False
    mine, theirs = ref.seen_at, other.seen_at
    if other_is_output:
        return mine is None or theirs is None or theirs >= mine
    return bool(other.digests) and mine is not None and theirs is not None and theirs > mine


def digest_rows(dataset: DatasetNode, graph: LineageGraph) -> list[dict[str, Any]]:
    """Every hash a source recorded, with how it compares with the file's current content.

    Only a source's latest hashes are compared: one it recorded before a later sighting recorded
    another is :data:`SUPERSEDED`, so a file that moved on to the version last recorded is no
    warning. ``seen_at`` is when the source last recorded the hash.
    """
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for ref in dataset.refs:
        replaced = superseded(ref, graph)
        for (algo, value), (_, last, source) in _recorded(ref).items():
            key = (algo, value, str(source))
            latest = (algo, value) in ref.digests and not replaced
            if not latest and rows.get(key, {}).get("status") not in (None, SUPERSEDED):
                continue  # the same event's other side (a file read and written) has it latest
            rows[key] = {
                "algo": algo, "value": value, "origin": ref.origin, "name": ref.name,
                "source": str(source), "seen_at": last,
                "status": digest_status(algo, value, ref, graph.hashes) if latest else SUPERSEDED,
            }  # fmt: skip
    return [rows[key] for key in sorted(rows)]


def versions(dataset: DatasetNode) -> list[dict[str, Any]]:
    """Distinct recorded hashes with when they were first and last seen, oldest first."""
    seen: dict[tuple[str, str], list[tuple[DataRef, str | None, str | None]]] = {}
    for ref in dataset.refs:
        for digest, (first, last, _) in _recorded(ref).items():
            seen.setdefault(digest, []).append((ref, first, last))
    rows = []
    for (algo, value), found in seen.items():
        firsts = sorted(first for _, first, _ in found if first)
        lasts = sorted(last for _, _, last in found if last)
        by = sorted({f"{r.origin}: {r.name}" for r, _, _ in found})
        rows.append({"algo": algo, "value": value, "first_seen": firsts[0] if firsts else None,
                     "last_seen": lasts[-1] if lasts else None, "seen_by": by})  # fmt: skip
    return sorted(rows, key=lambda r: (r["first_seen"] or "", r["algo"], r["value"]))


def seen_range(dataset: DatasetNode) -> tuple[str | None, str | None]:
    """When the data set was first and last seen by any source that dates its sightings."""
    times = sorted(t for r in dataset.refs for seen in recordings(r)
                   for t in (seen.first_seen, seen.last_seen) if t)  # fmt: skip
    return (times[0], times[-1]) if times else (None, None)


def _recorded(ref: DataRef) -> dict[tuple[str, str], tuple[str | None, str | None, Source]]:
    """Each hash ``ref``'s sightings recorded: when first and last, and by which event last.

    Times are None when never dated; the event is the sighting's own source when its history
    names none. Undated recordings count after dated ones (the reader's order), then in the
    order met.
    """
    times: dict[tuple[str, str], list[str]] = {}
    latest: dict[tuple[str, str], tuple[tuple[bool, str, int], Source]] = {}
    for index, seen in enumerate(recordings(ref)):
        rank = (seen.last_seen is None, seen.last_seen or "", index)
        for digest in seen.digests:
            times.setdefault(digest, []).extend(t for t in (seen.first_seen, seen.last_seen) if t)
            if seen.source is not None and (digest not in latest or rank > latest[digest][0]):
                latest[digest] = (rank, seen.source)
    return {
        digest: (min(t) if t else None, max(t) if t else None,
                 latest[digest][1] if digest in latest else ref.source)
        for digest, t in times.items()
    }  # fmt: skip


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
