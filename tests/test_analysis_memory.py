"""The analysis raises DuckDB's memory limit for its own queries and gives it back;
an empty store is an input error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from weakties import api
from weakties.analysis import ANALYSIS_MEMORY_LIMIT, analyze
from weakties.config import Settings
from weakties.errors import InputError
from weakties.store import connect
from weakties.store.tuning import size_bytes


def _limit(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])


def test_limit_raised_during_analysis_and_restored(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "timestamp,channel,sender,recipients\n"
        + "".join(f"2025-01-{d:02d}T10:00:00Z,email,a@x.org,b@x.org;c@y.org\n" for d in range(1, 9))
        + "".join(f"2025-01-{d:02d}T11:00:00Z,email,b@x.org,a@x.org\n" for d in range(1, 9))
    )
    api.ingest(Settings(db_path=tmp_path / "s.duckdb"), [log])
    con = connect(tmp_path / "s.duckdb", memory_limit="256MB")
    seen: list[int] = []

    class Probe:
        def start(self, label: str, total: int | None) -> None:
            seen.append(size_bytes(_limit(con)))

        def advance(self, n: int) -> None:
            return None

        def finish(self) -> None:
            return None

    summary = analyze(con, progress=Probe())
    assert summary.ties == 2
    assert seen and seen[0] >= size_bytes(ANALYSIS_MEMORY_LIMIT) * 0.9  # DuckDB rounds it down
    assert abs(size_bytes(_limit(con)) - 256e6) <= 0.2 * 2**20  # 256 MB, as before
    con.close()


def test_an_empty_store_is_an_input_error(tmp_path: Path) -> None:
    con = connect(tmp_path / "empty.duckdb")
    with pytest.raises(InputError, match="no interactions"):
        analyze(con)
    con.close()
