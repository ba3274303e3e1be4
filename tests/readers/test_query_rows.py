"""query_rows: the rows Ibis would give, timestamps included, without loading pandas."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import ibis

from cardpress.readers.drift.engines import connect, query_rows

# Made by DuckDB itself: building timestamps from Python datetimes would load pandas (PyArrow).
ROWS = """
CREATE VIEW moments AS SELECT * FROM (VALUES
  (TIMESTAMPTZ '2026-03-01 10:00:00.123456+00', TIMESTAMP '2026-03-01 10:00:00.123456', 1, 'a'),
  (NULL, NULL, NULL, 'b'),
  (TIMESTAMPTZ '1970-01-01 00:00:00+00', TIMESTAMP '1970-01-01 00:00:00', 3, NULL),
  (TIMESTAMPTZ '1969-12-31 23:59:59.000001+00', TIMESTAMP '1969-12-31 23:59:59.000001', 4, 'd')
) AS rows(aware, naive, n, text)
"""


def _table() -> ibis.Table:
    con = connect("duckdb", "")
    con.raw_sql(ROWS)
    table = con.table("moments")
    paris = table.aware.cast("timestamp('Europe/Paris')")  # another zone
    return table.mutate(paris=paris, millis=table.naive.cast("timestamp(3)"))  # another unit


def _zones(row: dict[str, Any]) -> list[Any]:
    return [getattr(value, "tzinfo", None) for value in row.values()]


def test_rows_equal_ibis_own_conversion() -> None:
    table = _table()
    grouped = table.group_by("text").aggregate(first=table.aware.min(), rows=table.count())
    for query in [table, table.order_by("n").limit(2), grouped.order_by("text")]:
        expected = query.to_pyarrow().to_pylist()
        found = query_rows(query)
        assert found == expected
        assert [_zones(row) for row in found] == [_zones(row) for row in expected]


def test_no_rows() -> None:
    table = _table()
    assert query_rows(table.filter(table.n > 100)) == []


def test_pandas_is_not_loaded() -> None:
    code = (
        "import sys\n"
        "from tests.readers.test_query_rows import _table\n"
        "from cardpress.readers.drift.engines import query_rows\n"
        "t = _table()\n"
        "rows = query_rows(t.group_by('text').aggregate(a=t.aware.min(), b=t.naive.max()))\n"
        "assert len(rows) == 4, rows\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr
