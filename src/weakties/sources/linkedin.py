"""The LinkedIn data export ("Get a copy of your data"): its folder, or its ZIP read as
one, or a lone ``Connections.csv``.

Files read (names in any case; others are ignored):

``Connections.csv``  a preamble (``Notes:``, a quoted sentence, a blank line), then
    ``First Name,Last Name,URL,Email Address,Company,Position,Connected On`` with dates
    like ``26 Dec 2025``. Each row is a :class:`~weakties.records.Contact` (kind
    ``connection``: the profile, the e-mail address when the member shares it, the
    company and position); and, when the export's owner is known, an interaction on
    the ``connection`` channel between the owner and the member at the date they
    connected: a tie that exists from that date (see :mod:`weakties.channels`).
``messages.csv``  ``CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,
    [RECIPIENT PROFILE URLS,]DATE,SUBJECT,CONTENT,FOLDER``: each row a private ``chat``
    interaction from the sender to the other members of the conversation. Subjects
    and contents are never read.
``Invitations.csv``  ``From,To,Sent At,Message,Direction[,inviterProfileUrl,
    inviteeProfileUrl]``: each an ``invitation`` (directed: one side asked).
``Profile.csv``, ``Email Addresses.csv``  the owner's name and e-mail addresses.

Every member is ``linkedin:<profile path>`` (:mod:`weakties.text.handles`). The owner
is the member who takes part in every conversation (or whose name is the profile's);
without messages, the owner's primary e-mail address stands for them. The owner's
profile and addresses are one person (a contact of kind ``self``); interactions the
owner took part in as sender are marked sent, so that ingest names the owner.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from weakties.records import (
    Contact,
    ContactKind,
    Interaction,
    Participant,
    Quarantined,
    Record,
    Role,
    path_text,
)
from weakties.sources.base import Source
from weakties.sources.csvtext import head_text, read_text, rows
from weakties.text.addresses import normalize_address
from weakties.text.handles import normalise_linkedin

CONNECTIONS = "connections.csv"
MESSAGES = "messages.csv"
INVITATIONS = "invitations.csv"
PROFILE = "profile.csv"
EMAILS = "email addresses.csv"
_HEADERS = {  # a file's header starts with these cells (lower-cased)
    CONNECTIONS: ("first name", "last name", "url"),
    MESSAGES: ("conversation id",),
    INVITATIONS: ("from", "to", "sent at"),
}
_PREAMBLE_ROWS = 10  # the header is found within this many rows (LinkedIn's notes take 2)
_DATE_FORMATS = (
    "%d %b %Y",  # Connections.csv: 26 Dec 2025
    "%Y-%m-%d %H:%M:%S %Z",  # messages.csv: 2024-01-15 14:30:00 UTC
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%m/%d/%y, %I:%M %p",  # Invitations.csv: 1/15/24, 3:42 PM
    "%m/%d/%Y, %I:%M %p",
    "%Y-%m-%d",
)


def is_connections_file(path: Path, head: bytes) -> bool:
    """True for a LinkedIn ``Connections.csv`` (by its header, after the notes)."""
    text = head_text(head)
    if "connected on" not in text[:2048].lower():
        return False  # most files met are mail: no header to look for
    return _header_at(text, CONNECTIONS) is not None


_EXPORT_NAMES = {CONNECTIONS: "Connections.csv", MESSAGES: "messages.csv",
                 INVITATIONS: "Invitations.csv"}  # fmt: skip
"""The names LinkedIn gives the files, looked up directly: listing every folder met
while discovering mail (a Maildir's ``cur`` holds thousands of files) would cost more."""


def is_export_folder(folder: Path) -> bool:
    """True for a folder holding a LinkedIn export's connections, messages or
    invitations (recognised by their names and headers)."""
    for name, file_name in _EXPORT_NAMES.items():
        path = folder / file_name
        if path.is_file() and _header_at(_head(path), name) is not None:
            return True
    return False


def _files(folder: Path) -> dict[str, Path]:
    try:
        return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    except OSError:
        return {}


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return head_text(handle.read(4096))
    except OSError:
        return ""


def _header_at(text: str, name: str) -> int | None:
    """The index of the header row among the first rows of ``text``, or None."""
    start = _HEADERS[name]
    for i, row in enumerate(rows(text)):
        if i >= _PREAMBLE_ROWS or not isinstance(row, list):
            return None
        cells = tuple(c.strip().lower() for c in row[: len(start)])
        if cells == start:
            return i
        if i == 0 and cells[:1] != ("notes:",):
            return None  # only LinkedIn's notes come before the header
    return None


@dataclass(slots=True)
class _Table:
    """One export file: its rows after the header, as dictionaries by lower-cased
    column, each with its number (from 1) or the CSV error that replaced it."""

    location: str
    rows: list[tuple[int, dict[str, str] | csv.Error]] = field(default_factory=list)


def _table(path: Path, name: str) -> _Table:
    text = read_text(path)
    table = _Table(path_text(path.absolute()))
    header: list[str] | None = None
    skip = _header_at(text, name)
    if skip is None:
        return table
    n = 0
    for i, row in enumerate(rows(text)):
        if i < skip:
            continue
        if header is None:
            header = [c.strip().lower() for c in row] if isinstance(row, list) else []
            continue
        n += 1
        table.rows.append((n, row if isinstance(row, csv.Error) else _by_column(header, row)))
    return table


def _by_column(header: list[str], row: list[str]) -> dict[str, str]:
    """A row's cells by column; a short row leaves the last columns out, the cells of
    a long row beyond the header are ignored."""
    return dict(zip(header, row, strict=False))


@dataclass(frozen=True, slots=True)
class Owner:
    """Who the export belongs to."""

    name: str = ""
    profile: str | None = None
    emails: tuple[str, ...] = ()

    @property
    def identity(self) -> str | None:
        """How the owner is named in interactions: the profile, else the first address."""
        return self.profile or next(iter(self.emails), None)


class LinkedInSource(Source):
    """A LinkedIn export folder (or its ``Connections.csv`` alone)."""

    kind = "linkedin"

    def _paths(self) -> dict[str, Path]:
        if self.path.is_file():
            return {CONNECTIONS: self.path}
        return _files(self.path)

    def records(self) -> Iterator[Record]:
        files = self._paths()
        tables = {n: _table(files[n], n) for n in _HEADERS if n in files}
        owner = _owner(files, tables.get(MESSAGES))
        about = files.get(PROFILE) or files.get(EMAILS)
        if owner.identity is not None and about is not None:
            yield _self_contact(owner, path_text(about.absolute()))
        if CONNECTIONS in tables:
            yield from _connections(tables[CONNECTIONS], owner)
        if MESSAGES in tables:
            yield from _messages(tables[MESSAGES], owner)
        if INVITATIONS in tables:
            yield from _invitations(tables[INVITATIONS], owner)


# -- the owner ------------------------------------------------------------------------


def _owner(files: dict[str, Path], messages: _Table | None) -> Owner:
    name = _profile_name(files[PROFILE]) if PROFILE in files else ""
    emails = _owner_emails(files[EMAILS]) if EMAILS in files else ()
    profile = _owner_profile(messages, name) if messages is not None else None
    return Owner(name, profile, emails)


def _profile_name(path: Path) -> str:
    for row in rows(read_text(path)):
        if isinstance(row, list) and [c.strip().lower() for c in row[:2]] != [
            "first name",
            "last name",
        ]:
            return " ".join(c.strip() for c in row[:2] if c.strip())[:200]
    return ""


def _owner_emails(path: Path) -> tuple[str, ...]:
    """The account's addresses, the primary one first."""
    found: list[tuple[bool, str]] = []
    header: list[str] | None = None
    for row in rows(read_text(path)):
        if not isinstance(row, list):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            continue
        values = _by_column(header, row)
        address = normalize_address(values.get("email address", ""))
        if address:
            found.append((values.get("primary", "").strip().lower() != "yes", address))
    return tuple(dict.fromkeys(a for _, a in sorted(found, key=lambda x: x[0])))


def _owner_profile(messages: _Table, name: str) -> str | None:
    """The member in the most conversations, if one leads; a sender under the
    profile's own name first."""
    by_name: Counter[str] = Counter()
    conversations: dict[str, set[str]] = {}
    for _, values in messages.rows:
        if isinstance(values, csv.Error):
            continue
        sender = normalise_linkedin(values.get("sender profile url", ""))
        if sender is None:
            continue
        if name and values.get("from", "").strip().lower() == name.lower():
            by_name[sender] += 1
        members = [sender, *_recipients(values)]
        for member in members:
            conversations.setdefault(member, set()).add(values.get("conversation id", ""))
    if by_name:
        return min(by_name, key=lambda p: (-by_name[p], p))
    ranked = sorted(conversations, key=lambda p: (-len(conversations[p]), p))
    counts = [len(conversations[p]) for p in ranked[:2]]
    return ranked[0] if counts and (len(counts) == 1 or counts[0] > counts[1]) else None


def _self_contact(owner: Owner, location: str) -> Contact:
    """The owner's own profile and addresses: one person."""
    identities = tuple(i for i in (owner.profile, *owner.emails) if i)
    return Contact(f"{location}#owner", ContactKind.SELF, owner.name, identities)


# -- the files ------------------------------------------------------------------------


def _connections(table: _Table, owner: Owner) -> Iterator[Record]:
    for n, values in table.rows:
        location = f"{table.location}#row{n}"
        if isinstance(values, csv.Error):
            yield Quarantined(location, "bad-row", str(values)[:200])
            continue
        profile = normalise_linkedin(values.get("url", ""))
        email = normalize_address(values.get("email address", ""))
        identities = tuple(i for i in (profile, email) if i)
        if not identities:
            yield Quarantined(location, "no-identity", "no profile URL or e-mail address")
            continue
        since = _date(values.get("connected on", ""))
        name = " ".join(values.get(c, "").strip() for c in ("first name", "last name"))
        yield Contact(
            location=location,
            kind=ContactKind.CONNECTION,
            name=" ".join(name.split())[:200],
            identities=identities,
            organisation=values.get("company", "").strip()[:200],
            title=values.get("position", "").strip()[:200],
            since=since,
        )
        if owner.identity is not None and since is not None and owner.identity != identities[0]:
            yield _connection(f"{location}#tie", owner.identity, identities[0], since)


def _connection(location: str, owner: str, member: str, since: datetime) -> Interaction:
    return Interaction(
        location=location,
        channel="connection",
        timestamp=since,
        participants=[Participant(Role.FROM, owner), Participant(Role.TO, member)],
        external_id=f"linkedin-connection:{owner}:{member}",
        is_sent=True,
    )


def _messages(table: _Table, owner: Owner) -> Iterator[Record]:
    members = _conversation_members(table)
    seen: Counter[tuple[str, str, str]] = Counter()
    for n, values in table.rows:
        location = f"{table.location}#row{n}"
        if isinstance(values, csv.Error):
            yield Quarantined(location, "bad-row", str(values)[:200])
            continue
        try:
            yield _message(values, location, members, owner, seen)
        except ValueError as exc:
            reason, _, detail = str(exc).partition(":")
            yield Quarantined(location, reason, detail.strip())


def _conversation_members(table: _Table) -> dict[str, set[str]]:
    """Everyone seen in each conversation, as sender or named recipient."""
    members: dict[str, set[str]] = {}
    for _, values in table.rows:
        if isinstance(values, dict):
            sender = normalise_linkedin(values.get("sender profile url", ""))
            group = members.setdefault(values.get("conversation id", "").strip(), set())
            group.update(p for p in (sender, *_recipients(values)) if p)
    return members


def _recipients(values: dict[str, str]) -> list[str]:
    cell = values.get("recipient profile urls", "")
    found = (normalise_linkedin(u) for u in cell.replace(";", ",").split(","))
    return [p for p in found if p]


def _message(
    values: dict[str, str],
    location: str,
    members: dict[str, set[str]],
    owner: Owner,
    seen: Counter[tuple[str, str, str]],
) -> Interaction:
    sender = normalise_linkedin(values.get("sender profile url", ""))
    if sender is None:
        raise ValueError("no-sender: no sender profile URL (a deleted member, or LinkedIn)")
    timestamp = _date(values.get("date", ""))
    if timestamp is None:
        raise ValueError(f"bad-timestamp: {values.get('date', '')[:40]!r}")
    conversation = values.get("conversation id", "").strip()
    recipients = _recipients(values) or sorted(members.get(conversation, set()) - {sender})
    if not recipients and owner.profile and owner.profile != sender:
        recipients = [owner.profile]
    recipients = [r for r in dict.fromkeys(recipients) if r != sender]
    if not recipients:
        raise ValueError("no-recipients: no other member of the conversation is known")
    key = (conversation, values.get("date", "").strip(), sender)
    seen[key] += 1
    folder = values.get("folder", "").strip().lower()
    return Interaction(
        location=location,
        channel="chat",
        timestamp=timestamp,
        participants=[Participant(Role.FROM, sender, values.get("from", "").strip()[:200])]
        + [Participant(Role.TO, r) for r in recipients],
        thread_id=f"linkedin:{conversation}" if conversation else None,
        external_id=f"linkedin-message:{conversation}:{key[1]}:{sender}:{seen[key]}",
        is_sent=sender == owner.profile,
        bulk="sponsored" in folder,
    )


def _invitations(table: _Table, owner: Owner) -> Iterator[Record]:
    for n, values in table.rows:
        location = f"{table.location}#row{n}"
        if isinstance(values, csv.Error):
            yield Quarantined(location, "bad-row", str(values)[:200])
            continue
        try:
            yield _invitation(values, location, owner)
        except ValueError as exc:
            reason, _, detail = str(exc).partition(":")
            yield Quarantined(location, reason, detail.strip())


def _invitation(values: dict[str, str], location: str, owner: Owner) -> Interaction:
    outgoing = values.get("direction", "").strip().upper() == "OUTGOING"
    inviter = normalise_linkedin(values.get("inviterprofileurl", ""))
    invitee = normalise_linkedin(values.get("inviteeprofileurl", ""))
    if outgoing:
        inviter = inviter or owner.identity
    else:
        invitee = invitee or owner.identity
    if inviter is None or invitee is None or inviter == invitee:
        raise ValueError("no-identity: the invitation names the other member only by name")
    timestamp = _date(values.get("sent at", ""))
    if timestamp is None:
        raise ValueError(f"bad-timestamp: {values.get('sent at', '')[:40]!r}")
    return Interaction(
        location=location,
        channel="invitation",
        timestamp=timestamp,
        participants=[Participant(Role.FROM, inviter, values.get("from", "").strip()[:200]),
                      Participant(Role.TO, invitee, values.get("to", "").strip()[:200])],
        external_id=f"linkedin-invitation:{inviter}:{invitee}:{timestamp.isoformat()}",
        is_sent=outgoing,
    )  # fmt: skip


def _date(text: str) -> datetime | None:
    """A LinkedIn date or time (UTC when it names no zone), or None."""
    value = " ".join(text.split())
    if not value:
        return None
    for form in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, form)
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None
