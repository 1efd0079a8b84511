"""Calendars: iCalendar files become meetings, one record per occurrence, every record
accounted for."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import icalendar
import pytest

from weakties import api
from weakties.config import Settings
from weakties.ingest import ingest_sources
from weakties.records import Interaction, Quarantined, Record, Role
from weakties.sources.ics import CalendarSource, exported, horizon, read_calendar
from weakties.sources.registry import discover
from weakties.store import connect
from weakties.ties import compute_ties
from weakties.ties.features import latest_timestamp

TEAM = Path(__file__).parent / "fixtures" / "calendar" / "team.ics"
NOW = datetime(2024, 6, 30, 12, tzinfo=UTC)  # the fixture's ingest (exported 2024-06-01)
ANA, BO = "ana.lima@acme.example", "bo@acme.example"


def _records(data: bytes, now: datetime = NOW) -> list[Record]:
    return list(read_calendar(data, "cal", now))


def _by_key(records: list[Record]) -> dict[str, Record]:
    return {r.location.partition("#")[2]: r for r in records}


def _event(*events: str, method: str = "") -> bytes:
    """A calendar of ``events`` (each its content lines), as a file's bytes."""
    head = f"METHOD:{method}\n" if method else ""
    body = "".join(f"BEGIN:VEVENT\n{lines.strip()}\nEND:VEVENT\n" for lines in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\n{head}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def test_a_series_is_expanded_with_its_exceptions_overrides_and_zone() -> None:
    found = _by_key(_records(TEAM.read_bytes()))
    weekly = {k: r for k, r in found.items() if k.startswith("weekly-sync")}
    # COUNT=6 from 4 March; 18 March is an EXDATE: no record at all
    assert sorted(weekly) == [
        "weekly-sync@acme.example@20240304T090000Z",  # 10:00 Berlin (CET) is 09:00 UTC
        "weekly-sync@acme.example@20240311T090000Z",
        "weekly-sync@acme.example@20240325T090000Z",  # moved to the 26th by its override
        "weekly-sync@acme.example@20240401T080000Z",  # cancelled by its override (CEST)
        "weekly-sync@acme.example@20240408T080000Z",
    ]
    moved = weekly["weekly-sync@acme.example@20240325T090000Z"]
    assert isinstance(moved, Interaction)
    assert moved.timestamp == datetime(2024, 3, 26, 14, tzinfo=UTC)
    assert moved.duration_s == 3600
    cancelled = weekly["weekly-sync@acme.example@20240401T080000Z"]
    assert isinstance(cancelled, Quarantined) and cancelled.reason == "cancelled"
    first = weekly["weekly-sync@acme.example@20240304T090000Z"]
    assert isinstance(first, Interaction)
    assert (first.channel, first.duration_s, first.bulk) == ("meeting", 1800, False)
    assert first.external_id == "ics:weekly-sync@acme.example@20240304T090000Z"


def test_people_declined_rooms_and_escaped_names() -> None:
    first = _by_key(_records(TEAM.read_bytes()))["weekly-sync@acme.example@20240304T090000Z"]
    assert isinstance(first, Interaction)
    people = [(p.role, p.address, p.name) for p in first.participants]
    assert people == [
        (Role.ORGANIZER, ANA, "Lima, Ana"),  # MAILTO:Ana.Lima@Acme.example, also an attendee
        (Role.ATTENDEE, BO, 'Bo "The Boss" Chan'),  # RFC 6868 ^' is a double quote
        (Role.ATTENDEE, "dee@partner.example", ""),  # a CN that is the address is no name
    ]  # cy declined; Room 4 is CUTYPE=ROOM


def test_what_is_not_a_meeting_is_quarantined_with_its_reason() -> None:
    found = _by_key(_records(TEAM.read_bytes()))
    reasons = {k: r.reason for k, r in found.items() if isinstance(r, Quarantined)}
    assert reasons["dentist@acme.example"] == "no-attendees"
    assert reasons["review@acme.example"] == "cancelled"
    assert reasons["ticker@acme.example"] == "too-many-occurrences"  # FREQ=MINUTELY, no end
    birthdays = [k for k in reasons if k.startswith("birthday-bo")]  # yearly since 1980
    assert len(birthdays) == 45 and {reasons[k] for k in birthdays} == {"no-attendees"}


def test_all_day_large_future_and_endless_events() -> None:
    found = _by_key(_records(TEAM.read_bytes()))
    offsite = found["offsite@acme.example"]  # all day, with attendees: a meeting
    assert isinstance(offsite, Interaction)
    assert offsite.duration_s is None and offsite.timestamp == datetime(2024, 5, 15, tzinfo=UTC)
    hands = found["all-hands@acme.example"]
    assert isinstance(hands, Interaction) and hands.bulk and len(hands.participants) == 26
    future = found["planning-2030@acme.example"]  # read, however far ahead it lies
    assert isinstance(future, Interaction) and future.date_flag is None
    weekly = sorted(k for k in found if k.startswith("one-on-one"))  # no end: to the horizon
    assert len(weekly) == 13 and weekly[-1].endswith("@20240826T080000Z")
    one = found[weekly[0]]
    assert isinstance(one, Interaction) and one.duration_s == 45 * 60  # DURATION:PT45M


def test_an_endless_series_ends_90_days_after_its_export() -> None:
    calendar = icalendar.Calendar.from_ical(TEAM.read_bytes())
    assert exported(calendar) == datetime(2024, 6, 1, 8, tzinfo=UTC)  # the latest DTSTAMP
    assert horizon(datetime(2024, 6, 1, 8, tzinfo=UTC)) == datetime(2024, 8, 30, tzinfo=UTC)
    for now in (NOW, datetime(2026, 12, 1, tzinfo=UTC)):  # ingested soon after, or years on
        found = _by_key(_records(TEAM.read_bytes(), now))
        weekly = sorted(k for k in found if k.startswith("one-on-one"))
        assert len(weekly) == 13 and weekly[-1].endswith("@20240826T080000Z")
    early = _by_key(_records(TEAM.read_bytes(), datetime(2024, 5, 1, tzinfo=UTC)))
    weekly = sorted(k for k in early if k.startswith("one-on-one"))  # stamped after the ingest
    assert len(weekly) == 9 and weekly[-1].endswith("@20240729T080000Z")  # 90 days on from now


def test_free_and_unnamed_people_are_not_meetings() -> None:
    birthday = _event(  # Google's birthday calendar lists a pseudo-attendee
        """
UID:b1
DTSTART;VALUE=DATE:20200210
TRANSP:TRANSPARENT
ATTENDEE;CN=Contacts:mailto:4dhmurjkc5hn8sq0ctp6utb@virtual
"""
    )
    assert [r.reason for r in _records(birthday) if isinstance(r, Quarantined)] == ["no-attendees"]
    made_from_mail = _event(
        """
UID:g1
DTSTART:20200210T100000Z
ORGANIZER:mailto:unknownorganizer@calendar.google.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.org
ATTENDEE;CUTYPE=RESOURCE:mailto:projector@example.org
ATTENDEE:urn:uuid:00000000-0000-0000-0000-000000000000
"""
    )
    assert [getattr(r, "reason", "") for r in _records(made_from_mail)] == ["no-attendees"]
    free_with_people = _event(
        """
UID:f1
DTSTART:20200210T100000Z
DTEND:20200210T100000Z
TRANSP:TRANSPARENT
ORGANIZER:mailto:a@example.org
ATTENDEE:mailto:b@example.org
"""
    )
    (meeting,) = _records(free_with_people)  # free time with people in it is still a meeting
    assert isinstance(meeting, Interaction)
    assert meeting.duration_s is None  # no length, not a zero-second (missed) meeting


def test_scheduling_messages_and_cancel_files() -> None:
    lines = "UID:m1\nDTSTART:20200210T100000Z\nORGANIZER:mailto:a@example.org\n"
    lines += "ATTENDEE:mailto:b@example.org"
    assert _records(_event(lines, method="CANCEL"))[0].reason == "cancelled"  # type: ignore[union-attr]
    reply = _records(_event(lines, method="REPLY"))[0]
    assert isinstance(reply, Quarantined) and reply.reason == "scheduling-message"
    assert isinstance(_records(_event(lines, method="REQUEST"))[0], Interaction)


def test_a_calendar_without_organizer_takes_its_named_owner() -> None:
    data = _event("UID:x\nDTSTART:20200210T100000Z\nATTENDEE:mailto:b@example.org")
    (alone,) = _records(data)
    assert isinstance(alone, Quarantined)  # one attendee, no organiser: no one else
    named = data.replace(b"VERSION:2.0", b"VERSION:2.0\r\nX-WR-CALNAME:Me@Example.org")
    (meeting,) = _records(named)
    assert isinstance(meeting, Interaction)
    assert [(p.role, p.address) for p in meeting.participants] == [
        (Role.ORGANIZER, "me@example.org"),
        (Role.ATTENDEE, "b@example.org"),
    ]


def test_a_damaged_file_costs_only_its_damaged_events() -> None:
    data = TEAM.read_bytes()
    cut = data[: data.index(b"UID:review@acme.example")]  # ends inside an event
    found = _by_key(_records(cut))
    assert isinstance(found["lunch-0502@acme.example"], Interaction)
    assert isinstance(found["weekly-sync@acme.example@20240304T090000Z"], Interaction)
    lost = [
        r for r in found.values() if isinstance(r, Quarantined) and r.reason == "truncated-event"
    ]
    assert len(lost) == 1
    before = b"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:dentist"
    stray = data.replace(before, before.replace(b"\r\nBEGIN", b"\r\nEND:VTODO\r\nBEGIN"))
    again = _by_key(_records(stray))
    assert set(again) == set(_by_key(_records(data)))  # one stray line lost nothing


def test_two_events_with_one_uid_are_two_records() -> None:
    text = TEAM.read_bytes().replace(b"UID:dentist@acme.example", b"UID:lunch-0502@acme.example")
    found = _by_key(_records(text))
    assert found["lunch-0502@acme.example~2"].reason == "no-attendees"  # type: ignore[union-attr]
    assert isinstance(found["lunch-0502@acme.example"], Interaction)


def _store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "s.duckdb")


