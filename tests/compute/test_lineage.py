"""The lineage graph: merging sightings, cycles, neighbourhoods and folder names."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardpress.compute.lineage.facts import (
    CHANGED,
    MATCHES,
    SUPERSEDED,
    changed_warnings,
    digest_rows,
    file_status,
    seen_range,
    versions,
)
from cardpress.compute.lineage.graph import LineageGraph, build_graph, job_folder, slugify
from cardpress.compute.lineage.stale import stale_warnings
from cardpress.compute.lineage.walk import find_cycles, neighbourhood
from cardpress.model import Source
from cardpress.model_lineage import (
    DVC,
    OPENLINEAGE,
    RUN,
    DataRef,
    FileHash,
    Job,
    Recording,
    Symlink,
)
from cardpress.render.lineage.data import dataset_data
from cardpress.render.lineage.svg import DrawNode, draw, middle

SHA_A, SHA_B = "a" * 64, "b" * 64


def ref(name: str, uri: str, origin: str = OPENLINEAGE, **kw: object) -> DataRef:
    return DataRef(name, uri, origin, Source("x.jsonl", 1), **kw)  # type: ignore[arg-type]


def job(key: str, inputs: list[DataRef], outputs: list[DataRef], origin: str = OPENLINEAGE) -> Job:
    return Job(key, key, origin, Source("x"), tuple(inputs), tuple(outputs))


def test_one_data_set_seen_by_three_sources_under_three_names_is_one_node() -> None:
    run = Job("run:m@1", "m 1", RUN, Source("runs/m.json"),
              (ref("train", "data/train.csv", RUN, digests=(("sha256", SHA_A),), role="train"),),
              model=("m", "1"))  # fmt: skip
    prepared = ref("prepared", "data/train.csv", digests=(("sha256", SHA_A),))
    openlineage = job("ol:prep", [ref("raw", "s3://b/raw.csv")], [prepared])
    dvc = job("dvc:split", [ref("data/train.csv", "data/train.csv", DVC)], [], DVC)
    graph = build_graph([run, openlineage, dvc], {})
    train = [d for d in graph.datasets.values() if {"train", "prepared"} & {r.name for r in d.refs}]
    assert len(train) == 1  # the same location
    assert {r.name for r in train[0].refs} == {"train", "prepared", "data/train.csv"}
    assert len(graph.datasets) == 2  # and the raw file
    kinds = {(graph.nodes[e.source].kind, graph.nodes[e.target].kind, e.kind) for e in graph.edges}
    assert ("dataset", "run", "train") in kinds and ("run", "model", "produces") in kinds
    assert ("job", "dataset", "writes") in kinds


def test_the_same_content_at_two_locations_is_two_data_sets(tmp_path: Path) -> None:
    file = tmp_path / "f.csv"
    file.write_text("x\n")
    hashes = {file.as_posix(): FileHash(SHA_B, "m", 2)}
    a = job("a", [], [ref("out", "out.csv", local=file)])
    b = job("b", [ref("theirs", "s3://x/y.csv", digests=(("sha256", SHA_B),))], [])
    c = job("c", [ref("copy", "copy.csv", digests=(("sha256", SHA_B),))], [])
    graph = build_graph([a, b, c], hashes)
    assert len(graph.datasets) == 3  # a copy is another data set, though its bytes are equal


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


DAY = [f"2026-01-0{day}T10:00:00+00:00" for day in range(10)]  # DAY[1] is 1 January


def _history(*seen: tuple[str | None, int, int]) -> tuple[Recording, ...]:
    """Recordings of (sha256 or None for no hash, first day, last day)."""
    return tuple(Recording((("sha256", sha),) if sha else (), DAY[a], DAY[b]) for sha, a, b in seen)


def test_a_history_gives_each_hash_its_times_and_only_the_latest_is_compared(
    tmp_path: Path,
) -> None:
    file = tmp_path / "f.csv"
    hashes = {file.as_posix(): FileHash(SHA_B, "m", 5)}
    daily = ref("f", "f.csv", local=file, digests=(("sha256", SHA_B),), seen_at=DAY[5],
                history=_history((None, 2, 5), (SHA_A, 2, 3), (SHA_B, 4, 5)))  # fmt: skip
    trained = DataRef("train", "f.csv", RUN, Source("runs/m.json"), file, (("sha256", SHA_A),),
                      seen_at=DAY[1])  # fmt: skip
    graph = build_graph([job("ol", [daily], []), job("run", [trained], [], RUN)], hashes)
    [dataset] = graph.datasets.values()
    assert seen_range(dataset) == (DAY[1], DAY[5])
    table = [(v["value"], v["first_seen"], v["last_seen"], v["seen_by"]) for v in versions(dataset)]
    assert table == [
        (SHA_A, DAY[1], DAY[3], ["OpenLineage: f", "run record: train"]),
        (SHA_B, DAY[4], DAY[5], ["OpenLineage: f"]),
    ]  # fmt: skip
    rows = [(r["value"], r["name"], r["status"], r["seen_at"]) for r in digest_rows(dataset, graph)]
    assert sorted(rows) == sorted([
        (SHA_A, "f", SUPERSEDED, DAY[3]),  # history: the job recorded B after it
        (SHA_A, "train", CHANGED, DAY[1]),  # the run record's own, and only, hash
        (SHA_B, "f", MATCHES, DAY[5]),
    ])  # fmt: skip
    [warning] = changed_warnings(graph)
    assert "train" in warning and SHA_A in warning


@pytest.mark.parametrize(
    ("read_days", "wrote_days", "rows", "files"),
    [
        # one event a day read and wrote f.csv: day 2's read B, then wrote A (the file is B)
        (
            (SHA_A, SHA_B),
            (SHA_B, SHA_A),
            {SHA_A: CHANGED, SHA_B: SUPERSEDED},
            (SUPERSEDED, CHANGED),
        ),
        # day 1 read and wrote A, day 2 read and wrote B: one row each, B compared
        ((SHA_A, SHA_B), (SHA_A, SHA_B), {SHA_A: SUPERSEDED, SHA_B: MATCHES}, (MATCHES, MATCHES)),
    ],
)
def test_a_job_that_read_and_wrote_a_file_compares_only_the_hash_it_wrote_last(
    tmp_path: Path,
    read_days: tuple[str, str],
    wrote_days: tuple[str, str],
    rows: dict[str, str],
    files: tuple[str, str],
) -> None:
    file = tmp_path / "f.csv"
    hashes = {file.as_posix(): FileHash(SHA_B, "m", 5)}
    read, wrote = (
        ref("f", "f.csv", local=file, digests=(("sha256", days[1]),), seen_at=DAY[2],
            history=_history((days[0], 1, 1), (days[1], 2, 2)))
        for days in (read_days, wrote_days)
    )  # fmt: skip
    graph = build_graph([job("ol", [read], [wrote])], hashes)
    [dataset] = graph.datasets.values()
    assert {r["value"]: r["status"] for r in digest_rows(dataset, graph)} == rows
    assert (file_status(read, graph), file_status(wrote, graph)) == files


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


def _run(model: str, version: str, inputs: list[DataRef]) -> Job:
    return Job(f"run:{model}@{version}", f"{model} {version}", RUN, Source("runs/r.json"),
               tuple(inputs), model=(model, version))  # fmt: skip


def test_an_output_that_is_a_model_version_of_the_site_is_that_version_not_a_data_set() -> None:
    table = ref("warehouse://c/t", "warehouse://c/t")
    model = ref("models://registry/churn/1", "models://registry/churn/1", model=("churn", "1"))
    other = ref("models://registry/churn/9", "models://registry/churn/9", model=("churn", "9"))
    fit = job("openlineage:train/fit", [table], [model, other])
    graph = build_graph([fit, _run("churn", "1", [table])], {})
    assert ("openlineage:train/fit", "model:churn@1", "produces") in {
        (e.source, e.target, e.kind) for e in graph.edges
    }
    # version 9 has no run record, so no page: it stays a data set
    assert {d.key for d in graph.datasets.values()} == {"warehouse://c/t", other.uri}
    assert graph.sides["openlineage:train/fit"][1] == [f"dataset:{other.uri}"]


def _chain(hashes_now: dict[str, str], tmp_path: Path) -> tuple[LineageGraph, dict[str, FileHash]]:
    """raw → prepare → mid → train-stage → train.csv → run of m 1 → m 1, locked md5s "r", "m"."""
    files = {name: tmp_path / name for name in ("raw", "mid", "train")}
    hashes = {files[n].as_posix(): FileHash(n * 64, md5, 1) for n, md5 in hashes_now.items()}

    def dvc(name: str, md5: str) -> DataRef:
        return ref(name, name, DVC, local=files[name], digests=(("md5", md5),))

    stages = [job("dvc:.:prepare", [dvc("raw", "r")], [dvc("mid", "m")], DVC),
              job("dvc:.:split", [dvc("mid", "m")], [dvc("train", "t")], DVC)]  # fmt: skip
    run = _run("m", "1", [ref("train", "train", RUN, local=files["train"], role="train")])
    return build_graph([*stages, run], hashes), hashes


def test_nothing_is_stale_when_every_locked_md5_matches(tmp_path: Path) -> None:
    graph, _ = _chain({"raw": "r", "mid": "m", "train": "t"}, tmp_path)
    assert graph.stale == {}


def test_a_changed_dependency_makes_its_stage_stale_and_all_below_stale_upstream(
    tmp_path: Path,
) -> None:
    graph, _ = _chain({"raw": "changed", "mid": "m", "train": "t"}, tmp_path)
    assert graph.stale["dvc:.:prepare"].changes == (("raw", "modified", "deps"),)
    why = ("raw modified (stage dvc:.:prepare)",)
    below = ["dataset:mid", "dvc:.:split", "dataset:train", "run:m@1", "model:m@1"]
    assert all(graph.stale[n].upstream == why and not graph.stale[n].changes for n in below)
    assert "dataset:raw" not in graph.stale  # what changed is upstream of nothing changed
    [warning] = stale_warnings(graph)
    assert warning == "x: stage dvc:.:prepare is stale: changed deps: raw (modified)"


def test_a_deleted_out_is_stale_like_dvc_status_says(tmp_path: Path) -> None:
    graph, _ = _chain({"raw": "r", "mid": "m"}, tmp_path)
    assert graph.stale["dvc:.:split"].changes == (("train", "deleted", "outs"),)


def test_job_pages_have_readable_unique_folders() -> None:
    def stage(key: str) -> Job:
        return Job(key, key, DVC, Source("dvc.lock"))

    folders = [job_folder(stage(k)) for k in (
        "dvc:.:prepare", "dvc:pipelines/a:prepare", "dvc:.:train@1", "dvc-file:data/raw.csv.dvc",
        "dvc:pipelines:a")]  # fmt: skip
    assert folders[:2] == ["dvc/prepare", "dvc/pipelines/a/prepare"]
    assert folders[2].startswith("dvc/train-1-") and folders[3] == "dvc-files/data/raw.csv.dvc"
    assert len(set(folders)) == len(folders)
    assert job_folder(job("openlineage:census/prepare", [], [])) == slugify(
        "openlineage:census/prepare")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "cut"),
    [("public.adult_train", "public.adult_train"),
     ("public.adult_training_data_2026_01", "public.adult_…g_data_2026_01"),
     ("public.adult_training_data_2026_02", "public.adult_…g_data_2026_02")],
)  # fmt: skip
def test_long_labels_are_cut_in_the_middle_so_their_ends_stay(text: str, cut: str) -> None:
    assert middle(text, 28) == cut and len(middle(text, 28)) <= 28


def test_a_node_shows_its_namespace_apart_and_its_full_name_on_hover() -> None:
    label = "warehouse://census/public.adult_training_data_2026_01"
    node = DrawNode("d", 0, label, "dataset", "x.html", group="warehouse://census")
    svg = draw([node], [], "t")
    assert f"<title>{label} (data set)</title>" in svg
    assert ">public.adult_training_data_2026_01<" not in svg
    assert ">public.adult_…g_data_2026_01<" in svg.replace("\u2026", "…")
    assert ">warehouse://census · data set<" in svg


def test_a_dense_neighbourhood_stops_at_its_budget_and_a_chain_is_drawn_whole() -> None:
    up: dict[str, list[str]] = {}
    names = ["r"]
    for _ in range(7):  # each node read three others: 3, 9, 27, ... upstream
        up.update({n: [f"{n}{k}" for k in "abc"] for n in names})
        names = [m for n in names for m in up[n]]
    near = neighbourhood("r", up, {}, depth_up=20, depth_down=0, per_side=16)
    assert len(near.layers) == 17 and sum(near.hidden.values()) > 0
    chain = {f"c{i}": [f"c{i + 1}"] for i in range(12)}
    near = neighbourhood("c0", chain, {}, depth_up=12, depth_down=0)
    assert len(near.layers) == 13 and near.more_up == {}


@given(st.integers(1, 40), st.sets(st.integers(0, 45), max_size=45))
def test_edges_among_shown_nodes_are_those_of_a_full_scan(versions: int, picked: set[int]) -> None:
    from cardpress.render.lineage.view import HIGHLIGHT, _edges_among, _roles

    runs = [Job(f"run:m@{n}", f"m {n}", RUN, Source(f"runs/m-{n}.json"),
                (ref("train", "data/train.csv", RUN, role="train"),
                 ref("test", "data/test.csv", RUN, role="test"),
                 ref(f"own{n % 3}", f"data/own{n % 3}.csv", RUN, role="train")),
                model=("m", str(n))) for n in range(versions)]  # fmt: skip
    graph = build_graph([*runs, job("ol:prep", [ref("raw", "s3://b/raw.csv")],
                                    [ref("train", "data/train.csv")])], {})  # fmt: skip
    nodes = sorted(graph.nodes)
    shown = sorted({nodes[i % len(nodes)] for i in picked})
    scanned = [(e.source, e.target, e.kind) for s in shown for e in graph.out.get(s, [])
               if e.target in set(shown)]  # fmt: skip
    assert _edges_among(graph, shown) == scanned
    for n in range(versions):  # the roles a version's page highlights, by a scan of every edge
        focus = f"model:m@{n}"
        runs_of = [focus, *graph.up.get(focus, [])]
        expected = {e.source: e.kind for r in runs_of for s in graph.up.get(r, [])
                    for e in graph.out.get(s, [])
                    if e.target == r and e.kind in HIGHLIGHT}  # fmt: skip
        assert _roles(graph, focus) == expected


HIVE = "hive://metastore"


def alias(uri: str, kind: str | None = "TABLE", file: str = "x.jsonl") -> Symlink:
    return Symlink(uri, uri, kind, Source(file, 1))


def _spark_and_dbt() -> list[Job]:
    sales = ref("/w/sales", "../w/sales", symlinks=(alias(f"{HIVE}/analytics.sales"),))
    spark = job("ol:spark", [ref("orders", "data/orders.csv")], [sales])
    dbt = job("ol:dbt", [ref(f"{HIVE}/analytics.sales", f"{HIVE}/analytics.sales")],
              [ref("report", f"{HIVE}/analytics.report")])  # fmt: skip
    return [spark, dbt]


def test_a_symlink_makes_a_file_and_its_table_one_data_set_and_the_chain_unbroken() -> None:
    graph = build_graph(_spark_and_dbt(), {})
    [sales] = [d for d in graph.datasets.values() if len(d.refs) == 2]
    assert {r.name for r in sales.refs} == {"/w/sales", f"{HIVE}/analytics.sales"}
    assert graph.up[sales.id] == ["ol:spark"] and graph.down[sales.id] == ["ol:dbt"]
    assert len(graph.datasets) == 3 and graph.refused == {}
    # the key (and page) is the smallest location a source names, as for any merge
    assert sales.key == "../w/sales"
    data = dataset_data(graph, sales)
    assert data["names"] == ["/w/sales", f"{HIVE}/analytics.sales"]
    assert data["symlinks"] == [{"name": f"{HIVE}/analytics.sales",
                                 "uri": f"{HIVE}/analytics.sales", "type": "TABLE",
                                 "of": "/w/sales", "source": "x.jsonl:1",
                                 "followed": True}]  # fmt: skip


def test_a_symlink_no_other_source_names_changes_neither_key_nor_label() -> None:
    only = ref("zz", "zz.csv", symlinks=(alias(f"{HIVE}/a"),))
    graph = build_graph([job("a", [], [only])], {})
    [dataset] = graph.datasets.values()
    assert (dataset.key, graph.nodes[dataset.id].label) == ("zz.csv", "zz")
    assert graph.by_name[f"{HIVE}/a"] == dataset.id  # column lineage naming it links here


def test_symlinks_merge_transitively_even_through_a_name_no_source_names() -> None:
    a = job("a", [], [ref("a", "a.csv", symlinks=(alias(f"{HIVE}/b"),))])
    b = job("b", [ref("b", f"{HIVE}/b", symlinks=(alias(f"{HIVE}/c"),))], [])
    c = job("c", [ref("c", f"{HIVE}/c")], [])
    d = job("d", [], [ref("d", "d.csv", symlinks=(alias(f"{HIVE}/unseen"),))])
    e = job("e", [], [ref("e", "e.csv", symlinks=(alias(f"{HIVE}/unseen"),))])
    graph = build_graph([a, b, c, d, e], {})
    names = sorted(sorted(r.name for r in d.refs) for d in graph.datasets.values())
    assert names == [["a", "b", "c"], ["d", "e"]]


def _shape(graph: LineageGraph) -> tuple[object, ...]:
    nodes = sorted((n.id, n.label, n.href, n.group) for n in graph.nodes.values())
    members = sorted((d.key, sorted(r.name for r in d.refs)) for d in graph.datasets.values())
    pages = [dataset_data(graph, d) for d in graph.datasets.values()]
    for page in pages:  # sightings are listed in job order, and jobs are sorted by key
        page["sightings"] = sorted(page["sightings"], key=str)
    return nodes, graph.edges, members, pages, graph.refused


def test_the_graph_does_not_depend_on_the_order_of_jobs_sightings_or_symlinks() -> None:
    links = (alias(f"{HIVE}/b"), alias("c.csv"), alias(f"{HIVE}/d", "VIEW"))
    reader = job("r", [ref("b", f"{HIVE}/b"), ref("x", "x.csv")], [ref("d", f"{HIVE}/d")])
    jobs = [job("w", [], [ref("a", "a.csv", symlinks=links)]), reader,
            job("v", [ref("c", "c.csv", symlinks=(alias("a.csv"),))], [])]  # fmt: skip
    want = _shape(build_graph(jobs, {}))
    shuffle = random.Random(7)
    for _ in range(20):
        shuffled = []
        for one in shuffle.sample(jobs, len(jobs)):
            ins, outs = list(one.inputs), list(one.outputs)
            shuffle.shuffle(ins)
            shuffle.shuffle(outs)
            outs = [replace(r, symlinks=tuple(shuffle.sample(r.symlinks, len(r.symlinks))))
                    for r in outs]  # fmt: skip
            shuffled.append(Job(one.key, one.name, one.origin, one.source, tuple(ins), tuple(outs)))
        assert _shape(build_graph(shuffled, {})) == want


def test_a_symlink_joining_two_inputs_of_one_job_is_not_followed_and_warned() -> None:
    """A job that reads two names as two inputs says they are two: a symlink (stale, or wrong)
    claiming they are one is not followed, so no edge is lost; a warning says why."""
    writer = job("ol:w", [], [ref("/w/sales", "../w/sales", symlinks=(alias(f"{HIVE}/s"),))])
    both = job("ol:both", [ref("s", f"{HIVE}/s"), ref("sales", "../w/sales")], [])
    graph = build_graph([writer, both], {})
    assert len(graph.datasets) == 2
    assert graph.up["ol:both"] == ["dataset:../w/sales", f"dataset:{HIVE}/s"]
    # the files' page does not call the table another of its names: the graph did not follow it
    sales = next(d for d in graph.datasets.values() if d.key == "../w/sales")
    page = dataset_data(graph, sales)
    assert f"{HIVE}/s" not in page["names"] and [s["followed"] for s in page["symlinks"]] == [False]
    [warning] = graph.refused.values()
    assert warning == (f"x.jsonl:1: symlink {HIVE}/s of ../w/sales not followed: job ol:both "
                       "names them as two of its inputs, so they stay two data sets — fix the "
                       "symlinks facet if they are one")  # fmt: skip
    # the table's own facet naming the files back is the same link: still one warning
    back = job("ol:t", [], [ref("s", f"{HIVE}/s", symlinks=(alias("../w/sales", file="y"),))])
    assert len(build_graph([writer, both, back], {}).refused) == 1
    # a job that reads a table and writes its files (an update in place) is a cycle, not refused
    update = job("ol:update", [ref("s", f"{HIVE}/s")], [ref("/w/sales", "../w/sales",
                 symlinks=(alias(f"{HIVE}/s"),))])  # fmt: skip
    graph = build_graph([update], {})
    assert len(graph.datasets) == 1 and graph.refused == {} and graph.cycles


def test_a_cycle_of_symlinks_merges_without_a_false_refusal() -> None:
    """a → b → c → a, and one output naming two others: each pair was already one data set when
    its last symlink came, and was warned as "two of its outputs" of a job with one output."""
    cycle = job("ol:p", [], [ref("a", f"{HIVE}/a", symlinks=(alias(f"{HIVE}/b"),
                                                            alias(f"{HIVE}/c")))])  # fmt: skip
    reader = job("ol:q", [ref("b", f"{HIVE}/b", symlinks=(alias(f"{HIVE}/c"),))], [])
    graph = build_graph([cycle, reader], {})
    assert graph.refused == {} and len(graph.datasets) == 1


def test_a_data_set_recorded_thousands_of_times_lists_the_rows_that_matter_first(
    tmp_path: Path,
) -> None:
    file = tmp_path / "f.csv"
    hashes = {file.as_posix(): FileHash(SHA_B, "m", 5)}
    times = [f"2026-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}T{i // 336:02d}:00:00+00:00"
             for i in range(600)]  # fmt: skip
    shas = [f"{i:064x}" for i in range(600)]
    # a daily job recording a new version each day (the file is the last: B), and 300 runs
    # each recording A (the file moved on: changed since recorded)
    history = tuple(Recording((("sha256", sha),), t, t) for sha, t in zip(shas, times, strict=True))
    daily = ref("f", "f.csv", local=file, digests=(("sha256", SHA_B),), seen_at="2027",
                history=(*history, Recording((("sha256", SHA_B),), "2027", "2027")))  # fmt: skip
    runs = [Job(f"run:m@{i}", f"m {i}", RUN, Source(f"runs/{i}.json"),
                (DataRef(f"train{i}", "f.csv", RUN, Source(f"runs/{i}.json"), file,
                         (("sha256", SHA_A),), seen_at=times[i]),), ())
            for i in range(300)]  # fmt: skip
    graph = build_graph([job("ol", [daily], []), *runs], hashes)
    [dataset] = graph.datasets.values()
    data = dataset_data(graph, dataset)
    everything = digest_rows(dataset, graph)
    assert len(everything) == 300 + 600 + 1
    assert len(data["digests"]) == 200 and data["digests_more"] == 701
    statuses = [d["status"] for d in data["digests"]]
    # each hash's latest recording first: A changed (once, of 300), B matches, then history
    assert (statuses.count(CHANGED), statuses.count(MATCHES)) == (1, 1)
    assert statuses.count(SUPERSEDED) == 198
    assert data["changed"] is True
    # the 200 of 602 versions last seen latest, first seen first, each naming at most 20 sources
    assert len(data["versions"]) == 200 and data["versions_more"] == 402
    assert data["versions"][-1]["value"] == SHA_B
    assert [v["first_seen"] for v in data["versions"]] == sorted(
        v["first_seen"] for v in data["versions"]
    )
    [a] = [v for v in versions(dataset) if v["value"] == SHA_A]
    assert len(a["seen_by"]) == 300
    [shown_a] = [v for v in data["versions"] if v["value"] == SHA_A]
    assert len(shown_a["seen_by"]) == 20 and shown_a["seen_by_more"] == 280
