from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from cardpress.markdown import to_safe_html

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>*{display:none}</style>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
]


def test_known_attacks_are_made_inert() -> None:
    for attack in ATTACKS:
        html = to_safe_html(f"Before {attack} after").lower()
        for bad in (
            "<script",
            "onerror",
            "onload",
            "javascript:",
            "<iframe",
            "<style",
            "<svg",
            "data:",
        ):
            assert bad not in html, (attack, html)


@given(
    st.lists(st.sampled_from([*ATTACKS, "**b**", "\n\n", "text", "# h", "<b onclick=x>", "`c`"]))
)
def test_any_mix_stays_inert(parts: list[str]) -> None:
    soup = BeautifulSoup(to_safe_html(" ".join(parts)), "html.parser")
    assert soup.find_all(["script", "iframe", "style", "svg", "img", "object", "embed"]) == []
    for tag in soup.find_all(True):
        assert not [name for name in tag.attrs if name.lower().startswith("on")]
        assert not str(tag.get("href", "")).strip().lower().startswith(("javascript:", "data:"))


def test_ordinary_markdown_survives() -> None:
    html = to_safe_html("**bold** [link](https://example.org) `code`\n\n| a |\n|---|\n| 1 |")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert "<table>" in html
