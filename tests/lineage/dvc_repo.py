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


# A pipeline with templated paths (``vars``, ``${…}``), a ``foreach`` and a ``matrix`` stage,
# as written for `dvc repro` and as DVC 3 locked it (from a real run; files byte for byte).
TEMPLATED_YAML = """\
vars:
  - params.yaml
stages:
  make:
    cmd: mkdir -p data && echo 'x' > data/in.txt
    outs:
      - data/in.txt
  train:                       # foreach stage with a metrics file per item
    foreach: ${regions}
    do:
      cmd: mkdir -p metrics && printf '{"accuracy"%s 0.8}' ':' > metrics/${item}.json
      deps:
        - ${data_dir}/in.txt
      metrics:
        - metrics/${item}.json:
            cache: false
  evaluate:                    # matrix stage
    matrix:
      region: ${regions}
    cmd: mkdir -p eval && printf '{"f1"%s 0.5, "r"%s "%s"}' ':' ':' ${item.region} > eval/${item.region}.json
    deps:
      - metrics/${item.region}.json
    outs:
      - eval/${item.region}.json:
          cache: false
  report:                      # plain stage with an interpolated dep path
    cmd: cat ${data_dir}/in.txt > report.txt
    deps:
      - ${data_dir}/in.txt
    outs:
      - report.txt
"""  # noqa: E501 (DVC's own long line)
TEMPLATED_LOCK = """\
schema: '2.0'
stages:
  make:
    cmd: mkdir -p data && echo 'x' > data/in.txt
    outs:
    - path: data/in.txt
      hash: md5
      md5: 401b30e3b8b5d629635a5c613cdb7919
      size: 2
  train@us:
    cmd: mkdir -p metrics && printf '{"accuracy"%s 0.8}' ':' > metrics/us.json
    deps:
    - path: data/in.txt
      hash: md5
      md5: 401b30e3b8b5d629635a5c613cdb7919
      size: 2
    outs:
    - path: metrics/us.json
      hash: md5
      md5: c6fdd61fca21a1d86aa9370e9072e75e
      size: 17
  train@eu:
    cmd: mkdir -p metrics && printf '{"accuracy"%s 0.8}' ':' > metrics/eu.json
    deps:
    - path: data/in.txt
      hash: md5
      md5: 401b30e3b8b5d629635a5c613cdb7919
      size: 2
    outs:
    - path: metrics/eu.json
      hash: md5
      md5: c6fdd61fca21a1d86aa9370e9072e75e
      size: 17
  evaluate@us:
    cmd: mkdir -p eval && printf '{"f1"%s 0.5, "r"%s "%s"}' ':' ':' us > 
      eval/us.json
    deps:
    - path: metrics/us.json
      hash: md5
      md5: c6fdd61fca21a1d86aa9370e9072e75e
      size: 17
    outs:
    - path: eval/us.json
      hash: md5
      md5: 04c99c9efe7282361b6d3a051685e15d
      size: 22
  evaluate@eu:
    cmd: mkdir -p eval && printf '{"f1"%s 0.5, "r"%s "%s"}' ':' ':' eu > 
      eval/eu.json
    deps:
    - path: metrics/eu.json
      hash: md5
      md5: c6fdd61fca21a1d86aa9370e9072e75e
      size: 17
    outs:
    - path: eval/eu.json
      hash: md5
      md5: 2cf2411fb2a04202ef7d72d3fe1272ff
      size: 22
  report:
    cmd: cat data/in.txt > report.txt
    deps:
    - path: data/in.txt
      hash: md5
      md5: 401b30e3b8b5d629635a5c613cdb7919
      size: 2
    outs:
    - path: report.txt
      hash: md5
      md5: 401b30e3b8b5d629635a5c613cdb7919
      size: 2
"""  # noqa: W291 (DVC folds a long command after a space)
TEMPLATED_FILES = {
    "params.yaml": "regions: [us, eu]\ndata_dir: data\n",
    "data/in.txt": "x\n",
    "report.txt": "x\n",  # the same bytes as data/in.txt: another file all the same
    "metrics/us.json": '{"accuracy": 0.8}',
    "metrics/eu.json": '{"accuracy": 0.8}',
    "eval/us.json": '{"f1": 0.5, "r": "us"}',
    "eval/eu.json": '{"f1": 0.5, "r": "eu"}',
}


def write_templated(root: Path) -> Path:
    """The templated pipeline in ``root`` after `dvc repro`: dvc.yaml, dvc.lock and its files."""
    for name, text in {"dvc.yaml": TEMPLATED_YAML, "dvc.lock": TEMPLATED_LOCK,
                       **TEMPLATED_FILES}.items():  # fmt: skip
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root
