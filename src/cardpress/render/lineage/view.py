"""The drawn part of a lineage page: the neighbourhood of a focus node, as SVG and as data.

The same nodes and edges go into the SVG (for the eye), the edge list beside it (for screen
readers and copying) and the page's ``.json``, so the three never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cardpress.compute.lineage.graph import LineageGraph
from cardpress.compute.lineage.walk import neighbourhood
from cardpress.render.lineage.svg import KIND_NAMES, DrawNode, draw

HIGHLIGHT = {"train": "role-train", "evaluation": "role-evaluation", "test": "role-evaluation"}


@dataclass(frozen=True)
class GraphView:
    """A drawn neighbourhood: the SVG text and the data shown beside it."""

    svg: str
    data: dict[str, Any]


def graph_view(
    graph: LineageGraph,
    focus: str,
    root: str,
    depth_up: int,
    depth_down: int,
    title: str,
    per_side: int = 16,
) -> GraphView:
    """The neighbourhood of ``focus`` drawn left to right; links relative to the page (``root``).

    Data sets that the focus run read for training or evaluation are highlighted, so a model
    version's page shows at a glance what it learnt from and what it was judged on.
    """
    near = neighbourhood(focus, graph.up, graph.down, depth_up, depth_down, per_side=per_side)
    roles = _roles(graph, focus)
    nodes = []
    for node_id, layer in sorted(near.layers.items(), key=lambda item: (item[1], item[0])):
        node = graph.nodes[node_id]
        classes = " ".join(
            c
            for c in (
                "focus" if node_id == focus else "",
                HIGHLIGHT.get(roles.get(node_id, ""), ""),
                "in-cycle" if any(node_id in cycle for cycle in graph.cycles) else "",
            )
            if c
        )
        more = near.more_up.get(node_id, 0)
        nodes.append(
            DrawNode(
                node_id, layer, node.label, node.kind, root + node.href, classes, more, node.group
            )
        )
    edges = _edges_among(graph, sorted(near.layers))
    svg = draw(nodes, edges, title)
    return GraphView(svg, _data(graph, near.layers, edges, near.more_up, near.more_down, roles))


def _roles(graph: LineageGraph, focus: str) -> dict[str, str]:
    """Data set node → the role a run gave it, for the runs at or next to ``focus``."""
    runs = [focus, *graph.up.get(focus, [])]
    return {
        source: kind
        for run in runs
        for source in graph.up.get(run, [])
        for kind in graph.between.get((source, run), [])
        if kind in HIGHLIGHT
    }


def _edges_among(graph: LineageGraph, shown: list[str]) -> list[tuple[str, str, str]]:
    """(source, target, kind) of every edge between ``shown`` nodes (sorted), in graph order.

    A node's edges are in (target, kind) order; a node with more edges than there are nodes
    shown (a data set read by every version) is looked up by pair instead of scanned.
    """
    found, among = [], set(shown)
    for source in shown:
        edges = graph.out.get(source, [])
        if len(edges) <= len(shown):
            found += [(source, e.target, e.kind) for e in edges if e.target in among]
            continue
        for target in shown:
            found += [(source, target, kind) for kind in graph.between.get((source, target), [])]
    return found


def _data(
    graph: LineageGraph,
    layers: dict[str, int],
    edges: list[tuple[str, str, str]],
    more_up: dict[str, int],
    more_down: dict[str, int],
    roles: dict[str, str],
) -> dict[str, Any]:
    def node(node_id: str) -> dict[str, Any]:
        item = graph.nodes[node_id]
        return {
            "id": node_id,
            "label": item.label,
            "kind": KIND_NAMES.get(item.kind, item.kind),
            "href": item.href,
            "layer": layers[node_id],
            "role": roles.get(node_id),
            "more_upstream": more_up.get(node_id, 0),
            "more_downstream": more_down.get(node_id, 0),
        }

    ordered = sorted(layers, key=lambda n: (layers[n], graph.nodes[n].label, n))
    return {
        "nodes": [node(n) for n in ordered],
        "edges": [
            {
                "from": graph.nodes[s].label,
                "from_href": graph.nodes[s].href,
                "to": graph.nodes[t].label,
                "to_href": graph.nodes[t].href,
                "kind": kind,
            }
            for s, t, kind in sorted(edges, key=lambda e: (layers[e[0]], layers[e[1]], e))
        ],
        "cut_upstream": sum(more_up.values()),
        "cut_downstream": sum(more_down.values()),
    }
