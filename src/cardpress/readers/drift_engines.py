"""The backends the drift expressions run on: DuckDB embedded (default) or PySpark.

Everything else in the drift engine is backend-neutral Ibis; only opening a connection and
reading many Parquet files at once differ. DuckDB reads a list of files as one table with the
file name as a column (one scan per query); Spark opens each file and the tables are unioned.
"""

from __future__ import annotations

import shutil
from typing import Any

import ibis
import ibis.expr.types as ir

from cardpress.errors import CardpressError
from cardpress.model_drift import Engine

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


def read_parquet(con: Any, engine: Engine, paths: list[str], source: str) -> ir.Table:
    """Every Parquet file of ``paths`` as one table, its path (as given) in column ``source``."""
    if engine == "duckdb":
        return con.read_parquet(paths, filename=source, union_by_name=True)
    tables = [con.read_parquet(p).mutate(**{source: ibis.literal(p)}) for p in paths]
    return tables[0] if len(tables) == 1 else ibis.union(*tables)


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
