"""Every page of the site as (path, bytes): HTML from templates, and the JSON beside each page.

Three steps, so the slow one runs once for the whole site: plan every page (data + chart specs),
render all chart specs in one batch, then fill the templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
import orjson

from cardpress.compute.card import card_data
from cardpress.compute.card_data import TASK_INFERRED
from cardpress.compute.check import RuleResult
from cardpress.compute.diff import diff_data
from cardpress.compute.fairness.multiclass_types import MulticlassReport
from cardpress.compute.fairness.regression_report import RegressionReport, SliceReport
from cardpress.compute.site import ModelEntry, Site, VersionEntry
from cardpress.compute.summary import card_summary
from cardpress.model import SignOff
from cardpress.progress import stage
from cardpress.render.card_charts import card_chart_specs
from cardpress.render.charts import (
    Chart,
    Spec,
    render_svgs,
    scroll_box,
    small_multiples,
    themed,
)
from cardpress.render.compare_data import compare_data
from cardpress.render.fairness.data import fairness_chart_specs, fairness_data, headline
from cardpress.render.fairness.multiclass import (
    multiclass_chart_specs,
    multiclass_csv,
    multiclass_data,
    multiclass_headline,
)
from cardpress.render.fairness.multiclass_scored import multiclass_calibration_csv
from cardpress.render.fairness.regression import (
    overall_results,
    regression_chart_specs,
    regression_data,
    regression_headline,
)
from cardpress.render.fairness.scored import calibration_csv, thresholds_csv
from cardpress.render.fairness.tables import fairness_csv
from cardpress.render.review_data import compliance_data, review_data
from cardpress.render.site_data import home_data, model_data, site_data

GENERATOR = "cardpress"
# Rows of the model page's version table; more versions are listed on pages of this many.
VERSIONS_PER_PAGE = 200


@dataclass(frozen=True)
class RenderedFile:
    """A file of the site: its path inside the site (forward slashes) and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True)
class Extras:
    """What pages beyond the card are made from: fairness reports, sign-offs, check results."""

    fairness: dict[tuple[str, str], SliceReport] = field(default_factory=dict)
    signoffs: tuple[SignOff, ...] = ()
    checks: dict[tuple[str, str], list[RuleResult]] = field(default_factory=dict)
    monitored: frozenset[str] = frozenset()  # models with monitoring rows (a drift timeline)
    cards: dict[tuple[str, str], VersionCard] = field(default_factory=dict)  # planned already


@dataclass(frozen=True)
class PagePlan:
    """A page before rendering: where it goes, its template, its data and its chart specs."""

    path: str
    template: str
    data: dict[str, Any]
    charts: Mapping[str, Chart] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    files: tuple[RenderedFile, ...] = ()  # written beside the page, e.g. a table as CSV


def plan_site(
    site: Site,
    renders: Callable[[str, str], bool] = lambda model, version: True,
    changelog: list[dict[str, Any]] | None = None,
    published_cards: dict[tuple[str, str], dict[str, Any]] | None = None,
    extras: Extras | None = None,
) -> list[PagePlan]:
    """Every page of the site in a stable order.

    Versions that ``renders`` refuses are left out: their published pages are carried over,
    except the live ones (review, compliance), rebuilt for every version. ``published_cards``
    holds the refused versions' card data, to compare new versions with.
    """
    extras = extras or Extras()
    cards = dict(published_cards or {})
    plans = [PagePlan("index.html", "home.html", home_data(site))]
    log = {"kind": "changelog", "entries": list(reversed(changelog or []))}
    plans.append(PagePlan("changelog/index.html", "changelog.html", log))
    for model in site.models:
        base = f"models/{model.name}"
        plans += _model_pages(base, model_data(model))
        target = f"../v/{model.latest.version}/"
        latest = {"kind": "redirect", "model": model.name, "target": target}
        plans.append(PagePlan(f"{base}/latest/index.html", "redirect.html", latest))
        for entry in model.versions:
            if renders(model.name, entry.version):
                plans += _version_pages(site, model, entry, cards, extras)
            plans += _live_pages(model, entry, cards[(model.name, entry.version)], extras)
        compare = compare_data(model, cards)
        plans.append(PagePlan(f"{base}/compare/index.html", "compare.html", compare))
    plans.append(PagePlan("search/index.html", "search.html", {"kind": "search"}))
    plans.append(PagePlan("404.html", "404.html", {"kind": "not-found"}))
    return plans


