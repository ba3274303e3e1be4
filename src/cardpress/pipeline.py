"""The build pipeline, in one place: readers → model → compute → render → write.

:func:`run_pipeline` runs once the output's lock is held and its site checked
(:func:`cardpress.building.build`); the rest are its steps that do not fit on one screen.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cardpress.building import BuildResult
from cardpress.building import source_epoch as _epoch
from cardpress.chart_feed import ChartFeed, card_planner
from cardpress.checking import fairness_reports, site_checks
from cardpress.compute.live_status import live_status, status_warnings
from cardpress.compute.narrative_edits import narrative_edits, republish_hint
from cardpress.compute.publish import out_of_order, plan_publication
from cardpress.compute.site import Site, build_site
from cardpress.incremental import build_pages, remember
from cardpress.lineage_problems import lineage_graph
from cardpress.model import Records
from cardpress.model_drift import DriftSummaries
from cardpress.progress import each
from cardpress.publishing import (
    changelog,
    check_publication,
    frozen_card,
    frozen_files,
    manifest_versions,
    searched_pages,
    site_files,
)
from cardpress.readers.files import allowed
from cardpress.readers.records import (
    monitored_models,
    monitoring_folders,
    read_records,
    with_drift,
)
from cardpress.render.env import default_templates_dir, make_env
from cardpress.render.host_files import normalise_base_url
from cardpress.render.lineage.pages import lineage_plans
from cardpress.render.pages import plan_site
from cardpress.render.plans import Extras, PagePlan, RenderedFile, VersionCard
from cardpress.render.search import script_global
from cardpress.write.assets import asset_files
from cardpress.write.manifest import Published, manifest_bytes
from cardpress.write.site import check_unchanged, write_site

if TYPE_CHECKING:  # the drift engines load when monitoring rows are read
    from cardpress.compute.drift.report import DriftReport
    from cardpress.readers.drift.report import DriftEngine

logger = logging.getLogger("cardpress")


def run_pipeline(
    records: str | Path,
    out: Path,
    previous: Published | None,
    started_from: str | None,
    signer: Ed25519PrivateKey | None,
    *,
    force: bool,
    source_date_epoch: int | None,
    republish: Iterable[str],
    reason: str | None,
    base_url: str | None,
    engine: DriftEngine | None,
    feed: ChartFeed | None = None,
) -> BuildResult:
    """The build pipeline, run while the output's lock is held and its site checked.

    ``feed`` draws the charts; it is given each page's charts as soon as they are planned.
    """
    from cardpress import __version__

    trusted = frozenset(v.record_digest for v in previous.versions.values()) if previous else None
    # Monitoring rows are read later, when the first charts are being drawn (below).
    loaded = read_records(records, trusted or frozenset())
    if base_url is not None:
        config = replace(loaded.config, base_url=normalise_base_url(base_url))
        loaded = replace(loaded, config=config)
    site = build_site(loaded, _epoch(source_date_epoch))
    published = previous.versions if previous else {}
    publication = plan_publication(site, published, frozenset(republish))
    check_publication(publication, site, previous, reason)
    for note in out_of_order(publication, site):
        logger.warning("%s", note)
    log = changelog(previous, publication, site, reason)
    project_templates = Path(records) / "templates"
    bounds = (Path(records).resolve(), *allowed(loaded.config))  # templates may not lead out
    env = make_env(project_templates, bounds)
    frozen_cards = [frozen_card(previous, v.model, v.version) for v in publication.frozen]
    published_cards = {(c["model"], c["version"]): c for c in frozen_cards}
    rendered = [
        e.run for m in site.models for e in m.versions if publication.renders(m.name, e.version)
    ]
    if feed is not None:  # a change of these makes the next build draw many charts again
        feed.watch(monitoring_folders(Path(records), loaded, monitored_models(loaded)))
    # The charts to draw first are those known first. With no version page to render (a new
    # day of monitoring rows, a card edited) the drift pages hold them: their rows are read
    # before the policy's checks; otherwise the version pages' charts go first.
    drift: tuple[Records, _Drift] | None = None
    if not rendered:
        drift = _drift_pages(loaded, site, engine, feed)
    cards: dict[tuple[str, str], VersionCard] = {}  # each planned as its report comes
    reported = card_planner(site, feed, cards)
    fairness = fairness_reports(Path(records), rendered, site.config.fairness, each=reported)
    checks = site_checks(Path(records), loaded, site, fairness)
    monitored = monitored_models(loaded) if drift is None else _monitored(drift[0])
    inputs = Extras(fairness, loaded.signoffs, checks, monitored, cards)
    plans = plan_site(site, publication.renders, log, published_cards, inputs)
    _prefetch(feed, plans)
    if drift is None:
        drift = _drift_pages(loaded, site, engine, feed)
    loaded, (drift_pages, headlines) = drift
    if _monitored(loaded) != inputs.monitored:  # not expected: read_drift found a problem
        inputs = replace(inputs, monitored=_monitored(loaded))
        plans = plan_site(site, publication.renders, log, published_cards, inputs)
    _note_narrative_edits(site, published_cards, plans)
    for plan in plans:
        if plan.template == "model.html" and plan.data["model"] in headlines:
            plan.data["drift"] = headlines[plan.data["model"]]
    plans += drift_pages + _lineage_plans(loaded, site)
    status_files = _live_status(plans, loaded)
    # Only pages whose inputs changed are rendered; the others are carried over from ``out``.
    known = previous.files if previous and previous.intact else None
    render = feed.render if feed is not None else None
    pages = build_pages(plans, site, env, __version__, Path(records), out, known, render)
    searched, remember_search = searched_pages(
        plans, previous, publication.frozen, Path(records), out
    )
    extras = site_files(plans, frozen_cards, site.config, searched)
    assets = asset_files([project_templates, default_templates_dir()], bounds)
    meta = {
        "cardpress_version": __version__,
        "built_at": site.built_at.isoformat(),
        "records_digest": records_digest(loaded),
    }

    sums: dict[str, str] = {}  # every file's sha256, as the writer computed it

    def manifest_for(digests: dict[str, str]) -> bytes:
        sums.update(digests)
        versions = manifest_versions(digests, publication, site, previous)
        return manifest_bytes(digests, versions, log, meta)

    frozen = {**frozen_files(publication, previous), **pages.carried}
    count = write_site(
        each("writing", chain(pages.rendered, extras, status_files, assets), "files"),
        out,
        force=force,
        manifest_for=manifest_for,
        frozen=frozen,
        sign=signer.sign if signer else None,
        guard=lambda: check_unchanged(out, started_from),
        intact=bool(previous and previous.intact),
    )
    remember(pages, Path(records), out, sums)
    remember_search(sums)
    versions = sum(len(m.versions) for m in site.models)
    log_message = "wrote %d files for %d models (%d versions, %d kept as published) to %s"
    logger.info(log_message, count, len(site.models), versions, len(publication.frozen), out)
    return BuildResult(out, count, len(site.models), versions)


def _prefetch(feed: ChartFeed | None, plans: list[PagePlan]) -> None:
    """Have the feed start drawing these pages' charts while the build goes on."""
    if feed is not None:
        feed.prefetch(plans)


