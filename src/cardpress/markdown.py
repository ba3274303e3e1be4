"""Markdown from records → sanitised HTML.

Narrative is written by people and may be pasted from anywhere, so the HTML that ``markdown``
produces is cleaned with nh3 (an allow-list sanitiser): no ``<script>``, no ``on*`` event
handlers, no ``style``, and links only to http(s), mailto or relative targets.
"""

from __future__ import annotations

import re

import markdown as md
import nh3

from cardpress.readers.limits import MAX_MARKDOWN_NESTING

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list", "abbr"]
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_BRACKETS = re.compile(r"\\.|[\[\]()]")  # an escaped bracket is text, not a bracket
_OPENING = {"]": "[", ")": "("}
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


def too_nested(text: str, limit: int = MAX_MARKDOWN_NESTING) -> tuple[int, str] | None:
    """(0-based line, bracket) where more than ``limit`` '[' or '(' are open in a paragraph.

    Python-Markdown looks for the end of a link from every '[' and '(' it meets, to the end of
    the paragraph when there is none: ``[`` repeated 4,000 times takes 25 s, 8,000 four times
    that. With at most ``limit`` open at once, each character is scanned at most ``limit``
    times. Paragraphs end at blank lines and headings; fenced code is not counted.
    """
    fenced = False
    depth = {"[": 0, "(": 0}
    for number, line in enumerate(text.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not line.strip() or line.startswith("#"):
            depth = {"[": 0, "(": 0}
            continue
        for char in _BRACKETS.findall(line):
            if char.startswith("\\"):
                continue
            opening = _OPENING.get(char, char)
            depth[opening] = depth[opening] + 1 if char == opening else max(depth[opening] - 1, 0)
            if depth[opening] > limit:
                return number, opening
    return None


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
