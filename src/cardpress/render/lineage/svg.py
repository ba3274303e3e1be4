"""Draw a lineage neighbourhood as inline SVG, left to right, with no JavaScript.

A small layered (Sugiyama-style) layout: layers are the steps from the focus node (upstream to
the left), nodes inside a layer are ordered by a few barycentre sweeps to shorten edges, and
edges are cubic curves. Every node links to its page.

A label too long for its box is cut in the middle (``public.adu…ult_train``), so the ends that
tell similar names apart stay; the namespace is drawn apart, small, under the name. The full
name is the node's ``<title>`` (shown on hover) and is in the edge table beside the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from cardpress.xml_text import shown

WIDTH, HEIGHT, GAP_X, GAP_Y, PAD = 200, 46, 64, 14, 12
KIND_NAMES = {"dataset": "data set", "job": "job", "run": "training run", "model": "model version"}
SWEEPS = 4
NAME_CHARS, GROUP_CHARS = 28, 18  # what fits the box at the stylesheet's font sizes


@dataclass(frozen=True)
class DrawNode:
    """A node to draw: id, layer, label, kind, link (relative to the page) and CSS classes."""

    id: str
    layer: int
    label: str
    kind: str
    href: str
    classes: str = ""
    more_up: int = 0
    group: str = ""  # the namespace the label starts with, drawn apart


def draw(nodes: list[DrawNode], edges: list[tuple[str, str, str]], title: str) -> str:
    """The SVG of ``nodes`` and ``edges`` (source id, target id, kind)."""
    columns = _order(nodes, edges)
    tallest = max(len(column) for column in columns)
    width = PAD * 2 + len(columns) * WIDTH + (len(columns) - 1) * GAP_X
    height = PAD * 2 + tallest * (HEIGHT + GAP_Y) - GAP_Y
    where: dict[str, tuple[int, int]] = {}
    for col, column in enumerate(columns):
        offset = (tallest - len(column)) * (HEIGHT + GAP_Y) // 2
        for row, node in enumerate(column):
            where[node.id] = (PAD + col * (WIDTH + GAP_X), PAD + offset + row * (HEIGHT + GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage-graph" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-labelledby="graph-title">',
        f'<title id="graph-title">{escape(shown(title))}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>',
    ]
    for source, target, kind in edges:
        if source in where and target in where:
            parts.append(_edge(where[source], where[target], kind))
    for column in columns:
        parts += [_node(node, *where[node.id]) for node in column]
    parts.append("</svg>")
    return "\n".join(parts)


def _order(nodes: list[DrawNode], edges: list[tuple[str, str, str]]) -> list[list[DrawNode]]:
    """Nodes by layer, each layer ordered by barycentre sweeps (deterministic ties)."""
    layers = sorted({n.layer for n in nodes})
    columns = [sorted((n for n in nodes if n.layer == layer), key=lambda n: (n.label, n.id))
               for layer in layers]  # fmt: skip
    ups: dict[str, list[str]] = {}
    downs: dict[str, list[str]] = {}
    for source, target, _ in edges:
        downs.setdefault(source, []).append(target)
        ups.setdefault(target, []).append(source)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for index in indices:
            position = {n.id: i for c in columns for i, n in enumerate(c)}
            links = ups if forward else downs
            neighbour = columns[index - 1 if forward else index + 1]
            near = {n.id for n in neighbour}

            def centre(
                node: DrawNode,
                links: dict[str, list[str]] = links,
                near: set[str] = near,
                position: dict[str, int] = position,
            ) -> float:
                found = [position[o] for o in links.get(node.id, []) if o in near]
                return sum(found) / len(found) if found else float(position[node.id])

            columns[index] = sorted(columns[index], key=lambda n: (centre(n), n.label, n.id))
    return columns


def _edge(start: tuple[int, int], end: tuple[int, int], kind: str) -> str:
    sx, sy = start[0] + WIDTH, start[1] + HEIGHT // 2
    tx, ty = end[0], end[1] + HEIGHT // 2
    bend = max(GAP_X // 2, (tx - sx) // 2) if tx > sx else WIDTH
    drop = 0 if tx > sx else HEIGHT
    path = f"M{sx} {sy}C{sx + bend} {sy + drop} {tx - bend} {ty + drop} {tx} {ty}"
    css = "edge " + ("edge-" + kind if kind in ("train", "evaluation") else "edge-other")
    return f'<path class="{css}" d="{path}" marker-end="url(#arrow)"/>'


def middle(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters in the middle, keeping its start and its end."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def _node(node: DrawNode, x: int, y: int) -> str:
    kind = KIND_NAMES.get(node.kind, node.kind)
    name = node.label[len(node.group) + 1 :] if node.group else node.label
    label = middle(name, NAME_CHARS)
    below = f"{middle(node.group, GROUP_CHARS)} · {kind}" if node.group else kind
    more = ""
    if node.more_up:
        more = (f'<text class="more" x="{x}" y="{y + HEIGHT + 11}">+{node.more_up} more '
                "upstream</text>")  # fmt: skip
    return (
        f'<a href="{escape(node.href)}" class="node node-{node.kind} {node.classes}">'
        f"<title>{escape(shown(node.label))} ({kind})</title>"
        f'<rect x="{x}" y="{y}" width="{WIDTH}" height="{HEIGHT}" rx="6"/>'
        f'<text x="{x + 8}" y="{y + 19}">{escape(shown(label))}</text>'
        f'<text class="kind" x="{x + 8}" y="{y + 36}">{escape(shown(below))}</text>{more}</a>'
    )
