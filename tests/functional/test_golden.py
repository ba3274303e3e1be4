"""The minimal project builds to exactly the committed golden site.

After an intended change, regenerate with ``CARDPRESS_UPDATE_GOLDEN=1 pytest tests/functional``
and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import cardpress

GOLDEN = Path(__file__).parents[1] / "golden" / "minimal"
EPOCH = 1767225600  # 2026-01-01T00:00:00Z


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _lines(content: bytes) -> list[str]:
    # One tag per line, so a change inside a long inline SVG shows as the tag that changed.
    return content.decode().replace("><", ">\n<").splitlines()


def _readable_diff(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    report = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            report.append(f"missing from build: {name}")
        elif name not in expected:
            report.append(f"not in golden: {name}")
        elif expected[name] != actual[name]:
            diff = difflib.unified_diff(
                _lines(expected[name]), _lines(actual[name]),
                f"golden/{name}", f"built/{name}", lineterm="", n=2,
            )  # fmt: skip
            report.append("\n".join(list(diff)[:60]))
    return "\n".join(report)


def test_minimal_project_matches_golden_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    cardpress.build(
        Path(__file__).parents[1] / "projects" / "minimal", out, source_date_epoch=EPOCH
    )
    if os.environ.get("CARDPRESS_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    differences = _readable_diff(_tree(GOLDEN), _tree(out))
    assert not differences, "built site differs from tests/golden/minimal:\n" + differences
