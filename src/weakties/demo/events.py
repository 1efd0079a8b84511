"""The organisation-wide interaction log: everyone's mail, meetings and calls.

Where the mbox is one person's view, this log sees every colleague's
traffic (teams mailing within themselves, liaisons across teams, account
managers with their customers) for analysis of the whole organisation.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from weakties.demo import intros
from weakties.demo.act import org_openings
from weakties.demo.clock import moment_on, spread
from weakties.demo.model import DemoConfig, IdMaker, Mail, Person
from weakties.demo.org import Organisation
from weakties.demo.threads import Opening, Writer

COLUMNS = (
    "timestamp",
    "channel",
    "sender",
    "recipients",
    "duration_s",
    "thread_id",
    "interaction_id",
)


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the log; ``duration_s`` is set for meetings and calls."""

    when: datetime
    channel: str
    sender: str
    recipients: tuple[str, ...]
    duration_s: int | None
    thread_id: str
    interaction_id: str


def write_events(
    path: Path, config: DemoConfig, org: Organisation, owner_mails: Sequence[Mail]
) -> int:
    """Write the log as CSV in time order; return the number of rows."""
    events = [*map(from_mail, owner_mails), *org_events(org, config)]
    # Sorting on float timestamps: comparing aware datetimes across zones is ~10x slower.
    events.sort(key=lambda e: (e.when.timestamp(), e.interaction_id))
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(COLUMNS)
        out.writerows(_row(e) for e in events)
    return len(events)


def from_mail(mail: Mail) -> Event:
    """A mail as a log row; recipients are To then Cc."""
    recipients = tuple(a.email for a in (*mail.to, *mail.cc))
    return Event(
        mail.when, "email", mail.sender.email, recipients, None, mail.thread_id, mail.message_id
    )


def org_events(org: Organisation, config: DemoConfig) -> list[Event]:
    """Everything but the owner's own mail: other people's mail, meetings, calls."""
    rng = config.rng("events")
    ids = IdMaker(rng, "e")
    writer = Writer(rng, ids, org.period.end)
    openings = [*_team_mail(org, writer), *_liaison_mail(org, writer), *_account_mail(org, writer)]
    events = [from_mail(m) for o in openings for m in writer.thread(o)]
    events += _meetings(org, rng, ids)
    events += _calls(org, rng, ids)
    acting = org_openings(org.planted, writer, org.period.start, org.period.end)
    events += [from_mail(m) for o in acting for m in writer.thread(o)]
    planted, _ = intros.plan(org, config)
    threads = intros.org_openings(planted, config.rng("intro-threads-org"))
    events += [from_mail(m) for o in threads for m in writer.thread(o)]
    return events


def _row(event: Event) -> list[str]:
    duration = "" if event.duration_s is None else str(event.duration_s)
    return [
        event.when.isoformat(),
        event.channel,
        event.sender,
        ";".join(event.recipients),
        duration,
        event.thread_id,
        event.interaction_id,
    ]


