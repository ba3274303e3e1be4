"""The line of a JSONL file that Arrow cannot read, found where Arrow's own row number misleads."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pajson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardpress.readers.tables import jsonl_fault


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_kind_change_deep_in_a_large_file_names_its_line(tmp_path: Path) -> None:
    """Arrow said "row 80134" of line 250,001: it counts within the block it was reading."""
    lines = [f'{{"a": {i}, "g": "x"}}' for i in range(150_000)]  # 3 MB: Arrow's blocks are 1 MiB
    lines[120_000] = '{"a": "120000", "g": "x"}'
    path = _write(tmp_path / "p.jsonl", lines)
    with pytest.raises(pa.ArrowInvalid, match=r"in row \d+") as raised:
        pajson.read_json(path)
    assert "in row 120000" not in str(raised.value)  # nor 120001: not the line
    assert jsonl_fault(path) == (120_001, "a", "is text where line 1 has a number")


@pytest.mark.parametrize(
    ("lines", "fault"),
    [
        (['{"a": 1}', '{"a": 2', '{"a": 3}'], (2, "", "invalid JSON: Expecting ',' delimiter")),
        (['{"a": 1}', "[1, 2]"], (2, "", "is not a JSON object")),
        (['{"a": 1}', '{"a": null}', '{"a": true}'],
         (3, "a", "is true/false where line 1 has a number")),
        (['{"a": 1}', "", '{"a": 2.5, "b": [1]}', '{"b": {"c": 1}}'],
         (4, "b", "is an object where line 3 has a list")),
        (['{"a": 1}', '{"a": 2.5}', '{"a": null}'], None),  # whole and decimal: both numbers
    ],
)  # fmt: skip
def test_each_fault_and_its_line(
    tmp_path: Path, lines: list[str], fault: tuple[int, str, str] | None
) -> None:
    assert jsonl_fault(_write(tmp_path / "p.jsonl", lines)) == fault


CELLS = st.one_of(st.none(), st.integers(-(2**40), 2**40), st.text(max_size=5), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": CELLS, "b": CELLS}), min_size=1, max_size=30))
def test_no_fault_found_exactly_when_arrow_reads_the_file(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, object]]
) -> None:
    path = _write(tmp_path_factory.mktemp("j") / "p.jsonl", [json.dumps(r) for r in rows])
    fault = jsonl_fault(path)
    try:
        pajson.read_json(path)
    except pa.ArrowInvalid:
        assert fault is not None
        line, key, _ = fault
        kinds = {type(r[key]) for r in rows[:line] if r[key] is not None}
        assert len(kinds) == 2  # the first line whose value differs in kind from the first one
    else:
        assert fault is None
