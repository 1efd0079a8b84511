"""What the demo plants for introductions and the iceberg, with its truth.

- **Introductions made by the owner**: the owner writes to a colleague and to someone
  at a company that bridges to another world (or a friend), who had never been in
  one interaction together.
- **Introductions received by the owner**: a close colleague writes to the owner and
  to someone in a team the owner never deals with.
- **Introductions between others**: a colleague writes to a teammate and to someone in
  another team the teammate never dealt with (seen in the organisation's log only).

Half of each kind has an outcome: the two introduced write one-to-one, both ways, a
few times from a few days after (made and between others: in the organisation's log,
since the owner is not in that mail; received: in the owner's mailbox too).

- **Iceberg**: group threads of the owner with three or four colleagues, each followed
  within hours by a one-to-one thread between the owner and one of them.

The people are chosen from the organisation alone (no random draw); the times come
from the demo's own ``intros`` stream, so the owner's mailbox and the organisation's
log plant the same introductions at the same moments.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from weakties.demo import phrases
from weakties.demo.clock import moment_on, spread
from weakties.demo.model import DemoConfig, Person
from weakties.demo.org import DOMAIN, Organisation, Team
from weakties.demo.threads import Opening

PER_KIND = 4  # introductions of each kind; the first half of each get an outcome
SPARKS = 3  # group threads followed by one-to-one contact
_ROLES = ("made", "received", "between others")


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted introduction: ``introducer`` writes to ``a`` and ``b`` at ``when``."""

    role: str
    introducer: Person
    a: Person
    b: Person
    when: datetime
    outcome: bool
    first_direct: datetime | None  # when the two first write one-to-one


@dataclass(frozen=True, slots=True)
class Spark:
    """A group thread at ``when`` and, hours later, the owner's one-to-one with ``other``."""

    members: tuple[Person, ...]
    when: datetime
    other: Person
    followed: datetime


def plan(org: Organisation, config: DemoConfig) -> tuple[list[Planted], list[Spark]]:
    """The planted introductions and sparks of ``org``."""
    rng = config.rng("intros")
    start = org.period.start + timedelta(days=150)
    stop = org.period.end - timedelta(days=120)
    triples = _made(org) + _received(org) + _between(org)
    days = spread(rng, start, stop, len(triples))
    rng.shuffle(days)
    planted = []
    for k, ((role, c, a, b), day) in enumerate(zip(triples, days, strict=True)):
        when = moment_on(rng, day, c.tz, start, stop)
        outcome = sum(t[0] == role for t in triples[:k]) % 2 == 0  # every other one
        first = when + timedelta(days=rng.uniform(2, 20)) if outcome else None
        planted.append(Planted(role, c, a, b, when, outcome, first))
    return planted, _sparks(org, rng, start, stop)


def _made(org: Organisation) -> list[tuple[str, Person, Person, Person]]:
    colleagues = [p for p in org.regular if p.domain == DOMAIN and not p.aliases and _stays(org, p)]
    bridges = [c.members[-1] for c in org.companies if c.role == "bridge" and len(c.members) > 1]
    others = [p for p in (*bridges, *org.friends) if not p.aliases][:PER_KIND]
    pairs = zip(reversed(colleagues), others, strict=False)  # as many as the org allows
    return [(_ROLES[0], org.owner, a, b) for a, b in pairs]


def _received(org: Organisation) -> list[tuple[str, Person, Person, Person]]:
    introducers = [p for p in org.close if p.domain == DOMAIN and _stays(org, p)]
    # the stakeholder's teammates share the stakeholder with the owner (demo.act)
    far = [t for t in _far_teams(org) if t.name != org.planted.stakeholder.group]
    if not introducers:
        return []
    return [  # one a team: two in a team would share the first with the owner
        (_ROLES[1], introducers[k % len(introducers)], org.owner, _plain(org, team)[-1])
        for k, team in enumerate(far[:PER_KIND])
    ]


