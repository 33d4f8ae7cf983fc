"""Splink database connections: DuckDB in process (the default) and Spark.

DuckDB runs with a memory limit and a thread count (defaults suit the 2-core, 2 GB budget of the
benchmarks); Spark runs in local mode for tests and development, or on a cluster when given a
session (see docs/linkage-on-spark.md).
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

DEFAULT_DUCKDB_MEMORY_LIMIT = "1500MB"


def duckdb_connection(
    *, memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT, threads: int | None = None
) -> Any:
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 2)}")
    con.execute("SET preserve_insertion_order = false")
    return con


def duckdb_api(
    *, memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT, threads: int | None = None
) -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(connection=duckdb_connection(memory_limit=memory_limit, threads=threads))


_spark_session: Any = None


def spark_session(*, cores: int = 2, checkpoint_dir: str | None = None) -> Any:
    """A local Spark session for Splink (created once per process): bound to 127.0.0.1, no
    web UI, Splink's similarity UDF jar on the class path and a checkpoint directory."""
    global _spark_session
    if _spark_session is not None:
        return _spark_session
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("harbour-linkage")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.default.parallelism", str(cores * 2))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(
        checkpoint_dir or tempfile.mkdtemp(prefix="harbour-spark-checkpoints-")
    )
    _spark_session = session
    return session


def spark_api(session: Any = None) -> Any:
    from splink import SparkAPI

    return SparkAPI(
        spark_session=session or spark_session(),
        break_lineage_method="parquet",
        num_partitions_on_repartition=4,
    )


def db_api(engine: str, **options: Any) -> Any:
    if engine == "duckdb":
        return duckdb_api(**options)
    if engine == "spark":
        return spark_api(**options)
    raise ValueError(f"unknown engine {engine!r}: use 'duckdb' or 'spark'")
