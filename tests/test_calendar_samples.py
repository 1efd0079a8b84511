"""The real iCalendar samples: every file ingests and is accounted for, and a real Google
calendar of 4,778 events is expanded exactly as recurring-ical-events expands it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events

from weakties import api
from weakties.config import Settings
from weakties.ingest import ingest_sources
from weakties.sources.ics import CalendarSource, horizon
from weakties.sources.registry import discover
from weakties.store import connect

GOOGLE = "recurring-ical-events_issue42.ics"


@pytest.fixture(scope="module")
def samples(shared_data: Path) -> Path:
    return shared_data / "export-samples" / "ics"


def test_every_sample_ingests_and_every_record_is_accounted_for(
    samples: Path, tmp_path: Path
) -> None:
    files = sorted(p.name for p in samples.iterdir() if p.suffix == ".ics")
    assert len(files) == 10
    assert sorted(s.path.name for s in discover([samples])) == files
    settings = Settings(db_path=tmp_path / "s.duckdb")
    report = api.ingest(settings, [samples])
    empty = "icaljs_property_params.ics"  # ATTENDEE lines, but not one event
    assert sorted(s.label for s in report.sources) == [f for f in files if f != empty]
    assert [n.path.name for n in report.not_read] == [empty]
    assert {s.kind for s in report.sources} == {"calendar"}
    for source in report.sources:
        counts = source.counts
        assert counts.read == counts.stored + counts.duplicates + counts.quarantined
        assert sum(counts.reasons.values()) == counts.quarantined
    stats = api.stats(settings)
    assert stats.read == stats.interactions + stats.duplicates + stats.quarantined
    assert stats.read == report.totals.read > 5000
    listed = api.sources(settings).to_pylist()
    assert sum(row["read"] for row in listed) == stats.read
    for row in listed:
        assert row["read"] == row["stored"] + row["duplicates"] + row["quarantined"]
    reasons = api.quarantine(settings).column("reason").to_pylist()
    assert len(reasons) == stats.quarantined and all(reasons)
    owners = {row["label"]: row["owner"] for row in listed}
    assert owners[GOOGLE] == "gabi@gmail.com"


def _stamp(value: date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y%m%dT%H%M%S")
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _utc(value: date) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _expected(path: Path, end: datetime) -> dict[str, tuple[datetime, float | None]]:
    """The library's own expansion: every occurrence up to ``end`` of the series that
    repeat, and every event that does not repeat, by the key weakties stores it under."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    repeating = {
        str(e["UID"])
        for e in calendar.walk("VEVENT")
        if any(n in e for n in ("RRULE", "RDATE", "RECURRENCE-ID"))
    }
    query = recurring_ical_events.of(calendar)
    found: dict[str, tuple[datetime, float | None]] = {}
    for event in query.between(datetime(1900, 1, 1, tzinfo=UTC), end):
        uid = str(event["UID"])
        if uid in repeating:
            found[f"{uid}@{_stamp(event['RECURRENCE-ID'].dt)}"] = _when(event)
    for event in query.between(datetime(1900, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)):
        uid = str(event["UID"])
        if uid not in repeating:
            found[uid] = _when(event)
    return found


def _when(event: icalendar.cal.Component) -> tuple[datetime, float | None]:
    start, end = event["DTSTART"].dt, event.get("DTEND")
    seconds = None
    if isinstance(start, datetime) and end is not None and isinstance(end.dt, datetime):
        seconds = (_utc(end.dt) - _utc(start)).total_seconds() or None
    return _utc(start), seconds


EXPANDED = {  # file: the records it holds (occurrences up to the horizon, one-off events)
    GOOGLE: 5546,  # a real Google calendar: 4,778 events, 174 RRULEs, overrides, EXDATEs
    "recurring-ical-events_machbar_16_feb_2019.ics": 391,  # a public Google calendar
    "icaljs_recur_instances.ics": 5,  # Zimbra: RDATEs, EXDATEs, overrides (stamped 2012)
    "biweekly_outlook-2010.ics": 1,  # Outlook: a VTIMEZONE named "Eastern Standard Time"
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPANDED))
def test_real_calendars_are_expanded_as_the_library_expands_them(
    samples: Path, tmp_path: Path, name: str
) -> None:
    path = samples / name
    now = datetime.now(UTC)
    con = connect(tmp_path / "s.duckdb")
    report = ingest_sources(con, [CalendarSource(path, now=now)], Settings())
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    stamps = [e["DTSTAMP"].dt for e in calendar.walk("VEVENT") if "DTSTAMP" in e]
    expected = _expected(path, horizon(min(now, max(stamps, default=now))))
    prefix = f"{path.absolute()}#"
    items = con.execute("SELECT location, outcome FROM items").fetchall()
    keys = {location.removeprefix(prefix): outcome for location, outcome in items}
    assert set(keys) == set(expected)  # every occurrence is one record, and no other record
    assert report.totals.read == len(expected) == EXPANDED[name]
    stored = con.execute(
        """SELECT i.location, n.ts, n.duration_s FROM items i
           JOIN interactions n USING (interaction_id) WHERE i.outcome = 'stored'"""
    ).fetchall()
    assert len(stored) == report.totals.stored
    for location, ts, seconds in stored:
        assert (ts, seconds) == expected[location.removeprefix(prefix)]
    reasons = report.totals.reasons
    assert "too-many-occurrences" not in reasons and "bad-recurrence" not in reasons
    con.close()
