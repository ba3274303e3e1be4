"""Markdown from records → sanitised HTML.

Narrative is written by people and may be pasted from anywhere, so the HTML that ``markdown``
produces is cleaned with nh3 (an allow-list sanitiser): no ``<script>``, no ``on*`` event
handlers, no ``style``, and links only to http(s), mailto or relative targets.
"""

from __future__ import annotations

import markdown as md
import nh3

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list", "abbr"]
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def to_safe_html(text: str) -> str:
    """Render Markdown and keep only harmless HTML.

    Headings are shifted down (``#`` becomes ``h3``) because the page owns ``h1`` and ``h2``.
    """
    html = md.markdown(_shift_headings(text), extensions=_EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()


def _shift_headings(text: str) -> str:
    lines = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("#"):
            line = "##" + line
        lines.append(line)
    return "\n".join(lines)
