"""The publication step of ``build``: refuse silent changes, keep the change log, fill the manifest.

Kept apart from ``api`` so the orchestrator stays one readable pipeline.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from cardpress.compute.card import card_data, in_section_order
from cardpress.compute.card_data import TASK_INFERRED
from cardpress.compute.publish import Publication, PublishedVersion, json_differences
from cardpress.compute.site import Site
from cardpress.errors import BuildError
from cardpress.model import SiteConfig
from cardpress.readers import search_cache
from cardpress.readers.page_cache import render_code_digest
from cardpress.readers.search_cache import Entries, Kept
from cardpress.render.host_files import robots_txt, sitemap_xml
from cardpress.render.plans import PagePlan, RenderedFile
from cardpress.render.search import page_entries, search_entries, search_script
from cardpress.write.manifest import Published, read_page_data

# Pages under a version's folder that are rebuilt every time, not frozen with the version: the
# review (sign-offs come after publication) and the compliance coverage that depends on them.
LIVE_PAGES = ("review/", "compliance/", "lineage/")


def is_live(path: str) -> bool:
    """A page of a version that is rebuilt on every build (see :data:`LIVE_PAGES`)."""
    parts = path.split("/")
    return (
        len(parts) > 4 and parts[0] == "models" and parts[2] == "v" and f"{parts[4]}/" in LIVE_PAGES
    )


def version_prefix(model: str, version: str) -> str:
    """The folder of a version's pages, which are frozen together once published."""
    return f"models/{model}/v/{version}/"


def check_publication(
    publication: Publication, site: Site, previous: Published | None, reason: str | None
) -> None:
    """Stop the build when it would change or lose a published version without being asked.

    Raises:
        click.UsageError: ``--republish`` names a version that is not published.
        BuildError: a published version's record changed or disappeared; lists what changed.
    """
    if publication.unknown_republish:
        names = ", ".join(publication.unknown_republish)
        raise click.UsageError(f"--republish {names}: not a published version of this site")
    if reason is not None and not reason.strip():
        raise click.UsageError("--reason is empty: say why, in words (it goes into the change log)")
    if publication.republished and not reason:
        raise click.UsageError("--republish needs --reason TEXT: it goes into the change log")
    problems = [
        _changed(model, version, site, previous) for model, version in publication.conflicts
    ]
    problems += [
        f"{p.model} version {p.version} is published but its run record is gone — restore it "
        "(published versions cannot be removed; mark them retired in card.md instead)"
        for p in publication.missing
    ]
    if problems:
        raise BuildError("\n".join(problems) + "\nNothing was written; the site is unchanged.")


def _changed(model: str, version: str, site: Site, previous: Published | None) -> str:
    entry = next(m for m in site.models if m.name == model)
    current = next(v for v in entry.versions if v.version == version)
    page = version_prefix(model, version) + "index.json"
    before = read_page_data(previous, page) if previous else None
    after = card_data(entry, current)
    if before:  # the record's own hash always differs; the header already says so
        before, after = _without_record(before), _without_record(after)
    lines = [f"  {d}" for d in json_differences(before, after)] if before else []
    lines = lines or ["  the predictions file changed"]
    header = (
        f"{model} version {version} is already published and its record changed — to publish "
        f"the change, rebuild with --republish {model}@{version} --reason TEXT:"
    )
    return "\n".join([header, *lines])


def _without_record(card: dict[str, Any]) -> dict[str, Any]:
    """The card without what is not the record's own text: its hash and the fairness summaries.

    The fairness summary (and a task inferred from the predictions) is derived from the
    predictions file; a change there is reported as "the predictions file changed".
    """
    card = {key: value for key, value in card.items() if key not in {"record", "summary_panel"}}
    sections = card.get("sections", {})
    quantitative = {**sections.get("quantitative_analyses", {}), "fairness": None}
    details = dict(sections.get("model_details", {}))
    if details.get("task_source") == TASK_INFERRED:  # read from the predictions, like fairness
        details["task"] = details["task_source"] = None
    new = {"quantitative_analyses": quantitative, "model_details": details}
    return {**card, "sections": {**sections, **new}}


def changelog(
    previous: Published | None, publication: Publication, site: Site, reason: str | None
) -> list[dict[str, Any]]:
    """The site's change log: the previous entries and one per version published or republished.

    A first publication is dated with the build time (reproducible); a republication with
    SOURCE_DATE_EPOCH when set, else the clock, because when an audit record was changed is
    itself part of the record.
    """
    entries = list(previous.changelog) if previous else []
    built = site.built_at.isoformat()
    for model, version in publication.new:
        entries.append({"date": built, "model": model, "version": version, "action": "published"})
    now = built if _epoch_set() else datetime.now(UTC).replace(microsecond=0).isoformat()
    for model, version in publication.republished:
        entries.append(
            {
                "date": now,
                "model": model,
                "version": version,
                "action": "republished",
                "reason": reason,
            }
        )
    return entries


def manifest_versions(
    digests: dict[str, str], publication: Publication, site: Site, previous: Published | None
) -> dict[str, dict[str, Any]]:
    """Manifest entries of every version: carried over when frozen, new ones from their files."""
    entries: dict[str, dict[str, Any]] = {}
    for frozen in publication.frozen:
        entries[f"{frozen.model}@{frozen.version}"] = {
            "model": frozen.model,
            "version": frozen.version,
            "inputs_digest": frozen.inputs_digest,
            "record_digest": frozen.record_digest,
            "published_at": frozen.published_at,
            "files": list(frozen.files),
        }
    published_before = previous.versions if previous else {}
    for model in site.models:
        for entry in model.versions:
            key = (model.name, entry.version)
            if not publication.renders(*key):
                continue
            prefix = version_prefix(*key)
            before = published_before.get(key)
            entries[f"{model.name}@{entry.version}"] = {
                "model": model.name,
                "version": entry.version,
                "inputs_digest": entry.run.inputs_digest,
                "record_digest": entry.run.digest,
                "published_at": before.published_at if before else site.built_at.isoformat(),
                "files": sorted(p for p in digests if p.startswith(prefix) and not is_live(p)),
            }
    return dict(sorted(entries.items()))