def _team_mail(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Colleagues mailing teammates: mostly a few regular partners, sometimes a group."""
    for team in org.teams:
        members = [p for p in team.members if p is not org.owner]
        for person in members:
            others = [p for p in members if p is not person]
            partners = w.rng.sample(others, min(3, len(others)))
            for when in _moments(org, w.rng, person, w.rng.uniform(0.5, 1.2)):
                group = (
                    [w.rng.choice(partners)]
                    if w.rng.random() < 0.7
                    else w.rng.sample(others, min(len(others), w.rng.randrange(2, 5)))
                )
                yield from _opening(org, w.rng, person, group, when)


def _liaison_mail(org: Organisation, w: Writer) -> Iterator[Opening]:
    """The cross-team links: occasional threads between two teams' liaisons."""
    for a, b in org.liaisons:
        for when in _moments(org, w.rng, a, w.rng.uniform(0.3, 0.7)):
            yield from _opening(org, w.rng, a, [b], when)


def _account_mail(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Account managers and the contacts at the companies they look after."""
    for company, manager in org.account_managers:
        for when in _moments(org, w.rng, manager, w.rng.uniform(0.5, 1.0)):
            yield from _opening(org, w.rng, manager, [w.rng.choice(company.members)], when)


def _opening(
    org: Organisation, rng: random.Random, sender: Person, others: list[Person], when: datetime
) -> Iterator[Opening]:
    """A thread from ``sender`` to those of ``others`` still around at ``when``."""
    present = [p for p in others if org.active(p, when)]
    if present:
        yield Opening((sender, *present), (), "", when, rng.choice((1, 2, 2, 3)))


def _moments(
    org: Organisation, rng: random.Random, person: Person, per_week: float
) -> list[datetime]:
    """Times ``person`` starts something, at ``per_week`` over their active span."""
    until = org.left.get(person.email, org.period.end + timedelta(days=7)) - timedelta(days=7)
    count = round(per_week * (until - org.period.start) / timedelta(weeks=1))
    return [
        moment_on(rng, day, person.tz, org.period.start, until)
        for day in spread(rng, org.period.start, until, count)
    ]


def _meetings(org: Organisation, rng: random.Random, ids: IdMaker) -> list[Event]:
    """Weekly team meetings, monthly one-to-ones with the lead, monthly liaison calls,
    and the owner's fortnightly one-to-ones with close colleagues."""
    events: list[Event] = []
    for team in org.teams:
        lead = org.close[0] if team.name == org.owner.group else team.members[0]
        events += _series(org, rng, ids, lead, [p for p in team.members if p is not lead], 7)
        for member in team.members:
            if member is not lead:
                events += _series(org, rng, ids, lead, [member], 30)
    for a, b in org.liaisons:
        events += _series(org, rng, ids, a, [b], 30)
    for person in org.close:
        if person.domain == org.owner.domain:
            events += _series(org, rng, ids, org.owner, [person], 14)
    return events


def _series(
    org: Organisation,
    rng: random.Random,
    ids: IdMaker,
    organiser: Person,
    invited: Sequence[Person],
    every_days: int,
) -> list[Event]:
    """A recurring meeting, skipped now and then, with whoever is still around."""
    series, events = ids.plain("series"), []
    day = org.period.start.date() + timedelta(days=rng.randrange(every_days))
    if every_days % 7 == 0 and day.weekday() >= 5:  # else every one would fall on a weekend
        day += timedelta(days=7 - day.weekday())
    while day <= org.period.end.date() - timedelta(days=1):
        if day.weekday() < 5 and rng.random() > 0.12:
            when = _slot(rng, day, organiser)
            people = tuple(p.email for p in invited if org.active(p, when))
            if people and org.active(organiser, when):
                length = rng.choice((900, 1800, 1800, 2700, 3600))
                events.append(
                    Event(
                        when, "meeting", organiser.email, people, length, series, ids.plain("mtg")
                    )
                )
        day += timedelta(days=every_days)
    return events


def _slot(rng: random.Random, day: date, organiser: Person) -> datetime:
    return datetime.combine(day, time(rng.randrange(9, 17), rng.choice((0, 30))), organiser.tz)


def _calls(org: Organisation, rng: random.Random, ids: IdMaker) -> list[Event]:
    """Phone and video calls: teammates, account managers, the owner's close circle."""
    pairs: list[tuple[Person, list[Person], float]] = [
        (p, [q for q in t.members if q is not p], rng.uniform(0.1, 0.3))
        for t in org.teams
        for p in t.members
        if p is not org.owner
    ]
    pairs += [(m, list(c.members), 0.15) for c, m in org.account_managers]
    pairs += [(org.owner, [p], 0.3) for p in org.close]
    pairs += [(org.owner, [t.person], 0.04) for t in org.bridges]
    events = []
    for caller, callees, per_week in pairs:
        for when in _moments(org, rng, caller, per_week):
            callee = rng.choice(callees)
            if org.active(callee, when):
                length = min(5400, max(20, round(rng.lognormvariate(6.0, 0.9))))
                call = ids.plain("call")
                events.append(
                    Event(when, "call", caller.email, (callee.email,), length, call, call)
                )
    return events
