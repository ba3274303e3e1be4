"""A DVC repository made by the real ``dvc``: ``dvc add``, ``dvc import``, ``dvc repro``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PREPARE = """
import json, sys
rows = open("data/raw.csv").read().splitlines()
kept = [r for r in rows[1:] if int(r.split(",")[0]) >= 18]
open("data/prepared.csv", "w").write("\\n".join([rows[0], *kept]) + "\\n")
json.dump({"rows": len(kept), "dropped": len(rows) - 1 - len(kept)}, open("metrics.json", "w"))
"""
SPLIT = """
rows = open("data/prepared.csv").read().splitlines()
extra = open("data/extra.csv").read().splitlines()[1:]
open("data/train.csv", "w").write("\\n".join([rows[0], *rows[1::2], *extra]) + "\\n")
open("data/test.csv", "w").write("\\n".join([rows[0], *rows[2::2]]) + "\\n")
"""
TRAIN = """
import json
rows = open("data/train.csv").read().splitlines()[1:]
open("model.txt", "w").write(str(sum(int(r.split(",")[0]) for r in rows) / len(rows)))
json.dump({"train_rows": len(rows)}, open("scores.json", "w"))
"""


ENV = {"DVC_NO_ANALYTICS": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip


def run(repo: Path, *args: str) -> str:
    """A git or dvc command in ``repo``, as its own process; its standard output."""
    env = {**os.environ, **ENV, "DVC_SITE_CACHE_DIR": str(repo / ".dvc-site")}
    command = [str(Path(sys.executable).parent / args[0]) if args[0] == "dvc" else args[0],
               *args[1:]]  # fmt: skip
    done = subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def _make(repo: Path, *args: str) -> None:
    """A command that makes the repository: dvc in this process, git as its own.

    dvc's own CLI entry point, not a new dvc process: starting dvc costs about a second, and a
    repository takes ten commands. What dvc prints is not needed here.
    """
    if args[0] != "dvc":
        run(repo, *args)
        return
    from dvc.cli import main

    env = {**ENV, "DVC_SITE_CACHE_DIR": str(repo / ".dvc-site")}
    saved = {key: os.environ.get(key) for key in env}
    here = Path.cwd()
    try:
        os.environ.update(env)
        os.chdir(repo)
        code = main(list(args[1:]))
    finally:
        os.chdir(here)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if code != 0:
        raise subprocess.CalledProcessError(code, list(args))


def make_repo(base: Path) -> Path:
    """A git+DVC repository in ``base/project``: raw data added, a file imported from another
    local repository (``base/registry``, offline), and a three-stage pipeline (prepare, split,
    train) reproduced by dvc itself."""
    other = base / "registry"
    (other / "data").mkdir(parents=True)
    (other / "data" / "extra.csv").write_text("age,sex\n52,F\n")
    for args in (("git", "init", "-q"), ("dvc", "init", "-q"), ("dvc", "add", "data/extra.csv"),
                 ("git", "add", "-A"), ("git", "commit", "-qm", "data")):  # fmt: skip
        _make(other, *args)
    root = base / "project"
    (root / "data").mkdir(parents=True)
    (root / "data" / "raw.csv").write_text("age,sex\n30,F\n12,M\n45,M\n61,F\n")
    for name, text in (("prepare.py", PREPARE), ("split.py", SPLIT), ("train.py", TRAIN)):
        (root / name).write_text(text)
    (root / "params.yaml").write_text("min_age: 18\n")
    python = sys.executable
    for args in (
        ("git", "init", "-q"), ("dvc", "init", "-q"), ("dvc", "add", "data/raw.csv"),
        ("dvc", "import", str(other), "data/extra.csv", "-o", "data/extra.csv"),
        ("dvc", "stage", "add", "-n", "prepare", "-d", "data/raw.csv", "-d", "prepare.py",
         "-p", "min_age", "-o", "data/prepared.csv", "-M", "metrics.json",
         f"{python} prepare.py"),
        ("dvc", "stage", "add", "-n", "split", "-d", "data/prepared.csv", "-d", "data/extra.csv",
         "-d", "split.py", "-o", "data/train.csv", "-o", "data/test.csv", f"{python} split.py"),
        ("dvc", "stage", "add", "-n", "train", "-d", "data/train.csv", "-d", "train.py",
         "-o", "model.txt", "-M", "scores.json", f"{python} train.py"),
        ("dvc", "repro", "-q"),
    ):  # fmt: skip
        _make(root, *args)
    return root
