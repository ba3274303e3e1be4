"""Every page of the site as (path, bytes): HTML from templates, and the JSON beside each page.

Three steps, so the slow one runs once for the whole site: plan every page (data + chart specs),
render all chart specs in one batch, then fill the templates.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import jinja2

from cardpress.compute.card import card_data
from cardpress.compute.diff import diff_data
from cardpress.compute.fairness import FairnessReport
from cardpress.compute.site import Site, VersionEntry
from cardpress.render.card_charts import card_chart_specs
from cardpress.render.charts import Spec, render_svgs
from cardpress.render.fairness_data import fairness_chart_specs, fairness_data, headline
from cardpress.render.site_data import home_data, model_data, site_data

GENERATOR = "cardpress"


@dataclass(frozen=True)
class RenderedFile:
    """A file of the site: its path inside the site (forward slashes) and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True)
class PagePlan:
    """A page before rendering: where it goes, its template, its data and its chart specs."""

    path: str
    template: str
    data: dict[str, Any]
    charts: dict[str, Spec] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def plan_site(
    site: Site,
    renders: Callable[[str, str], bool] = lambda model, version: True,
    changelog: list[dict[str, Any]] | None = None,
    published_cards: dict[tuple[str, str], dict[str, Any]] | None = None,
    fairness: dict[tuple[str, str], FairnessReport] | None = None,
) -> list[PagePlan]:
    """Every page of the site in a stable order.

    Versions that ``renders`` refuses are left out: their published pages are carried over.
    ``published_cards`` holds those versions' card data, to compare new versions with.
    ``fairness`` holds the fairness report of each version that has one.
    """
    cards = dict(published_cards or {})
    plans = [PagePlan("index.html", "home.html", home_data(site))]
    log = {"kind": "changelog", "entries": list(reversed(changelog or []))}
    plans.append(PagePlan("changelog/index.html", "changelog.html", log))
    for model in site.models:
        base = f"models/{model.name}"
        plans.append(PagePlan(f"{base}/index.html", "model.html", model_data(model)))
        target = f"../v/{model.latest.version}/"
        latest = {"kind": "redirect", "model": model.name, "target": target}
        plans.append(PagePlan(f"{base}/latest/index.html", "redirect.html", latest))
        for entry in model.versions:
            if not renders(model.name, entry.version):
                continue
            data = card_data(model, entry)
            cards[(model.name, entry.version)] = data
            report = (fairness or {}).get((model.name, entry.version))
            if report is not None:
                page = _fairness_page(site, data, entry, report)
                data["sections"]["quantitative_analyses"]["fairness"] = {
                    "href": "fairness/index.html", "headline": headline(page.data)
                }  # fmt: skip
            path = f"{base}/v/{entry.version}/index.html"
            plans.append(PagePlan(path, "card.html", data, card_chart_specs(data)))
            if report is not None:
                plans.append(page)
            previous = cards.get((model.name, entry.previous or ""))
            if previous is not None:
                diff_path = f"{base}/v/{entry.version}/diff/index.html"
                plans.append(PagePlan(diff_path, "diff.html", diff_data(previous, data)))
    plans.append(PagePlan("search/index.html", "search.html", {"kind": "search"}))
    plans.append(PagePlan("404.html", "404.html", {"kind": "not-found"}))
    return plans


def _fairness_page(
    site: Site, card: dict[str, Any], entry: VersionEntry, report: FairnessReport
) -> PagePlan:
    assert entry.run.predictions is not None  # a report exists only for runs with predictions
    data = fairness_data(report, entry.run.predictions, site.config.fairness)
    for key in ("model", "title", "version", "record"):
        data[key] = card[key]
    path = f"models/{card['model']}/v/{card['version']}/fairness/index.html"
    return PagePlan(path, "fairness.html", data, fairness_chart_specs(data))


def render_pages(
    plans: list[PagePlan], site: Site, env: jinja2.Environment, version: str
) -> Iterator[RenderedFile]:
    """Render charts (one batch) and templates; each HTML page is followed by its ``.json``."""
    names = [(index, name) for index, plan in enumerate(plans) for name in sorted(plan.charts)]
    svgs = render_svgs([plans[index].charts[name] for index, name in names])
    charts: dict[int, dict[str, str]] = {}
    for (index, name), svg in zip(names, svgs, strict=True):
        charts.setdefault(index, {})[name] = svg
    common = {"site": site_data(site), "generator": f"{GENERATOR} {version}"}
    for index, plan in enumerate(plans):
        yield from _page(env, plan, {**common, **plan.extra, "charts": charts.get(index, {})})


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
    yield RenderedFile(plan.path[: -len(".html")] + ".json", to_json(plan.data))


def to_json(data: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, newline at the end."""
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
