"""Data of the site-wide pages: the home page and each model's version index."""

from __future__ import annotations

from typing import Any

from cardpress.compute.live_status import contradiction
from cardpress.compute.review import review_state
from cardpress.compute.site import ModelEntry, Site
from cardpress.model import SignOff


def site_data(site: Site) -> dict[str, Any]:
    """What every page's header and footer show about the site."""
    config = site.config
    return {
        "title": config.title,
        "description": config.description,
        "organisation": config.organisation,
        "base_url": config.base_url,
        "built_at": site.built_at.isoformat(),
    }


def home_data(site: Site, signoffs: tuple[SignOff, ...]) -> dict[str, Any]:
    """Models with their newest version, status, risk and date.

    A status the newest version's sign-offs contradict (card.md says approved, the latest
    current sign-off rejected it) says so, as the version's card and review page do.
    """
    models = []
    for model in site.models:
        latest = model.latest
        narrative = model.narrative
        decision = review_state(signoffs, latest.run)["decision"]
        models.append(
            {
                "name": model.name,
                "title": model.title,
                "summary": narrative.summary if narrative else None,
                "latest_version": latest.version,
                "versions": len(model.versions),
                "status": latest.status,
                "contradiction": contradiction(latest.status, decision),
                "risk": narrative.risk_rating if narrative else None,
                "date": (latest.run.ended_at or latest.run.started_at).date().isoformat(),
            }
        )
    return {"kind": "home", "built_at": site.built_at.isoformat(), "models": models}


def model_data(model: ModelEntry) -> dict[str, Any]:
    """A model's versions, newest first, with their headline (unsliced) metrics."""
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
