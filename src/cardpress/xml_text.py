"""Characters found in record text that must be made visible where the text is written.

XML 1.0 forbids the C0 control characters except tab, line feed and carriage return, lone
surrogates, and U+FFFE/U+FFFF, even as character references: a chart (SVG) or a JUnit report
holding one cannot be parsed.

In HTML those, C1 controls and DEL are invisible (a NUL becomes U+FFFD), and bidirectional
embeddings, overrides and isolates reorder the text around them: a data set named
``"report\u202egpj.exe"`` reads "reportexe.jpg". Pages show each as its code point, ``⟨U+202E⟩``.
The marks U+200E and U+200F, which right-to-left text uses, are left alone.
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


HTML_HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def shown(text: str) -> str:
    """``text`` with each character HTML would hide or that reorders text as ``⟨U+202E⟩``."""
    return HTML_HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)
