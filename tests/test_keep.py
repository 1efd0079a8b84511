"""Keeping in touch end to end: fading, nudges, cadences, done, snooze, reminders and
digest on a small log whose answers can be told by hand, then the stored rows."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import icalendar
import pytest

ME = "me@home.example"
END = datetime(2026, 3, 2, 9, tzinfo=UTC)  # the log's last day
TODAY = "2026-03-03"
SRC = Path(__file__).resolve().parents[1] / "src"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run(
        [sys.executable, "-m", "weakties", "--db", str(db), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def ok(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _every(rows: list[tuple[str, str, str]], a: str, b: str, *, days_ago: int, n: int,
           gap: int) -> None:  # fmt: skip
    """``n`` exchanges (a writes, b answers an hour later), ``gap`` days apart, the last
    ``days_ago`` days before the end of the log."""
    for k in range(n):
        when = END - timedelta(days=days_ago + k * gap)
        rows.append((when.isoformat(), a, b))
        rows.append(((when + timedelta(hours=1)).isoformat(), b, a))


def office_rows() -> list[tuple[str, str, str]]:
    """ana: weekly for a year, last two days ago, with shared colleagues (steady).
    bo: four exchanges a month apart, last 50 days ago, nobody in common (a fading bridge).
    cy: every four days for half a year, silent for 40 days (overdue against his rhythm).
    dee: twelve exchanges early on, silent for 400 days; nobody else at far.example
    (dormant, worth reviving). eve: every ten days, last 17 days ago (for a cadence).
    zed and yan work with ana, cy and eve (so those ties have contacts in common)."""
    rows: list[tuple[str, str, str]] = []
    _every(rows, ME, "ana@corp.example", days_ago=2, n=52, gap=7)
    _every(rows, ME, "bo@elsewhere.example", days_ago=50, n=4, gap=30)
    _every(rows, ME, "cy@corp.example", days_ago=40, n=45, gap=4)
    _every(rows, ME, "dee@far.example", days_ago=400, n=12, gap=10)
    _every(rows, ME, "eve@corp.example", days_ago=17, n=20, gap=10)
    for colleague in ("zed@corp.example", "yan@corp.example"):
        _every(rows, ME, colleague, days_ago=3, n=20, gap=9)
        for other in ("ana@corp.example", "cy@corp.example", "eve@corp.example"):
            _every(rows, colleague, other, days_ago=5, n=10, gap=11)
    return rows


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("keep")
    log = root / "log.csv"
    with log.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "channel", "sender", "recipients"])
        writer.writerows([(t, "email", a, b) for t, a, b in office_rows()])
    db = root / "store.duckdb"
    ok(db, "init", "--me", ME)
    ok(db, "ingest", str(log))
    ok(db, "analyze")
    return db


@pytest.fixture
def store(office: Path, tmp_path: Path) -> Path:
    """A copy of the analysed office for a test that writes facts."""
    db = tmp_path / "store.duckdb"
    db.write_bytes(office.read_bytes())
    return db


def _json(db: Path, *args: str) -> list[dict[str, object]]:
    out = json.loads(ok(db, *args, "--format", "json"))
    assert isinstance(out, list)
    return out


def test_fading_lists_the_ties_at_risk_with_reasons(office: Path) -> None:
    rows = _json(office, "fading", "--min-probability", "0", "--limit", "0")
    by_name = {str(r["person_b"]): r for r in rows}
    assert set(by_name) >= {"Ana", "Bo", "Cy"}
    assert "Dee" not in by_name  # silent for 400 days: not an active tie
    assert {r["person_a"] for r in rows} == {"Me"}
    p = {name: float(r["probability"]) for name, r in by_name.items()}  # type: ignore[arg-type]
    assert p["Bo"] > 0.5 > p["Ana"]
    assert p["Cy"] > p["Ana"]
    assert "silent for 48 days" in str(by_name["Bo"]["why"])
    assert "usual gap" in str(by_name["Cy"]["why"])
    probabilities = [float(r["probability"]) for r in rows]  # type: ignore[arg-type]
    assert probabilities == sorted(probabilities, reverse=True)
    at_risk = _json(office, "fading")
    assert at_risk and all(float(r["probability"]) >= 0.5 for r in at_risk)  # type: ignore[arg-type]
    assert "Ana" not in {r["person_b"] for r in at_risk}


def test_nudges_name_each_reason_and_a_light_touch(store: Path) -> None:
    found = {str(r["person"]): r for r in _json(store, "nudges", "--today", TODAY)}
    assert found["Bo"]["kind"] == "fading-bridge"
    assert "you share no contacts" in str(found["Bo"]["reason"])
    assert found["Cy"]["kind"] == "overdue"
    assert found["Dee"]["kind"] == "dormant"
    assert "far.example" in str(found["Dee"]["reason"])
    assert "Ana" not in found
    assert all(r["touch"] and r["reason"] for r in found.values())
    con = duckdb.connect(str(store), read_only=True)
    shown = con.execute("SELECT address, kind FROM nudges_shown WHERE day = ?", [date(2026, 3, 3)])
    assert {a.split("@")[0] for a, _ in shown.fetchall()} == {n.lower() for n in found}
    con.close()


def test_cadence_done_and_snooze(store: Path) -> None:
    before = {str(r["person"]) for r in _json(store, "nudges", "--today", TODAY)}
    assert "Eve" not in before  # every ten days, quiet for 15: not yet overdue
    ok(store, "cadence", "eve@corp.example", "14d")
    assert _json(store, "cadence")[0]["days"] == 14
    tomorrow = "2026-03-04"
    found = {str(r["person"]): r for r in _json(store, "nudges", "--today", tomorrow)}
    assert found["Eve"]["kind"] == "cadence"
    assert "every 14 days" in str(found["Eve"]["reason"])
    ok(store, "done", "eve@corp.example")
    ok(store, "snooze", "cy@corp.example", "--until", "2026-04-01", "--today", tomorrow)
    later = {str(r["person"]) for r in _json(store, "nudges", "--today", "2026-03-05")}
    assert "Eve" not in later and "Cy" not in later
    after = {str(r["person"]) for r in _json(store, "nudges", "--today", "2026-04-02")}
    assert "Cy" in after  # the snooze is over
    con = duckdb.connect(str(store), read_only=True)
    sql = "SELECT address, action, until FROM followups ORDER BY noted_at"
    actions = con.execute(sql).fetchall()
    con.close()
    assert actions[0][:2] == ("eve@corp.example", "done")
    assert actions[1] == ("cy@corp.example", "snooze", date(2026, 4, 1))


def test_a_cadence_on_an_organisation_covers_its_people(store: Path) -> None:
    ok(store, "cadence", "corp.example", "10d")
    found = {str(r["person"]): r for r in _json(store, "nudges", "--today", TODAY)}
    assert "organisation corp.example" in str(found["Eve"]["reason"])
    assert "Ana" not in found  # two days ago: within the cadence
    ok(store, "cadence", "corp.example", "off")
    assert _json(store, "cadence") == []


def test_facts_survive_reingest_and_reanalysis(store: Path, tmp_path: Path) -> None:
    ok(store, "cadence", "eve@corp.example", "14d")
    ok(store, "snooze", "bo@elsewhere.example", "--until", "2026-06-01", "--today", TODAY)
    ok(store, "analyze")
    found = {str(r["person"]) for r in _json(store, "nudges", "--today", TODAY)}
    assert "Bo" not in found and "Eve" in found


def test_at_most_n_a_day_and_the_same_ones_again(store: Path) -> None:
    first = [r["person"] for r in _json(store, "nudges", "--today", TODAY, "--per-day", "2")]
    assert len(first) == 2
    again = [r["person"] for r in _json(store, "nudges", "--today", TODAY, "--per-day", "2")]
    assert again == first
    wider = [r["person"] for r in _json(store, "nudges", "--today", TODAY, "--per-day", "3")]
    assert wider[:2] == first and len(wider) == 3
    next_day = [r["person"] for r in _json(store, "nudges", "--today", "2026-03-04",
                                           "--per-day", "2")]  # fmt: skip
    assert len(next_day) == 2


def test_three_unanswered_outreaches_stop_the_nudges(store: Path) -> None:
    for day in ("2026-03-03", "2026-03-25", "2026-04-16"):
        ok(store, "done", "dee@far.example", "--on", day)
    found = {str(r["person"]) for r in _json(store, "nudges", "--today", "2026-06-01")}
    assert "Dee" not in found
    assert "Bo" in found  # others still are


def test_reminders_write_events_a_calendar_reads(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "nudges.ics"
    ok(store, "reminders", "--ics", str(out), "--today", TODAY)
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(cal.walk("VEVENT"))
    nudged = _json(store, "nudges", "--today", TODAY)
    assert len(events) == len(nudged) > 0
    for event, nudge in zip(events, nudged, strict=True):
        assert str(nudge["person"]) in str(event["summary"])
        assert str(nudge["reason"]) in str(event["description"])
        assert event.decoded("dtstart") == date(2026, 3, 3)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_digest_html_is_self_contained_and_escaped(store: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(store))
    con.execute(
        "UPDATE people SET display_name = '<script>alert(1)</script> Bo' "
        "WHERE primary_address = 'bo@elsewhere.example'"
    )
    con.execute("UPDATE ties SET name_b = '<script>alert(1)</script> Bo' "
                "WHERE name_b = 'Bo'")  # fmt: skip
    con.close()
    page = tmp_path / "digest.html"
    ok(store, "digest", "--out", str(page), "--today", TODAY)
    text = page.read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "http://" not in text and "https://" not in text and "src=" not in text
    assert "Cy" in text and "Ties at risk" in text
    con = duckdb.connect(str(store))
    con.execute("UPDATE people SET display_name = '*Cy* [x](javascript:1)' "
                "WHERE primary_address = 'cy@corp.example'")  # fmt: skip
    con.execute("UPDATE ties SET name_b = '*Cy* [x](javascript:1)' WHERE name_b = 'Cy'")
    con.execute("UPDATE ties SET name_a = '*Cy* [x](javascript:1)' WHERE name_a = 'Cy'")
    con.close()
    md = tmp_path / "digest.md"
    ok(store, "digest", "--out", str(md), "--today", "2026-03-04")
    text = md.read_text()
    assert text.startswith("# Keep in touch")
    assert "\\*Cy\\* \\[x\\](javascript:1)" in text and "[x](" not in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("cadence", "eve@corp.example", "often"), "not a cadence"),
        (("cadence", "eve@corp.example", "0d"), "not a cadence"),
        (("cadence", "nobody@nowhere.example", "30d"), "nobody"),
        (("snooze", "cy@corp.example", "--until", "2026-01-01", "--today", TODAY), "not after"),
        (("snooze", "cy@corp.example", "--until", "soon"), "not a date"),
        (("digest", "--out", "digest.pdf"), ".html or .md"),
        (("nudges", "--today", "yesterday"), "not a date"),
        (("fading", "--as", "ana@corp.example"), "not an owner"),
    ],
)
def test_mistakes_are_one_line(store: Path, args: tuple[str, ...], words: str) -> None:
    result = run(store, *args)
    assert result.returncode == 2
    assert words in result.stderr.lower() and "Traceback" not in result.stderr


def test_an_answer_resets_the_unanswered_count(store: Path, tmp_path: Path) -> None:
    from weakties.store import connect
    from weakties.store.followups import followups

    for day in ("2026-03-03", "2026-03-10"):
        ok(store, "done", "dee@far.example", "--on", day)
    reply = tmp_path / "reply.csv"
    reply.write_text(
        "timestamp,channel,sender,recipients\n2026-03-15T10:00:00+00:00,email,dee@far.example,"
        f"{ME}\n2026-03-16T10:00:00+00:00,email,{ME},bo@elsewhere.example\n"
    )
    ok(store, "ingest", str(reply))
    ok(store, "analyze")
    ok(store, "done", "dee@far.example", "--on", "2026-03-20")
    ok(store, "done", "bo@elsewhere.example", "--on", "2026-03-20")  # I wrote; Bo did not
    con = connect(store)
    me, dee, bo = (
        int(con.execute("SELECT person_id FROM identities WHERE address = ?", [a]).fetchall()[0][0])
        for a in (ME, "dee@far.example", "bo@elsewhere.example")
    )
    state = followups(con, me)
    con.close()
    assert state[dee].unanswered == 1  # the two before her reply are answered
    assert state[bo].unanswered == 1  # my own mail to Bo is no answer from Bo
    assert state[dee].last_done is not None and state[dee].last_done.date() == date(2026, 3, 20)


def test_a_community_cadence_follows_a_members_community(store: Path) -> None:
    ok(store, "cadence", "--community", "zed@corp.example", "10d")
    listed = _json(store, "cadence")
    assert listed[0]["kind"] == "community" and listed[0]["target"] == "zed@corp.example"
    found = {str(r["person"]): r for r in _json(store, "nudges", "--today", TODAY)}
    con = duckdb.connect(str(store), read_only=True)
    same = {
        str(r[0]) for r in con.execute(
            "SELECT p.display_name FROM person_metrics m JOIN people p USING (person_id) "
            "WHERE m.community_id = (SELECT community_id FROM person_metrics JOIN identities "
            "USING (person_id) WHERE address = 'zed@corp.example')"
        ).fetchall()
    }  # fmt: skip
    con.close()
    cadenced = {name for name, r in found.items() if r["kind"] == "cadence"}
    assert cadenced and cadenced <= same
    assert all("community" in str(found[name]["reason"]) for name in cadenced)


def test_a_store_without_owner_lists_every_tie_at_risk(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    rows: list[tuple[str, str, str]] = []
    _every(rows, "a@one.example", "b@one.example", days_ago=60, n=20, gap=3)
    _every(rows, "c@two.example", "d@two.example", days_ago=0, n=20, gap=3)  # nobody in all
    with log.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "channel", "sender", "recipients"])
        writer.writerows([(t, "email", a, b) for t, a, b in rows])
    db = tmp_path / "store.duckdb"
    ok(db, "ingest", str(log))
    ok(db, "analyze")
    rows_out = _json(db, "fading", "--min-probability", "0")
    pairs = {frozenset((str(r["person_a"]), str(r["person_b"]))) for r in rows_out}
    assert pairs == {frozenset(("A", "B")), frozenset(("C", "D"))}
    assert float(rows_out[0]["probability"]) > float(rows_out[1]["probability"])  # type: ignore[arg-type]
    result = run(db, "nudges")
    assert result.returncode == 2 and "no owner" in result.stderr


def test_a_team_store_asks_whose_nudges(tmp_path: Path) -> None:
    """Two owners' logs in one store: whose view must be said."""
    db = tmp_path / "store.duckdb"
    for owner, friend in (
        ("ann@team.example", "x@out.example"),
        ("ben@team.example", "y@out.example"),
    ):
        rows: list[tuple[str, str, str]] = []
        _every(rows, owner, friend, days_ago=40, n=20, gap=3)
        log = tmp_path / f"{owner.split('@')[0]}.csv"
        with log.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["timestamp", "channel", "sender", "recipients"])
            writer.writerows([(t, "email", a, b) for t, a, b in rows])
        ok(db, "ingest", str(log))
    ok(db, "analyze")
    result = run(db, "nudges", "--today", TODAY)
    assert result.returncode == 2 and "--as" in result.stderr
    mine = _json(db, "fading", "--as", "ben@team.example", "--min-probability", "0")
    assert [(r["person_a"], r["person_b"]) for r in mine] == [("Ben", "Y")]
