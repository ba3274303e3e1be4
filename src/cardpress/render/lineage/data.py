"""The data of lineage pages: data sets, jobs, a model version's upstream graph, the index.

Links are relative to the site root; templates put ``root`` in front. Long lists are cut, with
the number left out, so no page grows with the size of the whole graph.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from cardpress.compute.lineage.facts import (
    CHANGED,
    SUPERSEDED,
    digest_rows,
    file_status,
    seen_range,
    versions,
)
from cardpress.compute.lineage.graph import DatasetNode, LineageGraph, symlink_key
from cardpress.compute.site import version_key
from cardpress.model_lineage import MLFLOW_URIS, Job, Symlink

LIST_LIMIT = 200
SEEN_BY_LIMIT = 20  # sources named in one row of the versions table


def link(graph: LineageGraph, node_id: str) -> dict[str, str]:
    """A node as a link: label, kind and page."""
    node = graph.nodes[node_id]
    return {"label": node.label, "kind": node.kind, "href": node.href}


def links(graph: LineageGraph, ids: list[str]) -> dict[str, Any]:
    """Nodes as links, sorted, cut to :data:`LIST_LIMIT` with the count left out.

    Labels are sorted naturally, so a model's versions ("m 9", "m 10") come in version order.
    """
    unique = sorted(set(ids), key=lambda n: (version_key(graph.nodes[n].label), n))
    return {"items": [link(graph, n) for n in unique[:LIST_LIMIT]],
            "more": max(0, len(unique) - LIST_LIMIT)}  # fmt: skip


def _newest_first(rows: list[dict[str, Any]], time: str) -> list[int]:
    """Indices of ``rows`` by their ``time`` field, newest first, undated last (stable)."""
    dated = sorted((i for i, r in enumerate(rows) if r[time]), key=lambda i: rows[i][time],
                   reverse=True)  # fmt: skip
    return dated + [i for i, r in enumerate(rows) if not r[time]]


def _cut_digests(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """At most :data:`LIST_LIMIT` hash rows, in their order, and how many are left out.

    Each distinct hash's latest recording comes before any second recording of a hash (a data
    set every version of a model trained on has a row per run record, all of one hash); among
    those, rows changed since recorded first, then the other compared ones, then superseded
    history, each newest first.
    """
    rank = {CHANGED: 0, SUPERSEDED: 2}
    order = sorted(_newest_first(rows, "seen_at"), key=lambda i: rank.get(rows[i]["status"], 1))
    seen: set[tuple[str, str]] = set()
    first: list[int] = []  # each hash's first row in that order, and its further rows
    again: list[int] = []
    for index in order:
        digest = (rows[index]["algo"], rows[index]["value"])
        (again if digest in seen else first).append(index)
        seen.add(digest)
    kept = sorted((first + again)[:LIST_LIMIT])
    return {"digests": [rows[i] for i in kept], "digests_more": len(rows) - len(kept)}


def _cut_versions(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The :data:`LIST_LIMIT` versions last seen latest, in their order (first seen first).

    Each names at most :data:`SEEN_BY_LIMIT` sources; the counts left out come with them.
    """
    kept = sorted(_newest_first(rows, "last_seen")[:LIST_LIMIT])
    cut = []
    for row in (rows[i] for i in kept):
        named = row["seen_by"]
        cut.append({**row, "seen_by": named[:SEEN_BY_LIMIT],
                    "seen_by_more": max(0, len(named) - SEEN_BY_LIMIT)})  # fmt: skip
    return {"versions": cut, "versions_more": len(rows) - len(kept)}