def _ledger(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    return con.execute(
        """SELECT count(*), count(*) FILTER (WHERE outcome = 'stored'),
                  count(*) FILTER (WHERE outcome = 'duplicate'),
                  count(*) FILTER (WHERE outcome = 'quarantined') FROM items"""
    ).fetchall()[0]


def test_reingest_and_overlapping_exports_store_each_meeting_once(tmp_path: Path) -> None:
    con = _store(tmp_path)
    first = ingest_sources(con, [CalendarSource(TEAM, now=NOW)], Settings()).totals
    assert first.read == first.stored + first.duplicates + first.quarantined
    assert first.stored == 21 and first.duplicates == 0
    again = ingest_sources(con, [CalendarSource(TEAM, now=NOW)], Settings()).totals
    assert (again.read, again.stored, again.known) == (first.read, 0, first.read)
    later = tmp_path / "export-2.ics.gz"  # a later export, compressed, of the same calendar
    stamp = b"DTSTAMP:20240601T080000Z"  # exported a week later: one more week of the 1:1
    later.write_bytes(gzip.compress(TEAM.read_bytes().replace(stamp, b"DTSTAMP:20240608T080000Z")))
    (source,) = discover([later])
    assert isinstance(source, CalendarSource)
    source.now = NOW + timedelta(days=7)
    overlap = ingest_sources(con, [source], Settings()).totals
    assert (overlap.stored, overlap.duplicates) == (1, first.stored)
    read, stored, duplicates, quarantined = _ledger(con)
    assert read == stored + duplicates + quarantined == first.read + (first.read + 1)


def test_owner_is_the_person_in_most_meetings(tmp_path: Path) -> None:
    con = _store(tmp_path)
    report = ingest_sources(con, [CalendarSource(TEAM, now=NOW)], Settings())
    assert report.sources[0].owner == [ANA]


def test_a_takeout_calendar_folder_is_one_source_per_calendar(tmp_path: Path) -> None:
    folder = tmp_path / "Takeout" / "Calendar"
    folder.mkdir(parents=True)
    (folder / "ana.lima@acme.example.ics").write_bytes(TEAM.read_bytes())
    (folder / "Holidays").write_bytes(_event("UID:h\nDTSTART;VALUE=DATE:20241225"))  # no suffix
    sources = discover([tmp_path / "Takeout"])
    assert sorted(s.path.name for s in sources) == ["Holidays", "ana.lima@acme.example.ics"]
    assert {s.kind for s in sources} == {"calendar"}


def test_large_meetings_are_kept_but_weigh_like_a_broadcast(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "s.duckdb")
    api.ingest(settings, [TEAM])
    with api.open_store(settings) as con:
        assert con.execute("SELECT count(*) FROM interactions WHERE bulk").fetchall() == [(1,)]
        compute_ties(con)
        ties = _ties(con)
        robots = con.execute("SELECT address FROM identities WHERE automated").fetchall()
    assert (ANA, BO) in ties
    assert (ANA, "ceo@acme.example") not in ties
    assert not any(a.startswith("staff") for pair in ties for a in pair)
    assert robots == []  # organising an all-hands does not make the CEO a robot


def _ties(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], dict[str, object]]:
    rows = con.execute(
        """SELECT min(a.address), min(b.address), t.meetings, t.messages, t.strength, t.two_way
           FROM ties t JOIN identities a ON a.person_id = t.person_a
           JOIN identities b ON b.person_id = t.person_b
           GROUP BY t.person_a, t.person_b, t.meetings, t.messages, t.strength, t.two_way"""
    ).fetchall()
    names = ("meetings", "messages", "strength", "two_way")
    return {(min(a, b), max(a, b)): dict(zip(names, rest, strict=True)) for a, b, *rest in rows}


