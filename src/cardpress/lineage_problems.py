"""The lineage graph of a records folder and every problem met on the way (build and validate).

Problems in lineage sources (a malformed OpenLineage line, a bad DVC file, a symlinks facet that
would join two inputs of one job, a file changed since it was recorded, a stale DVC stage, a
cycle) never stop a build: they are warnings, printed and shown on the lineage pages.
``cardpress validate`` prints the same warnings, so it reports everything a build would.
"""

from __future__ import annotations

from cardpress.compute.lineage.facts import changed_warnings, cycle_warnings
from cardpress.compute.lineage.graph import LineageGraph, build_graph
from cardpress.compute.lineage.stale import stale_warnings
from cardpress.model import Records
from cardpress.readers.lineage.read import read_lineage


def lineage_graph(records: Records) -> tuple[LineageGraph, list[str]]:
    """The records' lineage graph and its warnings, in the order a build prints them."""
    inputs = read_lineage(records)
    graph = build_graph(inputs.jobs, inputs.hashes)
    warnings = [
        *inputs.warnings,
        *graph.refused.values(),
        *changed_warnings(graph),
        *stale_warnings(graph),
        *cycle_warnings(graph),
    ]
    return graph, warnings
