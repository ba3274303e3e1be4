"""Lineage pages as plans: the data set index, a page per data set, per job, per model version.

Every lineage page is live (rebuilt at each build, like review and compliance): what a data set
was used by, and whether its file still matches its recorded hash, change after a version is
published, while the card stays frozen.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from cardpress.compute.lineage.facts import CHANGED, digest_rows
from cardpress.compute.lineage.graph import LineageGraph
from cardpress.compute.site import Site
from cardpress.model_lineage import RUN
from cardpress.render.lineage.data import (
    LIST_LIMIT,
    column_rows,
    dataset_data,
    hash_note,
    index_rows,
    job_data,
    link,
    stale_data,
)
from cardpress.render.lineage.view import graph_view
from cardpress.render.plans import PagePlan

# Nodes drawn on each side of a data set or job, and upstream of a model version (one side):
# a narrow pipeline is drawn whole to the depth, a dense graph as small as a shallow one.
VERSION_NODES = 36
PAGE_SIZE = 200  # rows of an index page: 200 keep a page near 80 KB however large the graph


def lineage_plans(
    site: Site, graph: LineageGraph, warnings: list[str], depth: int
) -> list[PagePlan]:
    """Every lineage page of the site, in a stable order.

    ``depth`` counts jobs: a graph draws that many jobs on each side of its focus, with the
    data sets between them (two steps a job), so a pipeline of ``depth`` jobs is drawn whole.
    """
    plans = _index(graph, warnings)
    steps = 2 * depth
    for dataset in graph.datasets.values():
        path = f"datasets/{dataset.slug}/index.html"
        title = f"Lineage of data set {graph.nodes[dataset.id].label}"
        view = graph_view(graph, dataset.id, _root(path), steps, steps, title)
        data = {**dataset_data(graph, dataset), "graph": view.data}
        plans.append(PagePlan(path, "dataset.html", data, extra={"svg": Markup(view.svg)}))
    for job in graph.jobs.values():
        if job.origin == RUN:
            continue  # a run record's page is its model card; its lineage is the version page
        path = graph.nodes[job.key].href
        title = f"Lineage of job {job.name}"
        view = graph_view(graph, job.key, _root(path), steps + 1, steps + 1, title)
        data = {**job_data(graph, job), "graph": view.data}
        plans.append(PagePlan(path, "job.html", data, extra={"svg": Markup(view.svg)}))
    facts = _Facts(graph)
    for model in site.models:
        for entry in model.versions:
            plans.append(_version(graph, model.name, model.title, entry.version, steps, facts))
    return plans


class _Facts:
    """What every version page asks of a shared data set, worked out once per build.

    A data set read by every version has a ref and an edge per version: asking it again for
    each version made the version pages quadratic in the number of versions.
    """

    def __init__(self, graph: LineageGraph) -> None:
        self.graph = graph
        self._changed: dict[str, bool] = {}
        self._notes: dict[str, str | None] = {}
        self._columns: dict[str, list[dict[str, Any]]] = {}

    def columns(self, source: str) -> list[dict[str, Any]]:
        if source not in self._columns:  # it gathers the names of every ref, as hash_note looks
            self._columns[source] = column_rows(self.graph, self.graph.datasets[source])
        return self._columns[source]

    def hash_note(self, source: str) -> str | None:
        if source not in self._notes:  # it looks at every ref: one per version reading it
            self._notes[source] = hash_note(self.graph.datasets[source])
        return self._notes[source]

    def changed(self, source: str) -> bool:
        if source not in self._changed:
            rows = digest_rows(self.graph.datasets[source], self.graph)
            self._changed[source] = any(d["status"] == CHANGED for d in rows)
        return self._changed[source]


def _index(graph: LineageGraph, warnings: list[str]) -> list[PagePlan]:
    """The data set index and the job index, :data:`PAGE_SIZE` rows a page.

    The first page of the data set index also lists the warnings and cycles (the first
    :data:`PAGE_SIZE` of each, with the number left out).
    """
    jobs = [
        {**link(graph, key), **stale_data(graph, key)}
        for key in graph.jobs
        if graph.nodes[key].kind == "job"
    ]
    jobs.sort(key=lambda j: (j["label"], j["href"]))
    cycles = [[graph.nodes[n].label for n in cycle] for cycle in graph.cycles]
    notes = {
        "warnings": warnings[:PAGE_SIZE],
        "warnings_more": max(0, len(warnings) - PAGE_SIZE),
        "cycles": cycles[:PAGE_SIZE],
        "cycles_more": max(0, len(cycles) - PAGE_SIZE),
        "jobs_total": len(jobs),
    }
    plans = _pages("datasets", "datasets.html", index_rows(graph), notes)
    if jobs:
        plans += _pages("jobs", "jobs.html", jobs, {"datasets_total": len(graph.datasets)})
    return plans


def _pages(
    folder: str, template: str, rows: list[dict[str, Any]], first: dict[str, Any]
) -> list[PagePlan]:
    """``rows`` over ``folder/index.html``, ``folder/page/2/index.html``, ... with a pager."""
    count = max(1, -(-len(rows) // PAGE_SIZE))
    paths = [f"{folder}/index.html"] + [
        f"{folder}/page/{n}/index.html" for n in range(2, count + 1)
    ]
    plans = []
    for number, path in enumerate(paths, start=1):
        data: dict[str, Any] = {
            "kind": folder,
            "rows": rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
            "total": len(rows),
            "page": number,
            "pages": [{"number": n, "href": p} for n, p in enumerate(paths, start=1)],
            # later pages carry the same keys, empty (the template reads them on every page)
            **(first if number == 1 else {k: type(v)() for k, v in first.items()}),
        }
        plans.append(PagePlan(path, template, data))
    return plans


def _version(
    graph: LineageGraph, model: str, title: str, version: str, depth: int, facts: _Facts
) -> PagePlan:
    path = f"models/{model}/v/{version}/lineage/index.html"
    focus = f"model:{model}@{version}"
    heading = f"Lineage of {title} version {version}"
    view = graph_view(graph, focus, _root(path), depth + 2, 0, heading, VERSION_NODES)
    run = next((n for n in graph.up.get(focus, []) if graph.nodes[n].kind == "run"), None)
    read = _run_datasets(graph, run, facts) if run else []
    columns = [row for d in read for row in facts.columns(d["id"])]
    data: dict[str, Any] = {
        "kind": "lineage",
        "model": model,
        "title": title,
        "version": version,
        "graph": view.data,
        "datasets": read,
        "column_lineage": columns[:LIST_LIMIT],
        "made_by": [
            link(graph, n)
            for n in sorted(set(graph.up.get(focus, [])))
            if graph.nodes[n].kind == "job"
        ],
        **stale_data(graph, focus),
    }
    return PagePlan(path, "lineage.html", data, extra={"svg": Markup(view.svg)})


def _run_datasets(graph: LineageGraph, run: str, facts: _Facts) -> list[dict[str, Any]]:
    """The data sets the run read, with their role and whether the file still matches."""
    rows = []
    for source in sorted(set(graph.up.get(run, []))):
        dataset = graph.datasets.get(source)
        if dataset is None:
            continue
        rows.append(
            {
                **link(graph, source),
                "id": source,
                "roles": graph.between.get((source, run), []),
                "uri": dataset.key,
                "sha256": dataset.current.sha256 if dataset.current else None,
                "hash_note": facts.hash_note(source),
                "changed": facts.changed(source),
                "stale_upstream": source in graph.stale,
                "upstream": len(graph.up.get(source, [])),
            }
        )
    return sorted(rows, key=lambda r: (r["roles"], r["label"]))


def _root(path: str) -> str:
    return "../" * path.count("/")
