"""The store file: creation, schema version, migrations, and clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from weakties.errors import StoreError
from weakties.store import connect, schema_version
from weakties.store.schema import MIGRATIONS, SCHEMA_VERSION


def test_new_store_is_at_current_version(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb")
    assert schema_version(con) == SCHEMA_VERSION
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert {
        "people",
        "identities",
        "organisations",
        "interactions",
        "participants",
        "sources",
        "quarantine",
        "items",
        "source_owners",
    } <= tables
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


def test_a_version_1_store_migrates_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    raw = duckdb.connect(str(path))
    MIGRATIONS[0](raw)  # the version 1 tables, primary keys and all
    raw.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    raw.execute("INSERT INTO items VALUES ('/m/1', 1, 'stored', 7, true)")
    raw.execute("INSERT INTO interaction_keys VALUES ('m:a@b', 7), ('c:00', 7)")
    raw.execute(
        "INSERT INTO interactions VALUES (7, 'm:a@b', 'c:00', 1, 'email', NULL, 'missing',"
        " 'a@b', NULL, NULL, 'ff', NULL, false, true, NULL, 2)"
    )
    raw.close()
    con = connect(path)
    assert schema_version(con) == SCHEMA_VERSION >= 4
    assert con.execute("SELECT count(*) FROM identity_verdicts").fetchall() == [(0,)]
    assert con.execute("SELECT * FROM items").fetchall() == [("/m/1", 1, "stored", 7, True)]
    assert sorted(con.execute("SELECT * FROM interaction_keys").fetchall()) == [
        ("c:00", 7),
        ("m:a@b", 7),
    ]
    assert con.execute(
        "SELECT interaction_id, bulk, n_participants, public FROM interactions"
    ).fetchall() == [(7, True, 2, False)]
    keyed = con.execute(
        "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    assert not {"items", "interactions", "interaction_keys"} & {row[0] for row in keyed}
    con.close()


def test_a_new_store_has_the_same_tables_as_a_migrated_one(tmp_path: Path) -> None:
    raw = duckdb.connect(str(tmp_path / "old.duckdb"))
    MIGRATIONS[0](raw)
    raw.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    raw.close()
    migrated, fresh = connect(tmp_path / "old.duckdb"), connect(tmp_path / "new.duckdb")
    sql = (
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
        " ORDER BY ALL"
    )
    assert migrated.execute(sql).fetchall() == fresh.execute(sql).fetchall()
    constraints = "SELECT table_name, constraint_type FROM duckdb_constraints() ORDER BY ALL"
    assert migrated.execute(constraints).fetchall() == fresh.execute(constraints).fetchall()
    migrated.close()
    fresh.close()


def test_a_store_with_ad_hoc_analysis_tables_is_told_to_analyse_again(tmp_path: Path) -> None:
    """Version 2 made the analysis tables with CREATE OR REPLACE; version 3 declares them.
    The old ones are dropped, and a listing says to run analyze, not a database error."""
    from weakties.insights.queries import require_analysis

    path = tmp_path / "v2.duckdb"
    raw = duckdb.connect(str(path))
    MIGRATIONS[0](raw)
    MIGRATIONS[1](raw)
    raw.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    raw.execute("CREATE TABLE ties AS SELECT 1 AS person_a, 2 AS person_b, 0.5 AS strength")
    raw.close()
    con = connect(path)
    assert con.execute("SELECT count(*) FROM ties").fetchall() == [(0,)]
    with pytest.raises(StoreError, match="weakties analyze"):
        require_analysis(con)
    con.close()


def test_changed_analysis_declarations_drop_the_old_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weakties.store import db, schema

    path = tmp_path / "s.duckdb"
    connect(path).close()
    monkeypatch.setattr(db, "DERIVED_VERSION", schema.DERIVED_VERSION + 1)
    monkeypatch.setattr(schema, "DERIVED_VERSION", schema.DERIVED_VERSION + 1)
    con = connect(path)
    assert db.derived_version(con) == schema.DERIVED_VERSION
    con.close()
