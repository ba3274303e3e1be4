from __future__ import annotations

import re
from pathlib import Path

from cardpress.errors import Problem
from cardpress.readers.narrative import read_narrative


def _read(tmp_path: Path, text: str) -> tuple[object, list[Problem]]:
    card = tmp_path / "models" / "m" / "card.md"
    card.parent.mkdir(parents=True)
    card.write_text(text)
    problems: list[Problem] = []
    return read_narrative(tmp_path, card, problems), problems


def test_sections_split_at_level_two_headings_outside_code(tmp_path: Path) -> None:
    text = (
        "---\ntitle: M\n---\nIntro.\n\n## Factors\n\nF.\n\n"
        "```\n## not a heading\n```\n\n## Odd one\nX\n"
    )
    narrative, problems = _read(tmp_path, text)
    assert problems == []
    assert narrative.intro_html == "<p>Intro.</p>"  # type: ignore[attr-defined]
    sections = narrative.sections  # type: ignore[attr-defined]
    assert [s.heading for s in sections] == ["Factors", "Odd one"]
    assert "## not a heading" in sections[0].html
    assert str(sections[0].source) == "models/m/card.md:6"
    assert str(sections[1].source) == "models/m/card.md:14"


def test_no_front_matter_is_fine(tmp_path: Path) -> None:
    narrative, problems = _read(tmp_path, "Just text.\n")
    assert problems == [] and narrative.title is None  # type: ignore[attr-defined]


def test_wrong_type_in_front_matter_names_the_line(tmp_path: Path) -> None:
    _, problems = _read(tmp_path, "---\ntitle: M\nowners: someone\n---\n")
    assert [str(p) for p in problems] == [
        "models/m/card.md:3: owners: is the string 'someone', expected a list — write it as a list"
    ]


def test_headings_inside_sections_are_shifted_below_the_page_headings(tmp_path: Path) -> None:
    narrative, _ = _read(tmp_path, "## Factors\n\n# Big\n\n### Small\n")
    html = narrative.sections[0].html  # type: ignore[attr-defined]
    assert "<h3>Big</h3>" in html and "<h5>Small</h5>" in html


def test_front_matter_that_is_never_closed(tmp_path: Path) -> None:
    """YAML read the card's text as front matter and blamed a missing ':' on a line of it."""
    card = tmp_path / "models" / "churn" / "card.md"
    card.parent.mkdir(parents=True)
    card.write_text("---\ntitle: Churn\nstatus: draft\n\n## Intended use\n\nScoring.\n")
    problems: list[Problem] = []
    assert read_narrative(tmp_path, card, problems) is None
    assert [str(p) for p in problems] == [
        "models/churn/card.md:1: the front matter opened here is never closed — end the front "
        "matter with a line of three dashes (---) before the card's text"
    ]


def test_a_date_that_is_not_a_real_date_names_the_line(tmp_path: Path) -> None:
    """YAML reads 2026-02-30 as a date and failed with "day is out of range": a cardpress bug."""
    for value in ("2026-02-30", "2026-13-45"):
        _, problems = _read(tmp_path / value, f"---\ntitle: M\ncitation: {value}\n---\n")
        assert [str(p) for p in problems] == [
            f"models/m/card.md:3: citation: {value} reads as a date in YAML but is not a real "
            f'date — write it in quotes: "{value}"'
        ]


def test_dates_in_text_fields_are_kept_as_written(tmp_path: Path) -> None:
    """An unquoted time was rewritten as Python prints one (2026-01-01 10:00:00+02:00)."""
    text = "---\nsummary: 2026-01-01T10:00:00+02:00\ncitation: 2026-01-05\ntags: [2026-1-5]\n---\n"
    narrative, problems = _read(tmp_path, text)
    assert problems == []
    assert narrative.summary == "2026-01-01T10:00:00+02:00"  # type: ignore[attr-defined]
    assert narrative.citation == "2026-01-05"  # type: ignore[attr-defined]
    assert narrative.tags == ("2026-1-5",)  # type: ignore[attr-defined]


def test_a_key_given_twice_in_the_front_matter_is_refused(tmp_path: Path) -> None:
    """YAML readers keep the last silently; run records and sign-offs refuse the same in JSON."""
    text = "---\ntitle: A\nrisk:\n  rating: low\n  rating: high\ntitle: B\n---\n"
    narrative, problems = _read(tmp_path, text)
    assert narrative is None
    assert [str(p) for p in problems] == [
        "models/m/card.md:5: risk.rating: appears twice in the front matter (first on line 4) — "
        "keep one of them: YAML readers keep the last one silently",
        "models/m/card.md:6: title: appears twice in the front matter (first on line 2) — "
        "keep one of them: YAML readers keep the last one silently",
    ]


def test_a_setext_heading_starts_a_section_as_a_hash_heading_does(tmp_path: Path) -> None:
    """``Intended use`` underlined with dashes was merged into the section before it."""
    text = (
        "---\ntitle: M\n---\nIntro.\n\n## Factors\n\nF.\n\nIntended use\n------------\n\nU.\n\n"
        "Not a heading\n\n---\n\nStill U.\n\nA line\nthen another\n---\n\n"
        "```\nCode\n---\n```\n\n# Big\n---\n"
    )
    narrative, problems = _read(tmp_path, text)
    assert problems == []
    sections = narrative.sections  # type: ignore[attr-defined]
    assert [s.heading for s in sections] == ["Factors", "Intended use"]
    assert sections[0].html == "<p>F.</p>"
    assert str(sections[1].source) == "models/m/card.md:10"
    assert "<hr>" in sections[1].html and "Still U." in sections[1].html  # a break, not a heading
    assert "Code\n---" in sections[1].html  # fenced: text
    assert re.findall("<h[1-6]>[^<]*</h[1-6]>", sections[1].html) == ["<h3>Big</h3>"]  # # Big
