"""Read a whole records folder into :class:`cardpress.model.Records`, or report every problem."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from cardpress.errors import Problem, RecordsError
from cardpress.model import Narrative, Records, Run, SiteConfig
from cardpress.progress import stage
from cardpress.readers.config import read_config
from cardpress.readers.files import allowed, contained, folders_resolved_once
from cardpress.readers.narrative import read_narratives
from cardpress.readers.runs.read import read_runs
from cardpress.readers.scope import outside_problems
from cardpress.readers.signoffs import read_signoffs

if TYPE_CHECKING:
    from cardpress.readers.drift.report import DriftEngine

logger = logging.getLogger("cardpress")


def read_records(
    folder: str | Path,
    trusted: frozenset[str] = frozenset(),
    drift: bool = False,
    engine: DriftEngine | None = None,
) -> Records:
    """Read and validate everything under ``folder``.

    Run records whose sha256 is in ``trusted`` (records of published versions, byte for byte as
    they were validated when published) skip schema validation and line numbering, which are
    most of the reading time; their pages are not rendered again. ``drift`` also reduces the
    models' monitoring rows to drift summaries (``Records.drift``), on ``engine`` (engine name
    and Spark master URL) instead of the one the config names, when given.

    Raises:
        RecordsError: listing every problem found, in file and line order.
    """
    root = Path(folder)
    if not root.is_dir():
        fix = "give the path of a records folder (it holds runs/ and models/)"
        raise RecordsError([Problem(str(folder), None, "", "is not a folder", fix)])
    problems: list[Problem] = []
    with stage("reading records", unit="run records") as advance, folders_resolved_once():
        config = read_config(root, problems)
        allow = allowed(config)
        before = len(problems)
        runs = read_runs(root, problems, trusted, allow)
        # a run record that failed is not in runs: what names its version is not checked
        # against runs, or it would be a second, false problem (checked once it is fixed)
        complete = len(problems) == before
        narratives = read_narratives(root, problems, allow)
        problems += _duplicate_versions(runs) + _case_collisions(runs)
        problems += _orphan_narratives(narratives, runs) if complete else []
        signoffs = read_signoffs(root, runs, problems, complete, allow)
        problems += outside_problems(root, config)
        advance(len(runs))
    if not runs and not problems:
        fix = "add run records under runs/ (see `cardpress schema run` and docs/records.md)"
        problems.append(Problem("runs/", None, "", "no run records found", fix))
    if problems:
        raise RecordsError(problems)
    for warning in unmatched_names(config, runs, narratives):
        logger.warning("%s", warning)
    records = Records(str(root), config, tuple(runs), tuple(narratives), tuple(signoffs))
    return with_drift(records, engine) if drift else records


def with_drift(records: Records, engine: DriftEngine | None = None) -> Records:
    """``records`` with each model's monitoring rows reduced to drift summaries.

    ``engine`` (engine name and Spark master URL) reads them instead of the one the config names.

    Raises:
        RecordsError: listing every problem of the monitoring files.
    """
    problems: list[Problem] = []
    with stage("monitoring files", unit="files") as advance:
        if not monitored_models(records):
            return replace(records, drift=())  # nothing to read: the data engines stay unloaded
        from cardpress.readers.drift.report import read_drift  # the data engines load here

        found = read_drift(Path(records.root), records, problems, engine)
        advance(sum(len(summaries.sources) for summaries in found))
    if problems:
        raise RecordsError(problems)
    return replace(records, drift=found)


def monitored_models(records: Records) -> frozenset[str]:
    """The models with monitoring data where the config says, known before it is read.

    These are the models :func:`with_drift` summarises, unless it finds a problem.
    """
    root = Path(records.root)
    return frozenset(model for model in {run.model for run in records.runs}
                     if monitoring_folder(root, records, model).exists())  # fmt: skip


def monitoring_folder(root: Path, records: Records, model: str) -> Path:
    """Where a model's monitoring rows are: ``[drift] data``, else ``monitoring/<model>``."""
    return root / (records.config.drift_for(model).data or f"monitoring/{model}")


