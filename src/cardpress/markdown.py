"""Markdown from records → sanitised HTML.

Narrative is written by people and may be pasted from anywhere, so the HTML that ``markdown``
produces is cleaned with nh3 (an allow-list sanitiser): no ``<script>``, no ``on*`` event
handlers, no ``style``, and links only to http(s), mailto or relative targets.
"""

from __future__ import annotations

import re

import markdown as md
import nh3

from cardpress.readers.limits import MARKDOWN_SPAN_FACTOR, MAX_MARKDOWN_SPAN

_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list", "abbr"]
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_BRACKETS = re.compile(r"\\.|[\[\]()]")
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


def span_budget(text: str) -> int:
    """Characters the brackets of ``text`` may span in all: a multiple of its length."""
    return max(MAX_MARKDOWN_SPAN, MARKDOWN_SPAN_FACTOR * len(text))


def too_nested(text: str) -> tuple[int, str] | None:
    """(0-based line, bracket) of the '[' or '(' whose span takes the total past the budget.

    Python-Markdown scans from every '[' to its ']' (from every '(' to its ')'), or to the end
    of the paragraph when there is none: ``[`` repeated 4,000 times took 25 s, 8,000 four times
    that. The sum of those spans is what it costs, so that sum is limited to ``span_budget``:
    Markdown's work stays linear in the size of the card (ordinary links span a few dozen).
    Paragraphs end at blank lines and headings; fenced code is not counted.
    """
    spans = _Spans(span_budget(text))
    fenced = False
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not line.strip() or line.startswith("#"):
            found = spans.end(offset)
        else:
            found = spans.scan(line, offset, number)
        if found is not None:
            return found
        offset += len(line)
    return spans.end(offset)


class _Spans:
    """The open brackets of one paragraph and the total span of those closed so far."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.total = 0
        self.open: dict[str, list[tuple[int, int]]] = {"[": [], "(": []}  # (offset, line)

    def scan(self, line: str, offset: int, number: int) -> tuple[int, str] | None:
        for match in _BRACKETS.finditer(line):
            char = match.group()
            if char.startswith("\\"):  # an escaped bracket is text
                continue
            opening = _OPENING.get(char, char)
            stack, here = self.open[opening], offset + match.start()
            if char == opening:
                stack.append((here, number))
            elif stack and self._add(here - stack.pop()[0]):
                return number, opening
        return None

    def end(self, offset: int) -> tuple[int, str] | None:
        """The paragraph ends at ``offset``: brackets still open were scanned to here."""
        for opening, stack in self.open.items():
            for start, number in stack:
                if self._add(offset - start):
                    return number, opening
            stack.clear()
        return None

    def _add(self, span: int) -> bool:
        self.total += span
        return self.total > self.budget


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
