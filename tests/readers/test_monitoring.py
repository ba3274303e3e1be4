"""Which timestamps written as text carry a time zone (naive ones beside them are refused)."""

from __future__ import annotations

from datetime import datetime

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardpress.readers.monitoring import zoned_text


def _zoned(texts: list[str]) -> list[bool]:
    table = ibis.memtable({"t": texts})
    found = ibis.duckdb.connect().execute(table.select(z=zoned_text(table["t"])))
    return [bool(z) for z in found["z"]]


@pytest.mark.parametrize(
    ("text", "zoned"),
    [
        ("2026-03-01", False),  # "-01" is a day, not an offset
        ("2026-03-01T10:00", False),
        ("2026-03-01 10:00:00.123456", False),
        ("2026-03-01T10:00:00-05", True),
        ("2026-03-01T10:00:00z", True),
        ("2026-03-01 10:00:00 UTC", True),
        ("2026-03-01 10:00:00 Europe/Paris", True),
        ("2026-03-01T10:00:00,5+05:30 ", True),
    ],
)
def test_written_forms(text: str, zoned: bool) -> None:
    assert _zoned([text]) == [zoned]


FORMS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S.%f"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
            st.sampled_from(FORMS),
            st.one_of(st.none(), st.integers(-14 * 60, 14 * 60)),  # offset in minutes
            st.sampled_from(["+0100", "Z", "+01:00"]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_zoned_exactly_when_python_reads_a_zone(
    cases: list[tuple[datetime, str, int | None, str]],
) -> None:
    """An independent reader: ``datetime.fromisoformat`` (3.11: ISO 8601 with Z and offsets)."""
    texts = []
    for moment, form, offset, style in cases:
        text = moment.strftime(form)
        if offset is not None:
            sign, hours, minutes = "+" if offset >= 0 else "-", *divmod(abs(offset), 60)
            colon = ":" if style == "+01:00" else ""
            zone = "Z" if style == "Z" and offset == 0 else f"{sign}{hours:02d}{colon}{minutes:02d}"
            text += zone
        texts.append(text)
    expected = [datetime.fromisoformat(t).tzinfo is not None for t in texts]
    assert _zoned(texts) == expected
