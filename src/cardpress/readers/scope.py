"""Files the build reads after the records are read, checked to lie inside the records folder.

Templates, the check policy and lineage sources are read while the site is built, not by
:func:`cardpress.readers.records.read_records`; they are checked there too, so ``validate``
reports a link out of the records folder exactly as ``build`` does (their readers refuse it
again when they open the file).
"""

from __future__ import annotations

import os
from pathlib import Path

from cardpress.errors import Problem
from cardpress.model import SiteConfig
from cardpress.readers.files import Allowed, allowed, contained, files_under, outside_problem

LINEAGE_SUFFIXES = (".json", ".jsonl")
DVC_FILES = ("dvc.yaml", "dvc.lock")


def outside_problems(root: Path, config: SiteConfig) -> list[Problem]:
    """A problem for each template, policy or lineage file that resolves outside."""
    allow = allowed(config)
    problems: list[Problem] = []
    files_under(root, root / "templates", problems, lambda path: True, allow)
    _single(root, root / "policy.toml", allow, problems)
    events = os.path.normpath(config.lineage.openlineage)
    if not _escapes(events):  # else cardpress.toml names the problem, with its line
        keep = lambda p: p.suffix in LINEAGE_SUFFIXES  # noqa: E731
        files_under(root, root / events, problems, keep, allow)
    for folder in config.lineage.dvc:
        if contained(root, root / folder, allow) is not None and (root / folder).is_dir():
            for name in DVC_FILES:
                _single(root, root / folder / name, allow, problems)
    return problems


def _single(root: Path, path: Path, allow: Allowed, problems: list[Problem]) -> None:
    if os.path.lexists(path) and contained(root, path, allow) is None:
        problems.append(outside_problem(root, path))


def _escapes(name: str) -> bool:
    """A normalised config path that leaves the records folder by its text (``/x``, ``../x``)."""
    return os.path.isabs(name) or name == ".." or name.startswith("../")