MAIL = """From: Ana Lima <ana.lima@acme.example>
To: Eve Stone <eve@other.example>
Subject: the contract
Date: {date}
Message-ID: <{n}@acme.example>

Body.
"""


def test_a_meeting_and_mail_with_one_person_make_one_tie(tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    for n in range(3):
        day = datetime(2024, 5, 6 + 7 * n, 9, tzinfo=UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
        (mail / f"{n}.eml").write_text(MAIL.format(date=day, n=n))
    meeting = tmp_path / "meeting.ics"
    lines = "UID:m-eve\nDTSTART:20240520T140000Z\nDTEND:20240520T150000Z\n"
    lines += "ORGANIZER:mailto:eve@other.example\nATTENDEE:mailto:ana.lima@acme.example"
    meeting.write_bytes(_event(lines))
    alone, both = Settings(db_path=tmp_path / "a.duckdb"), Settings(db_path=tmp_path / "b.duckdb")
    api.ingest(alone, [mail])
    api.ingest(both, [mail, meeting])
    as_of = datetime(2024, 6, 1, tzinfo=UTC)
    for settings in (alone, both):
        with api.open_store(settings) as con:
            compute_ties(con, as_of=as_of)
    with api.open_store(alone) as con:
        (mail_only,) = _ties(con).values()
    with api.open_store(both) as con:
        ties = _ties(con)
    assert list(ties) == [(ANA, "eve@other.example")]  # one tie, mail and meeting together
    (tie,) = ties.values()
    assert (tie["meetings"], tie["messages"]) == (1, 4)
    assert not mail_only["two_way"] and tie["two_way"]  # she met him: it goes both ways
    assert tie["strength"] > mail_only["strength"]  # type: ignore[operator]


def test_future_meetings_are_stored_and_wait_for_their_day(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    soon = (now + timedelta(days=20)).strftime("%Y%m%dT%H%M%SZ")
    past = (now - timedelta(days=20)).strftime("%Y%m%dT%H%M%SZ")
    people = "ORGANIZER:mailto:ana@acme.example\nATTENDEE:mailto:bo@acme.example"
    path = tmp_path / "soon.ics"
    path.write_bytes(
        _event(f"UID:past\nDTSTART:{past}\n{people}", f"UID:soon\nDTSTART:{soon}\n{people}")
    )
    settings = Settings(db_path=tmp_path / "s.duckdb")
    assert api.ingest(settings, [path]).totals.stored == 2
    with api.open_store(settings) as con:
        flags = con.execute("SELECT date_flag FROM interactions").fetchall()
        end = latest_timestamp(con)
        compute_ties(con)
        (tie,) = _ties(con).values()
    assert flags == [(None,), (None,)]  # a meeting ahead is not an implausible date
    assert end is not None and end <= datetime.now(UTC)  # as_of is never later than now
    assert abs((end - (now - timedelta(days=20))).total_seconds()) < 1
    assert tie["meetings"] == 1  # the coming one waits


@pytest.mark.parametrize("quirk", [b"X-WR-TIMEZONE:Mars/Base", b"CALSCALE:JULIAN"])
def test_a_calendar_wide_quirk_does_not_cost_the_calendar(quirk: bytes) -> None:
    data = TEAM.read_bytes().replace(b"CALSCALE:GREGORIAN", quirk)
    meetings = [r for r in _records(data) if isinstance(r, Interaction)]
    assert len(meetings) == 21  # as without the quirk (recurring-ical-events refuses both)


def test_a_location_is_never_taken_twice() -> None:
    lines = ["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x"]  # line 2: an event cut short
    lines += ["BEGIN:VEVENT", "UID:line2", "DTSTART:20200210T100000Z", "END:VEVENT"]
    records = _records("\r\n".join([*lines, "END:VCALENDAR", ""]).encode())
    assert [(r.location, getattr(r, "reason", "")) for r in records] == [
        ("cal#line2", "truncated-event"),
        ("cal#line2~2", "no-attendees"),  # the event whose UID is "line2"
    ]
