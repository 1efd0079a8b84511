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
    assert analysis.analysis_memory_limit() == analysis.ANALYSIS_MEMORY_LIMIT
    monkeypatch.setenv(analysis.MEMORY_ENV, "6GB")
    assert analysis.analysis_memory_limit() == "6GB"
    monkeypatch.setenv(analysis.MEMORY_ENV, "lots'; DROP TABLE ties")
    with pytest.raises(InputError, match="not a size"):
        analysis.analysis_memory_limit()
