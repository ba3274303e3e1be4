"""Line numbers for every value in a JSON document, so a problem can say ``file:line``.

``json`` does not keep positions, so after ``json.loads`` has accepted a text we scan it once more
with a small recursive-descent scanner that records the line of each value by its path.
"""

from __future__ import annotations

import json
import re

Path = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"[^,\]\}\s]+")


def value_lines(text: str) -> dict[Path, int]:
    """Map each value's path (keys and indices) to the 1-based line where it starts.

    The text must already be valid JSON. For an object member the line is the line of its key,
    which is where a reader looks for it.
    """
    lines: dict[Path, int] = {}
    _Scanner(text, lines).value((), None)
    return lines


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest ancestor that exists in the document."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


class _Scanner:
    def __init__(self, text: str, lines: dict[Path, int]) -> None:
        self.text = text
        self.pos = 0
        self.lines = lines
        self.counted_to = 0  # the newlines before it are counted in ``newlines``
        self.newlines = 0

    def line(self) -> int:
        # counted on from the last call (the scanner only moves forward): linear, where
        # counting from the start for every value took minutes for 100,000 metrics
        self.newlines += self.text.count("\n", self.counted_to, self.pos)
        self.counted_to = self.pos
        return self.newlines + 1

    def skip(self) -> None:
        match = _WS.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos

    def value(self, path: Path, key_line: int | None) -> None:
        self.skip()
        self.lines[path] = key_line or self.line()
        char = self.text[self.pos]
        if char == "{":
            self.members(path)
        elif char == "[":
            self.items(path)
        else:
            pattern = _STRING if char == '"' else _SCALAR
            match = pattern.match(self.text, self.pos)
            assert match is not None, "value_lines() needs valid JSON"
            self.pos = match.end()

    def members(self, path: Path) -> None:
        self.pos += 1
        while True:
            self.skip()
            if self.text[self.pos] == "}":
                self.pos += 1
                return
            if self.text[self.pos] == ",":
                self.pos += 1
                self.skip()
            key_line = self.line()
            match = _STRING.match(self.text, self.pos)
            assert match is not None, "value_lines() needs valid JSON"
            key = json.loads(match.group())
            self.pos = match.end()
            self.skip()
            self.pos += 1  # the colon
            self.value((*path, key), key_line)

    def items(self, path: Path) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip()
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            if self.text[self.pos] == ",":
                self.pos += 1
            self.value((*path, index), None)
            index += 1
