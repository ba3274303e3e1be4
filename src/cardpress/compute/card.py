"""The model card of one version: every Mitchell et al. (2019) section, facts and narrative.

Facts come from the run record and carry their source (``runs/x.json:12``); narrative comes from
``card.md``. The result is plain JSON-able data: the HTML page and the ``.json`` beside it are
rendered from the same dict, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

from cardpress.compute.card_data import (
    curves_data,
    datasets_data,
    final_metrics,
    metric_data,
    model_details,
    run_source,
)
from cardpress.compute.site import ModelEntry, VersionEntry
from cardpress.model import Narrative, NarrativeSection, Run

# Section id, title, and the card.md headings (lower case) that fill it.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("model_details", "Model details", ("model details", "details", "overview")),
    ("intended_use", "Intended use", ("intended use", "intended uses", "uses")),
    ("factors", "Factors", ("factors", "relevant factors")),
    ("metrics", "Metrics", ("metrics", "metric definitions", "performance metrics")),
    ("evaluation_data", "Evaluation data", ("evaluation data", "evaluation datasets")),
    ("training_data", "Training data", ("training data", "training datasets")),
    ("quantitative_analyses", "Quantitative analyses", ("quantitative analyses", "results")),
    ("ethical_considerations", "Ethical considerations", ("ethical considerations", "ethics")),
    (
        "caveats_and_recommendations",
        "Caveats and recommendations",
        ("caveats and recommendations", "caveats", "recommendations", "limitations"),
    ),
)
EVALUATION_ROLES = ("evaluation", "test", "validation")
# The fields of a section that card.md's front matter gives; the rest of a section (but its
# narrative) comes from the run record.
FRONT_MATTER_FIELDS: dict[str, tuple[str, ...]] = {
    "model_details": ("owners", "contacts", "license", "risk", "references", "citation", "tags"),
    "intended_use": ("uses", "users", "out_of_scope"),
}


def in_section_order(card: dict[str, Any]) -> dict[str, Any]:
    """``card`` with its sections (and their titles) in the card's order, as ``card_data`` gives.

    Page JSON is written with sorted keys, so a card read back from a published ``index.json``
    has its sections alphabetical; the search text and the compare page's narrative diff follow
    this order, and must not change when a version is carried over instead of rendered.
    Sections this version of cardpress does not know keep their place after the known ones.
    """
    rank = {section_id: index for index, (section_id, _, _) in enumerate(SECTIONS)}
    ordered = dict(card)
    for key in ("section_titles", "sections"):
        if isinstance(card.get(key), dict):
            items = sorted(card[key].items(), key=lambda item: rank.get(item[0], len(rank)))
            ordered[key] = dict(items)
    return ordered


def card_data(model: ModelEntry, entry: VersionEntry) -> dict[str, Any]:
    """All the card of ``entry`` shows, as JSON-able data."""
    run, narrative = entry.run, model.narrative
    told = narrative_data(model, entry)  # what card.md gives: the same values everywhere
    sections = {
        "model_details": told["sections"]["model_details"],
        "intended_use": told["sections"]["intended_use"],
        "factors": _factors(run),
        "metrics": _metric_definitions(run),
        "evaluation_data": {"datasets": datasets_data(run, EVALUATION_ROLES)},
        "training_data": {
            "datasets": datasets_data(run, ("train",)),
            "other_datasets": datasets_data(run, ("reference", "other")),
        },
        "quantitative_analyses": _quantitative(run),
        "ethical_considerations": {},
        "caveats_and_recommendations": {},
    }
    for section_id, section in sections.items():
        section["narrative"] = told["sections"][section_id]["narrative"]
    return {
        "kind": "model-card",
        "model": model.name,
        "title": model.title,
        "version": run.version,
        "status": entry.status,
        "is_latest": entry.is_latest,
        "latest_version": model.latest.version,
        "previous_version": entry.previous,
        "next_version": entry.next,
        "summary": told["summary"],
        "intro_html": told["intro_html"],
        "record": {"file": run.source.file, "sha256": run.digest, "run_id": run.run_id},
        "narrative_file": narrative.source.file if narrative else None,
        "section_titles": {sid: title for sid, title, _ in SECTIONS},
        "sections": sections,
        "additional_sections": told["additional_sections"],
        "completeness": completeness(sections, run, narrative),
    }


def narrative_data(model: ModelEntry, entry: VersionEntry) -> dict[str, Any]:
    """What of :func:`card_data` card.md and the front matter give, computed without the rest.

    The same values as ``card_data`` for the title, summary, intro, extra sections, status, each
    section's narrative, the model details and the intended use; the record's metrics, data sets
    and analyses are left out (checking every published version for card.md edits each build
    spent most of its time on them).
    """
    run, narrative = entry.run, model.narrative
    narrative_by_section, extra = _match_sections(narrative)
    sections: dict[str, dict[str, Any]] = {section_id: {} for section_id, _, _ in SECTIONS}
    sections["model_details"] = model_details(run, narrative, entry.status)
    sections["intended_use"] = _intended_use(narrative)
    for section_id, section in sections.items():
        section["narrative"] = narrative_by_section.get(section_id, "")
    return {
        "title": model.title,
        "status": entry.status,
        "summary": narrative.summary if narrative else None,
        "intro_html": narrative.intro_html if narrative else "",
        "sections": sections,
        "additional_sections": extra,
    }


def completeness(
    sections: dict[str, dict[str, Any]], run: Run, narrative: Narrative | None
) -> dict[str, Any]:
    """Which sections and key fields are documented, and where from."""
    rows = []
    for section_id, title, _ in SECTIONS:
        section = sections[section_id]
        told = FRONT_MATTER_FIELDS.get(section_id, ())
        sources = []
        if any(v for k, v in section.items() if k != "narrative" and k not in told):
            sources.append(run.source.file)
        if section.get("narrative") or any(section.get(k) for k in told):
            sources.append(narrative.source.file if narrative else "card.md")
        rows.append({"id": section_id, "title": title, "documented_by": sources})
    details = sections["model_details"]
    fields = {
        "owners": bool(details["owners"]),
        "licence": bool(details["license"]),
        "risk rating": bool(details["risk"]),
        "status": bool(details["status"]),
        "code version": bool(details["code"]["commit"]),
        "environment": bool(details["environment"]["python"] or details["environment"]["packages"]),
        "out-of-scope use": bool(sections["intended_use"]["out_of_scope"]),
    }
    missing = [r["title"] for r in rows if not r["documented_by"]]
    missing += [name for name, present in fields.items() if not present]
    return {"sections": rows, "fields": fields, "missing": missing}


def _match_sections(narrative: Narrative | None) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Assign card.md sections to card sections by heading; keep unknown ones, in order."""
    if narrative is None:
        return {}, []
    matched: dict[str, str] = {}
    extra = []
    for section in narrative.sections:
        section_id = _section_id(section.heading)
        if section_id is None:
            extra.append(_extra(section))
        else:
            matched[section_id] = (matched.get(section_id, "") + "\n" + section.html).strip()
    return matched, extra


