"""The tie features of ``weakties.ties.features``, computed without SQL: the baseline.

This is how a tool built on networkx gets its tie graph: read the interactions and
their participants, walk them in Python and add up each pair's attributes, then
score each tie. It follows the definitions of the features query line by line
(which contacts count, cc at half weight over the number of recipients, active
days and weeks, the end of each source's observation, replies and their median
latency), so that ``bench/analyze.py`` can time the same computation both ways and
``tests/test_tie_features_reference.py`` can check the query against it.

Only the aggregation is done here; rows are read from the store with a plain
filtered join, as any tool reading a database would.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from weakties.channels import semantics

_RANK = {"from": 0, "organizer": 0, "to": 1, "attendee": 1, "cc": 2, "bcc": 3}
CC_FACTOR = 0.5
GROUP_MIN_RECIPIENTS = 5
DAY = 86400
PERIODS, MIN_PERIOD_S, MAX_PERIOD_S = (
    12,
    3600,
    2629746,
)  # periods: the span in 12, an hour to a month

_ROWS = """
SELECT i.interaction_id, i.channel, CAST(floor(epoch(i.ts)) AS BIGINT) AS t, i.ts,
       i.duration_s, d.person_id, pt.role, d.automated
FROM participants pt
JOIN identities d ON d.address = pt.address
JOIN interactions i ON i.interaction_id = pt.interaction_id
WHERE NOT i.automated AND NOT i.bulk AND i.ts IS NOT NULL
  AND (i.date_flag IS NULL OR i.date_flag <> 'implausible')
  AND floor(epoch(i.ts)) <= ?
ORDER BY i.interaction_id
"""
_MESSAGES = """
SELECT interaction_id, CAST(floor(epoch(ts)) AS BIGINT), message_id, in_reply_to,
       bulk AND list_id IS NOT NULL AS posted, ts
FROM interactions
WHERE NOT automated AND (NOT bulk OR list_id IS NOT NULL) AND ts IS NOT NULL
  AND (date_flag IS NULL OR date_flag <> 'implausible') AND floor(epoch(ts)) <= ?
"""
_POST_ROWS = """
SELECT pt.interaction_id, d.person_id, pt.role, d.automated
FROM participants pt
JOIN identities d ON d.address = pt.address
JOIN interactions i ON i.interaction_id = pt.interaction_id
WHERE NOT i.automated AND i.bulk AND i.list_id IS NOT NULL AND i.ts IS NOT NULL
  AND (i.date_flag IS NULL OR i.date_flag <> 'implausible') AND floor(epoch(i.ts)) <= ?
"""
_ITEMS = "SELECT source_id, interaction_id FROM items WHERE interaction_id IS NOT NULL"


class _Pair:
    """Running sums of one unordered pair (a < b); ``_ab`` runs from a to b."""

    __slots__ = (
        "call_s", "calls", "channels", "days", "first", "first_t", "in_groups", "last",
        "last_t", "meeting_s", "meetings", "messages_ab", "messages_ba", "one_to_one", "periods",
        "sync", "took_part", "undirected", "undirected_ab", "undirected_ba", "until_t",
        "watched", "weeks", "weighted_ab", "weighted_ba", "weighted_seconds",
    )  # fmt: skip

    def __init__(self, ts: datetime, t: int) -> None:
        self.messages_ab = self.messages_ba = self.one_to_one = self.in_groups = 0
        self.meetings = self.calls = self.sync = self.took_part = 0
        self.undirected = self.undirected_ab = self.undirected_ba = self.watched = 0
        self.weighted_ab = self.weighted_ba = self.weighted_seconds = 0.0
        self.meeting_s = self.call_s = 0.0
        self.days: set[int] = set()
        self.weeks: set[int] = set()
        self.periods: set[int] = set()
        self.channels: set[str] = set()
        self.first, self.last, self.first_t, self.last_t = ts, ts, t, t
        self.until_t: int | None = None


def _observed(con: duckdb.DuckDBPyConnection, times: dict[int, int]) -> dict[int, int]:
    """Each live interaction's end of observation: the latest end of its sources."""
    items = con.execute(_ITEMS).fetchall()
    end: dict[int, int] = {}
    for source, iid in items:
        t = times.get(iid)
        if t is not None and t > end.get(source, -(1 << 62)):
            end[source] = t
    until: dict[int, int] = {}
    for source, iid in items:
        if iid in times and source in end and end[source] > until.get(iid, -(1 << 62)):
            until[iid] = end[source]
    return until


