"""The Python API: the same verbs as the command line.

``build`` (:mod:`cardpress.building`, then :mod:`cardpress.pipeline`) reads as the whole
pipeline: readers → model → compute → render → write; ``check`` is in :mod:`cardpress.checking`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardpress.building import BuildResult as BuildResult  # the public names of a build
from cardpress.building import build as build
from cardpress.building import output_folder as output_folder
from cardpress.checking import check as check
from cardpress.checking import fairness_reports, targets
from cardpress.compute.site import build_site
from cardpress.errors import CardpressError, UsageError
from cardpress.importing import ImportResult, import_store
from cardpress.model import Records
from cardpress.readers.keys import read_public_key
from cardpress.readers.policy import check_names, records_policy
from cardpress.readers.records import (
    read_records,
)
from cardpress.render.hf_card import hf_card
from cardpress.render.hf_links import hub_license, site_links_lost
from cardpress.render.host_files import normalise_base_url
from cardpress.render.pages import to_json
from cardpress.render.version_plans import version_card
from cardpress.schemas import CARD_DATA_SCHEMA, KINDS, schema_errors, schema_text
from cardpress.write.manifest import manifest_digest as manifest_digest
from cardpress.write.manifest import read_published
from cardpress.write.pdf import find_browser, print_to_pdf
from cardpress.write.reports import write_whole
from cardpress.write.verify import VerifyReport, check_signature, verify_site

if TYPE_CHECKING:  # the drift engines load when monitoring rows are read
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
    policy = records_policy(Path(records))  # a bad policy.toml fails here as in a build (exit 2)
    if policy is not None:
        check_names(policy, loaded)
    from cardpress.lineage_problems import lineage_graph

    for warning in lineage_graph(loaded)[1]:  # warnings in a build too; never a failure
        logger.warning("%s", warning)
    logger.info("%s: %d run records and %d narratives are valid", records, len(loaded.runs),
             len(loaded.narratives))  # fmt: skip
    return loaded


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
    return _card_and_site_url(root, version)[0]


def _card_and_site_url(root: Path, version: str) -> tuple[dict[str, Any], str | None]:
    """The card data of one version, and the site's public URL (``site.base_url``) if set."""
    loaded = read_records(root)
    site = build_site(loaded, None)
    [(model, entry)] = targets(site, [version])
    reports = fairness_reports(root, [entry.run], site.config.fairness)
    card, _ = version_card(site, model, entry, reports)
    return card, site.config.base_url


def export_hf(
    records: str | Path,
    version: str,
    output: str | Path,
    task: str | None = None,
    base_url: str | None = None,
    license_link: str | None = None,
) -> Path:
    """Write the card of ``version`` (MODEL@VERSION) as a Hugging Face model card (README.md).

    The card is made from the records exactly as the site's card page is, fairness headline
    included; ``task`` is the Hub task type (``pipeline_tag`` and the model index's results),
    by default ``tabular-regression`` for a regression model and ``tabular-classification``
    otherwise. card.md's relative links become absolute under ``base_url`` (default: the
    config's ``site.base_url``), or plain text without one. ``license_link`` (a URL, or
    ``LICENSE`` for a file in the Hub repository) is where the text of a licence the Hub does
    not know is; such a licence without it is a warning.

    Raises:
        RecordsError: the records have problems; nothing was written.
        UsageError: no such model version (exit 2).
    """
    card, configured = _card_and_site_url(Path(records), version)
    site = normalise_base_url(base_url) if base_url else configured
    licence = hub_license(card)
    if licence is not None and licence[0] == "other" and not license_link:
        logger.warning(
            "%s: license %r is not a licence id the Hub knows: exported as license: other "
            "(license_name %s) without the license_link the Hub expects — pass --license-link "
            "with its URL, or LICENSE for a file of the model repository",
            card.get("narrative_file") or card["model"],
            card["sections"]["model_details"]["license"], licence[1],
        )  # fmt: skip
    if site is None and site_links_lost(card):
        logger.warning(
            "%s: card.md's relative links are exported as plain text: give the site's public "
            "URL (site.base_url in cardpress.toml, or --base-url) to keep them as links",
            version,
        )
    write_whole(Path(output), hf_card(card, task, site, license_link))
    return Path(output)


def schema(kind: str) -> str:
    """The JSON Schema of a record kind: ``run``, ``card`` or ``config``."""
    if kind not in KINDS:
        raise CardpressError(f"unknown record kind {kind!r} — use one of {', '.join(KINDS)}")
    return schema_text(kind)


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
