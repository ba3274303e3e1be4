"""Read model narratives: ``models/<model>/card.md`` (YAML front matter + Markdown sections)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from cardpress.errors import Problem
from cardpress.markdown import span_budget, to_safe_html, too_nested
from cardpress.model import Narrative, NarrativeSection, Owner, Source
from cardpress.readers.files import Allowed, relative
from cardpress.readers.jsonpos import Path as JsonPath
from cardpress.readers.jsonpos import line_of
from cardpress.readers.limits import MAX_CARD_BYTES, read_limited
from cardpress.readers.validate import field_name, schema_problems
from cardpress.readers.yaml_safe import YamlFault, YamlLimitError, YamlValueError, load_yaml

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_HEADING = re.compile(r"^##\s+(?P<title>[^#].*?)\s*#*\s*$")
_SETEXT_2 = re.compile(r"^-+[ ]*$")  # Python-Markdown's underline of a level-2 setext heading


def read_narratives(root: Path, problems: list[Problem], allow: Allowed = ()) -> list[Narrative]:
    """Every valid ``card.md`` under ``root/models``."""
    narratives = []
    for path in _cards(root / "models"):
        narrative = read_narrative(root, path, problems, allow)
        if narrative is not None:
            narratives.append(narrative)
    return narratives


def _cards(models: Path) -> list[Path]:
    """``models/<model>/card.md``, links included: reading one checks where it leads."""
    if not models.is_dir():
        return []
    return [p / "card.md" for p in sorted(models.iterdir()) if os.path.lexists(p / "card.md")]


def read_narrative(
    root: Path, path: Path, problems: list[Problem], allow: Allowed = ()
) -> Narrative | None:
    """One narrative, or None after appending its problems."""
    name = relative(root, path)
    model = path.parent.name
    if not _NAME.match(model):
        fix = "rename the folder to the model name used in the run records"
        problems.append(Problem(name, None, "", f"folder name {model!r} is not a model name", fix))
        return None
    text = read_limited(root, path, MAX_CARD_BYTES, problems, "card.md", allow)
    if text is None:
        return None
    front, body, body_line = _split_front_matter(text)
    if body_line < 0:  # YAML would read the card's text as front matter and blame a line of it
        fix = "end the front matter with a line of three dashes (---) before the card's text"
        problems.append(Problem(name, 1, "", "the front matter opened here is never closed", fix))
        return None
    meta = _parse_front_matter(front, name, problems)
    if meta is None or not _markdown_fits(body, name, body_line, problems):
        return None
    intro, sections = _sections(body, name, body_line)
    narrative = _to_narrative(model, meta, Source(name, 1), intro, sections)
    return replace(narrative, digest=hashlib.sha256(text.encode("utf-8")).hexdigest())


def _split_front_matter(text: str) -> tuple[str, str, int]:
    """Front matter text, body text, and the line the body starts on (-1: never closed)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return "", text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return "".join(lines[1:]), "", -1


def _parse_front_matter(front: str, name: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        meta, node = load_yaml(front, dates_as_text=True) if front.strip() else ({}, None)
    except YamlValueError as error:
        problems.extend(_fault_problem(fault, name) for fault in error.faults)
        return None
    except YamlLimitError as error:
        fix = "write the front matter out plainly (docs/records.md, Limits)"
        problems.append(Problem(name, error.line + 1, "", f"front matter {error}", fix))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error)
        fix = "fix the YAML between the --- lines (indentation and ':' after each key are usual)"
        problems.append(Problem(name, line, "", f"invalid YAML front matter: {reason}", fix))
        return None
    if not isinstance(meta, dict):
        fix = "the front matter must be `key: value` lines"
        problems.append(Problem(name, 2, "", "front matter is not a mapping", fix))
        return None
    lines = _node_lines(node, ())
    meta = _plain(meta)
    problems_here = schema_problems(meta, "card", name, lambda p: line_of(lines, p))
    problems.extend(problems_here)
    return None if problems_here else meta


def _fault_problem(fault: YamlFault, name: str) -> Problem:
    """A key given twice, or a date that is not a real date; lines counted from the file's first."""
    field = field_name(fault.path)
    if fault.first is not None:
        problem = f"appears twice in the front matter (first on line {fault.first + 1})"
        return Problem(name, fault.line + 1, field, problem,
                       "keep one of them: YAML readers keep the last one silently")  # fmt: skip
    problem = f"{fault.value} reads as a date in YAML but is not a real date"
    return Problem(name, fault.line + 1, field, problem, f'write it in quotes: "{fault.value}"')


