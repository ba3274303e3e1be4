"""The backends the drift expressions run on: DuckDB embedded (default) or PySpark.

Everything else in the drift engine is backend-neutral Ibis; only opening a connection and
reading many Parquet files at once differ. Both read a list of files as one table with the
file's path as a column, so a query scans every file in one pass (on Spark, files are grouped by
schema, one reader per group: a union of one reader per file costs seconds of planning a query).
"""

from __future__ import annotations

import hashlib
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlparse
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

from cardpress.errors import CardpressError
from cardpress.model_drift import Engine

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_SPARK_CONFIG = {
    # one build is one small job: few shuffle partitions, no web UI, quiet logs
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # a JSON or CSV column that is a timestamp everywhere is read as one, as DuckDB does
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
}


def connect(engine: Engine, spark_master: str) -> Any:
    """A fresh Ibis connection of ``engine``; a clear error when Spark cannot start."""
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        # every feature is a query over the same files: read their footers once, not per query
        con.raw_sql("SET parquet_metadata_cache = true")
        con.raw_sql("SET enable_progress_bar = false")  # a build prints its own messages only
        # naive timestamps are UTC, and window boundaries are UTC days, whatever the machine's zone
        con.raw_sql("SET TimeZone = 'UTC'")
        return con
    return _spark(spark_master)


@ibis.udf.agg.builtin(name="fsum")  # type: ignore[untyped-decorator]
def _fsum(value: float) -> float:  # type: ignore[empty-body]
    """DuckDB's compensated sum (Kahan–Babuška–Neumaier)."""


def float_sum(table: ir.Table, column: Any) -> Any:
    """The sum of a float column, the same however the engine splits and orders its rows.

    A plain sum rounds at every addition, so the last bits depend on how the rows were grouped
    and combined: a file scanned alone (a rebuild after a new day) and the same file scanned
    with 285 others (a clean build) gave sums one unit in the last place apart, and pages that
    differed. DuckDB's compensated sum carries the rounding error along, so its result is the
    correctly rounded sum (but for ties far below a float's precision) whatever the order.
    Spark has no such sum: there the plain one.
    """
    if table._find_backend(use_default=True).name == "duckdb":
        return _fsum(column)
    return column.sum()


def query_rows(query: ir.Table) -> list[dict[str, Any]]:
    """The rows of a small (aggregated or limited) query, as dicts.

    On DuckDB the result is read without Ibis's DuckDB result converter, whose module imports
    pandas (~0.3 s) for a pandas conversion no build needs, and timestamps are turned into
    datetimes here: PyArrow's own conversion imports pandas too. An incremental build imports
    pandas nowhere else. The columns are cast to the query's schema first, as Ibis does.
    """
    backend = query._find_backend(use_default=True)
    if backend.name != "duckdb":
        return list(query.to_pyarrow().to_pylist())
    from ibis.formats.pyarrow import PyArrowData

    table = backend._to_duckdb_relation(query).to_arrow_table()
    table = query.__pyarrow_result__(table, data_mapper=PyArrowData)
    columns = [_python_values(column) for column in table.columns]
    return [dict(zip(table.column_names, row, strict=True)) for row in zip(*columns, strict=True)]


def _python_values(column: Any) -> list[Any]:
    """A column's values as Python objects; timestamps as datetimes (µs), in their time zone."""
    import pyarrow as pa

    kind = column.type
    if not pa.types.is_timestamp(kind):
        return list(column.to_pylist())
    per_micro = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0}[kind.unit]
    zone = ZoneInfo(kind.tz) if kind.tz else None
    found: list[Any] = []
    for number in column.cast(pa.int64()).to_pylist():
        if number is None:
            found.append(None)
            continue
        micros = number * per_micro if per_micro else number // 1_000
        moment = _EPOCH + timedelta(microseconds=micros)
        found.append(moment.astimezone(zone) if zone else moment.replace(tzinfo=None))
    return found


def read_parquet(
    con: Any, engine: Engine, schemas: dict[str, ibis.Schema], source: str
) -> ir.Table:
    """Every Parquet file of ``schemas`` (path: its schema) as one table, its path in ``source``.

    The paths are taken as given; the schemas are those the caller read from the files' footers.
    """
    if engine == "duckdb":
        return con.read_parquet(list(schemas), filename=source, union_by_name=True)
    by_schema: dict[ibis.Schema, list[str]] = defaultdict(list)
    for path, schema in schemas.items():
        by_schema[schema].append(path)
    tables = [t for group in by_schema.values() for t in _spark_parquet(con, group, source)]
    return tables[0] if len(tables) == 1 else ibis.union(*_alike(tables))


def _alike(tables: list[ir.Table]) -> list[ir.Table]:
    """Tables with one type per column, for a union: numbers that differ as float64.

    The files were checked to have compatible columns; DuckDB's reader unifies them the same way.
    """
    columns = tables[0].columns
    differ = {c for c in columns if len({t.schema()[c] for t in tables}) > 1}
    if not differ:
        return tables
    return [t.select(*(t[c].cast("float64").name(c) if c in differ else t[c] for c in columns))
            for t in tables]  # fmt: skip


def _spark_parquet(con: Any, paths: list[str], source: str) -> list[ir.Table]:
    """Parquet files of one schema as one Spark reader, each row's path (as given) in ``source``.

    Spark names a row's file by URI (``input_file_name``); the URIs of the files it read are
    mapped back to the paths given, so ``source`` holds the same values on every backend. If
    one did not map back (not expected), each file is read on its own, its path a literal.
    """
    from pyspark.sql import functions as spark

    frame = con._session.read.parquet(*paths)
    given = set(paths)
    uris = {uri: unquote(urlparse(uri).path) for uri in frame.inputFiles()}
    if given != set(uris.values()):
        return [con.read_parquet(p).mutate(**{source: ibis.literal(p)}) for p in paths]
    pairs = [spark.lit(x) for uri, path in sorted(uris.items()) for x in (uri, path)]
    frame = frame.withColumn(source, spark.create_map(*pairs)[spark.input_file_name()])
    name = "cardpress_" + hashlib.sha256("\0".join(paths).encode()).hexdigest()[:16]
    frame.createOrReplaceTempView(name)
    return [con.table(name)]


def _spark(master: str) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise CardpressError(
            "the Spark engine needs PySpark: pip install 'cardpress[spark]' "
            "(or use the default engine, duckdb)"
        ) from error
    if master.startswith("local") and shutil.which("java") is None:
        raise CardpressError(
            "the Spark engine needs Java 17: apt-get install openjdk-17-jre-headless "
            "(or use the default engine, duckdb)"
        )
    builder = SparkSession.builder.master(master).appName("cardpress")
    for key, value in _SPARK_CONFIG.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # py4j/Java errors: the user needs the master URL and the cause
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else repr(error)
        raise CardpressError(f"Spark did not start at {master}: {first}") from error
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)
