"""DVC repositories made by the real ``dvc`` (add, import, stage add, repro, status), read back."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cardpress.compute.lineage.graph import LineageGraph, build_graph, job_folder
from cardpress.compute.lineage.stale import stale_warnings
from cardpress.model_lineage import Job
from cardpress.readers.hashing import hash_files
from cardpress.readers.lineage.dvc.files import read_dvc_files
from cardpress.readers.lineage.dvc.pipeline import read_dvc
from cardpress.readers.lineage.paths import locate
from tests.lineage.dvc_repo import make_repo, run, write_templated

pytest.importorskip("dvc", reason="dvc is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository of :func:`make_repo`, made once for the module (dvc is slow)."""
    return make_repo(tmp_path_factory.mktemp("dvc"))


def _read(root: Path) -> tuple[list[Job], list[str]]:
    warnings: list[str] = []
    where = lambda base, uri: locate(root, base, uri, False)  # noqa: E731
    jobs = [*read_dvc(root, root, where, warnings), *read_dvc_files(root, root, where, warnings)]
    return jobs, warnings


Status = dict[str, list[Any]]


def _status(root: Path) -> Status:
    """What ``dvc status --json`` reports."""
    return json.loads(run(root, "dvc", "status", "--json"))  # type: ignore[no-any-return]


def _graph(root: Path) -> LineageGraph:
    jobs, _ = _read(root)
    files = [r.local for j in jobs for r in (*j.inputs, *j.outputs) if r.local]
    return build_graph(jobs, hash_files(files))


def _ours(root: Path) -> tuple[Status, dict[str, tuple[str, ...]]]:
    """cardpress's stale stages in the shape of ``dvc status --json``, and what is stale
    upstream (with why)."""
    graph = _graph(root)
    own: dict[str, list[Any]] = {}
    upstream = {}
    for key, state in graph.stale.items():
        name = graph.nodes[key].label
        groups: dict[str, dict[str, Any]] = {}
        command = []
        for path, status, side in state.changes:
            if side == "command":
                command = ["changed command"]
            elif side == "params" and ": " in path:  # dvc lists parameters under their file
                file, param = path.split(": ", 1)
                groups.setdefault("changed deps", {}).setdefault(file, {})[param] = status
            else:
                group = "changed deps" if side == "params" else f"changed {side}"
                groups.setdefault(group, {})[path] = status
        own[name] = ([groups] if groups else []) + command
        if state.upstream:
            upstream[name] = state.upstream
    return {name: changes for name, changes in own.items() if changes}, upstream


def test_stages_give_command_deps_and_outs_with_md5_and_size_params_and_metrics(
    repo: Path,
) -> None:
    jobs, warnings = _read(repo)
    assert warnings == []
    stages = {j.name: j for j in jobs if j.key.startswith("dvc:")}
    assert sorted(stages) == ["prepare", "split", "train"]
    prepare = stages["prepare"]
    assert prepare.command is not None and prepare.command.endswith("prepare.py")
    raw = next(r for r in prepare.inputs if r.uri == "data/raw.csv")
    content = (repo / "data" / "raw.csv").read_bytes()
    assert ("md5", hashlib.md5(content).hexdigest()) in raw.digests and raw.size == len(content)
    assert {r.uri for r in prepare.outputs} == {"data/prepared.csv", "metrics.json"}
    assert prepare.params == (("min_age", "18"),)
    assert dict(prepare.metrics) == {"metrics.json: dropped": "1", "metrics.json: rows": "3"}
    assert {r.uri for r in stages["split"].inputs} >= {"data/prepared.csv", "data/extra.csv"}
    assert [job_folder(stages[n]) for n in sorted(stages)] == [
        "dvc/prepare", "dvc/split", "dvc/train"]  # fmt: skip


def test_dvc_add_and_dvc_import_files_say_where_the_raw_data_came_from(repo: Path) -> None:
    jobs, _ = _read(repo)
    tracked = {j.name: j for j in jobs if j.key.startswith("dvc-file:")}
    assert sorted(tracked) == ["data/extra.csv.dvc", "data/raw.csv.dvc"]
    [raw] = tracked["data/raw.csv.dvc"].outputs
    content = (repo / "data" / "raw.csv").read_bytes()
    assert raw.uri == "data/raw.csv" and raw.size == len(content)
    assert raw.digests == (("md5", hashlib.md5(content).hexdigest()),)
    assert ("tracked by", "data/raw.csv.dvc (dvc add)") in raw.about
    imported = tracked["data/extra.csv.dvc"]
    [origin], [extra] = imported.inputs, imported.outputs
    commit = run(repo.parent / "registry", "git", "rev-parse", "HEAD").strip()
    registry = str(repo.parent / "registry")
    assert ("imported from", registry) in extra.about and ("commit", commit) in extra.about
    assert origin.uri == f"{registry}/data/extra.csv" and ("git commit", commit) in origin.digests
    assert job_folder(imported) == "dvc-files/data/extra.csv.dvc"


