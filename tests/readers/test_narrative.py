from __future__ import annotations

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
