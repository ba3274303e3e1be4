"""kill -9 at each step of publication: the next build or verify restores or refuses, never loses.

Each case runs a real build in a child process that SIGKILLs itself right after one chosen step
(staging written; the atomic exchange; each of the three renames of the fallback swap; half-way
through deleting the superseded copy's files). Then, whatever the moment:

- the live site is either the previous site or the new one, byte for byte, or it is missing with
  the previous site parked beside it, which ``verify`` names and the next build puts back;
- the next build of a changed published record without ``--republish`` is refused;
- ``verify`` passes, and after the next build that publishes nothing is left beside the site
  but the empty folders it keeps for the build after it (no file, no parked site).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

EPOCH = "1767225600"

# What the child does before its build: patch the step to kill the process right after it.
CHILD = r"""
import os, signal, sys
from pathlib import Path
import cardpress
from cardpress.write import folders, site, swap

step, records, out = sys.argv[1], sys.argv[2], str(Path(sys.argv[3]).absolute())

def die():
    os.kill(os.getpid(), signal.SIGKILL)

real_swap, real_exchange, real_replace, real_empty = (
    site.swap_into_place, swap.exchange, os.replace, folders.empty)
renames = []

def after_staging(staging, out):
    die()

def exchange_then_die(first, second):
    assert real_exchange(first, second), "this file system cannot exchange: the case is moot"
    die()

def no_exchange(first, second):
    return False

def replace_counting(source, target):
    real_replace(source, target)
    swapped = (Path(out), swap.old_path(Path(out)), swap.staging_path(Path(out)))
    if Path(target) in swapped:  # the swap's, not a cache's
        renames.append(target)
        if step == f"rename-{len(renames)}":
            die()

def empty_half(path):
    files = sorted(p for p in Path(path).rglob("*") if p.is_file())
    for file in files[: len(files) // 2]:
        file.unlink()
    die()

if step == "staged":
    site.swap_into_place = after_staging
elif step == "exchanged":
    swap.exchange = exchange_then_die
elif step.startswith("rename-"):
    swap.exchange = no_exchange
    swap.os.replace = replace_counting
elif step == "discarding":
    folders.empty = empty_half
elif step == "discarding-fallback":
    swap.exchange = no_exchange
    folders.empty = empty_half
cardpress.build(records, out)
"""

STEPS = ["staged", "exchanged", "rename-1", "rename-2", "rename-3", "discarding",
         "discarding-fallback"]  # fmt: skip


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _published_elsewhere(records: Path, out: Path, elsewhere: Path) -> dict[str, bytes]:
    """The site the killed build was writing: the same build over a copy of the same site."""
    import cardpress

    elsewhere.mkdir()
    shutil.copytree(out, elsewhere / "site")
    cardpress.build(records, elsewhere / "site")
    return _snapshot(elsewhere / "site")


def _add_version(records: Path, version: str) -> None:
    run = json.loads((records / "runs" / "churn-10.json").read_text())
    run["model"]["version"], run["run_id"] = version, f"run-{version}"
    (records / "runs" / f"churn-{version}.json").write_text(json.dumps(run))


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_each_step_of_publication_loses_nothing(
    step: str,
    project: Callable[[str], Path],
    tmp_path: Path,
    run_cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    records, out = project("minimal"), tmp_path / "site"
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    old = _snapshot(out)
    _add_version(records, "11")
    new = _published_elsewhere(records, out, tmp_path / "elsewhere")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, step, str(records), str(out)],
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
    )
    assert child.returncode == -9, child.stderr  # killed at the step, not failed before it

    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".cardpress-"))
    assert leftovers, "a kill mid-publication leaves its working folder behind"
    if out.exists():
        assert _snapshot(out) in (old, new), "a half-written live site"
        assert run_cli("verify", str(out)).exit_code == 0
    else:  # between the two renames: verify names where the previous site is
        result = run_cli("verify", str(out))
        assert result.exit_code == 1
        assert "an interrupted build left the previous site at" in result.output

    # A published version's record changes: the next build must refuse, not republish it.
    run = records / "runs" / "churn-1.json"
    recorded = run.read_text()
    run.write_text(recorded.replace('"value": 0.6666666666666666', '"value": 0.7'))
    result = run_cli("build", str(records), "-o", str(out))
    assert result.exit_code == 1
    assert "churn version 1 is already published and its record changed" in result.output
    assert (out / "index.html").is_file(), "the next build restores the previous site first"
    assert _snapshot(out) in (old, new)
    assert run_cli("verify", str(out)).exit_code == 0
    run.write_text(recorded)
    assert run_cli("build", str(records), "-o", str(out)).exit_code == 0
    assert _snapshot(out) == new
    beside = [p for p in tmp_path.iterdir() if p.name.startswith(".cardpress-")]
    assert [p.name for p in beside] in ([], [".cardpress-staging-site"])
    assert [p for folder in beside for p in folder.rglob("*") if not p.is_dir()] == []