def test_an_unchanged_repository_is_not_stale_and_dvc_status_agrees(repo: Path) -> None:
    assert _status(repo) == {}
    assert _ours(repo) == ({}, {})


def test_a_changed_raw_file_marks_what_dvc_status_reports_and_everything_downstream(
    repo: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(repo, copy, symlinks=True)
    (copy / "data" / "raw.csv").write_text("age,sex\n30,F\n12,M\n45,M\n61,F\n70,M\n")
    status = _status(copy)
    own, upstream = _ours(copy)
    assert own == status  # the .dvc file (changed outs) and prepare (changed deps)
    assert set(status) == {"data/raw.csv.dvc", "prepare"}
    why = ("data/raw.csv modified (stage data/raw.csv.dvc)",
           "data/raw.csv modified (stage prepare)")  # fmt: skip
    assert upstream["split"] == why and upstream["train"] == why
    assert upstream["model.txt"] == why and "data/extra.csv" not in upstream


def test_a_changed_parameter_and_command_are_stale_as_dvc_status_says(
    repo: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(repo, copy, symlinks=True)
    (copy / "params.yaml").write_text("min_age: 21\n")
    spec = (copy / "dvc.yaml").read_text()
    (copy / "dvc.yaml").write_text(spec.replace("train.py\n", "train.py --fast\n", 1))
    status = _status(copy)
    assert status == {"prepare": [{"changed deps": {"params.yaml": {"min_age": "modified"}}}],
                      "train": ["changed command"]}  # fmt: skip
    own, upstream = _ours(copy)
    assert own == status
    changed_params = "params.yaml: min_age modified (stage prepare)"
    assert upstream["model.txt"] == ("command modified (stage train)", changed_params)
    assert upstream["train"] == (changed_params,)
    assert "dvc.lock: stage train is stale: changed command" in stale_warnings(_graph(copy))


def test_nested_toml_and_whole_file_parameters_compare_by_value_as_dvc_does(
    repo: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(repo, copy, symlinks=True)
    spec = (copy / "dvc.yaml").read_text().replace(
        "- min_age\n", "- min_age\n    - train.lr\n    - custom.toml:\n      - a.b\n"
        "    - whole.yaml:\n"
    )  # fmt: skip
    (copy / "dvc.yaml").write_text(spec)
    (copy / "params.yaml").write_text("min_age: 18\ntrain:\n  lr: 0.1\n")
    (copy / "custom.toml").write_text("[a]\nb = 2\n")
    (copy / "whole.yaml").write_text("x: 1\ny: [1, 2]\n")
    run(copy, "dvc", "repro", "-q")
    assert _status(copy) == {} and _ours(copy) == ({}, {})
    # 18 -> 18.0 and 2 -> 2.0 are the same values; lr changed; y changed, z is new, x is gone
    (copy / "params.yaml").write_text("min_age: 18.0\ntrain:\n  lr: 0.2\n")
    (copy / "custom.toml").write_text("[a]\nb = 2.0\n")
    (copy / "whole.yaml").write_text("y: [1, 3]\nz: 5\n")
    status = _status(copy)
    assert status == {"prepare": [{"changed deps": {
        "params.yaml": {"train.lr": "modified"},
        "whole.yaml": {"x": "deleted", "y": "modified", "z": "new"}}}]}  # fmt: skip
    assert _ours(copy)[0] == status
    (copy / "whole.yaml").unlink()  # the params file itself is gone
    status = _status(copy)
    assert status["prepare"][0]["changed deps"]["whole.yaml"] == "deleted"
    assert _ours(copy)[0] == status


def test_a_dvc_lock_that_disagrees_with_dvc_yaml_is_a_warning_per_stage_with_its_line(
    repo: Path, tmp_path: Path
) -> None:
    spec = (repo / "dvc.yaml").read_text()
    spec = spec.replace("- split.py\n", "- split.py\n    - data/more.csv\n")
    spec = spec[: spec.index("  train:")] + "  report:\n    cmd: echo done\n"
    (tmp_path / "dvc.yaml").write_text(spec)
    lock = (repo / "dvc.lock").read_text()
    (tmp_path / "dvc.lock").write_text(lock)
    jobs, warnings = _read(tmp_path)
    lines = lock.splitlines()
    split_line = lines.index("  split:") + 1
    train_line = lines.index("  train:") + 1
    report_line = spec.splitlines().index("  report:") + 1
    assert warnings == [
        f"dvc.lock:{split_line}: stage 'split': deps differ from dvc.yaml (only in dvc.yaml: "
        "data/more.csv); the lock is from an earlier version of the stage. Fix: run `dvc repro` "
        "(or `dvc commit`) so that dvc.lock matches dvc.yaml",
        f"dvc.lock:{train_line}: stage 'train' is in dvc.lock but not in dvc.yaml (removed from "
        "the pipeline?); shown as it last ran. Fix: run `dvc repro` (or `dvc commit`) so that "
        "dvc.lock matches dvc.yaml",
        f"dvc.yaml:{report_line}: stage 'report' is not in dvc.lock: it has not run, so its deps "
        "and outs have no hashes. Fix: run `dvc repro`",
    ]
    assert {j.name for j in jobs} == {"prepare", "split", "train", "report"}


def test_a_broken_dvc_lock_is_a_warning_not_a_crash(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text((repo / "dvc.yaml").read_text())
    (tmp_path / "dvc.lock").write_text("schema: '2.0'\nstages: [unclosed\n")
    jobs, warnings = _read(tmp_path)
    assert {j.name for j in jobs} == {"prepare", "split", "train"}  # known from dvc.yaml
    assert warnings[0].startswith("dvc.lock: cannot be read as YAML")


@pytest.mark.parametrize(
    "text", ["stages:\n  a:\n    cmd: x\n    cmd: y\n", "stages:\n  a:\n    cmd: 2026-02-30\n"]
)
def test_a_key_twice_or_an_impossible_date_in_dvc_yaml_is_a_warning(
    tmp_path: Path, text: str
) -> None:
    """An impossible date raised a bare ValueError out of the YAML reader: a crash."""
    (tmp_path / "dvc.yaml").write_text(text)
    jobs, warnings = _read(tmp_path)
    assert jobs == []
    assert len(warnings) == 1 and warnings[0].startswith("dvc.yaml: cannot be read as YAML (line ")


def test_the_default_remote_of_dvc_config_is_shown_for_tracked_files(
    repo: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(repo, copy, symlinks=True)
    run(copy, "dvc", "remote", "add", "-d", "storage", str(tmp_path / "remote"))
    jobs, warnings = _read(copy)
    assert warnings == []
    [raw] = next(j for j in jobs if j.name == "data/raw.csv.dvc").outputs
    assert ("DVC remote", f"storage: {tmp_path / 'remote'}") in raw.about


@pytest.mark.parametrize(
    "text", ["outs: [unclosed\n", "- a list\n", "outs: not-a-list\n", "outs:\n- size: 3\n"]
)
def test_a_broken_dvc_file_is_a_warning_or_nothing_never_a_crash(tmp_path: Path, text: str) -> None:
    (tmp_path / "data.csv.dvc").write_text(text)
    jobs, warnings = _read(tmp_path)
    assert all(not j.outputs for j in jobs)
    if text.startswith(("outs: [", "- ")):
        assert len(warnings) == 1 and warnings[0].startswith("data.csv.dvc: ")


LOCKED_PARAMS = """schema: '2.0'
stages:
  train:
    cmd: python train.py
    params:
      params.toml:
        a.b: 1
"""


@pytest.mark.parametrize("kind", ["nested too deep", "outside the records", "not TOML"])
def test_a_params_file_that_cannot_be_read_is_a_warning_and_counts_as_gone(
    tmp_path: Path, kind: str
) -> None:
    root = tmp_path / "records"
    root.mkdir()
    (root / "dvc.yaml").write_text("stages:\n  train:\n    cmd: python train.py\n"
                                   "    params:\n    - params.toml:\n      - a.b\n")  # fmt: skip
    (root / "dvc.lock").write_text(LOCKED_PARAMS)
    params = root / "params.toml"
    if kind == "nested too deep":
        params.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    elif kind == "outside the records":
        (tmp_path / "secret.toml").write_text("[a]\nb = 1\n")
        params.symlink_to(tmp_path / "secret.toml")
    else:
        params.write_text("[a\n")
    jobs, warnings = _read(root)
    assert len(warnings) == 1 and "params.toml" in warnings[0], warnings
    [train] = jobs
    assert train.now is not None and train.now.params == (("params.toml", "", '{"a.b": 1}', None),)


def test_a_toml_metrics_file_is_read_for_its_values(tmp_path: Path) -> None:
    (tmp_path / "dvc.yaml").write_text("stages:\n  train:\n    cmd: python train.py\n"
                                       "    metrics:\n    - scores.toml\n")  # fmt: skip
    (tmp_path / "scores.toml").write_text("auc = 0.91\n[test]\nrows = 120\n")
    jobs, warnings = _read(tmp_path)
    assert warnings == []
    [train] = jobs
    assert dict(train.metrics) == {"scores.toml: auc": "0.91", "scores.toml: test.rows": "120"}


def test_files_with_the_same_bytes_at_two_paths_are_two_data_sets(tmp_path: Path) -> None:
    # report.txt is a copy of data/in.txt; the four metrics of train@us/eu read as equal too
    graph = _graph(write_templated(tmp_path))
    by_uri = {r.uri: d.id for d in graph.datasets.values() for r in d.refs}
    paths = ["data/in.txt", "report.txt", "metrics/us.json", "metrics/eu.json"]
    assert len({by_uri[p] for p in paths}) == 4
    assert graph.cycles == []  # a copy read back is no cycle
    report = next(k for k, j in graph.jobs.items() if j.name == "report")
    assert graph.down[report] == [by_uri["report.txt"]]
    assert graph.up[by_uri["metrics/eu.json"]] == [
        next(k for k, j in graph.jobs.items() if j.name == "train@eu")]  # fmt: skip


def test_templated_paths_are_read_as_dvc_lock_resolved_them(tmp_path: Path) -> None:
    jobs, warnings = _read(write_templated(tmp_path))
    assert warnings == []
    files = {j.name: ({r.uri for r in j.inputs}, {r.uri for r in j.outputs}) for j in jobs}
    assert files["report"] == ({"data/in.txt"}, {"report.txt"})  # not ${data_dir}/in.txt too
    assert files["train@us"] == ({"data/in.txt"}, {"metrics/us.json"})
    assert files["evaluate@eu"] == ({"metrics/eu.json"}, {"eval/eu.json"})
    graph = _graph(tmp_path)
    assert not [d.key for d in graph.datasets.values() if "${" in d.key]


def test_metrics_of_foreach_and_matrix_stages_are_read_for_each_item(tmp_path: Path) -> None:
    write_templated(tmp_path)
    # the matrix stage's files as metrics: dvc.lock locks metrics as outs all the same
    spec = tmp_path / "dvc.yaml"
    spec.write_text(spec.read_text().replace("outs:\n      - eval/", "metrics:\n      - eval/"))
    jobs, warnings = _read(tmp_path)
    assert warnings == []
    metrics = {j.name: dict(j.metrics) for j in jobs}
    assert metrics["train@us"] == {"metrics/us.json: accuracy": "0.8"}
    assert metrics["train@eu"] == {"metrics/eu.json: accuracy": "0.8"}
    assert metrics["evaluate@eu"] == {"eval/eu.json: f1": "0.5", "eval/eu.json: r": "eu"}
    assert metrics["make"] == {}


FOREACH_YAML = """\
stages:
  train:
    foreach: ${regions}
    do:
      cmd: mkdir -p m && echo 1 > m/${item}.json
      params:
        - lr
      metrics:
        - m/${item}.json:
            cache: false
"""
FOREACH_LOCK = """\
schema: '2.0'
stages:
  train@us:
    cmd: mkdir -p m && echo 1 > m/us.json
    params:
      params.yaml:
        lr: 0.1
    outs:
    - path: m/us.json
      hash: md5
      md5: b026324c6904b2a9cb4b88d6d61c81d1
      size: 2
  train@eu:
    cmd: mkdir -p m && echo 1 > m/eu.json
    params:
      params.yaml:
        lr: 0.1
    outs:
    - path: m/eu.json
      hash: md5
      md5: b026324c6904b2a9cb4b88d6d61c81d1
      size: 2
"""


def test_a_foreach_stage_s_own_parameters_are_compared_as_dvc_status_does(tmp_path: Path) -> None:
    # `dvc status` after lr changed: train@us and train@eu, "changed deps: params.yaml: lr"
    (tmp_path / "m").mkdir()
    for name, text in (("dvc.yaml", FOREACH_YAML), ("dvc.lock", FOREACH_LOCK),
                       ("params.yaml", "regions: [us, eu]\nlr: 0.2\n"),
                       ("m/us.json", "1\n"), ("m/eu.json", "1\n")):  # fmt: skip
        (tmp_path / name).write_text(text)
    assert sorted(stale_warnings(_graph(tmp_path))) == [
        f"dvc.lock: stage train@{region} is stale: changed params: params.yaml: lr (modified)"
        for region in ("eu", "us")
    ]
