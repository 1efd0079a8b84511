"""Value types shared by the demo generator: its configuration, people, mails."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from weakties.errors import InputError

MAX_PEOPLE = 10_000  # the name pools give about 20,000 distinct full names
MAX_COMPANIES = 900  # the company-name pool gives 920 distinct names


@dataclass(frozen=True, slots=True)
class DemoConfig:
    """What to generate. ``scale`` multiplies people and message counts alike.

    The period is ``months`` calendar months ending on ``end``, never today's
    date, so the same config always gives byte-identical files.
    """

    seed: int = 7
    colleagues: int = 300
    companies: int = 20
    months: int = 15
    end: date = date(2026, 10, 31)
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not self.scale > 0:
            raise InputError(f"scale must be positive, got {self.scale}.")
        if not 40 <= self.colleague_count <= MAX_PEOPLE:
            raise InputError(
                f"colleagues x scale must be between 40 and {MAX_PEOPLE}, "
                f"got {self.colleague_count}."
            )
        if not 8 <= self.company_count <= MAX_COMPANIES:
            raise InputError(
                f"companies x scale must be between 8 and {MAX_COMPANIES}, "
                f"got {self.company_count}."
            )
        if self.months < 9:
            raise InputError(
                f"months must be at least 9, got {self.months}.",
                hint="Dormant contacts need a few active months and six silent ones.",
            )

    @property
    def colleague_count(self) -> int:
        """Colleagues of the owner at the owner's company, after scaling."""
        return round(self.colleagues * self.scale)

    @property
    def company_count(self) -> int:
        """Other companies with contacts, after scaling."""
        return round(self.companies * self.scale)

    def count(self, base: float) -> int:
        """``base`` people or sources at scale 1, scaled and never below one."""
        return max(1, round(base * self.scale))

    def rng(self, stream: str) -> random.Random:
        """An independent, reproducible random stream per generation step."""
        return random.Random(f"weakties-demo/{self.seed}/{stream}")


@dataclass(frozen=True, slots=True)
class Period:
    """The covered time span, as aware UTC datetimes."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, config: DemoConfig) -> Period:
        """``config.months`` whole calendar months ending on ``config.end``."""
        index = config.end.year * 12 + config.end.month - config.months
        start = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
        end = datetime(config.end.year, config.end.month, config.end.day, 23, 59, 59, tzinfo=UTC)
        return cls(start, end)

    def weeks(self) -> float:
        """Length in weeks."""
        return (self.end - self.start) / timedelta(weeks=1)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who sends or receives mail.

    ``group`` is the team (colleagues) or company (external contacts) name,
    empty for free-mail contacts; ``tz_minutes`` is the UTC offset the Date
    headers show; ``alias_rate`` is how often mail goes out from an alias.
    """

    name: str
    email: str
    group: str
    tz_minutes: int
    aliases: tuple[str, ...] = ()
    alias_rate: float = 0.2

    @property
    def first(self) -> str:
        """The first name, used in greetings and sign-offs."""
        return self.name.split(" ", 1)[0]

    @property
    def tz(self) -> timezone:
        """The fixed UTC offset this person writes from."""
        return timezone(timedelta(minutes=self.tz_minutes))

    @property
    def domain(self) -> str:
        """The domain of the primary address."""
        return self.email.rsplit("@", 1)[1]


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox as it appears in a header: display name and address."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Mail:
    """One message of the owner's mailbox or of the organisation-wide log.

    ``labels`` empty means "derive from the sender" (Sent or Inbox); ``extra``
    holds list and bulk headers, rendered as given; ``kind`` is "human" for
    people writing to people and names the noise source otherwise.
    """

    when: datetime
    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    body: str
    message_id: str
    thread_id: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    labels: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    kind: str = "human"


class IdMaker:
    """Unique, reproducible Message-IDs: a counter keeps them unique."""

    def __init__(self, rng: random.Random, tag: str = "") -> None:
        self._rng = rng
        self._tag = tag
        self._count = 0

    def message_id(self, when: datetime, domain: str) -> str:
        """A new ``<...@domain>`` identifier for a message sent at ``when``."""
        self._count += 1
        t = when.astimezone(UTC)
        stamp = f"{t.year:04d}{t.month:02d}{t.day:02d}{t.hour:02d}{t.minute:02d}{t.second:02d}"
        return f"<{stamp}.{self._tag}{self._count:05x}.{self._rng.getrandbits(32):08x}@{domain}>"

    def plain(self, prefix: str) -> str:
        """A new identifier without angle brackets, for meetings and calls."""
        self._count += 1
        return f"{prefix}-{self._tag}{self._count:06d}"