def _section_id(heading: str) -> str | None:
    wanted = " ".join(heading.lower().replace("&", "and").replace(":", " ").split())
    for section_id, _, headings in SECTIONS:
        if wanted in headings:
            return section_id
    return None


def _extra(section: NarrativeSection) -> dict[str, Any]:
    return {"heading": section.heading, "html": section.html, "source": str(section.source)}


def _intended_use(narrative: Narrative | None) -> dict[str, Any]:
    if narrative is None:
        return {"uses": [], "users": [], "out_of_scope": []}
    return {
        "uses": list(narrative.intended_use),
        "users": list(narrative.primary_users),
        "out_of_scope": list(narrative.out_of_scope_use),
    }


def _factors(run: Run) -> dict[str, Any]:
    sensitive = list(run.predictions.sensitive) if run.predictions else []
    sliced = sorted({column for m in run.metrics for column, _ in m.slice})
    return {
        "sensitive_columns": sensitive,
        "slice_columns": sliced,
        "source": run_source(run.predictions.source) if run.predictions else None,
    }


def _metric_definitions(run: Run) -> dict[str, Any]:
    keys: dict[str, dict[str, Any]] = {}
    for metric, count in final_metrics(run.metrics):
        entry = keys.setdefault(
            metric.key,
            {"key": metric.key, "datasets": [], "thresholds": [], "values": [],
             "threshold_free": is_threshold_free(metric.key)},
        )  # fmt: skip
        if metric.dataset not in entry["datasets"]:
            entry["datasets"].append(metric.dataset)
        if metric.threshold is not None and metric.threshold not in entry["thresholds"]:
            entry["thresholds"].append(metric.threshold)
        if not metric.slice:
            value = metric_data(metric, count)
            shown = ("dataset", "value", "ci", "step", "recorded")
            entry["values"].append({k: value[k] for k in shown if k in value})
        entry.setdefault("description", metric.description)
    return {"reported": [keys[k] for k in sorted(keys)]}


# Metrics of scores over every threshold: no decision threshold applies to them.
THRESHOLD_FREE = frozenset(
    {"average_precision", "ap", "log_loss", "logloss", "cross_entropy", "brier", "brier_score",
     "brier_score_loss", "ece", "expected_calibration_error"}
)  # fmt: skip


def is_threshold_free(key: str) -> bool:
    """True for ranking and probability metrics: any ``*auc*`` key, log loss, Brier score, AP."""
    name = key.lower()
    return "auc" in name or name in THRESHOLD_FREE


def _quantitative(run: Run) -> dict[str, Any]:
    final = final_metrics(run.metrics)
    overall = [metric_data(m, count) for m, count in final if not m.slice]
    sliced = [metric_data(m, count) for m, count in final if m.slice]
    overall.sort(key=lambda m: (m["dataset"], m["key"]))
    sliced.sort(key=lambda m: (m["group_columns"], m["key"], m["dataset"], m["group"]))
    # "fairness" is filled in when the version has a fairness report (see render.pages)
    return {"overall": overall, "disaggregated": sliced, "fairness": None,
            "curves": curves_data(run)}  # fmt: skip
