"""Identities a user can fix, end to end: merge, split and init --me take effect at
once and last; explanations speak from the viewer's side; first and last seen."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    command = [sys.executable, "-m", "weakties", "--db", str(db), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )


def ok(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


ANA = "Ana Ámbar <ana@acme.example>"
START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)


def _log(path: Path, rows: list[tuple[int, str, str]]) -> Path:
    """A log of e-mails ``(day, sender, recipients)``, one an hour from START + day."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["timestamp", "channel", "sender", "recipients"])
        for n, (day, sender, recipients) in enumerate(rows):
            when = START + timedelta(days=day, hours=n % 8)
            out.writerow([when.isoformat(), "email", sender, recipients])
    return path


def _office() -> list[tuple[int, str, str]]:
    rows: list[tuple[int, str, str]] = []
    for week in range(12):
        day = 7 * week
        rows += [(day, ANA, "bob@acme.example"), (day + 1, "bob@acme.example", "ana@acme.example")]
        rows += [(day, ANA, "cy@acme.example"), (day + 2, "cy@acme.example", ANA)]
        rows += [(day + 3, "bob@eu.acme.example", "cy@acme.example")]
        rows += [(day + 3, "cy@acme.example", "bob@eu.acme.example")]
        if week % 2 == 0:
            rows += [(day + 1, ANA, "dee@globex.example")]
            rows += [(day + 2, "ana.home@gmail.com", "bob@acme.example")]
            rows += [(day + 4, "bob@acme.example", "ana.home@gmail.com")]
    rows += [(80, "dee@globex.example", "ana@acme.example")]
    return rows


def _rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _same(db: Path, a: str, b: str) -> bool:
    found = _rows(db, "SELECT count(DISTINCT person_id) FROM identities WHERE address IN (?, ?)",
                  [a, b])  # fmt: skip
    return found == [(1,)]


def _tie(db: Path, a: str, b: str) -> bool:
    found = _rows(
        db,
        """SELECT count(*) FROM ties t JOIN identities x ON x.address = ?
           JOIN identities y ON y.address = ?
           WHERE least(t.person_a, t.person_b) = least(x.person_id, y.person_id)
             AND greatest(t.person_a, t.person_b) = greatest(x.person_id, y.person_id)""",
        [a, b],
    )
    return found == [(1,)]


def _current(db: Path) -> bool:
    """The analysis was made from the facts as they are (nothing is waiting for analyze)."""
    stamp = dict(_rows(db, "SELECT key, value FROM meta"))
    return stamp.get("analysis_facts") == stamp.get("people_built_from") is not None


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("office")
    db = root / "office.duckdb"
    ok(db, "ingest", str(_log(root / "office.csv", _office())))
    ok(db, "analyze")
    return db


@pytest.fixture
def office(analysed: Path, tmp_path: Path) -> Path:
    """A copy of the analysed office store, for one test to change."""
    db = tmp_path / "office.duckdb"
    shutil.copy(analysed, db)
    return db


def test_merge_and_split_take_effect_at_once_and_last(office: Path, tmp_path: Path) -> None:
    db = office
    assert not _same(db, "ana.home@gmail.com", "ana@acme.example")
    assert _tie(db, "ana.home@gmail.com", "bob@acme.example")
    out = ok(db, "merge", "ana.home@gmail.com", "Ana Ámbar")
    assert "Merged: Ana Ámbar" in out and "Analysed" in out
    assert _rows(db, "SELECT address, other, verdict FROM identity_verdicts") == [
        ("ana.home@gmail.com", "ana@acme.example", "same")
    ]
    assert _same(db, "ana.home@gmail.com", "ana@acme.example") and _current(db)
    later = [(90 + i, "ana.home@gmail.com", "ana@acme.example") for i in range(3)]
    ok(db, "ingest", str(_log(tmp_path / "later.csv", later)))
    ok(db, "analyze")
    assert _same(db, "ana.home@gmail.com", "ana@acme.example")
    assert not _tie(db, "ana.home@gmail.com", "ana@acme.example")

    ok(db, "split", "ana@acme.example", "ANA.HOME@gmail.com")
    assert _rows(db, "SELECT verdict FROM identity_verdicts") == [("apart",)]
    assert not _same(db, "ana.home@gmail.com", "ana@acme.example") and _current(db)
    assert _tie(db, "ana.home@gmail.com", "ana@acme.example")  # the forwards are a tie again


