"""The search index: one entry per model, version and data set, shipped as a script.

A script file (``search/index.js``) loads from ``file://`` as well as from a web host; a JSON
index fetched with ``fetch()`` would not, because browsers refuse ``fetch`` on file URLs.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
MAX_TEXT = 2000  # characters of card text per version; enough to find it, small enough to ship


def search_entries(
    cards: list[dict[str, Any]],
    models: list[dict[str, Any]],
    datasets: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Entries for the models (home page data), every version's card (card data) and data sets.

    Data sets point to their lineage pages (``datasets`` holds those pages' data) when the site
    has them, else to the data set's row in the first card that names it.
    """
    entries = [
        {
            "kind": "model",
            "title": m["title"],
            "url": f"models/{m['name']}/index.html",
            "text": _clean(" ".join(filter(None, [m["name"], m.get("summary")]))),
        }
        for m in models
    ]
    seen_datasets: set[tuple[str, str]] = set()
    for card in cards:
        url = f"models/{card['model']}/v/{card['version']}/index.html"
        entries.append(
            {
                "kind": "version",
                "title": f"{card['title']} {card['version']}",
                "url": url,
                "text": _card_text(card)[:MAX_TEXT],
            }
        )
        if datasets is None:
            entries += _dataset_entries(card, url, seen_datasets)
    entries += [_lineage_entry(d) for d in datasets or []]
    return sorted(entries, key=lambda e: (e["kind"], e["title"], e["url"]))


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


def _card_text(card: dict[str, Any]) -> str:
    sections = card["sections"]
    details = sections["model_details"]
    parts = [card["model"], card.get("summary") or "", _strip(card.get("intro_html", ""))]
    parts += [o["name"] for o in details["owners"]]
    parts += [details.get("model_type") or "", details.get("license") or ""]
    parts += [
        details.get("description") or "",
        details["run"]["id"],
        details["code"]["commit"] or "",
    ]
    parts += details["tags"] + sections["intended_use"]["uses"]
    parts += [m["key"] for m in sections["metrics"]["reported"]]
    parts += [_strip(s.get("narrative", "")) for s in sections.values()]
    parts += [_strip(extra["html"]) for extra in card.get("additional_sections", [])]
    return _clean(" ".join(parts))


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
        entries.append(
            {
                "kind": "dataset",
                "title": dataset.get("name") or dataset["id"],
                "url": f"{url}#dataset-{dataset['id']}",
                "text": _clean(text),
            }
        )
    return entries


def _lineage_entry(dataset: dict[str, Any]) -> dict[str, Any]:
    text = " ".join(
        [dataset["label"], *dataset["names"], *dataset["uris"], dataset["sha256"] or ""]
    )
    return {
        "kind": "dataset",
        "title": dataset["label"],
        "url": dataset["href"],
        "text": _clean(text),
    }


def _strip(html: str) -> str:
    return unescape(_TAGS.sub(" ", html))


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
