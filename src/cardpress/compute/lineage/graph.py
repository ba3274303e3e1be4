"""The lineage graph: data sets, jobs and model versions, merged from every source.

One data set seen by several sources is one node: sightings are joined when they name the same
normalised location (a sighting without one, by its name), or when an OpenLineage ``symlinks``
facet says one location is another name of the other (transitively), unless one job names the
two apart on one side (two inputs, two outputs): then the symlink is not followed, with a
warning. Equal content at two locations is two data sets (a copy, or files that happen to hold
the same bytes), never one. Every name a data set is known by is kept. An output that is a
model version of the site (``DataRef.model``) is that version's node, not a data set.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from cardpress.compute.lineage.stale import staleness
from cardpress.compute.lineage.walk import find_cycles
from cardpress.model_lineage import DVC, RUN, DataRef, FileHash, Job, Staleness, Symlink

CLEAN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")


@dataclass(frozen=True)
class Edge:
    """A directed edge ``source`` → ``target`` (node ids) of one kind."""

    source: str
    target: str
    kind: str


@dataclass(frozen=True)
class Node:
    """A node of the graph: its id, kind (dataset, job, run, model), label and page.

    ``group`` is the namespace the label starts with, drawn apart from the rest of it.
    """

    id: str
    kind: str
    label: str
    href: str
    group: str = ""


@dataclass
class DatasetNode:
    """One data set with every sighting of it and the current hash of its file."""

    id: str
    key: str
    slug: str
    refs: list[DataRef]
    current: FileHash | None = None
    file: str | None = None

    @property
    def table(self) -> bool:
        """Whether a source says it is a database table (no file content to hash)."""
        return any(r.table for r in self.refs)


@dataclass
class LineageGraph:
    """Every node and edge, with adjacency both ways and the cycles found."""

    nodes: dict[str, Node] = field(default_factory=dict)
    datasets: dict[str, DatasetNode] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    up: dict[str, list[str]] = field(default_factory=dict)
    down: dict[str, list[str]] = field(default_factory=dict)
    out: dict[str, list[Edge]] = field(default_factory=dict)
    # (source, target) → the kinds of the edges between them, sorted: a data set every version
    # reads has an edge to each version's run, and scanning them per version was quadratic
    between: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)  # a sighting's name → its data set
    cycles: list[list[str]] = field(default_factory=list)
    hashes: dict[str, FileHash] = field(default_factory=dict)
    # a job's input and output nodes, in the order of its inputs and outputs
    sides: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    stale: dict[str, Staleness] = field(default_factory=dict)
    # symlinks not followed: the pair of locations each would have joined (symlink_key) → why
    refused: dict[tuple[str, str], str] = field(default_factory=dict)
    # a job that reads and writes one data set (a file rewritten in place): each of the two
    # sightings (by id) → the other, and whether that other is the output
    other_side: dict[int, tuple[DataRef, bool]] = field(default_factory=dict)


def slugify(key: str) -> str:
    """A folder name for ``key``: itself when already clean, else a slug and a short hash.

    Clean keys map to themselves and the rest carry a hash of the whole key, so two keys never
    share a folder and a key's folder does not depend on which other keys exist.
    """
    if CLEAN.match(key):
        return key
    base = re.sub(r"[^a-z0-9._-]+", "-", key.lower()).strip("-._")[:48].strip("-._") or "x"
    return f"{base}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def job_folder(job: Job) -> str:
    """The folder of a job's page under ``jobs/``: readable, unique and stable.

    A DVC stage is ``dvc/<dvc.yaml folder>/<stage>`` (the folder left out at the root), a
    ``.dvc`` file ``dvc-files/<its path>``, each part a slug; others a slug of the key.
    """
    if job.origin == DVC and job.key.startswith(("dvc:", "dvc-file:")):
        kind, _, rest = job.key.partition(":")
        folder, _, stage = rest.rpartition(":") if kind == "dvc" else ("", "", rest)
        parts = [p for p in (*folder.split("/"), *stage.split("/")) if p not in ("", ".")]
        top = "dvc" if kind == "dvc" else "dvc-files"
        return "/".join([top, *(slugify(p) for p in parts)])
    return slugify(job.key)


def _model_outputs(jobs: list[Job]) -> tuple[list[Job], list[tuple[str, str]]]:
    """Jobs without the outputs that are model versions of the site, and those as edges.

    An output naming a model version with no run record stays a data set.
    """
    known = {job.model for job in jobs if job.model is not None}
    kept, made = [], []
    for job in jobs:
        models = [r.model for r in job.outputs if r.model in known and job.model is None]
        if models:
            outputs = tuple(r for r in job.outputs if r.model not in known)
            job = replace(job, outputs=outputs)
            made += [(job.key, f"model:{m}@{v}") for m, v in models if m and v]
        kept.append(job)
    return kept, made


def build_graph(jobs: Iterable[Job], hashes: dict[str, FileHash]) -> LineageGraph:
    """The lineage graph of ``jobs`` (run records included), given the files' current hashes."""
    jobs, made = _model_outputs(sorted(jobs, key=lambda j: j.key))
    refs, derived = _sightings(jobs)
    graph = LineageGraph(hashes=hashes)
    cluster = _merge(refs, jobs, graph.refused)
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(refs)):
        members[cluster(index)].append(index)
    node_of: dict[int, str] = {}
    for group in members.values():
        dataset = _dataset([refs[i] for i in group], hashes)
        graph.datasets[dataset.id] = dataset
        label = _label(dataset)
        space = _group(label, [r.namespace for r in dataset.refs])
        href = f"datasets/{dataset.slug}/index.html"
        graph.nodes[dataset.id] = Node(dataset.id, "dataset", label, href, space)
        for index in group:
            node_of[index] = dataset.id
    edges: set[Edge] = set()
    position = 0
    for job in jobs:
        graph.jobs[job.key] = job
        graph.nodes[job.key] = _job_node(job)
        sides: tuple[list[str], list[str]] = ([], [])
        for ref in job.inputs:
            edges.add(Edge(node_of[position], job.key, ref.role or "reads"))
            sides[0].append(node_of[position])
            position += 1
        for _ in job.outputs:
            edges.add(Edge(job.key, node_of[position], "writes"))
            sides[1].append(node_of[position])
            position += 1
        graph.sides[job.key] = sides
        _pair_sides(graph, job, sides)
        if job.model is not None:
            model, version = job.model
            node = Node(f"model:{model}@{version}", "model", f"{model} {version}",
                        f"models/{model}/v/{version}/lineage/index.html")  # fmt: skip
            graph.nodes[node.id] = node
            edges.add(Edge(job.key, node.id, "produces"))
    for down, up in derived:
        edges.add(Edge(node_of[up], node_of[down], "derived from"))
    edges |= {Edge(job, model, "produces") for job, model in made if model in graph.nodes}
    graph.edges = sorted(edges, key=lambda e: (e.source, e.target, e.kind))
    for edge in graph.edges:
        graph.up.setdefault(edge.target, []).append(edge.source)
        graph.down.setdefault(edge.source, []).append(edge.target)
        graph.out.setdefault(edge.source, []).append(edge)
        graph.between.setdefault((edge.source, edge.target), []).append(edge.kind)
    graph.datasets = dict(sorted(graph.datasets.items()))
    for dataset in graph.datasets.values():
        for ref in dataset.refs:
            graph.by_name.setdefault(ref.name, dataset.id)
    for dataset in graph.datasets.values():  # a sighting's own name first, then symlinks'
        for ref in dataset.refs:
            for link in ref.symlinks:
                graph.by_name.setdefault(link.name, dataset.id)
    graph.cycles = find_cycles(sorted(graph.nodes), graph.down)
    graph.stale = staleness(graph)
    return graph


