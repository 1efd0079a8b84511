"""Opening the store: one DuckDB file, migrated to the current schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from weakties.errors import StoreError
from weakties.store.schema import (
    DERIVED_VERSION,
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    create,
    recreate_derived,
)


def connect(
    path: Path, *, read_only: bool = False, memory_limit: str = "512MB"
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at ``path`` and migrate it.

    Raises :class:`StoreError` when the file is not a DuckDB database, is locked
    by another process, or was written by a newer weakties.
    """
    if read_only and not path.exists():
        raise StoreError(f"No store at {path}.", "Run `weakties ingest PATH` first, or pass --db.")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise _open_error(path, exc) from exc
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")  # weakties draws its own
    if not read_only:
        migrate(con)
    else:
        _check_version(con)
    return con


def first_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """The first row of a result, reading it to its end.

    DuckDB refuses further work on a connection whose last result was not read to
    the end, so single-row reads use this instead of ``fetchone()``.
    """
    rows = result.fetchall()
    return tuple(rows[0]) if rows else None


def arrow(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | dict[str, object] | None = None
) -> pa.Table:
    """Run a read and return its rows as Arrow.

    Finishes first any result an earlier ``execute`` left unread, which DuckDB
    would otherwise refuse to interleave with a new relation.
    """
    complete = getattr(con, "complete", None)
    if complete is not None:
        complete()
    relation = con.sql(sql, params=params)
    assert relation is not None
    return relation.to_arrow_table()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version; 0 for an empty database.

    Asks ``duckdb_tables()``: the first ``information_schema`` query of a session
    costs ~15 ms, a quarter of opening a store.
    """
    has_meta = first_row(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'")
    )
    if not has_meta or not has_meta[0]:
        return 0
    row = first_row(con.execute("SELECT value FROM meta WHERE key = 'schema_version'"))
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the store to :data:`SCHEMA_VERSION`, one migration per transaction.

    An empty database gets the current tables directly.
    """
    version = _check_version(con)
    if version == 0:
        _step(con, create, SCHEMA_VERSION)
        return
    while version < SCHEMA_VERSION:
        _step(con, MIGRATIONS[version], version + 1)
        version += 1
    if derived_version(con) != DERIVED_VERSION:
        con.execute("BEGIN TRANSACTION")
        recreate_derived(con)
        con.execute("COMMIT")


def derived_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version of the analysis tables' declarations the store holds (0: none)."""
    row = first_row(con.execute("SELECT value FROM meta WHERE key = 'derived_version'"))
    return int(row[0]) if row else 0


def _step(con: duckdb.DuckDBPyConnection, change: Migration, to: int) -> None:
    con.execute("BEGIN TRANSACTION")
    change(con)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(to)])
    con.execute("COMMIT")


def _check_version(con: duckdb.DuckDBPyConnection) -> int:
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"This store has schema version {version}; this weakties knows {SCHEMA_VERSION}.",
            "Upgrade weakties to read it.",
        )
    return version


def _open_error(path: Path, exc: duckdb.Error) -> StoreError:
    text = _first_line(exc)
    if "lock" in text.lower():
        return StoreError(
            f"The store {path} is in use by another process.",
            "Wait for the other weakties command to finish, or pass another --db.",
        )
    if isinstance(exc, duckdb.IOException) and "not a valid" not in text:
        return StoreError(f"Cannot open the store {path}: {text}.", "Check the path.")
    return StoreError(
        f"{path} is not a weakties store: {text}.",
        "Pass --db with another path, or move the file away.",
    )


def _first_line(exc: BaseException) -> str:
    """The error's first line, without closing punctuation (the message adds its own)."""
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".!") if text else type(exc).__name__
