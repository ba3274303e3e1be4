"""Characters XML 1.0 cannot hold, found in record text and made visible where text is written.

XML 1.0 forbids the C0 control characters except tab, line feed and carriage return, lone
surrogates, and U+FFFE/U+FFFF, even as character references: a chart (SVG) or a JUnit report
holding one cannot be parsed.
"""

from __future__ import annotations

import re

XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_forbidden(text: str) -> bool:
    """``text`` holds a character XML 1.0 cannot hold."""
    return XML_FORBIDDEN.search(text) is not None


def visible(text: str) -> str:
    r"""``text`` with each character XML cannot hold written as its escape, ``\x01``."""
    return XML_FORBIDDEN.sub(lambda m: repr(m.group())[1:-1], text)
