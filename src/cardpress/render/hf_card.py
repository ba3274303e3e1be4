"""A version's model card as a Hugging Face model card: YAML metadata, then Markdown.

Made from the same card data as the card page, so the two cannot disagree. The metadata follows
the Hub's model card specification (``license``, ``tags``, ``datasets``, ``metrics`` and a
``model-index`` of evaluation results); the body keeps the Mitchell et al. sections. Narrative
from ``card.md`` is carried as its sanitised HTML, which the Hub renders inside Markdown.
"""

from __future__ import annotations

import json
from typing import Any

from cardpress.render.hf_links import card_url, hub_license, site_links

# yaml and the jinja2 environment (for format_number) are imported where used: the command line
# reads DEFAULT_TASK from here for its --help, which must not load them.

DEFAULT_TASK = "tabular-classification"
# the card's task (recorded or inferred) -> the Hub's pipeline tag
PIPELINE_TAGS = {
    "binary": "tabular-classification",
    "multiclass": "tabular-classification",
    "regression": "tabular-regression",
}
# metric keys as runs often name them -> the Hub's metric ids (evaluate's names)
HUB_METRICS = {
    "mae": "mae", "mean_absolute_error": "mae", "mse": "mse", "mean_squared_error": "mse",
    "rmse": "rmse", "root_mean_squared_error": "rmse", "r2": "r_squared",
    "r2_score": "r_squared", "r_squared": "r_squared", "accuracy": "accuracy", "f1": "f1",
    "precision": "precision", "recall": "recall", "roc_auc": "roc_auc",
}  # fmt: skip


def hf_card(
    card: dict[str, Any],
    task: str | None = None,
    base_url: str | None = None,
    license_link: str | None = None,
) -> str:
    """The README.md of a Hugging Face model repository for the version in ``card``.

    ``base_url`` is the audit site's public URL (ending in ``/``): card.md's relative links
    point into the site, so they become absolute under it, or plain text without it.
    ``license_link`` is where the text of a licence the Hub does not know is.
    """
    import yaml

    meta = hf_metadata(card, task, license_link)
    front = yaml.safe_dump(meta, sort_keys=True, allow_unicode=True)
    page = card_url(card, base_url) if base_url else None
    return f"---\n{front}---\n\n" + "\n\n".join(_body(card, page)) + "\n"


def hub_task(card: dict[str, Any]) -> str:
    """The Hub task of the card's model: from its task, else tabular-classification."""
    return PIPELINE_TAGS.get(card["sections"]["model_details"].get("task") or "", DEFAULT_TASK)


def hf_metadata(
    card: dict[str, Any], task: str | None = None, license_link: str | None = None
) -> dict[str, Any]:
    """The card's YAML metadata: licence, library, tags, pipeline tag, data sets, metrics, index.

    ``task`` (a Hub task type) overrides the one the card's task gives. Keys whose facts are not
    recorded (no card.md, no licence, no evaluation data) are left out; so is ``license_link``
    unless given (only an ``other`` licence takes one).
    """
    details = card["sections"]["model_details"]
    task = task or hub_task(card)
    meta: dict[str, Any] = {"tags": sorted({"cardpress", *(details.get("tags") or [])})}
    meta["pipeline_tag"] = task
    licence = hub_license(card)
    if licence:
        meta["license"], name = licence
        if name is not None:
            meta["license_name"] = name
            if license_link:
                meta["license_link"] = license_link
    library = library_name(details.get("algorithm"))
    if library:
        meta["library_name"] = library
    datasets = _datasets(card)
    if datasets:
        meta["datasets"] = sorted({d["id"] for d in datasets})
    overall = _evaluation_results(card)
    if overall:
        meta["metrics"] = sorted({m["key"] for m in overall})
        meta["model-index"] = [{"name": card["model"], "results": _results(card, overall, task)}]
    return meta


# The Hub's library ids where they differ from the distribution's name on PyPI.
_HUB_LIBRARIES = {"scikit-learn": "sklearn", "torch": "pytorch", "tf-keras": "tf-keras",
                  "sentence-transformers": "sentence-transformers"}  # fmt: skip


def library_name(algorithm: dict[str, Any] | None) -> str | None:
    """The Hub's ``library_name`` for the recorded library: ``scikit-learn`` → ``sklearn``."""
    library = (algorithm or {}).get("library")
    if not library:
        return None
    name = str(library).strip().lower().replace("_", "-")
    return _HUB_LIBRARIES.get(name, name) or None


