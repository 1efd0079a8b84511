"""Machine and bulk senders: mailing lists, notification robots, newsletters."""

from __future__ import annotations

import random
from dataclasses import dataclass

from weakties.demo.model import DemoConfig, Person
from weakties.demo.names import FREEMAIL, NameBook, local_part

_PROJECTS = (
    "duckling",
    "graphkit",
    "openledger",
    "tidewave",
    "pathfinder",
    "quiver",
    "lattice",
    "meshwork",
    "saltbox",
    "fieldnote",
    "parsley",
    "cairn",
    "driftnet",
    "lanternfish",
)
_LIST_KINDS = ("users", "dev", "announce")
_POSTER_DOMAINS = (*FREEMAIL, "fastpost.example", "inbox.example")
_NEWS_TOPICS = (
    "Product",
    "Data",
    "Ops",
    "Design",
    "Security",
    "Fintech",
    "Cloud",
    "Growth",
    "Leadership",
    "Remote",
)
_NEWS_FORMATS = ("Weekly", "Digest", "Brief", "Roundup", "Letter")


@dataclass(frozen=True, slots=True)
class MailingList:
    """A discussion list the owner subscribes to, with its regular posters."""

    name: str
    address: str
    list_id: str
    posters: tuple[Person, ...]

    @property
    def label(self) -> str:
        """The Gmail label a filter would file this list under."""
        return f"Lists/{self.address.split('@', 1)[0]}-{self.list_id.split('.')[2]}"


@dataclass(frozen=True, slots=True)
class Service:
    """An automated or bulk sender and how often it writes (per working day)."""

    name: str
    address: str
    kind: str
    rate: float
    subjects: tuple[str, ...]


NOTIFIERS = (
    Service(
        "Tracker",
        "notifications@tracker.example",
        "notification",
        1.6,
        (
            "[NW-{n}] {topic} was updated",
            "[NW-{n}] New comment on {topic}",
            "[NW-{n}] Assigned to you: {topic}",
        ),
    ),
    Service(
        "Northwind CI",
        "no-reply@ci.northwind.example",
        "notification",
        0.8,
        ("Build failed: main #{n}", "Build fixed: main #{n}", "Deploy #{n} finished"),
    ),
    Service(
        "Northwind People",
        "noreply@people.northwind.example",
        "notification",
        0.1,
        (
            "Your payslip is ready",
            "Reminder: complete your review",
            "Time-off request #{n} approved",
        ),
    ),
    Service(
        "Expensely",
        "do-not-reply@expensely.example",
        "notification",
        0.15,
        ("Expense report #{n} approved", "Receipt missing for expense #{n}"),
    ),
    Service(
        "Calendar",
        "calendar-notification@northwind.example",
        "notification",
        0.5,
        ("Reminder: {topic} sync", "Updated invitation: {topic} review"),
    ),
)


def notifiers() -> tuple[Service, ...]:
    """The notification robots; their volume scales, their number does not."""
    return NOTIFIERS


def newsletters(config: DemoConfig) -> tuple[Service, ...]:
    """About four weekly newsletters per unit of scale, sent with Precedence: bulk."""
    combos = [(t, f) for t in _NEWS_TOPICS for f in _NEWS_FORMATS]
    picked = config.rng("newsletters").sample(combos, min(config.count(4), len(combos)))
    return tuple(
        Service(
            f"{topic} {fmt}",
            f"news@{topic.lower()}{fmt.lower()}.example",
            "newsletter",
            0.2,
            (f"{topic} {fmt} #{{n}}: {{topic}}", f"This week in {topic.lower()}"),
        )
        for topic, fmt in picked
    )


def mailing_lists(config: DemoConfig, rng: random.Random, book: NameBook) -> list[MailingList]:
    """About four discussion lists per unit of scale, each with 20-40 posters."""
    combos = [(p, k) for p in _PROJECTS for k in _LIST_KINDS]
    picked = rng.sample(combos, min(config.count(4), len(combos)))
    return [
        MailingList(
            f"{project.capitalize()} {kind}",
            f"{kind}@lists.{project}.example",
            f"{kind}.lists.{project}.example",
            tuple(_poster(rng, book) for _ in range(rng.randrange(20, 41))),
        )
        for project, kind in picked
    ]


def _poster(rng: random.Random, book: NameBook) -> Person:
    name = book.name()
    style = rng.choice(("first.last", "flast", "first"))
    return Person(
        name,
        book.address(local_part(name, style), rng.choice(_POSTER_DOMAINS)),
        "",
        rng.choice((-480, -300, 0, 60, 120, 330, 480)),
    )
