"""Every page of the site as (path, text): HTML from templates, and the JSON beside each page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2

from cardpress.compute.card import card_data
from cardpress.compute.site import ModelEntry, Site
from cardpress.render.card_charts import card_charts

GENERATOR = "cardpress"


@dataclass(frozen=True)
class RenderedFile:
    """A file of the site: its path inside the site (forward slashes) and its bytes."""

    path: str
    content: bytes


def render_site(site: Site, env: jinja2.Environment, version: str) -> Iterator[RenderedFile]:
    """All pages of ``site``; each HTML page is followed by its ``index.json``."""
    common = {"site": _site_data(site), "generator": f"{GENERATOR} {version}"}
    yield from _page(env, "home.html", "index.html", _home_data(site), common)
    for model in site.models:
        base = f"models/{model.name}"
        yield from _page(env, "model.html", f"{base}/index.html", _model_data(model), common)
        latest = {
            "kind": "redirect",
            "model": model.name,
            "target": f"../v/{model.latest.version}/",
        }
        yield from _page(env, "redirect.html", f"{base}/latest/index.html", latest, common)
        for entry in model.versions:
            data = card_data(model, entry)
            extra = {"charts": card_charts(data)}
            path = f"{base}/v/{entry.version}/index.html"
            yield from _page(env, "card.html", path, data, common, extra)
    missing = {"kind": "not-found"}
    yield from _page(env, "404.html", "404.html", missing, common)


def _page(
    env: jinja2.Environment,
    template: str,
    path: str,
    data: dict[str, Any],
    common: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Iterator[RenderedFile]:
    depth = path.count("/")
    context = {**common, **(extra or {}), "data": data, "root": "../" * depth, "path": path}
    html = env.get_template(template).render(context)
    yield RenderedFile(path, html.encode("utf-8"))
    json_path = path[: -len(".html")] + ".json"
    yield RenderedFile(json_path, to_json(data))


def to_json(data: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, UTF-8, newline at the end."""
    text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _site_data(site: Site) -> dict[str, Any]:
    config = site.config
    return {
        "title": config.title,
        "description": config.description,
        "organisation": config.organisation,
        "built_at": site.built_at.isoformat(),
    }


def _home_data(site: Site) -> dict[str, Any]:
    models = []
    for model in site.models:
        latest = model.latest
        risk = model.narrative.risk_rating if model.narrative else None
        models.append(
            {
                "name": model.name,
                "title": model.title,
                "summary": model.narrative.summary if model.narrative else None,
                "latest_version": latest.version,
                "versions": len(model.versions),
                "status": latest.status,
                "risk": risk,
                "date": (latest.run.ended_at or latest.run.started_at).date().isoformat(),
            }
        )
    return {"kind": "home", "built_at": site.built_at.isoformat(), "models": models}


def _model_data(model: ModelEntry) -> dict[str, Any]:
    versions = []
    for entry in reversed(model.versions):
        run = entry.run
        headline = [
            {"key": m.key, "dataset": m.dataset, "value": m.value}
            for m in run.metrics
            if not m.slice
        ]
        versions.append(
            {
                "version": entry.version,
                "status": entry.status,
                "is_latest": entry.is_latest,
                "run_id": run.run_id,
                "run_status": run.status,
                "started_at": run.started_at.isoformat(),
                "ended_at": run.ended_at.isoformat() if run.ended_at else None,
                "commit": run.code.commit,
                "metrics": sorted(headline, key=lambda m: (m["dataset"], m["key"])),
                "source": str(run.source),
            }
        )
    return {
        "kind": "model",
        "model": model.name,
        "title": model.title,
        "summary": model.narrative.summary if model.narrative else None,
        "latest_version": model.latest.version,
        "versions": versions,
    }
