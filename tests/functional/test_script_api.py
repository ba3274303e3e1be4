"""The Python API works in a plain script: no ``if __name__ == "__main__":`` guard needed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE

SCRIPT = """\
from pathlib import Path

import cardpress

# Counts how often this file runs: a worker that re-imported it would run it again.
with Path("runs.log").open("a") as log:
    log.write("ran\\n")
result = cardpress.build("audit", "site")
print("built", result.versions)
"""


def test_build_at_the_top_level_of_a_script(tmp_path: Path) -> None:
    """The example has enough charts to render them over worker processes."""
    shutil.copytree(EXAMPLE, tmp_path / "audit")
    (tmp_path / "train.py").write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "train.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("built ")
    assert (tmp_path / "runs.log").read_text(encoding="utf-8") == "ran\n"
    assert (tmp_path / "site" / "index.html").is_file()
