"""Mutated real calendars never make the calendar reader raise, and every event read is
one record: a meeting, or quarantined with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weakties.config import Settings
from weakties.ingest import ingest_sources
from weakties.records import Interaction, Quarantined, Record
from weakties.sources.ics import CalendarSource, read_calendar
from weakties.store import connect

NOW = datetime(2024, 6, 30, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINES = [
    b"RRULE:FREQ=DAILY;COUNT=-3",
    b"RRULE:FREQ=SECONDLY",
    b"RRULE:FREQ=WEEKLY;UNTIL=20240101",
    b"RRULE:BYDAY=XX",
    b"EXDATE:2024",
    b"RDATE;VALUE=PERIOD:20240101T000000Z/20231231T000000Z",
    b"RECURRENCE-ID:20240101T000000Z",
    b"DTSTART;TZID=Nowhere/Zone:20240101T100000",
    b"DTSTART;VALUE=DATE:99991231",
    b"DTEND:00010101T000000Z",
    b"DURATION:-P5D",
    b"STATUS:CANCELLED",
    b"ATTENDEE;CN=\xff\xfe;PARTSTAT=DECLINED:mailto:x@y.example",
    b"ORGANIZER:mailto:",
    b"UID:",
    b"X-WR-TIMEZONE:Mars/Base",
    b"CALSCALE:JULIAN",
    b"METHOD:CANCEL",
    b"END:VEVENT",
    b"BEGIN:VEVENT",
    b"END:VCALENDAR",
]


def _seeds(root: Path | None) -> list[bytes]:
    files = sorted(FIXTURES.glob("*.ics"))
    if root is not None:
        files += sorted(p for p in root.iterdir() if p.stat().st_size < 100_000)
        big = (root / "recurring-ical-events_issue42.ics").read_bytes()
        cut = big.index(b"END:VEVENT", 40_000) + len(b"END:VEVENT\r\n")  # about 100 events
        return [p.read_bytes() for p in files] + [big[:cut] + b"END:VCALENDAR\r\n"]
    return [p.read_bytes() for p in files]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed calendar put through a few random mutations, line-wise and byte-wise."""
    lines = draw(st.sampled_from(seeds)).split(b"\n")
    for _ in range(draw(st.integers(1, 5))):
        op = draw(st.sampled_from(["cut", "insert", "dup", "drop", "flip", "swap"]))
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "cut":
            lines = lines[:at]
        elif op == "insert":
            lines.insert(at, draw(st.sampled_from(LINES)) + b"\r")
        elif op == "dup" and lines:
            lines.insert(at, lines[at])
        elif op == "drop" and lines:
            del lines[at]
        elif op == "flip" and lines and lines[at]:
            line = bytearray(lines[at])
            line[draw(st.integers(0, len(line) - 1))] = draw(st.sampled_from([0, 0xFF, 0x3A, 0x3B]))
            lines[at] = bytes(line)
        elif op == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
    return b"\n".join(lines)


def _check(records: list[Record]) -> None:
    locations = [r.location for r in records]
    assert len(set(locations)) == len(locations)  # one ledger row per record read
    for record in records:
        assert isinstance(record, Interaction | Quarantined)
        if isinstance(record, Quarantined):
            assert record.reason
            continue
        assert record.channel == "meeting" and len(record.participants) >= 2
        assert record.timestamp is not None and record.timestamp.utcoffset() == timedelta(0)
        assert record.duration_s is None or record.duration_s > 0
        for person in record.participants:
            assert person.address == person.address.strip().lower() and "@" in person.address


@SETTINGS
@given(mutated(_seeds(None)))
def test_mutated_fixture_calendars(data: bytes) -> None:
    _check(list(read_calendar(data, "cal", NOW)))


@pytest.fixture(scope="module")
def sample_seeds(shared_data: Path) -> list[bytes]:
    return _seeds(shared_data / "export-samples" / "ics")


@SETTINGS
@given(data=st.data())
def test_mutated_real_calendars(sample_seeds: list[bytes], data: st.DataObject) -> None:
    _check(list(read_calendar(data.draw(mutated(sample_seeds)), "cal", NOW)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_real_calendars_are_accounted_for_in_the_store(
    sample_seeds: list[bytes], data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "calendar.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\n" + data.draw(mutated(sample_seeds)))
    con = connect(folder / "s.duckdb")
    totals = ingest_sources(con, [CalendarSource(path, now=NOW)], Settings()).totals
    ((items,),) = con.execute("SELECT count(*) FROM items").fetchall()
    assert items == totals.read == totals.stored + totals.duplicates + totals.quarantined
    con.close()
