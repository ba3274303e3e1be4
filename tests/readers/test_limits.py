"""The linear checks of readers/limits.py agree with the parsers they protect."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cardpress.readers.jsonpos import value_lines
from cardpress.readers.limits import json_too_deep

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\\n\t'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet="ab[", max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(_JSON, st.integers(min_value=0, max_value=6), st.booleans())
def test_json_too_deep_counts_the_levels_json_parses(value: Any, limit: int, indent: bool) -> None:
    text = json.dumps(value, indent=2 if indent else None)
    found = json_too_deep(text, limit)
    assert (found is None) == (_depth(value) <= limit)
    if found is not None:
        assert 1 <= found <= text.count("\n") + 1


@given(_JSON)
def test_value_lines_counted_in_one_pass_match_a_count_from_the_start(value: Any) -> None:
    text = json.dumps({"v": value, "w": [value, value]}, indent=2)
    lines = value_lines(text)
    assert lines[("w",)] == text.count("\n", 0, text.index('"w"')) + 1
    assert lines[("v",)] == 2
