"""Typed records that sources yield and the store saves.

Sources never touch the database: they turn one format into these records.
Every record read from a source becomes exactly one :class:`Interaction`, one
:class:`Contact` or one :class:`Quarantined`, so the ingest accounting always adds up.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


def path_text(path: str | os.PathLike[str]) -> str:
    """A path (or a message naming one) as text that can be stored and printed.

    A file name is bytes: those that are not UTF-8 reach Python as lone surrogates,
    which neither the store nor a terminal takes. They become ``\\xNN`` escapes here;
    the file itself is still opened by its real name.
    """
    text = os.fspath(path)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


class Role(StrEnum):
    """How a participant took part in an interaction."""

    FROM = "from"
    TO = "to"
    CC = "cc"
    BCC = "bcc"
    ORGANIZER = "organizer"
    ATTENDEE = "attendee"
    MEMBER = "member"


class DateFlag(StrEnum):
    """Why a timestamp is doubtful (``None`` on the record means it is fine)."""

    MISSING = "missing"  # no usable date at all: timestamp is None
    UNPARSED = "unparsed"  # a Date header we could not read; fell back to another source
    IMPLAUSIBLE = "implausible"  # before 1985 or more than a day in the future of ingest time


@dataclass(frozen=True, slots=True)
class Participant:
    """One identity in one role.

    ``address`` is already normalised (lower-case e-mail address, or an opaque
    id such as ``snap:42``); ``name`` is the display name as seen, cleaned of
    quotes and encodings, or "".
    """

    role: Role
    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class AliasEvidence:
    """Solid evidence, seen in one record, that two addresses are one person.

    Example: Exchange's ``X-From: Allen, Phillip K. </O=ENRON/.../CN=PALLEN>``
    beside ``From: k..allen@enron.com`` says the mailbox alias ``pallen@enron.com``
    is the same person.
    """

    address: str
    other: str
    evidence: str


CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")
"""What a channel may be called: a lower-case word (``email``, ``in_person``, ...)."""


@dataclass(slots=True)
class Interaction:
    """One message, meeting, call or chat, as read from a source."""

    location: str  # where it was read: "path" or "path#offset"; unique per record
    channel: str  # email, meeting, call, sms, chat, in_person, ...
    timestamp: datetime | None  # timezone-aware UTC, or None when unknown
    participants: list[Participant]
    message_id: str | None = None  # without angle brackets
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    thread_id: str | None = None
    subject_hash: str | None = None  # hash of the normalised subject; never the text
    folder: str | None = None  # mailbox folder or label it was found in
    is_sent: bool = False  # found in a sent folder / labelled Sent by the mail client
    automated: bool = False  # Auto-Submitted, no-reply sender, ...
    bulk: bool = False  # List-Id, Precedence bulk/list/junk, List-Unsubscribe
    list_id: str | None = None
    date_flag: DateFlag | None = None
    duration_s: float | None = None
    external_id: str | None = None  # an id given by the source (interaction_id column)
    aliases: list[AliasEvidence] = field(default_factory=list)
    public: bool = False  # seen by an audience (a public channel, a post), not only its parties


class ContactKind(StrEnum):
    """Where a known person comes from."""

    CARD = "card"  # an address book entry (vCard, contacts CSV)
    CONNECTION = "connection"  # a two-sided link (a LinkedIn connection): a tie from ``since``
    FOLLOWER = "follower"  # follows the owner (X)
    FOLLOWING = "following"  # the owner follows them (X)
    MEMBER = "member"  # a member of a workspace the owner is in (Slack users.json)
    SELF = "self"  # the owner's own profile in an export: its identities are the owner's


@dataclass(slots=True)
class Contact:
    """A person the source's owner knows, with or without any interaction.

    ``identities`` are normalised the way participants' addresses are: lower-case
    e-mail addresses, phone numbers as ``tel:+<E.164>``, other handles as
    ``<scheme>:<id>`` (``linkedin:...``, ``slack:T1/U2``, ``x:1234``). Several
    identities on one contact are solid evidence that they are one person.
    """

    location: str  # where it was read; unique per record, like an interaction's
    kind: ContactKind
    name: str = ""
    identities: tuple[str, ...] = ()
    organisation: str = ""
    title: str = ""
    since: datetime | None = None  # when the link was made, where the source says


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record we could not turn into an interaction, with why and where."""

    location: str
    reason: str  # short stable code, e.g. "no-sender", "not-a-message"
    detail: str = ""


Record = Interaction | Contact | Quarantined
