"""Lineage pages as plans: the data set index, a page per data set, per job, per model version.

Every lineage page is live (rebuilt at each build, like review and compliance): what a data set
was used by, and whether its file still matches its recorded hash, change after a version is
published, while the card stays frozen.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from cardpress.compute.lineage import LineageGraph, slugify
from cardpress.compute.lineage_facts import CHANGED, digest_rows
from cardpress.compute.site import Site
from cardpress.model_lineage import RUN
from cardpress.render.lineage_data import dataset_data, index_rows, job_data, link
from cardpress.render.lineage_view import graph_view
from cardpress.render.pages import PagePlan


def lineage_plans(
    site: Site, graph: LineageGraph, warnings: list[str], depth: int
) -> list[PagePlan]:
    """Every lineage page of the site, in a stable order."""
    plans = [_index(graph, warnings)]
    for dataset in graph.datasets.values():
        path = f"datasets/{dataset.slug}/index.html"
        title = f"Lineage of data set {graph.nodes[dataset.id].label}"
        view = graph_view(graph, dataset.id, _root(path), depth, depth, title)
        data = {**dataset_data(graph, dataset), "graph": view.data}
        plans.append(PagePlan(path, "dataset.html", data, extra={"svg": Markup(view.svg)}))
    for job in graph.jobs.values():
        if job.origin == RUN:
            continue  # a run record's page is its model card; its lineage is the version page
        path = f"jobs/{slugify(job.key)}/index.html"
        view = graph_view(graph, job.key, _root(path), depth, depth, f"Lineage of job {job.name}")
        data = {**job_data(graph, job), "graph": view.data}
        plans.append(PagePlan(path, "job.html", data, extra={"svg": Markup(view.svg)}))
    for model in site.models:
        for entry in model.versions:
            plans.append(_version(graph, model.name, model.title, entry.version, depth))
    return plans


def _index(graph: LineageGraph, warnings: list[str]) -> PagePlan:
    rows = index_rows(graph)
    jobs = [link(graph, key) for key in graph.jobs if graph.nodes[key].kind == "job"]
    data = {
        "kind": "datasets",
        "datasets": rows,
        "jobs": sorted(jobs, key=lambda j: (j["label"], j["href"])),
        "warnings": warnings,
        "cycles": [[graph.nodes[n].label for n in cycle] for cycle in graph.cycles],
    }
    return PagePlan("datasets/index.html", "datasets.html", data)


def _version(graph: LineageGraph, model: str, title: str, version: str, depth: int) -> PagePlan:
    path = f"models/{model}/v/{version}/lineage/index.html"
    focus = f"model:{model}@{version}"
    heading = f"Lineage of {title} version {version}"
    view = graph_view(graph, focus, _root(path), depth + 1, 0, heading)
    run = next((n for n in graph.up.get(focus, []) if graph.nodes[n].kind == "run"), None)
    data: dict[str, Any] = {
        "kind": "lineage",
        "model": model,
        "title": title,
        "version": version,
        "graph": view.data,
        "datasets": _run_datasets(graph, run) if run else [],
    }
    return PagePlan(path, "lineage.html", data, extra={"svg": Markup(view.svg)})


def _run_datasets(graph: LineageGraph, run: str) -> list[dict[str, Any]]:
    """The data sets the run read, with their role and whether the file still matches."""
    rows = []
    for source in sorted(set(graph.up.get(run, []))):
        dataset = graph.datasets.get(source)
        if dataset is None:
            continue
        roles = sorted({e.kind for e in graph.out.get(source, []) if e.target == run})
        digests = digest_rows(dataset, graph)
        rows.append(
            {
                **link(graph, source),
                "roles": roles,
                "uri": dataset.key,
                "sha256": dataset.current.sha256 if dataset.current else None,
                "changed": any(d["status"] == CHANGED for d in digests),
                "upstream": len(graph.up.get(source, [])),
            }
        )
    return sorted(rows, key=lambda r: (r["roles"], r["label"]))


def _root(path: str) -> str:
    return "../" * path.count("/")
