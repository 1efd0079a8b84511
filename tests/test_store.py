"""The store file: creation, schema version, migrations, and clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from weakties.errors import StoreError
from weakties.store import connect, schema_version
from weakties.store.schema import SCHEMA_VERSION


def test_new_store_is_at_current_version(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb")
    assert schema_version(con) == SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert {"people", "identities", "organisations", "interactions", "participants",
            "sources", "quarantine", "items", "source_owners"} <= tables
    con.close()


def test_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = connect(path)
    con.execute("INSERT INTO me VALUES ('a@b.example')")
    con.close()
    con = connect(path)
    assert con.execute("SELECT address FROM me").fetchall() == [("a@b.example",)]
    con.close()


def test_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = connect(path)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    con.close()
    with pytest.raises(StoreError, match="Upgrade weakties"):
        connect(path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("hello, I am a text file\n" * 100)
    with pytest.raises(StoreError, match="not a weakties store"):
        connect(path)


def test_read_only_on_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="weakties ingest"):
        connect(tmp_path / "missing.duckdb", read_only=True)


def test_migration_from_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    duckdb.connect(str(path)).close()
    con = connect(path)
    assert schema_version(con) == SCHEMA_VERSION
    con.close()
