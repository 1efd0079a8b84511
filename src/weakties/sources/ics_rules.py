"""Keeping recurrence expansion bounded and its failures to one series.

recurring-ical-events expands each series with dateutil, which lists every occurrence
of a rule between the rule's start and the end of the span asked for before handing
the first one over: one ``FREQ=SECONDLY`` rule without an end, started ten years ago,
would be some 300 million datetimes. :func:`too_many` counts a series' occurrences up
to the horizon lazily, stopping at :data:`MAX_OCCURRENCES`, before the library is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from itertools import islice, takewhile
from typing import ClassVar

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar.cal import Component
from icalendar.prop import vRecur

MAX_OCCURRENCES = 10_000
"""Occurrences one series may have up to the horizon: 27 years of a daily meeting. A
series with more is a rule no meeting follows (hourly, every minute): it is
quarantined as one record per event, ``too-many-occurrences``."""

LIBRARY_ERRORS: tuple[type[Exception], ...] = (
    ValueError,  # icalendar's InvalidCalendar and BrokenCalendarProperty among them
    TypeError,  # a date compared with a datetime in a series that mixes them
    KeyError,
    AttributeError,
    IndexError,
    OverflowError,  # an occurrence past the year 9999
    recurring_ical_events.InvalidCalendar,
)
"""What the library raises on a malformed series (each fuzzed file found one more)."""


class LenientQuery(recurring_ical_events.CalendarQuery):  # type: ignore[misc]
    """The library's query, leaving out (rather than failing on) a series it cannot
    read; the reader counts such series itself."""

    suppressed_errors: ClassVar[list[type[Exception]]] = [
        *recurring_ical_events.CalendarQuery.suppressed_errors,
        *LIBRARY_ERRORS,
    ]


def too_many(components: Sequence[Component], horizon: datetime) -> str:
    """Why the series of ``components`` has too many occurrences up to ``horizon``
    (its core's rules counted lazily), or "" when it has not or its rules cannot be
    read (the library then says what is wrong)."""
    core = next((c for c in components if "RECURRENCE-ID" not in c), None)
    if core is None:
        return ""
    start = _naive(getattr(core.get("DTSTART"), "dt", None))
    rules = core.get("RRULE")
    if start is None or rules is None:
        return ""
    for rule in rules if isinstance(rules, list) else [rules]:
        n = _count(rule, start, _naive(horizon) or start)
        if n > MAX_OCCURRENCES:
            return f"more than {MAX_OCCURRENCES} occurrences before {horizon:%Y-%m-%d}"
    return ""


def _count(rule: object, start: datetime, end: datetime) -> int:
    """Occurrences of one RRULE from ``start`` to ``end``, counted up to one more than
    :data:`MAX_OCCURRENCES`; 0 when the rule cannot be read."""
    if not isinstance(rule, vRecur):
        return 0
    count = rule.get("COUNT")
    try:
        if count and int(count[0]) <= MAX_OCCURRENCES:
            return 0
        until = _naive(rule["UNTIL"][0]) if rule.get("UNTIL") else None
        bare = vRecur({k: v for k, v in rule.items() if k not in ("COUNT", "UNTIL")})
        text: bytes = bare.to_ical()  # type: ignore[no-untyped-call]
        dates = rrulestr(text.decode("ascii", "replace"), dtstart=start)
        stop = min(end, until) if until is not None else end
        return sum(1 for _ in islice(takewhile(stop.__ge__, dates), MAX_OCCURRENCES + 1))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, icalendar.InvalidCalendar):
        return 0


def _naive(value: object) -> datetime | None:
    """A date or datetime as a naive UTC datetime (what dateutil counts in)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=None)
        try:
            return value.astimezone(UTC).replace(tzinfo=None)
        except (OverflowError, ValueError):
            return None
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None
