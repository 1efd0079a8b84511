"""Running out of memory while analysing is one line that says what to do (exit 2), and
the store keeps its previous analysis; the memory DuckDB may use is the user's to set."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from weakties import analysis, api
from weakties.cli import run
from weakties.config import Settings
from weakties.errors import InputError


def _store(tmp_path: Path) -> Settings:
    log = tmp_path / "log.csv"
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with log.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients"])
        for day in range(40):
            for a, b in (("a@x.org", "b@x.org"), ("b@x.org", "c@x.org"), ("c@x.org", "a@x.org")):
                out.writerow([(start + timedelta(days=day)).isoformat(), "email", a, b])
                out.writerow([(start + timedelta(days=day, hours=2)).isoformat(), "email", b, a])
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [log])
    api.analyze(settings)
    return settings


def test_out_of_memory_is_one_line_and_keeps_the_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _store(tmp_path)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        before = con.execute("SELECT count(*) FROM ties").fetchall()

    def exhausted(*args: object, **kwargs: object) -> None:
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    monkeypatch.setattr(analysis, "_analyze", exhausted)
    code = run(["--db", str(settings.db_path), "analyze"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "out of memory" in err and "WEAKTIES_MEMORY_LIMIT" in err and "spark" in err
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ties").fetchall() == before != [(0,)]


def test_the_memory_limit_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(analysis.MEMORY_ENV, raising=False)
    assert analysis.analysis_memory_limit() == analysis.machine_memory_limit(
        analysis.machine_memory()
    )
    monkeypatch.setenv(analysis.MEMORY_ENV, "6GB")
    assert analysis.analysis_memory_limit() == "6GB"
    monkeypatch.setenv(analysis.MEMORY_ENV, "lots'; DROP TABLE ties")
    with pytest.raises(InputError, match="not a size"):
        analysis.analysis_memory_limit()


def test_without_a_setting_the_limit_is_a_quarter_of_the_machine_within_bounds() -> None:
    gb = 1024**3
    assert analysis.machine_memory_limit(24 * gb) == "6144MiB"
    assert analysis.machine_memory_limit(4 * gb) == "1907MiB"  # never under 2 GB
    assert analysis.machine_memory_limit(256 * gb) == "16384MiB"  # nor over 16 GiB
    assert analysis.machine_memory_limit(None) == "1907MiB"
    found = analysis.machine_memory()
    assert found is None or found > 256 * 1024**2  # a machine that runs the tests


def test_the_first_limit_is_sized_to_the_store_and_doubles_up_to_the_machines_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(analysis.MEMORY_ENV, raising=False)
    monkeypatch.setattr(analysis, "machine_memory", lambda: 24 * 1024**3)  # share: 6 GiB
    assert analysis.memory_limits(0) == ["1024MiB", "2048MiB", "4096MiB", "6144MiB"]
    rows = 20_000_000  # 200 bytes a row: 4 GB
    assert analysis.memory_limits(rows) == ["3814MiB", "6144MiB"]
    assert analysis.memory_limits(10**9) == ["6144MiB"]  # never over the share
    monkeypatch.setenv(analysis.MEMORY_ENV, "3GB")
    assert analysis.memory_limits(rows) == ["3GB"]  # the user's limit, and no other


def test_running_out_starts_again_with_more_and_keeps_nothing_of_the_first_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _store(tmp_path)
    monkeypatch.delenv(analysis.MEMORY_ENV, raising=False)
    monkeypatch.setattr(analysis, "machine_memory", lambda: 24 * 1024**3)
    real = analysis._analyze
    tried: list[str] = []

    def short_at_first(con: duckdb.DuckDBPyConnection, *args: object, **kwargs: object) -> object:
        tried.append(str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))
        if len(tried) < 3:
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")
        return real(con, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "_analyze", short_at_first)
    summary = api.analyze(settings)
    assert summary.ties == 3
    assert len(tried) == 3
    sizes = [float(t.split()[0]) for t in tried]  # "1.0 GiB", "2.0 GiB", "4.0 GiB"
    assert sizes[1] == 2 * sizes[0] and sizes[2] == 2 * sizes[1]
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ties").fetchall() == [(3,)]


def test_pythons_own_memory_error_is_not_retried_and_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """More memory for DuckDB leaves less for Python: a MemoryError ends the analysis at
    once, with the same one-line error."""
    settings = _store(tmp_path)
    monkeypatch.delenv(analysis.MEMORY_ENV, raising=False)
    monkeypatch.setattr(analysis, "machine_memory", lambda: 24 * 1024**3)
    calls: list[int] = []

    def python_ran_out(*args: object, **kwargs: object) -> None:
        calls.append(1)
        raise MemoryError

    monkeypatch.setattr(analysis, "_analyze", python_ran_out)
    code = run(["--db", str(settings.db_path), "analyze"])
    err = capsys.readouterr().err
    assert calls == [1]
    assert code == 2 and err.count("\n") == 1 and "out of memory" in err


_RELEASE = """
import duckdb
from weakties.store.tuning import release_buffers

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])

con = duckdb.connect()
con.execute("SET memory_limit = '1GB'")
con.execute("SET enable_progress_bar = false")
start = rss()
grouped = "SELECT range % 3000000 AS k, count(*) FROM range(12000000) GROUP BY k"
con.sql(f"SELECT count(*) FROM ({grouped})").fetchall()
held = rss()
release_buffers(con)
print(start, held, rss(), con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_the_memory_a_large_query_leaves_behind_is_handed_back(tmp_path: Path) -> None:
    """DuckDB keeps the memory a query's hash tables used after the query ends (on
    100,000 people the features query left 1.8 GB held through the graph steps); the
    analysis hands it back and keeps the limit the connection had. Measured in a fresh
    process, where nothing else moves its resident size."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _RELEASE], capture_output=True, text=True, check=True
    )
    start, held, after, limit = done.stdout.split(maxsplit=3)
    grown = int(held) - int(start)
    assert grown > 50_000  # the group-by held over 50 MB
    assert int(after) - int(start) < grown / 4
    assert limit.strip().endswith("MiB") and 950 <= float(limit.split()[0]) <= 1000
