"""What each channel of contact means: the one place every query and rule reads.

A channel is *directed* when its records name who wrote to whom (mail, SMS, chat):
each direction is its own evidence, and a sender nobody answers may be a broadcast.
It is *mutual* when both people take part in every contact (a meeting, a call that
connected, a face-to-face contact): such contact is never one-way and never makes
anyone a broadcaster, whichever side the record lists first.

Separately, a channel may say who *initiated* a contact. For calls the caller is
known, so reciprocity is who calls whom (each direction's calls), not the fact that
the call connected: in the MIT Social Evolution call log, reciprocity read from
connected calls carries no signal (AUC 0.50 against close friendship) and read from
who calls 0.58. A face-to-face sensor lists the lower id first, which says nothing,
so in-person contact counts for both directions.

A *connection* (a LinkedIn connection, read from the export's ``Connections.csv``) is
mutual: both members accepted it. It is one contact at the date they connected, so a
tie exists from that date and is never one-way; it is neither synchronous nor
initiated (the export does not say who asked). On its own it weighs as one contact
long ago, so it keeps a tie known without making it strong. Its date is when the link
was made, perhaps years before anything else in the store: it is not *watched*, so it
does not lengthen the time the store has observed, by which every tie's history is
judged (a LinkedIn export with connections from 2009 would otherwise change the
strength of every tie of a three-month mailbox). An *invitation* to
connect is directed and initiated: one side asked, and may never have been answered.

Channels not listed here are directed, asynchronous and initiated by their sender:
the safe reading of an unknown message-like channel.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Channel:
    """The semantics of one channel of contact."""

    name: str
    mutual: bool  # both take part in every contact: never one-way, never a blast
    synchronous: bool  # both at once (counts as time spent together)
    initiated: bool  # the sender started the contact; reciprocity counts each direction
    watched: bool = True  # its records log a period: their dates say how long the store looked


_TABLE = (
    Channel("email", mutual=False, synchronous=False, initiated=True),
    Channel("sms", mutual=False, synchronous=False, initiated=True),
    Channel("chat", mutual=False, synchronous=False, initiated=True),
    Channel("post", mutual=False, synchronous=False, initiated=True),
    Channel("invitation", mutual=False, synchronous=False, initiated=True),
    Channel("connection", mutual=True, synchronous=False, initiated=False, watched=False),
    Channel("call", mutual=True, synchronous=True, initiated=True),
    Channel("video", mutual=True, synchronous=True, initiated=True),
    Channel("meeting", mutual=True, synchronous=True, initiated=False),
    Channel("in_person", mutual=True, synchronous=True, initiated=False),
    Channel("proximity", mutual=True, synchronous=True, initiated=False),
    # A record of contact between the people named that does not say who started it:
    # an e-mail network whose direction was lost (Benson et al.'s email-Eu simplices), a
    # co-authorship, a log of "who was in touch with whom".
    Channel("exchange", mutual=True, synchronous=False, initiated=False),
)

CHANNELS: dict[str, Channel] = {c.name: c for c in _TABLE}
"""The known channels by name."""

ALIASES: dict[str, str] = {
    "e-mail": "email",
    "mail": "email",
    "text": "sms",
    "mms": "sms",
    "im": "chat",
    "message": "chat",
    "dm": "chat",
    "phone": "call",
    "voice": "call",
    "phone_call": "call",
    "video_call": "video",
    "face_to_face": "in_person",
    "face-to-face": "in_person",
    "f2f": "in_person",
    "in-person": "in_person",
    "calendar": "meeting",
    "event": "meeting",
}
"""Other names logs use for the known channels; a log's channel is read through these."""


def canonical(name: str) -> str:
    """The stored name of a channel as a log writes it (``Face to face`` -> ``in_person``)."""
    text = name.strip().lower().replace(" ", "_")
    return ALIASES.get(text, text)


def semantics(name: str) -> Channel:
    """The semantics of ``name``; an unknown channel is directed, asynchronous, initiated."""
    return CHANNELS.get(name) or Channel(name, mutual=False, synchronous=False, initiated=True)


def names_where(*, mutual: bool | None = None, synchronous: bool | None = None,
                initiated: bool | None = None, watched: bool | None = None
                ) -> tuple[str, ...]:  # fmt: skip
    """The known channels with the given properties, sorted (for SQL ``IN`` lists)."""
    return tuple(
        sorted(
            c.name
            for c in _TABLE
            if (mutual is None or c.mutual == mutual)
            and (synchronous is None or c.synchronous == synchronous)
            and (initiated is None or c.initiated == initiated)
            and (watched is None or c.watched == watched)
        )
    )


def sql_list(names: tuple[str, ...]) -> str:
    """``names`` as the inside of a SQL ``IN (...)``; never empty (matches nothing)."""
    return ", ".join(f"'{n}'" for n in names) if names else "NULL"
