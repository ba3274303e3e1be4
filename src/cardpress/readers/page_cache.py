"""What each page of the last build was made from, so an unchanged page is carried over.

For each page, ``<records>/.cardpress-cache/pages-<output>.json`` keeps the digest of its
inputs and the sha256 of every file it wrote (the HTML, its JSON, files beside it). A page whose
inputs have the same digest is carried over from the previous site, but only when each of its
files there still has the recorded sha256: an edited or missing file is rendered again.
Deleting the cache only costs time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from functools import cache
from pathlib import Path

from cardpress.readers.chart_cache import cache_folder
from cardpress.readers.hashing import load_cache, save_cache

FORMAT = 1
Outputs = dict[str, str]  # file path in the site -> sha256


def pages_file(records: Path, out: Path) -> Path | None:
    """Where the page digests of the site built into ``out`` from ``records`` are kept.

    None when the cache folder cannot be used (see :func:`chart_cache.cache_folder`).
    """
    return site_cache_file(records, out, "pages")


def site_cache_file(records: Path, out: Path, kind: str) -> Path | None:
    """``<records>/.cardpress-cache/<kind>-<output>.json``: a cache kept for one output folder.

    None when the cache folder cannot be used (see :func:`chart_cache.cache_folder`).
    """
    folder = cache_folder(records)
    if folder is None:
        return None
    site = hashlib.sha256(str(out.absolute()).encode()).hexdigest()[:16]
    return folder / f"{kind}-{site}.json"


def load_pages(path: Path | None) -> dict[str, tuple[str, Outputs]]:
    """Kept pages: page path -> (digest of its inputs, its files); empty when unusable."""
    found = load_cache(path) if path is not None else {}
    pages = found.get("pages")
    if found.get("format") != FORMAT or not isinstance(pages, dict):
        return {}
    kept: dict[str, tuple[str, Outputs]] = {}
    for page, entry in pages.items():
        if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and isinstance(entry[1], dict)):  # fmt: skip
            kept[page] = (entry[0], {str(k): str(v) for k, v in entry[1].items()})
    return kept


def save_pages(path: Path | None, pages: dict[str, tuple[str, Outputs]]) -> None:
    """Keep this build's page digests (only this build's: the file does not grow)."""
    if path is None:
        return
    entries: dict[str, object] = {k: [d, files] for k, (d, files) in sorted(pages.items())}
    save_cache(path, {"format": FORMAT, "pages": entries})


def unchanged_files(out: Path, outputs: Outputs) -> bool:
    """Whether every file of a page is in the built site ``out`` with its recorded sha256."""
    for name, digest in outputs.items():
        try:
            content = (out / name).read_bytes()
        except OSError:
            return False
        if hashlib.sha256(content).hexdigest() != digest:
            return False
    return True


def folder_digest(folders: list[Path]) -> str:
    """sha256 over every file (name and bytes) of the template folders, in order."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"\n{path.relative_to(folder).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def render_code_digest() -> str:
    """sha256 of cardpress's render modules: a change to them renders every page again.

    Located without importing them (importing the chart modules imports Altair).
    """
    return package_digest("cardpress.render")


@cache
def package_digest(package: str) -> str:
    """sha256 of the modules of ``package`` (its folder's ``*.py``), found but not imported."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.submodule_search_locations is not None
    folder = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(f"\n{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_TAG = re.compile(r"\{[{%].*?[%}]\}", re.DOTALL)
# What the default theme reads of ``site``: a template that reads anything else of it (or passes
# it whole) may show the build time, which changes whenever the records get newer.
_SITE_OTHER = re.compile(r"\bsite\b(?!\.(?:title|description|organisation|base_url)\b)")


def templates_read_build_time(folders: list[Path]) -> bool:
    """Whether a template may show ``site.built_at`` (the default theme shows it on home only)."""
    for folder in folders:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(_SITE_OTHER.search(tag) for tag in _TAG.findall(text)):
                return True
    return False
