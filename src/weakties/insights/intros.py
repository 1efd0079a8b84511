"""Introductions, detected from headers alone, and what came of them.

**An introduction**: C writes to A and B together when

- both are addressed directly (on the To line: someone copied is kept informed, not
  introduced), in an interaction of at most :data:`MAX_PEOPLE` people that opens a
  thread;
- A and B had never been *together* before: both addressed in one interaction of at
  most :data:`MAX_PEOPLE` people, or both in one meeting or call of any size (they
  saw or heard each other; a calendar's meetings of more than 20 are stored as bulk
  and count for nothing). Being copied together on a long e-mail is not being
  together;
- and they were in different circles: no one but C had been together with both
  (Granovetter's "forbidden triad": two people with a close contact in common usually
  know each other, whatever the store saw of them).

C is the *introducer*. Where the channel does not say who wrote (a meeting, an
``exchange`` log whose first-listed person is no sender), every pair of its people
meeting there is a candidate, and the introducer is the other member who had been
together with both most often (or no one, when none had). Where the sender is A or
B, it is not an introduction: A wrote to B and copied C.

**Its outcome** is read from later one-to-one contact between A and B (private, the
two of them alone): the first such contact, and whether both had written to the
other (or taken part together in a call or meeting) within :data:`OUTCOME_DAYS`: a
*tie formed*. An introduction younger than that with no tie yet is *too early to tell*.

A pair first seen together in the store's first :data:`WARMUP_DAYS` may well have
known each other before the store began to look: such pairs are not introductions.

Small threads count more than large ones: each introduction weighs
``1 / (people - 2)`` (1 for three people, 0.5 for four, 0.125 for ten). On the
email-Eu stream the share of introductions that led to one-to-one contact within
90 days falls the same way with the thread's size: 30.6 % for three people, 15.3 %
for four or five, 8.4 % for six to ten and 4.4 % above ten (``bench/intros.py``),
that is 1, 0.50, 0.27 and 0.14 times the three-person rate.

**The base rate**: for each introduction, :data:`NULL_DRAWS` people drawn at random
from those who took part in the store's interactions of the 30 days before it
(drawn as a co-addressee would be: the busier, the likelier) who had never been
together with A; the share of these chance pairs that formed a tie in the same
:data:`OUTCOME_DAYS` is what an introduction is measured against.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from weakties.insights.stream import Direct, Stream, one_to_one

MAX_SHARED = 0
"""At most this many people, the introducer aside, may have been together with both."""

MAX_PEOPLE = 10
"""Interactions of more people are broadcasts: being copied together on one is no
tie, and no introduction (on email-Eu, 4.4 % of pairs first met in larger ones spoke
one-to-one within 90 days, against 30.6 % after a three-person thread)."""

WARMUP_DAYS = 90
"""Pairs first seen together this soon after the store's first interaction are not
taken for introductions: the store had not yet seen their past."""

OUTCOME_DAYS = 90
"""A tie formed within this many days of the introduction is its outcome."""

NULL_DRAWS = 5
NULL_WINDOW_DAYS = 30
_DAY = 86400

OUTCOMES = ("tie formed", "one-way", "no direct contact", "too early to tell")


@dataclass(frozen=True, slots=True)
class Introduction:
    """One detected introduction and its outcome; times in Unix seconds."""

    interaction_id: int
    at: int
    introducer: int  # -1: not known (no one in the thread had been in touch with both)
    a: int
    b: int
    people: int  # in the introducing interaction
    shared: int  # people both had been together with before, the introducer aside
    first_direct: int | None  # first one-to-one contact of A and B after it
    formed_at: int | None  # when both had written (or met) one-to-one, if they did
    end: int  # the end of what the store has seen

    @property
    def weight(self) -> float:
        """How much the thread says it was an introduction: 1 / (people - 2)."""
        return 1.0 / (self.people - 2)

    @property
    def formed(self) -> bool:
        """A two-way one-to-one exchange within :data:`OUTCOME_DAYS`."""
        return self.formed_at is not None and self.formed_at - self.at <= OUTCOME_DAYS * _DAY

    @property
    def judged(self) -> bool:
        """Whether :data:`OUTCOME_DAYS` have passed since, so that the outcome is known
        (rates count these only, as the base rate does)."""
        return self.end - self.at >= OUTCOME_DAYS * _DAY

    @property
    def outcome(self) -> str:
        """One of :data:`OUTCOMES`."""
        if self.formed:
            return OUTCOMES[0]
        if not self.judged:
            return OUTCOMES[3]
        in_time = self.first_direct is not None and self.first_direct - self.at <= (
            OUTCOME_DAYS * _DAY
        )
        return OUTCOMES[1] if in_time else OUTCOMES[2]


@dataclass(slots=True)
class _Past:
    """What the pass over the stream knows of the time before the current interaction."""

    together: dict[tuple[int, int], int] = field(default_factory=dict)  # pair -> first time
    counts: dict[tuple[int, int], int] = field(default_factory=dict)  # pair -> interactions
    near: dict[int, set[int]] = field(default_factory=dict)  # person -> those together with


def detect(stream: Stream, direct: Direct | None = None) -> list[Introduction]:
    """Every introduction in ``stream`` (see the module's docstring), in time order."""
    start = stream.start()
    if start is None:
        return []
    direct = direct or one_to_one(stream)
    end = int(stream.t[-1])
    past, found = _Past(), []
    times, senders = stream.t.tolist(), stream.sender.tolist()
    ids, meeting = stream.interaction_id.tolist(), stream.synchronous.tolist()
    opens = stream.opens_thread().tolist()
    for k, people in enumerate(stream.people):
        small = len(people) <= MAX_PEOPLE
        if len(people) < 2 or not (small or meeting[k]):
            continue
        t = times[k]
        if small and opens[k] and len(people) >= 3 and t - start >= WARMUP_DAYS * _DAY:
            for introducer, a, b in _candidates(people, senders[k], stream.copied[k], past):
                first, formed = _outcome(direct, (a, b), t)
                shared = _shared(past, a, b, introducer)
                if shared > MAX_SHARED:
                    continue
                found.append(
                    Introduction(
                        ids[k], t, introducer, a, b, len(people), shared, first, formed, end
                    )
                )
        _remember(past, people, t)
    return found


def _candidates(
    people: tuple[int, ...], sender: int, copied: tuple[int, ...], past: _Past
) -> Iterator[tuple[int, int, int]]:
    """(introducer, a, b) for each pair of ``people`` addressed directly (not copied)
    and meeting for the first time."""
    if sender >= 0 and sender not in people:
        return
    others = [p for p in people if p != sender and p not in copied]
    for a, b in combinations(others, 2):
        if (a, b) in past.together:
            continue
        yield (sender if sender >= 0 else _best_third(people, a, b, past)), a, b


def _best_third(people: tuple[int, ...], a: int, b: int, past: _Past) -> int:
    """The member other than ``a`` and ``b`` most often together with both before."""
    best, score = -1, 0
    for c in people:
        if c in (a, b):
            continue
        known = min(past.counts.get(_pair(a, c), 0), past.counts.get(_pair(b, c), 0))
        if known > score:
            best, score = c, known
    return best


def _remember(past: _Past, people: tuple[int, ...], t: int) -> None:
    for pair in combinations(people, 2):
        if pair not in past.together:
            past.together[pair] = t
            past.near.setdefault(pair[0], set()).add(pair[1])
            past.near.setdefault(pair[1], set()).add(pair[0])
        past.counts[pair] = past.counts.get(pair, 0) + 1


def _shared(past: _Past, a: int, b: int, introducer: int) -> int:
    """How many people ``a`` and ``b`` had both been together with, ``introducer`` aside."""
    near_a, near_b = past.near.get(a, set()), past.near.get(b, set())
    if len(near_b) < len(near_a):
        near_a, near_b = near_b, near_a
    return sum(1 for p in near_a if p in near_b and p != introducer)


def _pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


def _outcome(direct: Direct, pair: tuple[int, int], t: int) -> tuple[int | None, int | None]:
    """The first one-to-one contact of ``pair`` after ``t``, and when both had written."""
    first, forward, backward = None, False, False
    for when, ab, ba in direct.after(pair, t, 2**62):
        first = when if first is None else first
        forward, backward = forward or ab, backward or ba
        if forward and backward:
            return first, when
    return first, None


@dataclass(frozen=True, slots=True)
class Rate:
    """How often a set of introductions (or of chance pairs) led to a tie."""

    judged: int
    formed: int

    @property
    def share(self) -> float | None:
        """The share formed, or None when nothing could be judged."""
        return self.formed / self.judged if self.judged else None


def rate(found: Iterable[Introduction]) -> Rate:
    """The share of the judged introductions that formed a tie in time."""
    judged = [i for i in found if i.judged]
    return Rate(len(judged), sum(i.formed for i in judged))


def base_rate(
    stream: Stream, found: Iterable[Introduction], direct: Direct | None = None, seed: int = 0
) -> Rate:
    """The tie-forming rate of chance pairs matched to ``found`` (module docstring):
    the first of each introduction's two people with :data:`NULL_DRAWS` people drawn
    from the traffic of the month before. Seeded: the same store gives the same rate."""
    direct = direct or one_to_one(stream)
    rng = random.Random(seed)
    together = _first_together(stream)
    judged = formed = 0
    for intro in found:
        if not intro.judged:
            continue
        for other in _draws(stream, intro, rng):
            pair = _pair(intro.a, other)
            if together.get(pair, intro.at + 1) <= intro.at:
                continue
            judged += 1
            _, when = _outcome(direct, pair, intro.at)
            formed += when is not None and when - intro.at <= OUTCOME_DAYS * _DAY
    return Rate(judged, formed)


def _draws(stream: Stream, intro: Introduction, rng: random.Random) -> list[int]:
    lo = int(np.searchsorted(stream.t, intro.at - NULL_WINDOW_DAYS * _DAY, side="left"))
    hi = int(np.searchsorted(stream.t, intro.at, side="left"))
    if hi <= lo:
        return []
    out = []
    for _ in range(NULL_DRAWS):
        people = stream.people[rng.randrange(lo, hi)]
        if people:
            pick = people[rng.randrange(len(people))]
            if pick not in (intro.a, intro.b):
                out.append(pick)
    return out


def _first_together(stream: Stream) -> dict[tuple[int, int], int]:
    together: dict[tuple[int, int], int] = {}
    meeting = stream.synchronous.tolist()
    for k, (t, people) in enumerate(zip(stream.t.tolist(), stream.people, strict=True)):
        if len(people) >= 2 and (len(people) <= MAX_PEOPLE or meeting[k]):
            for pair in combinations(people, 2):
                together.setdefault(pair, t)
    return together
