"""Threads: an opening message and its replies, with In-Reply-To and References."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from weakties.demo import phrases
from weakties.demo.clock import reply_after
from weakties.demo.model import Address, IdMaker, Mail, Person

_MAX_REFERENCES = 10


@dataclass(frozen=True, slots=True)
class Opening:
    """How a thread starts and how long it may run.

    ``parties`` are the people who write (the opener first); ``cc`` are only
    copied; ``turns`` counts messages including the opening; ``cc_pool`` is
    who may be added to the Cc line along the way.
    """

    parties: tuple[Person, ...]
    cc: tuple[Person, ...]
    subject: str
    when: datetime
    turns: int
    cc_pool: tuple[Person, ...] = ()


class Writer:
    """Turns openings into messages, stopping at the end of the period.

    Bodies draw from their own ``text`` stream (``None``: no bodies), so the
    same openings give the same messages whether or not bodies are written.
    """

    def __init__(
        self, rng: random.Random, ids: IdMaker, end: datetime, text: random.Random | None = None
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.end = end
        self.text = text

    def address(self, person: Person) -> Address:
        """The address ``person`` uses this time: mostly the primary one."""
        if person.aliases and self.rng.random() < person.alias_rate:
            return Address(person.name, self.rng.choice(person.aliases))
        return Address(person.name, person.email)

    def thread(self, opening: Opening) -> list[Mail]:
        """The opening message and up to ``turns - 1`` replies (reply-all)."""
        parties, cc = list(opening.parties), list(opening.cc)
        sender, when = parties[0], opening.when
        mails = [self._mail(sender, parties[1:], cc, opening.subject, when, None)]
        for _ in range(opening.turns - 1):
            replier = self._replier(parties, sender)
            when = reply_after(self.rng, mails[-1].when, replier.tz)
            if when > self.end:
                break
            if opening.cc_pool and self.rng.random() < 0.12:
                cc = [*cc, *self._newcomer(opening.cc_pool, parties + cc)]
            to = [sender, *(p for p in parties if p is not sender and p is not replier)]
            subject = f"Re: {opening.subject}"
            mails.append(
                self._mail(
                    replier, to, [c for c in cc if c is not replier], subject, when, mails[-1]
                )
            )
            sender = replier
        return mails

    def _replier(self, parties: Sequence[Person], last: Person) -> Person:
        others = [p for p in parties if p is not last]
        return others[0] if len(others) == 1 else self.rng.choice(others)

    def _newcomer(self, pool: Sequence[Person], present: Sequence[Person]) -> list[Person]:
        person = self.rng.choice(pool)
        return [] if any(p is person for p in present) else [person]

    def _mail(
        self,
        sender: Person,
        to: Sequence[Person],
        cc: Sequence[Person],
        subject: str,
        when: datetime,
        parent: Mail | None,
    ) -> Mail:
        """One message; ``parent`` is the message it answers, if any."""
        origin = self.address(sender)
        message_id = self.ids.message_id(when, origin.email.rsplit("@", 1)[1])
        body = ""
        if self.text is not None:
            greet = to[0].first if len(to) == 1 else "all"
            body = phrases.body(self.text, greet, sender.first)
        refs = (*parent.references, parent.message_id)[-_MAX_REFERENCES:] if parent else ()
        return Mail(
            when=when,
            sender=origin,
            to=tuple(map(self.address, to)),
            cc=tuple(map(self.address, cc)),
            subject=subject,
            body=body,
            message_id=message_id,
            thread_id=parent.thread_id if parent else message_id,
            in_reply_to=parent.message_id if parent else "",
            references=refs,
        )
