"""The Python API: the same verbs as the command line.

``build`` is the one orchestrator and reads as the whole pipeline:
readers → model → compute → render → write.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cardpress.building import BuildResult as BuildResult  # the public names of a build
from cardpress.building import build as build
from cardpress.building import output_folder as output_folder
from cardpress.building import source_epoch as _epoch
from cardpress.chart_feed import ChartFeed
from cardpress.compute.check import Evidence, RuleResult, check_version
from cardpress.compute.fairness.multiclass_report import (
    multiclass_report,
)
from cardpress.compute.fairness.regression_report import SliceReport, regression_report
from cardpress.compute.fairness.report import fairness_report
from cardpress.compute.lineage.facts import changed_warnings, cycle_warnings
from cardpress.compute.lineage.graph import build_graph
from cardpress.compute.lineage.stale import stale_warnings
from cardpress.compute.live_status import live_status, status_warnings
from cardpress.compute.narrative_edits import narrative_edits, republish_hint
from cardpress.compute.publish import plan_publication
from cardpress.compute.site import ModelEntry, Site, VersionEntry, build_site
from cardpress.errors import CardpressError, Problem, RecordsError, UsageError
from cardpress.importing import ImportResult, import_store
from cardpress.incremental import build_pages, remember
from cardpress.model import WEIGHT, FairnessSettings, Policy, Records, Run
from cardpress.model_drift import DriftSummaries
from cardpress.progress import each
from cardpress.publishing import (
    changelog,
    check_publication,
    frozen_card,
    frozen_fairness,
    frozen_files,
    manifest_versions,
    site_files,
)
from cardpress.readers.files import allowed, current_hashes
from cardpress.readers.keys import read_public_key
from cardpress.readers.lineage.read import read_lineage
from cardpress.readers.policy import default_policy_path, read_policy, records_policy
from cardpress.readers.predictions.read import fairness_tables
from cardpress.readers.records import (
    monitored_models,
    monitoring_folders,
    read_records,
    with_drift,
)
from cardpress.render.env import default_templates_dir, make_env
from cardpress.render.hf_card import hf_card
from cardpress.render.host_files import normalise_base_url
from cardpress.render.lineage.pages import lineage_plans
from cardpress.render.pages import (
    Extras,
    PagePlan,
    RenderedFile,
    plan_site,
    to_json,
    version_card,
)
from cardpress.render.search import script_global
from cardpress.schemas import CARD_DATA_SCHEMA, KINDS, schema_errors, schema_text
from cardpress.write.assets import asset_files
from cardpress.write.manifest import Published, manifest_bytes, read_published
from cardpress.write.manifest import manifest_digest as manifest_digest
from cardpress.write.pdf import find_browser, print_to_pdf
from cardpress.write.reports import write_whole
from cardpress.write.site import check_unchanged, write_site
from cardpress.write.verify import VerifyReport, check_signature, verify_site

if TYPE_CHECKING:  # the drift engines load when monitoring rows are read
    from cardpress.compute.drift.report import DriftReport
    from cardpress.readers.drift.report import DriftEngine

logger = logging.getLogger("cardpress")


def validate(records: str | Path, engine: DriftEngine | None = None) -> Records:
    """Read and check a records folder without writing anything.

    ``engine`` (``("spark", "spark://host:7077")``, or ``("duckdb", None)``) reads the
    monitoring rows on that engine instead of the one ``[drift] engine`` names.

    Raises:
        RecordsError: listing every problem, each as ``file:line: field: problem — fix``.
        PolicyError: the records' ``policy.toml`` cannot be used (exit 2, as in a build).
    """
    loaded = read_records(records, drift=True, engine=engine)
    fairness_reports(Path(records), list(loaded.runs), loaded.config.fairness)
    records_policy(Path(records))  # a bad policy.toml fails here as it fails a build (exit 2)
    logger.info("%s: %d run records and %d narratives are valid", records, len(loaded.runs),
             len(loaded.narratives))  # fmt: skip
    return loaded


def _build(
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
    fairness = fairness_reports(Path(records), rendered, site.config.fairness)
    checks = _site_checks(Path(records), loaded, site, fairness)
    monitored = monitored_models(loaded) if drift is None else _monitored(drift[0])
    inputs = Extras(fairness, loaded.signoffs, checks, monitored)
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
    extras = site_files(
        plans, frozen_cards, site.config, frozen_fairness(previous, publication.frozen)
    )
    assets = asset_files([project_templates, default_templates_dir()], bounds)
    meta = {
        "cardpress_version": __version__,
        "built_at": site.built_at.isoformat(),
        "records_digest": records_digest(loaded),
    }

    def manifest_for(digests: dict[str, str]) -> bytes:
        versions = manifest_versions(digests, publication, site, previous)
        return manifest_bytes(digests, versions, log, meta)

    frozen = {**frozen_files(publication, previous), **pages.carried}
    count = write_site(
        each("writing", [*pages.rendered, *extras, *status_files, *assets], "files"),
        out,
        force=force,
        manifest_for=manifest_for,
        frozen=frozen,
        sign=signer.sign if signer else None,
        guard=lambda: check_unchanged(out, started_from),
        intact=bool(previous and previous.intact),
    )
    remember(pages, Path(records), out)
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
    from cardpress.render.drift.pages import drift_plans

    titles = {model.name: model.title for model in site.models}
    found, headlines = [], {}
    for summaries in each("drift reports", records.drift, "models"):
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


def _lineage_plans(records: Records, site: Site) -> list[PagePlan]:
    """The lineage pages; problems in lineage sources are warnings, printed and shown."""
    inputs = read_lineage(records)
    graph = build_graph(inputs.jobs, inputs.hashes)
    warnings = [*inputs.warnings, *changed_warnings(graph), *stale_warnings(graph)]
    warnings += cycle_warnings(graph)
    for warning in warnings:
        logger.warning("%s", warning)
    return lineage_plans(site, graph, warnings, records.config.lineage.graph_depth)


def check(
    records: str | Path, policy: str | Path | None = None, versions: Iterable[str] = ()
) -> list[RuleResult]:
    """Apply a policy to the newest version of each model, or to ``versions`` (MODEL@VERSION).

    The policy is ``policy``, else ``policy.toml`` in the records folder, else the default
    policy shipped with cardpress (``cardpress/policies/default.toml``).

    Raises:
        RecordsError: the records have problems.
        PolicyError: the policy cannot be used (exit 2).
        CardpressError: a MODEL@VERSION that does not exist (exit 2).
    """
    root = Path(records)
    loaded = read_records(root)
    rules = _policy(root, policy)
    site = build_site(loaded, None)
    targets = _targets(site, list(versions))
    runs = [entry.run for _, entry in targets]
    fairness = fairness_reports(root, runs, site.config.fairness, calibration=False)
    results: list[RuleResult] = []
    for model, entry in targets:
        results += _check_one(root, loaded, site, model, entry, fairness, rules)
    return results


def _site_checks(
    root: Path, loaded: Records, site: Site, fairness: dict[tuple[str, str], SliceReport]
) -> dict[tuple[str, str], list[RuleResult]]:
    """Results of the records' policy.toml for each model's newest version (none without one)."""
    policy = records_policy(root)
    if policy is None:
        return {}
    latest = [m.latest.run for m in site.models]
    missing = [r for r in latest if (r.model, r.version) not in fairness]
    # reports of versions whose pages are not rendered: only the checks read them
    checked = fairness_reports(root, missing, site.config.fairness, calibration=False)
    reports = {**fairness, **checked}
    return {
        (model.name, model.latest.version): _check_one(root, loaded, site, model, model.latest,
                                                       reports, policy)
        for model in site.models
    }  # fmt: skip


def _check_one(
    root: Path,
    loaded: Records,
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    reports: dict[tuple[str, str], SliceReport],
    policy: Policy,
) -> list[RuleResult]:
    evidence = Evidence(
        model, entry, reports.get((model.name, entry.version)), loaded.signoffs,
        site.config.fairness.min_group_size,
        current_hashes(root, entry.run.datasets, allowed(loaded.config)),
    )  # fmt: skip
    return check_version(policy.rules, evidence)


def _policy(root: Path, given: str | Path | None) -> Policy:
    if given is not None:
        return read_policy(Path(given))
    if (root / "policy.toml").is_file():
        return read_policy(root / "policy.toml", "policy.toml")
    return read_policy(default_policy_path(), "default policy")


def _targets(site: Site, wanted: list[str]) -> list[tuple[ModelEntry, VersionEntry]]:
    if not wanted:
        return [(model, model.latest) for model in site.models]
    found = {(m.name, e.version): (m, e) for m in site.models for e in m.versions}
    targets = []
    for name in wanted:
        model, _, version = name.partition("@")
        if (model, version) not in found:
            known = ", ".join(f"{m}@{v}" for m, v in sorted(found))
            raise UsageError(f"{name}: no such model version — use one of {known}")
        targets.append(found[(model, version)])
    return targets


def verify(site: str | Path, public_key: str | Path | None = None) -> VerifyReport:
    """Check every file of a built site against its ``SHA256SUMS``.

    With ``public_key`` (Ed25519, PEM), also check the manifest's detached signature.
    """
    report = verify_site(Path(site))
    if public_key is None:
        return report
    return replace(report, signature=check_signature(Path(site), read_public_key(Path(public_key))))


def print_pdf(
    site: str | Path, version: str, output: str | Path, browser: str | Path | None = None
) -> Path:
    """Print the printable record of ``version`` (MODEL@VERSION) in a built site to PDF.

    The record is the version's frozen ``print.html`` (card and fairness report), printed by
    headless Chromium: ``browser``, else the first Chromium on ``PATH``.

    Raises:
        UsageError: not a cardpress site, no such version, or no browser (exit 2).
        BuildError: the browser failed to print; ``output`` is not written.
    """
    root = Path(site)
    published = read_published(root)
    if published is None:
        raise UsageError(f"{root}: not a cardpress site (no manifest.json) — build it first")
    model, _, number = version.partition("@")
    entry = published.versions.get((model, number))
    page = f"models/{model}/v/{number}/print.html"
    if entry is None or page not in entry.files:
        known = sorted(f"{m}@{v}" for (m, v), e in published.versions.items()
                       if f"models/{m}/v/{v}/print.html" in e.files)  # fmt: skip
        choices = ", ".join(known) or "none (rebuild the site with this cardpress)"
        raise UsageError(f"{version}: no printable record in {root} — use one of {choices}")
    chosen = find_browser(Path(browser) if browser is not None else None)
    print_to_pdf(root / page, Path(output), chosen)
    return Path(output)


def export_card_json(records: str | Path, version: str, output: str | Path) -> Path:
    """Write the card of ``version`` (MODEL@VERSION) as JSON following ``cardpress/card-data/1``.

    Raises:
        RecordsError: the records have problems; nothing was written.
        UsageError: no such model version (exit 2).
    """
    card = {"schema": CARD_DATA_SCHEMA, **_card_of(Path(records), version)}
    errors = schema_errors("card-data", card)
    if errors:  # the card is built by cardpress: a mismatch is a bug, never the user's input
        raise CardpressError(f"the card of {version} does not follow its schema: {errors[0]}")
    write_whole(Path(output), to_json(card).decode("utf-8"))
    return Path(output)


def _card_of(root: Path, version: str) -> dict[str, Any]:
    """The card data of one version, fairness headline included, as the site shows it."""
    loaded = read_records(root)
    site = build_site(loaded, None)
    [(model, entry)] = _targets(site, [version])
    reports = fairness_reports(root, [entry.run], site.config.fairness)
    card, _ = version_card(site, model, entry, reports)
    return card


def export_hf(
    records: str | Path, version: str, output: str | Path, task: str | None = None
) -> Path:
    """Write the card of ``version`` (MODEL@VERSION) as a Hugging Face model card (README.md).

    The card is made from the records exactly as the site's card page is, fairness headline
    included; ``task`` is the Hub task type (``pipeline_tag`` and the model index's results),
    by default ``tabular-regression`` for a regression model and ``tabular-classification``
    otherwise.

    Raises:
        RecordsError: the records have problems; nothing was written.
        UsageError: no such model version (exit 2).
    """
    write_whole(Path(output), hf_card(_card_of(Path(records), version), task))
    return Path(output)


def schema(kind: str) -> str:
    """The JSON Schema of a record kind: ``run``, ``card`` or ``config``."""
    if kind not in KINDS:
        raise CardpressError(f"unknown record kind {kind!r} — use one of {', '.join(KINDS)}")
    return schema_text(kind)


def records_digest(records: Records) -> str:
    """sha256 over every run record, predictions file and card.md the site was built from."""
    lines = [f"{run.source.file} {run.inputs_digest}" for run in records.runs]
    lines += [f"{n.source.file} {n.digest}" for n in records.narratives]
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def fairness_reports(
    root: Path, runs: list[Run], settings: FairnessSettings, calibration: bool = True
) -> dict[tuple[str, str], SliceReport]:
    """The fairness report of each run whose predictions name sensitive columns.

    ``calibration`` False leaves calibration and threshold curves out: enough for the checks.

    Raises:
        RecordsError: a predictions table is not binary classification, or has bad scores or
            too many groups; nothing was written.
    """
    problems: list[Problem] = []
    reports: dict[tuple[str, str], SliceReport] = {}
    for run, task, table in fairness_tables(root, runs, settings, problems):
        assert run.predictions is not None  # only runs with predictions have a table
        sensitive, threshold = run.predictions.sensitive, run.predictions.threshold
        weights = table[WEIGHT].to_numpy() if WEIGHT in table.columns else None
        report: SliceReport
        if task == "multiclass":
            report = multiclass_report(table, sensitive, settings, weights, calibration)
        elif task == "regression":
            report = regression_report(table, sensitive, settings, weights)
        else:
            report = fairness_report(table, sensitive, settings, threshold, calibration)
        reports[(run.model, run.version)] = report
    if problems:
        raise RecordsError(problems)
    return reports


def import_mlflow(
    tracking_uri: str, records: str | Path, *, model: str | None = None
) -> ImportResult:
    """Write a ``cardpress/run/1`` record per registered model version of an MLflow store.

    ``tracking_uri`` is ``sqlite:///PATH``, an ``mlruns`` folder (a path or ``file:`` URI) or an
    http(s) tracking server. Each version becomes ``runs/<model>-<version>.json`` in
    ``records``; a predictions artifact named by the run tag ``cardpress.predictions`` is copied
    to ``predictions/<model>-<version>.<ext>``. Runs that are not registered are skipped with a
    warning. Nothing is written unless every record is valid.

    Raises:
        UsageError: mlflow is not installed, or ``model`` is not a registered model (exit 2).
        CardpressError: the store cannot be read, or a version cannot become a valid record
            (every problem is listed).
    """
    return import_store(tracking_uri, Path(records), model)