def dataset_data(graph: LineageGraph, dataset: DatasetNode) -> dict[str, Any]:
    """Identity, hashes, schema, producers, users, versions and column lineage of a data set."""
    refs = dataset.refs
    first, last = seen_range(dataset)
    rows = next((r.rows for r in refs if r.rows is not None), None)
    size = dataset.current.size if dataset.current else next(
        (r.size for r in refs if r.size is not None), None)  # fmt: skip
    columns = max((r for r in refs if r.columns), key=lambda r: len(r.columns), default=None)
    digests = digest_rows(dataset, graph)
    ups, downs = graph.up.get(dataset.id, []), graph.down.get(dataset.id, [])
    symlinks = symlink_rows(dataset, graph.refused.keys())
    followed = {s["name"] for s in symlinks if s["followed"]}
    return {
        "kind": "dataset", "id": dataset.key, "label": graph.nodes[dataset.id].label,
        "names": sorted({r.name for r in refs} | followed),
        "uris": sorted({r.uri for r in refs if r.uri}),
        "sha256": dataset.current.sha256 if dataset.current else None,
        "hashed": dataset.current is not None, "size_bytes": size, "rows": rows,
        "columns": [{"name": n, "type": t} for n, t in columns.columns] if columns else [],
        "columns_from": f"{columns.origin}: {columns.source}" if columns else None,
        **_cut_digests(digests), "changed": any(d["status"] == CHANGED for d in digests),
        "first_seen": first, "last_seen": last, **_cut_versions(versions(dataset)),
        "sightings": [{"name": r.name, "origin": r.origin, "source": str(r.source),
                       "role": r.role, "seen_at": r.seen_at} for r in refs[:LIST_LIMIT]],
        "sightings_more": max(0, len(refs) - LIST_LIMIT),
        "producers": links(graph, [n for n in ups if graph.nodes[n].kind != "dataset"]),
        "derived_from": links(graph, [n for n in ups if graph.nodes[n].kind == "dataset"]),
        "used_by": links(graph, [n for n in downs if graph.nodes[n].kind != "dataset"]),
        "derived": links(graph, [n for n in downs if graph.nodes[n].kind == "dataset"]),
        "models": links(graph, _models(graph, downs)),
        "column_lineage": column_rows(graph, dataset),
        "in_cycle": any(dataset.id in cycle for cycle in graph.cycles),
        "table": dataset.table, "hash_note": hash_note(dataset),
        "about": sorted({fact for r in refs for fact in r.about}),
        **stale_data(graph, dataset.id),
        # only when there are some, so pages of data sets without symlinks stay as they were
        **({"symlinks": symlinks} if symlinks else {}),
    }  # fmt: skip


def symlink_rows(
    dataset: DatasetNode, refused: AbstractSet[tuple[str, str]] = frozenset()
) -> list[dict[str, Any]]:
    """Each other name an OpenLineage ``symlinks`` facet gave the data set, and whose it is.

    Once per (name, type, name it was given to), from the first event (by file and line) that
    gave it; in name order, so the page does not depend on the order of events. ``followed``
    is False for a symlink the graph did not follow (``refused``: it would have joined two data
    sets one job names apart): that name is another data set's, not this one's.
    """
    found: dict[tuple[str, str, str], tuple[Symlink, bool]] = {}
    for ref in dataset.refs:
        for link in ref.symlinks:
            key = (link.name, link.kind or "", ref.name)
            if key not in found or link.place < found[key][0].place:
                found[key] = (link, symlink_key(ref, link) not in refused)
    return [{"name": name, "uri": found[key][0].uri, "type": found[key][0].kind, "of": of,
             "source": str(found[key][0].source), "followed": found[key][1]}
            for key in sorted(found)[:LIST_LIMIT] for name, _, of in [key]]  # fmt: skip


def hash_note(dataset: DatasetNode) -> str | None:
    """Why there is no content hash now, or None when there is one."""
    if dataset.current is not None:
        return None
    if dataset.table:
        return "not applicable: a table, not a file"
    if any(r.uri.startswith("runs:/") and "#dataset=" in r.uri for r in dataset.refs):
        return "not computed: made in the training code (an MLflow run's input), not a file"
    if any(r.uri.lower().startswith(MLFLOW_URIS) for r in dataset.refs):
        return "not computed: not a file (MLflow model URI)"
    if any("://" in r.uri for r in dataset.refs):
        return "not computed: not a file on this machine"
    return "not computed: the file is not reachable from the records folder"


def stale_data(graph: LineageGraph, node: str) -> dict[str, Any]:
    """Whether a node is stale (its own locked files changed) or stale upstream, and why."""
    state = graph.stale.get(node)
    return {
        "stale": [{"path": p, "status": s, "side": side} for p, s, side in state.changes]
        if state else [],
        "stale_upstream": list(state.upstream[:LIST_LIMIT]) if state else [],
    }  # fmt: skip