def _model_pages(base: str, data: dict[str, Any]) -> list[PagePlan]:
    """The model page; past :data:`VERSIONS_PER_PAGE` versions, also a page per block of them.

    The model page lists the newest versions and links to every block. Blocks are counted from
    the oldest version, so a new version changes only the last block (and the model page):
    the others are carried over unchanged by an incremental build.
    """
    rows = data["versions"]  # newest first
    if len(rows) <= VERSIONS_PER_PAGE:
        return [PagePlan(f"{base}/index.html", "model.html", data)]
    oldest = rows[::-1]
    blocks = [oldest[i : i + VERSIONS_PER_PAGE] for i in range(0, len(oldest), VERSIONS_PER_PAGE)]
    pages = [{"number": n, "first": block[0]["version"], "last": block[-1]["version"],
              "count": len(block), "href": f"versions/{n}/index.html"}
             for n, block in enumerate(blocks, start=1)]  # fmt: skip
    shown = {**data, "versions": rows[:VERSIONS_PER_PAGE], "total": len(rows),
             "version_pages": pages}  # fmt: skip
    plans = [PagePlan(f"{base}/index.html", "model.html", shown)]
    for page, block in zip(pages, blocks, strict=True):
        block_data = {"kind": "model-versions", "model": data["model"], "title": data["title"],
                      "page": page, "pages": len(pages), "total": len(rows),
                      "versions": block[::-1]}  # fmt: skip
        plans.append(PagePlan(f"{base}/{page['href']}", "versions.html", block_data))
    return plans


def _version_pages(
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    cards: dict[tuple[str, str], dict[str, Any]],
    extras: Extras,
) -> list[PagePlan]:
    """The frozen pages of a version: card, fairness report, diff against the previous."""
    base = f"models/{model.name}/v/{entry.version}"
    planned = extras.cards.get((model.name, entry.version))
    data, fairness, card_charts = planned or plan_card(site, model, entry, extras.fairness)
    cards[(model.name, entry.version)] = data
    plans = [PagePlan(f"{base}/index.html", "card.html", data, card_charts)]
    plans += [fairness] if fairness is not None else []
    plans.append(_print_page(base, data, card_charts, fairness))
    previous = cards.get((model.name, entry.previous or ""))
    if previous is not None:
        plans.append(PagePlan(f"{base}/diff/index.html", "diff.html", diff_data(previous, data)))
    return plans


# A version's card data, its fairness page (if it has a report) and the card's charts.
VersionCard = tuple[dict[str, Any], "PagePlan | None", dict[str, Chart]]


def plan_card(
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    reports: dict[tuple[str, str], SliceReport],
) -> VersionCard:
    """A version's card and fairness page, planned: their charts can be drawn from now on."""
    data, fairness = version_card(site, model, entry, reports)
    return data, fairness, card_chart_specs(data)


def version_card(
    site: Site,
    model: ModelEntry,
    entry: VersionEntry,
    reports: dict[tuple[str, str], SliceReport],
) -> tuple[dict[str, Any], PagePlan | None]:
    """The card data of a version, with its fairness headline, and its fairness page if any."""
    data = card_data(model, entry)
    report = reports.get((model.name, entry.version))
    page = _fairness_page(site, data, entry, report) if report is not None else None
    if report is not None and page is not None:
        regression = report.task == "regression"
        rows = (regression_headline if regression else multiclass_headline
                if isinstance(report, MulticlassReport) else headline)(page.data)  # fmt: skip
        data["sections"]["quantitative_analyses"]["fairness"] = {
            "href": "fairness/index.html", "headline": rows, "task": report.task
        }  # fmt: skip
        if regression:
            data["sections"]["quantitative_analyses"]["fairness"]["overall"] = overall_results(
                page.data
            )
        details = data["sections"]["model_details"]
        if details["task"] is None:  # not recorded: the task the predictions were read as
            details["task"] = report.task
            details["task_source"] = TASK_INFERRED
        page.data["task_source"] = details["task_source"]
    data["summary_panel"] = card_summary(data)
    return data, page


def _print_page(
    base: str, card: dict[str, Any], card_charts: dict[str, Chart], fairness: PagePlan | None
) -> PagePlan:
    """The card and its fairness report as one document to print (``print.html``, frozen).

    It sits beside the card's ``index.html``, so the card's relative links work unchanged.
    """
    charts = {f"card:{name}": spec for name, spec in card_charts.items()}
    data: dict[str, Any] = {"kind": "print", "card": card, "fairness": None}
    if fairness is not None:
        charts |= {f"fairness:{name}": spec for name, spec in fairness.charts.items()}
        data["fairness"] = fairness.data
    return PagePlan(f"{base}/print.html", "print.html", data, charts)


def _live_pages(
    model: ModelEntry, entry: VersionEntry, card: dict[str, Any], extras: Extras
) -> list[PagePlan]:
    """The pages of a version rebuilt at every build: review (sign-offs, checks), compliance."""
    base = f"models/{model.name}/v/{entry.version}"
    key = (model.name, entry.version)
    review = review_data(model, entry, extras.signoffs, extras.checks.get(key))
    compliance = compliance_data(
        card, review, has_diff=entry.previous is not None, has_drift=model.name in extras.monitored
    )
    return [
        PagePlan(f"{base}/review/index.html", "review.html", review),
        PagePlan(f"{base}/compliance/index.html", "compliance.html", compliance),
    ]


