"""Search entries of published fairness reports, kept by the sha256 of each report's data.

A frozen version's fairness report never changes, but the search index is written again by every
build, and reading each report's data (~95 KB of JSON a version) for its few entries was most of
a second of adding one version to a site of 1,000. ``<records>/.cardpress-cache/
search-<output>.json`` keeps each report's entries with the sha256 its data file has in the
site's manifest and the digest of the code that made them; a report whose data or code differs
is read again. As in the chart cache (:mod:`cardpress.readers.chart_cache`), the file carries the
sha256 of what it keeps: a truncated or edited file is not used. Deleting it only costs time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cardpress.readers.hashing import load_cache, save_cache
from cardpress.readers.page_cache import site_cache_file

FORMAT = 1
Entries = list[dict[str, Any]]
Kept = dict[str, tuple[str, Entries]]  # page path -> (sha256 of its data file, its entries)
_FIELDS = ("kind", "section", "text", "title", "url")


def search_file(records: Path, out: Path) -> Path | None:
    """Where the entries of the site built into ``out`` from ``records`` are kept (or None)."""
    return site_cache_file(records, out, "search")


def load_entries(path: Path | None, code: str) -> Kept:
    """Kept entries made by ``code`` (a digest); empty when missing, foreign or unreadable."""
    found = load_cache(path) if path is not None else {}
    pages = found.get("pages")
    if (found.get("format") != FORMAT or found.get("code") != code or not isinstance(pages, dict)
            or found.get("sha256") != _digest(pages)):  # fmt: skip
        return {}
    return {
        page: (entry[0], entry[1])
        for page, entry in pages.items()
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
        and _entries(entry[1])
    }  # fmt: skip


def save_entries(path: Path | None, code: str, kept: Kept) -> None:
    """Keep this build's entries (only this build's: the file does not grow)."""
    if path is not None:
        pages: dict[str, object] = {page: [sha, entries] for page, (sha, entries) in kept.items()}
        save_cache(path, {"format": FORMAT, "code": code, "pages": pages, "sha256": _digest(pages)})


def _digest(pages: object) -> str:
    text = json.dumps(pages, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _entries(value: object) -> bool:
    """Whether ``value`` is a list of entries as the search index holds them (text fields)."""
    return isinstance(value, list) and all(
        isinstance(entry, dict) and sorted(entry) == list(_FIELDS)
        and all(isinstance(entry[name], str) for name in _FIELDS)
        for entry in value
    )  # fmt: skip
