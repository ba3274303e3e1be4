from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardpress.render.env import format_bytes, format_literal, format_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (1, "1"),
        (0.5, "0.5"),
        (0.86134, "0.8613"),
        (12345.678, "12,345.678"),
        (1.2e-6, "1.20e-06"),
        (None, "undefined"),
        (math.nan, "undefined"),
    ],
)
def test_format_number(value: float | None, shown: str) -> None:
    assert format_number(value) == shown


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0))
def test_a_nonzero_number_is_never_shown_as_zero(value: float) -> None:
    assert format_number(value) not in {"0", "-0", "0.0000"}


def test_literals_and_bytes() -> None:
    assert [format_literal(v) for v in (None, True, 1.0, "l2")] == ["null", "true", "1.0", "l2"]
    assert [format_bytes(v) for v in (None, 10, 2048, 3 * 1024**3)] == [
        "",
        "10 B",
        "2.0 KiB",
        "3.0 GiB",
    ]
