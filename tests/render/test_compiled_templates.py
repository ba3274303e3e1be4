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
