"""Who took part in one calendar event, and whether it was a meeting at all.

An event is a meeting when at least two people take part: its organiser and the
attendees who did not decline. Rooms, resources, groups (a mailing list invited as
one attendee), calendars and placeholders that calendar services write in these
fields are not people; nor is anyone without an e-mail address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from icalendar.cal import Component

from weakties.records import Participant, Role
from weakties.text.addresses import parse_mailbox

LARGE_MEETING = 20
"""An event with more attendees than this is large: an audience, not a meeting between
its organiser and each attendee (see :class:`People` and README, "Calendars")."""

NOT_ATTENDING = frozenset({"DECLINED", "DELEGATED"})
"""Participation states (RFC 5545 PARTSTAT) of someone who is not at the event: a
delegate attends instead, and is listed as an attendee of their own."""

NOT_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP"})
"""Calendar user types (RFC 5545 CUTYPE) that are not one person."""

_SERVICE_DOMAINS = ("calendar.google.com",)
"""Domains of calendar services' own addresses: Google writes rooms as
``...@resource.calendar.google.com``, shared calendars as ``...@group.calendar.google.com``
and events it made from mail with ``unknownorganizer@calendar.google.com``."""


@dataclass(frozen=True, slots=True)
class People:
    """The people of one event: its organiser (if a person) and its attendees."""

    organizer: Participant | None
    attendees: tuple[Participant, ...]

    @property
    def participants(self) -> list[Participant]:
        """Organiser first, then the attendees other than the organiser."""
        first = [self.organizer] if self.organizer is not None else []
        return first + list(self.attendees)

    @property
    def is_meeting(self) -> bool:
        """At least two people take part."""
        return len(self.participants) >= 2

    @property
    def large(self) -> bool:
        """More than :data:`LARGE_MEETING` attendees."""
        return len(self.attendees) > LARGE_MEETING


def event_people(event: Component, implied_organizer: str | None = None) -> People:
    """The people of ``event``. ``implied_organizer`` stands in for a missing ORGANIZER
    (the calendar's owner, when the calendar names one)."""
    organizer = _person(event.get("ORGANIZER"), Role.ORGANIZER)
    if organizer is None and "ORGANIZER" not in event and implied_organizer:
        organizer = Participant(Role.ORGANIZER, implied_organizer)
    taken = {organizer.address} if organizer is not None else set()
    attendees: list[Participant] = []
    for value in _values(event.get("ATTENDEE")):
        params = getattr(value, "params", {})
        if _param(params, "PARTSTAT") in NOT_ATTENDING or _param(params, "CUTYPE") in NOT_PEOPLE:
            continue
        if _param(params, "ROLE") == "NON-PARTICIPANT":
            continue  # copied in for information, not invited to take part
        person = _person(value, Role.ATTENDEE)
        if person is not None and person.address not in taken:
            taken.add(person.address)
            attendees.append(person)
    return People(organizer, tuple(attendees))


def person_address(value: object) -> str | None:
    """The normalised e-mail address of a ``mailto:`` calendar address (or a bare
    address), or None for anything that is not a person's address."""
    text = str(value).strip()
    scheme, colon, _ = text.partition(":")
    if colon and scheme.lower() != "mailto" and "@" not in scheme:
        return None  # urn:uuid:..., sip:..., tel:...: not an e-mail address
    parsed = parse_mailbox(text)
    if parsed is None:
        return None
    address = parsed[0]
    domain = address.rpartition("@")[2]
    if "." not in domain.strip(".") or _service(domain):
        return None  # Google's birthday pseudo-attendee is ``...@virtual``
    return address


def _person(value: object, role: Role) -> Participant | None:
    if value is None or isinstance(value, list):
        return None  # several ORGANIZER lines: none of them can be trusted
    params = getattr(value, "params", {})
    if _param(params, "CUTYPE") in NOT_PEOPLE:
        return None
    address = person_address(value)
    if address is None:
        return None
    parsed = parse_mailbox(address, _text(params.get("CN", "")))
    name = parsed[1] if parsed is not None else ""
    return Participant(role, address, "" if name.lower() == address else name)


def _service(domain: str) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in _SERVICE_DOMAINS)


def _values(value: object) -> Iterable[object]:
    if value is None:
        return ()
    return value if isinstance(value, list) else (value,)


def _param(params: object, name: str) -> str:
    getter = getattr(params, "get", None)
    return _text(getter(name, "")).upper() if getter is not None else ""


def _text(value: object) -> str:
    """A parameter's value as one line of text (a list, from a multi-valued parameter,
    is joined)."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    return " ".join(str(value).split())
