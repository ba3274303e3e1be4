from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cardpress.readers.jsonpos import line_of, value_lines

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _paths(value: object, path: tuple = ()) -> set[tuple]:  # type: ignore[type-arg]
    found = {path}
    if isinstance(value, dict):
        for key, child in value.items():
            found |= _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found |= _paths(child, (*path, index))
    return found


@given(documents, st.sampled_from([None, 1, 2]))
def test_every_value_gets_a_line_whatever_the_layout(document: object, indent: int | None) -> None:
    text = json.dumps(document, indent=indent)
    lines = value_lines(text)
    assert set(lines) == _paths(document)
    assert all(1 <= line <= text.count("\n") + 1 for line in lines.values())


def test_lines_of_a_hand_written_document() -> None:
    text = '{"a": 1,\n "b": [ {"c": "x,}\\""},\n   2, -1.5e3, true, null],\n "d": {}\n}'
    lines = value_lines(text)
    assert lines[("a",)] == 1
    assert lines[("b", 0, "c")] == 2
    assert lines[("b", 4)] == 3
    assert lines[("d",)] == 4


def test_line_of_falls_back_to_the_nearest_ancestor() -> None:
    lines = value_lines('{\n  "model": {\n    "name": "x"\n  }\n}')
    assert line_of(lines, ("model", "version")) == 2
    assert line_of(lines, ("nothing",)) == 1
