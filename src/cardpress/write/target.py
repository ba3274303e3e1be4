"""Which output folder a build may replace: never a file, the records, or a stranger's folder."""

from __future__ import annotations

from pathlib import Path

from cardpress.errors import BuildError
from cardpress.write.manifest import is_cardpress_site


def check_target(out: Path, force: bool, records: Path | None = None) -> None:
    """Refuse an output that is a file, or a folder with files that cardpress did not write.

    The records folder, a folder that holds it, and a folder of files inside it are refused
    even with ``force``: the site replaces the output's contents, so that would delete the
    records the build reads (``-o . --force`` run beside them did).

    Raises:
        BuildError: with the fix (another folder, or ``--force``).
    """
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: is a file, not a folder — choose another output folder with -o")
    if records is not None:
        _check_apart(out, records)
    filled = out.exists() and any(out.iterdir()) and not is_cardpress_site(out)
    inside = records is not None and out.resolve().is_relative_to(records.resolve())
    if filled and inside:
        raise BuildError(
            f"{out}: is a folder of the records ({records}) that is not a cardpress site; "
            "--force does not replace part of the records — choose an empty or new output "
            "folder with -o (e.g. -o site)"
        )
    if force or not filled:
        return
    raise BuildError(
        f"{out}: is not empty and is not a cardpress site — choose another output folder "
        "with -o, or pass --force to replace its contents"
    )


def _check_apart(out: Path, records: Path) -> None:
    """Refuse an output that is the records folder or holds it (even with ``--force``)."""
    top, folder = out.resolve(), records.resolve()
    if top == folder or top in folder.parents:
        what = "is the records folder" if top == folder else f"holds the records folder {records}"
        raise BuildError(
            f"{out}: {what}; the site replaces the output folder's contents, records included "
            "— choose an output folder outside the records (e.g. -o site)"
        )
