"""The theme's static files (``assets/``), the project's own overriding the default's."""

from __future__ import annotations

from pathlib import Path

from cardpress.render.env import contained_file
from cardpress.render.plans import RenderedFile


def asset_files(folders: list[Path], bounds: tuple[Path, ...] = ()) -> list[RenderedFile]:
    """Files under ``assets/`` of each theme folder; the first folder wins on a name clash.

    Each file is read resolved, and only if it lies inside its theme folder or ``bounds`` (the
    records folder and the allowed roots, resolved).

    Raises:
        BuildError: a file resolves elsewhere (a symlink out of the records folder).
    """
    chosen: dict[str, Path] = {}
    for folder in reversed(folders):
        assets = folder / "assets"
        if assets.is_dir():
            for path in assets.rglob("*"):
                real = contained_file(folder, path, bounds)
                if real.is_file():
                    chosen[path.relative_to(folder).as_posix()] = real
    return [RenderedFile(name, chosen[name].read_bytes()) for name in sorted(chosen)]
