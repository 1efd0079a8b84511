"""Explanations: a tie's main features in a few words.

``explain`` is a pure function of one tie row, e.g. "212 messages over 3 years,
balanced, mostly one-to-one, last 4 days ago", "14 messages, all from Ann Lee, never
answered" or "was close (88 messages in 2000), silent for 9 months".

The stored explanation is neutral: it names the person it speaks of (only the side
most messages came from is ever named, as "from <name>"), whoever reads it. Readers
speak it from a viewer's side with :func:`voiced_sql`: an owner looking at their own
ties reads "you" and "them" in its place.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from weakties.ties.strength import DEFAULT_RULES, Band

BALANCED = 0.5  # balance at or above: "balanced"
LOPSIDED = 0.2  # below: "almost all from ..."; between: "mostly from ..."
ONE_TO_ONE = 0.6  # one-to-one share at or above: "mostly one-to-one"
IN_GROUPS = 0.5  # group share at or above: "mostly in groups"
QUICK_REPLY_H = 24.0  # median reply latency below, with at least 3 replies: mentioned


class TieRow(NamedTuple):
    """The columns of a tie row an explanation reads.

    A typed, immutable tuple rather than a frozen dataclass: explaining every tie
    of a large store builds hundreds of thousands of them, and a tuple is built
    several times faster.
    """

    name_a: str
    name_b: str
    messages_ab: int
    messages_ba: int
    meetings: int
    calls: int
    one_to_one_share: float
    group_share: float
    first_year: int  # of the first contact
    last_year: int  # of the last contact
    duration_days: float
    recency_days: float
    balance: float
    replies_ab: int
    replies_ba: int
    reply_latency_h: float  # median, in hours; NaN when nothing was answered
    base_strength: float
    model_band: str


def rows(table: pa.Table) -> list[TieRow]:
    """The explanation-relevant part of each row of a ties table (a features table
    with ``base_strength`` and ``model_band``)."""
    years = {
        "first_year": pc.year(table.column("first_contact")),
        "last_year": pc.year(table.column("last_contact")),
    }
    columns = [
        (years[name] if name in years else table.column(name))
        .to_numpy(zero_copy_only=False)
        .tolist()
        for name in TieRow._fields
    ]
    return [TieRow._make(values) for values in zip(*columns, strict=True)]


def explain(row: TieRow) -> str:
    """The tie in words, from its strongest evidence."""
    if row.model_band == Band.ONE_WAY:
        return _one_way(row)
    if row.model_band == Band.DORMANT:
        return _dormant(row)
    parts = [f"{_volume(row)} {_span(row.duration_days)}", _balance(row)]
    parts += [p for p in (_mode(row), _replies(row)) if p]
    parts.append(_last(row.recency_days))
    return ", ".join(parts)


def _one_way(row: TieRow) -> str:
    sender = "a" if row.messages_ab >= row.messages_ba else "b"
    return f"{_volume(row)}, all from {_who(row, sender)}, never answered"


def _dormant(row: TieRow) -> str:
    was = "was close" if row.base_strength >= DEFAULT_RULES.strong else "was in touch"
    first, last = row.first_year, row.last_year
    years = f"in {first}" if first == last else f"in {first}–{last}"
    return f"{was} ({_volume(row)} {years}), silent for {_quantity(row.recency_days)}"


def _volume(row: TieRow) -> str:
    written = row.messages_ab + row.messages_ba - row.meetings - row.calls
    counts = [(written, "message"), (row.meetings, "meeting"), (row.calls, "call")]
    items = [_count(n, noun) for n, noun in counts if n > 0]
    if len(items) <= 1:
        return items[0] if items else _count(0, "message")
    return ", ".join(items[:-1]) + " and " + items[-1]


def _balance(row: TieRow) -> str:
    if row.balance >= BALANCED:
        return "balanced"
    side = "a" if row.messages_ab >= row.messages_ba else "b"
    how = "mostly" if row.balance >= LOPSIDED else "almost all"
    return f"{how} from {_who(row, side)}"


def _mode(row: TieRow) -> str:
    if row.one_to_one_share >= ONE_TO_ONE:
        return "mostly one-to-one"
    if row.group_share >= IN_GROUPS:
        return "mostly in groups"
    return ""


def _replies(row: TieRow) -> str:
    latency = row.reply_latency_h
    if row.replies_ab + row.replies_ba < 3 or math.isnan(latency) or latency >= QUICK_REPLY_H:
        return ""
    if latency < 1.0:
        return "replies within the hour"
    return f"replies within {_count(max(1, round(latency)), 'hour')}"


def _who(row: TieRow, side: str) -> str:
    """Name one side of the tie (see :func:`voiced_sql` for "you" and "them")."""
    return row.name_a if side == "a" else row.name_b


def voiced_sql(tie: str, viewer: str, you: str) -> str:
    """SQL for the explanation of the tie aliased ``tie`` as ``viewer`` reads it.

    ``viewer`` is SQL for a person id of the pair, ``you`` SQL for whether that person
    is an owner looking at their own ties. Then the person named (``from <name>``, the
    side the messages mostly came from, as :func:`explain` chose it) becomes "you"
    when it is the viewer and "them" when it is the other; otherwise the neutral text
    stands, naming the person.
    """
    from_a = f"{tie}.messages_ab >= {tie}.messages_ba"
    named = f"CASE WHEN {from_a} THEN {tie}.name_a ELSE {tie}.name_b END"
    side = f"CASE WHEN {from_a} THEN {tie}.person_a ELSE {tie}.person_b END"
    word = f"CASE WHEN {side} = {viewer} THEN 'you' ELSE 'them' END"
    return (
        f"CASE WHEN {you} THEN replace({tie}.explanation, 'from ' || {named}, 'from ' || {word})"
        f" ELSE {tie}.explanation END"
    )


def _span(days: float) -> str:
    return "in one day" if days < 1.0 else f"over {_quantity(days)}"


def _last(days: float) -> str:
    if days < 1.0:
        return "last contact today"
    if days < 2.0:
        return "last contact yesterday"
    return f"last {_quantity(days)} ago"


def _quantity(days: float) -> str:
    """A length of time in the largest unit that reads naturally."""
    if days < 14.0:
        return _count(max(1, int(days)), "day")
    if days < 60.0:
        return _count(round(days / 7.0), "week")
    if days < 730.0:
        return _count(round(days / 30.44), "month")
    return _count(round(days / 365.25), "year")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
