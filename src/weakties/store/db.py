"""Opening the store: one DuckDB file, migrated to the current schema."""

from __future__ import annotations

import re
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
    check_store_path(path)
    if read_only and not path.exists():
        raise StoreError(f"No store at {path}.", "Run `weakties ingest PATH` first, or pass --db.")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot make the folder of {path}: {exc.strerror}.", _CHECK) from exc
    try:
        con = duckdb.connect(str(path.absolute()), read_only=read_only, config=_OFFLINE)
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


_OFFLINE: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
"""The store never loads an extension it does not already hold: given a SQLite file,
DuckDB would otherwise download one over the network to read it."""

_DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file
_OTHER_FILES = (
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"PK\x03\x04", "a zip archive"),
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # md:, s3:, http:, ... (not a drive letter)
_ELSEWHERE = "Pass --db with another path, or move the file away."
_CHECK = "Check the path."


def check_store_path(path: Path) -> None:
    """Refuse a path that DuckDB would not open as a database file of its own.

    DuckDB reads ``:memory:`` and ``md:...`` as no file at all (any ``name:`` prefix
    asks for an extension of that name), opens an existing CSV,
    Parquet or JSON file as an in-memory database of views over it (so every write
    would be lost), and an existing SQLite file through an extension. A weakties store
    is a DuckDB file: an existing path must be one, and a new one will be made one.
    """
    text = str(path)
    if text.startswith(":memory:") or _URI.match(text):
        raise StoreError(f"--db {text!r} is not a file path.", "Pass the path of a .duckdb file.")
    if not path.exists():
        return
    if not path.is_file():
        raise StoreError(f"{path} is a folder or a device, not a store file.", _ELSEWHERE)
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as exc:
        raise StoreError(f"Cannot read the store {path}: {exc.strerror}.", _CHECK) from exc
    if head[8:12] == _DUCKDB_MAGIC:
        return
    what = "an empty file" if not head else "a file of another kind"
    what = next((name for magic, name in _OTHER_FILES if head.startswith(magic)), what)
    raise StoreError(f"{path} is not a weakties store: it is {what}.", _ELSEWHERE)


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
    return StoreError(f"{path} is not a weakties store: {text}.", _ELSEWHERE)


def _first_line(exc: BaseException) -> str:
    """The error's first line, without closing punctuation (the message adds its own)."""
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".!") if text else type(exc).__name__
