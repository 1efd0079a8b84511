"""Reading a damaged iCalendar file event by event.

icalendar parses a file as a whole: a calendar that is not closed (a download cut
short) parses to nothing at all (0 of 64 events of a real calendar cut in half), and
one stray ``END:`` line fails the whole file. When that happens, the file is split
here into its calendar header, its time zones and its events, and each event is
handed to icalendar on its own, so that one damaged event costs that event only.
The splitting follows RFC 5545's content lines (``BEGIN:``/``END:`` at the start of
an unfolded line); the parsing is still icalendar's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from icalendar import Calendar
from icalendar.cal import Component

PARSE_ERRORS = (ValueError, IndexError, KeyError, TypeError, AttributeError)
"""What icalendar raises on a malformed file (a VTIMEZONE with two TZIDs: AttributeError)."""


@dataclass(slots=True)
class _Block:
    """The lines of one component, from its BEGIN line (``line``, 1-based) on."""

    kind: bytes
    line: int
    lines: list[bytes] = field(default_factory=list)
    depth: int = 0  # components opened inside it and not yet closed
    closed: bool = False


@dataclass(slots=True)
class _Split:
    header: list[bytes] = field(default_factory=list)
    zones: list[_Block] = field(default_factory=list)
    events: list[_Block] = field(default_factory=list)


class Lost(NamedTuple):
    """An event that could not be read: the line it begins on, why, and more."""

    line: int
    reason: str
    detail: str


def salvage(data: bytes) -> tuple[list[Component], list[Lost]]:
    """One calendar holding every event of ``data`` that parses on its own, and what
    was lost of each event that does not."""
    split = _split(data)
    calendar = _header(split.header)
    for zone in split.zones:
        parsed = _parse(zone) if zone.closed else None
        if parsed is not None:
            for component in parsed.walk("VTIMEZONE"):
                calendar.add_component(component)
    lost: list[Lost] = []
    for event in split.events:
        if not event.closed:
            lost.append(Lost(event.line, "truncated-event", "no END:VEVENT"))
            continue
        parsed = _parse(event)
        found = parsed.walk("VEVENT") if parsed is not None else []
        if len(found) != 1:
            lost.append(Lost(event.line, "bad-event", "icalendar cannot parse this event"))
            continue
        found[0].subcomponents = [c for c in found[0].subcomponents if c.name != "VEVENT"]
        calendar.add_component(found[0])
    return [calendar], lost


def _split(data: bytes) -> _Split:
    split = _Split()
    current: _Block | None = None
    for number, line in enumerate(data.split(b"\n"), 1):
        word = line.rstrip(b"\r \t").upper()
        if word == b"BEGIN:VEVENT" or (current is None and word == b"BEGIN:VTIMEZONE"):
            current = _Block(word[6:], number)  # an unclosed block before it stays unclosed
            (split.events if current.kind == b"VEVENT" else split.zones).append(current)
        if current is None:
            if not split.events and not word.startswith((b"BEGIN:", b"END:")):
                split.header.append(line)
            continue
        current.lines.append(line)
        if word.startswith(b"BEGIN:") and len(current.lines) > 1:
            current.depth += 1
        elif word.startswith(b"END:"):
            if current.depth == 0:
                current.closed = word == b"END:" + current.kind
                current = None
            else:
                current.depth -= 1
    return split


def _header(lines: list[bytes]) -> Component:
    """The calendar's own properties (METHOD, X-WR-TIMEZONE, ...), as far as they parse."""
    parsed = _parse_text(b"\n".join([b"BEGIN:VCALENDAR", *lines, b"END:VCALENDAR"]))
    return parsed if parsed is not None else Calendar()


def _parse(block: _Block) -> Component | None:
    return _parse_text(b"\n".join([b"BEGIN:VCALENDAR", *block.lines, b"END:VCALENDAR"]))


def _parse_text(text: bytes) -> Component | None:
    try:
        found = Calendar.from_ical(text, multiple=True)
    except PARSE_ERRORS:
        return None
    return found[0] if len(found) == 1 else None
