"""The lineage graph: merging sightings, cycles, neighbourhoods and folder names."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cardpress.compute.lineage.facts import CHANGED, MATCHES, changed_warnings, digest_rows
from cardpress.compute.lineage.graph import build_graph, slugify
from cardpress.compute.lineage.walk import find_cycles, neighbourhood
from cardpress.model import Source
from cardpress.model_lineage import DVC, OPENLINEAGE, RUN, DataRef, FileHash, Job

SHA_A, SHA_B = "a" * 64, "b" * 64


def ref(name: str, uri: str, origin: str = OPENLINEAGE, **kw: object) -> DataRef:
    return DataRef(name, uri, origin, Source("x.jsonl", 1), **kw)  # type: ignore[arg-type]


def job(key: str, inputs: list[DataRef], outputs: list[DataRef], origin: str = OPENLINEAGE) -> Job:
    return Job(key, key, origin, Source("x"), tuple(inputs), tuple(outputs))


def test_one_data_set_seen_by_three_sources_under_three_names_is_one_node() -> None:
    run = Job("run:m@1", "m 1", RUN, Source("runs/m.json"),
              (ref("train", "data/train.csv", RUN, digests=(("sha256", SHA_A),), role="train"),),
              model=("m", "1"))  # fmt: skip
    prepared = ref("prepared", "file-elsewhere.csv", digests=(("sha256", SHA_A),))
    openlineage = job("ol:prep", [ref("raw", "s3://b/raw.csv")], [prepared])
    dvc = job("dvc:split", [ref("data/train.csv", "data/train.csv", DVC)], [], DVC)
    graph = build_graph([run, openlineage, dvc], {})
    train = [d for d in graph.datasets.values() if {"train", "prepared"} & {r.name for r in d.refs}]
    assert len(train) == 1  # same sha256 (OpenLineage) and same URI (DVC) as the run's data set
    assert {r.name for r in train[0].refs} == {"train", "prepared", "data/train.csv"}
    assert len(graph.datasets) == 2  # and the raw file
    kinds = {(graph.nodes[e.source].kind, graph.nodes[e.target].kind, e.kind) for e in graph.edges}
    assert ("dataset", "run", "train") in kinds and ("run", "model", "produces") in kinds
    assert ("job", "dataset", "writes") in kinds


def test_a_computed_hash_merges_sightings_that_recorded_none(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_text("x\n")
    hashes = {file.as_posix(): FileHash(SHA_B, "m", 2)}
    a = job("a", [], [ref("out", "out.csv", local=file)])
    b = job("b", [ref("theirs", "s3://x/y.csv", digests=(("sha256", SHA_B),))], [])
    graph = build_graph([a, b], hashes)
    assert len(graph.datasets) == 1


def test_a_file_that_changed_since_recorded_is_marked_and_warned(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    hashes = {file.as_posix(): FileHash(SHA_B, "md5now", 5)}
    recorded = ref("f", "f.csv", local=file, digests=(("sha256", SHA_A),))
    same = ref("f", "f.csv", DVC, local=file, digests=(("md5", "md5now"),))
    graph = build_graph([job("a", [recorded], []), job("b", [same], [], DVC)], hashes)
    [dataset] = graph.datasets.values()
    statuses = {(r["algo"], r["status"]) for r in digest_rows(dataset, graph)}
    assert statuses == {("sha256", CHANGED), ("md5", MATCHES)}
    [warning] = changed_warnings(graph)
    assert "changed since recorded" in warning and SHA_A in warning


def test_cycles_are_found_and_walks_end() -> None:
    down = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["d"]}
    assert find_cycles(["a", "b", "c", "d"], down) == [["a", "b", "c"], ["d"]]
    up: dict[str, list[str]] = {}
    for source, targets in down.items():
        for target in targets:
            up.setdefault(target, []).append(source)
    near = neighbourhood("a", up, down, 10, 10)  # ends: every node is placed once
    assert near.layers == {"a": 0, "c": -1, "b": -2}


def test_a_neighbourhood_is_cut_at_its_depth_and_width_with_the_rest_counted() -> None:
    up = {"focus": [f"u{i}" for i in range(15)], "u0": ["far"], "far": ["farther"]}
    near = neighbourhood("focus", up, {}, depth_up=2, depth_down=0, width=12)
    assert sum(1 for layer in near.layers.values() if layer == -1) == 12
    assert near.hidden == {-1: 3} and near.more_up["focus"] == 3
    assert near.layers["far"] == -2 and near.more_up["far"] == 1 and "farther" not in near.layers


@given(st.text(max_size=80))
def test_folder_names_are_safe_and_never_shared(key: str) -> None:
    slug = slugify(key)
    assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", slug) and ".." not in slug.split("-")
    assert slug not in (".", "..") and len(slug) <= 60
    if slug != key:
        assert slugify(key + "x") != slug