def _fairness_page(
    site: Site, card: dict[str, Any], entry: VersionEntry, report: SliceReport
) -> PagePlan:
    assert entry.run.predictions is not None  # a report exists only for runs with predictions
    charts: dict[str, Chart]
    if isinstance(report, RegressionReport):
        data = regression_data(report, entry.run.predictions, site.config.fairness)
        charts, table = regression_chart_specs(data), fairness_csv(data)
    elif isinstance(report, MulticlassReport):
        data = multiclass_data(report, entry.run.predictions, site.config.fairness)
        charts, table = multiclass_chart_specs(data), multiclass_csv(data)
    else:
        data = fairness_data(report, entry.run.predictions, site.config.fairness)
        charts, table = fairness_chart_specs(data), fairness_csv(data)
    for key in ("model", "title", "version", "record"):
        data[key] = card[key]
    folder = f"models/{card['model']}/v/{card['version']}/fairness"
    files = [RenderedFile(f"{folder}/groups.csv", table)]
    if "thresholds" in data:  # with scores: the calibration and threshold tables as CSV too
        files.append(RenderedFile(f"{folder}/calibration.csv", calibration_csv(data)))
        files.append(RenderedFile(f"{folder}/thresholds.csv", thresholds_csv(data)))
    elif "calibration_method" in data:  # multiclass with class scores: calibration per class
        files.append(RenderedFile(f"{folder}/calibration.csv", multiclass_calibration_csv(data)))
    return PagePlan(f"{folder}/index.html", "fairness.html", data, charts, files=tuple(files))


def render_pages(
    plans: list[PagePlan],
    site: Site,
    env: jinja2.Environment,
    version: str,
    render: Callable[[list[Spec]], list[str]] = render_svgs,
) -> Iterator[RenderedFile]:
    """Render charts (one batch, by ``render``) and templates; each page is followed by its JSON.

    Every spec gets the site's chart theme here; small multiples (a list of specs) become one
    grid of their panels' SVGs. The pages without charts are filled first: charts drawn in
    worker processes are being drawn meanwhile.
    """
    common = {"site": site_data(site), "generator": f"{GENERATOR} {version}"}
    done: dict[int, list[RenderedFile]] = {}
    with stage("pages", len(plans), "pages") as advance:
        for index, plan in enumerate(plans):
            if not plan.charts:
                done[index] = list(_page(env, plan, {**common, **plan.extra, "charts": {}}))
                advance(1)
        charts = _charts(plans, render)
        for index, plan in enumerate(plans):
            if plan.charts:
                context = {**common, **plan.extra, "charts": charts[index]}
                done[index] = list(_page(env, plan, context))
                advance(1)
    for index in range(len(plans)):
        yield from done.pop(index)


def chart_specs(plans: list[PagePlan]) -> list[Spec]:
    """The themed spec of every chart panel of these pages, in the order pages render them."""
    return [themed(spec) for plan in plans for name in sorted(plan.charts)
            for spec in _panels(plan.charts[name])]  # fmt: skip


def _charts(
    plans: list[PagePlan], render: Callable[[list[Spec]], list[str]]
) -> dict[int, dict[str, str]]:
    """Each page's charts as HTML (by index of its plan and chart name), drawn in one batch."""
    svgs = iter(render(chart_specs(plans)))
    charts: dict[int, dict[str, str]] = {}
    for index, plan in enumerate(plans):
        for name in sorted(plan.charts):
            chart = plan.charts[name]
            drawn = [next(svgs) for _ in _panels(chart)]
            single = not isinstance(chart, list)
            charts.setdefault(index, {})[name] = (
                scroll_box(drawn[0]) if single else small_multiples(drawn)
            )
    return charts


def _panels(chart: Chart) -> list[Spec]:
    return chart if isinstance(chart, list) else [chart]


def _page(
    env: jinja2.Environment, plan: PagePlan, context: dict[str, Any]
) -> Iterator[RenderedFile]:
    root = "../" * plan.path.count("/")
    if plan.path == "404.html" and context["site"]["base_url"]:
        # A host serves 404.html at any missing address, however deep: only absolute links work.
        root = context["site"]["base_url"]
    context = {**context, "data": plan.data, "root": root, "path": plan.path}
    html = env.get_template(plan.template).render(context)
    yield RenderedFile(plan.path, html.encode("utf-8"))
    yield RenderedFile(json_path(plan), to_json(plan.data))
    yield from plan.files


def json_path(plan: PagePlan) -> str:
    """Where a page's data is written beside it."""
    return plan.path[: -len(".html")] + ".json"


def output_paths(plan: PagePlan) -> list[str]:
    """Every file a page writes: its HTML, its JSON and the files beside it."""
    return [plan.path, json_path(plan), *(file.path for file in plan.files)]


def to_json(data: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, newline at the end.

    orjson, not the standard library: with an indent, ``json`` falls back to its pure-Python
    encoder, which was a third of the time of a build that adds one version to a large site.
    Floats are written in their shortest round-trip form, as ``json`` does (exponents without
    a leading zero: ``1e-7``).
    """
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
