"""`weakties flag` / `unflag`: the user's verdict on a sender, kept across re-ingest and
re-analysis, applied on the next rebuild of people, and shown with the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from weakties import api
from weakties.config import Settings
from weakties.store.people import people_stamp

SRC = Path(__file__).resolve().parents[1] / "src"

ROWS = [
    # Ann and Bo write to each other every week; Cy writes to both, and both answer
    *(
        f"2024-0{m}-{d:02d}T09:00:00Z,email,{s},{r}"
        for m in (1, 2, 3)
        for d in (3, 10, 17, 24)
        for s, r in (
            ("ann@acme.example", "bo@acme.example"),
            ("bo@acme.example", "ann@acme.example"),
            ("cy@acme.example", "ann@acme.example;bo@acme.example"),
            ("ann@acme.example", "cy@acme.example"),
        )
    ),
    # the office newsletter, never answered, from an address no rule would flag
    *(f"2024-0{m}-05T08:00:00Z,email,office@acme.example,ann@acme.example" for m in (1, 2, 3)),
]


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run(
        [sys.executable, "-m", "weakties", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def ok(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "mail.csv"
    log.write_text("timestamp,channel,sender,recipients\n" + "\n".join(ROWS) + "\n")
    db = tmp_path / "store.duckdb"
    api.ingest(Settings(db_path=db), [log])
    _analyze(db)
    return db, log


def _analyze(db: Path) -> None:
    api.analyze(Settings(db_path=db))


def _people(db: Path) -> dict[str, dict[str, object]]:
    rows = api.people(Settings(db_path=db), include_automated=True).to_pylist()
    return {str(r["identities"]).split()[0]: r for r in rows}


def _tied(db: Path, address: str) -> bool:
    con = duckdb.connect(str(db), read_only=True)
    try:
        (n,) = con.execute(
            "SELECT count(*) FROM ties t JOIN identities i "
            "ON i.person_id IN (t.person_a, t.person_b) WHERE i.address = ?",
            [address],
        ).fetchall()[0]
    finally:
        con.close()
    return bool(n)


def test_flag_takes_a_sender_out_and_unflag_brings_it_back(store: tuple[Path, Path]) -> None:
    db, log = store
    assert _tied(db, "office@acme.example") and not _people(db)["office@acme.example"]["automated"]

    said = ok(db, "flag", "Office@Acme.example")
    assert "office@acme.example" in said and "weakties analyze" in said
    _analyze(db)  # the verdict is a new fact: people are rebuilt
    row = _people(db)["office@acme.example"]
    assert row["automated"] is True and row["why"] == "flagged by you"
    assert not _tied(db, "office@acme.example")
    assert "office@acme.example" not in ok(db, "people")

    api.ingest(Settings(db_path=db), [log])  # re-ingest and re-analysis keep the verdict
    _analyze(db)
    assert _people(db)["office@acme.example"]["why"] == "flagged by you"

    ok(db, "unflag", "office@acme.example")
    _analyze(db)
    row = _people(db)["office@acme.example"]
    assert row["automated"] is False and row["why"] == "unflagged by you"
    assert _tied(db, "office@acme.example")


def test_unflag_overrides_the_rules_and_says_so(store: tuple[Path, Path]) -> None:
    db, _ = store
    api.ingest(Settings(db_path=db), [_robot(db.parent)])
    _analyze(db)
    assert _people(db)["info@vendor.example"]["why"] == "role"
    ok(db, "unflag", "info@vendor.example")
    _analyze(db)
    row = _people(db)["info@vendor.example"]
    assert row["automated"] is False and row["why"] == "unflagged by you"
    assert _tied(db, "info@vendor.example")


def test_a_flag_marks_the_analysis_stale_until_people_are_rebuilt(
    store: tuple[Path, Path],
) -> None:
    db, _ = store
    con = duckdb.connect(str(db), read_only=True)
    before = con.execute("SELECT value FROM meta WHERE key = 'people_built_from'").fetchall()
    con.close()
    ok(db, "flag", "office@acme.example")
    con = duckdb.connect(str(db), read_only=True)
    assert people_stamp(con) != before[0][0]
    con.close()


def test_flag_refuses_unknown_and_own_addresses(store: tuple[Path, Path]) -> None:
    db, _ = store
    unknown = run(db, "flag", "nobody@nowhere.example")
    assert unknown.returncode == 2
    assert "nobody@nowhere.example" in unknown.stderr and "Traceback" not in unknown.stderr
    api.init(Settings(db_path=db), ["ann@acme.example"])
    _analyze(db)
    own = run(db, "flag", "ann@acme.example")
    assert own.returncode == 2 and "own" in own.stderr


def _robot(folder: Path) -> Path:
    log = folder / "vendor.csv"
    log.write_text(
        "timestamp,channel,sender,recipients\n"
        "2024-02-01T10:00:00Z,email,info@vendor.example,ann@acme.example\n"
        "2024-02-01T12:00:00Z,email,ann@acme.example,info@vendor.example\n"
    )
    return log
