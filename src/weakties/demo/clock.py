"""When people write: office hours in their own zone, replies after a human delay."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

# Local hours of day and their weights: a working day with a lunch dip and a
# thin evening tail.
_HOURS = (7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22)
_HOUR_WEIGHTS = (1, 5, 9, 10, 9, 5, 7, 9, 9, 8, 6, 3, 2, 2, 1, 1)
# Reply delays in minutes: (low, high, weight).
_DELAYS = ((3, 45, 35), (45, 300, 35), (960, 1800, 22), (2880, 5760, 8))


def local_moment(rng: random.Random, day: date, tz: timezone) -> datetime:
    """A plausible time of writing on ``day`` in zone ``tz``."""
    hour = rng.choices(_HOURS, _HOUR_WEIGHTS)[0]
    clock = time(hour, rng.randrange(60), rng.randrange(60))
    return datetime.combine(day, clock, tz)


def random_day(rng: random.Random, lo: datetime, hi: datetime) -> date:
    """A day between ``lo`` and ``hi``; weekends are mostly moved to a weekday."""
    first, last = lo.date(), hi.date()
    day = first + timedelta(days=rng.randrange((last - first).days + 1))
    if day.weekday() >= 5 and rng.random() < 0.85:
        shifted = day - timedelta(days=day.weekday() - 4)
        day = shifted if shifted >= first else day + timedelta(days=7 - day.weekday())
    return min(day, last)


def moment_between(rng: random.Random, lo: datetime, hi: datetime, tz: timezone) -> datetime:
    """A time of writing between ``lo`` and ``hi``, expressed in zone ``tz``."""
    return moment_on(rng, random_day(rng, lo, hi), tz, lo, hi)


def moment_on(rng: random.Random, day: date, tz: timezone, lo: datetime, hi: datetime) -> datetime:
    """A time of writing on ``day`` in zone ``tz``, kept inside ``[lo, hi]``."""
    moment = local_moment(rng, day, tz)
    if moment > hi:
        moment = (hi - timedelta(minutes=rng.randrange(30, 600))).astimezone(tz)
    if moment < lo:
        moment = (lo + timedelta(minutes=rng.randrange(30, 600))).astimezone(tz)
    return moment


def reply_after(rng: random.Random, previous: datetime, tz: timezone) -> datetime:
    """When a reply to ``previous`` goes out, in the replier's zone ``tz``."""
    low, high, _ = rng.choices(_DELAYS, [d[2] for d in _DELAYS])[0]
    moment = (previous + timedelta(minutes=rng.uniform(low, high))).astimezone(tz)
    if moment.hour < 7 or (moment.hour >= 22 and rng.random() < 0.8):
        next_morning = moment.date() + timedelta(days=1 if moment.hour >= 22 else 0)
        moment = local_moment(rng, next_morning, tz).replace(hour=rng.choice((8, 9, 10)))
    return moment.replace(microsecond=0)


def spread(rng: random.Random, lo: datetime, hi: datetime, count: int) -> list[date]:
    """``count`` sorted days spread at random over ``[lo, hi]``."""
    return sorted(random_day(rng, lo, hi) for _ in range(count))
