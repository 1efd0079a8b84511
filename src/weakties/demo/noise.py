"""Mail that is not a relationship: lists, robots, newsletters and a blast sender.

These are the messages weakties must recognise and set aside; each carries
the headers real senders of its kind use.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime

from weakties.demo import phrases
from weakties.demo.clock import moment_on, reply_after, spread
from weakties.demo.model import Address, DemoConfig, IdMaker, Mail, Person
from weakties.demo.names import FREEMAIL
from weakties.demo.org import Organisation
from weakties.demo.services import MailingList, Service, newsletters, notifiers

_LIST_SUBJECTS = (
    "How do I configure {x}?",
    "[PATCH] Fix {x}",
    "Release {v} is out",
    "Question about {x}",
    "Proposal: deprecate {x}",
    "Crash when using {x}",
)
_LIST_THINGS = (
    "the exporter",
    "timeouts",
    "the CLI flags",
    "retries",
    "the plugin API",
    "Unicode paths",
    "the scheduler",
    "large files",
    "config reloads",
)
_BLAST_SUBJECTS = (
    "Invitation: Revenue Summit 2026",
    "Last chance to register",
    "Your exclusive pass is waiting",
    "Top 10 trends for next year",
    "Webinar: scaling your pipeline",
)
_ROBOT_BODY = "This message was sent automatically. Please do not reply.\n"


def noise_mail(org: Organisation, config: DemoConfig) -> list[Mail]:
    """All non-personal traffic in the owner's mailbox."""
    rng = config.rng("noise")
    ids = IdMaker(rng, "n")
    mails = [m for ml in org.lists for m in _list_traffic(org, rng, ids, ml)]
    mails += [m for s in notifiers() for m in _robot(org, config, rng, ids, s)]
    mails += [m for s in newsletters(config) for m in _newsletter(org, rng, ids, s)]
    mails += [m for p in blast_senders(org) for m in _blasts(org, rng, ids, p)]
    return mails


def blast_senders(org: Organisation) -> list[Person]:
    """The people who mail hundreds of strangers at once."""
    return [c.members[0] for c in org.companies if c.role == "blast"]


def _list_traffic(
    org: Organisation, rng: random.Random, ids: IdMaker, ml: MailingList
) -> Iterator[Mail]:
    """Two or three threads a week on each list, now and then with the owner in them."""
    count = round(rng.uniform(2.0, 3.0) * org.period.weeks())
    for day in spread(rng, org.period.start, org.period.end, count):
        yield from _list_thread(org, rng, ids, ml, day)


def _list_thread(
    org: Organisation, rng: random.Random, ids: IdMaker, ml: MailingList, day: date
) -> Iterator[Mail]:
    subject = rng.choice(_LIST_SUBJECTS).format(
        x=rng.choice(_LIST_THINGS), v=f"{rng.randrange(1, 5)}.{rng.randrange(20)}"
    )
    poster = rng.choice(ml.posters)
    when = moment_on(rng, day, poster.tz, org.period.start, org.period.end)
    parent: Mail | None = None
    for _ in range(rng.choice((1, 1, 2, 3, 4, 6))):
        mail = _list_mail(rng, ids, ml, poster, org.owner, when, subject, parent)
        yield mail
        parent = mail
        poster = org.owner if rng.random() < 0.02 else rng.choice(ml.posters)
        when = reply_after(rng, when, poster.tz)
        if when > org.period.end:
            return


def _list_mail(
    rng: random.Random,
    ids: IdMaker,
    ml: MailingList,
    poster: Person,
    owner: Person,
    when: datetime,
    subject: str,
    parent: Mail | None,
) -> Mail:
    """One post; the owner's own posts are their Sent copies, without list headers."""
    mine = poster is owner
    headers = () if mine else _list_headers(ml)
    refs = (*parent.references, parent.message_id)[-10:] if parent else ()
    message_id = ids.message_id(when, poster.domain)
    return Mail(
        when=when,
        sender=Address(poster.name, poster.email),
        to=(Address(ml.name, ml.address),),
        cc=(),
        body=phrases.body(rng, "all", poster.first),
        subject=f"Re: {subject}" if parent else subject,
        message_id=message_id,
        thread_id=parent.thread_id if parent else message_id,
        in_reply_to=parent.message_id if parent else "",
        references=refs,
        labels="Sent" if mine else f"Category Forums,{ml.label}",
        extra=headers,
        kind="human" if mine else "list",
    )


