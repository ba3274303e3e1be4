"""The wheel carries the default theme, the schemas and the chart templates a build reads."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_contains_templates_and_schemas(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("cardpress-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "cardpress/templates/base.html",
        "cardpress/templates/card.html",
        "cardpress/templates/assets/style.css",
        "cardpress/schemas/run-1.json",
        "cardpress/schemas/card-1.json",
        "cardpress/schemas/config-1.json",
        "cardpress/render/chart_templates.json",  # charts without importing Altair
    }
    assert expected <= names
    assert not [n for n in names if n.startswith(("tests/", "examples/"))]
