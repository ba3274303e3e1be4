"""Deleting a superseded site: every file and folder, over threads, and never through a link."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardpress.write import swap


def _tree(root: Path, models: int) -> None:
    for m in range(models):
        for v in range(3):
            folder = root / "models" / f"m{m}" / "v" / str(v) / "fairness"
            folder.mkdir(parents=True)
            (folder / "index.html").write_text("x")
            (folder.parent / "index.html").write_text("y")
    (root / "index.html").write_text("home")


@pytest.mark.parametrize("models", [1, 40])  # one subtree (no threads), and many
def test_a_folder_is_deleted_whole_and_links_are_not_followed(tmp_path: Path, models: int) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "page.html").write_text("not the site's")
    site = tmp_path / "site"
    _tree(site, models)
    (site / "models" / "m0" / "link").symlink_to(kept, target_is_directory=True)
    swap.remove(site)
    assert not site.exists()
    assert (kept / "page.html").read_text() == "not the site's"


def test_a_folder_that_cannot_be_deleted_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _tree(site, 40)
    real = swap.shutil.rmtree

    def refuse(path: Path, *args: object, **kwargs: object) -> None:
        if Path(path).name == "m7":
            raise PermissionError(13, "Permission denied", str(path))
        real(path)

    monkeypatch.setattr(swap.shutil, "rmtree", refuse)
    with pytest.raises(PermissionError):
        swap.remove(site)