def _contacts(
    rows: list[tuple[Any, ...]], until: dict[int, int], first_t: int, period_s: float
) -> tuple[dict[tuple[int, int], _Pair], dict[int, list[int]]]:
    """Add up every pair's contacts; also each interaction's (human) senders."""
    pairs: dict[tuple[int, int], _Pair] = {}
    senders_of: dict[int, list[int]] = {}
    start = 0
    while start < len(rows):
        iid = rows[start][0]
        stop = start
        who: dict[int, list[int]] = {}  # person -> [best role rank, automated]
        while stop < len(rows) and rows[stop][0] == iid:
            _, _, _, _, _, person, role, automated = rows[stop]
            rank = _RANK.get(role, 9)
            seen = who.get(person)
            if seen is None:
                who[person] = [rank, int(automated)]
            else:
                seen[0], seen[1] = min(seen[0], rank), max(seen[1], int(automated))
            stop += 1
        _, channel, t, ts, duration, *_ = rows[start]
        start = stop
        senders = [p for p, (rank, auto) in who.items() if rank == 0 and not auto]
        senders_of[iid] = senders
        recipients = [(p, rank, auto) for p, (rank, auto) in who.items() if 1 <= rank <= 3]
        n = len(recipients)
        dur = duration or 0.0
        kind = semantics(channel)
        happened = duration is None or duration > 0  # a missed call lasts 0 s
        sync = int(kind.synchronous and happened)
        took_part = int(kind.mutual and happened)
        undirected = int(not kind.initiated)
        for s in senders:
            for r, rank, auto in recipients:
                if auto:
                    continue
                w = (1.0 if rank == 1 else CC_FACTOR) / n
                key = (s, r) if s < r else (r, s)
                pair = pairs.get(key)
                if pair is None:
                    pair = pairs[key] = _Pair(ts, t)
                forward = s < r
                if forward:
                    pair.messages_ab += 1
                    pair.weighted_ab += w
                    pair.undirected_ab += undirected
                else:
                    pair.messages_ba += 1
                    pair.weighted_ba += w
                    pair.undirected_ba += undirected
                pair.weighted_seconds += w * dur
                pair.one_to_one += n == 1
                pair.in_groups += n >= GROUP_MIN_RECIPIENTS
                pair.days.add(t // DAY)
                pair.weeks.add((t // DAY + 3) // 7)
                pair.periods.add(max(math.floor((t - first_t) / period_s), 0))
                if t < pair.first_t:
                    pair.first, pair.first_t = ts, t
                if t > pair.last_t:
                    pair.last, pair.last_t = ts, t
                u = until.get(iid)
                if u is not None and (pair.until_t is None or u > pair.until_t):
                    pair.until_t = u
                if channel == "meeting":
                    pair.meetings += 1
                    pair.meeting_s += dur
                elif channel == "call":
                    pair.calls += 1
                    pair.call_s += dur
                pair.channels.add(channel)
                pair.sync += sync
                pair.took_part += took_part
                pair.undirected += undirected
                pair.watched += kind.watched
    return pairs, senders_of


def _replies(
    messages: list[tuple[Any, ...]], senders_of: dict[int, list[int]]
) -> dict[tuple[int, int], tuple[int, int, float]]:
    """Per pair: replies a->b, replies b->a and the median reply latency in hours."""
    by_id: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for iid, t, message_id, *_ in messages:
        if message_id is not None:
            by_id[message_id].append((iid, t))
    counts: dict[tuple[int, int], list[Any]] = {}
    for iid, t, _, in_reply_to, *_ in messages:
        if in_reply_to is None or in_reply_to not in by_id:
            continue
        latency: dict[tuple[int, int], int] = {}
        for original, t0 in by_id[in_reply_to]:
            for replier in senders_of.get(iid, ()):
                for sender in senders_of.get(original, ()):
                    if replier != sender:
                        k = (replier, sender)
                        latency[k] = max(latency.get(k, t - t0), t - t0)
        for (replier, sender), seconds in latency.items():
            key = (min(replier, sender), max(replier, sender))
            entry = counts.setdefault(key, [0, 0, []])
            entry[0 if replier < sender else 1] += 1
            if seconds >= 0:
                entry[2].append(seconds / 3600)
    return {
        k: (ab, ba, statistics.median(h) if h else float("nan"))
        for k, (ab, ba, h) in counts.items()
    }


def _post_senders(rows: list[tuple[Any, ...]]) -> dict[int, list[int]]:
    """The (human) senders of each list post, each person once in their best role."""
    who: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for iid, person, role, automated in rows:
        seen = who[iid].get(person)
        rank = _RANK.get(role, 9)
        if seen is None:
            who[iid][person] = [rank, int(automated)]
        else:
            seen[0], seen[1] = min(seen[0], rank), max(seen[1], int(automated))
    return {
        iid: [p for p, (rank, auto) in people.items() if rank == 0 and not auto]
        for iid, people in who.items()
    }


def _list_replies(
    messages: list[tuple[Any, ...]],
    senders_of: dict[int, list[int]],
    pairs: dict[Any, _Pair],
    latest_end: int | None,
    first_t: int,
    period_s: float,
) -> None:
    """Add each list post that replies to a message as a contact from its sender to the
    sender replied to, a message to two (the author and the list), seen until the end
    of the latest-ending source of mail."""
    by_id: dict[str, list[int]] = defaultdict(list)
    for iid, _, message_id, *_ in messages:
        if message_id is not None:
            by_id[message_id].append(iid)
    for iid, t, _, in_reply_to, posted, ts in messages:
        if not posted or in_reply_to is None:
            continue
        answered = {
            (replier, sender)
            for original in by_id.get(in_reply_to, ())
            for replier in senders_of.get(iid, ())
            for sender in senders_of.get(original, ())
            if replier != sender
        }
        for replier, sender in answered:
            key = (min(replier, sender), max(replier, sender))
            pair = pairs.get(key)
            if pair is None:
                pair = pairs[key] = _Pair(ts, t)
            if replier < sender:
                pair.messages_ab += 1
                pair.weighted_ab += 0.5
            else:
                pair.messages_ba += 1
                pair.weighted_ba += 0.5
            pair.days.add(t // DAY)
            pair.weeks.add((t // DAY + 3) // 7)
            pair.periods.add(max(math.floor((t - first_t) / period_s), 0))
            pair.watched += 1  # mail: a channel the store watches
            pair.channels.add("email")
            if latest_end is not None and (pair.until_t is None or latest_end > pair.until_t):
                pair.until_t = latest_end
            if t < pair.first_t:
                pair.first, pair.first_t = ts, t
            if t > pair.last_t:
                pair.last, pair.last_t = ts, t


def tie_features(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pa.Table:
    """The columns of ``weakties.ties.tie_features`` that feed the strength model."""
    as_of_s = int(as_of.timestamp())
    messages = con.execute(_MESSAGES, [as_of_s]).fetchall()
    times = {row[0]: row[1] for row in messages if not row[4]}
    rows = con.execute(_ROWS, [as_of_s]).fetchall()
    until = _observed(con, times)
    latest_end = max(until.values(), default=as_of_s)  # when the last source ends
    first_t = min(times.values(), default=as_of_s)
    period_s = min(max((as_of_s - first_t + 1) / PERIODS, MIN_PERIOD_S), MAX_PERIOD_S)
    pairs, senders_of = _contacts(rows, until, first_t, period_s)
    senders_of.update(_post_senders(con.execute(_POST_ROWS, [as_of_s]).fetchall()))
    _list_replies(messages, senders_of, pairs, max(until.values(), default=None), first_t, period_s)
    replies = _replies(messages, senders_of)
    out: dict[str, list[Any]] = defaultdict(list)
    for (a, b), p in sorted(pairs.items()):
        messages = p.messages_ab + p.messages_ba
        reach_ab = p.messages_ab - p.undirected_ab + p.undirected
        reach_ba = p.messages_ba - p.undirected_ba + p.undirected
        ab, ba, latency = replies.get((a, b), (0, 0, float("nan")))
        top = max(reach_ab, reach_ba)
        end = min(as_of_s, p.until_t if p.until_t is not None else as_of_s)
        end += max(0, as_of_s - latest_end)  # as_of after every source ended
        for name, value in (
            ("person_a", a), ("person_b", b), ("messages_ab", p.messages_ab),
            ("messages_ba", p.messages_ba), ("messages", messages),
            ("weighted_ab", p.weighted_ab), ("weighted_ba", p.weighted_ba),
            ("weighted_minutes", p.weighted_seconds / 60),
            ("one_to_one_share", p.one_to_one / messages),
            ("group_share", p.in_groups / messages), ("active_days", len(p.days)),
            ("active_weeks", len(p.weeks)), ("active_periods", len(p.periods)),
            ("period_days", period_s / DAY), ("first_contact", p.first),
            ("last_contact", p.last), ("duration_days", (p.last_t - p.first_t) / DAY),
            ("recency_days", (end - p.last_t) / DAY), ("as_of", as_of),
            ("observed_days", (as_of_s - first_t) / DAY),
            ("balance", 0.0 if top == 0 else min(reach_ab, reach_ba) / top),
            ("two_way", (reach_ab > 0 and reach_ba > 0) or p.took_part > 0),
            ("meetings", p.meetings), ("meeting_minutes", p.meeting_s / 60),
            ("calls", p.calls), ("call_minutes", p.call_s / 60),
            ("channels", len(p.channels)), ("synchronous", p.sync),
            ("watched_contacts", p.watched),
            ("replies_ab", ab), ("replies_ba", ba), ("reply_latency_h", latency),
        ):  # fmt: skip
            out[name].append(value)
    return pa.table(dict(out)) if out else pa.table({"person_a": pa.array([], pa.int64())})
