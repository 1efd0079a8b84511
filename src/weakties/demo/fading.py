"""What the demo plants for keeping in touch: ties about to fade, and ties overdue.

- **About to fade**: a new acquaintance at each of three companies the owner deals
  with, met in a few two-way threads from about four months before the end to
  :data:`NEW_QUIET_DAYS` days before it, and no one else in common: young, thin and
  unembedded, the ties that decay fastest (Burt 2000).
- **Overdue**: three of the owner's everyday colleagues (outside the owner's team, and in no other
planted part) write with the owner about every two weeks from the start of the period,
then fall silent :data:`SILENT_DAYS` before its end: their rhythm is broken, though the
tie is still active in the last 90 days. Whatever else they and the owner would have
written to each other after that, in a thread of at most :data:`SMALL` people, is left
out of the mailbox and the log alike.

The people are chosen from the organisation alone (no random draw); the times come
from the demo's own ``fading`` stream.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from weakties.demo import phrases
from weakties.demo.act import Planted as ActPlanted
from weakties.demo.clock import moment_on
from weakties.demo.model import Mail, Person
from weakties.demo.org import DOMAIN, OWNER_TEAM, Organisation
from weakties.demo.threads import Opening

FADING = 3
"""How many ties are planted to fade."""

SILENT_DAYS = 50
"""The planted ties' last thread opens this many days before the period ends: 3.5
times their usual two-week gap, inside the 90 days that make a tie active."""

EVERY_DAYS = 14
SMALL = 10  # threads of more people are broadcasts: they keep no tie alive


NEW_QUIET_DAYS = 40
"""The new acquaintances' last thread opens this many days before the period ends."""


def choose_new(org: Organisation) -> tuple[Person, ...]:
    """One person the owner has never written to at each of the first :data:`FADING`
    ordinary customer companies (the single-threaded account aside)."""
    known = {p.email for p in (*org.close, *org.regular, *org.dormant, *org.friends)}
    known |= {t.person.email for t in org.bridges}
    out = []
    for company in org.companies:
        if company.role != "regular" or company.domain == org.planted.single_domain:
            continue
        fresh = [p for p in company.members if p.email not in known and not p.aliases]
        if fresh:
            out.append(fresh[-1])
    return tuple(out[:FADING])


def new_openings(
    org: Organisation, people: Sequence[Person], rng: random.Random
) -> Iterator[Opening]:
    """Three or four two-way threads with each new acquaintance, the first about four
    months before the end, the last :data:`NEW_QUIET_DAYS` days before it."""
    last = org.period.end - timedelta(days=NEW_QUIET_DAYS)
    for person in people:
        count = rng.choice((3, 4))
        for k in range(count):
            day = last - timedelta(days=(count - 1 - k) * rng.uniform(20, 28))
            pair = (org.owner, person) if k == 0 or rng.random() < 0.5 else (person, org.owner)
            when = moment_on(rng, day.date(), pair[0].tz, org.period.start, last)
            subject = phrases.work_subject(rng, pair[0].name, pair[1].name)
            yield Opening(pair, (), subject, when, 2)


def choose(org: Organisation, taken: Sequence[Person]) -> tuple[Person, ...]:
    """The colleagues whose ties are planted to fade: everyday colleagues at the owner's
    organisation, outside the owner's team, with one address, staying the whole period
    and in no other planted part (``taken``, and the act questions' people)."""
    act: ActPlanted = org.planted
    busy = {p.email for p in (*taken, act.stakeholder, act.formal, *act.backchannels)}
    pool = [
        p
        for p in org.regular
        if p.domain == DOMAIN
        and p.group != OWNER_TEAM
        and not p.aliases
        and p.email not in org.left
        and p.email not in busy
    ]
    middle = pool[len(pool) // 3 :]  # intros take the last ones, the act the first
    return tuple(middle[:FADING])


def silence(mails: list[Mail], org: Organisation, people: Sequence[Person]) -> list[Mail]:
    """``mails`` without any small thread between the owner and one of ``people`` after
    that person fell silent."""
    owner = {org.owner.email, *org.owner.aliases}
    quiet = {p.email for p in people}
    after = cutoff(org)

    def kept(mail: Mail) -> bool:
        if mail.when < after:
            return True
        who = {mail.sender.email, *(a.email for a in (*mail.to, *mail.cc))}
        return len(who) > SMALL or not (who & owner and who & quiet)

    return [m for m in mails if kept(m)]


def cutoff(org: Organisation) -> datetime:
    """When the planted ties fall silent."""
    return org.period.end - timedelta(days=SILENT_DAYS)


def openings(org: Organisation, people: Sequence[Person], rng: random.Random) -> Iterator[Opening]:
    """A thread of two or three messages about every :data:`EVERY_DAYS` days between the
    owner and each of ``people``, up to a week before they fall silent (so that no
    reply lands after it)."""
    stop = cutoff(org) - timedelta(days=7)
    for person in people:
        day = org.period.start + timedelta(days=rng.uniform(0, EVERY_DAYS))
        while day < stop:
            pair = (org.owner, person) if rng.random() < 0.5 else (person, org.owner)
            when = moment_on(rng, day.date(), pair[0].tz, org.period.start, stop)
            subject = phrases.work_subject(rng, pair[0].name, pair[1].name)
            yield Opening(pair, (), subject, when, rng.choice((2, 2, 3)))
            day += timedelta(days=EVERY_DAYS * rng.uniform(0.8, 1.2))
