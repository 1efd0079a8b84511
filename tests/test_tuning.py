"""Settings a bulk write changes for its length are put back afterwards."""

from __future__ import annotations

import gc
from pathlib import Path

import duckdb
import pytest

from weakties.config import Settings
from weakties.ingest import ingest_sources, resolve_paths
from weakties.store.db import connect
from weakties.store.tuning import (
    collector_paused,
    memory_at_least,
    memory_capped,
    one_thread,
    size_bytes,
)

ENRON = Path(__file__).parent / "fixtures" / "mail" / "enron" / "maildir"


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> object:
    return con.execute("SELECT current_setting(?)", [name]).fetchall()[0][0]


def test_settings_are_set_then_restored(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb", memory_limit="512MB")
    threads, limit = _setting(con, "threads"), _setting(con, "memory_limit")
    with one_thread(con), memory_capped(con, "512MB"):
        assert _setting(con, "threads") == 1
        assert _setting(con, "memory_limit") == "61.0 MiB"
    assert (_setting(con, "threads"), _setting(con, "memory_limit")) == (threads, limit)
    con.close()


def test_memory_limit_is_only_lowered(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb", memory_limit="32MB")
    with memory_capped(con, "32MB"):
        assert _setting(con, "memory_limit") == "30.5 MiB"
    assert _setting(con, "memory_limit") == "30.5 MiB"
    con.close()


def test_settings_are_restored_when_the_block_fails(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb", memory_limit="1GB")
    threads, limit = _setting(con, "threads"), _setting(con, "memory_limit")
    with pytest.raises(RuntimeError), one_thread(con), memory_capped(con, "1GB"):
        raise RuntimeError
    assert (_setting(con, "threads"), _setting(con, "memory_limit")) == (threads, limit)
    con.close()


def test_memory_limit_is_only_raised_then_restored(tmp_path: Path) -> None:
    con = connect(tmp_path / "s.duckdb", memory_limit="256MB")
    before = size_bytes(str(_setting(con, "memory_limit")))
    with memory_at_least(con, "2GB"):
        assert _setting(con, "memory_limit") == "1.8 GiB"
    after = size_bytes(str(_setting(con, "memory_limit")))
    assert abs(after - before) <= 0.2 * 2**20
    with memory_at_least(con, "64MB"):  # already more: left alone
        assert size_bytes(str(_setting(con, "memory_limit"))) == after
    con.close()


@pytest.mark.parametrize(
    ("text", "size"), [("512MB", 512e6), ("488.2 MiB", 488.2 * 2**20), ("1GB", 1e9), ("64", 64)]
)
def test_sizes(text: str, size: float) -> None:
    assert size_bytes(text) == pytest.approx(size)


def test_the_collector_is_paused_and_resumed() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_ingest_leaves_the_connection_and_collector_as_it_found_them(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    con = connect(db, memory_limit="512MB")
    threads, limit = _setting(con, "threads"), _setting(con, "memory_limit")
    report = ingest_sources(con, resolve_paths([ENRON]), Settings(db_path=db))
    assert report.totals.read > 0
    assert (_setting(con, "threads"), _setting(con, "memory_limit")) == (threads, limit)
    assert gc.isenabled()
    con.close()


@pytest.mark.parametrize(
    ("fails", "limits"),
    [
        (1, ["61.0 MiB", "122.0 MiB"]),  # the smallest cap that fits
        (3, ["61.0 MiB", "122.0 MiB", "244.1 MiB", "488.2 MiB"]),  # up to the store's own
        (9, ["61.0 MiB", "122.0 MiB", "244.1 MiB", "488.2 MiB"]),  # and no further
    ],
)
def test_people_rebuild_doubles_its_cap_until_it_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: int, limits: list[str]
) -> None:
    from weakties.identity import rebuild as people

    real = people.rebuild_people_if_stale
    seen: list[object] = []

    def tight(con: duckdb.DuckDBPyConnection) -> bool:
        seen.append(_setting(con, "memory_limit"))
        if len(seen) <= fails:
            raise duckdb.OutOfMemoryException("could not allocate block")
        return real(con)

    monkeypatch.setattr(people, "rebuild_people_if_stale", tight)
    db = tmp_path / "s.duckdb"
    con = connect(db, memory_limit="512MB")
    report = ingest_sources(con, resolve_paths([ENRON]), Settings(db_path=db))
    assert seen == limits
    assert report.totals.stored > 0
    built = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    assert (built > 0) == (fails < len(limits))
    assert _setting(con, "memory_limit") == "488.2 MiB"
    con.close()


def test_people_rebuild_starts_from_a_cap_scaled_to_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weakties import ingest
    from weakties.identity import rebuild as people

    seen: list[object] = []
    real = people.rebuild_people_if_stale

    def watched(con: duckdb.DuckDBPyConnection) -> bool:
        seen.append(_setting(con, "memory_limit"))
        return real(con)

    monkeypatch.setattr(people, "rebuild_people_if_stale", watched)
    monkeypatch.setattr(ingest, "PEOPLE_BYTES_PER_PARTICIPANT", 10**7)  # 10 MB a row
    db = tmp_path / "s.duckdb"
    con = connect(db, memory_limit="1GB")
    ingest_sources(con, resolve_paths([ENRON]), Settings(db_path=db, memory_limit="1GB"))
    rows = con.execute("SELECT count(*) FROM participants").fetchall()[0][0]
    assert 7 <= rows <= 90  # so that the first cap lies between the ingest cap and 1 GB
    assert size_bytes(str(seen[0])) == pytest.approx(rows * 10**7, rel=0.01)
    con.close()
