"""The Python API: the same verbs as the command line.

``build`` is the one orchestrator and reads as the whole pipeline:
readers → model → compute → render → write.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cardpress.compute.site import build_site
from cardpress.errors import CardpressError
from cardpress.model import Records
from cardpress.readers.records import read_records
from cardpress.render.env import default_templates_dir, make_env
from cardpress.render.pages import plan_site, render_pages
from cardpress.schemas import KINDS, schema_text
from cardpress.write.assets import asset_files
from cardpress.write.site import write_site

log = logging.getLogger("cardpress")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    output: Path
    files: int
    models: int
    versions: int


def validate(records: str | Path) -> Records:
    """Read and check a records folder without writing anything.

    Raises:
        RecordsError: listing every problem, each as ``file:line: field: problem — fix``.
    """
    loaded = read_records(records)
    log.info("%s: %d run records and %d narratives are valid", records, len(loaded.runs),
             len(loaded.narratives))  # fmt: skip
    return loaded


def build(
    records: str | Path,
    output: str | Path = "site",
    *,
    force: bool = False,
    source_date_epoch: int | None = None,
) -> BuildResult:
    """Build the audit site of ``records`` into ``output``.

    The same records give byte-identical output. The build time shown on the site is
    ``source_date_epoch`` (default: the ``SOURCE_DATE_EPOCH`` environment variable), else the
    newest time in the records.

    Raises:
        RecordsError: the records have problems; nothing was written.
        BuildError: the site could not be written; the previous site is unchanged.
    """
    from cardpress import __version__

    loaded = validate(records)
    site = build_site(loaded, _epoch(source_date_epoch))
    project_templates = Path(records) / "templates"
    env = make_env(project_templates)
    pages = list(render_pages(plan_site(site), site, env, __version__))
    assets = asset_files([project_templates, default_templates_dir()])
    count = write_site([*pages, *assets], Path(output), force=force, version=__version__)
    versions = sum(len(m.versions) for m in site.models)
    log.info("wrote %d files for %d models (%d versions) to %s", count, len(site.models),
             versions, output)  # fmt: skip
    return BuildResult(Path(output), count, len(site.models), versions)


def schema(kind: str) -> str:
    """The JSON Schema of a record kind: ``run``, ``card`` or ``config``."""
    if kind not in KINDS:
        raise CardpressError(f"unknown record kind {kind!r} — use one of {', '.join(KINDS)}")
    return schema_text(kind)


def _epoch(given: int | None) -> int | None:
    if given is not None:
        return given
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        fix = "set it to a whole number of seconds since 1970-01-01 UTC, or unset it"
        raise CardpressError(f"SOURCE_DATE_EPOCH={raw!r} is not a number — {fix}") from None