def frozen_files(publication: Publication, previous: Published | None) -> dict[str, str]:
    """Paths of every frozen version's files and the sha256 each was published with."""
    if previous is None:
        return {}
    return {path: previous.files[path] for v in publication.frozen for path in v.files}


def _epoch_set() -> bool:
    return bool(os.environ.get("SOURCE_DATE_EPOCH"))


def searched_pages(
    plans: list[PagePlan],
    previous: Published | None,
    frozen: tuple[PublishedVersion, ...],
    records: Path,
    out: Path,
) -> tuple[dict[str, Entries], Callable[[dict[str, str]], None]]:
    """The search entries of the searched pages, and what keeps them once the site is written.

    Frozen versions' fairness reports are read only when the last build did not keep their
    entries (:mod:`cardpress.readers.search_cache`); the returned function, given the sha256 of
    every file written, keeps this build's.
    """
    from cardpress import __version__

    searched = _rendered_entries(plans)
    where = search_cache.search_file(records, out)
    code = f"{__version__} {render_code_digest()}"
    reports = _frozen_reports(previous, frozen, search_cache.load_entries(where, code))
    searched |= {page: entries for page, (_, entries) in reports.items()}

    def keep(sums: dict[str, str]) -> None:
        search_cache.save_entries(where, code, _kept_reports(plans, searched, sums, reports))

    return searched, keep


def _frozen_reports(
    previous: Published | None, frozen: tuple[PublishedVersion, ...], kept: Kept
) -> Kept:
    """Search entries of frozen versions' fairness reports: page -> (sha256 of its data, entries).

    ``kept`` are the entries of the last build (:mod:`cardpress.readers.search_cache`): a report
    whose data file has the sha256 kept for it is not read again. Its bytes are still checked
    against that sha256 when the version's files are carried over, unless the site is intact.
    """
    found: Kept = {}
    for version in frozen:
        page = version_prefix(version.model, version.version) + "fairness/index.html"
        data_file = _data_file(page)
        sha = previous.files.get(data_file) if previous else None
        if previous is None or page not in version.files or sha is None:
            continue
        hit = kept.get(page)
        if hit is not None and hit[0] == sha:
            found[page] = hit
            continue
        data = read_page_data(previous, data_file)
        if isinstance(data, dict):
            found[page] = (sha, page_entries(page, data))
    return found


def _rendered_entries(plans: list[PagePlan]) -> dict[str, Entries]:
    """Search entries of the fairness, review and drift pages rendered now, by page."""
    return {p.path: page_entries(p.path, p.data) for p in plans if p.template in SEARCHED_PAGES}


def _kept_reports(plans: list[PagePlan], searched: dict[str, Entries], sums: dict[str, str],
                 frozen: Kept) -> Kept:  # fmt: skip
    """Entries of every fairness report of the new site, by the sha256 of its data file."""
    kept = dict(frozen)
    for plan in plans:
        sha = sums.get(_data_file(plan.path)) if plan.template == "fairness.html" else None
        if sha is not None:
            kept[plan.path] = (sha, searched[plan.path])
    return kept


def _data_file(page: str) -> str:
    return page.removesuffix(".html") + ".json"


def frozen_card(previous: Published | None, model: str, version: str) -> dict[str, Any]:
    """The card data a frozen version was published with (for the search index)."""
    data = (
        read_page_data(previous, version_prefix(model, version) + "index.json")
        if previous
        else None
    )
    if not isinstance(data, dict):
        raise BuildError(
            f"{version_prefix(model, version)}index.json: published card data is missing — run "
            "`cardpress verify` on the site and restore it"
        )
    return in_section_order(data)  # read back with sorted keys: the card's order again


SEARCHED_PAGES = ("fairness.html", "review.html", "drift.html")


def site_files(
    plans: list[PagePlan],
    frozen_cards: list[dict[str, Any]],
    config: SiteConfig,
    searched: Mapping[str, Entries],
) -> list[RenderedFile]:
    """The search index, and the sitemap and robots.txt when the config asks for them.

    ``searched`` are the search entries of the fairness, review and drift pages, by page
    (:func:`searched_pages`).
    """
    cards = [p.data for p in plans if p.template == "card.html"] + frozen_cards
    cards.sort(key=lambda c: (c["model"], c["version"]))
    home = next(p.data for p in plans if p.template == "home.html")
    datasets = [p.data | {"href": p.path} for p in plans if p.template == "dataset.html"]
    in_order = [entry for _, found in sorted(searched.items()) for entry in found]
    entries = search_entries(cards, home["models"], datasets if datasets else None, in_order)
    files = [RenderedFile("search/index.js", search_script(entries))]
    if config.base_url:
        # redirect pages (a model's latest/) are addresses, not pages to index
        pages = [p.path for p in plans if p.template != "redirect.html"]
        pages += [version_prefix(c["model"], c["version"]) + "index.html" for c in frozen_cards]
        files.append(RenderedFile("sitemap.xml", sitemap_xml(pages, config.base_url)))
    if config.robots:
        files.append(RenderedFile("robots.txt", robots_txt(config.robots, config.base_url)))
    return files
