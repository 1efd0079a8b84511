"""The iceberg: how much private one-to-one contact a group thread or a public post
sparks among its members.

A *group thread* is the opening interaction of a thread addressed to
:data:`GROUP_MIN` to :data:`GROUP_MAX` people (sender included), not public; its
members are those people, and it *sparks* when any two of them have a one-to-one
contact (private, the two alone) within :data:`WINDOW_HOURS` after it. A *public
post* (a public channel's message, a tweet) sparks when its author has a one-to-one
contact with anyone it reached (addressed, or a member of the channel) in that
window. The *baseline* is the same test over the same people for the same hours a
week earlier: the share of those that would have "sparked" anyway.

On the email-Eu stream, group threads of 3 to 10 people spark in 63.3 % of cases
against 43.4 % a week earlier (``bench/intros.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from weakties.insights.stream import Direct, Stream, one_to_one

GROUP_MIN = 3
GROUP_MAX = 10
"""Group threads of 3 to 10 people: larger ones are broadcasts (see
:data:`weakties.insights.intros.MAX_PEOPLE`)."""

WINDOW_HOURS = 24
BASELINE_LAG_DAYS = 7
KINDS = ("group thread", "public post")


@dataclass(frozen=True, slots=True)
class Tip:
    """One group thread or public post and whether it sparked (and a week before)."""

    kind: str
    t: int
    members: int
    sparked: bool
    baseline: bool


@dataclass(frozen=True, slots=True)
class Spark:
    """How often one kind of tip sparked one-to-one contact, against the baseline."""

    kind: str
    tips: int
    sparked: int
    baseline: int

    @property
    def rate(self) -> float | None:
        """The share of tips followed by one-to-one contact within the window."""
        return self.sparked / self.tips if self.tips else None

    @property
    def baseline_rate(self) -> float | None:
        """The same share for the same hours a week earlier."""
        return self.baseline / self.tips if self.tips else None


def tips(stream: Stream, direct: Direct | None = None, person: int | None = None) -> list[Tip]:
    """Every group thread and public post of ``stream`` (only those ``person`` is in,
    when given), with whether it sparked; those less than a week after the stream's
    start or whose window runs past its end are left out (nothing to compare with)."""
    direct = direct or one_to_one(stream)
    if not len(stream):
        return []
    first, last = int(stream.t[0]), int(stream.t[-1])
    window, lag = WINDOW_HOURS * 3600, BASELINE_LAG_DAYS * 86400
    out = []
    for kind, k, pairs in _tips(stream, person):
        t = int(stream.t[k])
        if t - lag < first or t + window > last:
            continue
        sparked = any(direct.any_in(p, t, t + window) for p in pairs)
        before = any(direct.any_in(p, t - lag, t - lag + window) for p in pairs)
        out.append(Tip(kind, t, len(pairs), sparked, before))
    return out


def _tips(stream: Stream, person: int | None) -> Iterator[tuple[str, int, list[tuple[int, int]]]]:
    opens = stream.opens_thread().tolist()
    public, sender = stream.public.tolist(), stream.sender.tolist()
    for k, people in enumerate(stream.people):
        if public[k] and sender[k] >= 0:
            reached = set(people) | set(stream.audience[k])
            if person is not None and person not in reached:
                continue
            author = sender[k]
            pairs = [(min(author, p), max(author, p)) for p in reached if p != author]
            if pairs:
                yield KINDS[1], k, pairs
        elif (
            opens[k]
            and GROUP_MIN <= len(people) <= GROUP_MAX
            and not public[k]
            and (person is None or person in people)
        ):
            yield KINDS[0], k, list(combinations(people, 2))


def summarise(found: list[Tip]) -> list[Spark]:
    """Per kind of tip, how many sparked, and how many did a week before."""
    return [
        Spark(
            kind,
            sum(1 for x in found if x.kind == kind),
            sum(1 for x in found if x.kind == kind and x.sparked),
            sum(1 for x in found if x.kind == kind and x.baseline),
        )
        for kind in KINDS
    ]


def by_month(found: list[Tip]) -> dict[str, tuple[int, int, int]]:
    """Per month (``YYYY-MM``): tips, sparked, sparked a week before."""
    out: dict[str, tuple[int, int, int]] = {}
    for tip in found:
        month = str(np.datetime64(tip.t, "s").astype("datetime64[M]"))
        n, s, b = out.get(month, (0, 0, 0))
        out[month] = (n + 1, s + tip.sparked, b + tip.baseline)
    return dict(sorted(out.items()))