def _list_headers(ml: MailingList) -> tuple[tuple[str, str], ...]:
    local, host = ml.address.split("@", 1)
    return (
        ("List-Id", f"{ml.name} <{ml.list_id}>"),
        ("List-Unsubscribe", f"<mailto:{local}-leave@{host}>, <https://{host}/unsubscribe>"),
        ("List-Post", f"<mailto:{ml.address}>"),
        ("List-Archive", f"<https://{host}/archive/{local}>"),
        ("Precedence", "list"),
        ("Sender", f"{local}-bounces@{host}"),
    )


def _robot(
    org: Organisation, config: DemoConfig, rng: random.Random, ids: IdMaker, service: Service
) -> Iterator[Mail]:
    """Notifications, at the service's rate per working day times the scale."""
    count = round(service.rate * org.period.weeks() * 5 * config.scale)
    headers = (("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"))
    for day in spread(rng, org.period.start, org.period.end, count):
        yield _one_off(rng, ids, org, service, day, headers, "Category Updates", "automated")


def _newsletter(
    org: Organisation, rng: random.Random, ids: IdMaker, service: Service
) -> Iterator[Mail]:
    """A weekly issue, with the headers bulk mailers use."""
    domain = service.address.split("@", 1)[1]
    headers = (
        ("Precedence", "bulk"),
        ("List-Unsubscribe", f"<mailto:unsubscribe@{domain}>, <https://{domain}/u/dana>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
    for day in spread(rng, org.period.start, org.period.end, round(org.period.weeks())):
        yield _one_off(rng, ids, org, service, day, headers, "Category Promotions", "bulk")


def _one_off(
    rng: random.Random,
    ids: IdMaker,
    org: Organisation,
    service: Service,
    day: date,
    headers: tuple[tuple[str, str], ...],
    labels: str,
    kind: str,
) -> Mail:
    when = moment_on(rng, day, org.owner.tz, org.period.start, org.period.end)
    subject = rng.choice(service.subjects).format(
        n=rng.randrange(100, 4000), topic=rng.choice(phrases.TOPICS)
    )
    message_id = ids.message_id(when, service.address.split("@", 1)[1])
    return Mail(
        when=when,
        sender=Address(service.name, service.address),
        to=(Address(org.owner.name, org.owner.email),),
        cc=(),
        subject=subject,
        body=_ROBOT_BODY,
        message_id=message_id,
        thread_id=message_id,
        labels=labels,
        extra=headers,
        kind=kind,
    )


def _blasts(org: Organisation, rng: random.Random, ids: IdMaker, sender: Person) -> Iterator[Mail]:
    """Twice a month, to hundreds of addresses in To or hidden in Bcc."""
    strangers = _strangers(rng, 600)
    me = Address(org.owner.name, org.owner.email)
    for day in spread(rng, org.period.start, org.period.end, round(org.period.weeks() / 2.2)):
        when = moment_on(rng, day, sender.tz, org.period.start, org.period.end)
        crowd = [Address("", a) for a in rng.sample(strangers, rng.randrange(200, 400))]
        crowd.insert(rng.randrange(len(crowd)), me)
        message_id = ids.message_id(when, sender.domain)
        yield Mail(
            when=when,
            sender=Address(sender.name, sender.email),
            to=tuple(crowd) if rng.random() < 0.5 else (),
            cc=(),
            subject=rng.choice(_BLAST_SUBJECTS),
            body=phrases.blast_body(rng, sender.first),
            message_id=message_id,
            thread_id=message_id,
            labels="Inbox",
            kind="blast",
        )


def _strangers(rng: random.Random, count: int) -> list[str]:
    """Made-up recipient addresses; the three-digit suffix keeps them apart from people."""
    letters, hosts = "abcdefghijklmnopqrstuvwxyz", (*FREEMAIL, "mail.example")
    found: set[str] = set()
    while len(found) < count:
        local = "".join(rng.choices(letters, k=rng.randrange(4, 9))) + str(rng.randrange(100, 1000))
        found.add(f"{local}@{rng.choice(hosts)}")
    return sorted(found)
