"""Calendars: iCalendar (RFC 5545) files, as Google (Takeout), Outlook, Apple and Zimbra
export them, one record per occurrence of each event.

icalendar parses the file and recurring-ical-events expands each series (RRULE, RDATE,
EXDATE, RECURRENCE-ID overrides, time zones by TZID, UTC or the calendar's
X-WR-TIMEZONE). What is read, and why:

* **Meetings**: an occurrence in which at least two people take part (see
  :mod:`weakties.sources.ics_people`) is an interaction on the ``meeting`` channel,
  keyed by its UID (and, in a series, the occurrence's RECURRENCE-ID), so that
  re-ingesting a calendar, or two overlapping exports of it, store it once. A meeting
  with more than 20 attendees is stored flagged ``bulk``: an audience, weighed like a
  broadcast (kept out of ties, as a mailing list's mail is).
* **Not meetings**, each quarantined with its reason: cancelled occurrences
  (STATUS:CANCELLED, or a METHOD:CANCEL file) ``cancelled``; the owner's own
  appointments (no one else takes part, as in birthdays, holidays and out-of-office
  days) ``no-attendees``; a reply or counter-proposal file (METHOD:REPLY, ...)
  ``scheduling-message``; events that cannot be read ``no-start``, ``bad-event``,
  ``bad-recurrence``, ``truncated-event``, ``too-many-occurrences``.
* **The period**: a series is expanded from its first occurrence up to
  :data:`HORIZON_DAYS` after the calendar was exported (its latest DTSTAMP), or after
  the ingest if that is earlier: a rule without end stops there. An event that does
  not repeat is read whenever it is. Meetings in the future are stored and left
  out of ties until they have happened. All-day events that are meetings have no
  duration (a day in the calendar is not a day spent together).
"""

from __future__ import annotations

import hashlib
import lzma
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import recurring_ical_events
from icalendar import Calendar
from icalendar.cal import Component

from weakties.records import Interaction, Quarantined, Record, path_text
from weakties.sources.base import Source
from weakties.sources.compressed import open_stream
from weakties.sources.headers import judge_date, subject_hash
from weakties.sources.ics_people import event_people, person_address
from weakties.sources.ics_rules import LIBRARY_ERRORS, LenientQuery, too_many
from weakties.sources.ics_salvage import PARSE_ERRORS, Lost, salvage

HORIZON_DAYS = 90
"""How far after its export (or the ingest, if earlier) a series is expanded: a
quarter, the span people plan meetings for. Occurrences further ahead are a forecast;
ingesting a later export reads them (new occurrences have new keys)."""

PLAUSIBLE_AHEAD_DAYS = 3653
"""A meeting more than ten years after the ingest is a placeholder date (9999, 2099),
flagged implausible; nearer future meetings are plausible, only not yet happened."""

SCHEDULING = frozenset({"REPLY", "COUNTER", "DECLINECOUNTER", "REFRESH"})
"""iTIP methods (RFC 5546) of files that answer an invitation rather than list events:
their events name only the answering attendee."""

