"""The report's month-by-month figures: the network by band, where new connections
came from, and brokerage (constraint, communities and organisations reached).

Each month is judged as the store would have judged it at the month's end: the tie
model runs on the interactions up to then (:func:`weakties.ties.scored_ties`), so a
tie counts as weak, strong or dormant as it was *then*. On the demo organisation
(owner's mailbox and organisation log, 50,000 interactions) one month takes about
0.6 s; the report shows at most :data:`MAX_MONTHS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

import duckdb
import numpy as np
import pyarrow as pa

from weakties import graph
from weakties.insights.intros import MAX_PEOPLE, WARMUP_DAYS, Introduction
from weakties.insights.stream import Stream
from weakties.ties import scored_ties

MAX_MONTHS = 36
ACTIVE_DAYS = 90
"""A tie counts as *active* in a month when its last contact was at most this long
before the month's end: the window of the fading prediction and the outcomes."""

SOURCES = ("introduced", "group thread", "cold")


@dataclass(frozen=True, slots=True)
class Month:
    """One month of the report. ``new_*`` are None within the store's warm-up (a pair
    first seen then may be older than the store)."""

    month: str  # YYYY-MM
    strong: int
    weak: int
    dormant: int
    one_way: int
    new_introduced: int | None
    new_group_thread: int | None
    new_cold: int | None
    constraint: float | None  # the subject's (the organisation's median) Burt constraint
    communities_reached: int
    organisations_reached: int


def month_ends(first: datetime, last: datetime) -> list[datetime]:
    """The end of each month from ``first``'s to ``last``'s (the last one is ``last``
    itself), at most :data:`MAX_MONTHS`, the latest kept."""
    ends, year, month = [], first.year, first.month
    while True:
        nxt = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        if nxt > last:
            ends.append(last)
            break
        ends.append(nxt - timedelta(microseconds=1))
        year, month = nxt.year, nxt.month
    return ends[-MAX_MONTHS:]


@dataclass(frozen=True, slots=True)
class Context:
    """What every month's figures need: whose report, and the current communities and
    organisations of people."""

    subject: int | None  # a person, or None for the whole organisation
    community: dict[int, int]
    organisation: dict[int, str]


def months(
    con: duckdb.DuckDBPyConnection,
    ctx: Context,
    stream: Stream,
    found: Sequence[Introduction],
    ends: Sequence[datetime],
) -> list[Month]:
    """The figures of each month ending at ``ends``."""
    new = _new_connections(stream, found, ctx.subject)
    start = stream.start()
    out = []
    for end in ends:
        everyone = _columns(scored_ties(con, as_of=end, explained=False))
        label = f"{end.year:04d}-{end.month:02d}"
        settled = start is not None and end.timestamp() - start >= (WARMUP_DAYS + 31) * 86400
        counts = new.get(label, {}) if settled else None
        out.append(_month(label, everyone, ctx, counts))
    return out


Columns = dict[str, np.ndarray]


def _columns(ties: pa.Table) -> Columns:
    return {
        "a": ties.column("person_a").to_numpy(),
        "b": ties.column("person_b").to_numpy(),
        "band": np.asarray(ties.column("band").to_pylist(), dtype=object),
        "strength": ties.column("strength").to_numpy(),
        "recency": ties.column("recency_days").to_numpy(),
    }


def _mine(ties: Columns, subject: int | None) -> Columns:
    if subject is None:
        return ties
    keep = (ties["a"] == subject) | (ties["b"] == subject)
    return {k: v[keep] for k, v in ties.items()}


def _month(label: str, everyone: Columns, ctx: Context, new: dict[str, int] | None) -> Month:
    ties = _mine(everyone, ctx.subject)
    bands = ties["band"]
    constraint = _constraint(everyone, ctx.subject)
    communities, organisations = _reach(ties, ctx)
    return Month(
        label,
        int((bands == "strong").sum()),
        int((bands == "weak").sum()),
        int((bands == "dormant").sum()),
        int((bands == "one-way").sum()),
        None if new is None else new.get(SOURCES[0], 0),
        None if new is None else new.get(SOURCES[1], 0),
        None if new is None else new.get(SOURCES[2], 0),
        constraint,
        communities,
        organisations,
    )


def _reach(ties: Columns, ctx: Context) -> tuple[int, int]:
    """The communities and organisations the subject's active ties reach (for the
    organisation: the communities its active ties link to another, and the
    organisations of everyone in an active tie)."""
    active = ties["recency"] <= ACTIVE_DAYS
    a, b = ties["a"][active], ties["b"][active]
    if ctx.subject is None:
        crossing = [
            (ctx.community.get(int(x), -1), ctx.community.get(int(y), -1))
            for x, y in zip(a, b, strict=True)
        ]
        communities = {c for pair in crossing if pair[0] != pair[1] for c in pair if c >= 0}
        people = set(a.tolist()) | set(b.tolist())
    else:
        people = {int(y) if int(x) == ctx.subject else int(x) for x, y in zip(a, b, strict=True)}
        communities = {ctx.community[p] for p in people if p in ctx.community}
    organisations = {ctx.organisation[p] for p in people if p in ctx.organisation}
    return len(communities), len(organisations)


def _constraint(ties: Columns, subject: int | None) -> float | None:
    if ties["a"].size == 0:
        return None
    order = np.lexsort((ties["b"], ties["a"]))
    g = graph.from_ties(ties["a"][order], ties["b"][order], ties["strength"][order])
    values = graph.constraint(g)
    if subject is None:
        finite = values[np.isfinite(values)]
        return float(np.median(finite)) if finite.size else None
    vertex = g.vertices(np.array([subject], dtype=np.int64))[0]
    if vertex < 0 or not np.isfinite(values[vertex]):
        return None
    return float(values[vertex])


def _new_connections(
    stream: Stream, found: Sequence[Introduction], subject: int | None
) -> dict[str, dict[str, int]]:
    """Per month, the pairs (the subject's, or all) first together then, by how they
    met: through a detected introduction, in a group thread, or one-to-one (cold)."""
    introduced = {(i.a, i.b) for i in found}
    seen: set[tuple[int, int]] = set()
    out: dict[str, dict[str, int]] = {}
    meeting = stream.synchronous.tolist()
    for k, (t, people) in enumerate(zip(stream.t.tolist(), stream.people, strict=True)):
        if len(people) < 2 or (len(people) > MAX_PEOPLE and not meeting[k]):
            continue
        if subject is not None and subject not in people:
            continue
        for pair in combinations(people, 2):
            if pair in seen or (subject is not None and subject not in pair):
                continue
            seen.add(pair)
            source = (
                SOURCES[0] if pair in introduced else SOURCES[1] if len(people) > 2 else SOURCES[2]
            )
            label = str(np.datetime64(t, "s").astype("datetime64[M]"))
            counts = out.setdefault(label, {})
            counts[source] = counts.get(source, 0) + 1
    return out
