"""The owner's person-to-person mail, one function per planted relation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from weakties.demo import phrases
from weakties.demo.act import owner_openings
from weakties.demo.clock import moment_on, spread
from weakties.demo.model import Mail, Person
from weakties.demo.org import Organisation
from weakties.demo.threads import Opening, Writer


def owner_mail(org: Organisation, writer: Writer) -> list[Mail]:
    """Every human thread the owner sends, receives or is copied on."""
    parts = (
        _close, _regular, _bridges, _dormant, _one_way, _friends, _team_wide, _all_hands,
        _planted,
    )  # fmt: skip
    return [
        mail for part in parts for opening in part(org, writer) for mail in writer.thread(opening)
    ]


def _close(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Close collaborators: about one thread a week, two-way, mostly one-to-one."""
    pool = org.cc_pool()
    for person in org.close:
        count = round(w.rng.uniform(0.6, 1.4) * org.period.weeks())
        for day in _days(org, w, count):
            pair = _pair(w, org.owner, person)
            copied = [w.rng.choice(pool)] if w.rng.random() < 0.2 else []
            cc = tuple(c for c in copied if c is not person)
            yield Opening(
                pair,
                cc,
                _subject(w, pair),
                _at(w, org, day, pair[0]),
                w.rng.choice((1, 2, 2, 3, 3, 4, 5)),
                pool,
            )


def _regular(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Everyday colleagues and partners: a few threads each over the period."""
    pool = org.cc_pool()
    for person in org.regular:
        for day in _days(org, w, w.rng.randrange(2, 9)):
            pair = _pair(w, org.owner, person)
            yield Opening(
                pair,
                (),
                _subject(w, pair),
                _at(w, org, day, pair[0]),
                w.rng.choice((1, 2, 2, 3)),
                pool,
            )


def _bridges(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Weak ties: occasional two-way threads, sometimes copying the bridge's own
    colleagues, and threads inside the bridge's cluster that copy the owner."""
    for tie in org.bridges:
        mates = _mates(org, tie.person)
        for day in _days(org, w, w.rng.randrange(5, 11)):
            pair = _pair(w, org.owner, tie.person)
            cc = tuple(w.rng.sample(mates, min(2, len(mates)))) if w.rng.random() < 0.3 else ()
            yield Opening(
                pair, cc, _subject(w, pair), _at(w, org, day, pair[0]), w.rng.choice((2, 2, 3, 4))
            )
        for day in _days(org, w, w.rng.randrange(1, 4)):
            inside = (tie.person, *w.rng.sample(mates, min(2, len(mates))))
            yield Opening(
                inside,
                (org.owner,),
                phrases.work_subject(w.rng),
                _at(w, org, day, tie.person),
                w.rng.choice((1, 2, 3)),
            )


def _dormant(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Former colleagues and contacts: intense early on, silent afterwards."""
    for person in org.dormant:
        left = org.left[person.email]
        count = round(w.rng.uniform(1.5, 3.0) * (left - org.period.start) / timedelta(weeks=1))
        for day in spread(w.rng, org.period.start, left - timedelta(days=7), count):
            pair = _pair(w, org.owner, person)
            yield Opening(
                pair, (), _subject(w, pair), _at(w, org, day, pair[0]), w.rng.choice((2, 2, 3, 4))
            )


def _one_way(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Recruiters and vendors: single messages that are never answered."""
    for tie in org.one_way:
        for day in _days(org, w, w.rng.randrange(3, 13)):
            subject = w.rng.choice(_PITCHES[tie.kind]).format(company=tie.target or "a client")
            yield Opening((tie.person, org.owner), (), subject, _at(w, org, day, tie.person), 1)


_PITCHES = {
    "recruiter": (
        "Opportunity at {company}",
        "Quick chat about a product role?",
        "Following up on my last note",
        "Exciting leadership role",
    ),
    "vendor": (
        "{company} x Northwind",
        "15 minutes next week?",
        "Following up",
        "Case study you might like",
        "Your trial of {company}",
    ),
}


def _friends(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Friends on free-mail, mostly answered from the owner's personal address."""
    for friend in org.friends:
        for day in _days(org, w, w.rng.randrange(3, 10)):
            me = org.personal if w.rng.random() < 0.7 else org.owner
            pair = _pair(w, me, friend)
            yield Opening(
                pair,
                (),
                phrases.personal_subject(w.rng),
                _at(w, org, day, pair[0]),
                w.rng.choice((1, 2, 3)),
            )


def _team_wide(org: Organisation, w: Writer) -> Iterator[Opening]:
    """Weekly mail to the owner's whole team, sometimes with replies to all."""
    team = org.team(org.owner.group).members
    lead = org.close[0]
    for day in _days(org, w, round(org.period.weeks())):
        sender = org.owner if w.rng.random() < 0.3 else lead
        when = _at(w, org, day, sender)
        rest = tuple(p for p in team if p is not sender and org.active(p, when))
        yield Opening(
            (sender, *rest),
            (),
            f"[{org.owner.group}] " + phrases.work_subject(w.rng),
            when,
            w.rng.choice((1, 1, 2, 3)),
        )


def _all_hands(org: Organisation, w: Writer) -> Iterator[Opening]:
    """A monthly all-hands from the CEO to about two thirds of the company."""
    everyone = [p for t in org.teams for p in t.members if p is not org.ceo]
    months = round(org.period.weeks() / 4.35)
    for day in _days(org, w, months):
        when = _at(w, org, day, org.ceo)
        active = [p for p in everyone if p is not org.owner and org.active(p, when)]
        crowd = w.rng.sample(active, round(len(everyone) * 2 / 3))
        yield Opening(
            (org.ceo, org.owner, *crowd), (), "All-hands: " + w.rng.choice(_ALL_HANDS), when, 1
        )


_ALL_HANDS = (
    "quarterly results",
    "welcome our new joiners",
    "office move",
    "roadmap for next year",
    "benefits update",
    "thank you for a great quarter",
)


def _planted(org: Organisation, w: Writer) -> Iterator[Opening]:
    """The threads planted for the act questions (see :mod:`weakties.demo.act`)."""
    return owner_openings(org.owner, org.planted, w, org.period.start, org.period.end)


def _days(org: Organisation, w: Writer, count: int) -> list[date]:
    """``count`` days spread over the whole period."""
    return spread(w.rng, org.period.start, org.period.end, count)


def _at(w: Writer, org: Organisation, day: date, sender: Person) -> datetime:
    """A time of writing for ``sender`` on ``day``, inside the period."""
    return moment_on(w.rng, day, sender.tz, org.period.start, org.period.end)


def _pair(w: Writer, owner: Person, other: Person) -> tuple[Person, Person]:
    """The two parties of a one-to-one thread, opener first (either side)."""
    return (owner, other) if w.rng.random() < 0.5 else (other, owner)


def _subject(w: Writer, pair: tuple[Person, Person]) -> str:
    return phrases.work_subject(w.rng, pair[0].name, pair[1].name)


def _mates(org: Organisation, person: Person) -> list[Person]:
    """The people in ``person``'s own team or company."""
    groups = [t.members for t in org.teams] + [c.members for c in org.companies]
    members = next(g for g in groups if any(p is person for p in g))
    return [p for p in members if p is not person]