_BEGIN_EVENT = re.compile(rb"^BEGIN:VEVENT[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
_KEY_CHARS = 200


def is_calendar(path: Path, head: bytes) -> bool:
    """True when the content (decompressed) starts an iCalendar object, whatever the
    file is called."""
    return head.lstrip(b"\xef\xbb\xbf\r\n\t ")[:15].upper() == b"BEGIN:VCALENDAR"


class CalendarSource(Source):
    """One iCalendar file (``.ics``, compressed or not); one calendar, one owner.

    ``now`` is the instant of the ingest (the wall clock when None): the horizon of
    expansion and the plausibility of dates are judged from it.
    """

    kind = "calendar"
    owner_rule = "calendar"

    def __init__(self, path: Path, label: str | None = None, now: datetime | None = None) -> None:
        super().__init__(path, label)
        self.now = now

    def records(self) -> Iterator[Record]:
        where = path_text(self.path.absolute())
        try:
            with open_stream(self.path) as stream:
                data = stream.read()
        except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
            yield Quarantined(where, "unreadable", str(exc))
            return
        yield from read_calendar(data, where, self.now or datetime.now(UTC))


def read_calendar(data: bytes, where: str, now: datetime) -> Iterator[Record]:
    """Every record of one iCalendar file's bytes; ``where`` names the file."""
    calendars, lost = _parse(data)
    keys = _Locations(where)
    for line, reason, detail in lost:
        yield Quarantined(keys.take(f"line{line}"), reason, detail)
    for calendar in calendars:
        yield from _Reader(calendar, keys, now).records()


def _parse(data: bytes) -> tuple[list[Component], list[Lost]]:
    """The calendars in ``data``, parsed whole; else, when that fails or loses events,
    event by event (icalendar drops a calendar that is not closed: a file cut in the
    middle gave 0 of its 64 events)."""
    expected = len(_BEGIN_EVENT.findall(data))
    try:
        calendars: list[Component] | None = list(Calendar.from_ical(data, multiple=True))
    except PARSE_ERRORS:
        calendars = None
    if calendars is not None and sum(len(c.walk("VEVENT")) for c in calendars) == expected:
        return calendars, []
    return salvage(data)


class _Locations:
    """Each record's location, ``file#key``: unique within the file even when a broken
    file repeats a key (the repeats are ``file#key~2``, ...)."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.used: set[str] = set()

    def take(self, key: str) -> str:
        found, n = key, 1
        while found in self.used:
            n += 1
            found = f"{key}~{n}"
        self.used.add(found)
        return f"{self.where}#{found}"


class _Reader:
    """The records of one VCALENDAR."""

    def __init__(self, calendar: Component, keys: _Locations, now: datetime) -> None:
        self.calendar = calendar
        self.keys = keys
        self.now = now
        self.horizon = horizon(min(now, exported(calendar) or now))
        self.method = _upper(calendar.get("METHOD"))
        name = calendar.get("X-WR-CALNAME")
        self.owner = person_address(name) if name is not None and "@" in str(name) else None
        self.lost: list[Quarantined] = []

    def records(self) -> Iterator[Record]:
        series, recurring = self._series()
        yield from self.lost
        if not series:
            return
        starts = [_utc(_start(c)) for comps in series.values() for c in comps]
        first = min(starts) - timedelta(days=1)
        last = max(first, _later(max(starts), timedelta(days=2)))
        query = self._query(series)
        if isinstance(query, str):
            for components in series.values():
                yield from self._lose(components, "bad-calendar", query)
            return
        found = {str(s.uid): s for s in query.series}
        for uid, components in series.items():
            found_series = found.get(uid)
            if found_series is None:
                yield from self._lose(components, "bad-event", "the event cannot be read")
                continue
            end = self.horizon if uid in recurring else last
            try:
                occurrences = sorted(found_series.between(first, end))
            except LIBRARY_ERRORS as exc:
                yield from self._lose(components, "bad-recurrence", str(exc))
                continue
            core = next((c for c in components if "RECURRENCE-ID" not in c), None)
            for occurrence in occurrences:
                event = _with_people_of(occurrence.as_component(False), core)
                yield self._record(event, uid, uid in recurring)

    def _series(self) -> tuple[dict[str, list[Component]], set[str]]:
        """The readable events by UID (each UID's first event without RECURRENCE-ID
        is its series' core; a second one gets a UID of its own, ``uid~2``), and the
        UIDs that repeat. Unreadable events go to ``self.lost``."""
        series: dict[str, list[Component]] = {}
        events = self.calendar.walk("VEVENT")
        uids = {_uid(e) for e in events}
        cores: set[str] = set()
        for event in events:
            event.subcomponents = [c for c in event.subcomponents if c.name != "VEVENT"]
            uid = _uid(event)
            if _start(event) is None:
                self._quarantine(uid, "no-start", "no readable DTSTART")
                continue
            if "RECURRENCE-ID" not in event:
                uid = _renamed(uid, cores | uids) if uid in cores else uid
                cores.add(uid)
                uids.add(uid)
            event["UID"] = uid
            series.setdefault(uid, []).append(event)
        recurring = {u for u, comps in series.items() if any(map(_repeats, comps))}
        for uid in sorted(recurring):
            bound = too_many(series[uid], self.horizon)
            if bound:
                self.lost.extend(self._lose(series.pop(uid), "too-many-occurrences", bound))
        return series, recurring

    def _query(self, series: dict[str, list[Component]]) -> Any:
        """The library's query over the readable events; when it refuses the calendar
        itself (CALSCALE, X-WR-TIMEZONE), even without its usual culprits, its words."""
        clean = Calendar()
        clean.update(self.calendar)
        clean.subcomponents = [
            *self.calendar.walk("VTIMEZONE"),
            *(c for comps in series.values() for c in comps),
        ]
        try:
            return recurring_ical_events.of(
                clean, skip_bad_series=True, calendar_query=LenientQuery
            )
        except LIBRARY_ERRORS:
            for name in ("X-WR-TIMEZONE", "CALSCALE"):  # the usual culprits
                clean.pop(name, None)
        try:
            return recurring_ical_events.of(
                clean, skip_bad_series=True, calendar_query=LenientQuery
            )
        except LIBRARY_ERRORS as exc:
            return str(exc) or type(exc).__name__

    def _record(self, event: Component, uid: str, recurring: bool) -> Record:
        rid = event.get("RECURRENCE-ID")
        key = f"{uid}@{_stamp(rid.dt)}" if recurring and rid is not None else uid
        location = self.keys.take(_safe(key))
        status = _upper(event.get("STATUS"))
        if self.method == "CANCEL" or status == "CANCELLED":
            return Quarantined(location, "cancelled", f"METHOD:{self.method} STATUS:{status}")
        if self.method in SCHEDULING:
            return Quarantined(location, "scheduling-message", f"METHOD:{self.method}")
        people = event_people(event, self.owner)
        if not people.is_meeting:
            return Quarantined(location, "no-attendees", "no one but the calendar's owner")
        start = _start(event)
        if start is None:  # an RDATE that no time zone can place within datetime's years
            return Quarantined(location, "no-start", "no readable start")
        when = _utc(start)
        return Interaction(
            location=location,
            channel="meeting",
            timestamp=when,
            participants=people.participants,
            thread_id=_safe(uid),
            subject_hash=subject_hash(str(event.get("SUMMARY", ""))),
            bulk=people.large,
            date_flag=judge_date(when, self.now.timestamp(), ahead=PLAUSIBLE_AHEAD_DAYS * 86_400.0),
            duration_s=_duration(start, event.get("DTEND")),
            external_id="ics:" + _safe(key),
        )

    def _quarantine(self, uid: str, reason: str, detail: str) -> None:
        self.lost.append(Quarantined(self.keys.take(_safe(uid)), reason, detail))

    def _lose(self, components: list[Component], reason: str, detail: str) -> list[Quarantined]:
        """One quarantined record per event of a series that cannot be expanded."""
        return [
            Quarantined(self.keys.take(_safe(_event_key(c))), reason, detail[:300])
            for c in components
        ]


def _with_people_of(event: Component, core: Component | None) -> Component:
    """An occurrence that names no one keeps the people of its series: Zimbra writes a
    moved occurrence with its ORGANIZER only, and a user still meets the same people."""
    if core is not None and "ATTENDEE" not in event and "ATTENDEE" in core:
        event["ATTENDEE"] = core["ATTENDEE"]
        if "ORGANIZER" not in event and "ORGANIZER" in core:
            event["ORGANIZER"] = core["ORGANIZER"]
    return event


def exported(calendar: Component) -> datetime | None:
    """When the calendar was written: its events' latest DTSTAMP (RFC 5545: the time
    the iCalendar object was created; Google stamps every event of an export with the
    time of the export), or None without any."""
    stamps = (_start_of(e.get("DTSTAMP")) for e in calendar.walk("VEVENT"))
    return max((_utc(s) for s in stamps if isinstance(s, datetime)), default=None)


def horizon(written: datetime) -> datetime:
    """The end of expansion for a calendar written (exported) at ``written``: midnight
    UTC, :data:`HORIZON_DAYS` days on (a whole day, so that two ingests on one day read
    the same occurrences). A series without end in a calendar exported years ago does
    not go on after the export as if it had been kept."""
    day = written.astimezone(UTC).date() + timedelta(days=HORIZON_DAYS)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _renamed(uid: str, taken: set[str]) -> str:
    """The first of ``uid~2``, ``uid~3``, ... not ``taken``: the UID of a second event
    that gives the same UID without being an occurrence of the first."""
    n = 2
    while f"{uid}~{n}" in taken:
        n += 1
    return f"{uid}~{n}"


def _repeats(event: Component) -> bool:
    return any(name in event for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _uid(event: Component) -> str:
    """The event's UID; without one, a digest of the event (stable across ingests)."""
    uid = " ".join(str(event.get("UID", "")).split())
    if uid:
        return uid
    try:
        content = event.to_ical()
    except (ValueError, TypeError, AttributeError):
        content = repr(sorted(event.items())).encode("utf-8", "replace")
    return "no-uid-" + hashlib.blake2b(content, digest_size=8).hexdigest()


def _event_key(event: Component) -> str:
    rid = _start_of(event.get("RECURRENCE-ID"))
    uid = str(event.get("UID", ""))
    return f"{uid}@{_stamp(rid)}" if rid is not None else uid


def _start(event: Component) -> date | None:
    """The event's DTSTART as a date or datetime; None when missing or unreadable."""
    return _start_of(event.get("DTSTART"))


def _start_of(value: object) -> date | None:
    try:
        found = getattr(value, "dt", None)
    except (ValueError, TypeError, AttributeError):
        return None  # icalendar raises on reading a broken property
    if not isinstance(found, date):
        return None
    try:
        _utc(found)
    except (OverflowError, ValueError):
        return None  # a time zone pushes it outside the years datetime can hold
    return found


def _utc(value: date | None) -> datetime:
    """A date or datetime as an aware UTC datetime: a date is its midnight UTC; a
    floating time (no zone, no X-WR-TIMEZONE) is taken as UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    assert value is not None
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _later(value: datetime, delta: timedelta) -> datetime:
    try:
        return value + delta
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def _stamp(value: date | None) -> str:
    """An occurrence's RECURRENCE-ID as text: UTC for times with a zone."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.strftime("%Y%m%dT%H%M%S")
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d") if value is not None else ""


def _duration(start: date, end: object) -> float | None:
    """Seconds from start to end for timed events; None for all-day events and when the
    end is missing or not after the start (a zero duration reads as a missed call)."""
    finish = _start_of(end)
    if not isinstance(start, datetime) or not isinstance(finish, datetime):
        return None
    try:
        seconds = (_utc(finish) - _utc(start)).total_seconds()
    except (OverflowError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _upper(value: object) -> str:
    return " ".join(str(value or "").split()).upper()[:40]


def _safe(key: str) -> str:
    """A key from the file as text that can be stored and shown: no control characters,
    at most 200 characters."""
    return _UNSAFE.sub("?", key)[:_KEY_CHARS]