def _note_narrative_edits(
    site: Site, published_cards: dict[tuple[str, str], dict[str, Any]], plans: list[PagePlan]
) -> None:
    """Warn about card.md edits that published versions do not show; note them on model pages."""
    edited = narrative_edits(site, published_cards)
    for model, versions in sorted(edited.items()):
        logger.warning("%s", republish_hint(model, versions))
    for plan in plans:
        if plan.template == "model.html":
            plan.data["narrative_edited"] = edited.get(plan.data["model"], [])


def _live_status(plans: list[PagePlan], records: Records) -> list[RenderedFile]:
    """Each version's live status: on its review page, as ``review/status.js`` for its card.

    Contradictions and use in production before approval are build warnings too.
    """
    summaries = {s.model: s for s in records.drift}
    drift = {p.data["model"]: p.data.get("drift") for p in plans if p.template == "model.html"}
    files = []
    for plan in plans:
        if plan.template != "review.html":
            continue
        model = plan.data["model"]
        status = live_status(plan.data, drift.get(model), summaries.get(model))
        plan.data["live"] = status
        for warning in status_warnings(status):
            logger.warning("%s", warning)
        path = plan.path.removesuffix("index.html") + "status.js"
        files.append(RenderedFile(path, script_global("CARDPRESS_STATUS", status)))
    return files


