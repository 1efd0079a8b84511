"""The tie features on Apache Spark: the same query, another engine.

:func:`weakties.ties.features.tie_features_sql` is written in the SQL that DuckDB and
Spark SQL share (Spark's ``unix_seconds``, which DuckDB gets as a macro; distinct
counts with ``COUNT(DISTINCT ...)``; no engine-specific functions), so Spark runs
the very text DuckDB runs, over the store's facts exported as Parquet
(:mod:`weakties.store.parquet`). Only the literal of the instant differs: Spark has
no ``TIMESTAMP WITH TIME ZONE`` type name; its session runs in UTC and reads the
instant as a ``TIMESTAMP``.

What runs distributed: the features query (every join and aggregate over the
interactions, which is where the size is). What runs on the driver: the scoring of
the features table it returns (numpy, one pass; 1.2M ties are about 0.4 GB of
Arrow) and the graph steps of the analysis.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from weakties.errors import InputError
from weakties.store.db import arrow
from weakties.store.parquet import FACT_TABLES, export_facts
from weakties.ties.features import install_shims, tie_features_sql, timestamp_literal

if TYPE_CHECKING:
    from weakties.ties import FeaturesEngine

DEFAULT_MASTER = "local[*]"


def spark_timestamp_literal(value: datetime) -> str:
    """An instant as Spark SQL reads it in a UTC session."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return f"CAST('{text}' AS TIMESTAMP)"


def spark_engine(master: str = DEFAULT_MASTER, folder: Path | None = None) -> FeaturesEngine:
    """A features engine that exports the store's facts to Parquet (into ``folder``,
    else a temporary folder removed afterwards) and runs the features query on the
    Spark cluster at ``master`` (``local[*]``: this machine's cores)."""

    def features(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pa.Table:
        with _facts_folder(folder) as where:
            export_facts(con, where)
            found = spark_features(where, as_of, master)
        return conform(con, found, as_of)

    return features


def spark_features(folder: Path, as_of: datetime, master: str = DEFAULT_MASTER) -> pa.Table:
    """The features of every tie as of ``as_of``, named, computed by Spark over the
    Parquet tables in ``folder``."""
    from weakties.ties import NAMED

    spark = _session(master)
    for name in FACT_TABLES:
        spark.read.parquet(str(folder / name)).createOrReplaceTempView(name)
    sql = NAMED.format(features=tie_features_sql(spark_timestamp_literal(as_of)))
    table: pa.Table = spark.sql(sql).toArrow()
    return table


def conform(con: duckdb.DuckDBPyConnection, table: pa.Table, as_of: datetime) -> pa.Table:
    """``table`` with the column order and types DuckDB's features query gives, so the
    rest of the analysis cannot tell which engine computed it."""
    from weakties.ties import NAMED

    install_shims(con)
    sql = NAMED.format(features=tie_features_sql(timestamp_literal(as_of)))
    schema = arrow(con, f"SELECT * FROM ({sql}) LIMIT 0").schema
    missing = set(schema.names) - set(table.column_names)
    if missing:
        raise InputError(f"Spark gave no {sorted(missing)} columns.", "Check the Spark version.")
    return table.select(schema.names).cast(schema)


def _session(master: str) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "PySpark is not installed.", "Install it: pip install 'weakties[spark]'."
        ) from exc
    if not shutil.which("java"):
        raise InputError(
            "Spark needs a Java runtime and none was found.",
            "Install one (Debian: apt install openjdk-17-jre-headless).",
        )
    builder = SparkSession.builder.master(master).appName("weakties")
    for key, value in {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "8",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.driver.memory": "2g",
    }.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@contextmanager
def _facts_folder(folder: Path | None) -> Iterator[Path]:
    if folder is not None:
        yield folder
        return
    where = Path(tempfile.mkdtemp(prefix="weakties-parquet-"))
    try:
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)
