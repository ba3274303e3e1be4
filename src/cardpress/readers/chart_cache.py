"""Rendered charts kept between builds, so a chart is rendered once, ever.

A chart's SVG is kept under ``<records>/.cardpress-cache/charts/<2 hex>/<key>.svg``, where the
key is the sha256 of its Vega-Lite spec (canonical JSON), the renderer's version and the code of
cardpress's chart modules. Each file starts with a line holding its key and the sha256 of the SVG
after it: a truncated, edited or foreign file does not match and is rendered again (and
overwritten), never published. The digest only catches accidents, since anyone who can write the
records folder can write a matching one; so a kept chart is also inlined into pages only when
it is one plain SVG of the kind the renderer makes (:func:`safe_svg`): no script, event
handler, link, embedded document or markup outside the ``<svg>`` element. Files are written
to a temporary file and renamed into place, so two builds sharing the cache never see half a
file. Deleting the folder only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from cardpress.readers.files import contained
from cardpress.readers.hashing import save_atomic

FOLDER = ".cardpress-cache"
_HEADER = "<!-- cardpress-chart "
_HEADER_END = " -->\n"
logger = logging.getLogger("cardpress")

# What the renderer never writes and a page must never inline: scripts and embedded documents,
# links and external references (only url(#id) of a gradient or clip path inside the chart),
# event handlers, animation (it can set an attribute to a link), comments, declarations and
# processing instructions (ways to hide or bend markup).
_UNSAFE = re.compile(
    r"<\s*/?\s*(?:script|foreignobject|iframe|object|embed|image|img|use|a|style|animate\w*|set"
    r"|handler|feimage|html|body|link|meta|base|form|svg)\b"
    r"|<[!?]|\bon[a-z]+\s*=|\b(?:href|src|style)\s*=|javascript\s*:|url\s*\(\s*(?![\"']?#)",
    re.IGNORECASE,
)
_START = re.compile(r"<svg[\s>]")
_OWN_STYLE = re.compile(r' style="min-width: [0-9]+(?:\.[0-9]+)?px"')
Render = Callable[[list[dict[str, Any]]], list[str]]


def cache_folder(records: Path) -> Path | None:
    """The cache folder of a records folder (safe to delete; ignore it in git).

    None when it is a link that leads out of the records folder: then nothing is kept or read,
    because a build never writes outside the records folder and the output.
    """
    folder = records / FOLDER
    if os.path.lexists(folder) and contained(records, folder) is None:
        logger.warning("%s: leads outside the records folder; nothing is cached", folder)
        return None
    return folder


def spec_json(spec: dict[str, Any]) -> str:
    """A spec as canonical JSON, as the renderer sees it."""
    return json.dumps(spec, sort_keys=True)


def chart_key(spec_text: str) -> str:
    """The cache key of a chart: its spec, the renderer's version and cardpress's chart code."""
    made_by = f"\n{_renderer()}\n{_chart_code()}"
    return hashlib.sha256((spec_text + made_by).encode()).hexdigest()


@cache
def _renderer() -> str:
    """vl-convert's version, read without importing it (importing it costs time)."""
    try:
        return "vl-convert " + metadata.version("vl-convert-python")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency of cardpress
        return "vl-convert unknown"


@cache
def _chart_code() -> str:
    """sha256 of the modules that draw charts (what they do to vl-convert's SVG: ids, aria).

    Located without importing them: importing them imports Altair and vl-convert.
    """
    digest = hashlib.sha256()
    for module in ("cardpress.render.charts", "cardpress.render.vega_shapes"):
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        with contextlib.suppress(OSError):
            digest.update(Path(origin).read_bytes() if origin else b"")
    return digest.hexdigest()


def cached_svgs(
    folder: Path | None, specs: list[dict[str, Any]], render: Render, keep: bool = True
) -> list[str]:
    """SVG of each spec, in order: kept ones read back, the others rendered (one batch) and kept.

    ``keep`` False: ``render`` keeps what it draws itself.
    """
    if folder is None:
        return render(specs)
    keys = [chart_key(spec_json(spec)) for spec in specs]
    found = {key: svg for key in set(keys) if (svg := load_svg(folder, key)) is not None}
    missing = {key: spec for key, spec in zip(keys, specs, strict=True) if key not in found}
    if missing:
        rendered = render(list(missing.values()))
        for key, svg in zip(missing, rendered, strict=True):
            found[key] = svg
            if keep:
                save_svg(folder, key, svg)
    return [found[key] for key in keys]


def svg_path(folder: Path, key: str) -> Path:
    """Where a chart is kept: ``charts/<2 hex>/<key>.svg`` (a folder never holds too many)."""
    return folder / "charts" / key[:2] / f"{key}.svg"


def load_svg(folder: Path, key: str) -> str | None:
    """A kept chart, or None when it is missing, unreadable or does not match its digest."""
    try:
        # bytes, not read_text: universal newlines would change the SVG it holds
        text = svg_path(folder, key).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    header, _, svg = text.partition(_HEADER_END)
    if header != _header(key, svg):
        logger.debug("chart cache %s: does not match its digest; rendered again", key)
        return None
    if not safe_svg(svg):
        logger.warning("%s: not a chart cardpress rendered (markup that could run in a page); "
                       "rendered again", svg_path(folder, key))  # fmt: skip
        return None
    return svg


def safe_svg(svg: str) -> bool:
    """Whether ``svg`` is one ``<svg>`` element with nothing a page must not inline.

    Checked on every chart read from the cache: the cache sits in the records folder, so a
    planted entry must not put script into the published site.
    """
    if not (_START.match(svg) and svg.endswith("</svg>")):
        return False
    # The one style the renderer writes (on the root element: never drawn narrower than laid
    # out) is checked for exactly that, and any other style attribute is still refused.
    root_end = svg.find(">") + 1
    svg = _OWN_STYLE.sub("", svg[:root_end], count=1) + svg[root_end:]
    return _UNSAFE.search(svg, len("<svg"), len(svg) - len("</svg>")) is None


def save_svg(folder: Path, key: str, svg: str) -> bool:
    """Keep a chart atomically (True if kept); a cache that cannot be written only costs time."""
    return save_atomic(
        svg_path(folder, key), (_header(key, svg) + _HEADER_END + svg).encode("utf-8")
    )


def kept_keys(folder: Path) -> Iterable[str]:
    """Keys of the kept charts (for tests and tidying)."""
    return sorted(p.stem for p in (folder / "charts").glob("*/*.svg"))


def _header(key: str, svg: str) -> str:
    """The first line of a kept chart: its key and the sha256 of its SVG.

    A file copied over another's does not match the key; a truncated or edited one, the digest.
    """
    return f"{_HEADER}{key} sha256:{hashlib.sha256(svg.encode('utf-8')).hexdigest()}"