def monitoring_folders(root: Path, records: Records, models: Iterable[str]) -> list[str]:
    """The monitoring folders of these models inside the records folder, relative to it."""
    found = []
    for model in models:
        # [drift] data may lead elsewhere (an allowed root): not watched
        folder = contained(root, monitoring_folder(root, records, model))
        if folder is not None:
            found.append(folder.relative_to(root.resolve()).as_posix())
    return sorted(found)


def _duplicate_versions(runs: list[Run]) -> list[Problem]:
    by_version: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in runs:
        by_version[(run.model, run.version)].append(run)
    problems = []
    for (model, version), same in sorted(by_version.items()):
        if len(same) < 2:
            continue
        files = ", ".join(str(r.source.file) for r in same)
        for run in same[1:]:
            problem = f"{model} version {version} is also recorded by another run ({files})"
            fix = "give each run its own model version, or remove the duplicate record"
            problems.append(
                Problem(run.source.file, _version_line(run), "model.version", problem, fix)
            )
    return problems


def _case_collisions(runs: list[Run]) -> list[Problem]:
    """Names that differ only in case, which would share a URL on a case-insensitive host.

    S3 web sites are case-sensitive, but macOS, Windows and many CDNs are not: one page would
    overwrite the other.
    """
    problems = []
    first_by_folded: dict[tuple[str, ...], Run] = {}
    for run in sorted(runs, key=lambda r: (r.source.file, r.model, r.version)):
        for key, label in (((run.model.casefold(),), "model"),
                           ((run.model, run.version.casefold()), "version")):  # fmt: skip
            first = first_by_folded.setdefault(key, run)
            names = (first.model, run.model) if label == "model" else (first.version, run.version)
            if names[0] != names[1]:
                field = "model.name" if label == "model" else "model.version"
                where = first.source.file
                problem = f"{label} {names[1]!r} and {names[0]!r} ({where}) map to the same URL"
                fix = f"use one spelling of the {label} name; URLs must not differ only in case"
                line = _version_line(run) if label == "version" else _name_line(run)
                problems.append(Problem(run.source.file, line, field, problem, fix))
    return problems


def _name_line(run: Run) -> int | None:
    return run.name_source.line if run.name_source else run.source.line


def _version_line(run: Run) -> int | None:
    return run.version_source.line if run.version_source else run.source.line


def _orphan_narratives(narratives: list[Narrative], runs: list[Run]) -> list[Problem]:
    models = {run.model for run in runs}
    problems = []
    for narrative in narratives:
        if narrative.model not in models:
            known = ", ".join(sorted(models)) or "none yet"
            problem = f"no run record names model {narrative.model!r}"
            fix = f"rename the folder to a model in the run records ({known})"
            problems.append(Problem(narrative.source.file, None, "", problem, fix))
    return problems


def unmatched_names(config: SiteConfig, runs: list[Run], narratives: list[Narrative]) -> list[str]:
    """Names in cardpress.toml and card.md that match nothing the run records have.

    Warnings, not problems: each is legal and changes nothing, so a typo there (``sexx``,
    version ``v2`` for ``2``) would otherwise go unnoticed while the page shows the default.
    """
    sensitive = {c for run in runs if run.predictions for c in run.predictions.sensitive}
    known = ", ".join(sorted(sensitive)) or "none"
    warnings = [
        f"cardpress.toml: fairness.reference: names column {column!r}, which no run record "
        f"lists as sensitive ({known}): it is not used"
        for column, _ in config.fairness.reference
        if column not in sensitive
    ]
    versions: dict[str, set[str]] = defaultdict(set)
    for run in runs:
        versions[run.model].add(run.version)
    for narrative in narratives:
        for version, _ in narrative.version_status:
            if version not in versions[narrative.model]:
                warnings.append(
                    f"{narrative.source.file}: version_status: names version {version!r}, "
                    f"which no run record of {narrative.model!r} has; it sets no status"
                )
    return warnings
