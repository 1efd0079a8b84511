"""The store's facts as Parquet, for engines other than DuckDB (Spark) to read.

``export_facts`` writes one folder per table under the folder given: the
interactions partitioned by year (``interactions/year=2001/...``, undated ones under
``year=0``), the rest as plain Parquet files. With the facts go the people tables
that identity resolution derives from them (``identities``: which person each
address is; ``people``: names and owners), so that a reader needs nothing else to
compute ties. Timestamps are written as instants (UTC).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from weakties.errors import InputError

FACT_TABLES: dict[str, str] = {
    "interactions": "SELECT *, COALESCE(year(ts), 0) AS year FROM interactions",
    "participants": "SELECT * FROM participants",
    "items": "SELECT * FROM items",
    "sources": "SELECT * FROM sources",
    "identities": "SELECT * FROM identities",
    "people": "SELECT * FROM people",
}
"""Each table written, and the query that writes it."""

PARTITIONED = {"interactions": "year"}


def export_facts(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write :data:`FACT_TABLES` into ``folder`` (made if missing; a table's folder
    already there is replaced). Returns the rows written per table."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file.", "Give a folder for the Parquet tables.")
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, query in FACT_TABLES.items():
        target = folder / name
        if target.exists():
            shutil.rmtree(target)
        options = "FORMAT parquet, COMPRESSION zstd"
        if name in PARTITIONED:
            options += f", PARTITION_BY ({PARTITIONED[name]})"
        else:
            target.mkdir()
            target = target / "part-0.parquet"
        path = str(target).replace("'", "''")
        row = con.execute(f"COPY ({query}) TO '{path}' ({options})").fetchone()
        written[name] = int(row[0]) if row else 0  # COPY says how many rows it wrote
    return written
