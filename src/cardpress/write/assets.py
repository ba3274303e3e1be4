"""The theme's static files (``assets/``), the project's own overriding the default's."""

from __future__ import annotations

from pathlib import Path

from cardpress.render.pages import RenderedFile


def asset_files(folders: list[Path]) -> list[RenderedFile]:
    """Files under ``assets/`` of each theme folder; the first folder wins on a name clash."""
    chosen: dict[str, Path] = {}
    for folder in reversed(folders):
        assets = folder / "assets"
        if assets.is_dir():
            for path in assets.rglob("*"):
                if path.is_file():
                    chosen[path.relative_to(folder).as_posix()] = path
    return [RenderedFile(name, chosen[name].read_bytes()) for name in sorted(chosen)]
