"""The digest of what a page is made from: the same digest, the same bytes.

A page's bytes depend only on its plan (path, template, data, chart specs, extra context, files
beside it) and on what every page shares (site header data, generator, templates, the render
code, the chart renderer), so a page whose digest is unchanged can be carried over from the
previous site instead of rendered again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cardpress.render.plans import PagePlan


def plan_digest(plan: PagePlan, shared: str) -> str:
    """sha256 of one page's inputs and of what all pages share (``shared``, a digest)."""
    files = {file.path: hashlib.sha256(file.content).hexdigest() for file in plan.files}
    inputs = {
        "shared": shared,
        "path": plan.path,
        "template": plan.template,
        "data": plan.data,
        "charts": plan.charts,
        "extra": plan.extra,
        "files": files,
    }
    return _digest(inputs)


def shared_digest(parts: dict[str, Any]) -> str:
    """sha256 of what every page shares (JSON-able parts)."""
    return _digest(parts)


def _digest(value: Any) -> str:
    # The standard library, not orjson: orjson writes NaN as null, and a page may show the two
    # differently. Without an indent ``json`` uses its C encoder.
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