def _lineage_plans(records: Records, site: Site) -> list[PagePlan]:
    """The lineage pages; problems in lineage sources are warnings, printed and shown."""
    graph, warnings = lineage_graph(records)
    for warning in warnings:
        logger.warning("%s", warning)
    return lineage_plans(site, graph, warnings, records.config.lineage.graph_depth)


def records_digest(records: Records) -> str:
    """sha256 over every run record, predictions file and card.md the site was built from."""
    lines = [f"{run.source.file} {run.inputs_digest}" for run in records.runs]
    lines += [f"{n.source.file} {n.digest}" for n in records.narratives]
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# The drift pages, and by model what its model page says of drift (with a link to them).
_Drift = tuple[list[PagePlan], dict[str, dict[str, object]]]


def _drift_pages(
    loaded: Records, site: Site, engine: DriftEngine | None, feed: ChartFeed | None
) -> tuple[Records, _Drift]:
    """The records with their monitoring rows read, and the drift pages (charts started)."""
    loaded = with_drift(loaded, engine)
    drift = _drift_plans(loaded, site)
    _prefetch(feed, drift[0])
    return loaded, drift


def _monitored(records: Records) -> frozenset[str]:
    return frozenset(summaries.model for summaries in records.drift)


def _drift_plans(records: Records, site: Site) -> _Drift:
    """Drift pages of every model with monitoring rows, and the model pages' drift headlines."""
    titles = {model.name: model.title for model in site.models}
    found, headlines = [], {}
    for summaries in each("drift reports", records.drift, "models"):
        # here: these modules load SciPy and Altair (~0.2 s), which a site without monitoring
        # rows needs for nothing else when it adds a version
        from cardpress.render.drift.pages import drift_plans

        settings = records.config.drift_for(summaries.model)
        report = drift_report_of(records, summaries)
        for warning in report.warnings:
            logger.warning("%s drift: %s", summaries.model, warning)
        found += drift_plans(report, titles[summaries.model], settings.prediction)
        headlines[summaries.model] = _drift_headline(report)
    return found, headlines


def _drift_headline(report: DriftReport) -> dict[str, object]:
    """What the model page says of drift: the latest window's verdict and its volume."""
    filled = [(w, v) for w, v in zip(report.summaries.windows, report.window_verdicts,
                                     strict=True) if w.rows]  # fmt: skip
    windows_drifted = sum(1 for v in report.window_verdicts if v.drifted)
    found: dict[str, object] = {"windows": len(report.summaries.windows),
                                "windows_drifted": windows_drifted}  # fmt: skip
    if filled:
        window, verdict = filled[-1]
        found |= {"latest": window.key, "verdict": verdict.text, "rows": window.rows,
                  "drifted": bool(verdict.drifted)}  # fmt: skip
    return found


def drift_report_of(records: Records, summaries: DriftSummaries) -> DriftReport:
    """One model's drift report, reusing the results its last build kept (and keeping these)."""
    from cardpress.compute.drift.report import drift_report
    from cardpress.compute.drift.verdict import encode
    from cardpress.readers.drift import cache as drift_cache

    settings = records.config.drift_for(summaries.model)
    kept = drift_cache.cache_file(Path(records.root), summaries.model, settings.cache)
    known, results = drift_cache.load_p_values(kept), drift_cache.load_results(kept)
    report = drift_report(summaries, settings, known, results)
    drift_cache.save_p_values(kept, report.ks_p_values)
    drift_cache.save_results(kept, {key: encode(r) for key, r in report.results.items()})
    return report
