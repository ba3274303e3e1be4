"""Walks over the lineage graph that never loop: cycles, and the neighbourhood of a node."""

from __future__ import annotations

from dataclasses import dataclass, field


def find_cycles(nodes: list[str], down: dict[str, list[str]]) -> list[list[str]]:
    """Every cycle as its strongly connected component (Tarjan, iterative), in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = down.get(node, [])
            if child < len(targets):
                work.append((node, child + 1))
                target = targets[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in targets:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found)


@dataclass
class Neighbourhood:
    """The nodes drawn around a focus: each with its layer (negative upstream).

    ``more_up`` and ``more_down`` count the neighbours of an edge node that were cut;
    ``hidden`` counts nodes left out of a layer that was full.
    """

    focus: str
    layers: dict[str, int] = field(default_factory=dict)
    more_up: dict[str, int] = field(default_factory=dict)
    more_down: dict[str, int] = field(default_factory=dict)
    hidden: dict[int, int] = field(default_factory=dict)


def neighbourhood(
    focus: str,
    up: dict[str, list[str]],
    down: dict[str, list[str]],
    depth_up: int,
    depth_down: int,
    width: int = 12,
    per_side: int = 16,
) -> Neighbourhood:
    """Nodes up to ``depth_up`` steps upstream and ``depth_down`` downstream of ``focus``.

    Breadth first, each node visited once, so cycles end; at most ``width`` nodes per layer and
    ``per_side`` on each side. The depth lets a narrow pipeline be drawn whole; the budget keeps
    a dense graph's drawing (and page) as small as a shallow one's.
    """
    near = Neighbourhood(focus, {focus: 0})
    for sign, edges, depth, more in ((-1, up, depth_up, near.more_up),
                                     (1, down, depth_down, near.more_down)):  # fmt: skip
        frontier = [focus]
        placed = 0
        for step in range(1, depth + 2):
            following: list[str] = []
            for node in frontier:
                fresh = [n for n in dict.fromkeys(edges.get(node, [])) if n not in near.layers]
                if step > depth:
                    if fresh:
                        more[node] = len(fresh)
                    continue
                for neighbour in fresh:
                    if len(following) >= width or placed >= per_side:
                        near.hidden[sign * step] = near.hidden.get(sign * step, 0) + 1
                        more[node] = more.get(node, 0) + 1
                        continue
                    near.layers[neighbour] = sign * step
                    following.append(neighbour)
                    placed += 1
            frontier = following
    return near
