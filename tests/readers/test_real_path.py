"""real_path: Path.resolve with each folder resolved once while a read keeps them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cardpress.readers.files import contained, folders_resolved_once, real_path


def _tree(tmp_path: Path) -> Path:
    records = tmp_path / "audit"
    (records / "runs" / "deep").mkdir(parents=True)
    (records / "runs" / "a.json").write_text("{}")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.json").write_text("{}")
    (records / "runs" / "out.json").symlink_to(tmp_path / "outside" / "secret.json")
    (records / "runs" / "chain.json").symlink_to(records / "runs" / "out.json")
    (records / "runs" / "to-deep").symlink_to(records / "runs" / "deep")
    (records / "runs" / "out-folder").symlink_to(tmp_path / "outside")
    (records / "runs" / "loop").symlink_to(records / "runs" / "loop")
    return records


NAMES = [
    "runs/a.json", "runs/out.json", "runs/chain.json", "runs/to-deep", "runs/to-deep/x.json",
    "runs/out-folder/secret.json", "runs/missing.json", "runs/missing/x.json", "runs/loop",
    "runs/deep/../a.json", "runs/to-deep/../a.json", "runs/..", "..", ".", "runs/" + "y" * 300,
]  # fmt: skip


def _resolve(path: Path) -> object:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as error:
        return type(error)


def _real(path: Path) -> object:
    try:
        return real_path(path)
    except (OSError, RuntimeError, ValueError) as error:
        return type(error)


@pytest.mark.parametrize("relative", [False, True])
def test_the_same_answers_as_resolve(tmp_path: Path, relative: bool) -> None:
    records = _tree(tmp_path)
    base = Path(os.path.relpath(records)) if relative else records
    with folders_resolved_once():
        for _ in range(2):  # the second time from the kept folders
            for name in NAMES:
                assert _real(base / name) == _resolve(base / name), name
    assert _real(base / "runs\0x") == _resolve(base / "runs\0x")


def test_a_link_made_after_its_folder_was_kept_is_still_followed(tmp_path: Path) -> None:
    """Folders are kept; a file's own link is looked at every time: it cannot lead out unseen."""
    records = _tree(tmp_path)
    with folders_resolved_once():
        assert contained(records, records / "runs" / "a.json") is not None
        (records / "runs" / "b.json").symlink_to(tmp_path / "outside" / "secret.json")
        assert contained(records, records / "runs" / "b.json") is None
        assert contained(records, records / "runs" / "chain.json") is None