def _pair_sides(graph: LineageGraph, job: Job, sides: tuple[list[str], list[str]]) -> None:
    """Note each data set ``job`` both reads and writes: its two sightings, each to the other."""
    written = dict(zip(sides[1], job.outputs, strict=True))
    for ref, node in zip(job.inputs, sides[0], strict=True):
        output = written.get(node)
        if output is not None:
            graph.other_side[id(ref)] = (output, True)
            graph.other_side[id(output)] = (ref, False)


def _sightings(jobs: list[Job]) -> tuple[list[DataRef], list[tuple[int, int]]]:
    """Every sighting in job order (inputs, then outputs), and derived-from pairs of indices.

    A ``derived_from`` name is looked up among the same run's data sets, then among every run
    record's data sets; a name found nowhere becomes a data set known only by that name.
    """
    refs: list[DataRef] = []
    pending: list[tuple[int, str, dict[str, int], Job]] = []
    run_ids: dict[str, int] = {}
    for job in jobs:
        own: dict[str, int] = {}
        for ref in (*job.inputs, *job.outputs):
            own.setdefault(ref.name, len(refs))
            if job.origin == RUN:
                run_ids.setdefault(ref.name, len(refs))
            refs.append(ref)
        pending += [(own[name], up, own, job) for name, up in job.derived if name in own]
    derived: list[tuple[int, int]] = []
    for index, upstream, own, job in pending:
        found = own.get(upstream, run_ids.get(upstream))
        if found is None:
            found = run_ids[upstream] = len(refs)
            refs.append(DataRef(upstream, "", RUN, job.source))
        derived.append((index, found))
    return refs, derived


Owner = tuple[str, str, str]  # (job key, side, job name) of a sighting


