"""Every page of the site as (path, bytes): HTML from templates, and the JSON beside each page.

Three steps: plan every page (data + chart specs), draw the charts (in the background, as pages
are planned: :mod:`cardpress.chart_feed`), then fill the templates, a batch of pages at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jinja2
import orjson

from cardpress.compute.site import Site
from cardpress.progress import stage
from cardpress.render.charts import (
    Chart,
    Spec,
    render_svgs,
    scroll_box,
    small_multiples,
    themed,
)
from cardpress.render.compare_data import compare_data
from cardpress.render.plans import Extras, PagePlan, RenderedFile
from cardpress.render.site_data import home_data, model_data, site_data
from cardpress.render.version_plans import live_pages, version_pages

GENERATOR = "cardpress"
# Rows of the model page's version table; more versions are listed on pages of this many.
VERSIONS_PER_PAGE = 200
# Pages whose charts are taken (read back or drawn) at once: ~20 charts a version page.
CHART_BATCH = 64


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
    plans = [PagePlan("index.html", "home.html", home_data(site, extras.signoffs))]
    log = {"kind": "changelog", "entries": list(reversed(changelog or []))}
    plans.append(PagePlan("changelog/index.html", "changelog.html", log))
    for model in site.models:
        base = f"models/{model.name}"
        plans += _model_pages(base, model_data(model))
        target = f"../v/{model.latest.version}/"
        latest = {"kind": "redirect", "model": model.name, "target": target}
        plans.append(PagePlan(f"{base}/latest/index.html", "redirect.html", latest))
        # Older versions' review pages link here for the policy's checks, so a new version
        # changes this page, not every older review page.
        review = {**latest, "target": f"../../v/{model.latest.version}/review/", "page": "review"}
        plans.append(PagePlan(f"{base}/latest/review/index.html", "redirect.html", review))
        for entry in model.versions:
            if renders(model.name, entry.version):
                plans += version_pages(site, model, entry, cards, extras)
            plans += live_pages(model, entry, cards[(model.name, entry.version)], extras)
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
        # no count of versions or pages: a new version would change every page, not the last
        block_data = {"kind": "model-versions", "model": data["model"], "title": data["title"],
                      "page": page, "newer": page["number"] < len(pages),
                      "versions": block[::-1]}  # fmt: skip
        plans.append(PagePlan(f"{base}/{page['href']}", "versions.html", block_data))
    return plans


def render_pages(
    plans: list[PagePlan],
    site: Site,
    env: jinja2.Environment,
    version: str,
    render: Callable[[list[Spec]], list[str]] = render_svgs,
) -> Iterator[RenderedFile]:
    """Render charts (by ``render``) and templates; each page is followed by its JSON.

    Every spec gets the site's chart theme here; small multiples (a list of specs) become one
    grid of their panels' SVGs. The pages without charts are filled first (charts drawn in the
    background are being drawn meanwhile), then the others, :data:`CHART_BATCH` pages' charts
    at a time. Each page's files are yielded as soon as it is filled, so a caller that writes
    them as they come holds one batch of pages and charts at a time, not the whole site.
    """
    common = {"site": site_data(site), "generator": f"{GENERATOR} {version}"}
    charted = [plan for plan in plans if plan.charts]
    with stage("pages", len(plans), "pages") as advance:
        for plan in plans:
            if not plan.charts:
                yield from _page(env, plan, {**common, **plan.extra, "charts": {}})
                advance(1)
        with stage("charts", unit="charts"):
            for start in range(0, len(charted), CHART_BATCH):
                batch = charted[start : start + CHART_BATCH]
                for plan, charts in zip(batch, _charts(batch, render), strict=True):
                    yield from _page(env, plan, {**common, **plan.extra, "charts": charts})
                    advance(1)


def chart_specs(plans: list[PagePlan]) -> list[Spec]:
    """The themed spec of every chart panel of these pages, in the order pages render them."""
    return [themed(spec) for plan in plans for name in sorted(plan.charts)
            for spec in _panels(plan.charts[name])]  # fmt: skip


def _charts(
    plans: list[PagePlan], render: Callable[[list[Spec]], list[str]]
) -> list[dict[str, str]]:
    """Each page's charts as HTML (by chart name), in the order of ``plans``, drawn in one batch."""
    svgs = iter(render(chart_specs(plans)))
    charts: list[dict[str, str]] = []
    for plan in plans:
        shown = {}
        for name in sorted(plan.charts):
            chart = plan.charts[name]
            drawn = [next(svgs) for _ in _panels(chart)]
            single = not isinstance(chart, list)
            shown[name] = scroll_box(drawn[0]) if single else small_multiples(drawn)
        charts.append(shown)
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