def _models(graph: LineageGraph, users: list[str]) -> list[str]:
    return [m for n in users for m in graph.down.get(n, []) if graph.nodes[m].kind == "model"]


def column_rows(graph: LineageGraph, dataset: DatasetNode) -> list[dict[str, Any]]:
    """Column lineage of the data set as an output, from the jobs that wrote it."""
    names = {r.name for r in dataset.refs}
    rows = []
    for producer in sorted(set(graph.up.get(dataset.id, []))):
        job = graph.jobs.get(producer)
        rows += job_columns(graph, job, names) if job else []
    return rows[:LIST_LIMIT]


def job_columns(
    graph: LineageGraph, job: Job, outputs: set[str] | None = None
) -> list[dict[str, Any]]:
    """A job's column lineage (of the ``outputs`` named, else all), with links to data sets."""
    rows = []
    for c in job.column_lineage:
        if outputs is not None and c.output not in outputs:
            continue
        source, made = graph.by_name.get(c.input), graph.by_name.get(c.output)
        rows.append({
            "output": c.output, "output_href": graph.nodes[made].href if made else None,
            "field": c.output_field, "input": c.input, "input_field": c.input_field,
            "input_href": graph.nodes[source].href if source else None,
            "transformation": c.transformation, "description": c.description,
            "job": link(graph, job.key),
        })  # fmt: skip
        if len(rows) >= LIST_LIMIT:
            break
    return rows


def job_data(graph: LineageGraph, job: Job) -> dict[str, Any]:
    """What a job read and wrote, its command, runs, parameters and metrics."""
    return {
        "kind": "job", "id": job.key, "name": job.name, "origin": job.origin,
        "source": str(job.source), "command": job.command, "description": job.description,
        "runs": [{"run_id": r.run_id, "state": r.state, "started_at": r.started_at,
                  "ended_at": r.ended_at, "error": r.error} for r in job.runs[-LIST_LIMIT:]],
        "runs_more": max(0, len(job.runs) - LIST_LIMIT),
        "inputs": links(graph, graph.up.get(job.key, [])),
        "outputs": links(graph, graph.down.get(job.key, [])),
        "params": [{"key": k, "value": v} for k, v in job.params],
        "metrics": [{"key": k, "value": v} for k, v in job.metrics],
        "in_cycle": any(job.key in cycle for cycle in graph.cycles),
        "files": _files(graph, job), "column_lineage": job_columns(graph, job),
        **stale_data(graph, job.key),
    }  # fmt: skip


def _files(graph: LineageGraph, job: Job) -> list[dict[str, Any]]:
    """Each dep and out with the hashes the job recorded, compared as its data set page does."""
    ins, outs = graph.sides.get(job.key, ([], []))
    rows = []
    for side, refs, nodes in (("dep", job.inputs, ins), ("out", job.outputs, outs)):
        for ref, node in list(zip(refs, nodes, strict=False))[:LIST_LIMIT]:
            rows.append({"side": side, "path": ref.name, "href": graph.nodes[node].href,
                         "digests": [{"algo": a, "value": v} for a, v in ref.digests],
                         "size_bytes": ref.size,
                         "status": file_status(ref, graph)})  # fmt: skip
    return rows


def index_rows(graph: LineageGraph) -> list[dict[str, Any]]:
    """One row per data set for the index pages."""
    rows = []
    for dataset in graph.datasets.values():
        first, last = seen_range(dataset)
        recorded = next((v for r in reversed(dataset.refs) for a, v in r.digests if a == "sha256"),
                        None)  # fmt: skip
        users = sorted({graph.nodes[n].label for n in graph.down.get(dataset.id, [])
                        if graph.nodes[n].kind != "dataset"})  # fmt: skip
        size = dataset.current.size if dataset.current else next(
            (r.size for r in dataset.refs if r.size is not None), None)  # fmt: skip
        rows.append({
            "label": graph.nodes[dataset.id].label, "href": graph.nodes[dataset.id].href,
            "id": dataset.key, "sha256": dataset.current.sha256 if dataset.current else recorded,
            "hashed": dataset.current is not None, "size_bytes": size, "table": dataset.table,
            "first_seen": first, "last_seen": last, "used_by": users[:5],
            "used_by_more": max(0, len(users) - 5),
        })  # fmt: skip
    return rows
