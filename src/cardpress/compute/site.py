"""The site's structure: models, their versions in order, and which version is the latest.

Version order is *natural*: the version strings are split into runs of digits and other
characters and compared piece by piece, numbers as numbers ("2" < "10" < "10.1"), and a
pre-release before its release ("1.0.0-rc1" < "1.0.0"). Ties, which
only differently spelt equal numbers can make ("01" and "1"), are broken by the run's start time.
The latest version is the last in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cardpress.model import Narrative, Records, Run, SiteConfig

_PIECES = re.compile(r"(\d+)")


@dataclass(frozen=True)
class VersionEntry:
    """One published version of a model."""

    run: Run
    status: str | None
    is_latest: bool
    previous: str | None
    next: str | None

    @property
    def version(self) -> str:
        """The version string."""
        return self.run.version


@dataclass(frozen=True)
class ModelEntry:
    """A model and its versions, oldest first."""

    name: str
    narrative: Narrative | None
    versions: tuple[VersionEntry, ...]

    @property
    def title(self) -> str:
        """Display name: the card's title, else the model name."""
        return (self.narrative.title if self.narrative else None) or self.name

    @property
    def latest(self) -> VersionEntry:
        """The newest version."""
        return self.versions[-1]


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from."""

    config: SiteConfig
    models: tuple[ModelEntry, ...]
    built_at: datetime


# Kinds of the pieces of a version key, in their order: a pre-release tag ("-rc" of
# "1.0.0-rc1") comes before the end of the version, which comes before anything longer.
_PRE_RELEASE, _END, _NUMBER, _TEXT = range(4)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural sort key of a version string: ``"2" < "10" < "10.1" < "10a"``.

    A hyphen followed by a letter starts a pre-release, as in semantic versioning:
    ``"1.0.0-alpha" < "1.0.0-rc1" < "1.0.0" < "1.0.0.1"``.
    """
    pieces = [p for p in _PIECES.split(version) if p]
    kinds = (
        (_NUMBER, int(p)) if p.isdigit()
        else (_PRE_RELEASE, p) if p[0] == "-" and p[1:2].isalpha()
        else (_TEXT, p)
        for p in pieces
    )  # fmt: skip
    return (*kinds, (_END, ""))


def build_site(records: Records, source_date_epoch: int | None) -> Site:
    """Arrange the records into models and versions.

    The build time is ``SOURCE_DATE_EPOCH`` when given, else the newest time in the records,
    so the same records always give the same site.
    """
    narratives = {n.model: n for n in records.narratives}
    # in natural order, as versions are: "model-9" before "model-10"
    names = sorted({run.model for run in records.runs}, key=lambda n: (version_key(n), n))
    models = tuple(
        _model_entry(name, [r for r in records.runs if r.model == name], narratives.get(name))
        for name in names
    )
    return Site(records.config, models, _built_at(records.runs, source_date_epoch))


def _model_entry(name: str, runs: list[Run], narrative: Narrative | None) -> ModelEntry:
    ordered = sorted(runs, key=lambda r: (version_key(r.version), r.started_at))
    entries = []
    for index, run in enumerate(ordered):
        is_latest = index == len(ordered) - 1
        status = narrative.status_of(run.version, is_latest) if narrative else None
        previous = ordered[index - 1].version if index else None
        following = None if is_latest else ordered[index + 1].version
        entries.append(VersionEntry(run, status, is_latest, previous, following))
    return ModelEntry(name, narrative, tuple(entries))


def _built_at(runs: tuple[Run, ...], source_date_epoch: int | None) -> datetime:
    if source_date_epoch is not None:
        return datetime.fromtimestamp(source_date_epoch, tz=UTC)
    return max(_run_time(run) for run in runs).astimezone(UTC)


def _run_time(run: Run) -> datetime:
    return run.ended_at or run.started_at
