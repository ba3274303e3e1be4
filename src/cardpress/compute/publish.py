"""Which versions a build may write, given what is already published.

Published versions are immutable: a version whose own inputs (run record and predictions file)
are unchanged keeps its published pages byte for byte; a changed one stops the build unless the
user republishes it with a reason. Changes to shared inputs (card.md, config, theme, cardpress
itself) apply to new versions only, so publishing v3 never rewrites v1's pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cardpress.compute.site import Site


@dataclass(frozen=True)
class PublishedVersion:
    """What the manifest of the existing site says about one version."""

    model: str
    version: str
    inputs_digest: str
    published_at: str
    files: tuple[str, ...]
    record_digest: str = ""


@dataclass(frozen=True)
class Publication:
    """The decision for every version of this build."""

    new: tuple[tuple[str, str], ...]
    frozen: tuple[PublishedVersion, ...]
    republished: tuple[tuple[str, str], ...]
    conflicts: tuple[tuple[str, str], ...]
    missing: tuple[PublishedVersion, ...]
    unknown_republish: tuple[str, ...]

    def renders(self, model: str, version: str) -> bool:
        """True if this build writes the version's pages (new or republished)."""
        return (model, version) in self.new or (model, version) in self.republished


def plan_publication(
    site: Site, published: dict[tuple[str, str], PublishedVersion], republish: frozenset[str]
) -> Publication:
    """Sort every version into new, frozen, republished or conflicting.

    ``republish`` holds ``MODEL@VERSION`` strings. A published version whose record is gone is
    ``missing``: the build refuses, because nothing already published may be lost.
    """
    new, republished, conflicts = [], [], []
    frozen = []
    current = set()
    for model in site.models:
        for entry in model.versions:
            key = (model.name, entry.version)
            current.add(key)
            before = published.get(key)
            if before is None:
                new.append(key)
            elif f"{model.name}@{entry.version}" in republish:
                republished.append(key)
            elif before.inputs_digest == entry.run.inputs_digest:
                frozen.append(before)
            else:
                conflicts.append(key)
    missing = tuple(p for key, p in sorted(published.items()) if key not in current)
    known = {f"{m}@{v}" for m, v in published if (m, v) in current}
    unknown = tuple(sorted(r for r in republish if r not in known))
    return Publication(
        tuple(new), tuple(frozen), tuple(republished), tuple(conflicts), missing, unknown
    )


def out_of_order(publication: Publication, site: Site) -> list[str]:
    """Warnings for new versions that sort before a version published earlier.

    Versions are ordered by name, not by date: "9" published after "10" comes before it, so it
    does not become the latest, which is legal but rarely meant.
    """
    published = {(p.model, p.version) for p in publication.frozen} | set(publication.republished)
    new = set(publication.new)
    notes = []
    for model in site.models:
        names = [e.version for e in model.versions]
        later = [v for v in names if (model.name, v) in published]
        if not later:
            continue
        for version in names[: names.index(later[-1])]:
            if (model.name, version) in new:
                notes.append(
                    f"{model.name}@{version} is new but sorts before version {later[-1]}, "
                    "published before it, so it is not the latest "
                    "(versions are ordered naturally: docs/site.md)"
                )
    return notes


def json_differences(before: Any, after: Any, path: str = "", limit: int = 20) -> list[str]:
    """Readable differences between two JSON values: ``metrics[2].value: 0.86 → 0.87``."""
    found: list[str] = []
    _walk(before, after, path, found, limit)
    return found


def _walk(before: Any, after: Any, path: str, found: list[str], limit: int) -> None:
    if len(found) >= limit or before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            child = f"{path}.{key}" if path else str(key)
            _walk(before.get(key), after.get(key), child, found, limit)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            _walk(old, new, f"{path}[{index}]", found, limit)
    else:
        found.append(f"{path or '(whole)'}: {_short(before)} → {_short(after)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
