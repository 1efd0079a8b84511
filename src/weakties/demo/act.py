"""What the demo plants for the questions users act on: a stakeholder and the back
channels around them, an account that hangs on one thread, and people two steps away
who would open a part of the company the owner does not reach.

- **Stakeholder**: the first member of a team outside the owner's circle. The owner
  shares a weekly formal thread with them and one colleague from the owner's circle
  (a decoy: close to the stakeholder, but in the game). Five of the owner's regular
  colleagues, none in the stakeholder's team, write one-to-one with the stakeholder
  every week or so: the back channels. The stakeholder's own teammates (also close,
  through their team's mail and meetings) are decoys too.
- **Single-threaded account**: a customer the owner corresponds with across four
  contacts early in the period and with only one of them in its last four months.
- **People to meet**: one person at each of three companies the owner has no two-way tie
  with, who writes one-to-one every week with three of the owner's close contacts at
  partner companies: the partners know them well, the owner does not know them yet.

The choices are made from the organisation alone (no random draw), so the owner's
mailbox and the organisation's log plant the same people.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from weakties.demo import phrases
from weakties.demo.clock import moment_on, spread
from weakties.demo.model import Person
from weakties.demo.threads import Opening, Writer

SINGLE_QUIET_DAYS = 120
"""The single-threaded account's other contacts fall silent this long before the end."""

BACK_CHANNELS = 5
INTRODUCERS = 3  # the owner's close partners each person to meet writes with
TO_MEET = 3


@dataclass(frozen=True, slots=True)
class Planted:
    """The people the act questions should find."""

    stakeholder: Person
    formal: Person  # shares the formal thread with the owner and the stakeholder
    backchannels: tuple[Person, ...]
    single: tuple[Person, ...]  # the single-threaded account's contacts, the thread first
    single_domain: str
    to_meet: tuple[tuple[Person, tuple[Person, ...]], ...]  # person, their introducers


def plant(
    owner: Person,
    circle_teams: list[tuple[str, tuple[Person, ...]]],
    background: list[tuple[str, tuple[Person, ...]]],
    regular: list[Person],
    close: list[Person],
    companies: list[tuple[str, str, tuple[Person, ...]]],
) -> Planted:
    """Choose the planted people: ``circle_teams`` and ``background`` are (name, members)
    of the teams in and outside the owner's circle; ``regular`` and ``close`` the owner's
    colleagues by role; ``companies`` (domain, role, members) the other companies."""
    stakeholder_team = background[1] if len(background) > 1 else background[0]
    stakeholder = stakeholder_team[1][0]
    mine = [p for p in regular if p.domain == owner.domain and p.group != stakeholder.group]
    formal, backchannels = mine[0], tuple(mine[1 : 1 + BACK_CHANNELS])
    customer = next((c for c in companies if c[1] == "regular" and len(c[2]) >= 4), companies[-1])
    unreached = [c for c in companies if c[1] in ("vendor", "agency") and len(c[2]) > 2]
    partners = [p for p in close if p.domain != owner.domain]
    to_meet = tuple(
        (c[2][-1], tuple(partners[(i + k) % len(partners)] for k in range(INTRODUCERS)))
        for i, c in enumerate(unreached[:TO_MEET])
    )
    return Planted(stakeholder, formal, backchannels, customer[2][:4], customer[0], to_meet)


def owner_openings(
    owner: Person, planted: Planted, w: Writer, start: datetime, end: datetime
) -> Iterator[Opening]:
    """The owner's planted threads: the weekly formal thread with the stakeholder, private
    threads with each back channel, and the single-threaded account's correspondence."""
    weeks = round((end - start) / timedelta(weeks=1))
    for day in spread(w.rng, start, end, weeks):
        parties = (owner, planted.stakeholder, planted.formal)
        when = moment_on(w.rng, day, owner.tz, start, end)
        yield Opening(parties, (), "Roadmap review: " + phrases.work_subject(w.rng), when, 3)
    for person in planted.backchannels:
        for day in spread(w.rng, start, end, w.rng.randrange(6, 10)):
            when = moment_on(w.rng, day, person.tz, start, end)
            yield Opening((person, owner), (), phrases.work_subject(w.rng), when, 2)
    quiet = end - timedelta(days=SINGLE_QUIET_DAYS)
    recent = end - timedelta(days=SINGLE_QUIET_DAYS - 40)
    for i, person in enumerate(planted.single):
        days = spread(w.rng, start, quiet, 5)
        if i == 0:  # the one thread still alive: also in the last months, answered
            days += spread(w.rng, recent, end - timedelta(days=7), 4)
        for day in days:
            when = moment_on(w.rng, day, owner.tz, start, end)
            yield Opening((owner, person), (), phrases.work_subject(w.rng), when, 2)


def org_openings(planted: Planted, w: Writer, start: datetime, end: datetime) -> Iterator[Opening]:
    """The organisation's planted threads: each back channel (and the formal decoy) with
    the stakeholder, and each person to meet with their introducers, about weekly."""
    weeks = round((end - start) / timedelta(weeks=1))
    pairs = [(p, planted.stakeholder) for p in (*planted.backchannels, planted.formal)]
    pairs += [(p, c) for p, introducers in planted.to_meet for c in introducers]
    for a, b in pairs:
        for day in spread(w.rng, start, end, weeks):
            when = moment_on(w.rng, day, a.tz, start, end)
            opener, other = (a, b) if w.rng.random() < 0.5 else (b, a)
            yield Opening((opener, other), (), phrases.work_subject(w.rng), when, 2)
