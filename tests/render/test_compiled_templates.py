"""Compiled templates kept between builds: used only for the text they were compiled from."""

from __future__ import annotations

from pathlib import Path

import jinja2

from cardpress.render.env import CompiledTemplates, make_env


def _render(templates: Path, kept: Path) -> str:
    env = make_env(templates)
    env.bytecode_cache = CompiledTemplates(str(kept))
    return env.get_template("404.html").render(
        data={}, site={"title": "T", "base_url": None}, root="", path="404.html", generator="g"
    )


def _project(tmp_path: Path, text: str) -> Path:
    templates = tmp_path / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "404.html").write_text(text, encoding="utf-8")
    return templates


def test_a_kept_template_is_used_and_an_edited_one_compiled_again(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    templates = _project(tmp_path, "first {{ generator }}")
    assert _render(templates, kept) == "first g"
    assert len(list(kept.iterdir())) == 1  # compiled once, kept
    assert _render(templates, kept) == "first g"
    _project(tmp_path, "second {{ generator }}")
    assert _render(templates, kept) == "second g"


def test_a_truncated_or_foreign_kept_file_is_compiled_again(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    kept.mkdir()
    templates = _project(tmp_path, "page {{ generator }}")
    _render(templates, kept)
    [entry] = kept.iterdir()
    for damaged in (entry.read_bytes()[:30], b"not a compiled template at all"):
        entry.write_bytes(damaged)
        assert _render(templates, kept) == "page g"


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    templates = _project(tmp_path, "page {{ generator }}")
    missing = tmp_path / "no such folder"
    assert _render(templates, missing) == "page g"
    assert not missing.exists()


def test_the_default_theme_is_compiled_with_the_cache_on() -> None:
    env = make_env(None)
    assert isinstance(env.bytecode_cache, CompiledTemplates | None)
    assert isinstance(env.get_template("base.html"), jinja2.Template)


def test_code_compiled_with_other_options_is_compiled_again(tmp_path: Path) -> None:
    """Jinja keys kept code by the template's text alone; a ``finalize`` is compiled in."""
    kept = tmp_path / "kept"
    kept.mkdir()
    templates = _project(tmp_path, "page {{ generator }}")
    kept_plain = jinja2.FileSystemBytecodeCache(str(kept))
    loader = jinja2.FileSystemLoader(templates)
    plain = jinja2.Environment(loader=loader, autoescape=True, bytecode_cache=kept_plain)
    assert plain.get_template("404.html").render(generator="\u202e") == "page \u202e"
    assert _render_with(templates, kept, "\u202e") == "page ⟨U+202E⟩"


def _render_with(templates: Path, kept: Path, generator: str) -> str:
    env = make_env(templates)
    env.bytecode_cache = CompiledTemplates(str(kept))
    return env.get_template("404.html").render(generator=generator)


def test_text_that_hides_or_reorders_is_shown_but_markup_and_rtl_marks_are_not(
    tmp_path: Path,
) -> None:
    from markupsafe import Markup

    templates = _project(tmp_path, "{{ generator }}")
    kept = tmp_path / "kept"
    kept.mkdir()
    assert _render_with(templates, kept, "a\x00b\x7f\x85c\u2066d\u2069") == (
        "a⟨U+0000⟩b⟨U+007F⟩⟨U+0085⟩c⟨U+2066⟩d⟨U+2069⟩"
    )
    assert _render_with(templates, kept, "שלום\u200f tab\tline\n") == "שלום\u200f tab\tline\n"
    assert _render_with(templates, kept, Markup("<b>\u202e</b>")) == "<b>\u202e</b>"  # type: ignore[arg-type]
    assert _render_with(templates, kept, "<\u202e>") == "&lt;⟨U+202E⟩&gt;"
