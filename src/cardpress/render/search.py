"""The search index: an entry per page section, shipped as a script.

Models, version cards section by section, fairness reports, reviews, drift timelines and data
sets. A script file (``search/index.js``) loads from ``file://`` as well as from a web host; a JSON
index fetched with ``fetch()`` would not, because browsers refuse ``fetch`` on file URLs. Each
entry names its page (``title``), its ``section`` and links to that section, so the search page
shows one result per page with the best section and a snippet around the match.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import unescape
from typing import Any

from cardpress.compute.card_data import algorithm_label
from cardpress.compute.site import version_key
from cardpress.xml_text import shown

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
MAX_TEXT = 1200  # characters per section entry: enough to find it, small enough to ship


def search_entries(
    cards: list[dict[str, Any]],
    models: list[dict[str, Any]],
    datasets: list[dict[str, Any]] | None = None,
    pages: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Entries for the models (home page data), every card section, data sets and ``pages``.

    ``pages`` are the entries of fairness, review and drift pages (:func:`page_entries`), page
    by page in the order of their paths. Data sets point to their
    lineage pages (``datasets`` holds those pages' data) when the site has them, else to the
    data set's row in the first card that names it.
    """
    entries = [
        _entry(
            "model",
            m["title"],
            f"models/{m['name']}/index.html",
            "Model",
            " ".join(filter(None, [m["name"], m.get("summary")])),
        )
        for m in models
    ]
    seen_datasets: set[tuple[str, str]] = set()
    for card in cards:
        url = f"models/{card['model']}/v/{card['version']}/index.html"
        entries += _card_entries(card, url)
        if datasets is None:
            entries += _dataset_entries(card, url, seen_datasets)
    entries += [_lineage_entry(d) for d in datasets or []]
    entries += pages
    # shown as the pages show them: a result is drawn with textContent, which would hide or
    # reorder text as the name in the record does
    entries = [{**e, "title": shown(e["title"]), "text": shown(e["text"])}
               for e in entries if e["text"] or e["kind"] == "model"]  # fmt: skip
    # Titles in natural order ("m 1.0.0-rc1" < "m 1.0.0" < "m 9" < "m 10", each page's card
    # before its review): the search page lists results that score the same in this order.
    return sorted(entries, key=lambda e: (version_key(e["title"]), e["kind"], e["title"], e["url"]))


def search_script(entries: list[dict[str, Any]]) -> bytes:
    """``search/index.js``: the entries as a global the search page reads."""
    return script_global("CARDPRESS_SEARCH", entries)


def script_global(name: str, value: Any) -> bytes:
    """A script that sets ``window.NAME`` to ``value``: data a page loads from file:// too.

    (A page opened from disk cannot fetch JSON, but it can load a script.)
    """
    payload = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    safe = payload.replace("</", "<\\/")  # never closes a <script> element, wherever it lands
    return f"window.{name} = {safe};\n".encode()


def _entry(kind: str, title: str, url: str, section: str, text: str) -> dict[str, Any]:
    return {"kind": kind, "title": title, "url": url, "section": section,
            "text": _clean(text)[:MAX_TEXT]}  # fmt: skip


def _card_entries(card: dict[str, Any], url: str) -> list[dict[str, Any]]:
    """One entry per section of a version card, linking to the section."""
    title = f"{card['title']} {card['version']}"
    sections = card["sections"]
    titles = card["section_titles"]
    details = sections["model_details"]
    risk = details.get("risk") or {}
    about = [
        card["model"], card.get("summary") or "", _strip(card.get("intro_html", "")),
        algorithm_label(details) or "", details.get("model_type") or "",
        f"status {card.get('status') or ''}", f"risk {risk.get('rating') or ''}",
        details.get("license") or "", details.get("description") or "", details["run"]["id"],
        details["code"]["commit"] or "", *[o["name"] for o in details["owners"]],
        *details["tags"], _strip(details.get("narrative", "")),
    ]  # fmt: skip
    entries = [_entry("version", title, f"{url}#model_details", titles["model_details"],
                      " ".join(about))]  # fmt: skip
    extra = {
        "intended_use": [*sections["intended_use"].get("uses", []),
                         *sections["intended_use"].get("users", []),
                         *sections["intended_use"].get("out_of_scope", [])],
        "factors": list(sections["factors"].get("sensitive_columns", [])),
        "metrics": [m["key"] for m in sections["metrics"]["reported"]],
        "evaluation_data": _dataset_names(sections["evaluation_data"].get("datasets", [])),
        "training_data": _dataset_names(sections["training_data"].get("datasets", [])),
        "quantitative_analyses": _group_values(sections["quantitative_analyses"]),
    }  # fmt: skip
    for section_id, section in sections.items():
        if section_id == "model_details":
            continue
        text = " ".join([*extra.get(section_id, []), _strip(section.get("narrative", ""))])
        entries.append(_entry("version", title, f"{url}#{section_id}",
                              titles.get(section_id, section_id), text))  # fmt: skip
    for index, added in enumerate(card.get("additional_sections", []), start=1):
        entries.append(_entry("version", title, f"{url}#extra-{index}", added["heading"],
                              _strip(added["html"])))  # fmt: skip
    return entries


