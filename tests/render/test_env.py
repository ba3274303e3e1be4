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


def test_shares_are_percentages_with_one_decimal_and_never_zero_when_not_zero() -> None:
    from cardpress.render.env import format_share, format_when

    assert [format_share(v) for v in (0, 0.123456, 1, 0.0004, None)] == [
        "0.0%", "12.3%", "100.0%", "<0.1%", "undefined"
    ]  # fmt: skip
    assert format_when("2026-06-03T09:30:12.123456+02:00") == "2026-06-03 07:30 UTC"
    assert format_when("2026-06-03T09:30:00Z") == "2026-06-03 09:30 UTC"
    assert format_when("2026-06-03") == "2026-06-03"
    assert format_when("not a time at all") == "not a time at all"