def _evaluation_results(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Unsliced metrics measured on evaluation data: the results the model index may hold.

    A metric on training data (or on a data set the run does not list) describes the fit, not
    the model's performance, and stays in the body only.
    """
    evaluation = {d["id"] for d in card["sections"]["evaluation_data"]["datasets"]}
    overall = card["sections"]["quantitative_analyses"]["overall"]
    return [m for m in overall if m["dataset"] in evaluation]


def _results(card: dict[str, Any], overall: list[dict[str, Any]], task: str) -> list[Any]:
    """One result per evaluation data set, with its unsliced metrics (slices are in the body)."""
    by_id = {d["id"]: d for d in _datasets(card)}
    results = []
    for dataset_id in sorted({m["dataset"] for m in overall}):
        dataset = by_id.get(dataset_id, {})
        metrics = [
            {
                "type": HUB_METRICS.get(m["key"].lower(), m["key"]),
                "name": m["key"],
                "value": m["value"],
            }
            for m in overall
            if m["dataset"] == dataset_id
        ]
        entry = {"name": dataset.get("name") or dataset_id, "type": dataset_id}
        if dataset.get("role"):
            entry["split"] = dataset["role"]
        results.append({"task": {"type": task}, "dataset": entry, "metrics": metrics})
    return results


def _datasets(card: dict[str, Any]) -> list[dict[str, Any]]:
    sections = card["sections"]
    training = sections["training_data"]
    evaluation = sections["evaluation_data"]["datasets"]
    return [*evaluation, *training["datasets"], *training["other_datasets"]]


def _body(card: dict[str, Any], page: str | None) -> list[str]:
    """The Markdown body; ``page``: the card page's public URL, which relative links are under."""
    details = card["sections"]["model_details"]
    parts = [f"# {_text(card['title'])} — version {_text(card['version'])}"]
    if card["summary"]:
        parts.append(_paragraph(card["summary"]))
    risk = details.get("risk") or {}
    facts = [
        ("Status", card["status"] or "not set"),
        ("Risk rating", risk.get("rating") or "not rated"),
        ("Model type", details.get("model_type") or "not documented"),
        ("Licence", details.get("license") or "not documented"),
        ("Trained", details["run"]["started_at"]),
        ("Run", f"{details['run']['id']} ({details['run']['status']})"),
        ("Code version", details["code"].get("commit") or "not recorded"),
        ("Record", f"{card['record']['file']} (sha256 {card['record']['sha256']})"),
    ]
    parts.append(_table(["Fact", "Value"], [[k, str(v)] for k, v in facts]))  # escaped there
    if card["intro_html"]:
        parts.append(site_links(card["intro_html"], page))
    for section_id, title in card["section_titles"].items():
        section = _section(section_id, card["sections"][section_id])
        parts += [f"## {title}", *(site_links(part, page) for part in section)]
    for extra in card["additional_sections"]:
        parts += [f"## {_text(extra['heading'])}", site_links(extra["html"], page)]
    missing = card["completeness"]["missing"]
    if missing:
        parts.append("**Not documented:** " + ", ".join(_text(str(m)) for m in missing) + ".")
    site_card = f"[audit site's card of this version]({page})" if page else (
        "audit site's card of this version")  # fmt: skip
    parts.append(
        f"*Exported by cardpress from `{card['record']['file']}`; the {site_card} is the "
        "reference.*"
    )
    return parts


def _section(section_id: str, section: dict[str, Any]) -> list[str]:
    """Facts of a section as Markdown tables and lists, then its narrative."""
    parts: list[str] = []
    if section_id == "model_details":
        parts += _owners(section)
        params = [[p["name"], _literal(p["value"])] for p in section["params"]]
        if params:
            parts.append(_table(["Parameter", "Value"], params))
    elif section_id == "intended_use":
        for label, key in (("Uses", "uses"), ("Users", "users"), ("Out of scope", "out_of_scope")):
            if section[key]:
                parts.append(f"**{label}:**\n\n" + "\n".join(f"- {_text(u)}" for u in section[key]))
    elif section_id in ("evaluation_data", "training_data"):
        datasets = section["datasets"] + section.get("other_datasets", [])
        if datasets:
            rows = [[d["id"], d["role"], d["uri"], _count(d["rows"]),
                     Code(d["sha256"]) if d["sha256"] else "not recorded"]
                    for d in datasets]  # fmt: skip
            parts.append(_table(["Data set", "Role", "Location", "Rows", "sha256"], rows))
    elif section_id == "quantitative_analyses":
        parts += _metric_tables(section)
    if section.get("narrative"):
        parts.append(section["narrative"])
    return parts or ["Not documented."]


def _owners(details: dict[str, Any]) -> list[str]:
    owners = [f"- {_text(o['name'])} ({_text(o['role'] or 'owner')})"
              + (f" — {_text(o['contact'])}" if o.get("contact") else "")
              for o in details["owners"]]  # fmt: skip
    return ["**Owners:**\n\n" + "\n".join(owners)] if owners else []


def _metric_tables(section: dict[str, Any]) -> list[str]:
    from cardpress.render.env import format_number

    parts = []
    for rows, caption in ((section["overall"], "Overall"), (section["disaggregated"], "By group")):
        if rows:
            body = [[m["key"], m["dataset"], _group(m), format_number(m["value"]), _ci(m)]
                    for m in rows]  # fmt: skip
            heading = ["Metric", "Data set", "Group", "Value", "95% interval"]
            parts.append(f"**{caption}:**\n\n" + _table(heading, body))
    curves = section.get("curves") or []
    if curves:
        rows = [[c["key"], c["dataset"] or "—", str(len(c["points"])), format_number(c["first"]),
                 format_number(c["final"])] for c in curves]  # fmt: skip
        heading = ["Metric", "Data set", "Steps", "First", "Final"]
        title = "**Training curves** (logged per step; not results):"
        parts.append(f"{title}\n\n" + _table(heading, rows))
    fairness = section.get("fairness")
    if fairness and fairness.get("task") == "regression":
        rows = [[f["grouping"], _text(str(f["regression"]["worst_group"] or "undefined")),
                 format_number(f["regression"]["worst_mae"]),
                 format_number(f["regression"]["overall_mae"]),
                 format_number(f["regression"]["mae_ratio"]),
                 format_number(f["regression"]["bias_difference"])]
                for f in fairness["headline"]]  # fmt: skip
        heading = ["Grouping", "Worst group (MAE)", "Its MAE", "MAE, all rows", "MAE ratio",
                   "Bias difference"]  # fmt: skip
        parts.append("**Errors by group (headline gaps):**\n\n" + _table(heading, rows))
    elif fairness:
        rows = [[f["grouping"], format_number(f["parity"]["demographic_parity_ratio"]),
                 format_number(f["parity"]["equalized_odds_difference"]),
                 format_number(f["auc_difference"]), _four_fifths(f)]
                for f in fairness["headline"]]  # fmt: skip
        heading = ["Grouping", "Selection-rate ratio", "Equalized odds diff.", "AUC diff.",
                   "Four-fifths flags"]  # fmt: skip
        parts.append("**Fairness (headline disparities):**\n\n" + _table(heading, rows))
    return parts


def _group(metric: dict[str, Any]) -> str:
    return f"{metric['group_columns']} = {metric['group']}" if metric["group"] else "all"


def _ci(metric: dict[str, Any]) -> str:
    from cardpress.render.env import format_number

    ci = metric.get("ci")
    if not ci:
        return "—"
    return f"{format_number(ci['lower'])} – {format_number(ci['upper'])}"


def _count(rows: int | None) -> str:
    return f"{rows:,}" if rows is not None else "—"


class Code(str):
    """A table cell shown as code: Markdown does not interpret a code span's content."""

    __slots__ = ()


def _literal(value: Any) -> Code:
    text = "null" if value is None else value if isinstance(value, str) else json.dumps(value)
    return Code(text)


def _table(heading: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(heading) + " |", "|" + "---|" * len(heading)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: str) -> str:
    """A table cell: record text escaped, code in a code span; no cell can break the row."""
    if isinstance(value, Code):
        text = " ".join(value.replace("`", "'").split())
        return f"`{text}`".replace("|", "\\|")
    return _text(value).replace("|", "\\|")


def _text(value: str) -> str:
    """Record text made inert in Markdown: no HTML tags, links, images, emphasis or headings.

    Underscores stay: GitHub-flavoured Markdown (the Hub's) does not read them inside words.
    """
    escaped = (
        " ".join(value.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    for char in "\\[]*`":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


def _paragraph(value: str) -> str:
    """Record text as a paragraph of its own: also no heading, list or quote from its start."""
    text = _text(value)
    return "\\" + text if text.startswith(("#", "-", "+", "=", "1.")) else text


def _four_fifths(row: dict[str, Any]) -> str:
    """Groups flagged (significantly below), then those below but not significantly."""
    # no verdict reached (every group too small, or none selected) is not "none below"
    found = ", ".join(row["flagged"]) or ("not judged" if row.get("judged") == 0 else "none")
    unsure = row.get("not_significant") or []
    return found + (f"; below but not significantly: {', '.join(unsure)}" if unsure else "")