def _markdown_fits(body: str, name: str, first_line: int, problems: list[Problem]) -> bool:
    """False after a problem when brackets span so much text that Markdown would take minutes."""
    found = too_nested(body)
    if found is None:
        return True
    offset, bracket = found
    problem = (f"'{bracket}' left open over too much text: more than {span_budget(body):,} "
               "characters inside brackets in all")  # fmt: skip
    fix = f"close it, or write \\{bracket} for a literal one (docs/records.md, Limits)"
    problems.append(Problem(name, first_line + offset, "", problem, fix))
    return False


def _plain(value: Any) -> Any:
    """YAML dates and numbers where text is expected become text; JSON Schema wants JSON types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool | str | int | float) or value is None:
        return value
    return str(value)


def _node_lines(node: Any, path: JsonPath) -> dict[JsonPath, int]:
    """Line (1-based, counted from the file's first line) of each value in the YAML node tree."""
    if node is None:
        return {}
    lines = {path: node.start_mark.line + 2}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines.update(_node_lines(value, (*path, str(key.value))))
            lines[(*path, str(key.value))] = key.start_mark.line + 2
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_node_lines(item, (*path, index)))
    return lines


def _sections(body: str, name: str, first_line: int) -> tuple[str, list[NarrativeSection]]:
    """Split the body at level-2 headings, ``## Title`` or a setext ``Title`` over ``---``.

    Outside code fences. A setext heading is read as Python-Markdown reads one: its text is the
    first line of a block (after a blank line or a heading), the dashes the very next line;
    ``---`` after a blank line is a thematic break.
    """
    intro: list[str] = []
    sections: list[tuple[str, int, list[str]]] = []
    fenced = False
    lines = body.splitlines()
    block_start = True  # the line begins a Markdown block
    underline = False  # the line underlines the setext heading just taken
    for offset, line in enumerate(lines):
        if underline:
            underline, block_start = False, True
            continue
        fence = line.lstrip().startswith(("```", "~~~"))
        if fence:
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        title = heading["title"] if heading else None
        if title is None and not fenced and not fence and block_start:
            title = _setext_title(line, lines[offset + 1] if offset + 1 < len(lines) else "")
            underline = title is not None
        if title is not None:
            sections.append((title, first_line + offset, []))
        elif sections:
            sections[-1][2].append(line)
        else:
            intro.append(line)
        # a heading ends its block (``# Big`` too, which is not a section)
        block_start = title is not None or not line.strip() or line.startswith("#")
    rendered = [
        NarrativeSection(title, to_safe_html("\n".join(text)), Source(name, line))
        for title, line, text in sections
    ]
    return to_safe_html("\n".join(intro)), rendered


def _setext_title(line: str, next_line: str) -> str | None:
    """``line``'s text when ``next_line`` underlines it with dashes (a level-2 heading)."""
    if not _SETEXT_2.match(next_line) or not line.strip() or line.startswith(("    ", "\t", "#")):
        return None  # blank, indented code, or an ATX heading (``# Big`` over ``---``: a break)
    return line.strip()


def _texts(value: Any) -> tuple[str, ...]:
    """A text or list of texts as a tuple; blank ones (``""``, ``"   "``) document nothing."""
    if value is None:
        return ()
    return tuple(text for text in ((value,) if isinstance(value, str) else value) if text.strip())


def _text(value: str | None) -> str | None:
    """A text field; a blank one is not written (the completeness box lists it as missing)."""
    return value if value is not None and value.strip() else None


def _to_narrative(
    model: str, meta: dict[str, Any], source: Source, intro: str, sections: list[NarrativeSection]
) -> Narrative:
    risk = meta.get("risk", {})
    owners = tuple(
        Owner(o["name"], o.get("contact"), o.get("role")) for o in meta.get("owners", [])
    )
    return Narrative(
        model=model,
        source=source,
        title=_text(meta.get("title")),
        summary=_text(meta.get("summary")),
        intro_html=intro,
        owners=owners,
        contacts=_texts(meta.get("contacts")),
        license=_text(meta.get("license")),
        risk_rating=risk.get("rating"),
        risk_explanation=_text(risk.get("explanation")),
        status=meta.get("status"),
        version_status=tuple(sorted(meta.get("version_status", {}).items())),
        model_type=_text(meta.get("model_type")),
        intended_use=_texts(meta.get("intended_use")),
        primary_users=_texts(meta.get("primary_users")),
        out_of_scope_use=_texts(meta.get("out_of_scope_use")),
        references=_texts(meta.get("references")),
        citation=_text(meta.get("citation")),
        tags=_texts(meta.get("tags")),
        sections=tuple(sections),
    )