def test_a_split_beats_the_evidence_that_merged(office: Path) -> None:
    db = office
    assert _same(db, "bob@acme.example", "bob@eu.acme.example")  # one local part, one organisation
    ok(db, "split", "bob@acme.example", "bob@eu.acme.example")
    assert not _same(db, "bob@acme.example", "bob@eu.acme.example")
    ok(db, "analyze")
    assert not _same(db, "bob@acme.example", "bob@eu.acme.example")
    ok(db, "merge", "bob@acme.example", "bob@eu.acme.example")
    assert _same(db, "bob@acme.example", "bob@eu.acme.example")
    assert _rows(db, "SELECT count(*) FROM identity_verdicts WHERE verdict = 'apart'") == [(0,)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["merge", "bob@acme.example", "bob@eu.acme.example"], "already one person"),
        (["merge", "bob@acme.example", "nobody@acme.example"], "Nobody called"),
        (["split", "bob@acme.example", "cy@acme.example"], "not one of this person's"),
        (["split", "cy@acme.example", "cy@acme.example"], "only address"),
    ],
)
def test_bad_merges_and_splits_are_one_line(office: Path, args: list[str], words: str) -> None:
    result = run(office, *args)
    assert result.returncode == 2 and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _rows(office, "SELECT count(*) FROM identity_verdicts") == [(0,)]


def test_init_me_takes_effect_at_once(office: Path) -> None:
    db = office
    owner = "SELECT p.is_owner FROM people p JOIN identities i USING (person_id) WHERE address = ?"
    assert _rows(db, owner, ["ana@acme.example"]) == [(False,)]
    ok(db, "init", "--me", "ana@acme.example", "--me", "ana.home@gmail.com")
    assert _rows(db, owner, ["ana@acme.example"]) == [(True,)]
    assert _same(db, "ana.home@gmail.com", "ana@acme.example") and _current(db)
    flags = _rows(
        db,
        """SELECT bool_and(CASE WHEN t.person_a = i.person_id THEN t.owner_a ELSE t.owner_b END)
           FROM ties t JOIN identities i ON i.address = 'ana@acme.example'
           WHERE i.person_id IN (t.person_a, t.person_b)""",
    )
    assert flags == [(True,)]
    mine = json.loads(ok(db, "ties", "--person", "ana@acme.example", "-f", "json"))
    dee = next(t for t in mine if t["person_b"] == "Dee")  # named after its address
    assert "almost all from you" in dee["explanation"]


def test_explanations_say_you_only_in_the_owners_own_view(tmp_path: Path) -> None:
    db = tmp_path / "mine.duckdb"
    ok(db, "init", "--me", "ana@acme.example")
    ok(db, "ingest", str(_log(tmp_path / "office.csv", _office())))
    ok(db, "analyze")
    theirs = json.loads(ok(db, "ties", "--person", "dee@globex.example", "-f", "json"))
    assert [t["explanation"] for t in theirs if t["person_b"] == "Ana Ámbar"] == [
        theirs[0]["explanation"]
    ]
    assert "almost all from Ana Ámbar" in theirs[0]["explanation"]
    everyone = json.loads(ok(db, "ties", "-f", "json", "--limit", "0"))
    assert everyone and not any(
        w in t["explanation"].split() for t in everyone for w in ("you", "them")
    )
    mine = json.loads(ok(db, "ties", "--person", "Ana Ámbar", "-f", "json"))
    assert any("from you" in t["explanation"] for t in mine)
    stored = _rows(db, "SELECT explanation FROM ties")
    assert not any(" you" in str(e) or "them" in str(e) for (e,) in stored)
    profile = ok(db, "person", "dee@globex.example")
    assert "almost all from Ana Ámbar" in profile and "from you" not in profile


def test_first_and_last_seen_ignore_implausible_dates(tmp_path: Path) -> None:
    mbox = tmp_path / "mail.mbox"
    messages = [
        ("Mon, 1 Jan 1980 00:00:00 +0000", "<a@x>"),
        ("Tue, 5 Mar 2024 10:00:00 +0000", "<b@x>"),
        ("Wed, 6 Mar 2024 10:00:00 +0000", "<c@x>"),
    ]
    mbox.write_text(
        "".join(
            f"From ana@acme.example Tue Mar  5 10:00:00 2024\nFrom: Ana <ana@acme.example>\n"
            f"To: Bob Berg <bob@acme.example>\nDate: {date}\nMessage-ID: {mid}\n"
            f"Subject: s{mid}\n\nhello\n\n"
            for date, mid in messages
        )
    )
    db = tmp_path / "s.duckdb"
    ok(db, "ingest", str(mbox))
    assert _rows(db, "SELECT count(*) FROM interactions WHERE date_flag = 'implausible'") == [(1,)]
    people = json.loads(ok(db, "people", "-f", "json", "--search", "Bob Berg"))
    assert [(p["first_seen"][:10], p["last_seen"][:10]) for p in people] == [
        ("2024-03-05", "2024-03-06")
    ]
    ok(db, "analyze")
    assert "first seen 2024-03-05, last seen 2024-03-06" in ok(db, "person", "bob@acme.example")
