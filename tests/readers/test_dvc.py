"""DVC pipelines made by the real ``dvc`` (init, stage add, repro), read back."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardpress.model_lineage import Job
from cardpress.readers.lineage.dvc.pipeline import read_dvc
from cardpress.readers.lineage.paths import locate

pytest.importorskip("dvc", reason="dvc is not installed (pip install -e '.[test]')")

PREPARE = """
import json, sys
rows = open("data/raw.csv").read().splitlines()
kept = [r for r in rows[1:] if int(r.split(",")[0]) >= 18]
open("data/prepared.csv", "w").write("\\n".join([rows[0], *kept]) + "\\n")
json.dump({"rows": len(kept), "dropped": len(rows) - 1 - len(kept)}, open("metrics.json", "w"))
"""


def _dvc(repo: Path, *args: str) -> None:
    command = [str(Path(sys.executable).parent / "dvc"), *args]
    env = {**os.environ, "DVC_NO_ANALYTICS": "1", "DVC_SITE_CACHE_DIR": str(repo / ".dvc-site")}
    subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DVC repository with one stage, reproduced by dvc itself."""
    root = tmp_path_factory.mktemp("dvc-repo")
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("age,sex\n30,F\n12,M\n45,M\n")
    (root / "prepare.py").write_text(PREPARE)
    (root / "params.yaml").write_text("min_age: 18\n")
    _dvc(root, "init", "--no-scm")
    _dvc(root, "stage", "add", "-n", "prepare", "-d", "data/raw.csv", "-d", "prepare.py",
         "-p", "min_age", "-o", "data/prepared.csv", "-M", "metrics.json",
         f"{sys.executable} prepare.py")  # fmt: skip
    _dvc(root, "repro")
    return root


def _read(root: Path) -> tuple[list[Job], list[str]]:
    warnings: list[str] = []
    jobs = read_dvc(root, root, lambda base, uri: locate(root, base, uri, False), warnings)
    return list(jobs), warnings


def test_a_reproduced_stage_gives_command_deps_outs_with_md5_params_and_metrics(
    repo: Path,
) -> None:
    [stage], warnings = _read(repo)
    assert warnings == []
    assert stage.name == "prepare" and stage.origin == "DVC"
    assert stage.command is not None and stage.command.endswith("prepare.py")
    assert sorted(r.uri for r in stage.inputs) == ["data/raw.csv", "prepare.py"]
    raw = next(r for r in stage.inputs if r.uri == "data/raw.csv")
    md5 = hashlib.md5((repo / "data" / "raw.csv").read_bytes()).hexdigest()
    assert ("md5", md5) in raw.digests
    assert raw.size == (repo / "data" / "raw.csv").stat().st_size
    assert {r.uri for r in stage.outputs} == {"data/prepared.csv", "metrics.json"}
    assert stage.params == (("min_age", "18"),)
    assert dict(stage.metrics) == {"metrics.json: dropped": "1", "metrics.json: rows": "2"}


def test_a_broken_dvc_lock_is_a_warning_not_a_crash(repo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "dvc.yaml").write_text((repo / "dvc.yaml").read_text())
    (copy / "dvc.lock").write_text("schema: '2.0'\nstages: [unclosed\n")
    [stage], warnings = _read(copy)
    assert stage.name == "prepare" and stage.inputs  # still known from dvc.yaml
    assert warnings[0].startswith("dvc.lock: cannot be read as YAML")
