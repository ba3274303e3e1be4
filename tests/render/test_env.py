from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardpress.render.env import (
    DECIMALS,
    format_bytes,
    format_count,
    format_literal,
    format_number,
    format_p_value,
    format_signed,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "0"),
        (12345, "12,345"),
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
        (0.5, "0.5000"),
        (0.86134, "0.8613"),
        (-0.25, "-0.2500"),
        (12345.678, "12,345.6780"),
        (1.03125, "1.0313"),  # an exact tie rounds away from zero, as the browser's toFixed
        (1.76e-05, "< 0.0001"),
        (-1.2e-9, "> -0.0001"),
        (math.inf, "∞"),
        (999999999999999.0, "999,999,999,999,999.0000"),  # the last magnitude in fixed notation
        (1e15, "1.0000 × 10¹⁵"),  # from here a float cannot hold 4 decimals
        (1.7976931348623157e308, "1.7977 × 10³⁰⁸"),  # not 309 digits
        (-2.5e20, "-2.5000 × 10²⁰"),
        (9.99995e15, "1.0000 × 10¹⁶"),  # the mantissa rounds up to the next power
        (1000050000000000.0, "1.0001 × 10¹⁵"),  # an exact tie rounds away from zero
        (10**20, "1.0000 × 10²⁰"),  # a huge count too
        (None, "undefined"),
        (math.nan, "undefined"),
    ],
)
def test_format_number(value: float | None, shown: str) -> None:
    assert format_number(value) == shown


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != 0))
def test_a_nonzero_number_is_never_shown_as_zero(value: float) -> None:
    assert format_number(value) not in {"0", "-0", "0.0000", "-0.0000"}


@given(st.floats(min_value=1e15, allow_infinity=False), st.sampled_from([1, -1]))
def test_a_large_magnitude_is_a_rounded_mantissa_times_a_power_of_ten(
    value: float, sign: int
) -> None:
    text = format_number(sign * value)
    mantissa, _, power = text.partition(" × 10")
    exponent = int(power.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))
    assert 1 <= abs(float(mantissa)) < 10 and len(mantissa.rpartition(".")[2]) == DECIMALS
    assert abs(float(mantissa) - sign * value / 10.0**exponent) <= 0.5001e-4


def _parsed(text: str) -> float:
    return float(text.replace(",", ""))


measured = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(st.lists(measured, min_size=1, max_size=20))
def test_a_column_of_numbers_aligns_on_the_decimal_point(column: list[float]) -> None:
    """Every number of a column has the same number of decimals and no exponent."""
    shown = [format_number(v) for v in column]
    assert {len(text.rpartition(".")[2]) for text in shown} == {DECIMALS}
    assert not any("e" in text.lower() for text in shown)


@given(measured)
def test_a_number_shown_is_its_value_within_half_a_unit_in_the_last_place(value: float) -> None:
    text = format_number(value)
    half = 0.5 * 10**-DECIMALS
    if text.startswith(("< ", "> ")):  # not zero, but rounds to it: the sign and the bound
        assert 0 < abs(value) < half and (value > 0) == text.startswith("<")
        return
    shown = _parsed(text)
    # exact decimal rounding of the float; the parse back adds at most a rounding of its own
    assert abs(shown - value) <= half * (1 + 1e-9) + abs(value) * 1e-15


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(10**9), 10**9).map(lambda n: n / 2**7),  # many exact ties at 4 decimals
    ),
    st.integers(0, 6),
)
def test_fixed_notation_rounds_half_away_from_zero_like_decimal(value: float, places: int) -> None:
    import decimal

    from cardpress.render.env import _fixed

    exact = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_UP)
    expected = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-places), context=exact)
    assert _fixed(value, places) == f"{expected:,f}"
    assert _fixed(value, places, grouped=False) == f"{expected:f}"


@given(measured)
def test_a_difference_carries_its_sign(value: float) -> None:
    text = format_signed(value)
    if value > 0:
        assert text.startswith(("+", "< +"))
    elif value < 0:
        assert text.startswith(("-", "> -"))
    else:
        assert text == "0.0000"


def test_counts_p_values_and_nouns() -> None:
    assert [format_count(v) for v in (0, 1234567, 12.0, 180.5)] == ["0", "1,234,567", "12",
                                                                     "180.5"]  # fmt: skip
    assert [format_count(n, "row") for n in (0, 1, 2, 1000)] == [
        "0 rows", "1 row", "2 rows", "1,000 rows"
    ]  # fmt: skip
    shown = [format_p_value(p) for p in (0.0, 1.76e-05, 0.00049, 0.0005, 0.0123, 0.5, 1.0, None)]
    assert shown == ["< 0.001", "< 0.001", "< 0.001", "0.001", "0.012", "0.500", "1.000",
                     "undefined"]  # fmt: skip


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