def _between(org: Organisation) -> list[tuple[str, Person, Person, Person]]:
    far = _far_teams(org)
    out: list[tuple[str, Person, Person, Person]] = []
    if len(far) < 2:
        return out
    for k in range(PER_KIND):
        home = _plain(org, far[(PER_KIND + k) % len(far)])
        other = _plain(org, far[(PER_KIND + k + 1) % len(far)])
        out.append((_ROLES[2], home[-2], home[-3], other[-4]))
    return out


def _far_teams(org: Organisation) -> list[Team]:
    """Teams outside the owner's circle and the bridges' teams, largest first: people the
    owner never shares a thread with."""
    near = {p.group for p in (*org.close, *org.regular, *org.dormant)}
    near |= {t.target for t in org.bridges if t.kind == "team"}
    teams = [t for t in org.teams if t.name not in near and len(_plain(org, t)) >= 5]
    return sorted(teams, key=lambda t: (-len(t.members), t.name))


def _plain(org: Organisation, team: Team) -> list[Person]:
    """The team's members with no other planted part: no liaison, account manager,
    bridge, leaver or chief executive, and a single address (introductions are not
    what an unmerged second address should test)."""
    busy = {p.email for pair in org.liaisons for p in pair}
    busy |= {p.email for _, p in org.account_managers} | {t.person.email for t in org.bridges}
    busy |= {org.ceo.email, *org.left}
    return [p for p in team.members if p.email not in busy and not p.aliases]


def _stays(org: Organisation, person: Person) -> bool:
    return org.active(person, org.period.end)


def _sparks(org: Organisation, rng: random.Random, start: datetime, stop: datetime) -> list[Spark]:
    mates = [p for p in org.regular if p.domain == DOMAIN and _stays(org, p)]
    out = []
    for k, day in enumerate(spread(rng, start, stop, SPARKS)):
        members = (org.owner, *mates[4 * k : 4 * k + 3])
        when = moment_on(rng, day, org.owner.tz, start, stop)
        if len(members) < 3:  # a small organisation: no group to spark
            break
        other = members[1 + k % (len(members) - 1)]
        out.append(Spark(members, when, other, when + timedelta(hours=rng.uniform(2, 12))))
    return out


def owner_openings(
    planted: list[Planted], sparks: list[Spark], rng: random.Random
) -> Iterator[Opening]:
    """The owner's side: introductions made and received, the received ones' outcome
    threads, and the group threads with their sparks."""
    for intro in planted:
        if intro.role in _ROLES[:2]:
            yield _introduction(intro, rng)
        if intro.role == _ROLES[1] and intro.first_direct is not None:
            yield from _followups(intro, rng)
    for spark in sparks:
        subject = phrases.work_subject(rng)
        yield Opening(spark.members, (), subject, spark.when, 2)
        yield Opening((spark.other, spark.members[0]), (), subject, spark.followed, 2)


def org_openings(planted: list[Planted], rng: random.Random) -> Iterator[Opening]:
    """The organisation log's own side: introductions between others, and the outcome
    threads of the introductions the owner made or that others made."""
    for intro in planted:
        if intro.role == _ROLES[2]:
            yield _introduction(intro, rng)
        if intro.role != _ROLES[1] and intro.first_direct is not None:
            yield from _followups(intro, rng)


def _introduction(intro: Planted, rng: random.Random) -> Opening:
    subject = f"Introduction: {intro.a.first} and {intro.b.first}"
    turns = rng.choice((1, 2))
    return Opening((intro.introducer, intro.a, intro.b), (), subject, intro.when, turns)


def _followups(intro: Planted, rng: random.Random) -> Iterator[Opening]:
    """Three or four one-to-one threads of two turns, the first at ``first_direct``."""
    assert intro.first_direct is not None
    first = intro.first_direct
    later = [first + timedelta(days=rng.uniform(3, 70)) for _ in range(rng.choice((2, 3)))]
    times = [first, *later]
    for k, when in enumerate(sorted(times)):
        pair = (intro.b, intro.a) if k % 2 else (intro.a, intro.b)
        yield Opening(pair, (), phrases.work_subject(rng, pair[0].name, pair[1].name), when, 2)
