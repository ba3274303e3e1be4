"""Kept search entries of published fairness reports: used only when whole and made by this code."""

from __future__ import annotations

import json
from pathlib import Path

from cardpress.readers.search_cache import load_entries, save_entries

PAGE = "models/churn/v/1/fairness/index.html"
ENTRY = {"kind": "fairness", "section": "By sex", "text": "sex Female Male",
         "title": "churn 1: fairness report", "url": f"{PAGE}#sex"}  # fmt: skip


def test_kept_entries_come_back_for_the_same_code(tmp_path: Path) -> None:
    path = tmp_path / "search-x.json"
    save_entries(path, "code 1", {PAGE: ("ab" * 32, [ENTRY])})
    assert load_entries(path, "code 1") == {PAGE: ("ab" * 32, [ENTRY])}
    assert load_entries(path, "code 2") == {}  # made by other code: read the reports again
    assert load_entries(tmp_path / "missing.json", "code 1") == {}
    assert load_entries(None, "code 1") == {}


def test_an_edited_or_truncated_file_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "search-x.json"
    save_entries(path, "code", {PAGE: ("ab" * 32, [ENTRY])})
    text = path.read_text()
    path.write_text(text.replace("Female", "Planted"))
    assert load_entries(path, "code") == {}
    path.write_text(text[: len(text) // 2])
    assert load_entries(path, "code") == {}


def test_an_entry_of_another_shape_drops_its_page(tmp_path: Path) -> None:
    path = tmp_path / "search-x.json"
    other = "models/churn/v/2/fairness/index.html"
    save_entries(path, "code", {PAGE: ("ab" * 32, [ENTRY]),
                                other: ("cd" * 32, [{**ENTRY, "text": 3}])})  # fmt: skip
    assert json.loads(path.read_text())["pages"][other]  # kept as written, digest and all
    assert load_entries(path, "code") == {PAGE: ("ab" * 32, [ENTRY])}