def _merge(
    refs: list[DataRef], jobs: list[Job], refused: dict[tuple[str, str], str]
) -> Callable[[int], int]:
    """Union-find over sightings: same location (or name), then OpenLineage symlinks.

    Sightings naming the same normalised URI (or bare name, without one) are joined first;
    then each symlink joins a sighting to the other name its ``symlinks`` facet gives it, in
    the order of the locations they link, so the outcome does not depend on the order of
    events or files. A symlink that would join two data sets one job names apart on one side
    (two inputs of a job, two outputs: see :func:`_owners`) is not followed: the job's events
    say they are two, and a stale or wrong facet must not hide an edge. Each such symlink is in
    ``refused``: its pair of locations (:func:`symlink_key`) and the warning.
    """
    parent = list(range(len(refs)))
    # what each root's sightings are, as (job, side): two roots sharing one are kept apart
    sides: dict[int, set[Owner]] = {}

    def find(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    def union(one: int, other: int) -> None:
        a, b = sorted((find(one), find(other)))
        if a != b:
            parent[b] = a
            if sides:
                sides.setdefault(a, set()).update(sides.pop(b, set()))

    first: dict[str, int] = {}
    for index, ref in enumerate(refs):
        # not by content: two files with the same bytes (data/in.txt and a report copied
        # from it, four equal metrics files) are different data sets with their own edges
        union(index, first.setdefault(_key(ref), index))
    # each pair of locations once (A names B, B names A: one link), given by its first event
    links: dict[tuple[str, ...], tuple[tuple[str, int], str, str, Symlink]] = {}
    for ref in refs:
        for link in ref.symlinks:
            key, target = _key(ref), f"uri:{link.uri}"
            found = (link.place, key, target, link)
            pair = symlink_key(ref, link)
            if pair not in links or found[:3] < links[pair][:3]:
                links[pair] = found
    for index, owner in enumerate(_owners(jobs) if links else ()):
        sides.setdefault(find(index), set()).add(owner)
    for _, key, target, link in (links[pair] for pair in sorted(links)):
        if target not in first:  # a name no sighting has: the names linking to it are one
            first[target] = len(parent)
            parent.append(len(parent))
        a, b = find(first[key]), find(first[target])
        if a == b:  # joined already (a cycle of symlinks, or both names of one sighting)
            continue
        shared = sorted(sides.get(a, set()) & sides.get(b, set()))
        if shared:
            refused[_pair(key, target)] = _refusal(key, link, shared[0])
            continue
        union(a, b)
    return find


def symlink_key(ref: DataRef, link: Symlink) -> tuple[str, str]:
    """The pair of locations a symlink joins, in either direction the same."""
    return _pair(_key(ref), f"uri:{link.uri}")


def _pair(one: str, other: str) -> tuple[str, str]:
    first, second = sorted((one, other))
    return first, second


def _key(ref: DataRef) -> str:
    return f"uri:{ref.uri}" if ref.uri else f"name:{ref.name}"


def _owners(jobs: list[Job]) -> list[Owner]:
    """Each sighting's job and side, in :func:`_sightings` order (its own refs come after)."""
    return [(job.key, side, job.name) for job in jobs
            for side, count in (("inputs", len(job.inputs)), ("outputs", len(job.outputs)))
            for _ in range(count)]  # fmt: skip


def _refusal(key: str, link: Symlink, owner: Owner) -> str:
    _, side, job = owner
    return (f"{link.source}: symlink {link.name} of {key.removeprefix('uri:')} not followed: "
            f"job {job} names them as two of its {side}, so they stay two data sets — fix the "
            "symlinks facet if they are one")  # fmt: skip


def _dataset(refs: list[DataRef], hashes: dict[str, FileHash]) -> DatasetNode:
    uris = sorted({r.uri for r in refs if r.uri})
    key = uris[0] if uris else f"name:{min(r.name for r in refs)}"
    files = sorted({r.local.as_posix() for r in refs if r.local and r.local.as_posix() in hashes})
    current = hashes[files[0]] if files else None
    return DatasetNode(f"dataset:{key}", key, slugify(key), refs, current,
                       files[0] if files else None)  # fmt: skip


def _label(dataset: DatasetNode) -> str:
    """Its run records' title, else its one name, else the run records' id, else its location."""
    titles = sorted({r.title for r in dataset.refs if r.title})
    if len(titles) == 1:
        return titles[0]
    names = sorted({r.name for r in dataset.refs})
    own = sorted({r.name for r in dataset.refs if r.origin == RUN})
    if len(names) == 1 or len(own) == 1:
        return own[0] if own else names[0]
    return dataset.key.removeprefix("name:")


def _group(label: str, namespaces: Iterable[str | None]) -> str:
    """The namespace ``label`` starts with (drawn apart), or "" (a file path, a plain name)."""
    for namespace in sorted({n for n in namespaces if n and n != "file"}, key=len, reverse=True):
        if label.startswith(namespace.rstrip("/") + "/") and len(label) > len(namespace) + 1:
            return namespace.rstrip("/")
    return ""


def _job_node(job: Job) -> Node:
    if job.model is not None:
        model, version = job.model
        return Node(job.key, "run", f"run of {model} {version}",
                    f"models/{model}/v/{version}/index.html")  # fmt: skip
    return Node(job.key, "job", job.name, f"jobs/{job_folder(job)}/index.html",
                _group(job.name, [job.namespace]))  # fmt: skip