def _dataset_names(datasets: list[dict[str, Any]]) -> list[str]:
    return [str(part) for d in datasets for part in (d["id"], d.get("name")) if part]


def _group_values(quantitative: dict[str, Any]) -> list[str]:
    groups = [r["group"] for r in quantitative.get("disaggregated", []) if r.get("group")]
    for row in (quantitative.get("fairness") or {}).get("headline", []):
        groups += [row["grouping"], *row["flagged"]]
    return list(dict.fromkeys(groups))


def page_entries(path: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Entries of a fairness report, a review page or a drift timeline."""
    kind = data.get("kind")
    if kind == "fairness-report":
        title = f"{data['title']} {data['version']}: fairness report"
        entries = []
        for grouping in data["groupings"]:
            labels = [g["label"] for g in grouping["groups"]]
            # a multiclass grouping lists its flags itself, as "group (class)"; a regression none
            rules = grouping.get("four_fifths") or {"rows": []}
            flagged = grouping.get("flagged") or [
                r["label"] for r in rules["rows"] if r["status"] == "flagged"
            ]  # fmt: skip
            unsure = grouping.get("not_significant") or [
                r["label"] for r in rules["rows"] if r["status"] == "below-not-significant"
            ]  # fmt: skip
            words = [grouping["name"], *labels]
            words += ["four-fifths flagged", *flagged] if flagged else []
            words += ["four-fifths below not significant", *unsure] if unsure else []
            text = " ".join(words)
            entries.append(_entry("fairness", title, f"{path}#{grouping['id']}",
                                  f"By {grouping['name']}", text))  # fmt: skip
        return entries
    if kind == "review":
        review = data["review"]
        people = [f"{s['name']} {s['role']} {s['decision']} {s.get('conditions') or ''}"
                  for s in review["signoffs"]]  # fmt: skip
        text = " ".join([f"status {data.get('status') or ''}",
                         f"decision {review['decision'] or 'none'}", *people])  # fmt: skip
        title = f"{data['title']} {data['version']}: review"
        return [_entry("review", title, path, "Sign-offs", text)]
    if kind == "drift" and isinstance(data.get("features"), list):
        names = [str(f.get("name")) for f in data["features"] if isinstance(f, dict)]
        drifted = [str(f.get("name")) for f in data["features"]
                   if isinstance(f, dict) and f.get("windows_drifted")]  # fmt: skip
        text = " ".join([*names, *(["drifted", *drifted] if drifted else [])])
        return [_entry("drift", f"{data['title']}: drift", path, "Features", text)]
    return []


def _dataset_entries(
    card: dict[str, Any], url: str, seen: set[tuple[str, str]]
) -> list[dict[str, Any]]:
    sections = card["sections"]
    datasets = sections["evaluation_data"]["datasets"] + sections["training_data"]["datasets"]
    datasets += sections["training_data"]["other_datasets"]
    entries = []
    for dataset in datasets:
        key = (dataset["uri"], dataset["sha256"])
        if key in seen:
            continue
        seen.add(key)
        text = " ".join(filter(None, [dataset["id"], dataset.get("name"), dataset["uri"],
                                      dataset["sha256"], dataset.get("description")]))  # fmt: skip
        title = dataset.get("name") or dataset["id"]
        entries.append(_entry("dataset", title, f"{url}#dataset-{dataset['id']}", "Data set", text))
    return entries


def _lineage_entry(dataset: dict[str, Any]) -> dict[str, Any]:
    text = " ".join(
        [dataset["label"], *dataset["names"], *dataset["uris"], dataset["sha256"] or ""]
    )
    return _entry("dataset", dataset["label"], dataset["href"], "Data set", text)


def _strip(html: str) -> str:
    return unescape(_TAGS.sub(" ", html))


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
